//! Sigstore OIDC identity tokens (spec §7).
//!
//! - [`IdentityToken::parse`] (or [`IdentityToken::parse_with_audience`] for a private
//!   deployment's client ID) decodes a JWT's claims WITHOUT verifying its signature (Fulcio
//!   verifies it) and checks audience, expiry and the claims signing needs;
//!   [`IdentityToken::identity`] is the identity the certificate will prove.
//! - [`detect_ambient`] finds a token the environment provides (GitHub Actions, GitLab CI,
//!   Buildkite, CircleCI, Google Cloud, the SPIFFE Workload API, a token file,
//!   `SIGSTORE_ID_TOKEN`), reading variables through an injected [`Env`] so callers and
//!   tests control what is seen.
//!
//! - [`OidcClient`] logs a user in interactively (spec §7.1): [`OidcClient::browser_login`]
//!   (authorization code with PKCE S256, `state`, `nonce` and a loopback redirect),
//!   [`OidcClient::oob_login`] (the user pastes the code) and [`OidcClient::device_login`]
//!   (RFC 8628), after discovery of the provider's endpoints ([`OidcClient::discover`]).
//!
//! - [`resolve_token`], [`detect_token`] and [`LoginOptions`] put these together the way a
//!   signer obtains its token: given, [`TOKEN_ENV`], ambient, else a login (flow and provider
//!   chosen by the options, the out-of-band code read by [`StdinLine`]).
//!
//! Tokens, codes, verifiers and client secrets are secrets: `Debug` output and errors never
//! contain one.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ambient;
mod browser;
mod discovery;
mod env;
mod error;
mod login;
mod loopback;
mod oauth;
mod obtain;
mod spiffe;
mod token;

pub use ambient::{
    detect_ambient, detect_provider, with_audience_query, AmbientConfig, AmbientCredential,
    Provider, DEFAULT_TIMEOUT, DEFAULT_TOKEN_FILE, DETECTION_ORDER, DMI_PRODUCT_NAME, GCP_IAM_URL,
    GCP_METADATA_URL,
};
pub use browser::{BrowserOpener, LoginPrompt, StderrPrompt};
pub use discovery::{discovery_url, ProviderMetadata, DISCOVERY_PATH};
pub use env::{find_program, Env, ProcessEnv};
pub use error::Error;
pub use login::{
    check_id_token, AuthorizationRequest, DeviceAuthorization, OidcClient, OidcConfig,
    DEFAULT_CLIENT_ID, DEFAULT_DEVICE_INTERVAL, DEFAULT_HTTP_TIMEOUT, DEFAULT_ISSUER,
    DEFAULT_LOGIN_TIMEOUT, DEVICE_CODE_GRANT_TYPE, LOGIN_SCOPE, MAX_OIDC_RESPONSE_BYTES,
    OOB_REDIRECT_URI,
};
pub use loopback::CALLBACK_PATH;
pub use obtain::{
    detect_token, non_empty_token, resolve_token, resolve_token_or_detect, LoginFlow, LoginOptions,
    StdinLine, TokenSource, MAX_OOB_LINE, TOKEN_ENV,
};
pub use token::{
    IdentityToken, EMAIL_ISSUERS, GITHUB_ACTIONS_ISSUER, LEEWAY_SECS, MAX_TOKEN_LEN,
    SIGSTORE_AUDIENCE,
};

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
