//! Interactive OIDC logins (spec §7.1): the browser flow (authorization code with PKCE S256,
//! `state`, `nonce` and a loopback redirect), the out-of-band flow and the device flow
//! (RFC 8628), all returning an [`IdentityToken`].
//!
//! Codes, verifiers, device codes, tokens and client secrets are secrets: no `Debug` output
//! and no error contains one.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use sigstore_http::{HttpClient, HttpConfig, Request};
use sigstore_types::Timestamp;
use tokio::io::{AsyncBufRead, AsyncBufReadExt as _, AsyncReadExt as _};

use crate::browser::{BrowserOpener, LoginPrompt};
use crate::discovery::{discovery_url, ProviderMetadata};
use crate::loopback::{Event, Expected, LoopbackListener, Rejected};
use crate::oauth::{
    code_challenge, constant_time_eq, form_component, form_encode, is_secure_url, oauth_error,
    post_form, random_value, sanitize, FormResponse,
};
use crate::token::IdentityToken;
use crate::Error;

/// The public Sigstore issuer (the CLI's `--oidc-issuer` default).
pub const DEFAULT_ISSUER: &str = "https://oauth2.sigstore.dev/auth";
/// The public Sigstore client ID (the CLI's `--oidc-client-id` default).
pub const DEFAULT_CLIENT_ID: &str = "sigstore";
/// How long a login waits for the user by default.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// The scopes requested.
pub const LOGIN_SCOPE: &str = "openid email";
/// The redirect URI of the out-of-band flow.
pub const OOB_REDIRECT_URI: &str = "urn:ietf:wg:oauth:2.0:oob";
/// The grant type of device flow token requests (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The polling interval when the provider names none (RFC 8628 §3.2).
pub const DEFAULT_DEVICE_INTERVAL: Duration = Duration::from_secs(5);
/// Largest response accepted from the provider by default.
pub const MAX_OIDC_RESPONSE_BYTES: usize = 256 * 1024;
/// Default per-request HTTP timeout.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The increase of the polling interval on `slow_down` (RFC 8628 §3.5).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Bounds on the device polling interval, whatever the provider says.
const MIN_DEVICE_INTERVAL: Duration = Duration::from_secs(1);
const MAX_DEVICE_INTERVAL: Duration = Duration::from_secs(60);
/// Longest code accepted from the out-of-band input.
const MAX_OOB_CODE: usize = 4096;
/// Longest user code and verification URI accepted from a device authorization.
const MAX_DEVICE_TEXT: usize = 2048;

/// Settings of an [`OidcClient`].
#[derive(Clone)]
#[non_exhaustive]
pub struct OidcConfig {
    /// The issuer URL (`https`, or `http` on a loopback host); discovery must name exactly
    /// this issuer.
    pub issuer: String,
    /// The OAuth client ID.
    pub client_id: String,
    /// The client secret, if the client has one (a secret: never shown). `None` makes a
    /// public client that sends only its `client_id`.
    pub client_secret: Option<String>,
    /// How long a login waits for the user (the browser redirect, the pasted code, the device
    /// approval).
    pub timeout: Duration,
    /// HTTP settings for discovery and token requests (per-request timeout, response cap).
    pub http: HttpConfig,
}

impl core::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("timeout", &self.timeout)
            .field("http", &self.http)
            .finish()
    }
}

impl Default for OidcConfig {
    /// The public Sigstore instance: [`DEFAULT_ISSUER`], [`DEFAULT_CLIENT_ID`], no secret.
    fn default() -> Self {
        Self::new(DEFAULT_ISSUER, DEFAULT_CLIENT_ID)
    }
}

impl OidcConfig {
    /// A public client of `issuer`, waiting [`DEFAULT_LOGIN_TIMEOUT`] for the user, with
    /// [`DEFAULT_HTTP_TIMEOUT`] per request and responses capped at
    /// [`MAX_OIDC_RESPONSE_BYTES`].
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            timeout: DEFAULT_LOGIN_TIMEOUT,
            http: HttpConfig::default()
                .with_timeout(DEFAULT_HTTP_TIMEOUT)
                .with_max_response_bytes(MAX_OIDC_RESPONSE_BYTES),
        }
    }

    /// Sets [`OidcConfig::client_secret`]; an empty secret means none (the public Sigstore
    /// client's secret is empty).
    pub fn with_client_secret(mut self, secret: Option<String>) -> Self {
        self.client_secret = secret.filter(|s| !s.is_empty());
        self
    }

    /// Sets [`OidcConfig::timeout`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`OidcConfig::http`].
    pub fn with_http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }
}

/// One authorization request of the code flow: its URL and the secrets bound to it (`state`,
/// `nonce`, PKCE `code_verifier`). `Debug` shows only the redirect URI.
pub struct AuthorizationRequest {
    url: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_verifier: String,
}

impl core::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl AuthorizationRequest {
    /// The URL the user opens: the authorization endpoint with `response_type=code`,
    /// `client_id`, `scope`, `redirect_uri`, `code_challenge` (S256), `state` and `nonce`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The redirect URI, sent again with the code.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `state` the redirect must carry back.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The `nonce` the ID token must carry.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }
}

/// A started device login (RFC 8628 §3.2). `Display` gives the user's instructions; `Debug`
/// hides the device code and the user code.
#[derive(Clone)]
#[non_exhaustive]
pub struct DeviceAuthorization {
    device_code: String,
    /// Where the user goes to approve the login.
    pub verification_uri: String,
    /// The same page with the user code filled in, if the provider offers it.
    pub verification_uri_complete: Option<String>,
    /// The code the user enters at [`DeviceAuthorization::verification_uri`].
    pub user_code: String,
    /// How long the device code is valid.
    pub expires_in: Duration,
    /// How long to wait between token requests.
    pub interval: Duration,
}

impl core::fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl core::fmt::Display for DeviceAuthorization {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "To sign in, open {} and enter the code {}",
            self.verification_uri, self.user_code
        )?;
        if let Some(complete) = &self.verification_uri_complete {
            write!(f, "\n(or open {complete})")?;
        }
        write!(
            f,
            "\nWaiting for the login to be approved (the code expires in {} s)...",
            self.expires_in.as_secs()
        )
    }
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientAuth {
    /// A public client: `client_id` in the body.
    Public,
    /// `client_secret_basic`.
    Basic,
    /// `client_secret_post`.
    Post,
}

/// What a token or device authorization endpoint answered.
enum EndpointReply {
    /// A 2xx JSON object.
    Object(serde_json::Map<String, Value>),
    /// An OAuth error (or another failure status).
    Refused {
        status: u16,
        error: String,
        description: Option<String>,
    },
}

/// The client of the interactive flows. Cheap to clone.
#[derive(Debug, Clone)]
pub struct OidcClient {
    config: OidcConfig,
    http: HttpClient,
    form: reqwest::Client,
}

impl OidcClient {
    /// A client for `config`. Fails if the issuer is not an `https` URL (`http` only on a
    /// loopback host) or has a query or fragment, if the client ID is empty, or if the HTTP
    /// client cannot be built.
    pub fn new(config: OidcConfig) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidIssuer {
            issuer: sanitize(&config.issuer),
            reason,
        };
        let issuer = reqwest::Url::parse(&config.issuer).map_err(|_| invalid("not a URL"))?;
        if !is_secure_url(&issuer) {
            return Err(invalid(
                "not an https URL (http is allowed only on a loopback host)",
            ));
        }
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(invalid("an issuer has no query or fragment"));
        }
        if config.client_id.trim().is_empty() {
            return Err(Error::InvalidConfig("the client ID is empty"));
        }
        let http = HttpClient::new(config.http.clone()).map_err(Error::HttpClient)?;
        let form = reqwest::Client::builder()
            .timeout(config.http.timeout)
            .connect_timeout(config.http.connect_timeout)
            .user_agent(config.http.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::HttpClient(sigstore_http::Error::Build(e)))?;
        Ok(Self { config, http, form })
    }

    /// The configuration.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// Fetches and checks the provider's OpenID configuration
    /// ([`ProviderMetadata::from_json`]).
    pub async fn discover(&self) -> Result<ProviderMetadata, Error> {
        let url = discovery_url(&self.config.issuer);
        let response = self
            .http
            .send_ok(&Request::get(url).accept("application/json"))
            .await
            .map_err(|source| Error::DiscoveryRequest {
                issuer: self.config.issuer.clone(),
                source,
            })?;
        ProviderMetadata::from_json(&self.config.issuer, &response.body)
    }

    /// A new authorization request with fresh random `state`, `nonce` and `code_verifier`
    /// (32 random bytes each, base64url: 43 characters) for `redirect_uri`.
    pub fn authorization_request(
        &self,
        metadata: &ProviderMetadata,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest, Error> {
        let state = random_value()?;
        let nonce = random_value()?;
        let code_verifier = random_value()?;
        let mut url = reqwest::Url::parse(&metadata.authorization_endpoint).map_err(|_| {
            Error::Discovery {
                issuer: metadata.issuer.clone(),
                reason: "\"authorization_endpoint\" is not a URL".to_owned(),
            }
        })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("scope", LOGIN_SCOPE)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("code_challenge", &code_challenge(&code_verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("nonce", &nonce);
        Ok(AuthorizationRequest {
            url: url.into(),
            redirect_uri: redirect_uri.to_owned(),
            state,
            nonce,
            code_verifier,
        })
    }

    /// Exchanges an authorization `code` obtained for `request` at the token endpoint
    /// (`grant_type=authorization_code`, the code, the redirect URI and the PKCE verifier) and
    /// checks the `id_token` of the response with [`check_id_token`] (issuer, this request's
    /// nonce, audience and authorized party: the client ID, expiry).
    pub async fn exchange_code(
        &self,
        metadata: &ProviderMetadata,
        request: &AuthorizationRequest,
        code: &str,
    ) -> Result<IdentityToken, Error> {
        let code = code.trim();
        if code.is_empty() {
            return Err(Error::MissingCode);
        }
        let params = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", request.redirect_uri.as_str()),
            ("code_verifier", request.code_verifier.as_str()),
        ];
        let reply = self
            .post(metadata, "token", &metadata.token_endpoint, &params)
            .await?;
        let raw = id_token(reply, "token")?;
        check_id_token(
            &raw,
            &metadata.issuer,
            &self.config.client_id,
            Some(&request.nonce),
            now(),
        )
    }

    /// The browser flow: discovery; a listener on `127.0.0.1` (system-chosen port) with
    /// redirect URI `http://127.0.0.1:PORT/callback`; the authorization URL shown through
    /// `prompt` ("Waiting for browser interaction...") and opened with `opener`; then the
    /// first `GET /callback` carrying this login's `state` (compared in constant time)
    /// decides. Its `iss` must name the issuer when present (and be present if the provider
    /// announces RFC 9207); an OAuth `error` ends the flow with [`Error::AuthorizationDenied`].
    ///
    /// Callbacks with a missing or wrong `state` or a foreign `iss` cannot end the login
    /// (anything on the machine can reach the listener): they get an error page, the prompt
    /// says once that one was ignored, and the flow keeps waiting. Other paths get 404. Without
    /// an accepted callback within [`OidcConfig::timeout`] the flow fails with
    /// [`Error::LoginTimeout`], or [`Error::CallbacksRejected`] if callbacks were ignored.
    /// The code is then exchanged ([`OidcClient::exchange_code`]).
    pub async fn browser_login(
        &self,
        opener: &BrowserOpener,
        prompt: &dyn LoginPrompt,
    ) -> Result<IdentityToken, Error> {
        let metadata = self.discover().await?;
        let listener = LoopbackListener::bind().await?;
        let request = self.authorization_request(&metadata, &listener.redirect_uri())?;
        let mut callbacks = listener.serve(Expected {
            state: request.state.clone(),
            issuer: metadata.issuer.clone(),
            require_iss: metadata.authorization_response_iss_parameter_supported,
        });
        prompt.message("Waiting for browser interaction...");
        prompt.authorization_url(request.url());
        let mut browser = opener.open(request.url(), prompt);
        let deadline = tokio::time::sleep(self.config.timeout);
        tokio::pin!(deadline);
        let mut told = Rejected::default();
        let callback = loop {
            tokio::select! {
                event = callbacks.next() => {
                    let rejected = match event {
                        Event::Callback(callback) => break callback,
                        Event::Rejected(rejected) => rejected,
                    };
                    if rejected.wrong_state > 0 && told.wrong_state == 0 {
                        prompt.message(
                            "Ignored a request to the login redirect with a missing or wrong \
                             state (not from this login); still waiting...",
                        );
                    }
                    if rejected.wrong_issuer > 0 && told.wrong_issuer == 0 {
                        prompt.message(&format!(
                            "Ignored a login redirect that does not name the issuer {} \
                             (iss parameter); still waiting...",
                            metadata.issuer
                        ));
                    }
                    told = rejected;
                }
                status = wait_browser(&mut browser), if browser.is_some() => {
                    let name = browser.take().map(|(name, _)| name).unwrap_or_default();
                    match status {
                        Ok(status) if status.success() => {}
                        Ok(status) => prompt.message(&format!(
                            "The browser command {name} failed ({status}); \
                             open the URL above yourself."
                        )),
                        Err(e) => prompt.message(&format!(
                            "Cannot wait for the browser command {name}: {e}"
                        )),
                    }
                }
                () = &mut deadline => {
                    let seconds = self.config.timeout.as_secs();
                    let rejected = callbacks.rejected();
                    return Err(if rejected.any() {
                        Error::CallbacksRejected {
                            seconds,
                            wrong_state: rejected.wrong_state,
                            wrong_issuer: rejected.wrong_issuer,
                        }
                    } else {
                        Error::LoginTimeout {
                            flow: "browser",
                            seconds,
                        }
                    });
                }
            }
        };
        drop(callbacks);
        let callback = callback.ok_or_else(|| {
            Error::Loopback(std::io::Error::other("the redirect listener stopped"))
        })?;
        let code = callback.into_code(&metadata.issuer)?;
        self.exchange_code(&metadata, &request, &code).await
    }

    /// The out-of-band flow: the authorization URL (redirect URI [`OOB_REDIRECT_URI`]) is
    /// shown through `prompt`, the user pastes the code the provider displays, and one line
    /// (at most 4 KiB) is read from `input` within [`OidcConfig::timeout`].
    ///
    /// `input` is dropped when the flow gives up, so it must be cancellable. For standard
    /// input, read the line with a blocking read on a thread of its own and hand it over
    /// through a channel (as the `sigstore` CLI does): `tokio::io::stdin()` cannot be
    /// cancelled, and the runtime waits for its pending read when it shuts down, so a timed
    /// out login would hang until the user presses Enter.
    ///
    /// There is no redirect, so `state` cannot be checked: what binds the pasted code to this
    /// login is the PKCE verifier (the provider refuses a code issued for another challenge)
    /// and the ID token's `nonce`, which are checked.
    pub async fn oob_login<R: AsyncBufRead + Unpin>(
        &self,
        prompt: &dyn LoginPrompt,
        input: R,
    ) -> Result<IdentityToken, Error> {
        let metadata = self.discover().await?;
        let request = self.authorization_request(&metadata, OOB_REDIRECT_URI)?;
        prompt.message("Go to the following link in a browser:");
        prompt.authorization_url(request.url());
        prompt.message("Enter the verification code:");
        let code = tokio::time::timeout(self.config.timeout, read_code(input))
            .await
            .map_err(|_| Error::LoginTimeout {
                flow: "out-of-band",
                seconds: self.config.timeout.as_secs(),
            })??;
        self.exchange_code(&metadata, &request, &code).await
    }

    /// The device flow (RFC 8628): [`OidcClient::start_device_authorization`], the
    /// instructions through [`LoginPrompt::device_authorization`], then
    /// [`OidcClient::poll_device_token`].
    pub async fn device_login(&self, prompt: &dyn LoginPrompt) -> Result<IdentityToken, Error> {
        let metadata = self.discover().await?;
        let authorization = self.start_device_authorization(&metadata).await?;
        prompt.device_authorization(&authorization);
        self.poll_device_token(&metadata, &authorization).await
    }

    /// Requests a device code: POST to the device authorization endpoint with the client's
    /// credentials and `scope=openid email`. Fails with [`Error::DeviceFlowUnsupported`] if
    /// the provider has no such endpoint.
    pub async fn start_device_authorization(
        &self,
        metadata: &ProviderMetadata,
    ) -> Result<DeviceAuthorization, Error> {
        const ENDPOINT: &str = "device authorization";
        let url = metadata
            .device_authorization_endpoint
            .as_deref()
            .ok_or_else(|| Error::DeviceFlowUnsupported {
                issuer: metadata.issuer.clone(),
            })?;
        let reply = self
            .post(metadata, ENDPOINT, url, &[("scope", LOGIN_SCOPE)])
            .await?;
        let map = match reply {
            EndpointReply::Object(map) => map,
            EndpointReply::Refused {
                status,
                error,
                description,
            } => {
                return Err(Error::OAuth {
                    endpoint: ENDPOINT,
                    status,
                    error,
                    description,
                })
            }
        };
        parse_device_authorization(&map)
    }

    /// Polls the token endpoint for `authorization` every `interval` (5 s if the provider
    /// named none; 5 s more after each `slow_down`) until the login is approved
    /// (`authorization_pending` keeps waiting), denied ([`Error::DeviceDenied`]) or expired
    /// ([`Error::DeviceExpired`]), stopping at `expires_in` or [`OidcConfig::timeout`],
    /// whichever is first ([`Error::LoginTimeout`]). The ID token is checked with
    /// [`check_id_token`] (no nonce: the device flow has none).
    pub async fn poll_device_token(
        &self,
        metadata: &ProviderMetadata,
        authorization: &DeviceAuthorization,
    ) -> Result<IdentityToken, Error> {
        let limit = authorization.expires_in.min(self.config.timeout);
        let deadline = Instant::now() + limit;
        let mut interval = authorization.interval;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(interval.min(remaining)).await;
            let params = [
                ("grant_type", DEVICE_CODE_GRANT_TYPE),
                ("device_code", authorization.device_code.as_str()),
            ];
            let reply = self
                .post(metadata, "token", &metadata.token_endpoint, &params)
                .await?;
            let pending = match &reply {
                EndpointReply::Object(_) => false,
                EndpointReply::Refused { error, .. } => match error.as_str() {
                    "authorization_pending" => true,
                    "slow_down" => {
                        interval = (interval + SLOW_DOWN_STEP).min(MAX_DEVICE_INTERVAL);
                        true
                    }
                    "access_denied" => return Err(Error::DeviceDenied),
                    "expired_token" => return Err(Error::DeviceExpired),
                    _ => false,
                },
            };
            if !pending {
                let raw = id_token(reply, "token")?;
                return check_id_token(&raw, &metadata.issuer, &self.config.client_id, None, now());
            }
            if Instant::now() >= deadline {
                return Err(if authorization.expires_in <= self.config.timeout {
                    Error::DeviceExpired
                } else {
                    Error::LoginTimeout {
                        flow: "device",
                        seconds: limit.as_secs(),
                    }
                });
            }
        }
    }

    /// POSTs `params` plus the client's authentication to `url`.
    async fn post(
        &self,
        metadata: &ProviderMetadata,
        endpoint: &'static str,
        url: &str,
        params: &[(&str, &str)],
    ) -> Result<EndpointReply, Error> {
        let auth = self.client_auth(metadata)?;
        let mut pairs: Vec<(&str, &str)> = params.to_vec();
        let secret = self.config.client_secret.as_deref().unwrap_or_default();
        let mut authorization = None;
        match auth {
            ClientAuth::Public => pairs.push(("client_id", &self.config.client_id)),
            ClientAuth::Post => {
                pairs.push(("client_id", &self.config.client_id));
                pairs.push(("client_secret", secret));
            }
            ClientAuth::Basic => {
                // RFC 6749 §2.3.1: both parts form-encoded before base64.
                let credentials = format!(
                    "{}:{}",
                    form_component(&self.config.client_id),
                    form_component(secret)
                );
                authorization = Some(format!("Basic {}", STANDARD.encode(credentials)));
            }
        }
        let response = post_form(
            &self.form,
            url,
            form_encode(&pairs),
            authorization,
            self.config.http.max_response_bytes,
        )
        .await
        .map_err(|source| Error::Request { endpoint, source })?;
        Ok(endpoint_reply(response))
    }

    /// The authentication for the token endpoint: public without a secret; with one,
    /// `client_secret_basic` when the provider supports it (or lists nothing: it is the
    /// default), else `client_secret_post`.
    fn client_auth(&self, metadata: &ProviderMetadata) -> Result<ClientAuth, Error> {
        if self.config.client_secret.is_none() {
            return Ok(ClientAuth::Public);
        }
        let methods = &metadata.token_endpoint_auth_methods_supported;
        if methods.is_empty() || methods.iter().any(|m| m == "client_secret_basic") {
            Ok(ClientAuth::Basic)
        } else if methods.iter().any(|m| m == "client_secret_post") {
            Ok(ClientAuth::Post)
        } else {
            Err(Error::UnsupportedClientAuth)
        }
    }
}

fn endpoint_reply(response: FormResponse) -> EndpointReply {
    if response.is_success() {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&response.body) {
            return EndpointReply::Object(map);
        }
        return EndpointReply::Refused {
            status: response.status,
            error: "(not a JSON object)".to_owned(),
            description: None,
        };
    }
    match oauth_error(&response.body) {
        Some(e) => EndpointReply::Refused {
            status: response.status,
            error: e.error,
            description: e.description,
        },
        None => EndpointReply::Refused {
            status: response.status,
            error: "(no OAuth error in the response)".to_owned(),
            description: None,
        },
    }
}

fn refused(reply: EndpointReply, endpoint: &'static str) -> Error {
    match reply {
        EndpointReply::Refused {
            status,
            error,
            description,
        } => Error::OAuth {
            endpoint,
            status,
            error,
            description,
        },
        EndpointReply::Object(_) => Error::TokenResponse {
            endpoint,
            reason: "unexpected success",
        },
    }
}

/// The `id_token` of a token response.
fn id_token(reply: EndpointReply, endpoint: &'static str) -> Result<String, Error> {
    match reply {
        EndpointReply::Object(mut map) => match map.remove("id_token") {
            Some(Value::String(token)) if !token.trim().is_empty() => Ok(token),
            Some(_) => Err(Error::TokenResponse {
                endpoint,
                reason: "\"id_token\" is not a non-empty string",
            }),
            None => Err(Error::TokenResponse {
                endpoint,
                reason: "the response has no \"id_token\" (was the openid scope granted?)",
            }),
        },
        refused_reply => Err(refused(refused_reply, endpoint)),
    }
}

fn parse_device_authorization(
    map: &serde_json::Map<String, Value>,
) -> Result<DeviceAuthorization, Error> {
    let bad = |reason| Error::TokenResponse {
        endpoint: "device authorization",
        reason,
    };
    let text = |name: &str| -> Option<String> {
        map.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.len() <= MAX_DEVICE_TEXT)
            .map(str::to_owned)
    };
    let printable = |s: &str| !s.chars().any(char::is_control);
    let web_url = |s: &str| {
        printable(s) && reqwest::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "https" | "http"))
    };
    let device_code = text("device_code").ok_or(bad("no string \"device_code\""))?;
    let user_code = text("user_code")
        .filter(|c| printable(c))
        .ok_or(bad("no printable \"user_code\""))?;
    // Google's early drafts named it `verification_url`.
    let verification_uri = text("verification_uri")
        .or_else(|| text("verification_url"))
        .filter(|u| web_url(u))
        .ok_or(bad("no http(s) \"verification_uri\""))?;
    let verification_uri_complete = match map.get("verification_uri_complete") {
        None | Some(Value::Null) => None,
        Some(_) => Some(
            text("verification_uri_complete")
                .filter(|u| web_url(u))
                .ok_or(bad("\"verification_uri_complete\" is not an http(s) URL"))?,
        ),
    };
    let seconds = |name: &str| -> Result<Option<u64>, Error> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or(bad("a time is not a non-negative integer")),
        }
    };
    let expires_in = seconds("expires_in")?.ok_or(bad("no \"expires_in\""))?;
    let interval = seconds("interval")?
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_DEVICE_INTERVAL)
        .clamp(MIN_DEVICE_INTERVAL, MAX_DEVICE_INTERVAL);
    Ok(DeviceAuthorization {
        device_code,
        verification_uri,
        verification_uri_complete,
        user_code,
        // A day at most, whatever the provider says.
        expires_in: Duration::from_secs(expires_in.min(86_400)),
        interval,
    })
}

/// Reads one line (the pasted code) of at most 4 KiB.
async fn read_code<R: AsyncBufRead + Unpin>(input: R) -> Result<String, Error> {
    let mut line = String::new();
    let limit = u64::try_from(MAX_OOB_CODE).unwrap_or(u64::MAX);
    input
        .take(limit.saturating_add(1))
        .read_line(&mut line)
        .await
        .map_err(Error::OobInput)?;
    if line.len() > MAX_OOB_CODE {
        return Err(Error::OobCode("the input is too long"));
    }
    let code = line.trim();
    if code.is_empty() {
        return Err(Error::OobCode("no code was entered"));
    }
    Ok(code.to_owned())
}

async fn wait_browser(
    browser: &mut Option<(String, tokio::process::Child)>,
) -> std::io::Result<std::process::ExitStatus> {
    match browser {
        Some((_, child)) => child.wait().await,
        None => std::future::pending().await,
    }
}

/// Checks an ID token from `issuer`'s token endpoint, obtained by the client `client_id`, at
/// `now` (OpenID Connect Core §3.1.3.7): [`IdentityToken::parse_with_audience`] with
/// `client_id` (claims present, `aud` containing the client ID, not expired or not yet
/// valid); with several audiences, an `azp` claim, when present, equal to `client_id`; `iss`
/// equal to `issuer`; and when `nonce` is given, a `nonce` claim equal to it (constant-time).
pub fn check_id_token(
    raw: &str,
    issuer: &str,
    client_id: &str,
    nonce: Option<&str>,
    now: Timestamp,
) -> Result<IdentityToken, Error> {
    let token = IdentityToken::parse_with_audience(raw, client_id, now)?;
    if token.audience.len() > 1 {
        if let Some(azp) = token.authorized_party.as_deref() {
            if azp != client_id {
                return Err(Error::TokenAuthorizedParty {
                    expected: sanitize(client_id),
                    found: sanitize(azp),
                });
            }
        }
    }
    if token.issuer != issuer {
        return Err(Error::TokenIssuer {
            expected: issuer.to_owned(),
            found: sanitize(&token.issuer),
        });
    }
    if let Some(expected) = nonce {
        let matches = token
            .nonce
            .as_deref()
            .is_some_and(|found| constant_time_eq(found.as_bytes(), expected.as_bytes()));
        if !matches {
            return Err(Error::NonceMismatch);
        }
    }
    Ok(token)
}

/// The current time (the epoch if the clock is before it).
fn now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_unix(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    const ISSUER: &str = "http://127.0.0.1:1";
    const NOW: i64 = 1_700_000_000;

    fn jwt(claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        format!(
            "{header}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    fn claims(nonce: Option<&str>, exp: i64) -> Value {
        let mut c = json!({
            "iss": ISSUER, "sub": "alice", "aud": "sigstore",
            "iat": NOW - 10, "exp": exp, "email": "alice@example.test",
        });
        if let (Some(n), Some(map)) = (nonce, c.as_object_mut()) {
            map.insert("nonce".into(), json!(n));
        }
        c
    }

    fn metadata(methods: &[&str]) -> ProviderMetadata {
        ProviderMetadata {
            issuer: ISSUER.into(),
            authorization_endpoint: format!("{ISSUER}/auth?prompt=login"),
            token_endpoint: format!("{ISSUER}/token"),
            device_authorization_endpoint: None,
            token_endpoint_auth_methods_supported: methods.iter().map(|m| (*m).into()).collect(),
            authorization_response_iss_parameter_supported: false,
        }
    }

    #[test]
    fn id_token_checks() {
        let now = Timestamp::from_unix(NOW);
        let ok = jwt(&claims(Some("n-1"), NOW + 60));
        let t = check_id_token(&ok, ISSUER, "sigstore", Some("n-1"), now).expect("valid");
        assert_eq!(t.email.as_deref(), Some("alice@example.test"));
        assert!(check_id_token(&ok, ISSUER, "sigstore", None, now).is_ok());
        // Nonce mismatch, missing nonce.
        for (token, nonce) in [(&ok, "n-2"), (&jwt(&claims(None, NOW + 60)), "n-1")] {
            let err =
                check_id_token(token, ISSUER, "sigstore", Some(nonce), now).expect_err("nonce");
            assert!(matches!(err, Error::NonceMismatch), "{err:?}");
            assert!(err.to_string().contains("nonce"));
        }
        // Another issuer.
        let err = check_id_token(&ok, "http://127.0.0.1:2", "sigstore", Some("n-1"), now)
            .expect_err("iss");
        assert!(matches!(err, Error::TokenIssuer { .. }), "{err:?}");
        // Expired.
        let expired = jwt(&claims(Some("n-1"), NOW - 60));
        let err =
            check_id_token(&expired, ISSUER, "sigstore", Some("n-1"), now).expect_err("expired");
        assert!(matches!(err, Error::TokenExpired { .. }), "{err:?}");
        assert!(!err.to_string().contains(&expired));
    }

    #[test]
    fn id_token_audience_is_the_client_id() {
        let now = Timestamp::from_unix(NOW);
        let with = |aud: Value, azp: Option<&str>| {
            let mut c = claims(Some("n-1"), NOW + 60);
            c["aud"] = aud;
            if let Some(azp) = azp {
                c["azp"] = json!(azp);
            }
            jwt(&c)
        };
        // A custom client ID: its own audience is accepted, `sigstore` alone is not.
        let acme = with(json!("acme"), None);
        let t = check_id_token(&acme, ISSUER, "acme", Some("n-1"), now).expect("valid");
        assert_eq!(t.audience, vec!["acme".to_owned()]);
        let err = check_id_token(&acme, ISSUER, "sigstore", Some("n-1"), now).expect_err("aud");
        assert!(
            matches!(&err, Error::TokenAudience { expected } if expected == "sigstore"),
            "{err:?}"
        );
        let sigstore = with(json!("sigstore"), None);
        let err = check_id_token(&sigstore, ISSUER, "acme", Some("n-1"), now).expect_err("aud");
        assert!(
            matches!(&err, Error::TokenAudience { expected } if expected == "acme"),
            "{err:?}"
        );
        assert!(err.to_string().contains("\"acme\""), "{err}");
        // Several audiences: `azp`, when present, must be the client.
        let both = json!(["sigstore", "acme"]);
        assert!(check_id_token(&with(both.clone(), None), ISSUER, "acme", None, now).is_ok());
        assert!(
            check_id_token(&with(both.clone(), Some("acme")), ISSUER, "acme", None, now).is_ok()
        );
        let err = check_id_token(&with(both, Some("sigstore")), ISSUER, "acme", None, now)
            .expect_err("azp");
        assert!(
            matches!(&err, Error::TokenAuthorizedParty { expected, found }
                if expected == "acme" && found == "sigstore"),
            "{err:?}"
        );
        assert!(err.to_string().contains("azp"), "{err}");
        // One audience: `azp` is not required to match (the audience already names us).
        let single = with(json!("acme"), Some("other-frontend"));
        assert!(check_id_token(&single, ISSUER, "acme", None, now).is_ok());
    }

    #[test]
    fn authorization_url_parameters() {
        let client = OidcClient::new(OidcConfig::new(ISSUER, "sigstore")).expect("client");
        let request = client
            .authorization_request(&metadata(&[]), "http://127.0.0.1:5/callback")
            .expect("request");
        let url = reqwest::Url::parse(request.url()).expect("url");
        let get = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        assert_eq!(get("prompt").as_deref(), Some("login"));
        assert_eq!(get("response_type").as_deref(), Some("code"));
        assert_eq!(get("client_id").as_deref(), Some("sigstore"));
        assert_eq!(get("scope").as_deref(), Some("openid email"));
        assert_eq!(
            get("redirect_uri").as_deref(),
            Some("http://127.0.0.1:5/callback")
        );
        assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
        assert_eq!(
            get("code_challenge"),
            Some(code_challenge(&request.code_verifier))
        );
        assert_eq!(get("state").as_deref(), Some(request.state()));
        assert_eq!(get("nonce").as_deref(), Some(request.nonce()));
        assert!((43..=128).contains(&request.code_verifier.len()));
        let shown = format!("{request:?}");
        assert!(!shown.contains(&request.code_verifier) && !shown.contains(&request.state));
        let other = client
            .authorization_request(&metadata(&[]), OOB_REDIRECT_URI)
            .expect("request");
        assert_ne!(other.state, request.state);
        assert_ne!(other.code_verifier, request.code_verifier);
    }

    #[test]
    fn client_authentication_choice() {
        let public = OidcClient::new(OidcConfig::new(ISSUER, "sigstore")).expect("client");
        assert_eq!(
            public.client_auth(&metadata(&["client_secret_post"])).ok(),
            Some(ClientAuth::Public)
        );
        let confidential = OidcClient::new(
            OidcConfig::new(ISSUER, "ci").with_client_secret(Some("s3cret".into())),
        )
        .expect("client");
        let choose = |methods: &[&str]| confidential.client_auth(&metadata(methods)).ok();
        assert_eq!(choose(&[]), Some(ClientAuth::Basic));
        assert_eq!(
            choose(&["client_secret_post", "client_secret_basic"]),
            Some(ClientAuth::Basic)
        );
        assert_eq!(
            choose(&["none", "client_secret_post"]),
            Some(ClientAuth::Post)
        );
        assert_eq!(choose(&["private_key_jwt"]), None);
        // An empty secret is no secret.
        let empty = OidcConfig::new(ISSUER, "sigstore").with_client_secret(Some(String::new()));
        assert!(empty.client_secret.is_none());
        assert!(!format!("{:?}", confidential.config()).contains("s3cret"));
    }

    #[test]
    fn issuer_and_client_checks() {
        for bad in [
            "http://oauth2.example/auth",
            "not a url",
            "https://x/auth?a=1",
            "https://x/auth#f",
            "ftp://x/",
        ] {
            assert!(
                matches!(
                    OidcClient::new(OidcConfig::new(bad, "sigstore")),
                    Err(Error::InvalidIssuer { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            OidcClient::new(OidcConfig::new(ISSUER, " ")),
            Err(Error::InvalidConfig(_))
        ));
        assert!(OidcClient::new(OidcConfig::default()).is_ok());
    }

    #[test]
    fn device_authorization_responses() {
        let parse = |v: Value| match v {
            Value::Object(map) => parse_device_authorization(&map),
            _ => Err(Error::MissingCode),
        };
        let d = parse(json!({
            "device_code": "dc-secret", "user_code": "ABCD-EFGH",
            "verification_uri": "https://idp.example/device",
            "verification_uri_complete": "https://idp.example/device?user_code=ABCD-EFGH",
            "expires_in": 600,
        }))
        .expect("valid");
        assert_eq!(d.interval, DEFAULT_DEVICE_INTERVAL);
        assert_eq!(d.expires_in, Duration::from_secs(600));
        assert!(!format!("{d:?}").contains("dc-secret"));
        assert!(!format!("{d:?}").contains("ABCD"));
        let shown = d.to_string();
        assert!(shown.contains("ABCD-EFGH") && shown.contains("https://idp.example/device"));
        assert!(!shown.contains("dc-secret"));
        let d = parse(json!({
            "device_code": "d", "user_code": "U", "verification_url": "http://x/d",
            "expires_in": 10, "interval": 0,
        }))
        .expect("valid");
        assert_eq!(d.interval, MIN_DEVICE_INTERVAL);
        for bad in [
            json!({"user_code": "U", "verification_uri": "https://x/", "expires_in": 5}),
            json!({"device_code": "d", "user_code": "U\u{1b}[2J", "verification_uri": "https://x/", "expires_in": 5}),
            json!({"device_code": "d", "user_code": "U", "verification_uri": "javascript:x", "expires_in": 5}),
            json!({"device_code": "d", "user_code": "U", "verification_uri": "https://x/"}),
            json!({"device_code": "d", "user_code": "U", "verification_uri": "https://x/", "expires_in": -1}),
            json!({"device_code": "d", "user_code": "U", "verification_uri": "https://x/", "expires_in": 5, "verification_uri_complete": 3}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn out_of_band_input() {
        assert_eq!(
            read_code(&b"  abc-123 \r\nrest"[..]).await.ok().as_deref(),
            Some("abc-123")
        );
        assert!(matches!(
            read_code(&b"\n"[..]).await,
            Err(Error::OobCode(_))
        ));
        assert!(matches!(read_code(&b""[..]).await, Err(Error::OobCode(_))));
        let long = vec![b'a'; MAX_OOB_CODE + 10];
        assert!(matches!(read_code(&long[..]).await, Err(Error::OobCode(_))));
        assert!(matches!(
            read_code(&b"\xff\xfe\n"[..]).await,
            Err(Error::OobInput(_))
        ));
    }
}
