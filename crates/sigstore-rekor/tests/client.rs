//! Rekor clients against a canned server on 127.0.0.1 (feature `client`), with entries taken
//! from real conformance bundles.
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_crypto::HashAlgorithm;
use sigstore_http::testing::{CannedResponse, CannedServer};
use sigstore_http::{HttpClient, HttpConfig};
use sigstore_rekor::client::{
    parse_log_entry, parse_v2_entry, ClientError, HashedRekordRequestV002, ProposedEntry,
    RekorV1Client, RekorV2Client, V2Verifier,
};
use sigstore_types::bundle::TransparencyLogEntry;
use sigstore_types::common::PublicKeyDetails;
use sigstore_types::Bundle;

fn bundle_json(case: &str) -> Value {
    let path = sigstore_test_support::conformance_cases()
        .join(case)
        .join("bundle.sigstore.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn tle(case: &str) -> TransparencyLogEntry {
    Bundle::from_json(bundle_json(case).to_string().as_bytes())
        .unwrap()
        .verification_material
        .tlog_entries
        .remove(0)
}

/// The Rekor v1 `LogEntry` a log would have returned for `e`.
fn v1_log_entry(e: &TransparencyLogEntry) -> Value {
    let proof = e.inclusion_proof.as_ref().unwrap();
    json!({ "24296fb24b8ad77a1ad7f1d5e5dc8a3e4e4d8e24a2d1a0a9b1a5c1d2e3f4a5b6": {
        "body": STANDARD.encode(&e.canonicalized_body),
        "integratedTime": e.integrated_time,
        "logID": hex::encode(&e.log_id),
        "logIndex": e.log_index,
        "verification": {
            "signedEntryTimestamp": STANDARD.encode(e.inclusion_promise.as_ref().unwrap()),
            "inclusionProof": {
                "logIndex": proof.log_index,
                "rootHash": hex::encode(&proof.root_hash),
                "treeSize": proof.tree_size,
                "hashes": proof.hashes.iter().map(hex::encode).collect::<Vec<_>>(),
                "checkpoint": proof.checkpoint.clone().unwrap(),
            }
        }
    }})
}

fn http() -> HttpClient {
    HttpClient::new(HttpConfig::default().with_retries(0)).unwrap()
}

#[test]
fn v1_log_entry_converts_to_the_bundle_entry() {
    let expected = tle("happy-path-v0.3");
    let (uuid, got) = parse_log_entry("u", &v1_log_entry(&expected)).unwrap();
    assert_eq!(uuid.len(), 64);
    assert_eq!(got, expected);
    assert_eq!(got.kind, "hashedrekord");
    assert_eq!(got.kind_version, "0.0.1");
    let dsse = tle("happy-path-intoto-in-dsse-v3");
    assert_eq!(parse_log_entry("u", &v1_log_entry(&dsse)).unwrap().1, dsse);
}

#[test]
fn malformed_v1_log_entries_are_errors() {
    let good = v1_log_entry(&tle("happy-path-v0.3"));
    let (uuid, inner) = good.as_object().unwrap().iter().next().unwrap();
    let mutate = |f: &dyn Fn(&mut Value)| {
        let mut v = inner.clone();
        f(&mut v);
        json!({ uuid.clone(): v })
    };
    let cases = vec![
        json!([]),
        json!({}),
        json!({"a": inner, "b": inner}),
        mutate(&|v| v["body"] = json!("!!!")),
        mutate(&|v| v["body"] = json!(STANDARD.encode("not json"))),
        mutate(&|v| v["body"] = json!(STANDARD.encode("{\"kind\":\"x\"}"))),
        mutate(&|v| v["logID"] = json!("zz")),
        mutate(&|v| v["logIndex"] = json!(-1)),
        mutate(&|v| v["logIndex"] = json!("12")),
        mutate(&|v| v["logIndex"] = json!(1e300)),
        mutate(&|v| v["integratedTime"] = json!(null)),
        mutate(&|v| v["verification"]["signedEntryTimestamp"] = json!(5)),
        mutate(&|v| v["verification"]["inclusionProof"]["hashes"] = json!(["xyz"])),
        mutate(&|v| v["verification"]["inclusionProof"]["hashes"] = json!(vec!["00"; 65])),
        mutate(&|v| {
            v["verification"]["inclusionProof"]["treeSize"] = json!(18446744073709551615u64)
        }),
        mutate(&|v| v["verification"]["inclusionProof"]["checkpoint"] = json!(1)),
    ];
    for case in cases {
        assert!(
            matches!(
                parse_log_entry("u", &case),
                Err(ClientError::MalformedResponse { .. })
            ),
            "{case}"
        );
    }
}

#[tokio::test]
async fn v1_create_entry_and_conflict() {
    let expected = tle("happy-path-v0.3");
    let entry = v1_log_entry(&expected);
    let uuid = entry.as_object().unwrap().keys().next().unwrap().clone();
    let conflict = std::sync::atomic::AtomicBool::new(false);
    let conflict = std::sync::Arc::new(conflict);
    let flag = conflict.clone();
    let location = format!("/api/v1/log/entries/{uuid}");
    let server = CannedServer::start(move |req| match (req.method.as_str(), req.path()) {
        ("POST", "/api/v1/log/entries") => {
            if flag.load(std::sync::atomic::Ordering::SeqCst) {
                CannedResponse::json(409, &json!({"code": 409, "message": "exists"}))
                    .with_header("location", &location)
            } else {
                CannedResponse::json(201, &entry)
            }
        }
        ("GET", p) if p == location => CannedResponse::json(200, &entry),
        ("GET", "/api/v1/log/entries") if req.target.ends_with("?logIndex=25579") => {
            CannedResponse::json(200, &entry)
        }
        _ => CannedResponse::new(404, "{}"),
    })
    .await
    .unwrap();
    let rekor = RekorV1Client::new(server.url(), http());
    let digest = HashAlgorithm::Sha256.digest(b"artifact");
    let proposed = ProposedEntry::hashed_rekord(b"sig", "-----BEGIN CERTIFICATE-----\n", &digest);
    assert_eq!(rekor.create_entry(&proposed).await.unwrap(), expected);
    let sent: Value = serde_json::from_slice(&server.requests()[0].body).unwrap();
    assert_eq!(sent, *proposed.as_json());
    assert_eq!(sent["kind"], "hashedrekord");
    assert_eq!(sent["spec"]["data"]["hash"]["value"], digest.to_hex());
    assert_eq!(sent["spec"]["data"]["hash"]["algorithm"], "sha256");
    assert_eq!(
        sent["spec"]["signature"]["content"],
        STANDARD.encode(b"sig")
    );

    conflict.store(true, std::sync::atomic::Ordering::SeqCst);
    let dsse = ProposedEntry::dsse("{\"payload\":\"\"}", &["PEM"]);
    assert_eq!(rekor.create_entry(&dsse).await.unwrap(), expected);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[2].target, format!("/api/v1/log/entries/{uuid}"));
    let sent: Value = serde_json::from_slice(&reqs[1].body).unwrap();
    assert_eq!(
        sent["spec"]["proposedContent"]["envelope"],
        "{\"payload\":\"\"}"
    );
    assert_eq!(
        sent["spec"]["proposedContent"]["verifiers"][0],
        STANDARD.encode("PEM")
    );

    assert_eq!(rekor.get_entry_by_uuid(&uuid).await.unwrap(), expected);
    assert_eq!(rekor.get_entry_by_index(25579).await.unwrap(), expected);
    assert!(matches!(
        rekor.get_entry_by_uuid("../../etc").await,
        Err(ClientError::InvalidUuid)
    ));
    match rekor.get_entry_by_index(1).await {
        Err(ClientError::Http(e)) => assert_eq!(e.status(), Some(404)),
        other => panic!("{other:?}"),
    }
}

/// `retrieve_entries` against a log whose answer depends on the proposed digest: one table
/// row per answer shape.
#[tokio::test]
async fn v1_retrieve_entries() {
    let older = tle("happy-path-v0.3");
    let mut newer = older.clone();
    newer.integrated_time += 100;
    newer.log_index += 1;
    let keyed = |e: &TransparencyLogEntry, key: &str| {
        let v = v1_log_entry(e);
        let inner = v.as_object().unwrap().values().next().unwrap().clone();
        json!({ key: inner })
    };
    let many: Vec<Value> = (0..17)
        .map(|i| keyed(&older, &format!("{i:064x}")))
        .collect();
    let answers: Vec<(&str, CannedResponse)> = vec![
        (
            "one",
            CannedResponse::json(200, &json!([v1_log_entry(&older)])),
        ),
        (
            "two",
            CannedResponse::json(200, &json!([keyed(&newer, "aa"), keyed(&older, "bb")])),
        ),
        (
            "map",
            CannedResponse::json(
                200,
                &json!([{"aa": keyed(&newer, "x")["x"], "bb": keyed(&older, "y")["y"]}]),
            ),
        ),
        ("none", CannedResponse::json(200, &json!([]))),
        ("null", CannedResponse::json(200, &Value::Null)),
        ("404", CannedResponse::json(404, &json!({"code": 404}))),
        ("500", CannedResponse::json(500, &json!({"code": 500}))),
        ("many", CannedResponse::json(200, &Value::Array(many))),
        (
            "object",
            CannedResponse::json(200, &json!({"not": "a list"})),
        ),
        ("item", CannedResponse::json(200, &json!([1]))),
        (
            "big",
            CannedResponse::json(200, &json!([{"pad": "A".repeat(300_000)}])),
        ),
    ];
    let by_digest: Vec<(String, CannedResponse)> = answers
        .iter()
        .map(|(name, r)| {
            (
                HashAlgorithm::Sha256.digest(name.as_bytes()).to_hex(),
                r.clone(),
            )
        })
        .collect();
    let server = CannedServer::start(move |req| {
        if (req.method.as_str(), req.path()) != ("POST", "/api/v1/log/entries/retrieve") {
            return CannedResponse::new(404, "{}");
        }
        let sent: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let wanted = sent["entries"][0]["spec"]["data"]["hash"]["value"].clone();
        by_digest
            .iter()
            .find(|(hex, _)| json!(hex) == wanted)
            .map_or_else(|| CannedResponse::new(400, "{}"), |(_, r)| r.clone())
    })
    .await
    .unwrap();
    let config = HttpConfig::default()
        .with_retries(0)
        .with_max_response_bytes(200_000);
    let rekor = RekorV1Client::new(server.url(), HttpClient::new(config).unwrap());
    let retrieve = |name: &str| {
        let digest = HashAlgorithm::Sha256.digest(name.as_bytes());
        let proposed = ProposedEntry::hashed_rekord(b"sig", "PEM", &digest);
        let rekor = rekor.clone();
        async move { rekor.retrieve_entries(&proposed).await }
    };
    let (mut passed, mut failed) = (0, 0);
    let mut check = |name: &str, ok: bool| {
        if ok {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("FAILED: {name}");
        }
    };
    check("one", retrieve("one").await.unwrap() == vec![older.clone()]);
    check(
        "two, oldest first",
        retrieve("two").await.unwrap() == vec![older.clone(), newer.clone()],
    );
    check(
        "one map, two entries",
        retrieve("map").await.unwrap() == vec![older.clone(), newer.clone()],
    );
    check("none", retrieve("none").await.unwrap().is_empty());
    check("null", retrieve("null").await.unwrap().is_empty());
    check("404", retrieve("404").await.unwrap().is_empty());
    check(
        "500",
        matches!(retrieve("500").await, Err(ClientError::Http(e)) if e.status() == Some(500)),
    );
    check(
        "too many",
        matches!(
            retrieve("many").await,
            Err(ClientError::TooManyEntries {
                count: 17,
                max: 16,
                ..
            })
        ),
    );
    for name in ["object", "item"] {
        check(
            name,
            matches!(
                retrieve(name).await,
                Err(ClientError::MalformedResponse { .. })
            ),
        );
    }
    check(
        "oversized",
        matches!(retrieve("big").await, Err(ClientError::Http(e)) if e.to_string().contains("exceeds")),
    );
    // The request: `{"entries": [proposed]}` at the retrieve path.
    let digest = HashAlgorithm::Sha256.digest(b"one");
    let proposed = ProposedEntry::hashed_rekord(b"sig", "PEM", &digest);
    let sent: Value = serde_json::from_slice(&server.requests()[0].body).unwrap();
    check(
        "request body",
        sent == json!({"entries": [proposed.as_json()]}),
    );
    eprintln!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}

#[tokio::test]
async fn v1_log_info_and_consistency_proof() {
    let server = CannedServer::start(|req| match req.path() {
        "/api/v1/log" => CannedResponse::json(
            200,
            &json!({
            "rootHash": "aa".repeat(32), "treeSize": 10, "signedTreeHead": "note",
            "treeID": "1193050959916656506",
            "inactiveShards": [{"rootHash": "bb".repeat(32), "treeSize": 5,
                                "signedTreeHead": "old", "treeID": "123"}]}),
        ),
        "/api/v1/log/proof" => CannedResponse::json(
            200,
            &json!({
            "rootHash": "cc".repeat(32), "hashes": ["dd".repeat(32), "ee".repeat(32)]}),
        ),
        _ => CannedResponse::new(404, ""),
    })
    .await
    .unwrap();
    let rekor = RekorV1Client::new(server.url(), http());
    let info = rekor.log_info().await.unwrap();
    assert_eq!(info.tree_size, 10);
    assert_eq!(info.root_hash, vec![0xaa; 32]);
    assert_eq!(info.tree_id, "1193050959916656506");
    assert_eq!(info.inactive_shards.len(), 1);
    assert_eq!(info.inactive_shards[0].signed_tree_head, "old");
    let proof = rekor.consistency_proof(5, 10, Some("123")).await.unwrap();
    assert_eq!(proof.hashes.len(), 2);
    assert_eq!(proof.root_hash, vec![0xcc; 32]);
    assert_eq!(
        server.requests()[1].target,
        "/api/v1/log/proof?firstSize=5&lastSize=10&treeID=123"
    );
    assert!(rekor.consistency_proof(5, 10, Some("1&x=2")).await.is_err());
}

#[tokio::test]
async fn v2_create_entry() {
    let bundle = bundle_json("rekor2-happy-path");
    let response = bundle["verificationMaterial"]["tlogEntries"][0].clone();
    let expected = tle("rekor2-happy-path");
    let server = CannedServer::start(move |req| {
        if req.method == "POST" && req.path() == "/api/v2/log/entries" {
            CannedResponse::json(201, &response)
        } else {
            CannedResponse::new(404, "")
        }
    })
    .await
    .unwrap();
    let rekor =
        RekorV2Client::new(server.url(), http()).with_write_timeout(Duration::from_secs(20));
    let request = HashedRekordRequestV002 {
        digest: vec![7; 32],
        signature: b"sig".to_vec(),
        verifier: V2Verifier::X509Certificate(b"cert".to_vec()),
        key_details: PublicKeyDetails::PkixEcdsaP256Sha256,
    };
    let got = rekor.create_entry(&request).await.unwrap();
    assert_eq!(got, expected);
    assert_eq!(got.kind_version, "0.0.2");
    let sent: Value = serde_json::from_slice(&server.requests()[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"hashedRekordRequestV002": {
            "digest": STANDARD.encode([7u8; 32]),
            "signature": {"content": STANDARD.encode(b"sig"),
                "verifier": {"x509Certificate": {"rawBytes": STANDARD.encode(b"cert")},
                             "keyDetails": "PKIX_ECDSA_P256_SHA_256"}}}})
    );
    let key_request = HashedRekordRequestV002 {
        verifier: V2Verifier::PublicKey(b"spki".to_vec()),
        ..request
    };
    assert_eq!(
        key_request.to_json()["hashedRekordRequestV002"]["signature"]["verifier"]["publicKey"]
            ["rawBytes"],
        STANDARD.encode(b"spki")
    );
}

#[test]
fn malformed_v2_entries_are_errors() {
    let good = bundle_json("rekor2-happy-path")["verificationMaterial"]["tlogEntries"][0].clone();
    assert!(parse_v2_entry("u", &good).is_ok());
    let mut no_proof = good.clone();
    no_proof.as_object_mut().unwrap().remove("inclusionProof");
    let mut bad_index = good.clone();
    bad_index["logIndex"] = json!("-5");
    let mut bad_body = good.clone();
    bad_body["canonicalizedBody"] = json!("%%%");
    for case in [
        json!([]),
        json!("x"),
        json!({}),
        no_proof,
        bad_index,
        bad_body,
    ] {
        assert!(parse_v2_entry("u", &case).is_err(), "{case}");
    }
}
