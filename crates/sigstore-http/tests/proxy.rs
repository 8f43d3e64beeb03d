//! Proxy settings from the environment (its own test binary: it sets process-wide variables).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sigstore_http::testing::{CannedResponse, CannedServer};
use sigstore_http::{HttpClient, HttpConfig, Request};

#[tokio::test]
async fn http_proxy_https_proxy_and_no_proxy() {
    let proxy = CannedServer::start(|req| {
        if req.method == "CONNECT" {
            CannedResponse::new(403, "no tunnels here")
        } else {
            CannedResponse::new(200, format!("proxied {}", req.target))
        }
    })
    .await
    .unwrap();
    let direct = CannedServer::start(|_| CannedResponse::new(200, "direct"))
        .await
        .unwrap();
    for var in [
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "ALL_PROXY",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("HTTP_PROXY", proxy.url());
    std::env::set_var("HTTPS_PROXY", proxy.url());
    std::env::set_var("NO_PROXY", "127.0.0.1,localhost");
    let config = HttpConfig::default()
        .with_retries(0)
        .with_timeout(Duration::from_secs(5));
    let client = HttpClient::new(config).unwrap();

    // Plain HTTP goes to the proxy in absolute form.
    let r = client
        .send_ok(&Request::get("http://rekor.example.invalid/api/v1/log"))
        .await
        .unwrap();
    assert_eq!(r.body, b"proxied http://rekor.example.invalid/api/v1/log");

    // HTTPS asks the proxy for a tunnel; this proxy refuses, so the request fails.
    assert!(client
        .send(&Request::get(
            "https://fulcio.example.invalid/api/v2/configuration"
        ))
        .await
        .is_err());
    let connects: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.method == "CONNECT")
        .collect();
    assert_eq!(connects.len(), 1);
    assert_eq!(connects[0].target, "fulcio.example.invalid:443");

    // NO_PROXY hosts are reached directly.
    let r = client.send_ok(&Request::get(direct.url())).await.unwrap();
    assert_eq!(r.body, b"direct");
    assert_eq!(direct.requests().len(), 1);
    assert_eq!(proxy.requests().len(), 2);
}
