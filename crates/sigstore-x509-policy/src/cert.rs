use std::ops::Range;
use std::sync::Arc;

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, IntRef};
use der::{
    Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence,
    SliceReader, Tag, TagNumber, Tagged, Writer,
};
use sigstore_crypto::{PublicKey, SignatureAlgorithm};
use sigstore_types::Timestamp;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};
use x509_cert::time::Validity;

use crate::{oids, Error};

/// An X.509 certificate parsed once: the DER, the public key and the fields path validation
/// needs, each kept as a range of the DER rather than copied out.
///
/// Cloning is cheap (the parsed data is shared).
#[derive(Clone)]
pub struct Certificate {
    inner: Arc<Inner>,
}

struct Inner {
    der: Vec<u8>,
    tbs: Range<usize>,
    serial: Range<usize>,
    issuer: Range<usize>,
    subject: Range<usize>,
    signature_algorithm: Range<usize>,
    /// `None` when the BIT STRING is not a whole number of octets.
    signature: Option<Range<usize>>,
    extensions: Vec<ExtensionEntry>,
    /// The TBSCertificate's `[3]` field (extensions), if present.
    extensions_field: Option<Range<usize>>,
    key: PublicKey,
    not_before: Timestamp,
    not_after: Timestamp,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    eku: Option<(bool, Vec<ObjectIdentifier>)>,
}

/// An extension as found while parsing: its OID, criticality and where its value lies.
struct ExtensionEntry {
    oid: ObjectIdentifier,
    critical: bool,
    value: Range<usize>,
    /// The whole encoded Extension.
    tlv: Range<usize>,
}

/// One extension of a certificate: `extnID`, `critical` and the content of the `extnValue`
/// OCTET STRING.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    /// `extnID`.
    pub oid: ObjectIdentifier,
    /// `critical` (DEFAULT FALSE).
    pub critical: bool,
    /// The content of `extnValue`.
    pub value: &'a [u8],
}

// The certificate's ASN.1 (RFC 5280 4.1) with borrowed fields: the same shape, tagging,
// DEFAULT and OPTIONAL rules as `x509_cert::Certificate`, so the same encodings are accepted,
// without an allocation per name attribute or extension.

#[derive(Sequence)]
struct CertificateRef<'a> {
    tbs_certificate: TbsCertificateRef<'a>,
    signature_algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
}

#[derive(Sequence)]
struct TbsCertificateRef<'a> {
    #[asn1(context_specific = "0", default = "Default::default")]
    version: Version,
    serial_number: IntRef<'a>,
    signature: AlgorithmIdentifierRef<'a>,
    issuer: NameRef<'a>,
    validity: Validity,
    subject: NameRef<'a>,
    subject_public_key_info: SubjectPublicKeyInfoRef<'a>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    issuer_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    subject_unique_id: Option<BitStringRef<'a>>,
    /// `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension`, read by [`extension_list`].
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<AnyRef<'a>>,
}

/// `Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
/// extnValue OCTET STRING }`, borrowed.
struct ExtensionRef<'a> {
    extn_id: ObjectIdentifier,
    critical: bool,
    extn_value: &'a [u8],
    /// The whole encoded Extension.
    tlv: &'a [u8],
}

/// The DER tag bytes the extension list is made of.
const SEQUENCE: u8 = 0x30;
const OBJECT_IDENTIFIER: u8 = 0x06;
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;

/// Splits the first TLV off `input`: its tag byte, its value and what follows it. The header
/// rules are `der`'s: a single tag byte (the tags read here are all low-numbered), a definite
/// length in its shortest form of at most four length octets, and a value that fits `input`.
fn split_tlv(input: &[u8]) -> der::Result<(u8, &[u8], &[u8])> {
    let incomplete = || der::Error::incomplete(Length::ZERO);
    let (&tag, rest) = input.split_first().ok_or_else(incomplete)?;
    let (&first, rest) = rest.split_first().ok_or_else(incomplete)?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81..=0x84 => {
            let octets = usize::from(first & 0x7f);
            let (bytes, rest) = rest.split_at_checked(octets).ok_or_else(incomplete)?;
            let len = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
            // Shortest form: one octet from 0x80, two from 0x100, ...
            let shortest = match len {
                0..=0x7f => 0,
                0x80..=0xff => 1,
                0x100..=0xffff => 2,
                0x1_0000..=0xff_ffff => 3,
                _ => 4,
            };
            if shortest != octets {
                return Err(der::ErrorKind::Overlength.into());
            }
            (len, rest)
        }
        0x80 => return Err(der::ErrorKind::IndefiniteLength.into()),
        _ => return Err(der::ErrorKind::Overlength.into()),
    };
    let (value, rest) = rest.split_at_checked(len).ok_or_else(incomplete)?;
    Ok((tag, value, rest))
}

/// Reads the `[3]` field's content as `der` reads `Vec<Extension>` for `x509_cert` (a SEQUENCE
/// of Extension SEQUENCEs, an explicit `critical FALSE` accepted), without the generic
/// decoder's per-field bookkeeping: certificates carry a score of extensions, and this is
/// read for every bundle.
fn extension_list<'a>(list: &AnyRef<'a>) -> der::Result<Vec<ExtensionRef<'a>>> {
    list.tag().assert_eq(Tag::Sequence)?;
    let mut rest = list.value();
    let mut out = Vec::with_capacity(24);
    while !rest.is_empty() {
        let (tag, extension, after) = split_tlv(rest)?;
        let tlv = rest.get(..rest.len() - after.len()).unwrap_or_default();
        rest = after;
        if tag != SEQUENCE {
            return Err(Tag::Sequence.value_error());
        }
        let (tag, oid, fields) = split_tlv(extension)?;
        if tag != OBJECT_IDENTIFIER {
            return Err(Tag::ObjectIdentifier.value_error());
        }
        let extn_id = ObjectIdentifier::from_bytes(oid)?;
        let (critical, fields) = match fields.first() {
            Some(&BOOLEAN) => {
                let (_, value, fields) = split_tlv(fields)?;
                let critical = match value {
                    [0x00] => false,
                    [0xff] => true,
                    [_] => return Err(Tag::Boolean.non_canonical_error()),
                    _ => return Err(Tag::Boolean.length_error()),
                };
                (critical, fields)
            }
            _ => (false, fields),
        };
        let (tag, extn_value, trailing) = split_tlv(fields)?;
        if tag != OCTET_STRING {
            return Err(Tag::OctetString.value_error());
        }
        if !trailing.is_empty() {
            return Err(der::ErrorKind::TrailingData {
                decoded: Length::ZERO,
                remaining: Length::ZERO,
            }
            .into());
        }
        out.push(ExtensionRef {
            extn_id,
            critical,
            extn_value,
            tlv,
        });
    }
    Ok(out)
}

#[derive(Sequence)]
struct AttributeTypeAndValueRef<'a> {
    oid: ObjectIdentifier,
    value: AnyRef<'a>,
}

/// The serial number's limit in `x509_cert` (RFC 5280's 20 octets, plus one for a leading
/// zero some encoders add).
const MAX_SERIAL_LEN: u16 = 21;

/// `Name ::= SEQUENCE OF RelativeDistinguishedName`, `RelativeDistinguishedName ::= SET OF
/// AttributeTypeAndValue`, checked as `x509_cert` checks it (a SET OF in any order, no two
/// equal members) without keeping the values: names are compared as encoded.
struct NameRef<'a>(&'a [u8]);

impl<'a> DecodeValue<'a> for NameRef<'a> {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let value = reader.read_slice(header.length)?;
        let mut rdns = SliceReader::new(value)?;
        while !rdns.is_finished() {
            let rdn = AnyRef::decode(&mut rdns)?;
            rdn.tag().assert_eq(Tag::Set)?;
            let mut members = SliceReader::new(rdn.value())?;
            let mut seen: Vec<&[u8]> = Vec::new();
            while !members.is_finished() {
                let member = members.tlv_bytes()?;
                AttributeTypeAndValueRef::from_der(member)?;
                if seen.contains(&member) {
                    return Err(Tag::Set.value_error());
                }
                seen.push(member);
            }
        }
        Ok(Self(value))
    }
}

impl EncodeValue for NameRef<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}

impl FixedTag for NameRef<'_> {
    const TAG: Tag = Tag::Sequence;
}

/// Where `part` (a subslice of `whole`) lies in `whole`.
fn range_in(whole: &[u8], part: &[u8]) -> der::Result<Range<usize>> {
    let start = (part.as_ptr() as usize)
        .checked_sub(whole.as_ptr() as usize)
        .ok_or(der::ErrorKind::Overflow)?;
    let end = start
        .checked_add(part.len())
        .filter(|end| *end <= whole.len())
        .ok_or(der::ErrorKind::Overflow)?;
    Ok(start..end)
}

impl Certificate {
    /// Parses a DER certificate. Rejects trailing bytes, a `signatureAlgorithm` that differs
    /// from the TBSCertificate's `signature` (RFC 5280 4.1.1.2), duplicate extensions,
    /// malformed basicConstraints / keyUsage / extKeyUsage values and unsupported public keys.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let der = der.to_vec();
        let parsed = CertificateRef::from_der(&der).map_err(Error::MalformedCertificate)?;
        let tbs = &parsed.tbs_certificate;
        let found = match &tbs.extensions {
            Some(list) => extension_list(list).map_err(Error::MalformedCertificate)?,
            None => Vec::new(),
        };
        if parsed.signature_algorithm != tbs.signature {
            return Err(Error::SignatureAlgorithmMismatch);
        }
        if tbs.serial_number.len() > Length::new(MAX_SERIAL_LEN) {
            return Err(Error::MalformedCertificate(Tag::Integer.value_error()));
        }
        let layout = Layout::read(&der).map_err(Error::MalformedCertificate)?;
        let key = PublicKey::from_spki_der(layout.spki(&der)).map_err(Error::PublicKey)?;
        let not_before = to_timestamp(tbs.validity.not_before)?;
        let not_after = to_timestamp(tbs.validity.not_after)?;
        let malformed = Error::MalformedCertificate;
        let serial = range_in(&der, tbs.serial_number.as_bytes()).map_err(malformed)?;
        let signature = parsed
            .signature
            .as_bytes()
            .map(|bytes| range_in(&der, bytes))
            .transpose()
            .map_err(malformed)?;

        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut eku = None;
        let mut extensions = Vec::with_capacity(found.len());
        // Last bytes of the OIDs seen so far: two equal OIDs end alike, and sibling OIDs
        // (Fulcio's 1.3.6.1.4.1.57264.1.n) mostly differ there, so the earlier extensions are
        // compared (as encoded: DER has one encoding per OID) only when the last byte repeats.
        // Checked before any value is read, so a duplicated extension is reported as such
        // even when its value is malformed too.
        let mut last_bytes = [0u64; 4];
        for (i, ext) in found.iter().enumerate() {
            let id = ext.extn_id.as_bytes();
            let last = id.last().copied().unwrap_or(0);
            let (word, bit) = (usize::from(last >> 6), 1u64 << (last & 63));
            if last_bytes[word] & bit != 0
                && found[..i]
                    .iter()
                    .any(|other| other.extn_id.as_bytes() == id)
            {
                return Err(Error::DuplicateExtension(ext.extn_id));
            }
            last_bytes[word] |= bit;
        }
        for ext in &found {
            let value = ext.extn_value;
            let malformed = |_| Error::MalformedExtension(ext.extn_id);
            if ext.extn_id == oids::BASIC_CONSTRAINTS {
                basic_constraints = Some(BasicConstraints::from_der(value).map_err(malformed)?);
            } else if ext.extn_id == oids::KEY_USAGE {
                key_usage = Some(KeyUsage::from_der(value).map_err(malformed)?);
            } else if ext.extn_id == oids::EXTENDED_KEY_USAGE {
                let usages = ExtendedKeyUsage::from_der(value).map_err(malformed)?;
                if usages.0.is_empty() {
                    return Err(Error::MalformedExtension(ext.extn_id));
                }
                eku = Some((ext.critical, usages.0));
            }
            extensions.push(ExtensionEntry {
                oid: ext.extn_id,
                critical: ext.critical,
                value: range_in(&der, value).map_err(Error::MalformedCertificate)?,
                tlv: range_in(&der, ext.tlv).map_err(Error::MalformedCertificate)?,
            });
        }
        let Layout {
            tbs,
            issuer,
            subject,
            signature_algorithm,
            extensions_field,
            ..
        } = layout;
        let inner = Inner {
            der,
            tbs,
            serial,
            issuer,
            subject,
            signature_algorithm,
            signature,
            extensions,
            extensions_field,
            key,
            not_before,
            not_after,
            basic_constraints,
            key_usage,
            eku,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Parses the first `CERTIFICATE` block of a PEM document, read leniently
    /// ([`sigstore_crypto::pem::decode`]: base64 lines of any length, CRLF, text around it).
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        let (label, der) =
            sigstore_crypto::pem::decode(pem).map_err(|e| Error::MalformedPem(e.as_str()))?;
        if label != "CERTIFICATE" {
            return Err(Error::MalformedPem("PEM label is not CERTIFICATE"));
        }
        Self::from_der(&der)
    }

    /// The certificate's DER encoding, as given.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The exact bytes of the encoded TBSCertificate (what the issuer signed).
    pub fn tbs_der(&self) -> &[u8] {
        self.slice(&self.inner.tbs)
    }

    /// The exact bytes of the encoded issuer `Name`.
    pub fn issuer_der(&self) -> &[u8] {
        self.slice(&self.inner.issuer)
    }

    /// The exact bytes of the encoded subject `Name`.
    pub fn subject_der(&self) -> &[u8] {
        self.slice(&self.inner.subject)
    }

    /// The serial number's big-endian content bytes, as encoded.
    pub fn serial_number(&self) -> &[u8] {
        self.slice(&self.inner.serial)
    }

    /// The certificate decoded in full by `x509_cert` (done on each call: the verifier itself
    /// never needs it).
    pub fn x509(&self) -> Result<x509_cert::Certificate, Error> {
        x509_cert::Certificate::from_der(self.der()).map_err(Error::MalformedCertificate)
    }

    /// Whether the subject is the empty name (a SEQUENCE with no RDN).
    pub fn subject_is_empty(&self) -> bool {
        self.subject_der() == [0x30, 0x00]
    }

    /// The subject public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.inner.key
    }

    /// The DER `SubjectPublicKeyInfo`.
    pub fn spki_der(&self) -> &[u8] {
        self.inner.key.spki_der()
    }

    /// The start of the validity period (inclusive).
    pub fn not_before(&self) -> Timestamp {
        self.inner.not_before
    }

    /// The end of the validity period (inclusive).
    pub fn not_after(&self) -> Timestamp {
        self.inner.not_after
    }

    /// Whether `time` lies within `[notBefore, notAfter]`.
    pub fn is_valid_at(&self, time: Timestamp) -> bool {
        self.inner.not_before <= time && time <= self.inner.not_after
    }

    /// Whether basicConstraints is present with cA set.
    pub fn is_ca(&self) -> bool {
        self.inner
            .basic_constraints
            .as_ref()
            .is_some_and(|bc| bc.ca)
    }

    /// The basicConstraints pathLenConstraint, if any.
    pub fn path_len_constraint(&self) -> Option<u8> {
        self.inner
            .basic_constraints
            .as_ref()
            .and_then(|bc| bc.path_len_constraint)
    }

    /// The key usage extension, if present.
    pub fn key_usage(&self) -> Option<&KeyUsage> {
        self.inner.key_usage.as_ref()
    }

    /// The extended key usages, or `None` when the extension is absent.
    pub fn extended_key_usages(&self) -> Option<&[ObjectIdentifier]> {
        self.inner.eku.as_ref().map(|(_, usages)| usages.as_slice())
    }

    /// Whether the extended key usage extension is present and critical.
    pub fn extended_key_usage_critical(&self) -> bool {
        self.inner
            .eku
            .as_ref()
            .is_some_and(|(critical, _)| *critical)
    }

    /// Whether the extended key usage extension lists `oid`.
    pub fn has_eku(&self, oid: &ObjectIdentifier) -> bool {
        self.extended_key_usages()
            .is_some_and(|usages| usages.contains(oid))
    }

    /// The extension `oid`: whether it is critical and the content of its `extnValue`
    /// OCTET STRING.
    pub fn extension(&self, oid: &ObjectIdentifier) -> Option<(bool, &[u8])> {
        self.extensions()
            .find(|ext| ext.oid == *oid)
            .map(|ext| (ext.critical, ext.value))
    }

    /// All extensions, in certificate order.
    pub fn extensions(&self) -> impl ExactSizeIterator<Item = Extension<'_>> + '_ {
        self.inner.extensions.iter().map(|ext| Extension {
            oid: ext.oid,
            critical: ext.critical,
            value: self.slice(&ext.value),
        })
    }

    /// The TBSCertificate as encoded, less the extension `oid`: every other byte as it was
    /// signed, with the lengths around the extensions re-encoded, and the `[3]` field left
    /// out when no extension remains (what a CT log signed for a precertificate, RFC 6962
    /// 3.2). `None` when the certificate has no such extension.
    pub fn tbs_without_extension(&self, oid: &ObjectIdentifier) -> Option<Vec<u8>> {
        let removed = self.inner.extensions.iter().find(|ext| ext.oid == *oid)?;
        let field = self.inner.extensions_field.as_ref()?;
        let tbs = self.tbs_der();
        let content_start = SliceReader::new(tbs)
            .and_then(|mut reader| Header::decode(&mut reader))
            .ok()
            .and_then(|header| header.encoded_len().ok())
            .and_then(|len| usize::try_from(len).ok())?;
        let before = self
            .inner
            .der
            .get(self.inner.tbs.start.checked_add(content_start)?..field.start)?;
        let kept: Vec<&[u8]> = self
            .inner
            .extensions
            .iter()
            .filter(|ext| ext.tlv != removed.tlv)
            .map(|ext| self.slice(&ext.tlv))
            .collect();
        let list_len = kept.iter().map(|tlv| tlv.len()).sum::<usize>();
        let mut content = Vec::with_capacity(tbs.len());
        content.extend_from_slice(before);
        if !kept.is_empty() {
            let list = Header::new(Tag::Sequence, Length::try_from(list_len).ok()?).ok()?;
            let explicit_len =
                (list.encoded_len().ok()? + Length::try_from(list_len).ok()?).ok()?;
            Header::new(EXTENSIONS_TAG, explicit_len)
                .ok()?
                .encode_to_vec(&mut content)
                .ok()?;
            list.encode_to_vec(&mut content).ok()?;
            for tlv in kept {
                content.extend_from_slice(tlv);
            }
        }
        let mut out = Vec::with_capacity(content.len().saturating_add(6));
        Header::new(Tag::Sequence, Length::try_from(content.len()).ok()?)
            .ok()?
            .encode_to_vec(&mut out)
            .ok()?;
        out.extend_from_slice(&content);
        Some(out)
    }

    /// The algorithm the issuer signed this certificate with.
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, Error> {
        // The TBSCertificate's `signature` equals it (checked when parsed).
        let der = self.slice(&self.inner.signature_algorithm);
        let alg = AlgorithmIdentifierRef::from_der(der).map_err(Error::MalformedCertificate)?;
        signature_algorithm(&alg)
    }

    /// Checks that `issuer` issued this certificate: this certificate's issuer name equals the
    /// issuer's subject name (byte for byte) and the signature verifies with the issuer's key.
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), Error> {
        if self.issuer_der() != issuer.subject_der() {
            return Err(Error::IssuerNameMismatch);
        }
        let algorithm = self.signature_algorithm()?;
        let signature = self
            .inner
            .signature
            .as_ref()
            .map(|range| self.slice(range))
            .ok_or(Error::BadSignature(
                sigstore_crypto::Error::MalformedSignature,
            ))?;
        issuer
            .public_key()
            .verify(algorithm, self.tbs_der(), signature)
            .map_err(Error::BadSignature)
    }

    /// Whether the certificate's issuer is its own subject and it verifies with its own key.
    pub fn is_self_signed(&self) -> bool {
        self.verify_signed_by(self).is_ok()
    }

    fn slice(&self, range: &Range<usize>) -> &[u8] {
        // The ranges come from walking this very DER at parse time.
        self.inner.der.get(range.clone()).unwrap_or_default()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.inner.der == other.inner.der
    }
}

impl Eq for Certificate {}

impl core::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names = self.x509().ok().map(|x509| {
            (
                x509.tbs_certificate.subject.to_string(),
                x509.tbs_certificate.issuer.to_string(),
            )
        });
        let (subject, issuer) = names.unwrap_or_default();
        f.debug_struct("Certificate")
            .field("subject", &subject)
            .field("issuer", &issuer)
            .field("not_before", &self.inner.not_before)
            .field("not_after", &self.inner.not_after)
            .finish_non_exhaustive()
    }
}

fn to_timestamp(time: x509_cert::time::Time) -> Result<Timestamp, Error> {
    let secs = i64::try_from(time.to_unix_duration().as_secs())
        .map_err(|_| Error::MalformedCertificate(der::ErrorKind::DateTime.into()))?;
    Ok(Timestamp::from_unix(secs))
}

/// The TBSCertificate's `extensions` tag: `[3]`, constructed (EXPLICIT).
const EXTENSIONS_TAG: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber::N3,
};

/// Byte ranges of the parts of a certificate that are used exactly as encoded (whole TLVs).
/// Read after the structure was checked, so only the field order matters here.
struct Layout {
    tbs: Range<usize>,
    issuer: Range<usize>,
    subject: Range<usize>,
    spki: Range<usize>,
    signature_algorithm: Range<usize>,
    /// The `[3]` field.
    extensions_field: Option<Range<usize>>,
}

impl Layout {
    fn read(der: &[u8]) -> der::Result<Self> {
        let mut outer = SliceReader::new(der)?;
        Header::decode(&mut outer)?.tag.assert_eq(Tag::Sequence)?;
        let tbs = outer.tlv_bytes()?;
        let signature_algorithm = outer.tlv_bytes()?;
        let mut reader = SliceReader::new(tbs)?;
        Header::decode(&mut reader)?.tag.assert_eq(Tag::Sequence)?;
        let version_tag = Tag::ContextSpecific {
            constructed: true,
            number: TagNumber::N0,
        };
        if reader.peek_tag()? == version_tag {
            reader.tlv_bytes()?;
        }
        reader.tlv_bytes()?; // serialNumber
        reader.tlv_bytes()?; // signature
        let issuer = reader.tlv_bytes()?;
        reader.tlv_bytes()?; // validity
        let subject = reader.tlv_bytes()?;
        let spki = reader.tlv_bytes()?;
        let mut extensions_field = None;
        while !reader.is_finished() {
            // issuerUniqueID [1], subjectUniqueID [2], extensions [3] (whose Extensions
            // `extension_list` reads).
            let tag = reader.peek_tag()?;
            let field = reader.tlv_bytes()?;
            if tag == EXTENSIONS_TAG {
                extensions_field = Some(range_in(der, field)?);
            }
        }
        Ok(Self {
            tbs: range_in(der, tbs)?,
            issuer: range_in(der, issuer)?,
            subject: range_in(der, subject)?,
            spki: range_in(der, spki)?,
            signature_algorithm: range_in(der, signature_algorithm)?,
            extensions_field,
        })
    }

    fn spki<'a>(&self, der: &'a [u8]) -> &'a [u8] {
        der.get(self.spki.clone()).unwrap_or_default()
    }
}

/// Maps a certificate signature `AlgorithmIdentifier` to the scheme that checks it.
fn signature_algorithm(alg: &AlgorithmIdentifierRef<'_>) -> Result<SignatureAlgorithm, Error> {
    let oid = alg.oid;
    let params_absent = alg.parameters.is_none();
    let params_null_or_absent = alg.parameters.as_ref().is_none_or(|p| p.is_null());
    let bad_params = || Error::SignatureAlgorithmParameters(oid);
    let (algorithm, params_ok) = match oid {
        o if o == oids::ECDSA_WITH_SHA256 => (SignatureAlgorithm::EcdsaSha256, params_absent),
        o if o == oids::ECDSA_WITH_SHA384 => (SignatureAlgorithm::EcdsaSha384, params_absent),
        o if o == oids::ECDSA_WITH_SHA512 => (SignatureAlgorithm::EcdsaSha512, params_absent),
        o if o == oids::ED25519 => (SignatureAlgorithm::Ed25519, params_absent),
        o if o == oids::SHA256_WITH_RSA => {
            (SignatureAlgorithm::RsaPkcs1Sha256, params_null_or_absent)
        }
        o if o == oids::SHA384_WITH_RSA => {
            (SignatureAlgorithm::RsaPkcs1Sha384, params_null_or_absent)
        }
        o if o == oids::SHA512_WITH_RSA => {
            (SignatureAlgorithm::RsaPkcs1Sha512, params_null_or_absent)
        }
        o if o == oids::RSASSA_PSS => {
            let params = alg.parameters.as_ref().ok_or_else(bad_params)?;
            let der = params.to_der().map_err(|_| bad_params())?;
            (pss_algorithm(&der).ok_or_else(bad_params)?, true)
        }
        other => return Err(Error::UnsupportedSignatureAlgorithm(other)),
    };
    if params_ok {
        Ok(algorithm)
    } else {
        Err(bad_params())
    }
}

/// `RSASSA-PSS-params` (RFC 4055); every field has a DEFAULT, all of which (SHA-1) we reject.
#[derive(der::Sequence)]
struct PssParams<'a> {
    #[asn1(context_specific = "0", optional = "true")]
    hash: Option<AlgorithmIdentifierRef<'a>>,
    #[asn1(context_specific = "1", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierRef<'a>>,
    #[asn1(context_specific = "2", optional = "true")]
    salt_len: Option<u32>,
    #[asn1(context_specific = "3", optional = "true")]
    trailer: Option<u32>,
}

/// Accepts PSS with SHA-256/384/512, MGF1 with the same hash, salt length = hash length and
/// trailer field 1.
fn pss_algorithm(der: &[u8]) -> Option<SignatureAlgorithm> {
    let params = PssParams::from_der(der).ok()?;
    let hash = params.hash?;
    if !hash.parameters.as_ref().is_none_or(|p| p.is_null()) {
        return None;
    }
    let (algorithm, salt) = match hash.oid {
        o if o == oids::SHA256 => (SignatureAlgorithm::RsaPssSha256, 32),
        o if o == oids::SHA384 => (SignatureAlgorithm::RsaPssSha384, 48),
        o if o == oids::SHA512 => (SignatureAlgorithm::RsaPssSha512, 64),
        _ => return None,
    };
    let mgf = params.mask_gen?;
    if mgf.oid != oids::MGF1 {
        return None;
    }
    let mgf_hash: AlgorithmIdentifierRef<'_> = mgf.parameters?.decode_as().ok()?;
    if mgf_hash.oid != hash.oid || !mgf_hash.parameters.as_ref().is_none_or(|p| p.is_null()) {
        return None;
    }
    if params.salt_len != Some(salt) || params.trailer.is_some_and(|t| t != 1) {
        return None;
    }
    Some(algorithm)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `split_tlv` against `der`'s own header decoding, on every first length octet and the
    /// length octets around each boundary of the shortest-form rule.
    #[test]
    fn split_tlv_reads_headers_as_der_does() {
        let body = vec![0xab; 70_000];
        let extras: [&[u8]; 16] = [
            &[],
            &[0x00],
            &[0x05],
            &[0x7f],
            &[0x80],
            &[0xff],
            &[0x00, 0x80],
            &[0x00, 0xff],
            &[0x01, 0x00],
            &[0x01, 0x05],
            &[0xff, 0xff],
            &[0x00, 0x01, 0x00],
            &[0x01, 0x00, 0x00],
            &[0x01, 0x00, 0x01],
            &[0x00, 0x01, 0x00, 0x00],
            &[0x01, 0x00, 0x00, 0x00],
        ];
        let mut agreed = 0;
        for first in 0u8..=0xff {
            for extra in extras {
                for body_len in [0usize, 1, 0x7f, 0x80, 0x100, 70_000] {
                    let mut input = vec![0x04, first];
                    input.extend_from_slice(extra);
                    input.extend_from_slice(&body[..body_len]);
                    let mut reader = SliceReader::new(&input).expect("reader");
                    let reference = AnyRef::decode(&mut reader).map(|any| {
                        let rest = input.len() - usize::try_from(reader.position()).unwrap();
                        (any.value().len(), rest)
                    });
                    let ours = split_tlv(&input).map(|(tag, value, rest)| {
                        assert_eq!(tag, 0x04);
                        (value.len(), rest.len())
                    });
                    assert_eq!(
                        reference.ok(),
                        ours.ok(),
                        "{:02x?}",
                        &input[..input.len().min(8)]
                    );
                    agreed += 1;
                }
            }
        }
        assert_eq!(agreed, 256 * 16 * 6);
    }

    fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match value.len() {
            n @ 0..=0x7f => out.push(n as u8),
            n @ 0x80..=0xff => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(value);
        out
    }

    /// `extension_list` against `der`'s `Vec<x509_cert::ext::Extension>` on lists that take
    /// each branch: default and explicit criticality, bad booleans, missing and extra fields,
    /// elements that are not SEQUENCEs, bad OIDs and the empty list.
    #[test]
    fn extension_list_reads_as_x509_cert_does() {
        let oid = tlv(
            0x06,
            &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x01],
        );
        let value = tlv(0x04, b"https://token.actions.githubusercontent.com");
        let seq = |parts: &[&[u8]]| tlv(0x30, &parts.concat());
        let elements: Vec<Vec<u8>> = vec![
            seq(&[&oid, &value]),
            seq(&[&oid, &tlv(0x01, &[0xff]), &value]),
            seq(&[&oid, &tlv(0x01, &[0x00]), &value]),
            seq(&[&oid, &tlv(0x01, &[0x01]), &value]),
            seq(&[&oid, &tlv(0x01, &[]), &value]),
            seq(&[&oid, &tlv(0x01, &[0xff, 0xff]), &value]),
            seq(&[&oid, &value, &value]),
            seq(&[&oid, &value, &[0x00]]),
            seq(&[&oid]),
            seq(&[&oid, &tlv(0x01, &[0xff])]),
            seq(&[&value]),
            seq(&[]),
            seq(&[&tlv(0x06, &[0x2b]), &value]),
            seq(&[&tlv(0x06, &[0x2b, 0x80, 0x01]), &value]),
            seq(&[&oid, &tlv(0x03, &[0x00]), &value]),
            seq(&[&oid, &tlv(0x24, &value), &value]),
            tlv(0x31, &[oid.clone(), value.clone()].concat()),
            tlv(0x04, &[oid.clone(), value.clone()].concat()),
            vec![0x30, 0x81, 0x05, 0x06, 0x01, 0x2b, 0x04, 0x00],
        ];
        let mut lists: Vec<Vec<u8>> = vec![tlv(0x30, &[]), tlv(0x31, &elements[0])];
        for a in &elements {
            lists.push(tlv(0x30, a));
            for b in &elements {
                lists.push(tlv(0x30, &[a.clone(), b.clone()].concat()));
            }
        }
        let (mut accepted, mut rejected) = (0, 0);
        for list in &lists {
            let reference = Vec::<x509_cert::ext::Extension>::from_der(list);
            let ours = AnyRef::from_der(list).and_then(|any| extension_list(&any));
            match (reference, ours) {
                (Ok(reference), Ok(ours)) => {
                    // The kept encodings are the Extensions, in order, making up the list.
                    let content = AnyRef::from_der(list).expect("parsed above").value();
                    assert_eq!(
                        ours.iter().map(|e| e.tlv).collect::<Vec<_>>().concat(),
                        content
                    );
                    assert!(
                        ours.iter()
                            .all(|e| e.tlv.first() == Some(&SEQUENCE)
                                && e.tlv.ends_with(e.extn_value))
                    );
                    let reference: Vec<_> = reference
                        .iter()
                        .map(|e| (e.extn_id, e.critical, e.extn_value.as_bytes().to_vec()))
                        .collect();
                    let ours: Vec<_> = ours
                        .iter()
                        .map(|e| (e.extn_id, e.critical, e.extn_value.to_vec()))
                        .collect();
                    assert_eq!(reference, ours, "{list:02x?}");
                    accepted += 1;
                }
                (Err(_), Err(_)) => rejected += 1,
                (reference, ours) => panic!(
                    "x509_cert: {:?}, ours: {:?}, on {list:02x?}",
                    reference.map(|v| v.len()),
                    ours.map(|v| v.len())
                ),
            }
        }
        assert!(accepted > 10 && rejected > 100, "{accepted} / {rejected}");
    }
}
