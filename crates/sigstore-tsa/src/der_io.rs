//! The DER layer of this crate on the `der` crate: every tag, length and primitive value is
//! read and written by `der` (definite minimal lengths, no trailing data, canonical INTEGER,
//! BOOLEAN and OBJECT IDENTIFIER encodings). This module adds the strictness RFC 3161
//! verification needs on top: a required tag at each step and every byte accounted for.
//! Raw encodings stay available, which CMS signature checks depend on.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, IntRef, OctetStringRef, Uint};
use der::{Decode, Encode, Reader, Sequence, SliceReader, Tag, TagNumber, Tagged};
use sigstore_crypto::HashAlgorithm;
use sigstore_types::Timestamp;

use crate::Error;

/// A context-specific tag.
const fn context(number: TagNumber, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number,
    }
}

/// `[0]` constructed.
pub(crate) const CTX0: Tag = context(TagNumber::N0, true);
/// `[1]` constructed.
pub(crate) const CTX1: Tag = context(TagNumber::N1, true);
/// `[0]` primitive.
pub(crate) const CTX0_PRIM: Tag = context(TagNumber::N0, false);
/// `[1]` primitive.
pub(crate) const CTX1_PRIM: Tag = context(TagNumber::N1, false);
/// `[4]` constructed (GeneralName directoryName).
pub(crate) const CTX4: Tag = context(TagNumber::N4, true);

pub(crate) const OID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
pub(crate) const OID_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const OID_SHA384: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
pub(crate) const OID_SHA512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// Maps a `der` error to [`Error::Der`], keeping its reason.
pub(crate) fn der_error(what: &'static str) -> impl Fn(der::Error) -> Error {
    move |reason| Error::Der { what, reason }
}

/// Reads the elements of `content` (a constructed value's contents) with `f`; every byte must
/// be consumed.
pub(crate) fn walk<'a, T>(
    content: &'a [u8],
    what: &'static str,
    f: impl FnOnce(&mut SliceReader<'a>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut reader = SliceReader::new(content).map_err(der_error(what))?;
    let value = f(&mut reader)?;
    reader.finish(value).map_err(der_error(what))
}

/// Decodes the next element as `T`.
pub(crate) fn next<'a, T: Decode<'a>>(
    r: &mut SliceReader<'a>,
    what: &'static str,
) -> Result<T, Error> {
    r.decode().map_err(der_error(what))
}

/// The next element, which must have tag `tag`.
pub(crate) fn element<'a>(
    r: &mut SliceReader<'a>,
    tag: Tag,
    what: &'static str,
) -> Result<AnyRef<'a>, Error> {
    let any: AnyRef<'a> = next(r, what)?;
    if any.tag() == tag {
        Ok(any)
    } else {
        Err(Error::Malformed(what))
    }
}

/// The next element and its whole encoding.
pub(crate) fn raw_element<'a>(
    r: &mut SliceReader<'a>,
    what: &'static str,
) -> Result<(AnyRef<'a>, &'a [u8]), Error> {
    let raw = r.tlv_bytes().map_err(der_error(what))?;
    let any = AnyRef::from_der(raw).map_err(der_error(what))?;
    Ok((any, raw))
}

/// The next element if there is one and it has tag `tag`.
pub(crate) fn optional_element<'a>(
    r: &mut SliceReader<'a>,
    tag: Tag,
    what: &'static str,
) -> Result<Option<AnyRef<'a>>, Error> {
    if r.is_finished() || r.peek_tag().map_err(der_error(what))? != tag {
        return Ok(None);
    }
    element(r, tag, what).map(Some)
}

/// Parses `bytes` as exactly one element with tag `tag`.
pub(crate) fn single<'a>(
    bytes: &'a [u8],
    tag: Tag,
    what: &'static str,
) -> Result<AnyRef<'a>, Error> {
    let any = AnyRef::from_der(bytes).map_err(der_error(what))?;
    if any.tag() == tag {
        Ok(any)
    } else {
        Err(Error::Malformed(what))
    }
}

/// An INTEGER's content bytes (two's complement, minimal: checked by `der`).
pub(crate) fn integer_bytes(any: AnyRef<'_>, what: &'static str) -> Result<Vec<u8>, Error> {
    any.decode_as::<IntRef<'_>>().map_err(der_error(what))?;
    Ok(any.value().to_vec())
}

/// A non-negative INTEGER from a big-endian magnitude (empty is zero).
pub(crate) fn uint(magnitude: &[u8]) -> der::Result<Uint> {
    Uint::new(if magnitude.is_empty() {
        &[0]
    } else {
        magnitude
    })
}

/// The INTEGER content bytes of a non-negative big-endian magnitude.
pub(crate) fn unsigned_content(magnitude: &[u8]) -> Option<Vec<u8>> {
    let encoded = uint(magnitude).and_then(|u| u.to_der()).ok()?;
    AnyRef::from_der(&encoded)
        .ok()
        .map(|any| any.value().to_vec())
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct AlgorithmIdentifier<'a> {
    pub(crate) oid: ObjectIdentifier,
    pub(crate) parameters: Option<AnyRef<'a>>,
}

impl AlgorithmIdentifier<'_> {
    /// Whether the parameters are absent or NULL.
    pub(crate) fn has_null_or_no_parameters(&self) -> bool {
        self.parameters.is_none_or(|p| p.is_null())
    }
}

/// Decodes an `AlgorithmIdentifier` element.
pub(crate) fn algorithm_identifier<'a>(
    r: &mut SliceReader<'a>,
    what: &'static str,
) -> Result<AlgorithmIdentifier<'a>, Error> {
    next(r, what)
}

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }`.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct MessageImprint<'a> {
    pub(crate) hash_algorithm: AlgorithmIdentifier<'a>,
    pub(crate) hashed_message: OctetStringRef<'a>,
}

/// `TimeStampReq` (RFC 3161 §2.4.1) as this crate sends it: no policy, no extensions.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TimeStampReq<'a> {
    pub(crate) version: u8,
    pub(crate) message_imprint: MessageImprint<'a>,
    pub(crate) nonce: Option<Uint>,
    #[asn1(default = "Default::default")]
    pub(crate) cert_req: bool,
}

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

/// Parses the text of a GeneralizedTime (whose tag and length `der` has read) in the DER form
/// `YYYYMMDDHHMMSS[.f...]Z` (at most nine fraction digits, fraction without trailing zeros).
/// `der`'s own `GeneralizedTime` has no fractional seconds, which TSAs use.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read_one(bytes: &[u8]) -> Result<AnyRef<'_>, Error> {
        walk(bytes, "x", |r| next(r, "x"))
    }

    #[test]
    fn lengths_are_strict() {
        // Long form for a short length.
        assert!(read_one(&[0x04, 0x81, 0x01, 0x00]).is_err());
        // Leading zero in long form.
        let mut v = vec![0x04, 0x82, 0x00, 0x80];
        v.extend_from_slice(&[0; 0x80]);
        assert!(read_one(&v).is_err());
        // Indefinite length.
        assert!(read_one(&[0x30, 0x80, 0x00, 0x00]).is_err());
        // Length past the end.
        assert!(read_one(&[0x04, 0x05, 0x00]).is_err());
        assert!(read_one(&[0x04, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(
            read_one(&[0x04, 0x89, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err()
        );
        // High tag number form.
        assert!(read_one(&[0x1f, 0x01, 0x00]).is_err());
        // Trailing data.
        assert!(read_one(&[0x04, 0x00, 0x00]).is_err());
        assert!(single(&[0x04, 0x00, 0x00], Tag::OctetString, "x").is_err());
        // A wrong tag.
        assert_eq!(
            single(&[0x04, 0x00], Tag::Sequence, "x"),
            Err(Error::Malformed("x"))
        );
        // Good long form, with its whole encoding.
        let mut v = vec![0x04, 0x81, 0x80];
        v.extend_from_slice(&[7; 0x80]);
        let (any, raw) = walk(&v, "x", |r| raw_element(r, "x")).unwrap();
        assert_eq!(any.value().len(), 0x80);
        assert_eq!(raw, v.as_slice());
    }

    #[test]
    fn integers() {
        let small = |content: &[u8]| -> Result<u64, Error> {
            let mut v = vec![0x02, content.len() as u8];
            v.extend_from_slice(content);
            walk(&v, "x", |r| next::<u64>(r, "x"))
        };
        assert_eq!(small(&[0x01]).unwrap(), 1);
        assert_eq!(small(&[0x00, 0x80]).unwrap(), 128);
        assert!(small(&[0x00, 0x01]).is_err());
        assert!(small(&[0x80]).is_err());
        assert!(small(&[]).is_err());
        assert!(small(&[1; 9]).is_err());
        let int = |content: &[u8]| integer_bytes(AnyRef::new(Tag::Integer, content).unwrap(), "x");
        assert_eq!(int(&[0xff, 0x7f]).unwrap(), vec![0xff, 0x7f]);
        assert!(int(&[0xff, 0x80]).is_err());
        assert!(int(&[0x00, 0x01]).is_err());
        assert!(int(&[]).is_err());
        assert_eq!(unsigned_content(&[0x80]).unwrap(), vec![0x00, 0x80]);
        assert_eq!(unsigned_content(&[0x00, 0x00, 0x05]).unwrap(), vec![0x05]);
        assert_eq!(unsigned_content(&[]).unwrap(), vec![0x00]);
    }

    #[test]
    fn booleans_and_oids_are_canonical() {
        assert!(walk(&[0x01, 0x01, 0x01], "x", |r| next::<bool>(r, "x")).is_err());
        assert!(walk(&[0x01, 0x01, 0xff], "x", |r| next::<bool>(r, "x")).unwrap());
        // An OID arc with a leading 0x80 (non-minimal).
        assert!(walk(
            &[0x06, 0x02, 0x2a, 0x80],
            "x",
            |r| next::<ObjectIdentifier>(r, "x")
        )
        .is_err());
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
}
