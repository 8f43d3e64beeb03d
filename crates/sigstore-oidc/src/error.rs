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
    /// The token's audience (`aud`) does not include the expected one (`sigstore`, or the
    /// configured client ID).
    #[error("the identity token's audience does not include {expected:?}")]
    TokenAudience {
        /// The audience that was required (sanitised).
        expected: String,
    },
    /// The ID token names another authorized party (`azp`) than this client.
    #[error(
        "the ID token was issued to the client {found:?} (azp), not to {expected:?}; the token \
         was rejected"
    )]
    TokenAuthorizedParty {
        /// The configured client ID (sanitised).
        expected: String,
        /// The token's `azp` (sanitised).
        found: String,
    },
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
    /// The configured OIDC issuer is not a usable issuer URL.
    #[error("invalid OIDC issuer {issuer:?}: {reason}")]
    InvalidIssuer {
        /// The issuer as configured.
        issuer: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The login configuration is unusable.
    #[error("invalid OIDC login configuration: {0}")]
    InvalidConfig(&'static str),
    /// The HTTP client for the login could not be built.
    #[error("cannot build the HTTP client for the OIDC login")]
    HttpClient(#[source] sigstore_http::Error),
    /// The provider's OpenID configuration could not be fetched.
    #[error(
        "cannot fetch the OpenID configuration of {issuer} (check the issuer URL and that the \
         provider is reachable)"
    )]
    DiscoveryRequest {
        /// The issuer.
        issuer: String,
        /// The cause (names the URL).
        #[source]
        source: sigstore_http::Error,
    },
    /// The provider's OpenID configuration is unusable.
    #[error("the OpenID configuration of {issuer} is unusable: {reason}")]
    Discovery {
        /// The issuer.
        issuer: String,
        /// What is wrong.
        reason: String,
    },
    /// The OpenID configuration names another issuer than the configured one.
    #[error(
        "the OpenID configuration names the issuer {found:?}, not the configured {expected:?}"
    )]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer the document names (sanitised).
        found: String,
    },
    /// The operating system's random number generator failed.
    #[error("cannot get random bytes from the operating system")]
    Random,
    /// The loopback listener for the browser redirect failed.
    #[error("cannot listen for the browser redirect on 127.0.0.1")]
    Loopback(#[source] std::io::Error),
    /// The browser redirect's `state` is missing or not this login's. The redirect is
    /// rejected: it may be a forged (cross-site) request.
    #[error(
        "the browser redirect carried a missing or wrong `state`; the login was rejected \
         (it may not have come from this login's authorization request)"
    )]
    StateMismatch,
    /// The browser redirect's RFC 9207 `iss` parameter is missing or names another issuer.
    #[error("the browser redirect does not name the issuer {expected:?} (iss parameter); the login was rejected")]
    AuthorizationResponseIssuer {
        /// The issuer.
        expected: String,
    },
    /// The provider redirected with an OAuth error (the user declined, or the request was
    /// refused).
    #[error("the provider refused the login: {error}{}", description_suffix(.description))]
    AuthorizationDenied {
        /// The OAuth `error` code (sanitised).
        error: String,
        /// `error_description` (sanitised), if any.
        description: Option<String>,
    },
    /// The redirect or input has no authorization code.
    #[error("no authorization code was received")]
    MissingCode,
    /// The user did not complete the login in time.
    #[error("the {flow} login did not complete within {seconds} s; start it again")]
    LoginTimeout {
        /// `browser`, `out-of-band` or `device`.
        flow: &'static str,
        /// The timeout.
        seconds: u64,
    },
    /// The browser login timed out after the redirect listener had ignored callbacks that
    /// were not this login's (a missing or wrong `state`) or named another issuer (`iss`).
    #[error(
        "the browser login did not complete within {seconds} s; the redirect listener ignored \
         {}; start it again",
        rejected_summary(*.wrong_state, *.wrong_issuer)
    )]
    CallbacksRejected {
        /// The timeout.
        seconds: u64,
        /// Callbacks with a missing, repeated or wrong `state`.
        wrong_state: u64,
        /// Callbacks with this login's `state` but without the issuer's `iss`.
        wrong_issuer: u64,
    },
    /// The thread reading the out-of-band code from standard input could not start.
    #[error("cannot start reading the verification code from standard input")]
    OobInputThread(#[source] std::io::Error),
    /// An identity token given or found is empty (or only whitespace).
    #[error("the identity token is empty")]
    EmptyToken,
    /// The out-of-band code could not be read.
    #[error("cannot read the verification code")]
    OobInput(#[source] std::io::Error),
    /// The out-of-band input is not a usable code.
    #[error("no usable verification code: {0}")]
    OobCode(&'static str),
    /// A request to a provider endpoint failed (connection, timeout, size cap).
    #[error("the {endpoint} request failed")]
    Request {
        /// `token` or `device authorization`.
        endpoint: &'static str,
        /// The cause (names the URL, never the request body).
        #[source]
        source: sigstore_http::Error,
    },
    /// A provider endpoint answered with an OAuth error (for example `invalid_grant` for a
    /// code used twice).
    #[error(
        "the {endpoint} endpoint refused the request (HTTP {status}): {error}{}",
        description_suffix(.description)
    )]
    OAuth {
        /// `token` or `device authorization`.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code (sanitised).
        error: String,
        /// `error_description` (sanitised), if any.
        description: Option<String>,
    },
    /// A provider endpoint answered success with unusable content.
    #[error("unexpected response from the {endpoint} endpoint: {reason}")]
    TokenResponse {
        /// `token` or `device authorization`.
        endpoint: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The ID token's `nonce` is missing or not this login's (a replayed or substituted
    /// token).
    #[error("the ID token's nonce does not match this login's; the token was rejected")]
    NonceMismatch,
    /// The ID token was issued by another issuer than the provider's.
    #[error("the ID token was issued by {found:?}, not by {expected:?}")]
    TokenIssuer {
        /// The provider's issuer.
        expected: String,
        /// The token's `iss` (sanitised).
        found: String,
    },
    /// The provider offers no device flow.
    #[error(
        "the provider {issuer} does not offer the device flow (no device_authorization_endpoint)"
    )]
    DeviceFlowUnsupported {
        /// The issuer.
        issuer: String,
    },
    /// The user denied the device login.
    #[error("the device login was denied")]
    DeviceDenied,
    /// The device code expired before the login was approved.
    #[error("the device code expired before the login was approved; start it again")]
    DeviceExpired,
    /// The client has a secret, but the provider supports neither `client_secret_basic`
    /// nor `client_secret_post`.
    #[error(
        "the provider supports neither client_secret_basic nor client_secret_post for the \
         client secret"
    )]
    UnsupportedClientAuth,
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
    /// The SPIFFE Workload API could not be reached or did not answer with a token
    /// (connection, HTTP/2 or gRPC failure, an error status, a timeout).
    #[error("{provider}: Workload API at {endpoint}: {reason}")]
    WorkloadApi {
        /// The provider.
        provider: Provider,
        /// The endpoint (`SPIFFE_ENDPOINT_SOCKET`).
        endpoint: String,
        /// What failed, with the server's sanitized, truncated `grpc-message` if any.
        reason: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
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

fn description_suffix(description: &Option<String>) -> String {
    match description {
        Some(d) => format!(": {d}"),
        None => String::new(),
    }
}

/// "2 callbacks with a missing or wrong state and 1 naming another issuer".
fn rejected_summary(wrong_state: u64, wrong_issuer: u64) -> String {
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let state = format!(
        "{wrong_state} callback{} with a missing or wrong state (not from this login)",
        plural(wrong_state)
    );
    let issuer = format!(
        "{wrong_issuer} callback{} not naming the provider as issuer (iss)",
        plural(wrong_issuer)
    );
    match (wrong_state, wrong_issuer) {
        (_, 0) => state,
        (0, _) => issuer,
        _ => format!("{state} and {issuer}"),
    }
}
