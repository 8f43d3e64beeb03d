//! Interactive logins: against a small fake provider on 127.0.0.1 (every test), and against
//! the shared local stack's real OpenID provider (`oidc-provider`) when `SIGSTORE_STACK_DIR`
//! is set: browser login through headless Chromium and through a plain HTTP client, the
//! device flow approved in Chromium, and a replayed authorization code.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use sigstore_http::testing::{CannedResponse, CannedServer, RecordedRequest};
use sigstore_http::HttpConfig;
use sigstore_oidc::{
    BrowserOpener, DeviceAuthorization, Error, IdentityToken, LoginPrompt, OidcClient, OidcConfig,
    ProviderMetadata, OOB_REDIRECT_URI,
};
use sigstore_test_support::TempDir;
use tokio::io::AsyncWriteExt as _;

const GOOD_CODE: &str = "good-code-secret";
const DEVICE_CODE: &str = "device-code-secret";

// ---------------------------------------------------------------------------------------------
// Shared helpers

fn config(issuer: &str, timeout: Duration) -> OidcConfig {
    OidcConfig::new(issuer, "sigstore")
        .with_timeout(timeout)
        .with_http(
            HttpConfig::default()
                .with_retries(0)
                .with_timeout(Duration::from_secs(15))
                .with_max_response_bytes(256 * 1024),
        )
}

fn client(issuer: &str, timeout: Duration) -> OidcClient {
    OidcClient::new(config(issuer, timeout)).unwrap()
}

fn query(url: &str) -> BTreeMap<String, String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A prompt that keeps every message (and echoes it to stderr).
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl LoginPrompt for Recorder {
    fn message(&self, text: &str) {
        eprintln!("{text}");
        self.0.lock().unwrap().push(text.to_owned());
    }
}

impl Recorder {
    fn text(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }
}

fn unix_now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// A well-formed but unsigned JWT (the client does not verify signatures; Fulcio does).
fn unsigned_jwt(claims: &Value) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

// ---------------------------------------------------------------------------------------------
// A fake provider: discovery, token endpoint (authorization code with PKCE check, device code)
// and device authorization, on a canned-response server.

/// What the fake learned from the authorization URL the client built.
#[derive(Clone, Default)]
struct Learned {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct FakeState {
    issuer: String,
    /// Changes to the discovery document (`null` removes a member).
    discovery: Vec<(&'static str, Value)>,
    learned: Option<Learned>,
    /// Replaces the nonce the ID token carries.
    nonce_override: Option<String>,
    /// `exp` relative to now.
    exp_offset: i64,
    /// The client ID expected in authorization URLs.
    client_id: String,
    /// The ID token's `aud` (default `"sigstore"`) and `azp` (default none).
    audience: Value,
    authorized_party: Option<String>,
    /// Device flow token replies in order: an OAuth error code, or "ok".
    device_replies: VecDeque<&'static str>,
    /// When each device token request arrived.
    device_polls: Vec<Instant>,
}

struct FakeProvider {
    server: CannedServer,
    state: Arc<Mutex<FakeState>>,
}

impl FakeProvider {
    async fn start() -> Self {
        let state = Arc::new(Mutex::new(FakeState {
            issuer: String::new(),
            discovery: Vec::new(),
            learned: None,
            nonce_override: None,
            exp_offset: 300,
            client_id: "sigstore".into(),
            audience: json!("sigstore"),
            authorized_party: None,
            device_replies: VecDeque::new(),
            device_polls: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        let server = CannedServer::start(move |request| {
            let mut state = shared.lock().unwrap();
            respond(&mut state, request)
        })
        .await
        .unwrap();
        state.lock().unwrap().issuer = server.url();
        Self { server, state }
    }

    fn issuer(&self) -> String {
        self.server.url()
    }

    fn set(&self, f: impl FnOnce(&mut FakeState)) {
        f(&mut self.state.lock().unwrap());
    }

    /// Records the nonce, challenge and redirect URI of an authorization URL, as the
    /// provider's authorization endpoint would.
    fn learn(&self, url: &str) {
        let q = query(url);
        assert_eq!(
            q.get("code_challenge_method").map(String::as_str),
            Some("S256")
        );
        let client_id = self.state.lock().unwrap().client_id.clone();
        assert_eq!(q.get("client_id"), Some(&client_id));
        assert_eq!(q.get("scope").map(String::as_str), Some("openid email"));
        assert_eq!(q.get("response_type").map(String::as_str), Some("code"));
        self.set(|s| {
            s.learned = Some(Learned {
                nonce: q["nonce"].clone(),
                challenge: q["code_challenge"].clone(),
                redirect_uri: q["redirect_uri"].clone(),
            });
        });
    }

    fn token_requests(&self) -> Vec<RecordedRequest> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.path() == "/token")
            .collect()
    }
}

fn form(body: &[u8]) -> BTreeMap<String, String> {
    query(&format!("http://x/?{}", String::from_utf8_lossy(body)))
}

fn oauth_error(error: &str, description: &str) -> CannedResponse {
    CannedResponse::json(
        400,
        &json!({"error": error, "error_description": description}),
    )
}

fn id_token(state: &FakeState, nonce: Option<&str>) -> String {
    let now = unix_now();
    let mut claims = json!({
        "iss": state.issuer, "sub": "fake-user", "aud": state.audience,
        "iat": now - 5, "exp": now + state.exp_offset,
        "email": "fake-user@example.test", "email_verified": true,
    });
    if let Some(nonce) = state.nonce_override.as_deref().or(nonce) {
        claims["nonce"] = json!(nonce);
    }
    if let Some(azp) = &state.authorized_party {
        claims["azp"] = json!(azp);
    }
    unsigned_jwt(&claims)
}

fn respond(state: &mut FakeState, request: &RecordedRequest) -> CannedResponse {
    let issuer = state.issuer.clone();
    match (request.method.as_str(), request.path()) {
        ("GET", "/.well-known/openid-configuration") => {
            let mut doc = json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{issuer}/auth"),
                "token_endpoint": format!("{issuer}/token"),
                "device_authorization_endpoint": format!("{issuer}/device"),
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            });
            for (key, value) in &state.discovery {
                if value.is_null() {
                    doc.as_object_mut().unwrap().remove(*key);
                } else {
                    doc[*key] = value.clone();
                }
            }
            CannedResponse::json(200, &doc)
        }
        ("POST", "/device") => CannedResponse::json(
            200,
            &json!({
                "device_code": DEVICE_CODE, "user_code": "WDJB-MJHT",
                "verification_uri": format!("{issuer}/device/verify"),
                "verification_uri_complete": format!("{issuer}/device/verify?user_code=WDJB-MJHT"),
                "expires_in": 2, "interval": 1,
            }),
        ),
        ("POST", "/token") => {
            let f = form(&request.body);
            match f.get("grant_type").map(String::as_str) {
                Some("authorization_code") => {
                    let Some(learned) = state.learned.clone() else {
                        return oauth_error("invalid_grant", "unknown code");
                    };
                    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
                    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                    if f.get("code").map(String::as_str) != Some(GOOD_CODE) {
                        return oauth_error("invalid_grant", "grant request is invalid");
                    }
                    if challenge != learned.challenge {
                        return oauth_error("invalid_grant", "PKCE verification failed");
                    }
                    if f.get("redirect_uri") != Some(&learned.redirect_uri) {
                        return oauth_error("invalid_grant", "redirect_uri mismatch");
                    }
                    let token = id_token(state, Some(&learned.nonce));
                    CannedResponse::json(
                        200,
                        &json!({"access_token": "at", "token_type": "Bearer", "id_token": token}),
                    )
                }
                Some(sigstore_oidc::DEVICE_CODE_GRANT_TYPE) => {
                    state.device_polls.push(Instant::now());
                    if f.get("device_code").map(String::as_str) != Some(DEVICE_CODE) {
                        return oauth_error("invalid_grant", "unknown device code");
                    }
                    match state
                        .device_replies
                        .pop_front()
                        .unwrap_or("authorization_pending")
                    {
                        "ok" => CannedResponse::json(
                            200,
                            &json!({"id_token": id_token(state, None), "token_type": "Bearer"}),
                        ),
                        error => oauth_error(error, "device flow"),
                    }
                }
                _ => oauth_error("unsupported_grant_type", "grant type"),
            }
        }
        _ => CannedResponse::new(404, "not found"),
    }
}

/// An opener that hands the authorization URL to `act` (run on a task): a scripted user.
fn scripted_browser<F, Fut>(act: F) -> BrowserOpener
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    BrowserOpener::custom(move |url| {
        tokio::spawn(act(url.to_owned()));
        Ok(())
    })
}

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

// ---------------------------------------------------------------------------------------------
// Tests against the fake provider

#[tokio::test]
async fn browser_flow_against_fake_provider() {
    let fake = Arc::new(FakeProvider::start().await);
    fake.set(|s| {
        s.discovery.push((
            "authorization_response_iss_parameter_supported",
            json!(true),
        ))
    });
    let issuer = fake.issuer();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (f, log) = (Arc::clone(&fake), Arc::clone(&seen));
    let opener = scripted_browser(move |url| {
        let (fake, log, issuer) = (Arc::clone(&f), Arc::clone(&log), issuer.clone());
        async move {
            fake.learn(&url);
            let q = query(&url);
            let redirect = q["redirect_uri"].clone();
            let base = redirect.trim_end_matches("/callback").to_owned();
            // Other paths are not callbacks.
            let favicon = get(&format!("{base}/favicon.ico")).await.0;
            log.lock().unwrap().push(favicon);
            let post = reqwest::Client::new().post(&redirect).send().await.unwrap();
            log.lock().unwrap().push(post.status().as_u16());
            let mut callback = reqwest::Url::parse(&redirect).unwrap();
            callback
                .query_pairs_mut()
                .append_pair("code", GOOD_CODE)
                .append_pair("state", &q["state"])
                .append_pair("iss", &issuer);
            let (status, page) = get(callback.as_str()).await;
            assert!(page.contains("Authentication complete"), "{page}");
            log.lock().unwrap().push(status);
        }
    });
    let prompt = Recorder::default();
    let token = client(&fake.issuer(), Duration::from_secs(20))
        .browser_login(&opener, &prompt)
        .await
        .unwrap();
    assert_eq!(token.email.as_deref(), Some("fake-user@example.test"));
    assert_eq!(token.issuer, fake.issuer());
    assert_eq!(*seen.lock().unwrap(), vec![404, 405, 200]);
    assert!(prompt.text().contains("Waiting for browser interaction..."));
    assert!(prompt.text().contains(&format!("{}/auth?", fake.issuer())));
    let requests = fake.token_requests();
    assert_eq!(requests.len(), 1);
    let body = form(&requests[0].body);
    assert_eq!(body["client_id"], "sigstore");
    assert!(!body.contains_key("client_secret"));
    assert!(requests[0].header("authorization").is_none());
    assert!(body["redirect_uri"].starts_with("http://127.0.0.1:"));
    assert!(body["redirect_uri"].ends_with("/callback"));
}

/// The redirect URI's callback URL with `params`.
fn callback_url(redirect: &str, params: &[(&str, &str)]) -> String {
    let mut url = reqwest::Url::parse(redirect).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.into()
}

#[tokio::test]
async fn wrong_state_is_rejected_and_never_exchanged() {
    let fake = Arc::new(FakeProvider::start().await);
    fake.set(|s| {
        s.discovery.push((
            "authorization_response_iss_parameter_supported",
            json!(true),
        ))
    });
    let issuer = fake.issuer();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (f, l) = (Arc::clone(&fake), Arc::clone(&log));
    let opener = scripted_browser(move |url| {
        let (fake, log, issuer) = (Arc::clone(&f), Arc::clone(&l), issuer.clone());
        async move {
            fake.learn(&url);
            let q = query(&url);
            let redirect = q["redirect_uri"].clone();
            // Forged callbacks: a wrong state, no state, a provider error without our state,
            // and our state with another issuer's `iss`. Each gets the failure page, none
            // ends the login or reaches the token endpoint.
            let forged = [
                callback_url(
                    &redirect,
                    &[
                        ("code", GOOD_CODE),
                        ("state", "attacker-state"),
                        ("iss", &issuer),
                    ],
                ),
                callback_url(&redirect, &[("code", GOOD_CODE), ("iss", &issuer)]),
                callback_url(
                    &redirect,
                    &[("error", "access_denied"), ("state", "attacker-state")],
                ),
                callback_url(
                    &redirect,
                    &[
                        ("code", GOOD_CODE),
                        ("state", &q["state"]),
                        ("iss", "http://127.0.0.1:1"),
                    ],
                ),
            ];
            for url in &forged {
                let (status, body) = get(url).await;
                assert!(body.contains("Authentication failed"), "{body}");
                log.lock().unwrap().push(status);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(
                fake.token_requests().is_empty(),
                "a forged code was exchanged"
            );
            // The real callback still completes the login.
            let real = callback_url(
                &redirect,
                &[
                    ("code", GOOD_CODE),
                    ("state", &q["state"]),
                    ("iss", &issuer),
                ],
            );
            let (status, body) = get(&real).await;
            assert!(body.contains("Authentication complete"), "{body}");
            log.lock().unwrap().push(status);
        }
    });
    let prompt = Recorder::default();
    let token = client(&fake.issuer(), Duration::from_secs(20))
        .browser_login(&opener, &prompt)
        .await
        .unwrap();
    assert_eq!(token.email.as_deref(), Some("fake-user@example.test"));
    assert_eq!(*log.lock().unwrap(), vec![400, 400, 400, 400, 200]);
    assert_eq!(fake.token_requests().len(), 1);
    let text = prompt.text();
    assert!(text.contains("missing or wrong state"), "{text}");
    assert!(text.contains("iss parameter"), "{text}");
    assert_eq!(text.matches("missing or wrong state").count(), 1, "{text}");
    assert!(!text.contains(GOOD_CODE), "{text}");

    // Only forged callbacks: the login times out, saying what was ignored.
    let f = Arc::clone(&fake);
    let opener = scripted_browser(move |url| {
        let fake = Arc::clone(&f);
        async move {
            fake.learn(&url);
            let redirect = query(&url)["redirect_uri"].clone();
            let forged = callback_url(&redirect, &[("code", GOOD_CODE), ("state", "nope")]);
            assert_eq!(get(&forged).await.0, 400);
        }
    });
    let started = Instant::now();
    let err = client(&fake.issuer(), Duration::from_secs(2))
        .browser_login(&opener, &Recorder::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::CallbacksRejected {
                seconds: 2,
                wrong_state: 1,
                wrong_issuer: 0
            }
        ),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains("did not complete within 2 s"), "{shown}");
    assert!(
        shown.contains("1 callback with a missing or wrong state"),
        "{shown}"
    );
    assert!(!shown.contains(GOOD_CODE), "{shown}");
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(
        fake.token_requests().len(),
        1,
        "a forged code was exchanged"
    );
}

#[tokio::test]
async fn idle_connections_do_not_stop_the_listener() {
    let fake = Arc::new(FakeProvider::start().await);
    let idle = Arc::new(Mutex::new(Vec::new()));
    let (f, i) = (Arc::clone(&fake), Arc::clone(&idle));
    let opener = scripted_browser(move |url| {
        let (fake, idle) = (Arc::clone(&f), Arc::clone(&i));
        async move {
            fake.learn(&url);
            let q = query(&url);
            let redirect = q["redirect_uri"].clone();
            let address = reqwest::Url::parse(&redirect)
                .unwrap()
                .socket_addrs(|| None)
                .unwrap()[0];
            // Many more idle connections than the listener serves at once, some with half a
            // request head; all stay open on this side.
            for n in 0..64 {
                let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
                if n % 2 == 0 {
                    stream
                        .write_all(b"GET /callback?state=x HTTP/1.1\r\n")
                        .await
                        .unwrap();
                }
                idle.lock().unwrap().push(stream);
            }
            let real = callback_url(&redirect, &[("code", GOOD_CODE), ("state", &q["state"])]);
            let (status, body) = get(&real).await;
            assert_eq!(status, 200, "{body}");
        }
    });
    let started = Instant::now();
    let token = client(&fake.issuer(), Duration::from_secs(30))
        .browser_login(&opener, &Recorder::default())
        .await
        .unwrap();
    assert_eq!(token.email.as_deref(), Some("fake-user@example.test"));
    // Served at once, not after the idle connections' read timeout.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(idle.lock().unwrap().len(), 64);
}

#[tokio::test]
async fn provider_error_redirect() {
    let fake = Arc::new(FakeProvider::start().await);
    let f = Arc::clone(&fake);
    let opener = scripted_browser(move |url| {
        let fake = Arc::clone(&f);
        async move {
            fake.learn(&url);
            let q = query(&url);
            let mut callback = reqwest::Url::parse(&q["redirect_uri"]).unwrap();
            callback
                .query_pairs_mut()
                .append_pair("error", "access_denied")
                .append_pair("error_description", "The user declined\u{1b}[2J")
                .append_pair("state", &q["state"]);
            assert_eq!(get(callback.as_str()).await.0, 400);
        }
    });
    let err = client(&fake.issuer(), Duration::from_secs(20))
        .browser_login(&opener, &Recorder::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AuthorizationDenied { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("access_denied") && shown.contains("The user declined"),
        "{shown}"
    );
    assert!(
        !shown.contains('\u{1b}'),
        "control characters reach the terminal: {shown:?}"
    );
    assert!(fake.token_requests().is_empty());
}

#[tokio::test]
async fn browser_that_does_nothing_times_out() {
    let fake = FakeProvider::start().await;
    let started = Instant::now();
    let err = client(&fake.issuer(), Duration::from_secs(2))
        .browser_login(&BrowserOpener::custom(|_| Ok(())), &Recorder::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LoginTimeout {
                flow: "browser",
                seconds: 2
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("did not complete within 2 s"),
        "{err}"
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn failing_browser_command_keeps_waiting_for_the_url() {
    let fake = FakeProvider::start().await;
    let prompt = Recorder::default();
    let err = client(&fake.issuer(), Duration::from_secs(2))
        .browser_login(
            &BrowserOpener::command("false", Vec::<String>::new()),
            &prompt,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LoginTimeout { .. }), "{err:?}");
    assert!(
        prompt.text().contains("open the URL above yourself"),
        "{}",
        prompt.text()
    );
}

#[tokio::test]
async fn nonce_mismatch_and_expired_token() {
    let fake = FakeProvider::start().await;
    let client = client(&fake.issuer(), Duration::from_secs(20));
    let metadata = client.discover().await.unwrap();

    let request = client
        .authorization_request(&metadata, "http://127.0.0.1:9/callback")
        .unwrap();
    fake.learn(request.url());
    fake.set(|s| s.nonce_override = Some("another-login".into()));
    let err = client
        .exchange_code(&metadata, &request, GOOD_CODE)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NonceMismatch), "{err:?}");

    fake.set(|s| {
        s.nonce_override = None;
        s.exp_offset = -3600;
    });
    let err = client
        .exchange_code(&metadata, &request, GOOD_CODE)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TokenExpired { .. }), "{err:?}");

    fake.set(|s| s.exp_offset = 300);
    let token = client
        .exchange_code(&metadata, &request, GOOD_CODE)
        .await
        .unwrap();
    assert_eq!(token.nonce.as_deref(), Some(request.nonce()));

    // A wrong code: the provider's OAuth error is shown, the code never is.
    let err = client
        .exchange_code(&metadata, &request, "wrong-code-secret")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { endpoint: "token", status: 400, error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("invalid_grant") && shown.contains("grant request is invalid"));
    assert!(!shown.contains("wrong-code-secret"));

    // A verifier from another request fails PKCE.
    let other = client
        .authorization_request(&metadata, "http://127.0.0.1:9/callback")
        .unwrap();
    let err = client
        .exchange_code(&metadata, &other, GOOD_CODE)
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("PKCE"), "{err}");
}

#[tokio::test]
async fn id_token_audience_is_the_client_id() {
    let fake = FakeProvider::start().await;
    fake.set(|s| {
        s.client_id = "acme".into();
        s.audience = json!("acme");
    });
    let mut acme = config(&fake.issuer(), Duration::from_secs(20));
    acme.client_id = "acme".into();
    let client = OidcClient::new(acme).unwrap();
    let metadata = client.discover().await.unwrap();
    let request = client
        .authorization_request(&metadata, "http://127.0.0.1:9/callback")
        .unwrap();
    fake.learn(request.url());
    let token = client
        .exchange_code(&metadata, &request, GOOD_CODE)
        .await
        .unwrap();
    assert_eq!(token.audience, vec!["acme".to_owned()]);
    assert_eq!(form(&fake.token_requests()[0].body)["client_id"], "acme");

    // A token for the public `sigstore` client is not this client's.
    fake.set(|s| s.audience = json!("sigstore"));
    let err = client
        .exchange_code(&metadata, &request, GOOD_CODE)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::TokenAudience { expected } if expected == "acme"),
        "{err:?}"
    );
    // Several audiences with another authorized party: rejected.
    fake.set(|s| {
        s.audience = json!(["acme", "sigstore"]);
        s.authorized_party = Some("sigstore".into());
    });
    let err = client
        .exchange_code(&metadata, &request, GOOD_CODE)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TokenAuthorizedParty { .. }), "{err:?}");
    fake.set(|s| s.authorized_party = Some("acme".into()));
    client
        .exchange_code(&metadata, &request, GOOD_CODE)
        .await
        .unwrap();
}

#[tokio::test]
async fn out_of_band_flow_against_fake_provider() {
    let fake = Arc::new(FakeProvider::start().await);
    let (messages, mut received) = tokio::sync::mpsc::unbounded_channel::<String>();
    let prompt = move |text: &str| {
        let _ = messages.send(text.to_owned());
    };
    let (input, mut keyboard) = tokio::io::duplex(1024);
    let f = Arc::clone(&fake);
    let user = tokio::spawn(async move {
        while let Some(text) = received.recv().await {
            if let Some(start) = text.find("http://") {
                let url = text[start..].trim().to_owned();
                assert_eq!(query(&url)["redirect_uri"], OOB_REDIRECT_URI);
                f.learn(&url);
                keyboard
                    .write_all(format!("  {GOOD_CODE}\n").as_bytes())
                    .await
                    .unwrap();
                return true;
            }
        }
        false
    });
    let token = client(&fake.issuer(), Duration::from_secs(20))
        .oob_login(&prompt, tokio::io::BufReader::new(input))
        .await
        .unwrap();
    assert!(user.await.unwrap());
    assert_eq!(token.email.as_deref(), Some("fake-user@example.test"));
    let requests = fake.token_requests();
    assert_eq!(form(&requests[0].body)["redirect_uri"], OOB_REDIRECT_URI);

    // Nobody types anything: the flow gives up after the timeout.
    let (input, _keyboard) = tokio::io::duplex(16);
    let err = client(&fake.issuer(), Duration::from_secs(1))
        .oob_login(&|_: &str| {}, tokio::io::BufReader::new(input))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LoginTimeout {
                flow: "out-of-band",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn client_secret_basic_and_post() {
    for (methods, basic) in [
        (json!(["client_secret_basic", "client_secret_post"]), true),
        (json!(["client_secret_post"]), false),
    ] {
        let fake = FakeProvider::start().await;
        fake.set(|s| {
            s.discovery
                .push(("token_endpoint_auth_methods_supported", methods))
        });
        let config = config(&fake.issuer(), Duration::from_secs(20))
            .with_client_secret(Some("s3cr/et".into()));
        assert!(!format!("{config:?}").contains("s3cr"));
        let client = OidcClient::new(config).unwrap();
        let metadata = client.discover().await.unwrap();
        let request = client
            .authorization_request(&metadata, "http://127.0.0.1:9/callback")
            .unwrap();
        fake.learn(request.url());
        client
            .exchange_code(&metadata, &request, GOOD_CODE)
            .await
            .unwrap();
        let sent = fake.token_requests().pop().unwrap();
        let body = form(&sent.body);
        if basic {
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("sigstore:s3cr%2Fet")
            );
            assert_eq!(sent.header("authorization"), Some(expected.as_str()));
            assert!(!body.contains_key("client_secret"));
        } else {
            assert!(sent.header("authorization").is_none());
            assert_eq!(body["client_id"], "sigstore");
            assert_eq!(body["client_secret"], "s3cr/et");
        }
    }
}

#[tokio::test]
async fn discovery_failures() {
    // Issuer mismatch.
    let fake = FakeProvider::start().await;
    fake.set(|s| {
        s.discovery
            .push(("issuer", json!("https://evil.example/auth")))
    });
    let err = client(&fake.issuer(), Duration::from_secs(5))
        .discover()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::IssuerMismatch { .. }), "{err:?}");
    assert!(
        err.to_string().contains("https://evil.example/auth"),
        "{err}"
    );

    // An endpoint over plain http to a remote host.
    let fake = FakeProvider::start().await;
    fake.set(|s| {
        s.discovery
            .push(("token_endpoint", json!("http://evil.example/token")))
    });
    let err = client(&fake.issuer(), Duration::from_secs(5))
        .discover()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Discovery { .. }), "{err:?}");

    // Provider down: nothing listens on the port.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let issuer = format!("http://127.0.0.1:{port}");
    let err = client(&issuer, Duration::from_secs(5))
        .browser_login(&BrowserOpener::print_only(), &Recorder::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DiscoveryRequest { .. }), "{err:?}");
    assert!(err.to_string().contains(&issuer), "{err}");
    assert!(err.to_string().contains("reachable"), "{err}");

    // An oversized discovery document.
    let big = CannedServer::start(|_| CannedResponse::new(200, vec![b' '; 300 * 1024]))
        .await
        .unwrap();
    let err = client(&big.url(), Duration::from_secs(5))
        .discover()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::DiscoveryRequest {
                source: sigstore_http::Error::ResponseTooLarge { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn device_flow_against_fake_provider() {
    // pending, slow_down (+5 s), then approved.
    let fake = FakeProvider::start().await;
    fake.set(|s| s.device_replies = ["authorization_pending", "slow_down", "ok"].into());
    // expires_in is 2 s in the fake; the slow_down pushes the next poll past it, so use a
    // longer one here.
    let client = client(&fake.issuer(), Duration::from_secs(60));
    let metadata = client.discover().await.unwrap();
    let mut authorization = client.start_device_authorization(&metadata).await.unwrap();
    assert_eq!(authorization.user_code, "WDJB-MJHT");
    assert_eq!(authorization.interval, Duration::from_secs(1));
    assert!(!format!("{authorization:?}").contains(DEVICE_CODE));
    authorization.expires_in = Duration::from_secs(30);
    let token = client
        .poll_device_token(&metadata, &authorization)
        .await
        .unwrap();
    assert_eq!(token.subject, "fake-user");
    let polls = fake.state.lock().unwrap().device_polls.clone();
    assert_eq!(polls.len(), 3);
    let after_slow_down = polls[2] - polls[1];
    assert!(
        after_slow_down >= Duration::from_secs(6),
        "{after_slow_down:?}"
    );

    // Through device_login and the prompt; the first request's body is checked.
    let fake = FakeProvider::start().await;
    fake.set(|s| s.device_replies = ["ok"].into());
    let shown = Arc::new(Mutex::new(None));
    struct Capture(Arc<Mutex<Option<String>>>);
    impl LoginPrompt for Capture {
        fn message(&self, _: &str) {}
        fn device_authorization(&self, authorization: &DeviceAuthorization) {
            *self.0.lock().unwrap() = Some(authorization.to_string());
        }
    }
    let token = client_for(&fake)
        .device_login(&Capture(Arc::clone(&shown)))
        .await
        .unwrap();
    assert_eq!(token.issuer, fake.issuer());
    let shown = shown.lock().unwrap().clone().unwrap();
    assert!(
        shown.contains("WDJB-MJHT") && shown.contains("/device/verify"),
        "{shown}"
    );
    let device_request = fake
        .server
        .requests()
        .into_iter()
        .find(|r| r.path() == "/device")
        .unwrap();
    let body = form(&device_request.body);
    assert_eq!(body["client_id"], "sigstore");
    assert_eq!(body["scope"], "openid email");

    // Denied, expired by the provider, expired by time, unsupported.
    for (replies, expected) in [
        (vec!["access_denied"], "denied"),
        (vec!["expired_token"], "expired"),
        (vec![], "expired"),
        (vec!["invalid_client"], "invalid_client"),
    ] {
        let fake = FakeProvider::start().await;
        fake.set(|s| s.device_replies = replies.into());
        let err = client_for(&fake)
            .device_login(&|_: &str| {})
            .await
            .unwrap_err();
        match expected {
            "denied" => assert!(matches!(err, Error::DeviceDenied), "{err:?}"),
            "expired" => assert!(matches!(err, Error::DeviceExpired), "{err:?}"),
            _ => assert!(err.to_string().contains(expected), "{err}"),
        }
        assert!(!format!("{err} {err:?}").contains(DEVICE_CODE));
    }
    let fake = FakeProvider::start().await;
    fake.set(|s| {
        s.discovery
            .push(("device_authorization_endpoint", Value::Null))
    });
    let err = client_for(&fake)
        .device_login(&|_: &str| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::DeviceFlowUnsupported { .. }),
        "{err:?}"
    );
}

fn client_for(fake: &FakeProvider) -> OidcClient {
    client(&fake.issuer(), Duration::from_secs(20))
}

// ---------------------------------------------------------------------------------------------
// Tests against the local stack's real OpenID provider

fn stack_dir() -> Option<PathBuf> {
    match std::env::var_os("SIGSTORE_STACK_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => {
            println!("skipped: SIGSTORE_STACK_DIR not set");
            None
        }
    }
}

fn stack_issuer() -> String {
    std::env::var("SIGSTORE_STACK_OIDC").unwrap_or_else(|_| "http://127.0.0.1:19090".into())
}

fn stack_auto_issuer() -> String {
    std::env::var("SIGSTORE_STACK_OIDC_AUTO").unwrap_or_else(|_| "http://127.0.0.1:19091".into())
}

fn browser_login_script() -> PathBuf {
    sigstore_test_support::local_stack_tools()
        .expect("the local-stack tools (../shared/tools/local-stack)")
        .join("browser-login.cjs")
}

/// A fresh `sigstore-oidc-<name>-…` directory, removed when the guard is dropped.
fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("sigstore-oidc-{name}"))
}

#[cfg(unix)]
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A "browser" for the BROWSER variable: headless Chromium through the shared
/// browser-login.cjs, logging in as `login`; the script's path and the directory holding it.
#[cfg(unix)]
fn write_browser_wrapper(stack: &std::path::Path, login: &str) -> (PathBuf, TempDir) {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = temp_dir(&format!("browser-{login}"));
    let path = dir.join("browser.sh");
    let script = format!(
        "#!/bin/sh\nNODE_MODULES_DIR={} LOGIN={} exec node {} \"$1\"\n",
        shell_quote(&stack.join("node").to_string_lossy()),
        shell_quote(login),
        shell_quote(&browser_login_script().to_string_lossy()),
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    (path, dir)
}

fn expect_identity(token: &IdentityToken, issuer: &str, login: &str) {
    assert_eq!(token.issuer, issuer);
    assert_eq!(token.subject, login);
    assert_eq!(
        token.email.as_deref(),
        Some(format!("{login}@example.test").as_str())
    );
    assert_eq!(token.email_verified, Some(true));
    assert!(token.audience.iter().any(|a| a == "sigstore"));
}

#[cfg(unix)]
#[tokio::test]
async fn stack_browser_login_in_chromium() {
    let Some(stack) = stack_dir() else { return };
    let (wrapper, _wrapper_dir) = write_browser_wrapper(&stack, "carol");
    let env: BTreeMap<String, String> = [
        ("BROWSER".to_owned(), format!("{} %s", wrapper.display())),
        ("PATH".to_owned(), std::env::var("PATH").unwrap_or_default()),
    ]
    .into();
    let opener = BrowserOpener::from_env(&env);
    let issuer = stack_issuer();
    let prompt = Recorder::default();
    let token = client(&issuer, Duration::from_secs(120))
        .browser_login(&opener, &prompt)
        .await
        .unwrap();
    expect_identity(&token, &issuer, "carol");
    assert!(prompt.text().contains("Waiting for browser interaction..."));
}

/// Follows `url` with GET requests and a cookie jar, as a browser would, until a response is
/// not a redirect or the next location starts with `stop_at`; returns the last URL.
async fn http_browser(url: &str, stop_at: Option<&str>) -> reqwest::Url {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut cookies: BTreeMap<String, String> = BTreeMap::new();
    let mut current = reqwest::Url::parse(url).unwrap();
    for _ in 0..20 {
        if stop_at.is_some_and(|prefix| current.as_str().starts_with(prefix)) {
            return current;
        }
        let mut request = client.get(current.clone());
        if !cookies.is_empty() {
            let header: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header(reqwest::header::COOKIE, header.join("; "));
        }
        let response = request.send().await.unwrap();
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let pair = value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    cookies.remove(name.trim());
                } else {
                    cookies.insert(name.trim().to_owned(), value.trim().to_owned());
                }
            }
        }
        if !response.status().is_redirection() {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            assert!(status.is_success(), "{status} at {current}: {body}");
            return current;
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        current = current.join(&location).unwrap();
    }
    panic!("too many redirects");
}

#[tokio::test]
async fn stack_browser_login_with_plain_http_client() {
    if stack_dir().is_none() {
        return;
    }
    let issuer = stack_auto_issuer();
    let opener = scripted_browser(|url| async move {
        let last = http_browser(&url, None).await;
        assert_eq!(last.path(), "/callback");
    });
    let token = client(&issuer, Duration::from_secs(60))
        .browser_login(&opener, &Recorder::default())
        .await
        .unwrap();
    // The auto-login provider logs everyone in as `alice`.
    expect_identity(&token, &issuer, "alice");
    assert!(token.nonce.is_some());
}

#[tokio::test]
async fn stack_replayed_code_is_refused() {
    if stack_dir().is_none() {
        return;
    }
    let issuer = stack_auto_issuer();
    let client = client(&issuer, Duration::from_secs(60));
    let metadata: ProviderMetadata = client.discover().await.unwrap();
    assert_eq!(metadata.issuer, issuer);
    // Nothing listens on the redirect URI: the "browser" stops before following it.
    let redirect_uri = "http://127.0.0.1:9/callback";
    let request = client
        .authorization_request(&metadata, redirect_uri)
        .unwrap();
    let last = http_browser(request.url(), Some(redirect_uri)).await;
    let q = query(last.as_str());
    assert_eq!(q["state"], request.state());
    let code = q["code"].clone();
    let token = client
        .exchange_code(&metadata, &request, &code)
        .await
        .unwrap();
    expect_identity(&token, &issuer, "alice");
    let err = client
        .exchange_code(&metadata, &request, &code)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("invalid_grant"), "{shown}");
    assert!(!shown.contains(&code), "the code leaked into the error");
}

/// A prompt that approves the device login in headless Chromium.
struct ChromiumApprover {
    stack: PathBuf,
    login: &'static str,
    child: Mutex<Option<std::process::Child>>,
}

impl LoginPrompt for ChromiumApprover {
    fn message(&self, text: &str) {
        eprintln!("{text}");
    }

    fn device_authorization(&self, authorization: &DeviceAuthorization) {
        eprintln!("{authorization}");
        let url = authorization
            .verification_uri_complete
            .clone()
            .unwrap_or_else(|| authorization.verification_uri.clone());
        let child = std::process::Command::new("node")
            .arg(browser_login_script())
            .arg(url)
            .env("NODE_MODULES_DIR", self.stack.join("node"))
            .env("LOGIN", self.login)
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap();
        *self.child.lock().unwrap() = Some(child);
    }
}

#[tokio::test]
async fn stack_device_login_in_chromium() {
    let Some(stack) = stack_dir() else { return };
    let issuer = stack_issuer();
    let approver = ChromiumApprover {
        stack,
        login: "dave",
        child: Mutex::new(None),
    };
    let token = client(&issuer, Duration::from_secs(120))
        .device_login(&approver)
        .await
        .unwrap();
    expect_identity(&token, &issuer, "dave");
    let child = approver.child.lock().unwrap().take();
    if let Some(mut child) = child {
        let status = child.wait().unwrap();
        assert!(status.success(), "browser-login.cjs: {status}");
    }
}

/// `xdg-open` on `PATH` opens nothing without a graphical session: the flow only prints the
/// URL then, instead of waiting for a browser that never appears.
#[cfg(unix)]
#[test]
fn xdg_open_needs_a_display() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("oidc-xdg");
    let opener = dir.join("xdg-open");
    std::fs::write(&opener, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.display().to_string();
    let headless: BTreeMap<String, String> = [("PATH".to_owned(), path.clone())].into();
    assert!(BrowserOpener::from_env(&headless).is_print_only());
    for display in ["DISPLAY", "WAYLAND_DISPLAY"] {
        let desktop: BTreeMap<String, String> = [
            ("PATH".to_owned(), path.clone()),
            (display.to_owned(), ":0".to_owned()),
        ]
        .into();
        assert!(
            !BrowserOpener::from_env(&desktop).is_print_only(),
            "{display}"
        );
    }
}
