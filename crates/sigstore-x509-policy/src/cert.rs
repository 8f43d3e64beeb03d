use std::ops::Range;
use std::sync::Arc;

use const_oid::ObjectIdentifier;
use der::{Decode, Encode, Header, Reader, SliceReader, Tag, TagNumber};
use sigstore_crypto::{PublicKey, SignatureAlgorithm};
use sigstore_types::Timestamp;
use spki::AlgorithmIdentifierRef;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

use crate::{oids, Error};

/// An X.509 certificate parsed once: the DER, the decoded structure, the public key and the
/// fields path validation needs.
///
/// Cloning is cheap (the parsed data is shared).
#[derive(Clone)]
pub struct Certificate {
    inner: Arc<Inner>,
}

struct Inner {
    der: Vec<u8>,
    tbs: Range<usize>,
    issuer: Range<usize>,
    subject: Range<usize>,
    x509: x509_cert::Certificate,
    key: PublicKey,
    not_before: Timestamp,
    not_after: Timestamp,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    eku: Option<(bool, Vec<ObjectIdentifier>)>,
}

impl Certificate {
    /// Parses a DER certificate. Rejects trailing bytes, a `signatureAlgorithm` that differs
    /// from the TBSCertificate's `signature` (RFC 5280 4.1.1.2), duplicate extensions,
    /// malformed basicConstraints / keyUsage / extKeyUsage values and unsupported public keys.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let x509 = x509_cert::Certificate::from_der(der).map_err(Error::MalformedCertificate)?;
        if x509.signature_algorithm != x509.tbs_certificate.signature {
            return Err(Error::SignatureAlgorithmMismatch);
        }
        let layout = Layout::read(der).map_err(Error::MalformedCertificate)?;
        let tbs = &x509.tbs_certificate;
        let spki = tbs
            .subject_public_key_info
            .to_der()
            .map_err(Error::MalformedCertificate)?;
        let key = PublicKey::from_spki_der(&spki).map_err(Error::PublicKey)?;
        let not_before = to_timestamp(tbs.validity.not_before)?;
        let not_after = to_timestamp(tbs.validity.not_after)?;

        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut eku = None;
        let extensions = tbs.extensions.as_deref().unwrap_or(&[]);
        for (i, ext) in extensions.iter().enumerate() {
            if extensions
                .iter()
                .skip(i.saturating_add(1))
                .any(|other| other.extn_id == ext.extn_id)
            {
                return Err(Error::DuplicateExtension(ext.extn_id));
            }
            let value = ext.extn_value.as_bytes();
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
        }

        Ok(Self {
            inner: Arc::new(Inner {
                der: der.to_vec(),
                tbs: layout.tbs,
                issuer: layout.issuer,
                subject: layout.subject,
                x509,
                key,
                not_before,
                not_after,
                basic_constraints,
                key_usage,
                eku,
            }),
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
        self.inner.x509.tbs_certificate.serial_number.as_bytes()
    }

    /// The decoded certificate.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.inner.x509
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
            .iter()
            .find(|ext| ext.extn_id == *oid)
            .map(|ext| (ext.critical, ext.extn_value.as_bytes()))
    }

    /// All extensions, in certificate order.
    pub fn extensions(&self) -> &[x509_cert::ext::Extension] {
        self.inner
            .x509
            .tbs_certificate
            .extensions
            .as_deref()
            .unwrap_or(&[])
    }

    /// The algorithm the issuer signed this certificate with.
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, Error> {
        let outer = &self.inner.x509.signature_algorithm;
        if *outer != self.inner.x509.tbs_certificate.signature {
            return Err(Error::SignatureAlgorithmMismatch);
        }
        let der = outer.to_der().map_err(Error::MalformedCertificate)?;
        let alg = AlgorithmIdentifierRef::from_der(&der).map_err(Error::MalformedCertificate)?;
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
            .x509
            .signature
            .as_bytes()
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
        f.debug_struct("Certificate")
            .field(
                "subject",
                &self.inner.x509.tbs_certificate.subject.to_string(),
            )
            .field(
                "issuer",
                &self.inner.x509.tbs_certificate.issuer.to_string(),
            )
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

/// Byte ranges of the parts of a certificate that must be used exactly as encoded.
struct Layout {
    tbs: Range<usize>,
    issuer: Range<usize>,
    subject: Range<usize>,
}

impl Layout {
    fn read(der: &[u8]) -> der::Result<Self> {
        let mut outer = SliceReader::new(der)?;
        Header::decode(&mut outer)?.tag.assert_eq(Tag::Sequence)?;
        let tbs_start = usize::try_from(outer.position())?;
        let tbs = outer.tlv_bytes()?;
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
        let issuer_start = usize::try_from(reader.position())?;
        let issuer_len = reader.tlv_bytes()?.len();
        reader.tlv_bytes()?; // validity
        let subject_start = usize::try_from(reader.position())?;
        let subject_len = reader.tlv_bytes()?.len();
        let range = |start: usize, len: usize| -> der::Result<Range<usize>> {
            let start = tbs_start
                .checked_add(start)
                .ok_or(der::ErrorKind::Overflow)?;
            let end = start.checked_add(len).ok_or(der::ErrorKind::Overflow)?;
            Ok(start..end)
        };
        Ok(Self {
            tbs: range(0, tbs.len())?,
            issuer: range(issuer_start, issuer_len)?,
            subject: range(subject_start, subject_len)?,
        })
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
