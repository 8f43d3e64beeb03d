//! X.509 for Sigstore: certificate parsing, path validation at a given time, Fulcio extensions
//! and identity policies.
//!
//! - [`Certificate`]: a certificate parsed once (DER, decoded structure, public key, key
//!   usages), with [`Certificate::verify_signed_by`].
//! - [`verify_chain`] and [`verify_tsa_chain`]: RFC 5280 path validation against trusted
//!   [`CertificateAuthority`] chains at a caller-supplied time (the hybrid model: the time is a
//!   verified signing time).
//! - [`FulcioExtensions`], [`san`], [`check_fulcio_leaf_profile`]: what a Fulcio certificate
//!   attests.
//! - [`VerificationPolicy`] and its implementations ([`Identity`], [`OIDCIssuer`], one per
//!   Fulcio extension, [`AllOf`], [`AnyOf`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cert;
mod chain;
mod describe;
mod error;
mod fulcio;
mod github;
pub mod oids;
mod pattern;
mod policy;
mod unicode_tables;

pub use cert::{Certificate, Extension};
pub use chain::{verify_chain, verify_tsa_chain, CertificateAuthority, KeyPurpose, VerifiedChain};
pub use describe::describe_certificate;
pub use error::Error;
pub use fulcio::{
    check_fulcio_leaf_profile, issuer, raw_extension, san, utf8_extension, FulcioExtensions,
    SubjectAlternativeName,
};
pub use github::{GitHubPolicy, GitHubWorkflowPolicy, GITHUB_ACTIONS_ISSUER};
pub use policy::{
    AllOf, AnyOf, BuildConfigDigest, BuildConfigURI, BuildSignerDigest, BuildSignerURI,
    BuildTrigger, DeploymentEnvironment, GitHubWorkflowName, GitHubWorkflowRef,
    GitHubWorkflowRepository, GitHubWorkflowSHA, GitHubWorkflowTrigger, Identity, IdentityMatcher,
    IssuerMatcher, Matcher, OIDCIssuer, PolicyError, RunInvocationURI, RunnerEnvironment,
    SourceRepositoryDigest, SourceRepositoryIdentifier, SourceRepositoryOwnerIdentifier,
    SourceRepositoryOwnerURI, SourceRepositoryRef, SourceRepositoryURI,
    SourceRepositoryVisibilityAtSigning, TokenSubject, VerificationPolicy,
};

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
