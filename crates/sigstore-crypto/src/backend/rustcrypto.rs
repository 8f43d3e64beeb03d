//! RustCrypto backend: `sha2`, `p256`, `p384`, `p521`, `ed25519-dalek`, `rsa`.

use sha2::Digest as _;
use signature::hazmat::PrehashVerifier;

use crate::{Digest, Error, HashAlgorithm, KeyType, SignatureAlgorithm};

pub(crate) const NAME: &str = "rustcrypto";

/// Size of a P-521 field element in bytes.
const P521_FIELD_BYTES: usize = 66;

/// How many times key generation draws a fresh scalar before giving up (a draw fails with
/// probability about 2^-32 for P-256).
const KEYGEN_ATTEMPTS: usize = 8;

#[derive(Clone)]
pub(crate) enum HasherInner {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl HasherInner {
    pub(crate) fn new(algorithm: HashAlgorithm) -> Self {
        match algorithm {
            HashAlgorithm::Sha256 => Self::Sha256(sha2::Sha256::new()),
            HashAlgorithm::Sha384 => Self::Sha384(sha2::Sha384::new()),
            HashAlgorithm::Sha512 => Self::Sha512(sha2::Sha512::new()),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    pub(crate) fn finalize(self) -> (HashAlgorithm, Vec<u8>) {
        match self {
            Self::Sha256(h) => (HashAlgorithm::Sha256, h.finalize().to_vec()),
            Self::Sha384(h) => (HashAlgorithm::Sha384, h.finalize().to_vec()),
            Self::Sha512(h) => (HashAlgorithm::Sha512, h.finalize().to_vec()),
        }
    }
}

#[derive(Clone)]
pub(crate) enum ParsedKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

impl ParsedKey {
    pub(crate) fn parse(key_type: KeyType, spki_der: &[u8], raw: &[u8]) -> Result<Self, Error> {
        let bad_point = |_| Error::MalformedKey("EC point is not on the curve");
        Ok(match key_type {
            KeyType::EcdsaP256 => {
                Self::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(raw).map_err(bad_point)?)
            }
            KeyType::EcdsaP384 => {
                Self::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(raw).map_err(bad_point)?)
            }
            KeyType::EcdsaP521 => {
                Self::P521(p521::ecdsa::VerifyingKey::from_sec1_bytes(raw).map_err(bad_point)?)
            }
            KeyType::Ed25519 => {
                let bytes: &[u8; 32] = raw
                    .try_into()
                    .map_err(|_| Error::MalformedKey("Ed25519 key is not 32 bytes"))?;
                Self::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(bytes)
                        .map_err(|_| Error::MalformedKey("Ed25519 key is not a curve point"))?,
                )
            }
            KeyType::Rsa { .. } => {
                use rsa::pkcs8::DecodePublicKey;
                Self::Rsa(
                    rsa::RsaPublicKey::from_public_key_der(spki_der)
                        .map_err(|_| Error::MalformedKey("not an RSA public key"))?,
                )
            }
        })
    }

    /// The Ed25519 key, for Ed25519ph over a digest.
    pub(crate) fn ed25519(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match self {
            Self::Ed25519(key) => Some(key),
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
        let Self::Ed25519(key) = self else {
            return Err(Error::DigestNotSupported(algorithm));
        };
        let sig = ed25519_dalek::Signature::from_slice(signature)
            .map_err(|_| Error::MalformedSignature)?;
        match algorithm {
            SignatureAlgorithm::Ed25519 => key.verify_strict(message, &sig),
            SignatureAlgorithm::Ed25519Ph => {
                key.verify_prehashed_strict(sha2::Sha512::new_with_prefix(message), None, &sig)
            }
            _ => return Err(Error::DigestNotSupported(algorithm)),
        }
        .map_err(|_| Error::BadSignature)
    }

    /// ECDSA and RSA over a digest whose algorithm the caller has matched to `algorithm`.
    pub(crate) fn verify_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &Digest,
        signature: &[u8],
    ) -> Result<(), Error> {
        let prehash = digest.as_bytes();
        match self {
            Self::P256(key) => {
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Error::MalformedSignature)?;
                key.verify_prehash(prehash, &sig)
                    .map_err(|_| Error::BadSignature)
            }
            Self::P384(key) => {
                let sig = p384::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Error::MalformedSignature)?;
                key.verify_prehash(prehash, &sig)
                    .map_err(|_| Error::BadSignature)
            }
            Self::P521(key) => {
                let sig = p521::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Error::MalformedSignature)?;
                // `ecdsa` refuses prehashes shorter than half the field (SHA-256 on P-521).
                // FIPS 186-5 takes a short hash as the integer it encodes, which is what the
                // left zero padding to the field size gives (as aws-lc does).
                let mut padded = [0u8; P521_FIELD_BYTES];
                let start = P521_FIELD_BYTES.saturating_sub(prehash.len());
                let prehash = match padded.get_mut(start..) {
                    Some(tail) if tail.len() == prehash.len() => {
                        tail.copy_from_slice(prehash);
                        &padded[..]
                    }
                    _ => prehash,
                };
                key.verify_prehash(prehash, &sig)
                    .map_err(|_| Error::BadSignature)
            }
            Self::Rsa(key) => {
                let result = match algorithm {
                    SignatureAlgorithm::RsaPkcs1Sha256 => {
                        key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), prehash, signature)
                    }
                    SignatureAlgorithm::RsaPkcs1Sha384 => {
                        key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha384>(), prehash, signature)
                    }
                    SignatureAlgorithm::RsaPkcs1Sha512 => {
                        key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha512>(), prehash, signature)
                    }
                    SignatureAlgorithm::RsaPssSha256 => {
                        key.verify(rsa::Pss::new::<sha2::Sha256>(), prehash, signature)
                    }
                    SignatureAlgorithm::RsaPssSha384 => {
                        key.verify(rsa::Pss::new::<sha2::Sha384>(), prehash, signature)
                    }
                    SignatureAlgorithm::RsaPssSha512 => {
                        key.verify(rsa::Pss::new::<sha2::Sha512>(), prehash, signature)
                    }
                    _ => return Err(Error::DigestNotSupported(algorithm)),
                };
                result.map_err(|_| Error::BadSignature)
            }
            Self::Ed25519(_) => Err(Error::DigestNotSupported(algorithm)),
        }
    }
}

/// An ephemeral P-256 ECDSA signing key.
pub(crate) struct SigningInner(p256::ecdsa::SigningKey);

impl SigningInner {
    pub(crate) fn generate() -> Result<Self, Error> {
        use rand_core::RngCore;
        let mut bytes = [0u8; 32];
        for _ in 0..KEYGEN_ATTEMPTS {
            rand_core::OsRng
                .try_fill_bytes(&mut bytes)
                .map_err(|_| Error::SigningFailed)?;
            let key = p256::ecdsa::SigningKey::from_slice(&bytes);
            bytes.fill(0);
            if let Ok(key) = key {
                return Ok(Self(key));
            }
        }
        Err(Error::SigningFailed)
    }

    /// The uncompressed SEC1 public point.
    pub(crate) fn public_point(&self) -> Vec<u8> {
        self.0
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use signature::Signer;
        let sig: p256::ecdsa::Signature =
            self.0.try_sign(message).map_err(|_| Error::SigningFailed)?;
        Ok(sig.to_der().as_bytes().to_vec())
    }

    pub(crate) fn sign_sha256_digest(&self, digest: &[u8]) -> Result<Vec<u8>, Error> {
        use signature::hazmat::PrehashSigner;
        let sig: p256::ecdsa::Signature = self
            .0
            .sign_prehash(digest)
            .map_err(|_| Error::SigningFailed)?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}
