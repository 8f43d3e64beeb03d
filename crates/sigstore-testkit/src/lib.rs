//! A local Sigstore for tests: Fulcio, Rekor v1 and v2, a CT log, a timestamp authority and
//! an OIDC issuer, with fresh keys and real cryptography.
//!
//! Two layers:
//!
//! - [`VirtualSigstore`]: every authority in-process and synchronous (like sigstore-go's
//!   `pkg/testing/ca`). It mints identity tokens, issues Fulcio certificates with embedded
//!   SCTs, logs entries in Rekor v1 (SET, inclusion proof, signed checkpoint) and Rekor v2
//!   (Ed25519 checkpoint), answers RFC 3161 requests, and describes itself as a
//!   [`sigstore_types::TrustedRoot`], [`sigstore_types::SigningConfig`] and
//!   [`sigstore_types::ClientTrustConfig`]. Time is always a parameter. [`Tampering`] makes
//!   any service produce a specific defect.
//! - [`Testkit`]: the same services over HTTP/1.1 on 127.0.0.1 (one port each), with
//!   [`Fault`]s injectable per [`Endpoint`] at run time. `cargo run -p sigstore-testkit --
//!   serve --dir DIR` starts it by hand and writes the trust files.
//!
//! Fulcio trusts the testkit's own issuer and, optionally, real OpenID providers
//! ([`ExternalIssuer`], through [`TestkitOptions`] or [`VirtualSigstore::trust_issuer`]), so a
//! test can log in through a real provider and sign with the testkit.
//!
//! ```
//! use sigstore_crypto::{HashAlgorithm, SigningKey};
//! use sigstore_testkit::{Identity, LogVerifier, VirtualSigstore};
//! use sigstore_types::Timestamp;
//!
//! let now = Timestamp::from_unix(1_750_000_000);
//! let sigstore = VirtualSigstore::new(now)?;
//! let key = SigningKey::generate()?;
//! let cert = sigstore.issue_certificate(
//!     &Identity::email("alice@example.com", sigstore.oidc_issuer()),
//!     key.public_key().spki_der(),
//!     now,
//! )?;
//! let signature = key.sign(b"hello");
//! let entry = sigstore.rekor_v1_add_hashedrekord(
//!     LogVerifier::Certificate(&cert.leaf),
//!     &signature,
//!     &HashAlgorithm::Sha256.digest(b"hello"),
//!     now,
//! )?;
//! assert_eq!(entry.kind, "hashedrekord");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod external;
mod identity;
mod jwt;
mod keys;
pub mod merkle;
mod server;
mod tsp;
mod virtual_sigstore;
mod x509;

pub use error::{Error, TokenError};
pub use external::ExternalIssuer;
pub use identity::{Identity, San};
pub use server::{Endpoint, Fault, Testkit, TestkitOptions};
pub use virtual_sigstore::{
    timestamp_request, IssuedCertificate, LogVerifier, Tampering, Urls, VirtualSigstore,
    REKOR_V1_SHARD_OFFSET,
};

/// The current time from the system clock (the HTTP services use it; in-process callers pass
/// their own times).
pub fn system_now() -> sigstore_types::Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    sigstore_types::Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
}
