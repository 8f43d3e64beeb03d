//! OLPC canonical JSON, as TUF signs it: object keys sorted, no insignificant whitespace,
//! strings escaping only `"` and `\`, integers only.

use serde_json::Value;

/// Deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Why a value has no canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// A number that is not an integer (canonical JSON has no floats).
    #[error("canonical JSON has no non-integer numbers")]
    NonInteger,
    /// The value nests deeper than the limit.
    #[error("JSON nests too deeply")]
    TooDeep,
}

/// The canonical JSON bytes of `value`.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::new();
    write(value, &mut out, 0)?;
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), CanonicalError> {
    if depth > MAX_DEPTH {
        return Err(CanonicalError::TooDeep);
    }
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(CanonicalError::NonInteger);
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out, depth + 1)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write(item, out, depth + 1)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for byte in s.bytes() {
        if byte == b'"' || byte == b'\\' {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b'"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sorts_escapes_and_rejects_floats() {
        let v: Value =
            serde_json::from_str(r#"{"b": [1, -2, true, null], "a": "q\"\\\né", "c": {}}"#)
                .unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(&v).unwrap()).unwrap(),
            "{\"a\":\"q\\\"\\\\\né\",\"b\":[1,-2,true,null],\"c\":{}}"
        );
        let f: Value = serde_json::from_str(r#"{"x": 1.5}"#).unwrap();
        assert_eq!(canonicalize(&f), Err(CanonicalError::NonInteger));
        let deep: Value = serde_json::from_str(&("[".repeat(100) + &"]".repeat(100))).unwrap();
        assert_eq!(canonicalize(&deep), Err(CanonicalError::TooDeep));
    }
}
