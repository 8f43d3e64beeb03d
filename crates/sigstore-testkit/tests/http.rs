//! Every HTTP endpoint, driven with a small hyper client: normal answers, bundles assembled from
//! them that verify, and every fault.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a test failure

use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use der::Encode as _;
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, SigningKey};
use sigstore_testkit::{Endpoint, Fault, Testkit};
use sigstore_types::encoding::{pem_decode, pem_encode};
use sigstore_types::Bundle;
use sigstore_verify::{Artifact, Policy, Verifier, VerifierConfig};

const EMAIL: &str = "bob@example.com";
const ARTIFACT: &[u8] = b"signed over HTTP\n";

struct Reply {
    status: StatusCode,
    headers: hyper::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// One request on a fresh connection. Errors are transport errors (e.g. a truncated body).
async fn call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<Reply, String> {
    let uri: hyper::Uri = url.parse().unwrap();
    let addr = format!("{}:{}", uri.host().unwrap(), uri.port_u16().unwrap());
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(uri.path_and_query().unwrap().as_str())
        .header("host", uri.authority().unwrap().as_str());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes()
        .to_vec();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

async fn get(url: &str) -> Reply {
    call("GET", url, &[], vec![]).await.unwrap()
}

async fn post_json(url: &str, body: &Value) -> Reply {
    call(
        "POST",
        url,
        &[("content-type", "application/json")],
        body.to_string().into_bytes(),
    )
    .await
    .unwrap()
}

fn verifier(kit: &Testkit) -> Verifier {
    let root = kit.sigstore().trusted_root().unwrap();
    Verifier::new(&root, VerifierConfig::default()).unwrap()
}

fn policy(kit: &Testkit) -> Policy {
    Policy::identity(sigstore_x509_policy::Identity::new(
        EMAIL,
        kit.sigstore().oidc_issuer(),
    ))
}

/// Fulcio request with a proof of possession over the email claim.
fn cert_request(token: &str, key: &SigningKey, in_body: bool) -> Value {
    let pem = pem_encode(key.public_key().spki_der(), "PUBLIC KEY");
    let mut request = json!({"publicKeyRequest": {
        "publicKey": {"algorithm": "ECDSA", "content": pem},
        "proofOfPossession": STANDARD.encode(key.sign(EMAIL.as_bytes()))}});
    if in_body {
        request["credentials"] = json!({"oidcIdentityToken": token});
    }
    request
}

async fn leaf_from_fulcio(kit: &Testkit, key: &SigningKey) -> Reply {
    let token = kit.mint_email_token(EMAIL);
    post_json(
        &format!("{}/api/v2/signingCert", kit.urls().fulcio),
        &cert_request(&token, key, true),
    )
    .await
}

fn chain_ders(reply: &Reply) -> Vec<Vec<u8>> {
    reply.json()["signedCertificateEmbeddedSct"]["chain"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pem| pem_decode(pem.as_str().unwrap().as_bytes(), "CERTIFICATE").unwrap())
        .collect()
}

/// A Rekor v1 `LogEntry` map converted to a bundle's tlog entry JSON (spec §4.1).
fn v1_to_tle(log_entry: &Value) -> Value {
    let (_, e) = log_entry.as_object().unwrap().iter().next().unwrap();
    let body = STANDARD.decode(e["body"].as_str().unwrap()).unwrap();
    let kind: Value = serde_json::from_slice(&body).unwrap();
    let proof = &e["verification"]["inclusionProof"];
    let hex_to_b64 = |h: &Value| STANDARD.encode(hex::decode(h.as_str().unwrap()).unwrap());
    json!({
        "logIndex": e["logIndex"].to_string(),
        "logId": {"keyId": hex_to_b64(&e["logID"])},
        "kindVersion": {"kind": kind["kind"], "version": kind["apiVersion"]},
        "integratedTime": e["integratedTime"].to_string(),
        "inclusionPromise": {"signedEntryTimestamp": e["verification"]["signedEntryTimestamp"]},
        "inclusionProof": {
            "logIndex": proof["logIndex"].to_string(),
            "rootHash": hex_to_b64(&proof["rootHash"]),
            "treeSize": proof["treeSize"].to_string(),
            "hashes": proof["hashes"].as_array().unwrap().iter().map(hex_to_b64).collect::<Vec<_>>(),
            "checkpoint": {"envelope": proof["checkpoint"]}
        },
        "canonicalizedBody": e["body"]
    })
}

fn bundle_json(
    leaf: &[u8],
    tle: Value,
    timestamps: Vec<Vec<u8>>,
    content: (&str, Value),
) -> Bundle {
    let mut material = json!({
        "certificate": {"rawBytes": STANDARD.encode(leaf)},
        "tlogEntries": [tle],
    });
    if !timestamps.is_empty() {
        material["timestampVerificationData"] = json!({"rfc3161Timestamps":
            timestamps.iter().map(|t| json!({"signedTimestamp": STANDARD.encode(t)})).collect::<Vec<_>>()});
    }
    let mut bundle = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": material,
    });
    bundle[content.0] = content.1;
    Bundle::from_json(bundle.to_string().as_bytes()).unwrap()
}

fn message_signature(signature: &[u8]) -> (&'static str, Value) {
    (
        "messageSignature",
        json!({"messageDigest": {"algorithm": "SHA2_256",
                "digest": STANDARD.encode(HashAlgorithm::Sha256.digest(ARTIFACT).as_bytes())},
               "signature": STANDARD.encode(signature)}),
    )
}

fn hashedrekord_v1(leaf: &[u8], signature: &[u8]) -> Value {
    json!({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
        "signature": {"content": STANDARD.encode(signature),
                      "publicKey": {"content": STANDARD.encode(pem_encode(leaf, "CERTIFICATE"))}},
        "data": {"hash": {"algorithm": "sha256", "value": HashAlgorithm::Sha256.digest(ARTIFACT).to_hex()}}}})
}

fn hashedrekord_v2(leaf: &[u8], signature: &[u8], digest: &[u8]) -> Value {
    json!({"hashedRekordRequestV002": {
        "digest": STANDARD.encode(digest),
        "signature": {"content": STANDARD.encode(signature),
            "verifier": {"x509Certificate": {"rawBytes": STANDARD.encode(leaf)},
                         "keyDetails": "PKIX_ECDSA_P256_SHA_256"}}}})
}

async fn timestamp(kit: &Testkit, signature: &[u8]) -> Reply {
    let request = sigstore_testkit::timestamp_request(
        &HashAlgorithm::Sha256.digest(signature),
        Some(&[7, 7, 7]),
        true,
    )
    .unwrap();
    call(
        "POST",
        &kit.urls().tsa,
        &[("content-type", "application/timestamp-query")],
        request,
    )
    .await
    .unwrap()
}

/// Signs ARTIFACT keylessly over HTTP and logs it in Rekor v1.
async fn v1_bundle(kit: &Testkit) -> Result<Bundle, String> {
    let key = SigningKey::generate().unwrap();
    let cert = leaf_from_fulcio(kit, &key).await;
    assert_eq!(cert.status, StatusCode::CREATED);
    let leaf = chain_ders(&cert).remove(0);
    let signature = key.sign(ARTIFACT);
    let logged = post_json(
        &format!("{}/api/v1/log/entries", kit.urls().rekor_v1),
        &hashedrekord_v1(&leaf, &signature),
    )
    .await;
    if logged.status != StatusCode::CREATED {
        return Err(format!("rekor v1: {}", logged.status));
    }
    Ok(bundle_json(
        &leaf,
        v1_to_tle(&logged.json()),
        vec![],
        message_signature(&signature),
    ))
}

/// Signs ARTIFACT keylessly over HTTP, logs it in Rekor v2 and timestamps it.
async fn v2_bundle(kit: &Testkit) -> Result<Bundle, String> {
    let key = SigningKey::generate().unwrap();
    let cert = leaf_from_fulcio(kit, &key).await;
    let leaf = chain_ders(&cert).remove(0);
    let signature = key.sign(ARTIFACT);
    let digest = HashAlgorithm::Sha256.digest(ARTIFACT);
    let logged = post_json(
        &format!("{}/api/v2/log/entries", kit.urls().rekor_v2),
        &hashedrekord_v2(&leaf, &signature, digest.as_bytes()),
    )
    .await;
    if logged.status != StatusCode::CREATED {
        return Err(format!("rekor v2: {}", logged.status));
    }
    let tsr = timestamp(kit, &signature).await;
    if tsr.status != StatusCode::CREATED {
        return Err(format!("tsa: {}", tsr.status));
    }
    Ok(bundle_json(
        &leaf,
        logged.json(),
        vec![tsr.body],
        message_signature(&signature),
    ))
}

#[tokio::test]
async fn oidc_endpoints() {
    let kit = Testkit::start().await.unwrap();
    let issuer = kit.urls().oidc_issuer.clone();
    let discovery = get(&format!("{issuer}/.well-known/openid-configuration")).await;
    assert_eq!(discovery.status, StatusCode::OK);
    assert_eq!(discovery.json()["issuer"], issuer.as_str());
    let jwks = get(discovery.json()["jwks_uri"].as_str().unwrap()).await;
    assert_eq!(jwks.json()["keys"][0]["crv"], "P-256");
    let token = post_json(
        discovery.json()["token_endpoint"].as_str().unwrap(),
        &json!({"sub": "ci", "email": EMAIL, "email_verified": true}),
    )
    .await;
    assert_eq!(token.status, StatusCode::OK);
    let id_token = token.json()["id_token"].as_str().unwrap().to_owned();
    let claims = kit
        .sigstore()
        .verify_token(&id_token, sigstore_testkit::system_now())
        .unwrap();
    assert_eq!(claims["email"], EMAIL);
    let bad = call("POST", &format!("{issuer}/token"), &[], b"[1]".to_vec())
        .await
        .unwrap();
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        get(&format!("{issuer}/nope")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn fulcio_endpoints() {
    let kit = Testkit::start().await.unwrap();
    let fulcio = kit.urls().fulcio.clone();
    let key = SigningKey::generate().unwrap();

    // Token in the body.
    let reply = leaf_from_fulcio(&kit, &key).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let chain = chain_ders(&reply);
    assert_eq!(chain.len(), 3);
    assert_eq!(chain[1..], kit.sigstore().fulcio_chain()[..]);

    // Token as a bearer header.
    let token = kit.mint_email_token(EMAIL);
    let bearer = format!("Bearer {token}");
    let reply = call(
        "POST",
        &format!("{fulcio}/api/v2/signingCert"),
        &[
            ("authorization", &bearer),
            ("content-type", "application/json"),
        ],
        cert_request(&token, &key, false).to_string().into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(reply.status, StatusCode::CREATED);

    // CSR form.
    let p256_key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let spki = spki::EncodePublicKey::to_public_key_der(p256_key.verifying_key()).unwrap();
    let info = x509_cert::request::CertReqInfo {
        version: x509_cert::request::Version::V1,
        subject: Default::default(),
        public_key: der::Decode::from_der(spki.as_bytes()).unwrap(),
        attributes: Default::default(),
    };
    let sig: p256::ecdsa::Signature = signature::Signer::sign(&p256_key, &info.to_der().unwrap());
    let csr = x509_cert::request::CertReq {
        info,
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
            parameters: None,
        },
        signature: der::asn1::BitString::from_bytes(sig.to_der().as_bytes()).unwrap(),
    };
    let csr_pem = pem_encode(&csr.to_der().unwrap(), "CERTIFICATE REQUEST");
    let reply = call(
        "POST",
        &format!("{fulcio}/api/v2/signingCert"),
        &[("authorization", &bearer)],
        json!({"certificateSigningRequest": STANDARD.encode(csr_pem)})
            .to_string()
            .into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );

    // Refusals: no token, a foreign token, a proof over the wrong claim.
    let mut no_token = cert_request(&token, &key, false);
    no_token.as_object_mut().unwrap().remove("credentials");
    assert_eq!(
        post_json(&format!("{fulcio}/api/v2/signingCert"), &no_token)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let other = sigstore_testkit::VirtualSigstore::new(sigstore_testkit::system_now()).unwrap();
    let foreign = other.mint_email_token(EMAIL, sigstore_testkit::system_now());
    assert_eq!(
        post_json(
            &format!("{fulcio}/api/v2/signingCert"),
            &cert_request(&foreign, &key, true)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    let mut wrong_pop = cert_request(&token, &key, true);
    wrong_pop["publicKeyRequest"]["proofOfPossession"] =
        STANDARD.encode(key.sign(b"someone else")).into();
    assert_eq!(
        post_json(&format!("{fulcio}/api/v2/signingCert"), &wrong_pop)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let garbage = call(
        "POST",
        &format!("{fulcio}/api/v2/signingCert"),
        &[],
        b"\xff{".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);

    let huge = call(
        "POST",
        &format!("{fulcio}/api/v2/signingCert"),
        &[],
        vec![b' '; 9 << 20],
    )
    .await;
    // Either the refusal arrives or the server closes while the client is still sending.
    if let Ok(huge) = huge {
        assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    let bundle = get(&format!("{fulcio}/api/v2/trustBundle")).await;
    assert_eq!(
        bundle.json()["chains"][0]["certificates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let config = get(&format!("{fulcio}/api/v2/configuration")).await;
    assert_eq!(
        config.json()["issuers"][0]["issuerUrl"],
        kit.urls().oidc_issuer.as_str()
    );
}

#[tokio::test]
async fn rekor_v1_endpoints_and_bundles_verify() {
    let kit = Testkit::start().await.unwrap();
    let rekor = kit.urls().rekor_v1.clone();
    let bundle = v1_bundle(&kit).await.unwrap();
    verifier(&kit)
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&kit))
        .unwrap();
    let second = v1_bundle(&kit).await.unwrap();
    verifier(&kit)
        .verify(&second, Artifact::Bytes(ARTIFACT), &policy(&kit))
        .unwrap();

    // DSSE.
    let key = SigningKey::generate().unwrap();
    let leaf = chain_ders(&leaf_from_fulcio(&kit, &key).await).remove(0);
    let statement = json!({"_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "a", "digest": {"sha256": HashAlgorithm::Sha256.digest(ARTIFACT).to_hex()}}],
        "predicateType": "https://example.com/p", "predicate": {}}).to_string();
    let pae = sigstore_types::dsse::pae("application/vnd.in-toto+json", statement.as_bytes());
    let sig = key.sign(&pae);
    let envelope = json!({"payload": STANDARD.encode(&statement), "payloadType": "application/vnd.in-toto+json",
                          "signatures": [{"sig": STANDARD.encode(&sig), "keyid": ""}]});
    let proposed = json!({"apiVersion": "0.0.1", "kind": "dsse", "spec": {"proposedContent": {
        "envelope": envelope.to_string(), "verifiers": [STANDARD.encode(pem_encode(&leaf, "CERTIFICATE"))]}}});
    let logged = post_json(&format!("{rekor}/api/v1/log/entries"), &proposed).await;
    assert_eq!(
        logged.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&logged.body)
    );
    let dsse = bundle_json(
        &leaf,
        v1_to_tle(&logged.json()),
        vec![],
        ("dsseEnvelope", envelope),
    );
    verifier(&kit)
        .verify(&dsse, Artifact::Bytes(ARTIFACT), &policy(&kit))
        .unwrap();

    // The same entry again: 409 with the existing entry's location.
    let again = post_json(&format!("{rekor}/api/v1/log/entries"), &proposed).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.headers.get("location").is_some());
    // A bad signature is refused.
    let mut bad = proposed.clone();
    bad["spec"]["proposedContent"]["envelope"] =
        envelope_with_sig(&statement, &key.sign(b"x")).into();
    assert_eq!(
        post_json(&format!("{rekor}/api/v1/log/entries"), &bad)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let intoto = json!({"apiVersion": "0.0.2", "kind": "intoto", "spec": {}});
    assert_eq!(
        post_json(&format!("{rekor}/api/v1/log/entries"), &intoto)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // Reads.
    let first = &bundle.verification_material.tlog_entries[0];
    let by_index = get(&format!(
        "{rekor}/api/v1/log/entries?logIndex={}",
        first.log_index
    ))
    .await;
    assert_eq!(by_index.status, StatusCode::OK);
    let (uuid, entry) = by_index
        .json()
        .as_object()
        .unwrap()
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap();
    assert_eq!(uuid.len(), 80);
    assert_eq!(entry["verification"]["inclusionProof"]["treeSize"], 3);
    // The refreshed proof still verifies.
    let refreshed = bundle_json(
        bundle.verification_material.leaf_certificate().unwrap(),
        v1_to_tle(&by_index.json()),
        vec![],
        message_signature(bundle.signature_bytes()),
    );
    verifier(&kit)
        .verify(&refreshed, Artifact::Bytes(ARTIFACT), &policy(&kit))
        .unwrap();
    for id in [uuid.clone(), uuid[16..].to_owned()] {
        let by_uuid = get(&format!("{rekor}/api/v1/log/entries/{id}")).await;
        assert_eq!(by_uuid.json(), by_index.json());
    }
    assert_eq!(
        get(&format!("{rekor}/api/v1/log/entries?logIndex=5"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&format!("{rekor}/api/v1/log/entries/{}", "0".repeat(64)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let pem = get(&format!("{rekor}/api/v1/log/publicKey")).await;
    assert!(String::from_utf8(pem.body)
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    let info = get(&format!("{rekor}/api/v1/log")).await.json();
    assert_eq!(info["treeSize"], 3);
    let root3: [u8; 32] = hex::decode(info["rootHash"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = kit.sigstore().trusted_root().unwrap().tlogs[0]
        .public_key
        .raw_bytes
        .clone()
        .unwrap();
    let key = sigstore_crypto::PublicKey::from_spki_der(&key).unwrap();
    let checkpoint = sigstore_rekor::checkpoint::verify_rekor_v1_checkpoint(
        info["signedTreeHead"].as_str().unwrap(),
        &key,
    )
    .unwrap();
    assert_eq!(checkpoint.root_hash, root3);
    assert_eq!(
        info["treeID"],
        kit.sigstore().rekor_v1_tree_id().to_string()
    );

    let proof = get(&format!("{rekor}/api/v1/log/proof?firstSize=1&lastSize=3"))
        .await
        .json();
    let hashes: Vec<[u8; 32]> = proof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            hex::decode(h.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect();
    let root1: [u8; 32] = first
        .inclusion_proof
        .as_ref()
        .unwrap()
        .root_hash
        .clone()
        .try_into()
        .unwrap();
    sigstore_rekor::merkle::verify_consistency(1, 3, &hashes, &root1, &root3).unwrap();
    assert_eq!(
        get(&format!("{rekor}/api/v1/log/proof?firstSize=1&lastSize=9"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&format!("{rekor}/api/v1/log/proof?firstSize=x&lastSize=2"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

fn envelope_with_sig(statement: &str, sig: &[u8]) -> String {
    json!({"payload": STANDARD.encode(statement), "payloadType": "application/vnd.in-toto+json",
           "signatures": [{"sig": STANDARD.encode(sig), "keyid": ""}]})
    .to_string()
}

#[tokio::test]
async fn rekor_v2_and_tsa_endpoints_and_bundles_verify() {
    let kit = Testkit::start().await.unwrap();
    let bundle = v2_bundle(&kit).await.unwrap();
    let result = verifier(&kit)
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&kit))
        .unwrap();
    assert_eq!(result.verified_times.len(), 1);
    let checkpoint = get(&format!("{}/api/v2/checkpoint", kit.urls().rekor_v2)).await;
    assert!(String::from_utf8(checkpoint.body)
        .unwrap()
        .starts_with("127.0.0.1\n1\n"));

    // Refusals.
    let key = SigningKey::generate().unwrap();
    let leaf = chain_ders(&leaf_from_fulcio(&kit, &key).await).remove(0);
    let sig = key.sign(ARTIFACT);
    let url = format!("{}/api/v2/log/entries", kit.urls().rekor_v2);
    let short = hashedrekord_v2(&leaf, &sig, &[1, 2, 3]);
    assert_eq!(
        post_json(&url, &short).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut wrong_details = hashedrekord_v2(
        &leaf,
        &sig,
        HashAlgorithm::Sha256.digest(ARTIFACT).as_bytes(),
    );
    wrong_details["hashedRekordRequestV002"]["signature"]["verifier"]["keyDetails"] =
        "PKIX_ECDSA_P384_SHA_384".into();
    assert_eq!(
        post_json(&url, &wrong_details).await.status,
        StatusCode::BAD_REQUEST
    );
    let bad_sig = hashedrekord_v2(
        &leaf,
        &key.sign(b"x"),
        HashAlgorithm::Sha256.digest(ARTIFACT).as_bytes(),
    );
    assert_eq!(
        post_json(&url, &bad_sig).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post_json(&url, &json!({"dsseRequestV002": {}}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // TSA: the nonce is echoed; wrong content type and garbage are refused.
    let tsr = timestamp(&kit, &sig).await;
    assert_eq!(tsr.headers["content-type"], "application/timestamp-reply");
    let token = sigstore_tsa::TimeStampToken::from_der(&tsr.body).unwrap();
    assert_eq!(token.tst_info().nonce.as_deref(), Some(&[7u8, 7, 7][..]));
    let tsa = kit.urls().tsa.clone();
    assert_eq!(
        call(
            "POST",
            &tsa,
            &[("content-type", "text/plain")],
            b"{}".to_vec()
        )
        .await
        .unwrap()
        .status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        call(
            "POST",
            &tsa,
            &[("content-type", "application/timestamp-query")],
            b"\x30\x01".to_vec()
        )
        .await
        .unwrap()
        .status,
        StatusCode::BAD_REQUEST
    );
    // The JSON request form.
    let json_request = json!({"artifactHash": STANDARD.encode(HashAlgorithm::Sha256.digest(&sig).as_bytes()),
                              "hashAlgorithm": "sha256", "certificates": true, "nonce": 258});
    let json_reply = post_json(&tsa, &json_request).await;
    assert_eq!(json_reply.status, StatusCode::CREATED);
    let token = sigstore_tsa::TimeStampToken::from_der(&json_reply.body).unwrap();
    assert_eq!(token.tst_info().nonce.as_deref(), Some(&[1u8, 2][..]));
    assert_eq!(token.embedded_certificates().len(), 1);
    let mut with_ts = bundle.clone();
    with_ts.verification_material.rfc3161_timestamps = vec![json_reply.body.clone()];
    // A timestamp over another signature does not verify for this bundle.
    assert!(verifier(&kit)
        .verify(&with_ts, Artifact::Bytes(ARTIFACT), &policy(&kit))
        .is_err());
    let bad_json = json!({"artifactHash": "AAAA", "hashAlgorithm": "sha256"});
    assert_eq!(
        post_json(&tsa, &bad_json).await.status,
        StatusCode::BAD_REQUEST
    );
    let chain = get(&format!("{tsa}/certchain")).await;
    assert_eq!(
        String::from_utf8(chain.body)
            .unwrap()
            .matches("BEGIN CERTIFICATE")
            .count(),
        2
    );
}

#[tokio::test]
async fn transport_faults_on_every_endpoint() {
    let kit = Testkit::start().await.unwrap();
    let u = kit.urls().clone();
    let token = kit.mint_email_token(EMAIL);
    let key = SigningKey::generate().unwrap();
    let tsq = sigstore_testkit::timestamp_request(&HashAlgorithm::Sha256.digest(b"x"), None, false)
        .unwrap();
    let requests: Vec<(Endpoint, &str, String, Vec<u8>)> = vec![
        (
            Endpoint::FulcioSigningCert,
            "POST",
            format!("{}/api/v2/signingCert", u.fulcio),
            cert_request(&token, &key, true).to_string().into_bytes(),
        ),
        (
            Endpoint::FulcioTrustBundle,
            "GET",
            format!("{}/api/v2/trustBundle", u.fulcio),
            vec![],
        ),
        (
            Endpoint::FulcioConfiguration,
            "GET",
            format!("{}/api/v2/configuration", u.fulcio),
            vec![],
        ),
        (
            Endpoint::RekorV1CreateEntry,
            "POST",
            format!("{}/api/v1/log/entries", u.rekor_v1),
            b"{}".to_vec(),
        ),
        (
            Endpoint::RekorV1GetEntry,
            "GET",
            format!("{}/api/v1/log/entries?logIndex=0", u.rekor_v1),
            vec![],
        ),
        (
            Endpoint::RekorV1LogInfo,
            "GET",
            format!("{}/api/v1/log", u.rekor_v1),
            vec![],
        ),
        (
            Endpoint::RekorV1PublicKey,
            "GET",
            format!("{}/api/v1/log/publicKey", u.rekor_v1),
            vec![],
        ),
        (
            Endpoint::RekorV1Proof,
            "GET",
            format!("{}/api/v1/log/proof?firstSize=0&lastSize=0", u.rekor_v1),
            vec![],
        ),
        (
            Endpoint::RekorV2CreateEntry,
            "POST",
            format!("{}/api/v2/log/entries", u.rekor_v2),
            b"{}".to_vec(),
        ),
        (
            Endpoint::RekorV2Checkpoint,
            "GET",
            format!("{}/api/v2/checkpoint", u.rekor_v2),
            vec![],
        ),
        (Endpoint::TsaTimestamp, "POST", u.tsa.clone(), tsq),
        (
            Endpoint::TsaCertChain,
            "GET",
            format!("{}/certchain", u.tsa),
            vec![],
        ),
        (
            Endpoint::OidcDiscovery,
            "GET",
            format!("{}/.well-known/openid-configuration", u.oidc_issuer),
            vec![],
        ),
        (
            Endpoint::OidcJwks,
            "GET",
            format!("{}/jwks", u.oidc_issuer),
            vec![],
        ),
        (
            Endpoint::OidcToken,
            "POST",
            format!("{}/token", u.oidc_issuer),
            vec![],
        ),
    ];
    let ct = [("content-type", "application/timestamp-query")];
    let mut checked = 0;
    for (endpoint, method, url, body) in &requests {
        let send = || call(method, url, &ct, body.clone());
        let normal = send().await.unwrap();
        assert!(
            normal.status.as_u16() < 500,
            "{endpoint:?}: {}",
            normal.status
        );

        kit.set_fault(*endpoint, Fault::Status(503));
        assert_eq!(
            send().await.unwrap().status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{endpoint:?}"
        );

        kit.set_fault(
            *endpoint,
            Fault::RateLimited {
                retry_after_secs: 3,
            },
        );
        let limited = send().await.unwrap();
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.headers["retry-after"], "3");

        kit.set_fault(*endpoint, Fault::MalformedBody);
        let malformed = send().await.unwrap();
        assert_eq!(malformed.status, StatusCode::OK);
        assert!(serde_json::from_slice::<Value>(&malformed.body).is_err());

        kit.set_fault(*endpoint, Fault::OversizedBody(40 << 20));
        assert!(send().await.unwrap().body.len() >= 40 << 20);

        kit.set_fault(*endpoint, Fault::TruncatedBody);
        match send().await {
            Err(_) => {}
            Ok(reply) => panic!(
                "{endpoint:?}: truncated reply read whole ({} bytes)",
                reply.body.len()
            ),
        }

        kit.set_fault(*endpoint, Fault::Delay(Duration::from_millis(300)));
        let started = Instant::now();
        let delayed = send().await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(delayed.status, normal.status, "{endpoint:?}");

        // A counted fault: the next request fails, the one after succeeds.
        kit.clear_fault(*endpoint);
        kit.add_fault_times(*endpoint, Fault::Status(500), 1);
        assert_eq!(
            send().await.unwrap().status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(send().await.unwrap().status, normal.status, "{endpoint:?}");
        checked += 1;
    }
    println!("transport faults: {checked} endpoints x 8 faults passed");
    kit.clear_faults();
}

#[tokio::test]
async fn semantic_faults_produce_rejected_bundles() {
    let kit = Testkit::start().await.unwrap();
    let verify =
        |bundle: &Bundle| verifier(&kit).verify(bundle, Artifact::Bytes(ARTIFACT), &policy(&kit));
    let cases = [
        (Endpoint::FulcioSigningCert, Fault::UnknownSctLog, false),
        (Endpoint::FulcioSigningCert, Fault::UntrustedChain, false),
        (
            Endpoint::RekorV1CreateEntry,
            Fault::BadInclusionProof,
            false,
        ),
        (
            Endpoint::RekorV1CreateEntry,
            Fault::WrongCheckpointKey,
            false,
        ),
        (Endpoint::RekorV2CreateEntry, Fault::BadInclusionProof, true),
        (
            Endpoint::RekorV2CreateEntry,
            Fault::WrongCheckpointKey,
            true,
        ),
        (
            Endpoint::TsaTimestamp,
            Fault::TimestampOutsideValidity,
            true,
        ),
        (Endpoint::FulcioSigningCert, Fault::UntrustedChain, true),
    ];
    for (endpoint, fault, rekor_v2) in cases {
        kit.set_fault(endpoint, fault.clone());
        let bundle = if rekor_v2 {
            v2_bundle(&kit).await
        } else {
            v1_bundle(&kit).await
        }
        .unwrap();
        let err = verify(&bundle).unwrap_err();
        println!("{endpoint:?} {fault:?}: rejected: {err}");
        kit.clear_fault(endpoint);
        let good = if rekor_v2 {
            v2_bundle(&kit).await
        } else {
            v1_bundle(&kit).await
        }
        .unwrap();
        verify(&good).unwrap();
    }

    // Entries read back with a fault are rejected too.
    let bundle = v1_bundle(&kit).await.unwrap();
    let index = bundle.verification_material.tlog_entries[0].log_index;
    for fault in [Fault::BadInclusionProof, Fault::WrongCheckpointKey] {
        kit.set_fault(Endpoint::RekorV1GetEntry, fault);
        let read = get(&format!(
            "{}/api/v1/log/entries?logIndex={index}",
            kit.urls().rekor_v1
        ))
        .await;
        let reread = bundle_json(
            bundle.verification_material.leaf_certificate().unwrap(),
            v1_to_tle(&read.json()),
            vec![],
            message_signature(bundle.signature_bytes()),
        );
        assert!(verify(&reread).is_err());
    }
}

#[tokio::test]
async fn files_written_for_serve() {
    let kit = Testkit::start().await.unwrap();
    let dir = sigstore_test_support::TempDir::new("sigstore-testkit-files");
    kit.write_files(&dir).unwrap();
    let root = sigstore_types::TrustedRoot::from_json(
        &std::fs::read(dir.join("trusted_root.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(root.tlogs[1].base_url, kit.urls().rekor_v2);
    let v1 = sigstore_types::SigningConfig::from_json(
        &std::fs::read(dir.join("signing_config.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(v1.rekor_tlog_urls[0].major_api_version, 1);
    let v2 = sigstore_types::SigningConfig::from_json(
        &std::fs::read(dir.join("signing_config_rekor_v2.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(v2.rekor_tlog_urls[0].url, kit.urls().rekor_v2);
    let ctc = std::fs::read_to_string(dir.join("client_trust_config.json")).unwrap();
    assert!(ctc.contains("application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"));
    sigstore_types::ClientTrustConfig::from_json(ctc.as_bytes()).unwrap();
    let token = std::fs::read_to_string(dir.join("token")).unwrap();
    kit.sigstore()
        .verify_token(&token, sigstore_testkit::system_now())
        .unwrap();
}

#[tokio::test]
async fn request_counts() {
    let kit = Testkit::start().await.unwrap();
    let fulcio = kit.urls().fulcio.clone();
    let stats = get(&format!("{fulcio}/stats")).await;
    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(stats.json(), json!({}));

    let key = SigningKey::generate().unwrap();
    assert_eq!(
        leaf_from_fulcio(&kit, &key).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        leaf_from_fulcio(&kit, &key).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        get(&format!("{fulcio}/api/v2/trustBundle")).await.status,
        StatusCode::OK
    );
    // Faulted requests count too; unknown paths and /stats itself do not.
    kit.add_fault_times(Endpoint::FulcioSigningCert, Fault::Status(503), 1);
    assert_eq!(
        leaf_from_fulcio(&kit, &key).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let _ = get(&format!("{fulcio}/nope")).await;

    assert_eq!(kit.request_count(Endpoint::FulcioSigningCert), 3);
    assert_eq!(kit.request_count(Endpoint::FulcioTrustBundle), 1);
    assert_eq!(kit.request_count(Endpoint::RekorV1CreateEntry), 0);
    let stats = get(&format!("{fulcio}/stats")).await.json();
    assert_eq!(
        stats,
        json!({"FulcioSigningCert": 3, "FulcioTrustBundle": 1})
    );
}

#[tokio::test]
async fn rekor_v1_retrieve_matches_by_body() {
    let kit = Testkit::start().await.unwrap();
    let rekor = kit.urls().rekor_v1.clone();
    let retrieve_url = format!("{rekor}/api/v1/log/entries/retrieve");
    let mut logged = Vec::new();
    for _ in 0..2 {
        let key = SigningKey::generate().unwrap();
        let leaf = chain_ders(&leaf_from_fulcio(&kit, &key).await).remove(0);
        let proposed = hashedrekord_v1(&leaf, &key.sign(ARTIFACT));
        let created = post_json(&format!("{rekor}/api/v1/log/entries"), &proposed).await;
        assert_eq!(created.status, StatusCode::CREATED);
        logged.push((proposed, created.json()));
    }
    let (proposed, created) = &logged[1];
    let retrieve = |entries: Vec<Value>| {
        let url = retrieve_url.clone();
        async move { post_json(&url, &json!({ "entries": entries })).await }
    };
    let uuids = |reply: &Reply| -> Vec<String> {
        reply
            .json()
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m.as_object().unwrap().keys().cloned().collect::<Vec<_>>())
            .collect()
    };
    let created_uuid = created.as_object().unwrap().keys().next().unwrap().clone();
    let other_uuid = logged[0]
        .1
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();

    // The logged entry, exactly as created (same ID, body, proof and SET).
    let found = retrieve(vec![proposed.clone()]).await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.json(), json!([created]));
    // Another digest: nothing.
    let mut unknown = proposed.clone();
    unknown["spec"]["data"]["hash"]["value"] = json!(HashAlgorithm::Sha256.digest(b"x").to_hex());
    assert_eq!(retrieve(vec![unknown.clone()]).await.json(), json!([]));
    // Both: only the logged one.
    assert_eq!(
        uuids(&retrieve(vec![unknown, proposed.clone()]).await),
        vec![created_uuid.clone()]
    );
    // Unsupported kinds and too many entries are refused.
    let dsse = json!({"apiVersion": "0.0.1", "kind": "dsse", "spec": {}});
    assert_eq!(retrieve(vec![dsse]).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        retrieve(vec![proposed.clone(); 11]).await.status,
        StatusCode::BAD_REQUEST
    );

    // Faults.
    let with = |fault: Fault| {
        kit.clear_faults();
        kit.set_fault(Endpoint::RekorV1RetrieveEntries, fault);
        retrieve(vec![proposed.clone()])
    };
    assert_eq!(with(Fault::EmptyResult).await.json(), json!([]));
    assert_eq!(
        uuids(&with(Fault::OtherEntry).await),
        vec![other_uuid.clone()]
    );
    assert_eq!(
        uuids(&with(Fault::ExtraEntry).await),
        vec![other_uuid, created_uuid.clone()]
    );
    let time = |v: &Value| v[0][&created_uuid]["integratedTime"].as_i64().unwrap();
    let later = with(Fault::TamperedTime).await.json();
    assert_eq!(time(&later), time(&json!([created])) + 1);
    let stripped = with(Fault::NoInclusionProof).await.json();
    assert!(stripped[0][&created_uuid]["verification"]["signedEntryTimestamp"].is_string());
    assert!(stripped[0][&created_uuid]["verification"]
        .get("inclusionProof")
        .is_none());
    let tampered = with(Fault::TamperedBody).await.json();
    // The ID follows the (altered) body.
    let body = |v: &Value| {
        let entry = v[0].as_object().unwrap().values().next().unwrap();
        entry["body"].as_str().unwrap().to_owned()
    };
    assert_ne!(body(&tampered), body(&json!([created])));
    kit.clear_faults();
}
