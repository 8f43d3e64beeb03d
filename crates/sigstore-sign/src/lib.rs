//! Sigstore signing (spec §10): keyless, or with a managed key.
//!
//! 1. [`select_services`] picks the Fulcio, Rekor and TSA services of a [`SigningConfig`]
//!    valid now (spec §2.2).
//! 2. [`SigningContext::signer`] decodes the identity token (unverified: Fulcio verifies it),
//!    makes an ephemeral P-256 key, gets a certificate from Fulcio with a proof of possession,
//!    and checks it before use: chain to the trusted root, embedded SCT, key, SAN and issuer.
//! 3. [`Signer::sign_artifact`] and [`Signer::sign_dsse`] sign, timestamp the signature at
//!    every selected TSA, upload to every selected Rekor log (v1: hashedrekord/dsse 0.0.1;
//!    v2: hashedrekord 0.0.2), assemble a v0.3 bundle and verify it with
//!    [`sigstore_verify::Verifier`] under the token's identity before returning it.
//!
//! For a public instance, [`SigningContext::production`] (or `staging`, or
//! [`SigningContext::for_instance`]) loads the trust material over TUF:
//!
//! ```no_run
//! # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use sigstore_sign::{ArtifactInput, SigningContext};
//!
//! let context = SigningContext::production().await?;
//! let bundle = context.signer(token).await?.sign_artifact(ArtifactInput::Bytes(b"hello")).await?;
//! std::fs::write("hello.sigstore.json", bundle.to_json())?;
//! # Ok(()) }
//! ```
//!
//! With trust files of your own:
//!
//! ```no_run
//! # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use sigstore_http::HttpConfig;
//! use sigstore_sign::{ArtifactInput, SigningContext};
//! use sigstore_types::{SigningConfig, TrustedRoot};
//!
//! let config = SigningConfig::from_json(&std::fs::read("signing_config.v0.2.json")?)?;
//! let root = TrustedRoot::from_json(&std::fs::read("trusted_root.json")?)?;
//! let context = SigningContext::new(config, root, HttpConfig::default())?;
//! let signer = context.signer(token).await?;
//! let bundle = signer.sign_artifact(ArtifactInput::Bytes(b"hello")).await?;
//! std::fs::write("hello.sigstore.json", bundle.to_json())?;
//! # Ok(()) }
//! ```
//!
//! With a managed key instead of a certificate ([`SigningContext::signer_with_key`]): no
//! token and no Fulcio; the bundle carries the key's hint ([`key_hint`]) and verifies with
//! [`sigstore_verify::Policy::key`]. [`PrivateKey`] reads PKCS#8 (plain or encrypted) and SEC1
//! PEM; ECDSA P-256 and P-384 keys sign SHA-256 and SHA-384, Ed25519 keys sign artifacts as
//! Ed25519ph over SHA-512 (the form Rekor logs) and DSSE envelopes as pure Ed25519 (Rekor v1
//! only).
//!
//! ```no_run
//! # async fn run(context: &sigstore_sign::SigningContext) -> Result<(), Box<dyn std::error::Error>> {
//! use sigstore_sign::{ArtifactInput, PrivateKey};
//!
//! let pem = std::fs::read("key.pem")?;
//! let key = if PrivateKey::is_encrypted_pem(&pem) {
//!     PrivateKey::from_encrypted_pem(&pem, std::env::var("KEY_PASSPHRASE")?.as_bytes())?
//! } else {
//!     PrivateKey::from_pem(&pem)?
//! };
//! let signer = context.signer_with_key(key)?;
//! let bundle = signer.sign_artifact(ArtifactInput::Bytes(b"hello")).await?;
//! std::fs::write("hello.sigstore.json", bundle.to_json())?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod instance;
pub mod lookup;
mod output;
mod repair;
mod select;
mod signer;

pub use error::Error;
pub use output::{check_outputs, write_all_atomic, OutputOptions, Outputs};
pub use repair::{complete_log_entry, needs_log_entry};
pub use select::{check_services, select_services, SelectedServices, SupportedApiVersions};
pub use signer::{
    assemble_bundle, key_hint, now, ArtifactInput, SignInput, Signer, SigningContext,
    EXPIRY_MARGIN_SECS, MAX_CONCURRENT_SIGNINGS,
};
pub use sigstore_crypto::{PrivateKey, PublicKey};
pub use sigstore_oidc::{IdentityToken, GITHUB_ACTIONS_ISSUER, SIGSTORE_AUDIENCE};

pub use sigstore_http::HttpConfig;
pub use sigstore_trust::tuf::{LoadOptions, Loaded, Origin};
pub use sigstore_trust::Instance;
pub use sigstore_types::{Bundle, SigningConfig, TrustedRoot};

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
