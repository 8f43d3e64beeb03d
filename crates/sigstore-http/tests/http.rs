//! HTTP behaviour against a canned server on 127.0.0.1.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sigstore_http::testing::{CannedResponse, CannedServer, NO_LENGTH};
use sigstore_http::{Error, HttpClient, HttpConfig, Request};

fn fast_config() -> HttpConfig {
    HttpConfig::default()
        .with_retries(3)
        .with_backoff(Duration::from_millis(10), Duration::from_millis(200))
        .with_timeout(Duration::from_secs(5))
}

/// A server that fails `failures` times with `status` (and optional Retry-After), then 200.
async fn flaky(
    status: u16,
    failures: usize,
    retry_after: Option<&'static str>,
) -> (CannedServer, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let server = CannedServer::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        if n < failures {
            let mut r = CannedResponse::new(status, "busy");
            if let Some(ra) = retry_after {
                r = r.with_header("retry-after", ra);
            }
            r
        } else {
            CannedResponse::json(200, &serde_json::json!({"ok": true}))
        }
    })
    .await
    .unwrap();
    (server, count)
}

#[tokio::test]
async fn retries_5xx_then_succeeds() {
    let (server, count) = flaky(503, 2, None).await;
    let client = HttpClient::new(fast_config()).unwrap();
    let value: serde_json::Value = client
        .get_json(&format!("{}/x", server.url()))
        .await
        .unwrap();
    assert_eq!(value["ok"], true);
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let reqs = server.requests();
    assert!(reqs[0]
        .header("user-agent")
        .unwrap()
        .starts_with("sigstore-rust/"));
    assert_eq!(reqs[0].header("accept"), Some("application/json"));
}

#[tokio::test]
async fn gives_up_after_retries_with_status_error() {
    let (server, count) = flaky(500, 100, None).await;
    let client = HttpClient::new(fast_config().with_retries(2)).unwrap();
    let url = format!("{}/api/v1/log", server.url());
    let err = client
        .get_json::<serde_json::Value>(&url)
        .await
        .unwrap_err();
    match &err {
        Error::Status {
            url: u,
            status,
            detail,
        } => {
            assert_eq!(u, &url);
            assert_eq!(*status, 500);
            assert_eq!(detail, "busy");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("HTTP 500"));
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retry_after_is_honoured_and_capped() {
    // Retry-After: 3600 would wait an hour; the cap (200 ms) bounds it.
    let (server, count) = flaky(429, 1, Some("3600")).await;
    let client = HttpClient::new(fast_config()).unwrap();
    let start = Instant::now();
    client
        .get_json::<serde_json::Value>(&server.url())
        .await
        .unwrap();
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(190), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(count.load(Ordering::SeqCst), 2);

    // Retry-After: 0 retries at once even with a long backoff.
    let (server, _) = flaky(503, 1, Some("0")).await;
    let client = HttpClient::new(
        fast_config().with_backoff(Duration::from_secs(10), Duration::from_secs(10)),
    )
    .unwrap();
    let start = Instant::now();
    client
        .get_json::<serde_json::Value>(&server.url())
        .await
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (server, count) = flaky(404, 100, None).await;
    let client = HttpClient::new(fast_config()).unwrap();
    let err = client
        .get_json::<serde_json::Value>(&server.url())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(count.load(Ordering::SeqCst), 1);
    // `send` returns the final response whatever its status.
    let response = client.send(&Request::get(server.url())).await.unwrap();
    assert_eq!(response.status, 404);
    assert!(!response.is_success());
}

#[tokio::test]
async fn response_size_cap_with_and_without_length() {
    let server = CannedServer::start(|req| {
        let body = vec![b'x'; 10_000];
        if req.path() == "/nolength" {
            CannedResponse::new(200, body).with_header(NO_LENGTH, "1")
        } else {
            CannedResponse::new(200, body)
        }
    })
    .await
    .unwrap();
    let small = HttpClient::new(fast_config().with_max_response_bytes(4096)).unwrap();
    for path in ["/length", "/nolength"] {
        let url = format!("{}{path}", server.url());
        match small.send(&Request::get(&url)).await {
            Err(Error::ResponseTooLarge { url: u, limit }) => {
                assert_eq!(u, url);
                assert_eq!(limit, 4096);
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    let big = HttpClient::new(fast_config().with_max_response_bytes(10_000)).unwrap();
    for path in ["/length", "/nolength"] {
        let r = big
            .send_ok(&Request::get(format!("{}{path}", server.url())))
            .await
            .unwrap();
        assert_eq!(r.body.len(), 10_000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_are_typed_and_per_request() {
    let server = CannedServer::start(|_| {
        std::thread::sleep(Duration::from_millis(600));
        CannedResponse::new(200, "late")
    })
    .await
    .unwrap();
    let client = HttpClient::new(fast_config().with_retries(0)).unwrap();
    let err = client
        .send(&Request::get(server.url()).timeout(Duration::from_millis(100)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    let ok = client.send_ok(&Request::get(server.url())).await.unwrap();
    assert_eq!(ok.body, b"late");
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // Bind then drop to find a closed port.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = HttpClient::new(fast_config().with_retries(1)).unwrap();
    let url = format!("http://127.0.0.1:{port}/x");
    match client.send(&Request::get(&url)).await {
        Err(Error::Transport { url: u, .. }) => assert_eq!(u, url),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn post_sends_body_headers_and_bearer() {
    let server = CannedServer::start(|req| CannedResponse::new(201, req.body.clone()))
        .await
        .unwrap();
    let client = HttpClient::new(fast_config()).unwrap();
    let body = serde_json::json!({"a": 1});
    let r = client
        .send_ok(&Request::post_json(format!("{}/p", server.url()), &body).bearer("tok"))
        .await
        .unwrap();
    assert_eq!(r.status, 201);
    let req = &server.requests()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("authorization"), Some("Bearer tok"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&req.body).unwrap(),
        body
    );
    assert!(r.json::<Vec<u8>>().is_err());
}

#[tokio::test]
async fn invalid_urls_are_rejected_before_sending() {
    let client = HttpClient::new(fast_config()).unwrap();
    for url in ["file:///etc/passwd", "nonsense", "ftp://127.0.0.1/"] {
        assert!(matches!(
            client.send(&Request::get(url)).await,
            Err(Error::InvalidUrl { .. })
        ));
    }
}

#[tokio::test]
async fn redirects_never_leave_the_origin() {
    // The second server stands for another host: a POST carrying a token must not reach it.
    let elsewhere = CannedServer::start(|_| CannedResponse::new(200, "stolen"))
        .await
        .unwrap();
    let target = format!("{}/steal", elsewhere.url());
    let server = CannedServer::start(move |request| {
        if request.path() == "/same" {
            CannedResponse::json(200, &serde_json::json!({"ok": true}))
        } else if request.path() == "/local" {
            CannedResponse::new(307, "").with_header("location", "/same")
        } else {
            CannedResponse::new(307, "").with_header("location", &target)
        }
    })
    .await
    .unwrap();
    let client = HttpClient::new(fast_config()).unwrap();

    let away = Request::post_json(
        format!("{}/x", server.url()),
        &serde_json::json!({"credentials": {"oidcIdentityToken": "SECRET"}}),
    )
    .bearer("SECRET");
    let response = client.send(&away).await.unwrap();
    assert_eq!(response.status, 307);
    assert!(client.send_ok(&away).await.is_err());
    assert!(
        elsewhere.requests().is_empty(),
        "the token reached another origin"
    );

    let value: serde_json::Value = client
        .get_json(&format!("{}/local", server.url()))
        .await
        .unwrap();
    assert_eq!(value["ok"], true);
}

#[test]
fn debug_output_never_shows_tokens() {
    let request = Request::post_json(
        "https://fulcio.example/api/v2/signingCert",
        &serde_json::json!({"credentials": {"oidcIdentityToken": "SECRET"}}),
    )
    .bearer("SECRET");
    let shown = format!("{request:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(shown.contains("fulcio.example"));
}
