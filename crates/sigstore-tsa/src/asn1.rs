//! A small strict DER reader and writer for the few CMS and RFC 3161 structures this crate
//! needs. Raw encodings stay available, which CMS signature checks depend on.

use const_oid::ObjectIdentifier;
use sigstore_crypto::HashAlgorithm;
use sigstore_types::Timestamp;

use crate::Error;

pub(crate) const TAG_BOOLEAN: u8 = 0x01;
pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_GENERALIZED_TIME: u8 = 0x18;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_SET: u8 = 0x31;
/// `[0]` constructed.
pub(crate) const TAG_CTX0: u8 = 0xa0;
/// `[1]` constructed.
pub(crate) const TAG_CTX1: u8 = 0xa1;
/// `[0]` primitive.
pub(crate) const TAG_CTX0_PRIM: u8 = 0x80;
/// `[1]` primitive.
pub(crate) const TAG_CTX1_PRIM: u8 = 0x81;
/// `[4]` constructed (GeneralName directoryName).
pub(crate) const TAG_CTX4: u8 = 0xa4;

/// Most length octets accepted in a long-form length (lengths up to 4 GiB).
const MAX_LEN_BYTES: usize = 4;

/// One DER element: its tag, its content and its whole encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) value: &'a [u8],
    pub(crate) raw: &'a [u8],
}

/// Reads consecutive DER elements from a byte slice. Only single-byte tags and definite,
/// minimal lengths are accepted.
pub(crate) struct DerReader<'a> {
    rest: &'a [u8],
}

impl<'a> DerReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads the next element.
    pub(crate) fn read(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        let bad = || Error::Malformed(what);
        let (&tag, after_tag) = self.rest.split_first().ok_or_else(bad)?;
        if tag & 0x1f == 0x1f {
            return Err(bad());
        }
        let (&first, mut after_len) = after_tag.split_first().ok_or_else(bad)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > MAX_LEN_BYTES || n > after_len.len() {
                return Err(bad());
            }
            let (len_bytes, rest) = after_len.split_at(n);
            after_len = rest;
            if len_bytes.first() == Some(&0) {
                return Err(bad());
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return Err(bad());
            }
            len
        };
        if len > after_len.len() {
            return Err(bad());
        }
        let (value, rest) = after_len.split_at(len);
        let header_len = self.rest.len() - after_len.len();
        let raw = self.rest.get(..header_len + len).ok_or_else(bad)?;
        self.rest = rest;
        Ok(Tlv { tag, value, raw })
    }

    /// Reads the next element, which must have tag `tag`.
    pub(crate) fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, Error> {
        let tlv = self.read(what)?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(Error::Malformed(what))
        }
    }

    /// Reads the next element if it has tag `tag`.
    pub(crate) fn optional(
        &mut self,
        tag: u8,
        what: &'static str,
    ) -> Result<Option<Tlv<'a>>, Error> {
        if self.peek_tag() == Some(tag) {
            self.read(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails unless every byte has been read.
    pub(crate) fn finish(&self, what: &'static str) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::Malformed(what))
        }
    }
}

/// Parses `bytes` as exactly one element with tag `tag`.
pub(crate) fn single<'a>(bytes: &'a [u8], tag: u8, what: &'static str) -> Result<Tlv<'a>, Error> {
    let mut r = DerReader::new(bytes);
    let tlv = r.expect(tag, what)?;
    r.finish(what)?;
    Ok(tlv)
}

pub(crate) fn read_oid(
    r: &mut DerReader<'_>,
    what: &'static str,
) -> Result<ObjectIdentifier, Error> {
    let tlv = r.expect(TAG_OID, what)?;
    ObjectIdentifier::from_bytes(tlv.value).map_err(|_| Error::Malformed(what))
}

/// Checks INTEGER content for minimal two's complement encoding.
fn check_integer(value: &[u8], what: &'static str) -> Result<(), Error> {
    match value {
        [] => Err(Error::Malformed(what)),
        [0x00, next, ..] if *next < 0x80 => Err(Error::Malformed(what)),
        [0xff, next, ..] if *next >= 0x80 => Err(Error::Malformed(what)),
        _ => Ok(()),
    }
}

/// Reads an INTEGER and returns its content bytes (two's complement, minimal).
pub(crate) fn integer_bytes(value: &[u8], what: &'static str) -> Result<Vec<u8>, Error> {
    check_integer(value, what)?;
    Ok(value.to_vec())
}

/// The INTEGER content bytes of a non-negative big-endian magnitude.
pub(crate) fn unsigned_content(magnitude: &[u8]) -> Vec<u8> {
    let mut content = normalize_unsigned(magnitude);
    if content.first().is_some_and(|b| *b >= 0x80) {
        content.insert(0, 0);
    }
    content
}

/// Reads a non-negative INTEGER and returns its magnitude, big-endian without leading zeros
/// (zero is a single `0x00`).
pub(crate) fn unsigned_integer_bytes(value: &[u8], what: &'static str) -> Result<Vec<u8>, Error> {
    check_integer(value, what)?;
    if value.first().is_some_and(|b| *b >= 0x80) {
        return Err(Error::Malformed(what));
    }
    Ok(normalize_unsigned(value))
}

/// Strips leading zero bytes from a big-endian magnitude (zero becomes `[0]`).
pub(crate) fn normalize_unsigned(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    match bytes.get(start..) {
        Some(rest) if !rest.is_empty() => rest.to_vec(),
        _ => vec![0],
    }
}

/// Reads a small non-negative INTEGER (at most 8 content bytes).
pub(crate) fn small_unsigned(value: &[u8], what: &'static str) -> Result<u64, Error> {
    let magnitude = unsigned_integer_bytes(value, what)?;
    if magnitude.len() > 8 {
        return Err(Error::Malformed(what));
    }
    Ok(magnitude
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

pub(crate) fn read_small_unsigned(r: &mut DerReader<'_>, what: &'static str) -> Result<u64, Error> {
    let tlv = r.expect(TAG_INTEGER, what)?;
    small_unsigned(tlv.value, what)
}

/// A BOOLEAN: DER allows only `0x00` and `0xff`.
pub(crate) fn boolean(value: &[u8], what: &'static str) -> Result<bool, Error> {
    match value {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(Error::Malformed(what)),
    }
}

/// An `AlgorithmIdentifier`: its OID and, if present, its parameters element.
pub(crate) struct AlgorithmIdentifier<'a> {
    pub(crate) oid: ObjectIdentifier,
    pub(crate) parameters: Option<Tlv<'a>>,
}

impl AlgorithmIdentifier<'_> {
    /// Whether the parameters are absent or NULL.
    pub(crate) fn has_null_or_no_parameters(&self) -> bool {
        match self.parameters {
            None => true,
            Some(p) => p.tag == TAG_NULL && p.value.is_empty(),
        }
    }
}

pub(crate) fn algorithm_identifier<'a>(
    tlv: Tlv<'a>,
    what: &'static str,
) -> Result<AlgorithmIdentifier<'a>, Error> {
    if tlv.tag != TAG_SEQUENCE {
        return Err(Error::Malformed(what));
    }
    let mut r = DerReader::new(tlv.value);
    let oid = read_oid(&mut r, what)?;
    let parameters = if r.is_empty() {
        None
    } else {
        Some(r.read(what)?)
    };
    r.finish(what)?;
    Ok(AlgorithmIdentifier { oid, parameters })
}

pub(crate) fn read_algorithm_identifier<'a>(
    r: &mut DerReader<'a>,
    what: &'static str,
) -> Result<AlgorithmIdentifier<'a>, Error> {
    let tlv = r.read(what)?;
    algorithm_identifier(tlv, what)
}

pub(crate) const OID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
pub(crate) const OID_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const OID_SHA384: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
pub(crate) const OID_SHA512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// The OID of a hash algorithm.
pub(crate) fn hash_oid(alg: HashAlgorithm) -> ObjectIdentifier {
    match alg {
        HashAlgorithm::Sha256 => OID_SHA256,
        HashAlgorithm::Sha384 => OID_SHA384,
        HashAlgorithm::Sha512 => OID_SHA512,
        // `HashAlgorithm` is non-exhaustive; sigstore-crypto offers only the SHA-2 family.
        _ => OID_SHA512,
    }
}

/// Parses GeneralizedTime content in the DER form `YYYYMMDDHHMMSS[.f...]Z` (at most nine
/// fraction digits, fraction without trailing zeros).
pub(crate) fn generalized_time(value: &[u8]) -> Result<Timestamp, Error> {
    const WHAT: &str = "genTime";
    let bad = || Error::Malformed(WHAT);
    let (body, last) = value.split_at(value.len().checked_sub(1).ok_or_else(bad)?);
    if last != b"Z" || body.len() < 14 {
        return Err(bad());
    }
    let (fixed, fraction) = body.split_at(14);
    if !fixed.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let num = |range: core::ops::Range<usize>| -> u32 {
        fixed
            .get(range)
            .unwrap_or_default()
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let nanos = match fraction {
        [] => 0,
        [b'.', digits @ ..] => {
            if digits.is_empty()
                || digits.len() > 9
                || !digits.iter().all(u8::is_ascii_digit)
                || digits.last() == Some(&b'0')
            {
                return Err(bad());
            }
            let value = digits
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            let scale = 10u32.pow(9 - digits.len() as u32);
            value * scale
        }
        _ => return Err(bad()),
    };
    Timestamp::from_utc(
        i64::from(num(0..4)),
        num(4..6),
        num(6..8),
        num(8..10),
        num(10..12),
        num(12..14),
        nanos,
    )
    .ok_or_else(bad)
}

/// Appends a DER length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Encodes one element.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    push_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// Encodes a non-negative INTEGER from a big-endian magnitude.
pub(crate) fn encode_unsigned(magnitude: &[u8]) -> Vec<u8> {
    encode(TAG_INTEGER, &unsigned_content(magnitude))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_strict() {
        // Long form for a short length.
        assert!(DerReader::new(&[0x04, 0x81, 0x01, 0x00]).read("x").is_err());
        // Leading zero in long form.
        let mut v = vec![0x04, 0x82, 0x00, 0x80];
        v.extend_from_slice(&[0; 0x80]);
        assert!(DerReader::new(&v).read("x").is_err());
        // Indefinite length.
        assert!(DerReader::new(&[0x30, 0x80, 0x00, 0x00]).read("x").is_err());
        // Length past the end.
        assert!(DerReader::new(&[0x04, 0x05, 0x00]).read("x").is_err());
        assert!(DerReader::new(&[0x04, 0x84, 0xff, 0xff, 0xff, 0xff])
            .read("x")
            .is_err());
        assert!(DerReader::new(&[
            0x04, 0x89, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
        ])
        .read("x")
        .is_err());
        // High tag number form.
        assert!(DerReader::new(&[0x1f, 0x01, 0x00]).read("x").is_err());
        // Good long form.
        let mut v = vec![0x04, 0x81, 0x80];
        v.extend_from_slice(&[7; 0x80]);
        let tlv = DerReader::new(&v).read("x").unwrap();
        assert_eq!(tlv.value.len(), 0x80);
        assert_eq!(tlv.raw.len(), v.len());
    }

    #[test]
    fn integers() {
        assert_eq!(small_unsigned(&[0x01], "x").unwrap(), 1);
        assert_eq!(small_unsigned(&[0x00, 0x80], "x").unwrap(), 128);
        assert!(small_unsigned(&[0x00, 0x01], "x").is_err());
        assert!(small_unsigned(&[0x80], "x").is_err());
        assert!(small_unsigned(&[], "x").is_err());
        assert!(small_unsigned(&[1; 9], "x").is_err());
        assert_eq!(encode_unsigned(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(encode_unsigned(&[0x00, 0x00, 0x05]), vec![0x02, 0x01, 0x05]);
        assert_eq!(encode_unsigned(&[]), vec![0x02, 0x01, 0x00]);
    }

    #[test]
    fn generalized_times() {
        let t = generalized_time(b"20250612120220Z").unwrap();
        assert_eq!(t.to_string(), "2025-06-12T12:02:20Z");
        let t = generalized_time(b"20250612120220.123Z").unwrap();
        assert_eq!(t.subsec_nanos(), 123_000_000);
        let t = generalized_time(b"20250612120220.000000001Z").unwrap();
        assert_eq!(t.subsec_nanos(), 1);
        for bad in [
            &b"20250612120220"[..],
            b"20250612120220.Z",
            b"20250612120220.10Z",
            b"20250612120220.1234567891Z",
            b"2025061212022Z",
            b"20251312120220Z",
            b"20250612126020Z",
            b"20250612120220+0000",
            b"2025O612120220Z",
            b"",
            b"Z",
        ] {
            assert!(
                generalized_time(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn encode_lengths() {
        assert_eq!(encode(0x04, &[0; 3])[..2], [0x04, 0x03]);
        assert_eq!(encode(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(encode(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
        let big = encode(0x04, &[0; 300]);
        assert_eq!(single(&big, 0x04, "x").unwrap().value.len(), 300);
    }
}
