//! Private protobuf-JSON building blocks shared by the wire structs of every document.

use core::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::encoding::{base64_encode, decode_lenient};
use crate::Error;

/// Largest JSON document accepted by the `from_json` functions (32 MiB).
pub const MAX_JSON_SIZE: usize = 32 * 1024 * 1024;

/// Parses `bytes` as JSON into `T` after the size check.
pub(crate) fn parse<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    if bytes.len() > MAX_JSON_SIZE {
        return Err(Error::InputTooLarge {
            size: bytes.len(),
            limit: MAX_JSON_SIZE,
        });
    }
    Ok(serde_json::from_slice(bytes)?)
}

/// Like [`parse`], refusing any member that `T` does not define ([`Error::UnknownMember`],
/// naming the first one's path).
pub(crate) fn parse_strict<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    if bytes.len() > MAX_JSON_SIZE {
        return Err(Error::InputTooLarge {
            size: bytes.len(),
            limit: MAX_JSON_SIZE,
        });
    }
    let mut unknown: Option<String> = None;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_ignored::deserialize(&mut deserializer, |path| {
        if unknown.is_none() {
            let mut text = String::new();
            member_path(&path, &mut text);
            unknown = Some(text.escape_default().take(200).collect());
        }
    })?;
    deserializer.end()?;
    match unknown {
        Some(path) => Err(Error::UnknownMember { path }),
        None => Ok(value),
    }
}

/// `path` as dotted protobuf-JSON names and array indexes (`a.b.0.c`), leaving out the
/// `Option` and newtype layers serde adds.
fn member_path(path: &serde_ignored::Path<'_>, out: &mut String) {
    use serde_ignored::Path;
    let push = |out: &mut String, part: &dyn fmt::Display| {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&part.to_string());
    };
    match path {
        Path::Root => {}
        Path::Seq { parent, index } => {
            member_path(parent, out);
            push(out, index);
        }
        Path::Map { parent, key } => {
            member_path(parent, out);
            push(out, key);
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => member_path(parent, out),
    }
}

/// Serializes a wire struct; the wire structs contain only strings, numbers, maps and
/// sequences, so serialization cannot fail.
pub(crate) fn to_string<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The text of a JSON integer given either as a string or as a number.
///
/// Parsing into the target type happens at conversion time so the error names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NumText(pub String);

impl NumText {
    pub(crate) fn from_i64(v: i64) -> Self {
        Self(v.to_string())
    }

    fn check_digits(&self) -> bool {
        let digits = self.0.strip_prefix('-').unwrap_or(&self.0);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    }

    fn invalid(&self, field: &'static str) -> Error {
        Error::InvalidInteger {
            field,
            value: self.0.chars().take(40).collect(),
        }
    }

    pub(crate) fn to_i64(&self, field: &'static str) -> Result<i64, Error> {
        if !self.check_digits() {
            return Err(self.invalid(field));
        }
        self.0.parse().map_err(|_| self.invalid(field))
    }

    pub(crate) fn to_u32(&self, field: &'static str) -> Result<u32, Error> {
        if !self.check_digits() {
            return Err(self.invalid(field));
        }
        self.0.parse().map_err(|_| self.invalid(field))
    }
}

struct NumTextVisitor;

impl Visitor<'_> for NumTextVisitor {
    type Value = NumText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer as a JSON number or string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NumText, E> {
        Ok(NumText(v.to_owned()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumText, E> {
        Ok(NumText(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumText, E> {
        Ok(NumText(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumText, E> {
        // Integral floats within the exactly representable range are accepted (proto3 JSON
        // allows `1.0` and `1e3`); anything else keeps its text and fails at conversion.
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if v.is_finite() && v.fract() == 0.0 && v.abs() <= EXACT {
            Ok(NumText(format!("{v:.0}")))
        } else {
            Ok(NumText(format!("{v:e}")))
        }
    }
}

impl<'de> Deserialize<'de> for NumText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumTextVisitor)
    }
}

/// An `int64`/`uint64` field: emitted as a JSON string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub(crate) struct Int64(pub NumText);

impl Serialize for Int64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0 .0)
    }
}

impl Int64 {
    pub(crate) fn new(v: i64) -> Self {
        Self(NumText::from_i64(v))
    }

    /// `Some` for non-zero values (proto3 omits defaults).
    pub(crate) fn non_zero(v: i64) -> Option<Self> {
        (v != 0).then(|| Self::new(v))
    }
}

/// Parses an optional int64 field, absent = 0.
pub(crate) fn opt_i64(v: &Option<Int64>, field: &'static str) -> Result<i64, Error> {
    v.as_ref().map_or(Ok(0), |n| n.0.to_i64(field))
}

/// A `uint32` field: emitted as a JSON number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub(crate) struct Uint32(pub NumText);

impl Serialize for Uint32 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 .0.parse::<u32>() {
            Ok(n) => s.serialize_u32(n),
            Err(_) => s.serialize_str(&self.0 .0),
        }
    }
}

impl Uint32 {
    pub(crate) fn new(v: u32) -> Self {
        Self(NumText(v.to_string()))
    }
}

/// Parses an optional uint32 field, absent = 0.
pub(crate) fn opt_u32(v: &Option<Uint32>, field: &'static str) -> Result<u32, Error> {
    v.as_ref().map_or(Ok(0), |n| n.0.to_u32(field))
}

/// An enum value: a name, or (accepted on input only) its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EnumValue {
    Name(String),
    Number(i64),
}

impl<'de> Deserialize<'de> for EnumValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EnumValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an enum name or number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EnumValue, E> {
                Ok(EnumValue::Name(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<EnumValue, E> {
                i64::try_from(v)
                    .map(EnumValue::Number)
                    .map_err(|_| E::custom("enum number out of range"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<EnumValue, E> {
                Ok(EnumValue::Number(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for EnumValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EnumValue::Name(n) => s.serialize_str(n),
            EnumValue::Number(n) => s.serialize_i64(*n),
        }
    }
}

/// A `bytes` field: decoded from its base64 text as the JSON is read (the text is not kept),
/// encoded to standard base64 when written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bytes {
    /// The field's bytes.
    Data(Vec<u8>),
    /// Text that is not base64 ([`decode_lenient`]): refused, naming the field, when the field
    /// is decoded.
    NotBase64,
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("base64 text")
            }
            // Borrowed and owned strings come here too (serde's defaults): JSON text without
            // escapes is decoded in place, never copied into a `String` first.
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bytes, E> {
                Ok(decode_lenient(v.as_bytes()).map_or(Bytes::NotBase64, Bytes::Data))
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Bytes::Data(bytes) => s.serialize_str(&base64_encode(bytes)),
            // Only parsed input holds this, and parsed input is converted, not written back.
            Bytes::NotBase64 => Err(serde::ser::Error::custom("a bytes field is not base64")),
        }
    }
}

impl Bytes {
    pub(crate) fn encode(bytes: &[u8]) -> Self {
        Self::Data(bytes.to_vec())
    }

    /// `Some` for non-empty values (proto3 omits defaults).
    pub(crate) fn non_empty(bytes: &[u8]) -> Option<Self> {
        (!bytes.is_empty()).then(|| Self::encode(bytes))
    }

    /// The bytes, taken, or [`Error::InvalidBase64`] naming `field`.
    pub(crate) fn into_decoded(self, field: &'static str) -> Result<Vec<u8>, Error> {
        match self {
            Bytes::Data(bytes) => Ok(bytes),
            Bytes::NotBase64 => Err(Error::InvalidBase64 { field }),
        }
    }
}

/// Decodes an optional bytes field, absent = empty, taking the bytes.
pub(crate) fn take_bytes(v: Option<Bytes>, field: &'static str) -> Result<Vec<u8>, Error> {
    v.map_or(Ok(Vec::new()), |b| b.into_decoded(field))
}

/// Decodes a bytes field that must be present and non-empty, taking the bytes.
pub(crate) fn take_req_bytes(v: Option<Bytes>, field: &'static str) -> Result<Vec<u8>, Error> {
    let bytes = take_bytes(v, field)?;
    if bytes.is_empty() {
        return Err(Error::MissingField(field));
    }
    Ok(bytes)
}

/// [`take_bytes`] on a field that stays in place (a copy).
pub(crate) fn opt_bytes(v: &Option<Bytes>, field: &'static str) -> Result<Vec<u8>, Error> {
    take_bytes(v.clone(), field)
}

/// [`take_req_bytes`] on a field that stays in place (a copy).
pub(crate) fn req_bytes(v: &Option<Bytes>, field: &'static str) -> Result<Vec<u8>, Error> {
    take_req_bytes(v.clone(), field)
}

/// `Some` for non-empty strings (proto3 omits defaults).
pub(crate) fn non_empty_str(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// `Some` for non-empty vectors.
pub(crate) fn non_empty_vec<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// `{ "rawBytes": b64 }` (X509Certificate).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawBytes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_bytes: Option<Bytes>,
}

/// `{ "certificates": [ {rawBytes} ] }` (X509CertificateChain).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CertChain {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<RawBytes>>,
}

impl CertChain {
    /// [`CertChain::into_decoded`] on a chain that stays in place (a copy).
    pub(crate) fn decode(&self, field: &'static str) -> Result<Vec<Vec<u8>>, Error> {
        self.clone().into_decoded(field)
    }

    /// The certificates' DER, each present and non-empty, taken.
    pub(crate) fn into_decoded(self, field: &'static str) -> Result<Vec<Vec<u8>>, Error> {
        self.certificates
            .into_iter()
            .flatten()
            .map(|c| take_req_bytes(c.raw_bytes, field))
            .collect()
    }

    pub(crate) fn encode(certs: &[Vec<u8>]) -> Self {
        Self {
            certificates: non_empty_vec(
                certs
                    .iter()
                    .map(|c| RawBytes {
                        raw_bytes: Bytes::non_empty(c),
                    })
                    .collect(),
            ),
        }
    }
}

/// `{ "keyId": b64 }` (LogId).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyId {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<Bytes>,
}

impl KeyId {
    pub(crate) fn encode(bytes: &[u8]) -> Self {
        Self {
            key_id: Bytes::non_empty(bytes),
        }
    }
}
