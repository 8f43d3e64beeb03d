//! TSA client against a canned server on 127.0.0.1 (feature `client`).
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used)]

use sigstore_crypto::HashAlgorithm;
use sigstore_http::testing::{CannedResponse, CannedServer};
use sigstore_http::{HttpClient, HttpConfig};
use sigstore_tsa::build_request;
use sigstore_tsa::client::{ClientError, TsaClient};

fn http() -> HttpClient {
    HttpClient::new(HttpConfig::default().with_retries(0)).unwrap()
}

#[tokio::test]
async fn sends_a_der_request_with_nonce_and_returns_the_response() {
    let server = CannedServer::start(|req| {
        if req.method == "POST" && req.path() == "/api/v1/timestamp" {
            CannedResponse::new(200, vec![0x30, 0x03, 0x02, 0x01, 0x00])
                .with_header("content-type", "application/timestamp-reply")
        } else {
            CannedResponse::new(404, "")
        }
    })
    .await
    .unwrap();
    let tsa = TsaClient::new(format!("{}/api/v1/timestamp", server.url()), http());
    let first = tsa.timestamp(b"signature bytes").await.unwrap();
    let second = tsa.timestamp(b"signature bytes").await.unwrap();
    assert_eq!(first.der, vec![0x30, 0x03, 0x02, 0x01, 0x00]);
    assert_eq!(first.nonce.len(), 8);
    assert_ne!(first.nonce, second.nonce, "nonces are random");

    let req = &server.requests()[0];
    assert_eq!(
        req.header("content-type"),
        Some("application/timestamp-query")
    );
    assert_eq!(req.header("accept"), Some("application/timestamp-reply"));
    // The body is exactly the request build_request makes for this imprint and nonce.
    let digest = HashAlgorithm::Sha256.digest(b"signature bytes");
    assert_eq!(req.body, build_request(&digest, Some(&first.nonce), true));
}

#[tokio::test]
async fn errors() {
    let server = CannedServer::start(|req| match req.path() {
        "/empty" => CannedResponse::new(200, ""),
        _ => CannedResponse::new(400, "bad request"),
    })
    .await
    .unwrap();
    let tsa = TsaClient::new(format!("{}/empty", server.url()), http());
    assert!(matches!(
        tsa.timestamp(b"x").await,
        Err(ClientError::EmptyResponse { .. })
    ));
    let tsa = TsaClient::new(format!("{}/bad", server.url()), http());
    match tsa.timestamp(b"x").await {
        Err(ClientError::Http(e)) => assert_eq!(e.status(), Some(400)),
        other => panic!("{other:?}"),
    }
}
