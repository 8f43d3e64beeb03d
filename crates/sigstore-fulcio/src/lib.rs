//! Fulcio: embedded SCT verification (client to follow).
//!
//! Fulcio leaves carry the signed certificate timestamps (SCTs) that Certificate Transparency
//! logs returned for their precertificate, in the extension `1.3.6.1.4.1.11129.2.4.2`. This
//! crate parses that list ([`embedded_scts`]) and checks the SCTs against the CT log keys of a
//! trusted root ([`verify_embedded_scts`]), following RFC 6962 §3.2:
//!
//! 1. rebuild the precertificate's TBSCertificate by removing the SCT-list extension from the
//!    leaf's TBSCertificate ([`precert_tbs`]);
//! 2. hash the SPKI of the certificate that issued the leaf (skipping a CT precertificate
//!    signing certificate);
//! 3. check each SCT signature over the `digitally-signed` struct built from those values.
//!
//! Time never comes from the clock: an SCT is only accepted when its own timestamp lies within
//! the CT log key's validity period from the trusted root.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "client")]
pub mod client;
mod error;
mod sct;

use der::asn1::ObjectIdentifier;
use sigstore_crypto::{HashAlgorithm, KeyType, PublicKey, SignatureAlgorithm};
use sigstore_types::{Timestamp, ValidityPeriod};
use sigstore_x509_policy::{Certificate, VerifiedChain};

pub use error::Error;
pub use sct::{
    parse_sct_extension, parse_sct_list, Sct, HASH_SHA256, MAX_SCTS, SCT_VERSION_V1, SIG_ECDSA,
    SIG_RSA,
};

/// OID of the embedded SCT list extension (RFC 6962 §3.3).
pub const OID_SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
/// OID of the CT precertificate poison extension (RFC 6962 §3.1).
pub const OID_CT_POISON: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.3");
/// OID of the CT precertificate signing extended key usage (RFC 6962 §3.1).
pub const OID_EKU_PRECERT_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.4");

/// Largest TBSCertificate the `opaque TBSCertificate<1..2^24-1>` field can carry.
const MAX_TBS_LEN: usize = (1 << 24) - 1;

/// A trusted Certificate Transparency log key (`ctlogs[]` of a trusted root).
#[derive(Clone)]
pub struct CtLog {
    key: PublicKey,
    log_id: [u8; 32],
    valid_for: Option<ValidityPeriod>,
}

impl CtLog {
    /// A CT log from its DER `SubjectPublicKeyInfo`, its log ID (the trusted root's
    /// `logId.keyId`, 32 bytes) and the key's validity period.
    pub fn new(
        spki_der: &[u8],
        log_id: &[u8],
        valid_for: Option<ValidityPeriod>,
    ) -> Result<Self, Error> {
        let key = PublicKey::from_spki_der(spki_der).map_err(Error::InvalidLogKey)?;
        Self::with_key(key, log_id, valid_for)
    }

    /// A CT log from its already parsed key, its log ID (32 bytes) and the key's validity
    /// period.
    pub fn with_key(
        key: PublicKey,
        log_id: &[u8],
        valid_for: Option<ValidityPeriod>,
    ) -> Result<Self, Error> {
        let log_id: [u8; 32] = log_id
            .try_into()
            .map_err(|_| Error::InvalidLogId { len: log_id.len() })?;
        Ok(Self {
            key,
            log_id,
            valid_for,
        })
    }

    /// A CT log whose log ID is computed as SHA-256 of `spki_der` (RFC 6962 §3.2).
    pub fn from_spki_der(
        spki_der: &[u8],
        valid_for: Option<ValidityPeriod>,
    ) -> Result<Self, Error> {
        let id = HashAlgorithm::Sha256.digest(spki_der);
        Self::new(spki_der, id.as_bytes(), valid_for)
    }

    /// The log's public key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The log's 32-byte ID.
    pub fn log_id(&self) -> &[u8; 32] {
        &self.log_id
    }

    /// The period in which the key may have signed SCTs, if the trusted root limits it.
    pub fn valid_for(&self) -> Option<&ValidityPeriod> {
        self.valid_for.as_ref()
    }
}

impl core::fmt::Debug for CtLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CtLog")
            .field("log_id", &self.log_id)
            .field("key_type", &self.key.key_type())
            .field("valid_for", &self.valid_for)
            .finish()
    }
}

/// An SCT whose signature verified with a trusted CT log key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedSct {
    /// The SCT.
    pub sct: Sct,
    /// The index into the `ct_logs` slice of the log whose key verified it.
    pub log_index: usize,
    /// The SCT timestamp.
    pub time: Timestamp,
}

/// The SCTs embedded in `leaf` (extension `1.3.6.1.4.1.11129.2.4.2`), unverified.
pub fn embedded_scts(leaf: &Certificate) -> Result<Vec<Sct>, Error> {
    let (_critical, value) = leaf.extension(&OID_SCT_LIST).ok_or(Error::MissingSctList)?;
    parse_sct_extension(value)
}

/// Rebuilds the precertificate TBSCertificate from the final certificate's: the same
/// TBSCertificate without the SCT-list extension, all other extensions kept in order, DER
/// re-encoded.
///
/// Every byte other than the SCT list's is taken from `leaf`'s TBSCertificate as it was
/// signed.
pub fn precert_tbs(leaf: &Certificate) -> Result<Vec<u8>, Error> {
    // Checks on the parsed structure: exactly one SCT list, no poison.
    match leaf
        .extensions()
        .filter(|ext| ext.oid == OID_SCT_LIST)
        .count()
    {
        0 => return Err(Error::MissingSctList),
        1 => {}
        _ => return Err(Error::DuplicateSctList),
    }
    if leaf.extensions().any(|ext| ext.oid == OID_CT_POISON) {
        return Err(Error::PoisonedCertificate);
    }
    // The bytes: the encoded TBS read with `der`, that one extension left out and the
    // enclosing SEQUENCE, [3] and SEQUENCE OF re-encoded around the other fields and
    // extensions as they were encoded, so every other byte is exactly what the CA signed.
    let der = leaf
        .tbs_without_extension(&OID_SCT_LIST)
        .ok_or(Error::NonCanonicalTbs)?;
    if der.len() > MAX_TBS_LEN {
        return Err(Error::TbsTooLarge);
    }
    Ok(der)
}

#[cfg(test)]
mod splice_tests {
    use super::*;
    use der::asn1::{AnyRef, ContextSpecificRef, OctetStringRef};
    use der::{
        Decode, Encode, EncodeValue, FixedTag, Length, Reader, Sequence, SliceReader, Tag, TagMode,
        TagNumber, Tagged, Writer,
    };
    /// `Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET
    /// STRING }`, borrowed, to check each extension's shape and read its OID.
    #[derive(Sequence)]
    struct ExtensionRef<'a> {
        extn_id: ObjectIdentifier,
        #[asn1(default = "Default::default")]
        _critical: bool,
        _extn_value: OctetStringRef<'a>,
    }

    /// A TBSCertificate rebuilt from its encoded fields: every field before `extensions` as it
    /// was encoded, then `[3] EXPLICIT SEQUENCE OF Extension` with the kept extensions, each as it
    /// was encoded (omitted when none is left). The reference the certificate's own splice is
    /// tested against.
    struct SplicedTbs<'a> {
        fields: Vec<AnyRef<'a>>,
        extensions: Vec<AnyRef<'a>>,
    }

    impl SplicedTbs<'_> {
        fn extensions_field(&self) -> Option<ContextSpecificRef<'_, Vec<AnyRef<'_>>>> {
            (!self.extensions.is_empty()).then_some(ContextSpecificRef {
                tag_number: TagNumber::N3,
                tag_mode: TagMode::Explicit,
                value: &self.extensions,
            })
        }
    }

    impl EncodeValue for SplicedTbs<'_> {
        fn value_len(&self) -> der::Result<Length> {
            self.fields
                .iter()
                .try_fold(self.extensions_field().encoded_len()?, |len, field| {
                    len + field.encoded_len()?
                })
        }

        fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
            for field in &self.fields {
                field.encode(writer)?;
            }
            self.extensions_field().encode(writer)
        }
    }

    impl FixedTag for SplicedTbs<'_> {
        const TAG: Tag = Tag::Sequence;
    }

    /// The TBSCertificate `tbs` without its SCT-list extension; `None` if it is not a DER
    /// `SEQUENCE { ..., [3] EXPLICIT SEQUENCE OF Extension }` holding exactly one SCT list.
    fn splice_out_sct_list(tbs: &[u8]) -> Option<Vec<u8>> {
        let outer = AnyRef::from_der(tbs).ok()?;
        if outer.tag() != Tag::Sequence {
            return None;
        }
        let mut reader = SliceReader::new(outer.value()).ok()?;
        let mut fields = Vec::new();
        while !reader.is_finished() {
            fields.push(reader.decode::<AnyRef<'_>>().ok()?);
        }
        // The extensions are the TBS's last field.
        let extensions_field = fields.pop().filter(|f| {
            f.tag()
                == Tag::ContextSpecific {
                    constructed: true,
                    number: TagNumber::N3,
                }
        })?;
        let list = AnyRef::from_der(extensions_field.value()).ok()?;
        if list.tag() != Tag::Sequence {
            return None;
        }
        let mut items = SliceReader::new(list.value()).ok()?;
        let mut extensions = Vec::new();
        let mut removed = 0;
        while !items.is_finished() {
            let item = items.decode::<AnyRef<'_>>().ok()?;
            let extension: ExtensionRef<'_> = item.decode_as().ok()?;
            if extension.extn_id == OID_SCT_LIST {
                removed += 1;
            } else {
                extensions.push(item);
            }
        }
        if removed != 1 {
            return None;
        }
        SplicedTbs { fields, extensions }.to_der().ok()
    }

    /// The leaf certificate of the happy-path-v0.3 conformance case.
    fn happy_leaf_der() -> Vec<u8> {
        let bundle = std::fs::read_to_string(
            sigstore_test_support::conformance_cases().join("happy-path-v0.3/bundle.sigstore.json"),
        )
        .expect("conformance case happy-path-v0.3");
        let value: serde_json::Value = serde_json::from_str(&bundle).unwrap();
        let raw = value["verificationMaterial"]["certificate"]["rawBytes"]
            .as_str()
            .unwrap();
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(raw)
            .unwrap()
    }

    #[test]
    fn splicing_equals_structured_reencoding() {
        let der = happy_leaf_der();
        let leaf = Certificate::from_der(&der).unwrap();
        let mut structured = leaf.x509().unwrap().tbs_certificate;
        let kept: Vec<_> = structured
            .extensions
            .take()
            .unwrap()
            .into_iter()
            .filter(|ext| ext.extn_id != OID_SCT_LIST)
            .collect();
        structured.extensions = Some(kept);
        let expected = structured.to_der().unwrap();
        let spliced = precert_tbs(&leaf).unwrap();
        assert_eq!(spliced, expected);
    }

    /// The certificate's splice and the reference splice agree on the happy-path leaf and
    /// on every single-byte change of it that still parses.
    #[test]
    fn certificate_splice_equals_reference_on_mutations() {
        let der = happy_leaf_der();
        let mut compared = 0;
        for i in 0..=der.len() {
            for mask in [0u8, 0x01, 0x80, 0xff] {
                let mut m = der.clone();
                if let Some(byte) = m.get_mut(i) {
                    *byte ^= mask;
                } else if mask != 0 {
                    continue;
                }
                let Ok(leaf) = Certificate::from_der(&m) else {
                    continue;
                };
                let ours = leaf.tbs_without_extension(&OID_SCT_LIST);
                let reference = splice_out_sct_list(leaf.tbs_der());
                assert_eq!(ours, reference, "byte {i} ^ {mask:#x}");
                compared += 1;
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    #[test]
    fn splicing_rejects_malformed_input_without_panicking() {
        assert!(splice_out_sct_list(&[]).is_none());
        assert!(splice_out_sct_list(&[0x30, 0x81, 0x05]).is_none());
        assert!(splice_out_sct_list(&[0x30, 0x00]).is_none());
        assert!(splice_out_sct_list(&[0x30, 0x02, 0xa3, 0x00]).is_none());
        assert!(splice_out_sct_list(&[0x30, 0x84, 0, 0, 0, 1, 0]).is_none());
        // Indefinite length, trailing data, a non-minimal length.
        assert!(splice_out_sct_list(&[0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]).is_none());
        assert!(splice_out_sct_list(&[0x30, 0x00, 0x00]).is_none());
        assert!(splice_out_sct_list(&[0x30, 0x81, 0x00]).is_none());
    }

    /// A TBS-shaped SEQUENCE: `INTEGER 1`, then `[3] { SEQUENCE OF extensions }`.
    fn tbs_with(extensions: &[Vec<u8>]) -> Vec<u8> {
        let fields = SplicedTbs {
            fields: vec![AnyRef::new(Tag::Integer, &[1]).unwrap()],
            extensions: extensions
                .iter()
                .map(|ext| AnyRef::from_der(ext).unwrap())
                .collect(),
        };
        fields.to_der().unwrap()
    }

    fn extension(oid: ObjectIdentifier, critical: bool, value: &[u8]) -> Vec<u8> {
        x509_cert::ext::Extension {
            extn_id: oid,
            critical,
            extn_value: der::asn1::OctetString::new(value).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn splicing_keeps_other_extensions_byte_exact() {
        let other = extension(
            ObjectIdentifier::new_unwrap("2.5.29.19"),
            true,
            &[0x30, 0x00],
        );
        let sct = extension(OID_SCT_LIST, false, &[0x04, 0x00]);
        let spliced = splice_out_sct_list(&tbs_with(&[other.clone(), sct.clone()])).unwrap();
        assert_eq!(spliced, tbs_with(std::slice::from_ref(&other)));
        // Only the SCT list: the extensions field goes away.
        let spliced = splice_out_sct_list(&tbs_with(std::slice::from_ref(&sct))).unwrap();
        assert_eq!(spliced, [0x30, 0x03, 0x02, 0x01, 0x01]);
        // Two SCT lists, none, or a malformed extension are refused.
        assert!(splice_out_sct_list(&tbs_with(&[sct.clone(), sct.clone()])).is_none());
        assert!(splice_out_sct_list(&tbs_with(std::slice::from_ref(&other))).is_none());
        let not_an_extension = vec![0x30, 0x03, 0x02, 0x01, 0x01];
        assert!(splice_out_sct_list(&tbs_with(&[sct, not_an_extension])).is_none());
    }
}

/// The `digitally-signed` input of a precertificate SCT (RFC 6962 §3.2):
///
/// ```text
/// u8 sct_version (0) || u8 signature_type (0 = certificate_timestamp) || u64 timestamp ||
/// u16 entry_type (1 = precert_entry) || [32] issuer_key_hash || u24 len || tbs ||
/// u16 len || extensions
/// ```
pub fn sct_signed_data(
    sct: &Sct,
    issuer_key_hash: &[u8; 32],
    precert_tbs: &[u8],
) -> Result<Vec<u8>, Error> {
    let tbs_len = u32::try_from(precert_tbs.len())
        .ok()
        .filter(|len| *len <= MAX_TBS_LEN as u32)
        .ok_or(Error::TbsTooLarge)?;
    let ext_len =
        u16::try_from(sct.extensions.len()).map_err(|_| Error::MalformedSctList("extensions"))?;
    let mut out = Vec::with_capacity(precert_tbs.len() + sct.extensions.len() + 56);
    out.push(sct.version);
    out.push(0); // signature_type = certificate_timestamp
    out.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // entry_type = precert_entry
    out.extend_from_slice(issuer_key_hash);
    out.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
    out.extend_from_slice(precert_tbs);
    out.extend_from_slice(&ext_len.to_be_bytes());
    out.extend_from_slice(&sct.extensions);
    Ok(out)
}

/// The certificate that issued the precertificate: the leaf's issuer in `chain`, or the one
/// above it when the issuer is a CT precertificate signing certificate.
fn precert_issuer(chain: &VerifiedChain) -> Result<&Certificate, Error> {
    let certs = chain.certificates();
    let issuer = certs.get(1).ok_or(Error::MissingIssuer)?;
    let issuer = if issuer.has_eku(&OID_EKU_PRECERT_SIGNING) {
        certs.get(2).ok_or(Error::MissingIssuer)?
    } else {
        issuer
    };
    if !issuer.is_ca() {
        return Err(Error::IssuerNotCa);
    }
    Ok(issuer)
}

/// Converts an SCT's millisecond timestamp.
fn sct_time(timestamp_ms: u64) -> Result<Timestamp, Error> {
    let secs = i64::try_from(timestamp_ms / 1000).map_err(|_| Error::SctTimeOutOfRange)?;
    let nanos = u32::try_from(timestamp_ms % 1000)
        .map_err(|_| Error::SctTimeOutOfRange)?
        .saturating_mul(1_000_000);
    Timestamp::new(secs, nanos).ok_or(Error::SctTimeOutOfRange)
}

/// The signature scheme an SCT declares, checked against the log key.
fn sct_algorithm(sct: &Sct, key: &PublicKey) -> Result<SignatureAlgorithm, Error> {
    if sct.hash_alg != HASH_SHA256 {
        return Err(Error::UnsupportedHashAlgorithm(sct.hash_alg));
    }
    let algorithm = match sct.sig_alg {
        SIG_ECDSA => SignatureAlgorithm::EcdsaSha256,
        SIG_RSA => SignatureAlgorithm::RsaPkcs1Sha256,
        other => return Err(Error::UnsupportedSignatureAlgorithm(other)),
    };
    let fits = matches!(
        (algorithm, key.key_type()),
        (SignatureAlgorithm::EcdsaSha256, KeyType::EcdsaP256)
            | (SignatureAlgorithm::RsaPkcs1Sha256, KeyType::Rsa { .. })
    );
    if fits {
        Ok(algorithm)
    } else {
        Err(Error::SignatureAlgorithmMismatch {
            sig_alg: sct.sig_alg,
            key: key.key_type(),
        })
    }
}

/// Checks one SCT against one CT log.
fn verify_with_log(
    sct: &Sct,
    log: &CtLog,
    issuer_key_hash: &[u8; 32],
    tbs: &[u8],
) -> Result<Timestamp, Error> {
    let time = sct_time(sct.timestamp_ms)?;
    if let Some(period) = &log.valid_for {
        if !period.contains(time) {
            return Err(Error::SctOutsideLogValidity { time });
        }
    }
    let algorithm = sct_algorithm(sct, &log.key)?;
    let message = sct_signed_data(sct, issuer_key_hash, tbs)?;
    log.key
        .verify(algorithm, &message, &sct.signature)
        .map_err(|source| Error::BadSctSignature {
            log_id: sct.log_id,
            source,
        })?;
    Ok(time)
}

/// Verifies the SCTs embedded in `leaf` against the trusted `ct_logs`.
///
/// `chain` is the leaf's verified chain (leaf first); the SCTs were issued over the
/// precertificate, so the issuer key hash comes from the certificate that signed the leaf.
/// SCTs from logs not in `ct_logs` are ignored; an SCT from a known log that does not verify
/// (bad signature, timestamp outside the key's validity, unsupported algorithm) is an error.
/// Returns the verified SCTs, at most one per log; fails with [`Error::NoVerifiedSct`] when
/// there are none. The caller applies a threshold to the number returned.
pub fn verify_embedded_scts(
    leaf: &Certificate,
    chain: &VerifiedChain,
    ct_logs: &[CtLog],
) -> Result<Vec<VerifiedSct>, Error> {
    let scts = embedded_scts(leaf)?;
    let chain_leaf = chain.certificates().first().ok_or(Error::MissingIssuer)?;
    if chain_leaf.der() != leaf.der() {
        return Err(Error::ChainMismatch);
    }
    let issuer = precert_issuer(chain)?;
    let issuer_key_hash = spki_hash(issuer.spki_der());
    let tbs = precert_tbs(leaf)?;
    verify_scts(&scts, &issuer_key_hash, &tbs, ct_logs)
}

/// SHA-256 of a DER `SubjectPublicKeyInfo`.
fn spki_hash(spki_der: &[u8]) -> [u8; 32] {
    let digest = HashAlgorithm::Sha256.digest(spki_der);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_bytes());
    out
}

/// Verifies parsed SCTs over a rebuilt precertificate TBS and issuer key hash (the core of
/// [`verify_embedded_scts`], for callers that already hold those values).
pub fn verify_scts(
    scts: &[Sct],
    issuer_key_hash: &[u8; 32],
    precert_tbs: &[u8],
    ct_logs: &[CtLog],
) -> Result<Vec<VerifiedSct>, Error> {
    let mut verified: Vec<VerifiedSct> = Vec::new();
    for sct in scts {
        let mut last_error = None;
        let mut matched = None;
        for (index, log) in ct_logs.iter().enumerate() {
            if log.log_id != sct.log_id {
                continue;
            }
            match verify_with_log(sct, log, issuer_key_hash, precert_tbs) {
                Ok(time) => {
                    matched = Some((index, time));
                    break;
                }
                Err(err) => last_error = Some(err),
            }
        }
        match (matched, last_error) {
            (Some((log_index, time)), _) => {
                if !verified.iter().any(|v| v.sct.log_id == sct.log_id) {
                    verified.push(VerifiedSct {
                        sct: sct.clone(),
                        log_index,
                        time,
                    });
                }
            }
            (None, Some(err)) => return Err(err),
            (None, None) => {}
        }
    }
    if verified.is_empty() {
        Err(Error::NoVerifiedSct)
    } else {
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_data_layout() {
        let sct = Sct {
            version: 0,
            log_id: [1; 32],
            timestamp_ms: 0x0102_0304_0506_0708,
            extensions: vec![0xaa, 0xbb],
            hash_alg: HASH_SHA256,
            sig_alg: SIG_ECDSA,
            signature: vec![],
        };
        let out = sct_signed_data(&sct, &[9; 32], &[0x30, 0x00]).unwrap();
        let mut want = vec![0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1];
        want.extend_from_slice(&[9; 32]);
        want.extend_from_slice(&[0, 0, 2, 0x30, 0x00, 0, 2, 0xaa, 0xbb]);
        assert_eq!(out, want);
    }

    #[test]
    fn sct_time_conversion() {
        let t = sct_time(1_700_000_000_123).unwrap();
        assert_eq!(t.unix_seconds(), 1_700_000_000);
        assert_eq!(t.subsec_nanos(), 123_000_000);
        assert!(sct_time(u64::MAX).is_ok());
    }
}

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
