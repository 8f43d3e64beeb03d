//! The crate's error type.

use std::path::PathBuf;

use sigstore_types::Timestamp;

use crate::Provider;

/// Errors of token parsing and ambient credential detection. No variant ever holds a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The identity token is not a decodable JWT.
    #[error("malformed identity token: {0}")]
    MalformedToken(&'static str),
    /// A required claim is missing.
    #[error("the identity token has no {0:?} claim")]
    MissingClaim(&'static str),
    /// The token's audience does not include `sigstore`.
    #[error("the identity token's audience does not include \"sigstore\"")]
    TokenAudience,
    /// The token has expired.
    #[error(
        "the identity token expired at {expired_at} (now {now}); obtain a fresh token and retry"
    )]
    TokenExpired {
        /// `exp`.
        expired_at: Timestamp,
        /// The time of the check.
        now: Timestamp,
    },
    /// The token is not valid yet (`nbf` or `iat` in the future, beyond the leeway).
    #[error("the identity token is not valid before {not_before} (now {now}); check the clock")]
    TokenNotYetValid {
        /// `nbf` or `iat`.
        not_before: Timestamp,
        /// The time of the check.
        now: Timestamp,
    },
    /// An email issuer's token says its email is not verified (Fulcio would reject it).
    #[error("the identity token's email is not verified (email_verified is false)")]
    EmailNotVerified,
    /// A provider's environment is present but a variable it needs is not set.
    #[error("{provider}: {variable} is not set; {hint}")]
    MissingVariable {
        /// The provider.
        provider: Provider,
        /// The variable.
        variable: &'static str,
        /// What to configure.
        hint: &'static str,
    },
    /// A variable a provider reads has a value it cannot use.
    #[error("{provider}: {variable} has an unusable value")]
    InvalidVariable {
        /// The provider.
        provider: Provider,
        /// The variable.
        variable: &'static str,
    },
    /// A request to the provider's token service failed.
    #[error("{provider}: token request failed")]
    Http {
        /// The provider.
        provider: Provider,
        /// The cause (names the URL, never the credential).
        #[source]
        source: sigstore_http::Error,
    },
    /// The token service answered, but not with the expected content.
    #[error("{provider}: unexpected token response: {reason}")]
    BadResponse {
        /// The provider.
        provider: Provider,
        /// What is wrong.
        reason: &'static str,
    },
    /// The program a provider runs is not on `PATH`.
    #[error("{provider}: `{program}` was not found on PATH")]
    CommandNotFound {
        /// The provider.
        provider: Provider,
        /// The program name.
        program: &'static str,
    },
    /// The program could not be started or its output not read.
    #[error("{provider}: cannot run `{program}`")]
    CommandIo {
        /// The provider.
        provider: Provider,
        /// The program name.
        program: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The program did not finish within the timeout.
    #[error("{provider}: `{program}` did not finish within {seconds} s")]
    CommandTimeout {
        /// The provider.
        provider: Provider,
        /// The program name.
        program: &'static str,
        /// The timeout.
        seconds: u64,
    },
    /// The program exited unsuccessfully.
    #[error("{provider}: `{program}` failed ({}){}", exit_text(*.code), stderr_suffix(.stderr))]
    CommandFailed {
        /// The provider.
        provider: Provider,
        /// The program name.
        program: &'static str,
        /// The exit code, if it exited normally.
        code: Option<i32>,
        /// The start of its standard error (its standard output, the token, is never kept).
        stderr: String,
    },
    /// A token file cannot be read.
    #[error("{provider}: cannot read the token file {}", .path.display())]
    TokenFile {
        /// The provider.
        provider: Provider,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The credential a provider produced does not look like a JWT.
    #[error("{provider}: the credential is not a JWT: {reason}")]
    MalformedCredential {
        /// The provider.
        provider: Provider,
        /// What is wrong.
        reason: &'static str,
    },
}

fn exit_text(code: Option<i32>) -> String {
    match code {
        Some(code) => format!("exit code {code}"),
        None => "terminated by a signal".to_owned(),
    }
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}
