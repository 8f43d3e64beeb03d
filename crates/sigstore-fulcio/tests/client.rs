//! Fulcio client against a canned server on 127.0.0.1 (feature `client`).
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;
use sigstore_crypto::SigningKey;
use sigstore_fulcio::client::{parse_signing_cert_response, ClientError, FulcioClient};
use sigstore_http::testing::{CannedResponse, CannedServer};
use sigstore_http::{HttpClient, HttpConfig};
use sigstore_types::encoding::pem_encode;
use sigstore_types::{Bundle, TrustedRoot};

/// A real Fulcio chain: the happy-path-v0.3 leaf and the production CA chain.
fn real_chain_pem() -> Vec<String> {
    let bundle = Bundle::from_json(
        &std::fs::read(
            sigstore_test_support::conformance_cases().join("happy-path-v0.3/bundle.sigstore.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let root = TrustedRoot::from_json(
        &std::fs::read(sigstore_test_support::trust_file(
            "production",
            "trusted_root.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let leaf = bundle
        .verification_material
        .leaf_certificate()
        .unwrap()
        .to_vec();
    let ca = root.certificate_authorities.last().unwrap();
    std::iter::once(leaf)
        .chain(ca.cert_chain.iter().cloned())
        .map(|der| pem_encode(&der, "CERTIFICATE"))
        .collect()
}

fn http() -> HttpClient {
    HttpClient::new(HttpConfig::default().with_retries(0)).unwrap()
}

#[tokio::test]
async fn signing_cert_with_proof_of_possession() {
    let pems = real_chain_pem();
    let response = json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": pems}}});
    let server = CannedServer::start(move |_| CannedResponse::json(201, &response))
        .await
        .unwrap();
    let fulcio = FulcioClient::new(format!("{}/", server.url()), http());
    let key = SigningKey::generate().unwrap();
    let proof = key.try_sign(b"user@example.com").unwrap();
    let chain = fulcio
        .signing_cert("header.payload.sig", key.public_key().spki_der(), &proof)
        .await
        .unwrap();
    assert_eq!(chain.len(), pems_len());

    let req = &server.requests()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path(), "/api/v2/signingCert");
    assert_eq!(
        req.header("authorization"),
        Some("Bearer header.payload.sig")
    );
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body["credentials"]["oidcIdentityToken"],
        "header.payload.sig"
    );
    let content = body["publicKeyRequest"]["publicKey"]["content"]
        .as_str()
        .unwrap();
    assert!(content.starts_with("-----BEGIN PUBLIC KEY-----"));
    let sent_key = sigstore_crypto::PublicKey::from_pem(content.as_bytes()).unwrap();
    assert_eq!(sent_key.spki_der(), key.public_key().spki_der());
    let pop = STANDARD
        .decode(
            body["publicKeyRequest"]["proofOfPossession"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    sent_key
        .verify(key.algorithm(), b"user@example.com", &pop)
        .unwrap();
}

fn pems_len() -> usize {
    real_chain_pem().len()
}

#[tokio::test]
async fn signing_cert_with_csr_and_one_pem_string() {
    // Some servers put the whole chain in one string.
    let joined = real_chain_pem().concat();
    let response = json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": [joined]}}});
    let server = CannedServer::start(move |_| CannedResponse::json(200, &response))
        .await
        .unwrap();
    let fulcio = FulcioClient::new(server.url(), http());
    let csr = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
    let chain = fulcio.signing_cert_csr("tok", csr).await.unwrap();
    assert_eq!(chain.len(), pems_len());
    let body: serde_json::Value = serde_json::from_slice(&server.requests()[0].body).unwrap();
    assert_eq!(
        STANDARD
            .decode(body["certificateSigningRequest"].as_str().unwrap())
            .unwrap(),
        csr.as_bytes()
    );
}

#[test]
fn malformed_signing_cert_responses() {
    let pems = real_chain_pem();
    let url = "https://fulcio.test/api/v2/signingCert";
    let cases = [
        json!({}),
        json!({"signedCertificateEmbeddedSct": {}}),
        json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": "x"}}}),
        json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": [1]}}}),
        json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": ["not pem"]}}}),
        json!({"signedCertificateEmbeddedSct": {"chain": {"certificates":
            ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]}}}),
        json!({"signedCertificateEmbeddedSct": {"chain": {"certificates":
            ["-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"]}}}),
    ];
    for case in &cases {
        assert!(parse_signing_cert_response(url, case).is_err(), "{case}");
    }
    // One certificate is too few.
    let one = json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": [pems[0]]}}});
    assert!(matches!(
        parse_signing_cert_response(url, &one),
        Err(ClientError::ChainLength { count: 1 })
    ));
    // Eleven certificates are too many.
    let many: Vec<_> = std::iter::repeat_n(pems[0].clone(), 11).collect();
    let many = json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": many}}});
    assert!(matches!(
        parse_signing_cert_response(url, &many),
        Err(ClientError::ChainLength { .. })
    ));
    let detached = json!({"signedCertificateDetachedSct": {"chain": {"certificates": pems},
        "signedCertificateTimestamp": "e30="}});
    assert!(matches!(
        parse_signing_cert_response(url, &detached),
        Err(ClientError::DetachedSct)
    ));
}

#[tokio::test]
async fn errors_carry_status_and_url() {
    let server = CannedServer::start(|_| {
        CannedResponse::json(400, &json!({"code": 3, "message": "invalid token"}))
    })
    .await
    .unwrap();
    let fulcio = FulcioClient::new(server.url(), http());
    let key = SigningKey::generate().unwrap();
    match fulcio
        .signing_cert("t", key.public_key().spki_der(), b"x")
        .await
    {
        Err(ClientError::Http(sigstore_http::Error::Status {
            url,
            status,
            detail,
        })) => {
            assert_eq!(status, 400);
            assert!(url.ends_with("/api/v2/signingCert"));
            assert!(detail.contains("invalid token"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn trust_bundle_and_configuration() {
    let pems = real_chain_pem();
    let server = CannedServer::start(move |req| match req.path() {
        "/api/v2/trustBundle" => CannedResponse::json(
            200,
            &json!({"chains": [{"certificates": pems[1..].to_vec()}]}),
        ),
        "/api/v2/configuration" => CannedResponse::json(
            200,
            &json!({"issuers": [
                {"issuerUrl": "https://oauth2.sigstore.dev/auth", "audience": "sigstore",
                 "challengeClaim": "email", "issuerType": "email"},
                {"wildcardIssuerUrl": "https://*.example.com", "audience": "sigstore",
                 "challengeClaim": "sub", "spiffeTrustDomain": "example.com"}]}),
        ),
        _ => CannedResponse::new(404, "not found"),
    })
    .await
    .unwrap();
    let fulcio = FulcioClient::new(server.url(), http());
    let bundle = fulcio.trust_bundle().await.unwrap();
    assert_eq!(bundle.len(), 1);
    assert_eq!(bundle[0].len(), pems_len() - 1);
    let config = fulcio.configuration().await.unwrap();
    assert_eq!(config.issuers.len(), 2);
    assert_eq!(config.issuers[0].challenge_claim, "email");
    assert_eq!(
        config.issuers[1].wildcard_issuer_url.as_deref(),
        Some("https://*.example.com")
    );
}
