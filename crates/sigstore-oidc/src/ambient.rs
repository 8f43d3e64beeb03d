//! Ambient credential detection (spec §7.3): identity tokens with audience `sigstore` that the
//! environment provides, tried in [`DETECTION_ORDER`]; the first credential found wins.
//!
//! Each detector returns `Ok(None)` when its environment is absent and an error when the
//! environment is present but the token cannot be obtained, so a misconfigured CI job fails
//! clearly instead of silently falling through. Tokens are never logged, and no error holds
//! one.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use sigstore_http::{HttpClient, HttpConfig, Request};

use crate::env::{find_program, non_empty, Env};
use crate::token::{IdentityToken, MAX_TOKEN_LEN, SIGSTORE_AUDIENCE};
use crate::Error;
use sigstore_types::Timestamp;

/// Default timeout for each request and each helper program (as in `id`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default Google Compute Engine metadata service base URL.
pub const GCP_METADATA_URL: &str = "http://metadata/computeMetadata/v1";
/// Default Google IAM Credentials API base URL.
pub const GCP_IAM_URL: &str = "https://iamcredentials.googleapis.com/v1";
/// Where Linux exposes the machine's DMI product name.
pub const DMI_PRODUCT_NAME: &str = "/sys/class/dmi/id/product_name";
/// cosign's default token file.
pub const DEFAULT_TOKEN_FILE: &str = "/var/run/sigstore/cosign/oidc-token";
/// Most bytes kept from a failed helper program's standard error.
const MAX_STDERR: usize = 512;

/// A source of ambient credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// GitHub Actions (`GITHUB_ACTIONS`; OIDC token request URL and token).
    GitHubActions,
    /// GitLab CI (`GITLAB_CI`; `SIGSTORE_ID_TOKEN` from the job's `id_tokens`).
    GitLab,
    /// Buildkite (`BUILDKITE`; `buildkite-agent oidc request-token`).
    Buildkite,
    /// CircleCI (`CIRCLECI`; `circleci run oidc get`).
    CircleCi,
    /// Google Cloud (`GOOGLE_SERVICE_ACCOUNT_NAME` via IAM, or the GCE metadata service).
    GoogleCloud,
    /// The SPIFFE Workload API (`SPIFFE_ENDPOINT_SOCKET`; a JWT-SVID, Unix only).
    Spiffe,
    /// A token file (`SIGSTORE_ID_TOKEN_FILE`, or cosign's default path if it exists).
    TokenFile,
    /// The `SIGSTORE_ID_TOKEN` variable.
    Environment,
}

impl Provider {
    /// A human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Self::GitHubActions => "GitHub Actions",
            Self::GitLab => "GitLab CI",
            Self::Buildkite => "Buildkite",
            Self::CircleCi => "CircleCI",
            Self::GoogleCloud => "Google Cloud",
            Self::Spiffe => "SPIFFE",
            Self::TokenFile => "token file",
            Self::Environment => "SIGSTORE_ID_TOKEN",
        }
    }

    /// Whether this is one of the ambient providers that
    /// [`AmbientConfig::disable_ambient_providers`] turns off (all but
    /// [`Provider::Environment`], the explicitly given token).
    pub fn is_ambient(self) -> bool {
        !matches!(self, Self::Environment)
    }
}

impl core::fmt::Display for Provider {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// The order [`detect_ambient`] tries the providers in. SPIFFE comes after the CI systems
/// and Google Cloud, whose own markers say which identity the job has (a CI runner inside a
/// SPIFFE-enabled cluster signs as the CI workflow), and before the token file and
/// `SIGSTORE_ID_TOKEN`, which are static fallbacks (cosign's default token file is a
/// generic path) rather than a live workload identity.
pub const DETECTION_ORDER: [Provider; 8] = [
    Provider::GitHubActions,
    Provider::GitLab,
    Provider::Buildkite,
    Provider::CircleCi,
    Provider::GoogleCloud,
    Provider::Spiffe,
    Provider::TokenFile,
    Provider::Environment,
];

/// Settings of ambient detection. The URLs and paths are overridable for tests.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AmbientConfig {
    /// The equivalent of cosign's `--oidc-disable-ambient-providers`: consult only
    /// `SIGSTORE_ID_TOKEN` (the explicitly given token).
    pub disable_ambient_providers: bool,
    /// HTTP settings for GitHub and IAM requests (timeout 30 s by default).
    pub http: HttpConfig,
    /// Timeout for metadata requests and helper programs.
    pub timeout: Duration,
    /// The GCE metadata service base URL ([`GCP_METADATA_URL`]).
    pub gcp_metadata_url: String,
    /// The IAM Credentials API base URL ([`GCP_IAM_URL`]).
    pub gcp_iam_url: String,
    /// The DMI product name file ([`DMI_PRODUCT_NAME`]).
    pub dmi_product_name_path: PathBuf,
    /// The token file read when `SIGSTORE_ID_TOKEN_FILE` is unset and it exists
    /// ([`DEFAULT_TOKEN_FILE`]).
    pub default_token_file: PathBuf,
}

impl Default for AmbientConfig {
    fn default() -> Self {
        Self {
            disable_ambient_providers: false,
            http: HttpConfig::default().with_timeout(DEFAULT_TIMEOUT),
            timeout: DEFAULT_TIMEOUT,
            gcp_metadata_url: GCP_METADATA_URL.to_owned(),
            gcp_iam_url: GCP_IAM_URL.to_owned(),
            dmi_product_name_path: PathBuf::from(DMI_PRODUCT_NAME),
            default_token_file: PathBuf::from(DEFAULT_TOKEN_FILE),
        }
    }
}

impl AmbientConfig {
    /// Sets [`AmbientConfig::disable_ambient_providers`].
    pub fn with_ambient_providers_disabled(mut self, disabled: bool) -> Self {
        self.disable_ambient_providers = disabled;
        self
    }

    /// Sets [`AmbientConfig::http`].
    pub fn with_http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// Sets [`AmbientConfig::timeout`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the Google Cloud metadata and IAM base URLs.
    pub fn with_gcp_urls(mut self, metadata: impl Into<String>, iam: impl Into<String>) -> Self {
        self.gcp_metadata_url = metadata.into();
        self.gcp_iam_url = iam.into();
        self
    }

    /// Sets [`AmbientConfig::dmi_product_name_path`].
    pub fn with_dmi_product_name_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.dmi_product_name_path = path.into();
        self
    }

    /// Sets [`AmbientConfig::default_token_file`].
    pub fn with_default_token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.default_token_file = path.into();
        self
    }
}

/// A token found in the environment, with where it came from. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AmbientCredential {
    provider: Provider,
    token: String,
}

impl AmbientCredential {
    /// The provider that supplied the token.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The raw JWT (a secret: never log it). Decode it with
    /// [`AmbientCredential::identity_token`].
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Decodes the token's claims at `now` ([`IdentityToken::parse`]).
    pub fn identity_token(&self, now: Timestamp) -> Result<IdentityToken, Error> {
        IdentityToken::parse(&self.token, now)
    }

    /// The raw JWT, consuming the credential.
    pub fn into_token(self) -> String {
        self.token
    }
}

impl core::fmt::Debug for AmbientCredential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AmbientCredential")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

/// Tries the providers in [`DETECTION_ORDER`] and returns the first credential found, or
/// `None`. With [`AmbientConfig::disable_ambient_providers`] only [`Provider::Environment`]
/// is tried. A provider whose environment is present but fails stops the search with its
/// error.
pub async fn detect_ambient(
    env: &dyn Env,
    config: &AmbientConfig,
) -> Result<Option<AmbientCredential>, Error> {
    for provider in DETECTION_ORDER {
        if config.disable_ambient_providers && provider.is_ambient() {
            continue;
        }
        if let Some(credential) = detect_provider(provider, env, config).await? {
            return Ok(Some(credential));
        }
    }
    Ok(None)
}

/// Runs one provider's detector: `Ok(None)` when its environment is absent.
pub async fn detect_provider(
    provider: Provider,
    env: &dyn Env,
    config: &AmbientConfig,
) -> Result<Option<AmbientCredential>, Error> {
    let token = match provider {
        Provider::GitHubActions => github_actions(env, config).await?,
        Provider::GitLab => gitlab(env)?,
        Provider::Buildkite => buildkite(env, config).await?,
        Provider::CircleCi => circleci(env, config).await?,
        Provider::GoogleCloud => google_cloud(env, config).await?,
        Provider::Spiffe => crate::spiffe::spiffe(env, config).await?,
        Provider::TokenFile => token_file(env, config)?,
        Provider::Environment => non_empty(env, "SIGSTORE_ID_TOKEN"),
    };
    token
        .map(|token| {
            check_jwt_shape(&token)
                .map_err(|reason| Error::MalformedCredential { provider, reason })?;
            Ok(AmbientCredential {
                provider,
                token: token.trim().to_owned(),
            })
        })
        .transpose()
}

/// A cheap check that `token` is a compact JWS (three non-empty base64url parts), so a
/// helper's chatter or an HTML error page is not taken for a token.
fn check_jwt_shape(token: &str) -> Result<(), &'static str> {
    let token = token.trim();
    if token.is_empty() {
        return Err("empty");
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err("too large");
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err("not three dot-separated parts");
    }
    let base64url = |part: &&str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
    };
    if !parts.iter().all(base64url) {
        return Err("a part is empty or not base64url");
    }
    Ok(())
}

/// Appends `audience=sigstore` to `url`, with `&` if it already has a query.
pub fn with_audience_query(url: &str) -> String {
    let param = format!("audience={SIGSTORE_AUDIENCE}");
    match url.find('?') {
        None => format!("{url}?{param}"),
        Some(_) if url.ends_with('?') || url.ends_with('&') => format!("{url}{param}"),
        Some(_) => format!("{url}&{param}"),
    }
}

/// The string member `name` of a JSON object body.
fn json_string_field(body: &[u8], name: &str) -> Option<String> {
    match serde_json::from_slice::<serde_json::Value>(body).ok()? {
        serde_json::Value::Object(mut map) => match map.remove(name)? {
            serde_json::Value::String(value) => Some(value),
            _ => None,
        },
        _ => None,
    }
}

fn http_error(provider: Provider) -> impl Fn(sigstore_http::Error) -> Error {
    move |source| Error::Http { provider, source }
}

async fn github_actions(env: &dyn Env, config: &AmbientConfig) -> Result<Option<String>, Error> {
    const PROVIDER: Provider = Provider::GitHubActions;
    const HINT: &str = "the workflow or job needs `permissions: id-token: write`";
    if non_empty(env, "GITHUB_ACTIONS").is_none() {
        return Ok(None);
    }
    let missing = |variable| Error::MissingVariable {
        provider: PROVIDER,
        variable,
        hint: HINT,
    };
    let request_token = non_empty(env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .ok_or(missing("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))?;
    let request_url = non_empty(env, "ACTIONS_ID_TOKEN_REQUEST_URL")
        .ok_or(missing("ACTIONS_ID_TOKEN_REQUEST_URL"))?;
    let client = HttpClient::new(config.http.clone()).map_err(http_error(PROVIDER))?;
    let request = Request::get(with_audience_query(request_url.trim()))
        .accept("application/json")
        .bearer(request_token.trim());
    let response = client
        .send_ok(&request)
        .await
        .map_err(http_error(PROVIDER))?;
    json_string_field(&response.body, "value")
        .map(Some)
        .ok_or(Error::BadResponse {
            provider: PROVIDER,
            reason: "not a JSON object with a string \"value\"",
        })
}

fn gitlab(env: &dyn Env) -> Result<Option<String>, Error> {
    if non_empty(env, "GITLAB_CI").is_none() {
        return Ok(None);
    }
    non_empty(env, "SIGSTORE_ID_TOKEN")
        .map(Some)
        .ok_or(Error::MissingVariable {
            provider: Provider::GitLab,
            variable: "SIGSTORE_ID_TOKEN",
            hint: "add `id_tokens: { SIGSTORE_ID_TOKEN: { aud: sigstore } }` to the job",
        })
}

async fn buildkite(env: &dyn Env, config: &AmbientConfig) -> Result<Option<String>, Error> {
    if non_empty(env, "BUILDKITE").is_none() {
        return Ok(None);
    }
    run_helper(
        Provider::Buildkite,
        env,
        config,
        "buildkite-agent",
        &["oidc", "request-token", "--audience", SIGSTORE_AUDIENCE],
    )
    .await
    .map(Some)
}

async fn circleci(env: &dyn Env, config: &AmbientConfig) -> Result<Option<String>, Error> {
    if non_empty(env, "CIRCLECI").is_none() {
        return Ok(None);
    }
    let claims = format!("{{\"aud\":\"{SIGSTORE_AUDIENCE}\"}}");
    run_helper(
        Provider::CircleCi,
        env,
        config,
        "circleci",
        &["run", "oidc", "get", "--claims", &claims],
    )
    .await
    .map(Some)
}

/// Runs `program` (found on `env`'s `PATH`) and returns its standard output. The program
/// inherits this process's environment; its output is never logged.
async fn run_helper(
    provider: Provider,
    env: &dyn Env,
    config: &AmbientConfig,
    program: &'static str,
    args: &[&str],
) -> Result<String, Error> {
    let path = find_program(env, program).ok_or(Error::CommandNotFound { provider, program })?;
    let io_error = |source| Error::CommandIo {
        provider,
        program,
        source,
    };
    let child = tokio::process::Command::new(&path)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(io_error)?;
    let output = tokio::time::timeout(config.timeout, child.wait_with_output())
        .await
        .map_err(|_| Error::CommandTimeout {
            provider,
            program,
            seconds: config.timeout.as_secs(),
        })?
        .map_err(io_error)?;
    if !output.status.success() {
        let end = output.stderr.len().min(MAX_STDERR);
        let stderr = String::from_utf8_lossy(output.stderr.get(..end).unwrap_or_default())
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .trim()
            .to_owned();
        return Err(Error::CommandFailed {
            provider,
            program,
            code: output.status.code(),
            stderr,
        });
    }
    String::from_utf8(output.stdout).map_err(|_| Error::MalformedCredential {
        provider,
        reason: "the program's output is not UTF-8",
    })
}

async fn google_cloud(env: &dyn Env, config: &AmbientConfig) -> Result<Option<String>, Error> {
    const PROVIDER: Provider = Provider::GoogleCloud;
    if let Some(account) = non_empty(env, "GOOGLE_SERVICE_ACCOUNT_NAME") {
        let account = account.trim();
        let valid = account
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@._-".contains(&b));
        if !valid {
            return Err(Error::InvalidVariable {
                provider: PROVIDER,
                variable: "GOOGLE_SERVICE_ACCOUNT_NAME",
            });
        }
        let metadata = MetadataClient::new(config)?;
        let token_url = sigstore_http::join_url(
            &config.gcp_metadata_url,
            "instance/service-accounts/default/token?scopes=https://www.googleapis.com/auth/cloud-platform",
        );
        let response = metadata.get(&token_url).await?;
        let access_token =
            json_string_field(&response, "access_token").ok_or(Error::BadResponse {
                provider: PROVIDER,
                reason: "the metadata token response has no string \"access_token\"",
            })?;
        let iam_url = sigstore_http::join_url(
            &config.gcp_iam_url,
            &format!("projects/-/serviceAccounts/{account}:generateIdToken"),
        );
        let body = serde_json::json!({"audience": SIGSTORE_AUDIENCE, "includeEmail": true});
        let client = HttpClient::new(config.http.clone()).map_err(http_error(PROVIDER))?;
        let response = client
            .send_ok(
                &Request::post_json(iam_url, &body)
                    .accept("application/json")
                    .bearer(&access_token),
            )
            .await
            .map_err(http_error(PROVIDER))?;
        return json_string_field(&response.body, "token")
            .map(Some)
            .ok_or(Error::BadResponse {
                provider: PROVIDER,
                reason: "the generateIdToken response has no string \"token\"",
            });
    }
    if !on_google_compute_engine(&config.dmi_product_name_path) {
        return Ok(None);
    }
    let metadata = MetadataClient::new(config)?;
    let url = sigstore_http::join_url(
        &config.gcp_metadata_url,
        &format!(
            "instance/service-accounts/default/identity?audience={SIGSTORE_AUDIENCE}&format=full"
        ),
    );
    let body = metadata.get(&url).await?;
    String::from_utf8(body)
        .map(Some)
        .map_err(|_| Error::BadResponse {
            provider: PROVIDER,
            reason: "the identity response is not UTF-8",
        })
}

fn on_google_compute_engine(dmi_path: &Path) -> bool {
    let mut name = String::new();
    let read = std::fs::File::open(dmi_path)
        .and_then(|file| file.take(256).read_to_string(&mut name))
        .is_ok();
    read && matches!(name.trim(), "Google" | "Google Compute Engine")
}

/// Requests to the GCE metadata service: `Metadata-Flavor: Google`, never through a proxy,
/// responses capped like other token responses.
struct MetadataClient {
    client: reqwest::Client,
    limit: usize,
}

impl MetadataClient {
    fn new(config: &AmbientConfig) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(config.timeout)
            .connect_timeout(config.http.connect_timeout)
            .user_agent(config.http.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Http {
                provider: Provider::GoogleCloud,
                source: sigstore_http::Error::Build(e),
            })?;
        Ok(Self {
            client,
            limit: config.http.max_response_bytes,
        })
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, Error> {
        let fail = |source: sigstore_http::Error| Error::Http {
            provider: Provider::GoogleCloud,
            source,
        };
        let transport = |source: reqwest::Error| {
            fail(if source.is_timeout() {
                sigstore_http::Error::Timeout {
                    url: url.to_owned(),
                }
            } else {
                sigstore_http::Error::Transport {
                    url: url.to_owned(),
                    source,
                }
            })
        };
        let mut response = self
            .client
            .get(url)
            .header("Metadata-Flavor", "Google")
            .send()
            .await
            .map_err(transport)?;
        let too_large = || {
            fail(sigstore_http::Error::ResponseTooLarge {
                url: url.to_owned(),
                limit: self.limit,
            })
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len().saturating_add(chunk.len()) > self.limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let response = sigstore_http::Response {
            url: url.to_owned(),
            status,
            headers,
            body,
        };
        Ok(response.error_for_status().map_err(fail)?.body)
    }
}

fn token_file(env: &dyn Env, config: &AmbientConfig) -> Result<Option<String>, Error> {
    let (path, explicit) = match non_empty(env, "SIGSTORE_ID_TOKEN_FILE") {
        Some(path) => (PathBuf::from(path.trim()), true),
        None => (config.default_token_file.clone(), false),
    };
    let file_error = |source| Error::TokenFile {
        provider: Provider::TokenFile,
        path: path.clone(),
        source,
    };
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(e)),
    };
    let mut text = String::new();
    let limit = u64::try_from(MAX_TOKEN_LEN)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(limit)
        .read_to_string(&mut text)
        .map_err(file_error)?;
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_query() {
        assert_eq!(
            with_audience_query("https://x/t"),
            "https://x/t?audience=sigstore"
        );
        assert_eq!(
            with_audience_query("https://x/t?api-version=2.0"),
            "https://x/t?api-version=2.0&audience=sigstore"
        );
        assert_eq!(
            with_audience_query("https://x/t?"),
            "https://x/t?audience=sigstore"
        );
        assert_eq!(
            with_audience_query("https://x/t?a=1&"),
            "https://x/t?a=1&audience=sigstore"
        );
    }

    #[test]
    fn jwt_shape() {
        assert!(check_jwt_shape("a.b.c").is_ok());
        assert!(check_jwt_shape(" aB-_.b=.c\n").is_ok());
        for bad in ["", "  ", "a.b", "a.b.c.d", "a..c", "<html>.b.c", "a b.c.d"] {
            assert!(check_jwt_shape(bad).is_err(), "{bad:?}");
        }
        assert!(check_jwt_shape(&"a.b.".repeat(MAX_TOKEN_LEN)).is_err());
    }

    #[test]
    fn credential_debug_hides_token() {
        let c = AmbientCredential {
            provider: Provider::GitLab,
            token: "secret.secret.secret".into(),
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("GitLab"));
    }

    #[test]
    fn order_is_fixed() {
        assert_eq!(DETECTION_ORDER.first(), Some(&Provider::GitHubActions));
        assert_eq!(DETECTION_ORDER.last(), Some(&Provider::Environment));
        assert_eq!(
            DETECTION_ORDER.iter().filter(|p| !p.is_ambient()).count(),
            1
        );
    }
}
