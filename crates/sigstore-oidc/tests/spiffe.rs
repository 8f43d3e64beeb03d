//! SPIFFE ambient detection against a fake Workload API: gRPC over HTTP/2 on a Unix socket in
//! a temporary directory (the process environment is never read).
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use sigstore_oidc::{detect_ambient, detect_provider, AmbientConfig, Error, Provider};
use sigstore_test_support::TempDir;
use sigstore_types::Timestamp;

const SPIFFE_ID: &str = "spiffe://example.org/ns/ci/sa/signer";
const NOW: i64 = 1_700_000_100;

/// An unsigned JWT-SVID with the claims [`sigstore_oidc::IdentityToken::parse`] requires.
fn jwt_svid(sub: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
    let claims = serde_json::json!({
        "iss": "https://oidc.example.org",
        "sub": sub,
        "aud": ["sigstore"],
        "iat": NOW - 100,
        "exp": NOW + 500,
    });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

fn env(vars: &[(&str, &str)]) -> HashMap<String, String> {
    vars.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A fresh `so-spiffe-<name>-…` directory, removed when the guard is dropped.
fn temp_dir(name: &str) -> TempDir {
    // Short: a Unix socket path must stay under ~100 bytes.
    TempDir::new(&format!("so-spiffe-{name}"))
}

/// Nothing on the real machine (DMI file, cosign token file) is consulted.
fn config(dir: &Path) -> AmbientConfig {
    AmbientConfig::default()
        .with_timeout(Duration::from_secs(5))
        .with_dmi_product_name_path(dir.join("no-dmi"))
        .with_default_token_file(dir.join("no-token-file"))
        .with_gcp_urls("http://127.0.0.1:9/unused", "http://127.0.0.1:9/unused")
}

fn socket_env(socket: &Path) -> HashMap<String, String> {
    env(&[(
        "SPIFFE_ENDPOINT_SOCKET",
        &format!("unix://{}", socket.display()),
    )])
}

// --- protobuf for the fake --------------------------------------------------------------

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn string_field(out: &mut Vec<u8>, number: u64, value: &[u8]) {
    varint(out, (number << 3) | 2);
    varint(out, value.len() as u64);
    out.extend_from_slice(value);
}

fn response_message(svids: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, token) in svids {
        let mut svid = Vec::new();
        string_field(&mut svid, 1, id.as_bytes());
        string_field(&mut svid, 2, token.as_bytes());
        string_field(&mut svid, 3, b"external");
        string_field(&mut out, 1, &svid);
    }
    out
}

fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = vec![0];
    out.extend_from_slice(&u32::try_from(message.len()).unwrap().to_be_bytes());
    out.extend_from_slice(message);
    out
}

/// The audiences of a framed `JWTSVIDRequest` (fields 1), for checking what the client sent.
fn request_audiences(body: &[u8]) -> Vec<String> {
    assert_eq!(body.first(), Some(&0), "compressed or empty request");
    let len = u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize;
    let mut rest = &body[5..];
    assert_eq!(rest.len(), len);
    let mut audiences = Vec::new();
    while let Some((&key, after)) = rest.split_first() {
        assert_eq!(key & 7, 2, "only string fields expected");
        let (&n, after) = after.split_first().unwrap();
        let (value, after) = after.split_at(n as usize);
        if key >> 3 == 1 {
            audiences.push(String::from_utf8(value.to_vec()).unwrap());
        }
        rest = after;
    }
    audiences
}

// --- the fake Workload API --------------------------------------------------------------

/// What the fake received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// What the fake answers.
#[derive(Clone)]
struct Reply {
    http_status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    /// `grpc-status` and `grpc-message`, in trailers (or headers when `trailers_only`).
    status: Option<(&'static str, &'static str)>,
    trailers_only: bool,
    delay: Duration,
}

impl Reply {
    fn ok(body: Vec<u8>) -> Self {
        Self {
            http_status: 200,
            content_type: "application/grpc",
            body,
            status: Some(("0", "")),
            trailers_only: false,
            delay: Duration::ZERO,
        }
    }

    fn svids(svids: &[(&str, &str)]) -> Self {
        Self::ok(frame(&response_message(svids)))
    }

    fn status(code: &'static str, message: &'static str) -> Self {
        Self {
            status: Some((code, message)),
            trailers_only: true,
            ..Self::ok(Vec::new())
        }
    }
}

struct Fake {
    socket: PathBuf,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Fake {
    /// A fake that, like a real agent, rejects requests without the security header
    /// (InvalidArgument) and otherwise answers with `reply`.
    async fn start(dir: &Path, reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Fake {
        let socket = dir.join("agent.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = tokio::net::UnixListener::bind(&socket).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reply = Arc::new(reply);
        let task = {
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let seen = seen.clone();
                    let reply = reply.clone();
                    let service =
                        service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                            let seen = seen.clone();
                            let reply = reply.clone();
                            async move {
                                let (parts, body) = request.into_parts();
                                let body = body.collect().await.unwrap().to_bytes().to_vec();
                                let request = Seen {
                                    path: parts.uri.path().to_owned(),
                                    headers: parts.headers,
                                    body,
                                };
                                seen.lock().unwrap().push(request.clone());
                                let header_ok = request
                                    .headers
                                    .get("workload.spiffe.io")
                                    .is_some_and(|v| v == "true");
                                let answer = if header_ok {
                                    reply(&request)
                                } else {
                                    Reply::status("3", "security header missing")
                                };
                                tokio::time::sleep(answer.delay).await;
                                Ok::<_, Infallible>(respond(answer))
                            }
                        });
                    tokio::spawn(
                        hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(stream), service),
                    );
                }
            })
        };
        Fake { socket, seen, task }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn respond(reply: Reply) -> hyper::Response<BoxBody<Bytes, Infallible>> {
    let mut trailers = HeaderMap::new();
    if let Some((code, message)) = reply.status {
        trailers.insert("grpc-status", HeaderValue::from_static(code));
        if !message.is_empty() {
            trailers.insert("grpc-message", HeaderValue::from_static(message));
        }
    }
    let mut builder = hyper::Response::builder()
        .status(reply.http_status)
        .header("content-type", reply.content_type);
    let body = if reply.trailers_only {
        for (name, value) in &trailers {
            builder = builder.header(name, value);
        }
        Full::new(Bytes::from(reply.body)).boxed()
    } else {
        Full::new(Bytes::from(reply.body))
            .with_trailers(async move { Some(Ok(trailers)) })
            .boxed()
    };
    builder.body(body).unwrap()
}

async fn detect(e: &HashMap<String, String>, dir: &Path) -> Result<Option<Provider>, Error> {
    detect_provider(Provider::Spiffe, e, &config(dir))
        .await
        .map(|c| c.map(|c| c.provider()))
}

fn workload_api_reason(error: &Error) -> String {
    match error {
        Error::WorkloadApi {
            provider: Provider::Spiffe,
            reason,
            ..
        } => reason.clone(),
        other => panic!("not a Workload API error: {other:?}"),
    }
}

// --- tests ------------------------------------------------------------------------------

#[tokio::test]
async fn fetches_the_first_jwt_svid() {
    let dir = temp_dir("ok");
    let first = jwt_svid(SPIFFE_ID);
    let second = jwt_svid("spiffe://example.org/other");
    let svids = [
        (SPIFFE_ID, first.clone()),
        ("spiffe://example.org/other", second),
    ];
    let fake = Fake::start(&dir, move |_| {
        Reply::svids(&[(svids[0].0, &svids[0].1), (svids[1].0, &svids[1].1)])
    })
    .await;
    let e = socket_env(&fake.socket);
    let found = detect_ambient(&e, &config(&dir)).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::Spiffe);
    assert_eq!(found.token(), first);
    assert!(!format!("{found:?}").contains(&first));
    let token = found.identity_token(Timestamp::from_unix(NOW)).unwrap();
    assert_eq!(token.subject, SPIFFE_ID);
    assert_eq!(token.identity(), SPIFFE_ID);

    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.path, "/SpiffeWorkloadAPI/FetchJWTSVID");
    assert_eq!(request.headers["workload.spiffe.io"], "true");
    assert_eq!(request.headers["content-type"], "application/grpc");
    assert_eq!(request.headers["te"], "trailers");
    assert_eq!(request_audiences(&request.body), vec!["sigstore"]);

    // The `unix:/path` form works too.
    let e = env(&[(
        "SPIFFE_ENDPOINT_SOCKET",
        &format!("unix:{}", fake.socket.display()),
    )]);
    assert_eq!(detect(&e, &dir).await.unwrap(), Some(Provider::Spiffe));
}

#[tokio::test]
async fn detection_order() {
    let dir = temp_dir("order");
    let svid = jwt_svid(SPIFFE_ID);
    let fake = Fake::start(&dir, move |_| Reply::svids(&[(SPIFFE_ID, &svid)])).await;
    let socket = format!("unix://{}", fake.socket.display());
    let other = jwt_svid("other");
    let token_file = dir.join("token");
    std::fs::write(&token_file, &other).unwrap();

    // Before the token file and SIGSTORE_ID_TOKEN.
    let e = env(&[
        ("SPIFFE_ENDPOINT_SOCKET", &socket),
        ("SIGSTORE_ID_TOKEN_FILE", token_file.to_str().unwrap()),
        ("SIGSTORE_ID_TOKEN", &other),
    ]);
    let found = detect_ambient(&e, &config(&dir)).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::Spiffe);

    // After a CI system.
    let e = env(&[
        ("SPIFFE_ENDPOINT_SOCKET", &socket),
        ("GITLAB_CI", "true"),
        ("SIGSTORE_ID_TOKEN", &other),
    ]);
    let found = detect_ambient(&e, &config(&dir)).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::GitLab);

    // An ambient provider: off with disable_ambient_providers.
    let e = env(&[
        ("SPIFFE_ENDPOINT_SOCKET", &socket),
        ("SIGSTORE_ID_TOKEN", &other),
    ]);
    let cfg = config(&dir).with_ambient_providers_disabled(true);
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::Environment);
    assert!(Provider::Spiffe.is_ambient());
    assert_eq!(Provider::Spiffe.to_string(), "SPIFFE");
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn error_statuses_are_reported() {
    let dir = temp_dir("status");
    let cases: [(Reply, &str); 5] = [
        (
            Reply::status("7", "no identity issued"),
            "gRPC status 7 (PermissionDenied): no identity issued",
        ),
        (
            Reply::status("3", "security header missing"),
            "gRPC status 3 (InvalidArgument): security header missing",
        ),
        (
            // In trailers after headers, percent-encoded as gRPC requires.
            Reply {
                status: Some(("14", "agent%20starting")),
                trailers_only: false,
                ..Reply::ok(Vec::new())
            },
            "gRPC status 14 (Unavailable): agent starting",
        ),
        (
            Reply {
                status: None,
                ..Reply::svids(&[(SPIFFE_ID, "a.b.c")])
            },
            "the response has no valid grpc-status",
        ),
        (
            Reply {
                http_status: 404,
                ..Reply::ok(Vec::new())
            },
            "HTTP status 404",
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (reply, expected) in cases {
        let fake = Fake::start(&dir, move |_| reply.clone()).await;
        let error = detect(&socket_env(&fake.socket), &dir).await.unwrap_err();
        let reason = workload_api_reason(&error);
        if reason.contains(expected)
            && error
                .to_string()
                .contains("SPIFFE: Workload API at unix://")
        {
            passed += 1;
        } else {
            eprintln!("expected {expected:?}, got {error}");
            failed += 1;
        }
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}

#[tokio::test]
async fn missing_security_header_is_rejected_by_the_fake() {
    // The fake enforces the header like an agent; a client without it gets InvalidArgument.
    // Check that enforcement directly with a raw HTTP/2 request lacking the header.
    let dir = temp_dir("header");
    let fake = Fake::start(&dir, |_| Reply::svids(&[(SPIFFE_ID, "a.b.c")])).await;
    let stream = tokio::net::UnixStream::connect(&fake.socket).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http2::handshake::<_, _, Full<Bytes>>(
        TokioExecutor::new(),
        TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::post("http://localhost/SpiffeWorkloadAPI/FetchJWTSVID")
        .header("content-type", "application/grpc")
        .body(Full::new(Bytes::from(frame(b"\x0a\x08sigstore"))))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.headers()["grpc-status"], "3");
    // Our client, sending the header, is answered.
    assert_eq!(
        detect(&socket_env(&fake.socket), &dir).await.unwrap(),
        Some(Provider::Spiffe)
    );
}

#[tokio::test]
async fn malformed_responses_are_errors() {
    let dir = temp_dir("malformed");
    let long_svid = "a".repeat(2 * 1024 * 1024);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (frame(b"\x0a\x05ab"), "truncated protobuf field"),
        (frame(b"\x08\x01"), "svids has the wrong wire type"),
        (frame(b"\x0a\x03\x12\x01\xff"), "not UTF-8"),
        (frame(b"\x0f"), "unsupported protobuf wire type"),
        (b"\x01\x00\x00\x00\x00".to_vec(), "compressed"),
        (
            b"\x00\x00\x00\x00\x09abc".to_vec(),
            "truncated gRPC message",
        ),
        (
            [frame(b""), frame(b"")].concat(),
            "more than one gRPC message",
        ),
        (Vec::new(), "no response message"),
        (frame(&response_message(&[])), "no JWT-SVID"),
        (
            frame(&response_message(&[(SPIFFE_ID, "")])),
            "the credential is not a JWT",
        ),
        (
            frame(&response_message(&[(SPIFFE_ID, "<html>")])),
            "the credential is not a JWT",
        ),
        (
            frame(&response_message(&[(SPIFFE_ID, &long_svid)])),
            "exceeds",
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (body, expected) in cases {
        let fake = Fake::start(&dir, move |_| Reply::ok(body.clone())).await;
        let error = detect(&socket_env(&fake.socket), &dir).await.unwrap_err();
        let shown = error.to_string();
        let provider_ok = matches!(
            error,
            Error::BadResponse {
                provider: Provider::Spiffe,
                ..
            } | Error::MalformedCredential {
                provider: Provider::Spiffe,
                ..
            } | Error::WorkloadApi {
                provider: Provider::Spiffe,
                ..
            }
        );
        if provider_ok && shown.contains(expected) {
            passed += 1;
        } else {
            eprintln!("expected {expected:?}, got {shown}");
            failed += 1;
        }
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);

    // Not gRPC at all.
    let fake = Fake::start(&dir, |_| Reply {
        content_type: "text/html",
        ..Reply::ok(b"<html></html>".to_vec())
    })
    .await;
    let error = detect(&socket_env(&fake.socket), &dir).await.unwrap_err();
    assert_eq!(workload_api_reason(&error), "the response is not gRPC");
}

#[tokio::test]
async fn random_response_bodies_never_panic() {
    let dir = temp_dir("random");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let bodies: Vec<Vec<u8>> = (0..64)
        .map(|i| {
            let len = (next() % 40) as usize;
            let message: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if i % 2 == 0 {
                frame(&message)
            } else {
                message
            }
        })
        .collect();
    let bodies = Arc::new(bodies);
    let index = Arc::new(Mutex::new(0usize));
    let fake = {
        let bodies = bodies.clone();
        let index = index.clone();
        Fake::start(&dir, move |_| {
            let i = *index.lock().unwrap();
            Reply::ok(bodies[i].clone())
        })
        .await
    };
    let (mut rejected, mut accepted) = (0, 0);
    for i in 0..bodies.len() {
        *index.lock().unwrap() = i;
        match detect(&socket_env(&fake.socket), &dir).await {
            Ok(_) => accepted += 1,
            Err(_) => rejected += 1,
        }
    }
    println!("random response bodies: {rejected} rejected, {accepted} accepted, 0 panicked");
    assert_eq!(rejected + accepted, bodies.len());
}

#[tokio::test]
async fn no_socket_means_not_detected() {
    let dir = temp_dir("none");
    assert_eq!(detect(&env(&[]), &dir).await.unwrap(), None);
    assert_eq!(
        detect(&env(&[("SPIFFE_ENDPOINT_SOCKET", " ")]), &dir)
            .await
            .unwrap(),
        None
    );
    let missing = dir.join("missing.sock");
    assert_eq!(detect(&socket_env(&missing), &dir).await.unwrap(), None);
    let dangling = dir.join("dangling.sock");
    std::os::unix::fs::symlink(&missing, &dangling).unwrap();
    assert_eq!(detect(&socket_env(&dangling), &dir).await.unwrap(), None);
    // Detection falls through to later providers.
    let token = jwt_svid("x");
    let e = env(&[
        (
            "SPIFFE_ENDPOINT_SOCKET",
            &format!("unix://{}", missing.display()),
        ),
        ("SIGSTORE_ID_TOKEN", &token),
    ]);
    let found = detect_ambient(&e, &config(&dir)).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::Environment);
}

#[tokio::test]
async fn socket_without_listener_is_an_error() {
    let dir = temp_dir("dead");
    let socket = dir.join("agent.sock");
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    assert!(socket.exists());
    let error = detect(&socket_env(&socket), &dir).await.unwrap_err();
    assert_eq!(workload_api_reason(&error), "cannot connect to the socket");
    let shown = error.to_string();
    assert!(shown.contains(&socket.display().to_string()), "{shown}");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(source.to_lowercase().contains("refused"), "{source}");

    // A regular file is not a socket either.
    let file = dir.join("file.sock");
    std::fs::write(&file, b"").unwrap();
    let error = detect(&socket_env(&file), &dir).await.unwrap_err();
    assert_eq!(workload_api_reason(&error), "cannot connect to the socket");
}

#[tokio::test]
async fn a_silent_agent_times_out() {
    let dir = temp_dir("slow");
    let fake = Fake::start(&dir, |_| Reply {
        delay: Duration::from_secs(30),
        ..Reply::svids(&[(SPIFFE_ID, "a.b.c")])
    })
    .await;
    let cfg = config(&dir).with_timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let error = detect_provider(Provider::Spiffe, &socket_env(&fake.socket), &cfg)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(workload_api_reason(&error), "no answer within 300ms");
}

#[tokio::test]
async fn unusable_endpoint_values() {
    let dir = temp_dir("values");
    for value in [
        "/run/agent.sock",
        "unix://host/agent.sock",
        "unix:relative.sock",
        "unix:///a.sock?x=1",
        "http://localhost/agent.sock",
    ] {
        let error = detect(&env(&[("SPIFFE_ENDPOINT_SOCKET", value)]), &dir)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::InvalidVariable {
                    provider: Provider::Spiffe,
                    variable: "SPIFFE_ENDPOINT_SOCKET"
                }
            ),
            "{value}: {error}"
        );
    }
    let error = detect(
        &env(&[("SPIFFE_ENDPOINT_SOCKET", "tcp://127.0.0.1:8000")]),
        &dir,
    )
    .await
    .unwrap_err();
    assert!(workload_api_reason(&error).contains("TCP endpoints are not supported"));
}
