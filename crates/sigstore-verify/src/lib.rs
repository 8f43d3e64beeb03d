//! Offline verification of Sigstore bundles.
//!
//! A [`Verifier`] is built once from a [`TrustedRoot`] (the deployment: which Fulcio CAs, Rekor
//! logs, CT logs and timestamp authorities to trust) and a [`VerifierConfig`] (how many log
//! entries, verified times and SCTs to require). [`Verifier::verify`] then checks one bundle
//! against an artifact (its bytes or digest) and a [`Policy`] (an identity policy for keyless
//! bundles, or a public key for managed-key bundles), following the Sigstore client
//! specification step by step, and returns a [`VerificationResult`] that records what was
//! verified. There is no way to skip the identity check.
//!
//! Nothing here reads the clock or the network: every time used comes from a verified source
//! in the bundle (an RFC 3161 timestamp or a Rekor signed entry timestamp).
//!
//! ```no_run
//! use sigstore_verify::{Artifact, Policy, Verifier, VerifierConfig};
//! use sigstore_x509_policy::Identity;
//!
//! let root = sigstore_trust::PRODUCTION.trusted_root()?;
//! let verifier = Verifier::new(&root, VerifierConfig::default())?;
//! let bundle = sigstore_types::Bundle::from_json(&std::fs::read("a.txt.sigstore.json")?)?;
//! let policy = Policy::identity(Identity::new(
//!     "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main",
//!     "https://token.actions.githubusercontent.com",
//! ));
//! let result = verifier.verify(&bundle, Artifact::Bytes(&std::fs::read("a.txt")?), &policy)?;
//! println!("signed by {:?}", result.signer);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod digests;
mod error;
mod instance;
mod result;
mod trust;
mod verifier;

pub use digests::{artifact_digest_algorithms, ArtifactDigests, DigestAlgorithms};
pub use error::Error;
pub use result::{
    SignerInfo, SkippedTimestamp, StatementInfo, TimeSource, VerificationResult, VerifiedLogEntry,
    VerifiedTime, WitnessCosignature,
};
pub use trust::TrustMaterial;
pub use verifier::{artifact_digest_algorithm, Artifact, Policy, Verifier, VerifierConfig};

pub use sigstore_rekor::checkpoint::CosignatureVerifier;
#[cfg(feature = "tuf")]
pub use sigstore_trust::tuf::{LoadOptions, Loaded, Origin};
pub use sigstore_trust::Instance;
pub use sigstore_types::{Bundle, TrustedRoot};

/// The identity policies a keyless bundle is verified under (from `sigstore-x509-policy`):
/// [`Identity`] (exact or anchored-regex SAN and issuer), the Fulcio extension policies, and
/// [`AllOf`] / [`AnyOf`] to combine them; implement [`VerificationPolicy`] for your own.
pub mod policy {
    pub use sigstore_x509_policy::{
        AllOf, AnyOf, BuildConfigDigest, BuildConfigURI, BuildSignerDigest, BuildSignerURI,
        BuildTrigger, DeploymentEnvironment, GitHubWorkflowName, GitHubWorkflowRef,
        GitHubWorkflowRepository, GitHubWorkflowSHA, GitHubWorkflowTrigger, Identity,
        IdentityMatcher, IssuerMatcher, Matcher, OIDCIssuer, PolicyError, RunInvocationURI,
        RunnerEnvironment, SourceRepositoryDigest, SourceRepositoryIdentifier,
        SourceRepositoryOwnerIdentifier, SourceRepositoryOwnerURI, SourceRepositoryRef,
        SourceRepositoryURI, SourceRepositoryVisibilityAtSigning, TokenSubject, VerificationPolicy,
    };
}
pub use policy::{AllOf, AnyOf, Identity, VerificationPolicy};

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
