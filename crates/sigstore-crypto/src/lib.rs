//! Public keys, signature checks and digests for Sigstore.
//!
//! This crate is the one place where the workspace touches cryptographic primitives. It offers:
//!
//! - [`PublicKey`]: a key parsed once from a DER or PEM `SubjectPublicKeyInfo` (ECDSA P-256,
//!   P-384, P-521, Ed25519, RSA 2048-4096 bits), checked with [`PublicKey::verify`] over a
//!   message or [`PublicKey::verify_digest`] over a prehash.
//! - [`HashAlgorithm`], [`Digest`] and the streaming [`Hasher`] (SHA-256/384/512).
//! - [`SigningKey`]: an ephemeral ECDSA P-256 key that signs with SHA-256.
//! - [`PrivateKey`]: a managed key read from PEM (PKCS#8, encrypted PKCS#8 or SEC1): ECDSA
//!   P-256 or P-384, or Ed25519.
//!
//! Two interchangeable backends implement the primitives: RustCrypto (`p256`, `p384`, `p521`,
//! `ed25519-dalek`, `rsa`, `sha2`, the default) and aws-lc-rs (feature `aws-lc`). Both pass the
//! same tests and give the same answers, error variants included; the public API does not change
//! with the feature. Where aws-lc-rs lacks something (Ed25519ph) the aws-lc build uses
//! `ed25519-dalek` for it.
//!
//! ```
//! use sigstore_crypto::{HashAlgorithm, PublicKey};
//!
//! let pem = "-----BEGIN PUBLIC KEY-----\n\
//! MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwr\n\
//! kBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\n\
//! -----END PUBLIC KEY-----\n";
//! let key = PublicKey::from_pem(pem.as_bytes()).unwrap();
//! assert_eq!(key.key_type(), sigstore_crypto::KeyType::EcdsaP256);
//! let digest = HashAlgorithm::Sha256.digest(b"hello");
//! assert!(key.verify_digest(key.default_algorithm(), &digest, b"not a signature").is_err());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod backend;
mod error;
mod hash;
mod key;
pub mod pem;
mod prehash;
mod private_key;
#[cfg(feature = "probe")]
pub mod probe;
mod signing;

pub use error::Error;
pub use hash::{read_chunks, Digest, HashAlgorithm, Hasher};
pub use key::{KeyType, PublicKey, SignatureAlgorithm};
pub use private_key::PrivateKey;
pub use signing::SigningKey;

/// The name of the backend this build verifies signatures with: `"rustcrypto"` or `"aws-lc"`.
pub const BACKEND: &str = backend::NAME;

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
