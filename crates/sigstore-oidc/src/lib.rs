//! Sigstore OIDC identity tokens (spec §7).
//!
//! - [`IdentityToken::parse`] decodes a JWT's claims WITHOUT verifying its signature (Fulcio
//!   verifies it) and checks audience, expiry and the claims signing needs;
//!   [`IdentityToken::identity`] is the identity the certificate will prove.
//! - [`detect_ambient`] finds a token the environment provides (GitHub Actions, GitLab CI,
//!   Buildkite, CircleCI, Google Cloud, a token file, `SIGSTORE_ID_TOKEN`), reading variables
//!   through an injected [`Env`] so callers and tests control what is seen.
//!
//! Tokens are secrets: `Debug` output and errors never contain one.
//!
//! SPIFFE workload API credentials and the interactive browser flow are not implemented.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ambient;
mod env;
mod error;
mod token;

pub use ambient::{
    detect_ambient, detect_provider, with_audience_query, AmbientConfig, AmbientCredential,
    Provider, DEFAULT_TIMEOUT, DEFAULT_TOKEN_FILE, DETECTION_ORDER, DMI_PRODUCT_NAME, GCP_IAM_URL,
    GCP_METADATA_URL,
};
pub use env::{find_program, Env, ProcessEnv};
pub use error::Error;
pub use token::{
    IdentityToken, EMAIL_ISSUERS, GITHUB_ACTIONS_ISSUER, LEEWAY_SECS, MAX_TOKEN_LEN,
    SIGSTORE_AUDIENCE,
};
