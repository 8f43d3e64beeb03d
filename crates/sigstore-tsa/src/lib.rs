//! RFC 3161 timestamp token verification for Sigstore bundles (client to follow).
//!
//! A Sigstore bundle may carry RFC 3161 timestamps over its signature bytes
//! (`verificationMaterial.timestampVerificationData.rfc3161Timestamps[].signedTimestamp`). Each
//! one is a DER `TimeStampResp` (or a bare `ContentInfo` token): a CMS `SignedData` whose
//! encapsulated `TSTInfo` binds a hash of the signature to the TSA's `genTime`.
//!
//! [`verify_timestamp`] turns such a token into a verified time, checking, in order:
//!
//! 1. status granted/grantedWithMods, exactly one SignerInfo, content type id-ct-TSTInfo;
//! 2. the message imprint uses SHA-256/384/512 and equals the hash of the signature bytes;
//! 3. the signed attributes: content-type is id-ct-TSTInfo, message-digest is the hash of the
//!    `TSTInfo` with the SignerInfo's digest algorithm;
//! 4. for a trusted TSA: its signing certificate (`certChain[0]` in the trusted root; certificates
//!    embedded in the token are ignored) verifies the signature over the signed attributes, the
//!    SignerInfo's `sid` and any ESS signing-certificate attribute name that certificate;
//! 5. `genTime` is inside the TSA's `validFor` and the TSA chain validates at `genTime`.
//!
//! Nothing reads the clock: the verified time comes from the token.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "client")]
pub mod client;
mod der_io;
mod error;
mod token;

use const_oid::ObjectIdentifier;
use sigstore_crypto::{Digest, HashAlgorithm, SignatureAlgorithm};
use sigstore_types::{Timestamp, ValidityPeriod};
use sigstore_x509_policy::{verify_tsa_chain, Certificate, CertificateAuthority};

pub use error::Error;
pub use token::{
    Accuracy, TimeStampToken, TstInfo, OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST,
    OID_ATTR_SIGNING_CERTIFICATE, OID_ATTR_SIGNING_CERTIFICATE_V2, OID_SIGNED_DATA, OID_TST_INFO,
};

use der::asn1::{AnyRef, OctetStringRef};
use der::{Decode, Encode};
use der_io::{
    hash_oid, unsigned_content, AlgorithmIdentifier, MessageImprint, TimeStampReq, OID_SHA1,
    OID_SHA256, OID_SHA384, OID_SHA512,
};
use token::{EssCertId, SignerId, SignerInfo};

const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const OID_ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const OID_RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const OID_RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");

/// A trusted timestamp authority: one `timestampAuthorities[]` entry of a trusted root. Its
/// chain is `[TSA signing certificate, intermediates..., root]`.
#[derive(Debug, Clone)]
pub struct TimestampAuthority {
    authority: CertificateAuthority,
}

impl TimestampAuthority {
    /// Parses a TSA chain (`certChain.certificates[].rawBytes`, signing certificate first)
    /// and its `validFor`.
    pub fn new(chain_der: &[Vec<u8>], valid_for: Option<ValidityPeriod>) -> Result<Self, Error> {
        CertificateAuthority::new(chain_der, valid_for)
            .map(Self::from_authority)
            .map_err(Error::InvalidAuthority)
    }

    /// Wraps an already parsed authority (signing certificate first).
    pub fn from_authority(authority: CertificateAuthority) -> Self {
        Self { authority }
    }

    /// The chain and validity period.
    pub fn authority(&self) -> &CertificateAuthority {
        &self.authority
    }

    /// The TSA signing certificate (`certChain[0]`).
    pub fn signer(&self) -> Option<&Certificate> {
        self.authority.certificates().first()
    }
}

/// A timestamp that verified against a trusted TSA.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedTimestamp {
    /// The token's `genTime`.
    pub time: Timestamp,
    /// The index into the `authorities` slice of the TSA that verified it.
    pub authority_index: usize,
    /// The token's serial number (INTEGER content bytes, two's complement).
    pub serial: Vec<u8>,
    /// The TSA policy OID.
    pub policy: ObjectIdentifier,
    /// The nonce echoed by the TSA (INTEGER content bytes), if any.
    pub nonce: Option<Vec<u8>>,
    /// The accuracy the TSA claims for `genTime`, if any.
    pub accuracy: Option<Accuracy>,
}

impl VerifiedTimestamp {
    /// Checks that the token echoes the nonce sent in the request (big-endian, leading zero
    /// bytes ignored).
    pub fn check_nonce(&self, expected: &[u8]) -> Result<(), Error> {
        match &self.nonce {
            None => Err(Error::MissingNonce),
            Some(nonce) if Some(nonce) == unsigned_content(expected).as_ref() => Ok(()),
            Some(_) => Err(Error::NonceMismatch),
        }
    }
}

/// Builds a DER `TimeStampReq` (RFC 3161 §2.4.1) for `digest` (the hash of the bytes to
/// timestamp), with an optional nonce (big-endian unsigned) and the `certReq` flag.
pub fn build_request(digest: &Digest, nonce: Option<&[u8]>, cert_req: bool) -> Vec<u8> {
    let encode = || -> der::Result<Vec<u8>> {
        TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifier {
                    oid: hash_oid(digest.algorithm()),
                    parameters: Some(AnyRef::NULL),
                },
                hashed_message: OctetStringRef::new(digest.as_bytes())?,
            },
            nonce: nonce.map(der_io::uint).transpose()?,
            cert_req,
        }
        .to_der()
    };
    // Encoding fails only for values past der's 256 MiB length limit, which a digest and a
    // nonce never reach; an empty request would be refused by any TSA.
    encode().unwrap_or_default()
}

/// Verifies a DER timestamp (a `TimeStampResp` or a bare token) over `signed_data`, the raw
/// signature bytes that were timestamped, against the trusted `authorities`.
///
/// Returns the first authority that verifies; otherwise the error from the authority that got
/// furthest (a bad chain at `genTime` beats a bad signature).
pub fn verify_timestamp(
    token_der: &[u8],
    signed_data: &[u8],
    authorities: &[TimestampAuthority],
) -> Result<VerifiedTimestamp, Error> {
    let token = TimeStampToken::from_der(token_der)?;
    verify_token(&token, signed_data, authorities)
}

/// [`verify_timestamp`] for an already parsed token.
pub fn verify_token(
    token: &TimeStampToken,
    signed_data: &[u8],
    authorities: &[TimestampAuthority],
) -> Result<VerifiedTimestamp, Error> {
    let tst = token.tst_info();
    let signer = token.signer();

    // The imprint binds the token to the signature bytes.
    let imprint_hash = hash_from_oid(tst.imprint_algorithm)?;
    if imprint_hash.digest(signed_data).as_bytes() != tst.hashed_message.as_slice() {
        return Err(Error::ImprintMismatch);
    }

    // The signed attributes bind the signature to the TSTInfo.
    if signer.content_type != OID_TST_INFO {
        return Err(Error::ContentTypeMismatch(signer.content_type));
    }
    if !signer.digest_algorithm_params_ok {
        return Err(Error::Malformed("SignerInfo digestAlgorithm parameters"));
    }
    let digest_hash = hash_from_oid(signer.digest_algorithm)?;
    if digest_hash.digest(token.tst_info_der()).as_bytes() != signer.message_digest.as_slice() {
        return Err(Error::MessageDigestMismatch);
    }

    let mut best: Option<Error> = None;
    for (index, authority) in authorities.iter().enumerate() {
        match verify_with_authority(token, authority, index) {
            Ok(verified) => return Ok(verified),
            Err(err) => {
                if best.as_ref().is_none_or(|b| err.rank() > b.rank()) {
                    best = Some(err);
                }
            }
        }
    }
    Err(best.unwrap_or(Error::NoAuthorities))
}

fn verify_with_authority(
    token: &TimeStampToken,
    authority: &TimestampAuthority,
    index: usize,
) -> Result<VerifiedTimestamp, Error> {
    let tst = token.tst_info();
    let signer = token.signer();
    let leaf = authority.signer().ok_or(Error::InvalidAuthority(
        sigstore_x509_policy::Error::EmptyChain,
    ))?;

    let algorithm = signature_algorithm(signer)?;
    leaf.public_key()
        .verify(algorithm, &signer.signed_attrs_der, &signer.signature)
        .map_err(Error::BadSignature)?;
    check_signer_id(&signer.sid, leaf)?;
    // Embedded certificates are never trusted; if the token carries any, the trusted signing
    // certificate must be among them (spec: an embedded signer cert must equal the trusted one).
    let embedded = token.embedded_certificates();
    if !embedded.is_empty() && !embedded.iter().any(|der| der.as_slice() == leaf.der()) {
        return Err(Error::EmbeddedCertificateMismatch);
    }
    if let Some(ess) = &signer.signing_certificate_v2 {
        check_ess_cert_id(ess, leaf)?;
    }
    if let Some(ess) = &signer.signing_certificate {
        check_ess_cert_id(ess, leaf)?;
    }

    let time = tst.gen_time;
    if !authority.authority.is_valid_at(time) {
        return Err(Error::OutsideAuthorityValidity { time });
    }
    verify_tsa_chain(&authority.authority, time).map_err(Error::Chain)?;
    Ok(VerifiedTimestamp {
        time,
        authority_index: index,
        serial: tst.serial.clone(),
        policy: tst.policy,
        nonce: tst.nonce.clone(),
        accuracy: tst.accuracy,
    })
}

/// SHA-256/384/512 by OID; SHA-1 and everything else are rejected.
fn hash_from_oid(oid: ObjectIdentifier) -> Result<HashAlgorithm, Error> {
    match oid {
        o if o == OID_SHA256 => Ok(HashAlgorithm::Sha256),
        o if o == OID_SHA384 => Ok(HashAlgorithm::Sha384),
        o if o == OID_SHA512 => Ok(HashAlgorithm::Sha512),
        o if o == OID_SHA1 => Err(Error::UnsupportedHashAlgorithm(o)),
        other => Err(Error::UnsupportedHashAlgorithm(other)),
    }
}

/// The scheme of the SignerInfo's signature: an explicit `ecdsa-with-SHA*` /
/// `sha*WithRSAEncryption` / Ed25519 OID, or the generic key OIDs combined with the
/// SignerInfo's digest algorithm.
fn signature_algorithm(signer: &SignerInfo) -> Result<SignatureAlgorithm, Error> {
    let oid = signer.signature_algorithm;
    let digest = || hash_from_oid(signer.digest_algorithm);
    let algorithm = match oid {
        o if o == OID_ECDSA_SHA256 => SignatureAlgorithm::EcdsaSha256,
        o if o == OID_ECDSA_SHA384 => SignatureAlgorithm::EcdsaSha384,
        o if o == OID_ECDSA_SHA512 => SignatureAlgorithm::EcdsaSha512,
        o if o == OID_RSA_SHA256 => SignatureAlgorithm::RsaPkcs1Sha256,
        o if o == OID_RSA_SHA384 => SignatureAlgorithm::RsaPkcs1Sha384,
        o if o == OID_RSA_SHA512 => SignatureAlgorithm::RsaPkcs1Sha512,
        o if o == OID_ED25519 => SignatureAlgorithm::Ed25519,
        o if o == OID_EC_PUBLIC_KEY => match digest()? {
            HashAlgorithm::Sha384 => SignatureAlgorithm::EcdsaSha384,
            HashAlgorithm::Sha512 => SignatureAlgorithm::EcdsaSha512,
            _ => SignatureAlgorithm::EcdsaSha256,
        },
        o if o == OID_RSA_ENCRYPTION => match digest()? {
            HashAlgorithm::Sha384 => SignatureAlgorithm::RsaPkcs1Sha384,
            HashAlgorithm::Sha512 => SignatureAlgorithm::RsaPkcs1Sha512,
            _ => SignatureAlgorithm::RsaPkcs1Sha256,
        },
        other => return Err(Error::UnsupportedSignatureAlgorithm(other)),
    };
    // ECDSA and Ed25519 identifiers take no parameters; RSA ones take NULL or none. The
    // generic EC key OID may carry a curve, which does not change the computation.
    if oid != OID_EC_PUBLIC_KEY && !signer.signature_params_ok {
        return Err(Error::UnsupportedSignatureAlgorithm(oid));
    }
    Ok(algorithm)
}

/// Whether an issuer name and serial number (INTEGER content bytes) name `cert`.
fn names_certificate(issuer: &[u8], serial: &[u8], cert: &Certificate) -> bool {
    issuer == cert.issuer_der() && serial == cert.serial_number()
}

/// The SignerInfo's `sid` must name the trusted signing certificate.
fn check_signer_id(sid: &SignerId, leaf: &Certificate) -> Result<(), Error> {
    let matches = match sid {
        SignerId::IssuerAndSerial { issuer, serial } => names_certificate(issuer, serial, leaf),
        SignerId::SubjectKeyId(ski) => leaf
            .extension(&OID_SUBJECT_KEY_IDENTIFIER)
            .and_then(|(_, value)| OctetStringRef::from_der(value).ok())
            .is_some_and(|inner| inner.as_bytes() == ski.as_slice()),
    };
    if matches {
        Ok(())
    } else {
        Err(Error::SignerIdentifierMismatch)
    }
}

/// An ESS signing-certificate(-v2) attribute's first `ESSCertID` must name the trusted signing
/// certificate: by hash (v2) and by issuer and serial when present. A v1 ID (a SHA-1 hash) is
/// accepted only with an issuerSerial that matches.
fn check_ess_cert_id(ess: &EssCertId, leaf: &Certificate) -> Result<(), Error> {
    match ess.hash_algorithm {
        Some(oid) => {
            let hash = hash_from_oid(oid).map_err(|_| Error::UncheckableSigningCertificate)?;
            if hash.digest(leaf.der()).as_bytes() != ess.cert_hash.as_slice() {
                return Err(Error::SigningCertificateMismatch);
            }
        }
        None if ess.issuer_serial.is_none() => return Err(Error::UncheckableSigningCertificate),
        None => {}
    }
    if let Some((issuers, serial)) = &ess.issuer_serial {
        if !issuers
            .iter()
            .any(|issuer| names_certificate(issuer, serial, leaf))
        {
            return Err(Error::SigningCertificateMismatch);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_encoding() {
        let digest = HashAlgorithm::Sha256.digest(b"signature");
        let req = build_request(&digest, Some(&[0x00, 0x9a, 0xbc]), true);
        let mut want = vec![
            0x30, 0x3e, 0x02, 0x01, 0x01, 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09,
        ];
        want.extend_from_slice(&[
            0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
        ]);
        want.extend_from_slice(&[0x04, 0x20]);
        want.extend_from_slice(digest.as_bytes());
        want.extend_from_slice(&[0x02, 0x03, 0x00, 0x9a, 0xbc, 0x01, 0x01, 0xff]);
        assert_eq!(req, want);

        let plain = build_request(&HashAlgorithm::Sha512.digest(b"x"), None, false);
        assert_eq!(plain[1] as usize, plain.len() - 2);
        assert!(plain.ends_with(HashAlgorithm::Sha512.digest(b"x").as_bytes()));
    }

    #[test]
    fn nonce_check() {
        let vt = VerifiedTimestamp {
            time: Timestamp::from_unix(0),
            authority_index: 0,
            serial: vec![1],
            policy: OID_TST_INFO,
            nonce: Some(vec![0x00, 0x9a, 0xbc]),
            accuracy: None,
        };
        assert!(vt.check_nonce(&[0x9a, 0xbc]).is_ok());
        assert!(vt.check_nonce(&[0x00, 0x9a, 0xbc]).is_ok());
        assert_eq!(vt.check_nonce(&[0x9a, 0xbd]), Err(Error::NonceMismatch));
        let none = VerifiedTimestamp { nonce: None, ..vt };
        assert_eq!(none.check_nonce(&[1]), Err(Error::MissingNonce));
    }
}

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
