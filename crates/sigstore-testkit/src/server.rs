//! The testkit's services over HTTP/1.1 on 127.0.0.1, with run-time fault injection.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use der::{Decode as _, Encode as _};
use http_body_util::{BodyExt as _, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use sigstore_crypto::{Digest, HashAlgorithm, PublicKey, SignatureAlgorithm};
use sigstore_types::bundle::{
    BundleContent, MessageSignature, TransparencyLogEntry, VerificationMaterial,
    VerificationMaterialContent,
};
use sigstore_types::encoding::{pem_decode, pem_encode};
use sigstore_types::{Bundle, BundleVersion, PublicKeyDetails, Timestamp};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::{
    system_now, Error, ExternalIssuer, LogVerifier, Tampering, Urls, VirtualSigstore,
    REKOR_V1_SHARD_OFFSET,
};

/// Largest request body the services read.
const MAX_REQUEST: usize = 8 << 20;

/// An HTTP endpoint faults can be attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// Fulcio `POST /api/v2/signingCert`.
    FulcioSigningCert,
    /// Fulcio `GET /api/v2/trustBundle`.
    FulcioTrustBundle,
    /// Fulcio `GET /api/v2/configuration`.
    FulcioConfiguration,
    /// Rekor v1 `POST /api/v1/log/entries`.
    RekorV1CreateEntry,
    /// Rekor v1 `GET /api/v1/log/entries?logIndex=` and `GET /api/v1/log/entries/{uuid}`.
    RekorV1GetEntry,
    /// Rekor v1 `POST /api/v1/log/entries/retrieve`: the logged entries matching the
    /// proposed `hashedrekord` 0.0.1 entries of `{"entries": [...]}` (by canonical body, as
    /// Rekor matches them), as a list of `LogEntry` maps.
    RekorV1RetrieveEntries,
    /// Rekor v1 `GET /api/v1/log`.
    RekorV1LogInfo,
    /// Rekor v1 `GET /api/v1/log/proof`.
    RekorV1Proof,
    /// Rekor v1 `GET /api/v1/log/publicKey`.
    RekorV1PublicKey,
    /// Rekor v2 `POST /api/v2/log/entries`.
    RekorV2CreateEntry,
    /// Rekor v2 `GET /api/v2/checkpoint`.
    RekorV2Checkpoint,
    /// TSA `POST /api/v1/timestamp`: a DER `TimeStampReq` (`application/timestamp-query`) or
    /// the JSON form `{"artifactHash","hashAlgorithm","certificates","nonce"}`
    /// (`application/json`); the answer is a DER `TimeStampResp` either way.
    TsaTimestamp,
    /// TSA `GET /api/v1/timestamp/certchain`.
    TsaCertChain,
    /// OIDC `GET /.well-known/openid-configuration`.
    OidcDiscovery,
    /// OIDC `GET /jwks`.
    OidcJwks,
    /// OIDC `POST /token`.
    OidcToken,
}

/// A fault an endpoint injects into its responses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long, then answer normally (other faults still apply).
    Delay(Duration),
    /// Answer with this status and a JSON error body `{"code","message"}`.
    Status(u16),
    /// Answer 429 Too Many Requests with `Retry-After: <secs>`.
    RateLimited {
        /// The `Retry-After` value in seconds.
        retry_after_secs: u32,
    },
    /// Send the normal status and `Content-Length`, then only half the body and close.
    TruncatedBody,
    /// Answer 200 with a body that is not the expected format.
    MalformedBody,
    /// Answer 200 with a JSON body of this many bytes.
    OversizedBody(usize),
    /// Fulcio: embed an SCT from a CT log the trusted root does not list.
    UnknownSctLog,
    /// Fulcio: issue from a CA the trusted root does not list.
    UntrustedChain,
    /// Fulcio: issue the certificate for another identity than the token's.
    WrongIdentity,
    /// Rekor v1/v2: corrupt the inclusion proof.
    BadInclusionProof,
    /// Rekor v1/v2: sign the checkpoint with a key that is not the log's.
    WrongCheckpointKey,
    /// TSA: genTime before the TSA's validity in the trusted root.
    TimestampOutsideValidity,
    /// Rekor v1 retrieve: answer an empty list, as for an entry that was never logged.
    EmptyResult,
    /// Rekor v1 retrieve: answer the most recent entry for another artifact instead of the
    /// matching one (an empty list when the log holds no other entry).
    OtherEntry,
    /// Rekor v1 retrieve: answer the most recent entry for another artifact before the
    /// matching ones.
    ExtraEntry,
    /// Rekor v1 retrieve: alter the matching entry's body (its artifact digest) and keep its
    /// SET, inclusion proof and checkpoint.
    TamperedBody,
    /// Rekor v1 retrieve: move the matching entry's `integratedTime` one second later and
    /// keep its SET.
    TamperedTime,
    /// Rekor v1 retrieve: answer the matching entry without its inclusion proof (SET only).
    NoInclusionProof,
}

#[derive(Debug, Clone)]
struct Planned {
    fault: Fault,
    remaining: Option<u32>,
}

type Faults = Arc<Mutex<HashMap<Endpoint, Vec<Planned>>>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Fulcio,
    RekorV1,
    RekorV2,
    Tsa,
    Oidc,
}

struct State {
    sigstore: VirtualSigstore,
    faults: Faults,
    /// Requests answered so far, per endpoint (faulted ones included).
    counts: Mutex<HashMap<Endpoint, u64>>,
}

/// How to start a [`Testkit`] (see [`Testkit::start_with`]).
#[derive(Debug, Clone, Default)]
pub struct TestkitOptions {
    /// 0 for OS-chosen ports, otherwise Fulcio's port; Rekor v1, Rekor v2, the TSA and the
    /// OIDC issuer take the next four.
    pub port: u16,
    /// OpenID providers Fulcio trusts besides the testkit's own issuer.
    pub external_issuers: Vec<ExternalIssuer>,
}

/// The testkit's services running on 127.0.0.1, one port per service: Fulcio, Rekor v1,
/// Rekor v2, the TSA and the OIDC issuer. The services stop when this handle is dropped.
pub struct Testkit {
    state: Arc<State>,
    tasks: Vec<JoinHandle<()>>,
}

impl core::fmt::Debug for Testkit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Testkit")
            .field("urls", self.urls())
            .finish_non_exhaustive()
    }
}

impl Drop for Testkit {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Testkit {
    /// Starts every service on an OS-chosen port of 127.0.0.1.
    pub async fn start() -> Result<Self, Error> {
        Self::start_on(0).await
    }

    /// Starts the services on 127.0.0.1: with `base_port` 0 on OS-chosen ports, otherwise
    /// Fulcio on `base_port`, Rekor v1 on +1, Rekor v2 on +2, the TSA on +3 and the OIDC
    /// issuer on +4.
    pub async fn start_on(base_port: u16) -> Result<Self, Error> {
        Self::start_with(TestkitOptions {
            port: base_port,
            ..TestkitOptions::default()
        })
        .await
    }

    /// Starts the services as [`Testkit::start_on`] does with `options.port`, with Fulcio
    /// also trusting `options.external_issuers`.
    pub async fn start_with(options: TestkitOptions) -> Result<Self, Error> {
        let testkit = Self::bind(options.port).await?;
        for issuer in options.external_issuers {
            testkit.trust_issuer(issuer);
        }
        Ok(testkit)
    }

    /// Makes Fulcio trust tokens from `issuer` too, from now on (see
    /// [`VirtualSigstore::trust_issuer`]); `GET /api/v2/configuration` lists it.
    pub fn trust_issuer(&self, issuer: ExternalIssuer) {
        self.state.sigstore.trust_issuer(issuer);
    }

    async fn bind(base_port: u16) -> Result<Self, Error> {
        let services = [
            Service::Fulcio,
            Service::RekorV1,
            Service::RekorV2,
            Service::Tsa,
            Service::Oidc,
        ];
        let mut listeners = Vec::new();
        for (offset, service) in (0u16..).zip(services) {
            let port = if base_port == 0 {
                0
            } else {
                base_port.checked_add(offset).ok_or(Error::Unsupported {
                    what: "a base port this high",
                })?
            };
            let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
            listeners.push((service, listener));
        }
        let url = |i: usize| -> Result<String, Error> {
            let (_, listener) = listeners.get(i).ok_or(Error::NotFound)?;
            Ok(format!("http://{}", listener.local_addr()?))
        };
        let urls = Urls {
            fulcio: url(0)?,
            rekor_v1: url(1)?,
            rekor_v2: url(2)?,
            tsa: format!("{}/api/v1/timestamp", url(3)?),
            oidc_issuer: url(4)?,
        };
        let state = Arc::new(State {
            sigstore: VirtualSigstore::with_urls(urls, system_now())?,
            faults: Arc::default(),
            counts: Mutex::default(),
        });
        let tasks = listeners
            .into_iter()
            .map(|(service, listener)| tokio::spawn(accept_loop(listener, service, state.clone())))
            .collect();
        Ok(Self { state, tasks })
    }

    /// The base URLs of the running services.
    pub fn urls(&self) -> &Urls {
        self.state.sigstore.urls()
    }

    /// The in-process authorities behind the services (same keys, same logs).
    pub fn sigstore(&self) -> &VirtualSigstore {
        &self.state.sigstore
    }

    /// A fresh identity token from the testkit issuer for `claims` (see
    /// [`VirtualSigstore::mint_token`]), issued now.
    pub fn mint_token(&self, claims: &Map<String, Value>) -> String {
        self.state.sigstore.mint_token(claims, system_now())
    }

    /// A fresh token for a verified email identity, issued now.
    pub fn mint_email_token(&self, email: &str) -> String {
        self.state.sigstore.mint_email_token(email, system_now())
    }

    /// Replaces `endpoint`'s faults with `fault`, applied to every request until cleared.
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        lock(&self.state.faults).insert(
            endpoint,
            vec![Planned {
                fault,
                remaining: None,
            }],
        );
    }

    /// Adds `fault` to `endpoint` for its next `times` requests only (for retry tests).
    pub fn add_fault_times(&self, endpoint: Endpoint, fault: Fault, times: u32) {
        lock(&self.state.faults)
            .entry(endpoint)
            .or_default()
            .push(Planned {
                fault,
                remaining: Some(times),
            });
    }

    /// Removes `endpoint`'s faults.
    pub fn clear_fault(&self, endpoint: Endpoint) {
        lock(&self.state.faults).remove(&endpoint);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// How many requests `endpoint` has received so far (faulted ones included).
    pub fn request_count(&self, endpoint: Endpoint) -> u64 {
        lock(&self.state.counts)
            .get(&endpoint)
            .copied()
            .unwrap_or(0)
    }

    /// Writes `trusted_root.json`, `signing_config.json` (Rekor v1),
    /// `signing_config_rekor_v2.json`, `client_trust_config.json` (Rekor v1) and `token` (an
    /// email token for `testkit@example.com`, valid for an hour) into `dir`.
    pub fn write_files(&self, dir: &Path) -> Result<(), Error> {
        let sigstore = &self.state.sigstore;
        std::fs::create_dir_all(dir)?;
        let pretty = |json: String| -> String {
            serde_json::from_str::<Value>(&json)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or(json)
        };
        write_atomic(
            &dir.join("trusted_root.json"),
            &pretty(sigstore.trusted_root()?.to_json()),
        )?;
        write_atomic(
            &dir.join("signing_config.json"),
            &pretty(sigstore.signing_config(false).to_json()),
        )?;
        write_atomic(
            &dir.join("signing_config_rekor_v2.json"),
            &pretty(sigstore.signing_config(true).to_json()),
        )?;
        write_atomic(
            &dir.join("client_trust_config.json"),
            &pretty(sigstore.client_trust_config(false)?.to_json()),
        )?;
        self.write_token(dir)
    }

    /// Writes a fresh `token` file (valid for an hour) into `dir`.
    pub fn write_token(&self, dir: &Path) -> Result<(), Error> {
        let now = system_now();
        let claims = json!({"sub": "testkit@example.com", "email": "testkit@example.com",
                            "email_verified": true, "exp": now.unix_seconds() + 3600});
        let token = self
            .state
            .sigstore
            .mint_token(claims.as_object().unwrap_or(&Map::new()), now);
        write_atomic(&dir.join("token"), &token)
    }
}

fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

async fn accept_loop(listener: TcpListener, service: Service, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors or similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(&state, service, req).await) }
            });
            // Connection errors (client went away, truncated replies) end the connection.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

type Reply = Response<Body>;

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

fn json_reply(status: StatusCode, value: &Value) -> Reply {
    reply(status, "application/json", value.to_string())
}

fn error_reply(status: StatusCode, message: &str) -> Reply {
    json_reply(
        status,
        &json!({"code": status.as_u16(), "message": message}),
    )
}

fn error_status(error: &Error) -> StatusCode {
    match error {
        Error::Token(_) => StatusCode::UNAUTHORIZED,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::AlreadyExists { .. } => StatusCode::CONFLICT,
        Error::Io(_) | Error::Der(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn endpoint_of(service: Service, method: &Method, path: &str) -> Option<Endpoint> {
    use Endpoint as E;
    Some(match (service, method.as_str(), path) {
        (Service::Fulcio, "POST", "/api/v2/signingCert") => E::FulcioSigningCert,
        (Service::Fulcio, "GET", "/api/v2/trustBundle") => E::FulcioTrustBundle,
        (Service::Fulcio, "GET", "/api/v2/configuration") => E::FulcioConfiguration,
        (Service::RekorV1, "POST", "/api/v1/log/entries") => E::RekorV1CreateEntry,
        (Service::RekorV1, "POST", "/api/v1/log/entries/retrieve") => E::RekorV1RetrieveEntries,
        (Service::RekorV1, "GET", "/api/v1/log/entries") => E::RekorV1GetEntry,
        (Service::RekorV1, "GET", p) if p.starts_with("/api/v1/log/entries/") => E::RekorV1GetEntry,
        (Service::RekorV1, "GET", "/api/v1/log") => E::RekorV1LogInfo,
        (Service::RekorV1, "GET", "/api/v1/log/proof") => E::RekorV1Proof,
        (Service::RekorV1, "GET", "/api/v1/log/publicKey") => E::RekorV1PublicKey,
        (Service::RekorV2, "POST", "/api/v2/log/entries") => E::RekorV2CreateEntry,
        (Service::RekorV2, "GET", "/api/v2/checkpoint") => E::RekorV2Checkpoint,
        (Service::Tsa, "POST", "/api/v1/timestamp") => E::TsaTimestamp,
        (Service::Tsa, "GET", "/api/v1/timestamp/certchain") => E::TsaCertChain,
        (Service::Oidc, "GET", "/.well-known/openid-configuration") => E::OidcDiscovery,
        (Service::Oidc, "GET", "/jwks") => E::OidcJwks,
        (Service::Oidc, "POST", "/token") => E::OidcToken,
        _ => return None,
    })
}

/// Takes the faults planned for one request, consuming counted ones.
fn take_faults(faults: &Faults, endpoint: Endpoint) -> Vec<Fault> {
    let mut all = lock(faults);
    let Some(planned) = all.get_mut(&endpoint) else {
        return Vec::new();
    };
    let taken = planned.iter().map(|p| p.fault.clone()).collect();
    for p in planned.iter_mut() {
        if let Some(n) = p.remaining.as_mut() {
            *n = n.saturating_sub(1);
        }
    }
    planned.retain(|p| p.remaining != Some(0));
    if planned.is_empty() {
        all.remove(&endpoint);
    }
    taken
}

async fn handle(state: &State, service: Service, req: Request<Incoming>) -> Reply {
    let path = req.uri().path().to_owned();
    if service == Service::Fulcio && req.method() == Method::GET && path == "/stats" {
        // Request counts per endpoint, e.g. `{"FulcioSigningCert": 1}`, for benchmarks.
        let counts: Map<String, Value> = lock(&state.counts)
            .iter()
            .map(|(endpoint, n)| (format!("{endpoint:?}"), json!(n)))
            .collect();
        return json_reply(StatusCode::OK, &Value::Object(counts));
    }
    let Some(endpoint) = endpoint_of(service, req.method(), &path) else {
        return error_reply(StatusCode::NOT_FOUND, "no such endpoint");
    };
    *lock(&state.counts).entry(endpoint).or_insert(0) += 1;
    let faults = take_faults(&state.faults, endpoint);
    let mut tampering = Tampering::none();
    for fault in &faults {
        match fault {
            Fault::Delay(d) => tokio::time::sleep(*d).await,
            Fault::Status(code) => {
                let status =
                    StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                return error_reply(status, "injected fault");
            }
            Fault::RateLimited { retry_after_secs } => {
                let mut r = error_reply(StatusCode::TOO_MANY_REQUESTS, "slow down");
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    r.headers_mut().insert("retry-after", v);
                }
                return r;
            }
            Fault::MalformedBody => {
                return reply(
                    StatusCode::OK,
                    "application/json",
                    "{\"chain\": [\"not even",
                );
            }
            Fault::OversizedBody(size) => {
                let pad = "A".repeat(size.saturating_sub(10));
                return reply(
                    StatusCode::OK,
                    "application/json",
                    format!("{{\"pad\":\"{pad}\"}}"),
                );
            }
            Fault::UnknownSctLog => tampering.unknown_sct_log = true,
            Fault::UntrustedChain => tampering.untrusted_ca = true,
            Fault::WrongIdentity => tampering.wrong_identity = true,
            Fault::BadInclusionProof => tampering.bad_inclusion_proof = true,
            Fault::WrongCheckpointKey => tampering.wrong_checkpoint_key = true,
            Fault::TimestampOutsideValidity => tampering.timestamp_outside_validity = true,
            Fault::TruncatedBody
            | Fault::EmptyResult
            | Fault::OtherEntry
            | Fault::ExtraEntry
            | Fault::TamperedBody
            | Fault::TamperedTime
            | Fault::NoInclusionProof => {}
        }
    }
    let truncate = faults.contains(&Fault::TruncatedBody);
    let response = route(state, endpoint, req, tampering, &faults).await;
    if truncate {
        return truncated(response);
    }
    response
}

/// The same response with its full `Content-Length` but only half its body.
fn truncated(response: Reply) -> Reply {
    let (mut parts, body) = response.into_parts();
    let full = body.data.unwrap_or_default();
    if let Ok(v) = HeaderValue::from_str(&full.len().to_string()) {
        parts.headers.insert(CONTENT_LENGTH, v);
    }
    Response::from_parts(
        parts,
        Body {
            data: Some(full.slice(..full.len() / 2)),
            exact: false,
        },
    )
}

/// A one-chunk response body. Its size is announced unless it is a deliberately truncated
/// one, whose `Content-Length` header then promises more than it sends.
pub(crate) struct Body {
    data: Option<Bytes>,
    exact: bool,
}

impl Body {
    fn new(data: impl Into<Bytes>) -> Self {
        Self {
            data: Some(data.into()),
            exact: true,
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(
            self.get_mut()
                .data
                .take()
                .map(|d| Ok(hyper::body::Frame::data(d))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match (&self.data, self.exact) {
            (Some(d), true) => hyper::body::SizeHint::with_exact(d.len() as u64),
            (None, true) => hyper::body::SizeHint::with_exact(0),
            _ => hyper::body::SizeHint::default(),
        }
    }
}

async fn read_body(req: Request<Incoming>) -> Result<(hyper::http::request::Parts, Bytes), Reply> {
    let (parts, body) = req.into_parts();
    match Limited::new(body, MAX_REQUEST).collect().await {
        Ok(collected) => Ok((parts, collected.to_bytes())),
        Err(_) => Err(error_reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large or unreadable",
        )),
    }
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn route(
    state: &State,
    endpoint: Endpoint,
    req: Request<Incoming>,
    tampering: Tampering,
    faults: &[Fault],
) -> Reply {
    let sigstore = &state.sigstore;
    let now = system_now();
    match endpoint {
        Endpoint::FulcioSigningCert => {
            let (parts, body) = match read_body(req).await {
                Ok(x) => x,
                Err(r) => return r,
            };
            match signing_cert(sigstore, &parts, &body, now, tampering) {
                Ok(chain) => json_reply(
                    StatusCode::CREATED,
                    &json!({"signedCertificateEmbeddedSct": {"chain": {"certificates":
                        chain.iter().map(|der| pem_encode(der, "CERTIFICATE")).collect::<Vec<_>>()}}}),
                ),
                Err(e) => error_reply(error_status(&e), &e.to_string()),
            }
        }
        Endpoint::FulcioTrustBundle => json_reply(
            StatusCode::OK,
            &json!({"chains": [{"certificates":
                sigstore.fulcio_chain().iter().map(|der| pem_encode(der, "CERTIFICATE")).collect::<Vec<_>>()}]}),
        ),
        Endpoint::FulcioConfiguration => {
            let issuers: Vec<Value> = std::iter::once(sigstore.oidc_issuer().to_owned())
                .chain(sigstore.trusted_issuers())
                .map(|url| {
                    json!({"issuerUrl": url, "audience": "sigstore",
                           "challengeClaim": "email", "issuerType": "email"})
                })
                .collect();
            json_reply(StatusCode::OK, &json!({ "issuers": issuers }))
        }
        Endpoint::RekorV1CreateEntry => {
            let (_, body) = match read_body(req).await {
                Ok(x) => x,
                Err(r) => return r,
            };
            match rekor_v1_create(sigstore, &body, now, tampering) {
                Ok(entry) => {
                    let id = sigstore.rekor_v1_entry_id(&entry.canonicalized_body);
                    let mut r = json_reply(
                        StatusCode::CREATED,
                        &sigstore.rekor_v1_log_entry_json(&entry),
                    );
                    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/log/entries/{id}")) {
                        r.headers_mut().insert("location", v);
                    }
                    if let Ok(v) = HeaderValue::from_str(&id) {
                        r.headers_mut().insert("etag", v);
                    }
                    r
                }
                Err(Error::AlreadyExists { log_index }) => {
                    let mut r = error_reply(
                        StatusCode::CONFLICT,
                        "an equivalent entry already exists in the transparency log",
                    );
                    if let Ok(entry) = sigstore.rekor_v1_entry(log_index) {
                        let id = sigstore.rekor_v1_entry_id(&entry.canonicalized_body);
                        if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/log/entries/{id}")) {
                            r.headers_mut().insert("location", v);
                        }
                    }
                    r
                }
                Err(e) => error_reply(error_status(&e), &e.to_string()),
            }
        }
        Endpoint::RekorV1GetEntry => {
            let path = req.uri().path();
            let index = match path.strip_prefix("/api/v1/log/entries/") {
                Some(uuid) => sigstore.rekor_v1_find_uuid(uuid),
                None => {
                    query_param(req.uri().query(), "logIndex").and_then(|i| i.parse::<i64>().ok())
                }
            };
            let entry = index
                .ok_or(Error::NotFound)
                .and_then(|i| sigstore.rekor_v1_entry(i))
                .map(|mut entry| {
                    tamper_entry(&mut entry, tampering);
                    entry
                });
            match entry {
                Ok(entry) => json_reply(StatusCode::OK, &sigstore.rekor_v1_log_entry_json(&entry)),
                Err(e) => error_reply(error_status(&e), &e.to_string()),
            }
        }
        Endpoint::RekorV1RetrieveEntries => {
            let (_, body) = match read_body(req).await {
                Ok(x) => x,
                Err(r) => return r,
            };
            match rekor_v1_retrieve(sigstore, &body, tampering, faults) {
                Ok(entries) => json_reply(
                    StatusCode::OK,
                    &Value::Array(
                        entries
                            .iter()
                            .map(|e| sigstore.rekor_v1_log_entry_json(e))
                            .collect(),
                    ),
                ),
                Err(e) => error_reply(error_status(&e), &e.to_string()),
            }
        }
        Endpoint::RekorV1LogInfo => match sigstore.rekor_v1_tree_head() {
            Ok((size, root, checkpoint)) => json_reply(
                StatusCode::OK,
                &json!({"rootHash": hex::encode(root), "treeSize": size, "signedTreeHead": checkpoint,
                        "treeID": sigstore.rekor_v1_tree_id().to_string(), "inactiveShards": []}),
            ),
            Err(e) => error_reply(error_status(&e), &e.to_string()),
        },
        Endpoint::RekorV1Proof => {
            let q = req.uri().query();
            let first = query_param(q, "firstSize").map_or(Some(1), |v| v.parse::<u64>().ok());
            let last = query_param(q, "lastSize").and_then(|v| v.parse::<u64>().ok());
            let (Some(first), Some(last)) = (first, last) else {
                return error_reply(
                    StatusCode::BAD_REQUEST,
                    "firstSize and lastSize must be integers",
                );
            };
            match sigstore.rekor_v1_consistency(first, last) {
                Ok((root, hashes)) => json_reply(
                    StatusCode::OK,
                    &json!({"rootHash": hex::encode(root), "hashes": hashes.iter().map(hex::encode).collect::<Vec<_>>()}),
                ),
                Err(e) => error_reply(StatusCode::BAD_REQUEST, &e.to_string()),
            }
        }
        Endpoint::RekorV1PublicKey => match sigstore.rekor_v1_public_key_pem() {
            Ok(pem) => reply(StatusCode::OK, "application/x-pem-file", pem),
            Err(e) => error_reply(error_status(&e), &e.to_string()),
        },
        Endpoint::RekorV2CreateEntry => {
            let (_, body) = match read_body(req).await {
                Ok(x) => x,
                Err(r) => return r,
            };
            match rekor_v2_create(sigstore, &body, tampering) {
                Ok(entry) => json_reply(StatusCode::CREATED, &transparency_log_entry_json(&entry)),
                Err(e) => error_reply(error_status(&e), &e.to_string()),
            }
        }
        Endpoint::RekorV2Checkpoint => reply(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            sigstore.rekor_v2_checkpoint(),
        ),
        Endpoint::TsaTimestamp => {
            let (parts, body) = match read_body(req).await {
                Ok(x) => x,
                Err(r) => return r,
            };
            let content_type = parts
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let request = if content_type.starts_with("application/timestamp-query") {
                Ok(body.to_vec())
            } else if content_type.starts_with("application/json") {
                json_timestamp_request(&body)
            } else {
                return error_reply(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "expected application/timestamp-query or application/json",
                );
            };
            match request.and_then(|r| sigstore.timestamp_request_with(&r, now, tampering)) {
                Ok(der) => reply(StatusCode::CREATED, "application/timestamp-reply", der),
                Err(e) => error_reply(StatusCode::BAD_REQUEST, &e.to_string()),
            }
        }
        Endpoint::TsaCertChain => reply(
            StatusCode::OK,
            "application/pem-certificate-chain",
            sigstore
                .tsa_chain()
                .iter()
                .map(|der| pem_encode(der, "CERTIFICATE"))
                .collect::<String>(),
        ),
        Endpoint::OidcDiscovery => {
            let issuer = sigstore.oidc_issuer();
            json_reply(
                StatusCode::OK,
                &json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks"),
                        "token_endpoint": format!("{issuer}/token"),
                        "authorization_endpoint": format!("{issuer}/authorize"),
                        "response_types_supported": ["code"], "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["ES256"],
                        "scopes_supported": ["openid", "email"]}),
            )
        }
        Endpoint::OidcJwks => json_reply(StatusCode::OK, &sigstore.jwks()),
        Endpoint::OidcToken => {
            let (_, body) = match read_body(req).await {
                Ok(x) => x,
                Err(r) => return r,
            };
            let claims = if body.iter().all(u8::is_ascii_whitespace) {
                json!({"sub": "testkit@example.com", "email": "testkit@example.com", "email_verified": true})
            } else {
                match serde_json::from_slice::<Value>(&body) {
                    Ok(v @ Value::Object(_)) => v,
                    _ => {
                        return error_reply(
                            StatusCode::BAD_REQUEST,
                            "the body must be a JSON object of claims",
                        )
                    }
                }
            };
            let token = sigstore.mint_token(claims.as_object().unwrap_or(&Map::new()), now);
            json_reply(
                StatusCode::OK,
                &json!({"access_token": token, "id_token": token, "token_type": "Bearer", "expires_in": 600}),
            )
        }
    }
}

/// The DER request for the TSA's JSON form (`artifactHash` base64, `hashAlgorithm`
/// `sha256|sha384|sha512`, optional `certificates` and `nonce`).
fn json_timestamp_request(body: &[u8]) -> Result<Vec<u8>, Error> {
    let request: Value = serde_json::from_slice(body).map_err(|_| malformed("request JSON"))?;
    let algorithm = match request["hashAlgorithm"].as_str().unwrap_or("sha256") {
        "sha256" => HashAlgorithm::Sha256,
        "sha384" => HashAlgorithm::Sha384,
        "sha512" => HashAlgorithm::Sha512,
        _ => return Err(malformed("hashAlgorithm")),
    };
    let hash = STANDARD
        .decode(
            request["artifactHash"]
                .as_str()
                .ok_or(malformed("artifactHash"))?,
        )
        .map_err(|_| malformed("artifactHash"))?;
    let digest = Digest::new(algorithm, &hash).ok_or(malformed("artifactHash length"))?;
    let nonce = match &request["nonce"] {
        Value::Null => None,
        Value::Number(n) => Some(n.as_u64().ok_or(malformed("nonce"))?.to_be_bytes()),
        _ => return Err(malformed("nonce")),
    };
    let cert_req = request["certificates"].as_bool().unwrap_or(false);
    crate::timestamp_request(&digest, nonce.as_ref().map(|n| &n[..]), cert_req)
}

fn tamper_entry(entry: &mut TransparencyLogEntry, tampering: Tampering) {
    if tampering.bad_inclusion_proof {
        if let Some(proof) = entry.inclusion_proof.as_mut() {
            match proof.hashes.first_mut().and_then(|h| h.first_mut()) {
                Some(b) => *b ^= 1,
                None => proof.hashes.push(vec![0x5a; 32]),
            }
        }
    }
    if tampering.wrong_checkpoint_key {
        if let Some(cp) = entry
            .inclusion_proof
            .as_mut()
            .and_then(|p| p.checkpoint.as_mut())
        {
            // Flip one signature byte: the log's key no longer verifies it.
            let mut lines: Vec<String> = cp.lines().map(str::to_owned).collect();
            if let Some(last) = lines.last_mut() {
                if let Some((head, sig)) = last.rsplit_once(' ') {
                    if let Ok(mut bytes) = STANDARD.decode(sig) {
                        if let Some(b) = bytes.last_mut() {
                            *b ^= 1;
                        }
                        *last = format!("{head} {}", STANDARD.encode(bytes));
                    }
                }
            }
            *cp = lines.join("\n") + "\n";
        }
    }
}

/// A transparency log entry in protobuf-JSON form (what a bundle's `tlogEntries[]` holds and
/// what Rekor v2 answers).
pub(crate) fn transparency_log_entry_json(entry: &TransparencyLogEntry) -> Value {
    let bundle = Bundle {
        media_type: BundleVersion::V0_3.media_type().to_owned(),
        version: BundleVersion::V0_3,
        verification_material: VerificationMaterial {
            content: VerificationMaterialContent::Certificate(Vec::new()),
            tlog_entries: vec![entry.clone()],
            rfc3161_timestamps: Vec::new(),
        },
        content: BundleContent::MessageSignature(MessageSignature {
            message_digest: None,
            signature: Vec::new(),
        }),
    };
    serde_json::from_str::<Value>(&bundle.to_json())
        .map(|v| v["verificationMaterial"]["tlogEntries"][0].clone())
        .unwrap_or(Value::Null)
}

fn malformed(what: &'static str) -> Error {
    Error::Malformed { what }
}

/// DER SubjectPublicKeyInfo from a PEM block or base64 DER.
fn spki_from_text(text: &str) -> Result<Vec<u8>, Error> {
    if text.contains("-----BEGIN") {
        return pem_decode(text.as_bytes(), "PUBLIC KEY").map_err(|_| malformed("public key"));
    }
    STANDARD
        .decode(text.trim())
        .map_err(|_| malformed("public key"))
}

fn signing_cert(
    sigstore: &VirtualSigstore,
    parts: &hyper::http::request::Parts,
    body: &[u8],
    now: Timestamp,
    tampering: Tampering,
) -> Result<Vec<Vec<u8>>, Error> {
    let request: Value = serde_json::from_slice(body).map_err(|_| malformed("request JSON"))?;
    let bearer = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    let token = request["credentials"]["oidcIdentityToken"]
        .as_str()
        .or(bearer)
        .ok_or(crate::TokenError::Malformed)?;
    let (identity, claims) = sigstore.verified_identity(token, now)?;

    let spki = if let Some(csr) = request["certificateSigningRequest"].as_str() {
        let pem = STANDARD
            .decode(csr.trim())
            .map_err(|_| malformed("CSR base64"))?;
        let pem = String::from_utf8(pem).map_err(|_| malformed("CSR PEM"))?;
        let der =
            pem_decode(pem.as_bytes(), "CERTIFICATE REQUEST").map_err(|_| malformed("CSR PEM"))?;
        let csr = x509_cert::request::CertReq::from_der(&der).map_err(|_| malformed("CSR"))?;
        let spki = csr.info.public_key.to_der()?;
        let key = PublicKey::from_spki_der(&spki).map_err(|_| malformed("CSR public key"))?;
        let algorithm = csr_algorithm(&csr.algorithm.oid)?;
        let signature = csr.signature.as_bytes().ok_or(malformed("CSR signature"))?;
        key.verify(algorithm, &csr.info.to_der()?, signature)
            .map_err(Error::Signature)?;
        spki
    } else {
        let pkr = &request["publicKeyRequest"];
        let spki = spki_from_text(
            pkr["publicKey"]["content"]
                .as_str()
                .ok_or(malformed("publicKey.content"))?,
        )?;
        let key = PublicKey::from_spki_der(&spki).map_err(|_| malformed("public key"))?;
        let proof = STANDARD
            .decode(
                pkr["proofOfPossession"]
                    .as_str()
                    .ok_or(malformed("proofOfPossession"))?,
            )
            .map_err(|_| malformed("proofOfPossession"))?;
        let challenge = identity
            .challenge(&claims)
            .ok_or(crate::TokenError::NoIdentity)?;
        key.verify(key.default_algorithm(), challenge.as_bytes(), &proof)
            .map_err(Error::Signature)?;
        spki
    };
    Ok(sigstore
        .issue_certificate_with(&identity, &spki, now, tampering)?
        .chain)
}

fn csr_algorithm(oid: &const_oid::ObjectIdentifier) -> Result<SignatureAlgorithm, Error> {
    Ok(match oid.to_string().as_str() {
        "1.2.840.10045.4.3.2" => SignatureAlgorithm::EcdsaSha256,
        "1.2.840.10045.4.3.3" => SignatureAlgorithm::EcdsaSha384,
        "1.2.840.10045.4.3.4" => SignatureAlgorithm::EcdsaSha512,
        "1.2.840.113549.1.1.11" => SignatureAlgorithm::RsaPkcs1Sha256,
        "1.3.101.112" => SignatureAlgorithm::Ed25519,
        _ => {
            return Err(Error::Unsupported {
                what: "CSR signature algorithm",
            })
        }
    })
}

/// DER from Rekor v1's `base64(PEM)` verifier fields: `(DER, is certificate)`.
fn v1_verifier(field: &str) -> Result<(Vec<u8>, bool), Error> {
    let pem = STANDARD
        .decode(field.trim())
        .map_err(|_| malformed("verifier base64"))?;
    if let Ok(der) = pem_decode(&pem, "CERTIFICATE") {
        return Ok((der, true));
    }
    pem_decode(&pem, "PUBLIC KEY")
        .map(|der| (der, false))
        .map_err(|_| malformed("verifier PEM"))
}

fn rekor_v1_create(
    sigstore: &VirtualSigstore,
    body: &[u8],
    now: Timestamp,
    tampering: Tampering,
) -> Result<TransparencyLogEntry, Error> {
    let proposed: Value =
        serde_json::from_slice(body).map_err(|_| malformed("ProposedEntry JSON"))?;
    let spec = &proposed["spec"];
    match (proposed["kind"].as_str(), proposed["apiVersion"].as_str()) {
        (Some("hashedrekord"), Some("0.0.1")) => {
            let (signature, der, is_cert, digest) = hashedrekord_parts(spec)?;
            let verifier = if is_cert {
                LogVerifier::Certificate(&der)
            } else {
                LogVerifier::PublicKey(&der)
            };
            let mut entry =
                sigstore.rekor_v1_add_hashedrekord(verifier, &signature, &digest, now)?;
            tamper_entry(&mut entry, tampering);
            Ok(entry)
        }
        (Some("dsse"), Some("0.0.1")) => {
            let content = &spec["proposedContent"];
            let envelope = content["envelope"]
                .as_str()
                .ok_or(malformed("proposedContent.envelope"))?;
            let verifiers = content["verifiers"]
                .as_array()
                .ok_or(malformed("proposedContent.verifiers"))?;
            let [only] = verifiers.as_slice() else {
                return Err(Error::Unsupported {
                    what: "DSSE entries without exactly one verifier",
                });
            };
            let (der, is_cert) = v1_verifier(only.as_str().ok_or(malformed("verifier"))?)?;
            let verifier = if is_cert {
                LogVerifier::Certificate(&der)
            } else {
                LogVerifier::PublicKey(&der)
            };
            let mut entry = sigstore.rekor_v1_add_dsse_json(envelope, verifier, now)?;
            tamper_entry(&mut entry, tampering);
            Ok(entry)
        }
        _ => Err(Error::Unsupported {
            what: "entry kinds other than hashedrekord 0.0.1 and dsse 0.0.1",
        }),
    }
}

/// A proposed `hashedrekord` 0.0.1 spec: `(signature, verifier DER, is certificate, digest)`.
fn hashedrekord_parts(spec: &Value) -> Result<(Vec<u8>, Vec<u8>, bool, Digest), Error> {
    let signature = STANDARD
        .decode(
            spec["signature"]["content"]
                .as_str()
                .ok_or(malformed("signature.content"))?,
        )
        .map_err(|_| malformed("signature.content"))?;
    let (der, is_cert) = v1_verifier(
        spec["signature"]["publicKey"]["content"]
            .as_str()
            .ok_or(malformed("publicKey.content"))?,
    )?;
    let algorithm = match spec["data"]["hash"]["algorithm"].as_str() {
        Some("sha256") => HashAlgorithm::Sha256,
        Some("sha384") => HashAlgorithm::Sha384,
        Some("sha512") => HashAlgorithm::Sha512,
        _ => return Err(malformed("data.hash.algorithm")),
    };
    let value = hex::decode(
        spec["data"]["hash"]["value"]
            .as_str()
            .ok_or(malformed("data.hash.value"))?,
    )
    .map_err(|_| malformed("data.hash.value"))?;
    let digest = Digest::new(algorithm, &value).ok_or(malformed("data.hash.value"))?;
    Ok((signature, der, is_cert, digest))
}

/// Most proposed entries one retrieve request may carry (Rekor's own limit).
const MAX_RETRIEVE_ENTRIES: usize = 10;

/// `POST /api/v1/log/entries/retrieve`: the logged entries whose canonical body equals that of
/// a proposed `hashedrekord` 0.0.1 entry (unlogged ones are left out), then the retrieve
/// faults.
fn rekor_v1_retrieve(
    sigstore: &VirtualSigstore,
    body: &[u8],
    tampering: Tampering,
    faults: &[Fault],
) -> Result<Vec<TransparencyLogEntry>, Error> {
    let request: Value =
        serde_json::from_slice(body).map_err(|_| malformed("SearchLogQuery JSON"))?;
    let proposed = request["entries"].as_array().ok_or(malformed("entries"))?;
    if proposed.len() > MAX_RETRIEVE_ENTRIES {
        return Err(malformed("more than 10 entries"));
    }
    let mut found = Vec::new();
    for entry in proposed {
        match (entry["kind"].as_str(), entry["apiVersion"].as_str()) {
            (Some("hashedrekord"), Some("0.0.1")) => {}
            _ => {
                return Err(Error::Unsupported {
                    what: "retrieving entry kinds other than hashedrekord 0.0.1",
                })
            }
        }
        let (signature, der, is_cert, digest) = hashedrekord_parts(&entry["spec"])?;
        let verifier = if is_cert {
            LogVerifier::Certificate(&der)
        } else {
            LogVerifier::PublicKey(&der)
        };
        let canonical = VirtualSigstore::rekor_v1_hashedrekord_body(verifier, &signature, &digest);
        if let Some(index) = sigstore.rekor_v1_find_body(&canonical) {
            let mut entry = sigstore.rekor_v1_entry(index)?;
            tamper_entry(&mut entry, tampering);
            found.push(entry);
        }
    }
    for entry in &mut found {
        if faults.contains(&Fault::TamperedBody) {
            tamper_body(entry);
        }
        if faults.contains(&Fault::TamperedTime) {
            entry.integrated_time = entry.integrated_time.saturating_add(1);
        }
        if faults.contains(&Fault::NoInclusionProof) {
            entry.inclusion_proof = None;
        }
    }
    let other = || -> Result<Option<TransparencyLogEntry>, Error> {
        let (size, _, _) = sigstore.rekor_v1_tree_head()?;
        for i in (0..size).rev() {
            let entry = sigstore.rekor_v1_entry(REKOR_V1_SHARD_OFFSET.saturating_add(i as i64))?;
            if !found
                .iter()
                .any(|f| f.canonicalized_body == entry.canonicalized_body)
            {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    };
    if faults.contains(&Fault::OtherEntry) {
        return Ok(other()?.into_iter().collect());
    }
    if faults.contains(&Fault::ExtraEntry) {
        if let Some(extra) = other()? {
            found.insert(0, extra);
        }
    }
    if faults.contains(&Fault::EmptyResult) {
        found.clear();
    }
    Ok(found)
}

/// Changes the first hex digit of a `hashedrekord` body's artifact digest.
fn tamper_body(entry: &mut TransparencyLogEntry) {
    let Ok(mut body) = serde_json::from_slice::<Value>(&entry.canonicalized_body) else {
        return;
    };
    if let Some(Value::String(hex)) = body.pointer_mut("/spec/data/hash/value") {
        let flipped = if hex.starts_with('0') { "1" } else { "0" };
        hex.replace_range(..1, flipped);
    }
    entry.canonicalized_body = crate::virtual_sigstore::jcs(&body).into_bytes();
}

fn rekor_v2_create(
    sigstore: &VirtualSigstore,
    body: &[u8],
    tampering: Tampering,
) -> Result<TransparencyLogEntry, Error> {
    let request: Value = serde_json::from_slice(body).map_err(|_| malformed("request JSON"))?;
    let hr = &request["hashedRekordRequestV002"];
    if hr.is_null() {
        return Err(Error::Unsupported {
            what: "requests other than hashedRekordRequestV002",
        });
    }
    let digest = STANDARD
        .decode(hr["digest"].as_str().ok_or(malformed("digest"))?)
        .map_err(|_| malformed("digest"))?;
    let signature = STANDARD
        .decode(
            hr["signature"]["content"]
                .as_str()
                .ok_or(malformed("signature.content"))?,
        )
        .map_err(|_| malformed("signature.content"))?;
    let v = &hr["signature"]["verifier"];
    let raw = |field: &Value| -> Result<Vec<u8>, Error> {
        STANDARD
            .decode(
                field["rawBytes"]
                    .as_str()
                    .ok_or(malformed("verifier rawBytes"))?,
            )
            .map_err(|_| malformed("verifier rawBytes"))
    };
    let (der, is_cert) = if !v["x509Certificate"].is_null() {
        (raw(&v["x509Certificate"])?, true)
    } else {
        (raw(&v["publicKey"])?, false)
    };
    let details = PublicKeyDetails::parse(v["keyDetails"].as_str().unwrap_or_default());
    let algorithm = match details {
        PublicKeyDetails::PkixEcdsaP256Sha256
        | PublicKeyDetails::PkixRsaPkcs1v15_2048Sha256
        | PublicKeyDetails::PkixRsaPkcs1v15_3072Sha256
        | PublicKeyDetails::PkixRsaPkcs1v15_4096Sha256 => HashAlgorithm::Sha256,
        PublicKeyDetails::PkixEcdsaP384Sha384 => HashAlgorithm::Sha384,
        PublicKeyDetails::PkixEcdsaP521Sha512 | PublicKeyDetails::PkixEd25519Ph => {
            HashAlgorithm::Sha512
        }
        _ => {
            return Err(Error::Unsupported {
                what: "this keyDetails value",
            })
        }
    };
    let digest = Digest::new(algorithm, &digest).ok_or(malformed("digest length"))?;
    let verifier = if is_cert {
        LogVerifier::Certificate(&der)
    } else {
        LogVerifier::PublicKey(&der)
    };
    let entry =
        sigstore.rekor_v2_add_hashedrekord_with(verifier, &signature, &digest, tampering)?;
    // The key details in the body come from the key; they must agree with the request's.
    let logged: Value = serde_json::from_slice(&entry.canonicalized_body).unwrap_or(Value::Null);
    let logged_details = &logged["spec"]["hashedRekordV002"]["signature"]["verifier"]["keyDetails"];
    if logged_details.as_str() != Some(details.as_str()) {
        return Err(malformed("keyDetails does not match the key"));
    }
    Ok(entry)
}
