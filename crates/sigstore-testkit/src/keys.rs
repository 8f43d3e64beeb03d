//! Signing keys for the testkit's authorities (RustCrypto, generated from the OS RNG).

use const_oid::ObjectIdentifier;
use rand_core::{OsRng, RngCore};
use sha2::{Digest as _, Sha256};
use signature::Signer as _;
use spki::EncodePublicKey as _;

use crate::Error;

/// ecdsa-with-SHA256.
pub(crate) const ECDSA_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384.
pub(crate) const ECDSA_SHA384: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// An ECDSA key of a certificate authority, log or timestamp authority.
pub(crate) enum EcKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl EcKey {
    pub(crate) fn p256() -> Self {
        Self::P256(p256::ecdsa::SigningKey::random(&mut OsRng))
    }

    pub(crate) fn p384() -> Self {
        Self::P384(p384::ecdsa::SigningKey::random(&mut OsRng))
    }

    /// DER SubjectPublicKeyInfo.
    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, Error> {
        let doc = match self {
            Self::P256(k) => k.verifying_key().to_public_key_der(),
            Self::P384(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|_| Error::Malformed { what: "public key" })?;
        Ok(doc.as_bytes().to_vec())
    }

    /// SHA-256 of the SPKI DER (Rekor v1 log ID, CT log ID, issuer key hash).
    pub(crate) fn key_hash(&self) -> Result<[u8; 32], Error> {
        Ok(Sha256::digest(self.spki_der()?).into())
    }

    /// DER ECDSA signature over `message` with the curve's hash (SHA-256 / SHA-384).
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
        }
    }

    /// The X.509/CMS signature algorithm OID of [`EcKey::sign`].
    pub(crate) fn signature_oid(&self) -> ObjectIdentifier {
        match self {
            Self::P256(_) => ECDSA_SHA256,
            Self::P384(_) => ECDSA_SHA384,
        }
    }

    /// The protobuf-specs key details name.
    pub(crate) fn key_details(&self) -> sigstore_types::PublicKeyDetails {
        match self {
            Self::P256(_) => sigstore_types::PublicKeyDetails::PkixEcdsaP256Sha256,
            Self::P384(_) => sigstore_types::PublicKeyDetails::PkixEcdsaP384Sha384,
        }
    }
}

/// An Ed25519 key (Rekor v2 checkpoints).
pub(crate) struct EdKey(ed25519_dalek::SigningKey);

impl EdKey {
    pub(crate) fn generate() -> Self {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        Self(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    pub(crate) fn raw_public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    pub(crate) fn spki_der(&self) -> Vec<u8> {
        [&ED25519_SPKI_PREFIX[..], &self.raw_public()[..]].concat()
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.sign(message).to_bytes().to_vec()
    }
}

/// `n` random bytes.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    OsRng.fill_bytes(&mut out);
    out
}
