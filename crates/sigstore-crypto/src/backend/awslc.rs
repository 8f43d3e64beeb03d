//! aws-lc-rs backend: `aws_lc_rs::digest` for hashing, `aws_lc_rs::signature::ParsedPublicKey`
//! for ECDSA, RSA and pure Ed25519.
//!
//! It behaves exactly like the RustCrypto backend, down to the error variants:
//!
//! - aws-lc reports every verification failure as one opaque error. So that a malformed ECDSA
//!   signature is still [`Error::MalformedSignature`] (as on RustCrypto), the DER `Ecdsa-Sig-Value`
//!   is first decoded with the same `ecdsa` parser the RustCrypto backend uses (strict DER,
//!   `0 < r, s < n`); only a well-formed signature reaches aws-lc. An Ed25519 signature that is not
//!   64 bytes is malformed; everything else aws-lc rejects is [`Error::BadSignature`].
//! - A `ParsedPublicKey` is bound to one (curve or padding, hash) combination, so a key is parsed
//!   once per combination it may be used with, when the [`crate::PublicKey`] is built: three
//!   parses for an ECDSA key (SHA-256/384/512), six for RSA (PKCS#1 v1.5 and PSS, three hashes).
//! - Pure Ed25519 keeps `ed25519-dalek`'s `verify_strict` rules: signatures under a small-order
//!   (weak) public key and signatures whose `R` is not a point or is of small order are rejected
//!   before aws-lc (whose cofactorless check alone would accept some of them).
//! - aws-lc-rs has no Ed25519ph; it is checked with `ed25519-dalek`, as on RustCrypto.
//! - Signing keys are generated with aws-lc's `EcdsaKeyPair::generate` (OS randomness).

use std::sync::OnceLock;

use aws_lc_rs::digest as lc_digest;
use aws_lc_rs::signature::{self as lc_sig, KeyPair as _, ParsedPublicKey};

use crate::{Digest, Error, HashAlgorithm, KeyType, SignatureAlgorithm};

pub(crate) const NAME: &str = "aws-lc";

fn lc_hash(algorithm: HashAlgorithm) -> &'static lc_digest::Algorithm {
    match algorithm {
        HashAlgorithm::Sha256 => &lc_digest::SHA256,
        HashAlgorithm::Sha384 => &lc_digest::SHA384,
        HashAlgorithm::Sha512 => &lc_digest::SHA512,
    }
}

#[derive(Clone)]
pub(crate) struct HasherInner {
    algorithm: HashAlgorithm,
    context: lc_digest::Context,
}

impl HasherInner {
    pub(crate) fn new(algorithm: HashAlgorithm) -> Self {
        Self {
            algorithm,
            context: lc_digest::Context::new(lc_hash(algorithm)),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.context.update(data);
    }

    pub(crate) fn finalize(self) -> (HashAlgorithm, Vec<u8>) {
        (self.algorithm, self.context.finish().as_ref().to_vec())
    }
}

/// The NIST curve of an ECDSA key, to decode signatures with the right scalar bounds.
#[derive(Clone, Copy)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    /// The aws-lc verification algorithms for this curve with SHA-256, SHA-384 and SHA-512.
    fn algorithms(self) -> [&'static lc_sig::EcdsaVerificationAlgorithm; 3] {
        match self {
            Self::P256 => [
                &lc_sig::ECDSA_P256_SHA256_ASN1,
                &lc_sig::ECDSA_P256_SHA384_ASN1,
                &lc_sig::ECDSA_P256_SHA512_ASN1,
            ],
            Self::P384 => [
                &lc_sig::ECDSA_P384_SHA256_ASN1,
                &lc_sig::ECDSA_P384_SHA384_ASN1,
                &lc_sig::ECDSA_P384_SHA512_ASN1,
            ],
            Self::P521 => [
                &lc_sig::ECDSA_P521_SHA256_ASN1,
                &lc_sig::ECDSA_P521_SHA384_ASN1,
                &lc_sig::ECDSA_P521_SHA512_ASN1,
            ],
        }
    }

    /// Decodes the DER `Ecdsa-Sig-Value` exactly as the RustCrypto backend does.
    fn check_der(self, signature: &[u8]) -> Result<(), Error> {
        let ok = match self {
            Self::P256 => p256::ecdsa::Signature::from_der(signature).is_ok(),
            Self::P384 => p384::ecdsa::Signature::from_der(signature).is_ok(),
            Self::P521 => p521::ecdsa::Signature::from_der(signature).is_ok(),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::MalformedSignature)
        }
    }
}

/// One parsed key per hash: SHA-256, SHA-384, SHA-512. aws-lc binds a parsed key to one
/// (curve or padding, hash) pair; the key is parsed eagerly for one hash (which validates it)
/// and for the others only when first used, since most keys only ever see one hash.
#[derive(Clone)]
pub(crate) struct ByHash {
    algorithms: [&'static dyn lc_sig::VerificationAlgorithm; 3],
    raw: Vec<u8>,
    keys: [OnceLock<ParsedPublicKey>; 3],
    error: Error,
}

impl ByHash {
    fn parse(
        algorithms: [&'static dyn lc_sig::VerificationAlgorithm; 3],
        raw: &[u8],
        error: Error,
        eager: HashAlgorithm,
    ) -> Result<Self, Error> {
        let this = Self {
            algorithms,
            raw: raw.to_vec(),
            keys: [OnceLock::new(), OnceLock::new(), OnceLock::new()],
            error,
        };
        this.get(eager)?;
        Ok(this)
    }

    fn get(&self, hash: HashAlgorithm) -> Result<&ParsedPublicKey, Error> {
        let index = match hash {
            HashAlgorithm::Sha256 => 0,
            HashAlgorithm::Sha384 => 1,
            HashAlgorithm::Sha512 => 2,
        };
        let (Some(slot), Some(algorithm)) = (self.keys.get(index), self.algorithms.get(index))
        else {
            return Err(self.error.clone());
        };
        if let Some(key) = slot.get() {
            return Ok(key);
        }
        let key = ParsedPublicKey::new(*algorithm, &self.raw).map_err(|_| self.error.clone())?;
        Ok(slot.get_or_init(|| key))
    }
}

#[derive(Clone)]
pub(crate) enum ParsedKey {
    Ecdsa {
        curve: Curve,
        keys: ByHash,
    },
    Ed25519 {
        key: ParsedPublicKey,
        /// For the strictness checks and Ed25519ph.
        dalek: ed25519_dalek::VerifyingKey,
    },
    Rsa {
        pkcs1: Box<ByHash>,
        pss: Box<ByHash>,
    },
}

impl ParsedKey {
    pub(crate) fn parse(key_type: KeyType, _spki_der: &[u8], raw: &[u8]) -> Result<Self, Error> {
        let bad_point = Error::MalformedKey("EC point is not on the curve");
        let ecdsa = |curve: Curve, eager: HashAlgorithm| -> Result<Self, Error> {
            let [a, b, c] = curve.algorithms();
            let keys = ByHash::parse([a, b, c], raw, bad_point.clone(), eager)?;
            Ok(Self::Ecdsa { curve, keys })
        };
        match key_type {
            KeyType::EcdsaP256 => ecdsa(Curve::P256, HashAlgorithm::Sha256),
            KeyType::EcdsaP384 => ecdsa(Curve::P384, HashAlgorithm::Sha384),
            KeyType::EcdsaP521 => ecdsa(Curve::P521, HashAlgorithm::Sha512),
            KeyType::Ed25519 => {
                let bytes: &[u8; 32] = raw
                    .try_into()
                    .map_err(|_| Error::MalformedKey("Ed25519 key is not 32 bytes"))?;
                let dalek = ed25519_dalek::VerifyingKey::from_bytes(bytes)
                    .map_err(|_| Error::MalformedKey("Ed25519 key is not a curve point"))?;
                let key = ParsedPublicKey::new(&lc_sig::ED25519, bytes)
                    .map_err(|_| Error::MalformedKey("Ed25519 key is not a curve point"))?;
                Ok(Self::Ed25519 { key, dalek })
            }
            KeyType::Rsa { .. } => {
                let malformed = Error::MalformedKey("not an RSA public key");
                let pkcs1 = ByHash::parse(
                    [
                        &lc_sig::RSA_PKCS1_2048_8192_SHA256,
                        &lc_sig::RSA_PKCS1_2048_8192_SHA384,
                        &lc_sig::RSA_PKCS1_2048_8192_SHA512,
                    ],
                    raw,
                    malformed.clone(),
                    HashAlgorithm::Sha256,
                )?;
                let pss = ByHash::parse(
                    [
                        &lc_sig::RSA_PSS_2048_8192_SHA256,
                        &lc_sig::RSA_PSS_2048_8192_SHA384,
                        &lc_sig::RSA_PSS_2048_8192_SHA512,
                    ],
                    raw,
                    malformed,
                    HashAlgorithm::Sha256,
                )?;
                Ok(Self::Rsa {
                    pkcs1: Box::new(pkcs1),
                    pss: Box::new(pss),
                })
            }
        }
    }

    /// The Ed25519 key (as `ed25519-dalek` reads it), for Ed25519ph over a digest.
    pub(crate) fn ed25519(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match self {
            Self::Ed25519 { dalek, .. } => Some(dalek),
            _ => None,
        }
    }

    /// Pure Ed25519 and Ed25519ph, which need the message itself.
    pub(crate) fn verify_message(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let Self::Ed25519 { key, dalek } = self else {
            return Err(Error::DigestNotSupported(algorithm));
        };
        let sig: &[u8; 64] = signature
            .try_into()
            .map_err(|_| Error::MalformedSignature)?;
        match algorithm {
            SignatureAlgorithm::Ed25519 => {
                strict_checks(dalek, sig)?;
                key.verify_sig(message, sig)
                    .map_err(|_| Error::BadSignature)
            }
            SignatureAlgorithm::Ed25519Ph => {
                use sha2::Digest as _;
                let sig = ed25519_dalek::Signature::from_bytes(sig);
                dalek
                    .verify_prehashed_strict(sha2::Sha512::new_with_prefix(message), None, &sig)
                    .map_err(|_| Error::BadSignature)
            }
            _ => Err(Error::DigestNotSupported(algorithm)),
        }
    }

    /// ECDSA and RSA over a digest whose algorithm the caller has matched to `algorithm`.
    pub(crate) fn verify_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &Digest,
        signature: &[u8],
    ) -> Result<(), Error> {
        let hash = algorithm
            .hash()
            .ok_or(Error::DigestNotSupported(algorithm))?;
        let lc_digest = lc_digest::Digest::import_less_safe(digest.as_bytes(), lc_hash(hash))
            .map_err(|_| Error::DigestMismatch)?;
        let key = match (self, algorithm) {
            (Self::Ecdsa { curve, keys }, _) => {
                curve.check_der(signature)?;
                keys.get(hash)?
            }
            (
                Self::Rsa { pkcs1, .. },
                SignatureAlgorithm::RsaPkcs1Sha256
                | SignatureAlgorithm::RsaPkcs1Sha384
                | SignatureAlgorithm::RsaPkcs1Sha512,
            ) => pkcs1.get(hash)?,
            (
                Self::Rsa { pss, .. },
                SignatureAlgorithm::RsaPssSha256
                | SignatureAlgorithm::RsaPssSha384
                | SignatureAlgorithm::RsaPssSha512,
            ) => pss.get(hash)?,
            _ => return Err(Error::DigestNotSupported(algorithm)),
        };
        key.verify_digest_sig(&lc_digest, signature)
            .map_err(|_| Error::BadSignature)
    }
}

/// The checks `ed25519-dalek`'s `verify_strict` makes beyond the cofactorless equation: no
/// small-order public key, and `R` must decode to a point that is not of small order.
fn strict_checks(key: &ed25519_dalek::VerifyingKey, signature: &[u8; 64]) -> Result<(), Error> {
    if key.is_weak() {
        return Err(Error::BadSignature);
    }
    let mut r = [0u8; 32];
    r.copy_from_slice(signature.split_at(32).0);
    match curve25519_dalek::edwards::CompressedEdwardsY(r).decompress() {
        Some(point) if !point.is_small_order() => Ok(()),
        _ => Err(Error::BadSignature),
    }
}

/// An ephemeral P-256 ECDSA signing key.
pub(crate) struct SigningInner(lc_sig::EcdsaKeyPair);

impl SigningInner {
    pub(crate) fn generate() -> Result<Self, Error> {
        lc_sig::EcdsaKeyPair::generate(&lc_sig::ECDSA_P256_SHA256_ASN1_SIGNING)
            .map(Self)
            .map_err(|_| Error::SigningFailed)
    }

    /// The uncompressed SEC1 public point.
    pub(crate) fn public_point(&self) -> Vec<u8> {
        self.0.public_key().as_ref().to_vec()
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.0
            .sign(&rng, message)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| Error::SigningFailed)
    }

    pub(crate) fn sign_sha256_digest(&self, digest: &[u8]) -> Result<Vec<u8>, Error> {
        let digest = lc_digest::Digest::import_less_safe(digest, &lc_digest::SHA256)
            .map_err(|_| Error::DigestMismatch)?;
        self.0
            .sign_digest(&digest)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| Error::SigningFailed)
    }
}
