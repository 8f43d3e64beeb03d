//! The HTTP client Sigstore's network clients (Fulcio, Rekor, TSA) share.
//!
//! [`HttpClient`] wraps one `reqwest` client (rustls with the aws-lc-rs provider, the
//! platform's root certificates) configured by an [`HttpConfig`]:
//!
//! - per-request and connect timeouts;
//! - retries with exponential backoff on HTTP 5xx, 429 and connection failures, honouring a
//!   `Retry-After` header given in seconds, every wait capped by [`HttpConfig::max_backoff`];
//! - a cap on response bodies, enforced while the body streams in (a `Content-Length` over the
//!   cap fails before any byte is read);
//! - `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` from the environment (read when
//!   the client is built);
//! - typed errors that name the URL and, for HTTP failures, the status.
//!
//! Only `http` and `https` URLs are accepted.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

/// Most bytes of an error response body kept in [`Error::Status`].
const MAX_ERROR_DETAIL: usize = 512;

/// Errors of the HTTP layer. Each names the URL it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A numeric setting ([`HttpConfig::with_env_overrides`]) is not a non-negative integer.
    #[error("{name} must be a non-negative integer")]
    InvalidSetting {
        /// The setting (an environment variable's name).
        name: &'static str,
    },
    /// The URL does not parse or does not use `http`/`https`.
    #[error("invalid URL {url:?}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
    },
    /// The underlying client could not be built (TLS or proxy configuration).
    #[error("cannot build the HTTP client")]
    Build(#[source] reqwest::Error),
    /// The request did not complete within the timeout.
    #[error("request to {url} timed out")]
    Timeout {
        /// The URL.
        url: String,
    },
    /// Connecting or transferring failed (DNS, TCP, TLS, proxy).
    #[error("request to {url} failed")]
    Transport {
        /// The URL.
        url: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with a non-success status (after any retries).
    #[error("{url} answered HTTP {status}{}", detail_suffix(.detail))]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the response body (lossy UTF-8), for diagnostics.
        detail: String,
    },
    /// The response body is larger than [`HttpConfig::max_response_bytes`].
    #[error("response from {url} exceeds {limit} bytes")]
    ResponseTooLarge {
        /// The URL.
        url: String,
        /// The limit in force.
        limit: usize,
    },
    /// The response body is not the expected JSON.
    #[error("response from {url} is not the expected JSON")]
    Json {
        /// The URL.
        url: String,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl Error {
    /// The HTTP status, for [`Error::Status`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Settings of an [`HttpClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Whole-request timeout (connect, send, headers and body), per attempt.
    pub timeout: Duration,
    /// Connect timeout, per attempt.
    pub connect_timeout: Duration,
    /// Extra attempts after a 5xx, 429 or connection failure (0 = no retry).
    pub retries: u32,
    /// Largest accepted response body in bytes.
    pub max_response_bytes: usize,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// The first backoff wait; each retry doubles it.
    pub initial_backoff: Duration,
    /// Upper bound for any wait between attempts, `Retry-After` included.
    pub max_backoff: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retries: 3,
            max_response_bytes: 1024 * 1024,
            user_agent: concat!("sigstore-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// The environment variables [`HttpConfig::with_env_overrides`] reads: retries (at most 10),
/// timeout in seconds (at least 1; the connect timeout is capped by it), first backoff and
/// backoff cap in milliseconds.
pub const ENV_OVERRIDES: [&str; 4] = [
    "SIGSTORE_HTTP_RETRIES",
    "SIGSTORE_HTTP_TIMEOUT_SECS",
    "SIGSTORE_HTTP_BACKOFF_MS",
    "SIGSTORE_HTTP_MAX_BACKOFF_MS",
];

/// The non-negative integer setting `name` that `lookup` returns, if any;
/// [`Error::InvalidSetting`] when it is set to anything else.
pub fn integer_setting(
    name: &'static str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<u64>, Error> {
    lookup(name)
        .map(|text| text.trim().parse::<u64>())
        .transpose()
        .map_err(|_| Error::InvalidSetting { name })
}

impl HttpConfig {
    /// This configuration adjusted by the [`ENV_OVERRIDES`] settings `lookup` returns (an
    /// environment variable's value; a value that is not valid UTF-8 should be returned as
    /// such an invalid string, e.g. empty).
    pub fn with_env_overrides(
        mut self,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let [retries, timeout, backoff, max_backoff] = ENV_OVERRIDES;
        if let Some(retries) = integer_setting(retries, lookup)? {
            self.retries = u32::try_from(retries).unwrap_or(u32::MAX).min(10);
        }
        if let Some(secs) = integer_setting(timeout, lookup)? {
            self.timeout = Duration::from_secs(secs.max(1));
            self.connect_timeout = self.connect_timeout.min(self.timeout);
        }
        if let Some(ms) = integer_setting(backoff, lookup)? {
            self.initial_backoff = Duration::from_millis(ms);
        }
        if let Some(ms) = integer_setting(max_backoff, lookup)? {
            self.max_backoff = Duration::from_millis(ms);
        }
        Ok(self)
    }

    /// Sets [`HttpConfig::timeout`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`HttpConfig::connect_timeout`].
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`HttpConfig::retries`].
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sets [`HttpConfig::max_response_bytes`].
    pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Sets [`HttpConfig::user_agent`].
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sets [`HttpConfig::initial_backoff`] and [`HttpConfig::max_backoff`].
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// The wait before retry number `attempt` (0-based): `initial_backoff * 2^attempt`, or the
    /// server's `Retry-After` seconds when given, capped by `max_backoff`.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let wait = retry_after.unwrap_or_else(|| {
            self.initial_backoff
                .saturating_mul(2u32.saturating_pow(attempt.min(16)))
        });
        wait.min(self.max_backoff)
    }
}

/// One HTTP request. Its `Debug` output names the headers and the body length only: headers
/// and bodies may carry identity tokens.
#[derive(Clone)]
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(reqwest::header::HeaderName, String)>,
    body: Option<Vec<u8>>,
    timeout: Option<Duration>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Request {
    /// A `GET` request.
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            timeout: None,
        }
    }

    /// A `POST` request with a body and its content type.
    pub fn post(url: impl Into<String>, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            method: Method::POST,
            url: url.into(),
            headers: vec![(CONTENT_TYPE, content_type.to_owned())],
            body: Some(body),
            timeout: None,
        }
    }

    /// A `POST` request with a JSON body.
    pub fn post_json(url: impl Into<String>, body: &serde_json::Value) -> Self {
        Self::post(url, "application/json", body.to_string().into_bytes())
    }

    /// Adds an `Accept` header.
    pub fn accept(mut self, media_type: &str) -> Self {
        self.headers.push((ACCEPT, media_type.to_owned()));
        self
    }

    /// Adds an `Authorization: Bearer` header.
    pub fn bearer(mut self, token: &str) -> Self {
        self.headers
            .push((AUTHORIZATION, format!("Bearer {token}")));
        self
    }

    /// Overrides the client's timeout for this request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// A complete response (body read within the size cap).
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL requested.
    pub url: String,
    /// The HTTP status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// This response if 2xx, else [`Error::Status`].
    pub fn error_for_status(self) -> Result<Self, Error> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(self.status_error())
        }
    }

    /// The [`Error::Status`] describing this response.
    pub fn status_error(&self) -> Error {
        let end = self.body.len().min(MAX_ERROR_DETAIL);
        let detail = String::from_utf8_lossy(self.body.get(..end).unwrap_or_default())
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>();
        Error::Status {
            url: self.url.clone(),
            status: self.status,
            detail,
        }
    }

    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Parses the body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|source| Error::Json {
            url: self.url.clone(),
            source,
        })
    }
}

/// Most redirects followed for one request.
const MAX_REDIRECTS: usize = 5;

/// Follows redirects only within the original origin (scheme, host and port): a request body or
/// header may carry an identity token, which must never travel to another host or drop from
/// https to http. A cross-origin redirect ends the request with the 3xx response, which callers
/// treat as an error.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt.previous().first().is_some_and(|first| {
            first.scheme() == attempt.url().scheme()
                && first.host_str() == attempt.url().host_str()
                && first.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if attempt.previous().len() > MAX_REDIRECTS || !same_origin {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// A configured HTTP client; cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    config: HttpConfig,
}

impl HttpClient {
    /// Builds a client. Proxy settings are read from the environment now.
    pub fn new(config: HttpConfig) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .https_only(false)
            .redirect(same_origin_redirects())
            .build()
            .map_err(Error::Build)?;
        Ok(Self { client, config })
    }

    /// The configuration in force.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Sends `request`, retrying 5xx, 429 and connection failures, and returns the final
    /// response whatever its status. Use [`HttpClient::send_ok`] to require 2xx.
    pub async fn send(&self, request: &Request) -> Result<Response, Error> {
        let url = parse_url(&request.url)?;
        let mut attempt = 0u32;
        loop {
            let outcome = self.attempt(request, &url).await;
            let retry_after = match &outcome {
                Ok(response) if retryable_status(response.status) => {
                    Some(retry_after(&response.headers))
                }
                Err(Error::Timeout { .. }) => Some(None),
                Err(Error::Transport { source, .. }) if source.is_connect() => Some(None),
                _ => None,
            };
            match retry_after {
                Some(hint) if attempt < self.config.retries => {
                    tokio::time::sleep(self.config.backoff(attempt, hint)).await;
                    attempt = attempt.saturating_add(1);
                }
                _ => return outcome,
            }
        }
    }

    /// [`HttpClient::send`], then [`Response::error_for_status`].
    pub async fn send_ok(&self, request: &Request) -> Result<Response, Error> {
        self.send(request).await?.error_for_status()
    }

    /// `GET url` expecting 2xx JSON.
    pub async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, Error> {
        self.send_ok(&Request::get(url).accept("application/json"))
            .await?
            .json()
    }

    async fn attempt(&self, request: &Request, url: &reqwest::Url) -> Result<Response, Error> {
        let name = request.url.clone();
        let transport = |source: reqwest::Error| {
            if source.is_timeout() {
                Error::Timeout { url: name.clone() }
            } else {
                Error::Transport {
                    url: name.clone(),
                    source,
                }
            }
        };
        let mut builder = self.client.request(request.method.clone(), url.clone());
        for (header, value) in &request.headers {
            let value = HeaderValue::from_str(value).map_err(|_| Error::InvalidUrl {
                url: request.url.clone(),
            })?;
            builder = builder.header(header, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        if let Some(timeout) = request.timeout {
            builder = builder.timeout(timeout);
        }
        let mut response = builder.send().await.map_err(transport)?;
        let limit = self.config.max_response_bytes;
        let too_large = || Error::ResponseTooLarge {
            url: request.url.clone(),
            limit,
        };
        if response
            .content_length()
            .is_some_and(|len| len > u64::try_from(limit).unwrap_or(u64::MAX))
        {
            return Err(too_large());
        }
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            url: request.url.clone(),
            status: status.as_u16(),
            headers,
            body,
        })
    }
}

fn parse_url(url: &str) -> Result<reqwest::Url, Error> {
    let parsed = reqwest::Url::parse(url).map_err(|_| Error::InvalidUrl {
        url: url.to_owned(),
    })?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some() => Ok(parsed),
        _ => Err(Error::InvalidUrl {
            url: url.to_owned(),
        }),
    }
}

fn retryable_status(status: u16) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS.as_u16() || (500..600).contains(&status)
}

/// `Retry-After` in delta-seconds form (an HTTP-date is ignored: the backoff applies).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    text.parse::<u64>().ok().map(Duration::from_secs)
}

/// Joins a base URL and a path, with exactly one `/` between them.
pub fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod env_tests {
    use super::*;

    #[test]
    fn env_overrides() {
        let set = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let base = HttpConfig::default();
        let same = base.clone().with_env_overrides(&set(&[])).unwrap();
        assert_eq!(same.retries, base.retries);
        let changed = base
            .clone()
            .with_env_overrides(&set(&[
                ("SIGSTORE_HTTP_RETRIES", "99"),
                ("SIGSTORE_HTTP_TIMEOUT_SECS", " 0 "),
                ("SIGSTORE_HTTP_BACKOFF_MS", "5"),
                ("SIGSTORE_HTTP_MAX_BACKOFF_MS", "7"),
            ]))
            .unwrap();
        assert_eq!(changed.retries, 10);
        assert_eq!(changed.timeout, Duration::from_secs(1));
        assert!(changed.connect_timeout <= changed.timeout);
        assert_eq!(changed.initial_backoff, Duration::from_millis(5));
        assert_eq!(changed.max_backoff, Duration::from_millis(7));
        let error = base
            .with_env_overrides(&set(&[("SIGSTORE_HTTP_BACKOFF_MS", "-1")]))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "SIGSTORE_HTTP_BACKOFF_MS must be a non-negative integer"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let c =
            HttpConfig::default().with_backoff(Duration::from_millis(100), Duration::from_secs(1));
        assert_eq!(c.backoff(0, None), Duration::from_millis(100));
        assert_eq!(c.backoff(1, None), Duration::from_millis(200));
        assert_eq!(c.backoff(3, None), Duration::from_millis(800));
        assert_eq!(c.backoff(4, None), Duration::from_secs(1));
        assert_eq!(c.backoff(u32::MAX, None), Duration::from_secs(1));
        assert_eq!(
            c.backoff(0, Some(Duration::from_secs(3600))),
            Duration::from_secs(1)
        );
        assert_eq!(
            c.backoff(0, Some(Duration::from_millis(10))),
            Duration::from_millis(10)
        );
    }

    #[test]
    fn urls() {
        assert!(parse_url("https://rekor.sigstore.dev/api/v1/log").is_ok());
        assert!(parse_url("http://127.0.0.1:8080").is_ok());
        for bad in ["ftp://x", "file:///etc/passwd", "not a url", "", "https://"] {
            assert!(
                matches!(parse_url(bad), Err(Error::InvalidUrl { .. })),
                "{bad}"
            );
        }
        assert_eq!(join_url("https://a/", "/api/v2/x"), "https://a/api/v2/x");
        assert_eq!(join_url("https://a", "api"), "https://a/api");
    }

    #[test]
    fn retry_after_seconds_only() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("99999999999999999999999"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn status_error_detail_is_bounded() {
        let r = Response {
            url: "https://x".into(),
            status: 500,
            headers: HeaderMap::new(),
            body: vec![b'a'; 10_000],
        };
        match r.error_for_status() {
            Err(Error::Status { status, detail, .. }) => {
                assert_eq!(status, 500);
                assert_eq!(detail.len(), MAX_ERROR_DETAIL);
            }
            other => panic!("{other:?}"),
        }
    }
}

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
