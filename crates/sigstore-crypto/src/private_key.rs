//! Managed signing keys: a private key the caller holds, read from PEM.
//!
//! Accepted encodings:
//!
//! - PKCS#8 `PRIVATE KEY` (what `openssl genpkey` writes) for ECDSA P-256, ECDSA P-384 and
//!   Ed25519;
//! - PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2 with PBKDF2-HMAC-SHA-2 or scrypt, and AES-CBC: what
//!   `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes), decrypted with a passphrase;
//! - SEC1 `EC PRIVATE KEY` (what `openssl ecparam -genkey` writes) for P-256 and P-384, with a
//!   named curve; an `EC PARAMETERS` block before it is skipped.
//!
//! Signing uses RustCrypto (`p256`, `p384`, `ed25519-dalek`) whichever verification backend is
//! compiled in. Secret material is zeroized when dropped (the curve crates do this for their
//! keys; the decrypted PKCS#8 document is a `SecretDocument`).

use const_oid::ObjectIdentifier;
use der::Decode;
use pkcs8::{DecodePrivateKey, EncryptedPrivateKeyInfo, PrivateKeyInfo};
use zeroize::Zeroizing;

use crate::prehash::Sha512Prehash;
use crate::{Digest, Error, HashAlgorithm, KeyType, PublicKey, SignatureAlgorithm};

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// What managed keys may be, for error messages.
macro_rules! supported {
    () => {
        "supported: ECDSA P-256, ECDSA P-384 and Ed25519"
    };
}

/// The PEM labels a managed key may have.
const LABEL_PKCS8: &str = "PRIVATE KEY";
const LABEL_ENCRYPTED: &str = "ENCRYPTED PRIVATE KEY";
const LABEL_SEC1: &str = "EC PRIVATE KEY";

/// A private signing key the caller manages (as opposed to the ephemeral
/// [`crate::SigningKey`] of keyless signing): ECDSA P-256 with SHA-256, ECDSA P-384 with
/// SHA-384, or Ed25519.
///
/// How each type signs, following Sigstore's `PublicKeyDetails` and what Rekor accepts:
///
/// | key | message ([`PrivateKey::sign`]) | digest ([`PrivateKey::sign_digest`]) |
/// |---|---|---|
/// | P-256 | ECDSA, SHA-256 (`PKIX_ECDSA_P256_SHA_256`) | ECDSA over a SHA-256 digest |
/// | P-384 | ECDSA, SHA-384 (`PKIX_ECDSA_P384_SHA_384`) | ECDSA over a SHA-384 digest |
/// | Ed25519 | pure Ed25519 (`PKIX_ED25519`) | Ed25519ph over a SHA-512 digest (`PKIX_ED25519_PH`) |
///
/// Its `Debug` output shows the key type only.
pub struct PrivateKey {
    inner: Inner,
    public: PublicKey,
}

enum Inner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl PrivateKey {
    /// Whether `pem` holds an encrypted PKCS#8 key (`ENCRYPTED PRIVATE KEY`), which needs
    /// [`PrivateKey::from_encrypted_pem`]. Lets a caller ask for a passphrase only when one is
    /// needed.
    pub fn is_encrypted_pem(pem: &[u8]) -> bool {
        matches!(find_block(pem), Ok((label, _)) if label == LABEL_ENCRYPTED)
    }

    /// Reads an unencrypted key: PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`. An encrypted
    /// key gives [`Error::PassphraseRequired`].
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        let (label, der) = find_block(pem)?;
        match label.as_str() {
            LABEL_PKCS8 => Self::from_pkcs8_der(&der),
            LABEL_SEC1 => Self::from_sec1_der(&der),
            LABEL_ENCRYPTED => Err(Error::PassphraseRequired),
            _ => Err(Error::MalformedPrivateKey("no private key PEM block")),
        }
    }

    /// Reads a key that may be encrypted: an `ENCRYPTED PRIVATE KEY` is decrypted with
    /// `passphrase` (a wrong passphrase and a damaged key both give
    /// [`Error::WrongPassphrase`]); an unencrypted key is read as [`PrivateKey::from_pem`]
    /// does and the passphrase is ignored.
    pub fn from_encrypted_pem(pem: &[u8], passphrase: &[u8]) -> Result<Self, Error> {
        let (label, der) = find_block(pem)?;
        if label != LABEL_ENCRYPTED {
            return Self::from_pem(pem);
        }
        let info = EncryptedPrivateKeyInfo::try_from(der.as_slice())
            .map_err(|_| Error::MalformedPrivateKey("not a PKCS#8 EncryptedPrivateKeyInfo"))?;
        // Only PBES2 is implemented (PBES1's DES and RC2 schemes are obsolete).
        if info.encryption_algorithm.pbes2().is_none() {
            return Err(Error::UnsupportedPrivateKey(
                "the key is encrypted with an obsolete scheme (PBES1); re-encrypt it with \
                 `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
            ));
        }
        let document = info
            .decrypt(passphrase)
            .map_err(|_| Error::WrongPassphrase)?;
        // A wrong passphrase usually fails the CBC padding check; when it does not (or the
        // ciphertext is damaged), the "plaintext" is noise, which must not be reported as a
        // malformed key. A key that decrypts to an unsupported type still says so.
        match Self::from_pkcs8_der(document.as_bytes()) {
            Err(Error::MalformedPrivateKey(_)) => Err(Error::WrongPassphrase),
            result => result,
        }
    }

    /// Reads a DER PKCS#8 `PrivateKeyInfo` (unencrypted).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let info = PrivateKeyInfo::from_der(der)
            .map_err(|_| Error::MalformedPrivateKey("not a PKCS#8 PrivateKeyInfo"))?;
        let oid = info.algorithm.oid;
        let malformed = |_| Error::MalformedPrivateKey("the PKCS#8 key does not decode");
        if oid == ID_EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| Error::UnsupportedPrivateKey("EC key without a named curve"))?;
            match curve {
                c if c == SECP256R1 => Self::new(Inner::P256(
                    p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(malformed)?,
                )),
                c if c == SECP384R1 => Self::new(Inner::P384(
                    p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(malformed)?,
                )),
                _ => Err(unsupported_curve()),
            }
        } else if oid == ID_ED25519 {
            Self::new(Inner::Ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(malformed)?,
            ))
        } else {
            Err(Error::UnsupportedPrivateKey(concat!(
                "the key is not ECDSA or Ed25519 (",
                supported!(),
                ")"
            )))
        }
    }

    /// Reads a DER SEC1 `ECPrivateKey` that names its curve.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, Error> {
        let key = sec1::EcPrivateKey::from_der(der)
            .map_err(|_| Error::MalformedPrivateKey("not a SEC1 ECPrivateKey"))?;
        let curve =
            key.parameters
                .and_then(|p| p.named_curve())
                .ok_or(Error::UnsupportedPrivateKey(
                    "SEC1 EC key without a named curve",
                ))?;
        let malformed = |_| Error::MalformedPrivateKey("the SEC1 key does not decode");
        match curve {
            c if c == SECP256R1 => Self::new(Inner::P256(
                p256::SecretKey::from_sec1_der(der)
                    .map_err(malformed)?
                    .into(),
            )),
            c if c == SECP384R1 => Self::new(Inner::P384(
                p384::SecretKey::from_sec1_der(der)
                    .map_err(malformed)?
                    .into(),
            )),
            _ => Err(unsupported_curve()),
        }
    }

    fn new(inner: Inner) -> Result<Self, Error> {
        use p256::pkcs8::EncodePublicKey as _;
        let spki = match &inner {
            Inner::P256(k) => k.verifying_key().to_public_key_der(),
            Inner::P384(k) => k.verifying_key().to_public_key_der(),
            Inner::Ed25519(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|_| Error::MalformedPrivateKey("cannot encode the public key"))?;
        let public = PublicKey::from_spki_der(spki.as_bytes())?;
        Ok(Self { inner, public })
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        self.public.key_type()
    }

    /// The hash [`PrivateKey::sign_digest`] signs: SHA-256 (P-256), SHA-384 (P-384) or
    /// SHA-512 (Ed25519, as Ed25519ph).
    pub fn digest_algorithm(&self) -> HashAlgorithm {
        match self.inner {
            Inner::P256(_) => HashAlgorithm::Sha256,
            Inner::P384(_) => HashAlgorithm::Sha384,
            Inner::Ed25519(_) => HashAlgorithm::Sha512,
        }
    }

    /// The scheme of [`PrivateKey::sign`]: ECDSA with the curve's hash, or pure Ed25519.
    pub fn message_scheme(&self) -> SignatureAlgorithm {
        match self.inner {
            Inner::P256(_) => SignatureAlgorithm::EcdsaSha256,
            Inner::P384(_) => SignatureAlgorithm::EcdsaSha384,
            Inner::Ed25519(_) => SignatureAlgorithm::Ed25519,
        }
    }

    /// The scheme of [`PrivateKey::sign_digest`]: ECDSA with the curve's hash, or Ed25519ph.
    pub fn digest_scheme(&self) -> SignatureAlgorithm {
        match self.inner {
            Inner::P256(_) => SignatureAlgorithm::EcdsaSha256,
            Inner::P384(_) => SignatureAlgorithm::EcdsaSha384,
            Inner::Ed25519(_) => SignatureAlgorithm::Ed25519Ph,
        }
    }

    /// Signs `message` with [`PrivateKey::message_scheme`]: a DER ECDSA signature, or a
    /// 64-byte Ed25519 signature.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use signature::Signer as _;
        match &self.inner {
            Inner::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| Error::SigningFailed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Inner::P384(k) => {
                let sig: p384::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| Error::SigningFailed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Inner::Ed25519(k) => Ok(k.sign(message).to_bytes().to_vec()),
        }
    }

    /// Signs a precomputed `digest` with [`PrivateKey::digest_scheme`]. The digest must be
    /// of [`PrivateKey::digest_algorithm`], else [`Error::DigestMismatch`].
    pub fn sign_digest(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        use signature::hazmat::PrehashSigner as _;
        if digest.algorithm() != self.digest_algorithm() {
            return Err(Error::DigestMismatch);
        }
        match &self.inner {
            Inner::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash(digest.as_bytes())
                    .map_err(|_| Error::SigningFailed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Inner::P384(k) => {
                let sig: p384::ecdsa::Signature = k
                    .sign_prehash(digest.as_bytes())
                    .map_err(|_| Error::SigningFailed)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Inner::Ed25519(k) => k
                .sign_prehashed(Sha512Prehash::new(digest)?, None)
                .map(|sig| sig.to_bytes().to_vec())
                .map_err(|_| Error::SigningFailed),
        }
    }
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("key_type", &self.key_type())
            .finish_non_exhaustive()
    }
}

fn unsupported_curve() -> Error {
    Error::UnsupportedPrivateKey(concat!(
        "the EC key's curve is not P-256 or P-384 (",
        supported!(),
        ")"
    ))
}

/// The first PEM block that is a private key (an `EC PARAMETERS` block before a SEC1 key is
/// skipped), as (label, DER). The DER is zeroized when dropped.
fn find_block(pem: &[u8]) -> Result<(String, Zeroizing<Vec<u8>>), Error> {
    if contains(pem, b"Proc-Type:") {
        return Err(Error::UnsupportedPrivateKey(
            "legacy OpenSSL-encrypted PEM (Proc-Type header) is not supported; convert it with \
             `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
        ));
    }
    let mut rest = pem;
    loop {
        let Some(start) = position(rest, b"-----BEGIN ") else {
            return Err(Error::MalformedPrivateKey(
                "no PEM private key (PRIVATE KEY, ENCRYPTED PRIVATE KEY or EC PRIVATE KEY)",
            ));
        };
        let block = rest.get(start..).unwrap_or_default();
        let (label, der) =
            crate::pem::decode(block).map_err(|e| Error::MalformedPrivateKey(e.as_str()))?;
        let der = Zeroizing::new(der);
        match label.as_str() {
            LABEL_PKCS8 | LABEL_ENCRYPTED | LABEL_SEC1 => return Ok((label, der)),
            "EC PARAMETERS" => {}
            "RSA PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
                return Err(Error::UnsupportedPrivateKey(concat!(
                    "the key is not an ECDSA or Ed25519 key in PKCS#8 or SEC1 PEM (",
                    supported!(),
                    ")"
                )))
            }
            "ENCRYPTED SIGSTORE PRIVATE KEY" | "ENCRYPTED COSIGN PRIVATE KEY" => {
                return Err(Error::UnsupportedPrivateKey(
                    "cosign's encrypted key format is not supported; use a PKCS#8 key (for \
                     example from `openssl genpkey`)",
                ))
            }
            "PUBLIC KEY" | "CERTIFICATE" => {
                return Err(Error::MalformedPrivateKey(
                    "this is a public key or certificate, not a private key",
                ))
            }
            _ => {
                return Err(Error::MalformedPrivateKey(
                    "no PEM private key (PRIVATE KEY, ENCRYPTED PRIVATE KEY or EC PRIVATE KEY)",
                ))
            }
        }
        // Continue after this block's BEGIN line.
        rest = block.get(b"-----BEGIN ".len()..).unwrap_or_default();
    }
}

fn position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    position(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_curve_names_what_is_supported() {
        assert!(unsupported_curve().to_string().contains(supported!()));
    }
}
