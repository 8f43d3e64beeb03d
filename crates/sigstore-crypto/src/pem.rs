//! Lenient PEM reading, as OpenSSL, Go and Python read it.
//!
//! Real keys and certificates are published with base64 lines of any length (npm's registry
//! key is one long line), CRLF line endings, indentation, and explanatory text around the
//! block. [`decode`] accepts all of that; it refuses encapsulated headers (`Proc-Type:`,
//! encrypted PEM), an END line whose label differs from the BEGIN line, bad base64 and empty
//! bodies.

use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

/// Standard alphabet, padding optional (some tools drop it).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Why a PEM document was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemError {
    /// No `-----BEGIN ...-----` line.
    Missing,
    /// The block is malformed (label, END line, headers, base64, empty body).
    Malformed,
}

impl PemError {
    /// A short description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "not a PEM document",
            Self::Malformed => "malformed PEM block",
        }
    }
}

/// Decodes the first PEM block of `text` and returns its label and contents.
///
/// Anything before the BEGIN line is ignored, as is anything after the END line. Inside the
/// block, whitespace (spaces, tabs, CR, LF) between base64 characters is ignored, so lines
/// may have any length, and the block may even sit on one line.
pub fn decode(text: &[u8]) -> Result<(String, Vec<u8>), PemError> {
    let start = find(text, BEGIN).ok_or(PemError::Missing)?;
    let after_begin = text.get(start + BEGIN.len()..).ok_or(PemError::Missing)?;
    let label_len = find(after_begin, DASHES).ok_or(PemError::Malformed)?;
    let label = after_begin.get(..label_len).ok_or(PemError::Malformed)?;
    if label.is_empty()
        || !label.iter().all(|&c| c.is_ascii_graphic() || c == b' ')
        || label.contains(&b'-')
    {
        return Err(PemError::Malformed);
    }
    let label = String::from_utf8(label.to_vec()).map_err(|_| PemError::Malformed)?;
    let body_and_rest = after_begin
        .get(label_len + DASHES.len()..)
        .ok_or(PemError::Malformed)?;
    let end = find(body_and_rest, END).ok_or(PemError::Malformed)?;
    let body = body_and_rest.get(..end).ok_or(PemError::Malformed)?;
    let end_label = body_and_rest
        .get(end + END.len()..)
        .ok_or(PemError::Malformed)?;
    if !end_label.starts_with(label.as_bytes())
        || !end_label
            .get(label.len()..)
            .is_some_and(|rest| rest.starts_with(DASHES))
    {
        return Err(PemError::Malformed);
    }
    let mut b64 = Vec::with_capacity(body.len());
    for &c in body {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => b64.push(c),
            // `:` starts an encapsulated header; anything else is not base64.
            _ => return Err(PemError::Malformed),
        }
    }
    let der = STANDARD
        .decode(&b64)
        .or_else(|_| LENIENT.decode(&b64))
        .map_err(|_| PemError::Malformed)?;
    if der.is_empty() {
        return Err(PemError::Malformed);
    }
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==";

    #[test]
    fn any_layout() {
        let der = STANDARD.decode(BODY).unwrap();
        let wrapped: String = BODY
            .as_bytes()
            .chunks(64)
            .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
            .collect();
        let docs = [
            format!("-----BEGIN PUBLIC KEY-----\n{wrapped}-----END PUBLIC KEY-----\n"),
            format!("-----BEGIN PUBLIC KEY-----\n{BODY}\n-----END PUBLIC KEY-----\n"),
            format!("-----BEGIN PUBLIC KEY-----{BODY}-----END PUBLIC KEY-----"),
            format!(
                "key from the registry:\r\n  -----BEGIN PUBLIC KEY-----\r\n  {}\r\n-----END PUBLIC KEY-----\r\ntrailer",
                wrapped.replace('\n', "\r\n  ")
            ),
            format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----", BODY.trim_end_matches('=')),
        ];
        for doc in docs {
            let (label, got) = decode(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc:?}: {e:?}"));
            assert_eq!(label, "PUBLIC KEY");
            assert_eq!(got, der, "{doc:?}");
        }
    }

    #[test]
    fn refusals() {
        let cases = [
            ("", PemError::Missing),
            (BODY, PemError::Missing),
            ("-----BEGIN PUBLIC KEY-----\nAAAA\n", PemError::Malformed),
            (
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END CERTIFICATE-----\n",
                PemError::Malformed,
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END PUBLIC KEY-----\n",
                PemError::Malformed,
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nA!AA\n-----END PUBLIC KEY-----\n",
                PemError::Malformed,
            ),
            (
                "-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n",
                PemError::Malformed,
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nA\n-----END PUBLIC KEY-----\n",
                PemError::Malformed,
            ),
            ("-----BEGIN -----\nAAAA\n-----END -----\n", PemError::Malformed),
        ];
        for (doc, want) in cases {
            assert_eq!(decode(doc.as_bytes()), Err(want), "{doc:?}");
        }
    }
}
