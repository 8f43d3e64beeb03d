//! Bundles built by hand from `VirtualSigstore` outputs verify with `sigstore_verify`, and each
//! deliberate defect is rejected.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a test failure

use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, SigningKey};
use sigstore_testkit::{Identity, LogVerifier, Tampering, VirtualSigstore};
use sigstore_types::bundle::{
    BundleContent, MessageDigest, MessageSignature, TransparencyLogEntry, VerificationMaterial,
    VerificationMaterialContent,
};
use sigstore_types::{Bundle, BundleVersion, DsseSignature, Envelope, Timestamp};
use sigstore_verify::{Artifact, Error, Policy, Verifier, VerifierConfig};

const EMAIL: &str = "alice@example.com";
const ARTIFACT: &[u8] = b"an artifact signed with the testkit\n";

fn t0() -> Timestamp {
    Timestamp::from_unix(1_760_000_000)
}

fn at(offset: i64) -> Timestamp {
    Timestamp::from_unix(t0().unix_seconds() + offset)
}

fn verifier(sigstore: &VirtualSigstore) -> Verifier {
    let root = sigstore.trusted_root().unwrap();
    // Round-trip through JSON, as a client would read it.
    let root = sigstore_types::TrustedRoot::from_json(root.to_json().as_bytes()).unwrap();
    Verifier::new(&root, VerifierConfig::default()).unwrap()
}

fn policy(sigstore: &VirtualSigstore) -> Policy {
    Policy::identity(sigstore_x509_policy::Identity::new(
        EMAIL,
        sigstore.oidc_issuer(),
    ))
}

fn bundle(
    leaf: Vec<u8>,
    entry: TransparencyLogEntry,
    timestamps: Vec<Vec<u8>>,
    content: BundleContent,
) -> Bundle {
    let bundle = Bundle {
        media_type: BundleVersion::V0_3.media_type().to_owned(),
        version: BundleVersion::V0_3,
        verification_material: VerificationMaterial {
            content: VerificationMaterialContent::Certificate(leaf),
            tlog_entries: vec![entry],
            rfc3161_timestamps: timestamps,
        },
        content,
    };
    // What a client would write and read back.
    Bundle::from_json(bundle.to_json().as_bytes()).unwrap()
}

struct Signed {
    leaf: Vec<u8>,
    key: SigningKey,
}

fn keyless(sigstore: &VirtualSigstore, now: Timestamp, tampering: Tampering) -> Signed {
    let key = SigningKey::generate().unwrap();
    let token = sigstore.mint_email_token(EMAIL, now);
    let claims = sigstore.verify_token(&token, now).unwrap();
    let identity = Identity::from_claims(&claims).unwrap();
    let cert = sigstore
        .issue_certificate_with(&identity, key.public_key().spki_der(), now, tampering)
        .unwrap();
    assert_eq!(cert.chain.len(), 3);
    Signed {
        leaf: cert.leaf,
        key,
    }
}

fn message(signature: &[u8]) -> BundleContent {
    BundleContent::MessageSignature(MessageSignature {
        message_digest: Some(MessageDigest {
            algorithm: sigstore_types::HashAlgorithm::Sha2_256,
            digest: HashAlgorithm::Sha256.digest(ARTIFACT).as_bytes().to_vec(),
        }),
        signature: signature.to_vec(),
    })
}

fn v1_message_bundle(sigstore: &VirtualSigstore, now: Timestamp, tampering: Tampering) -> Bundle {
    let s = keyless(sigstore, now, tampering);
    let signature = s.key.sign(ARTIFACT);
    let entry = sigstore
        .rekor_v1_add_hashedrekord_with(
            LogVerifier::Certificate(&s.leaf),
            &signature,
            &HashAlgorithm::Sha256.digest(ARTIFACT),
            at(30),
            tampering,
        )
        .unwrap();
    bundle(s.leaf, entry, vec![], message(&signature))
}

fn v2_message_bundle(sigstore: &VirtualSigstore, now: Timestamp, tampering: Tampering) -> Bundle {
    let s = keyless(sigstore, now, tampering);
    let signature = s.key.sign(ARTIFACT);
    let entry = sigstore
        .rekor_v2_add_hashedrekord_with(
            LogVerifier::Certificate(&s.leaf),
            &signature,
            &HashAlgorithm::Sha256.digest(ARTIFACT),
            tampering,
        )
        .unwrap();
    let request = sigstore_testkit::timestamp_request(
        &HashAlgorithm::Sha256.digest(&signature),
        Some(&[0x12, 0x34]),
        true,
    )
    .unwrap();
    let tsr = sigstore
        .timestamp_request_with(&request, at(20), tampering)
        .unwrap();
    bundle(s.leaf, entry, vec![tsr], message(&signature))
}

fn statement() -> Vec<u8> {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "artifact", "digest": {"sha256": HashAlgorithm::Sha256.digest(ARTIFACT).to_hex()}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {}}
    })
    .to_string()
    .into_bytes()
}

fn signed_envelope(key: &SigningKey) -> Envelope {
    let mut envelope = Envelope {
        payload: statement(),
        payload_type: "application/vnd.in-toto+json".into(),
        signatures: vec![],
    };
    let sig = key.sign(&envelope.pae());
    envelope.signatures.push(DsseSignature {
        sig,
        keyid: String::new(),
    });
    envelope
}

#[test]
fn rekor_v1_message_signature_verifies() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let bundle = v1_message_bundle(&sigstore, at(10), Tampering::none());
    let result = verifier(&sigstore)
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&sigstore))
        .unwrap();
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["signer"]["identity"], EMAIL);
    assert_eq!(json["signer"]["issuer"], sigstore.oidc_issuer());
    assert_eq!(json["verifiedScts"], 1);
    assert_eq!(json["logEntries"][0]["inclusionPromise"], true);
    assert_eq!(json["logEntries"][0]["inclusionProof"], true);
    assert_eq!(
        json["verifiedTimes"][0]["source"]["type"],
        "transparencyLog"
    );
    // A wrong artifact or identity fails.
    assert!(verifier(&sigstore)
        .verify(&bundle, Artifact::Bytes(b"other"), &policy(&sigstore))
        .is_err());
    let other = Policy::identity(sigstore_x509_policy::Identity::new(
        "mallory@example.com",
        sigstore.oidc_issuer(),
    ));
    assert!(matches!(
        verifier(&sigstore).verify(&bundle, Artifact::Bytes(ARTIFACT), &other),
        Err(Error::Policy(_))
    ));
}

#[test]
fn later_entries_verify_against_the_grown_tree() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let verifier = verifier(&sigstore);
    for i in 0..9 {
        let bundle = v1_message_bundle(&sigstore, at(10 + i), Tampering::none());
        verifier
            .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&sigstore))
            .unwrap();
        let bundle = v2_message_bundle(&sigstore, at(10 + i), Tampering::none());
        verifier
            .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&sigstore))
            .unwrap();
    }
    // Re-fetched entries carry proofs against the current (bigger) tree.
    let entry = sigstore
        .rekor_v1_entry(sigstore_testkit::REKOR_V1_SHARD_OFFSET + 2)
        .unwrap();
    assert_eq!(entry.inclusion_proof.as_ref().unwrap().tree_size, 9);
    assert_eq!(entry.inclusion_proof.as_ref().unwrap().log_index, 2);
}

#[test]
fn rekor_v1_dsse_verifies() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let s = keyless(&sigstore, at(10), Tampering::none());
    let envelope = signed_envelope(&s.key);
    let entry = sigstore
        .rekor_v1_add_dsse(&envelope, LogVerifier::Certificate(&s.leaf), at(20))
        .unwrap();
    assert_eq!(
        (entry.kind.as_str(), entry.kind_version.as_str()),
        ("dsse", "0.0.1")
    );
    let bundle = bundle(s.leaf, entry, vec![], BundleContent::DsseEnvelope(envelope));
    let result = verifier(&sigstore)
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&sigstore))
        .unwrap();
    assert_eq!(
        result.statement.unwrap().predicate_type,
        "https://slsa.dev/provenance/v1"
    );
}

#[test]
fn rekor_v2_message_signature_with_timestamp_verifies() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let bundle = v2_message_bundle(&sigstore, at(10), Tampering::none());
    let entry = &bundle.verification_material.tlog_entries[0];
    assert_eq!(entry.integrated_time, 0);
    assert!(entry.inclusion_promise.is_none());
    let result = verifier(&sigstore)
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&sigstore))
        .unwrap();
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["verifiedTimes"][0]["source"]["type"], "rfc3161");
    assert_eq!(json["verifiedTimes"].as_array().unwrap().len(), 1);
    assert_eq!(json["logEntries"][0]["version"], "0.0.2");

    // Without the timestamp there is no verified time.
    let mut no_ts = bundle.clone();
    no_ts.verification_material.rfc3161_timestamps.clear();
    assert!(matches!(
        verifier(&sigstore).verify(&no_ts, Artifact::Bytes(ARTIFACT), &policy(&sigstore)),
        Err(Error::NotEnoughVerifiedTimes { found: 0, .. })
    ));
}

#[test]
fn rekor_v2_dsse_verifies() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let s = keyless(&sigstore, at(10), Tampering::none());
    let envelope = signed_envelope(&s.key);
    let sig = envelope.signatures[0].sig.clone();
    let entry = sigstore
        .rekor_v2_add_hashedrekord(
            LogVerifier::Certificate(&s.leaf),
            &sig,
            &HashAlgorithm::Sha256.digest(&envelope.pae()),
        )
        .unwrap();
    let tsr = sigstore.timestamp(&sig, at(15)).unwrap();
    let bundle = bundle(
        s.leaf,
        entry,
        vec![tsr],
        BundleContent::DsseEnvelope(envelope),
    );
    verifier(&sigstore)
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&sigstore))
        .unwrap();
}

#[test]
fn github_claims_become_extensions() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let claims = json!({
        "sub": "repo:org/repo:ref:refs/heads/main",
        "job_workflow_ref": "org/repo/.github/workflows/release.yml@refs/heads/main",
        "job_workflow_sha": "abc123",
        "repository": "org/repo",
        "repository_id": "42",
        "repository_owner": "org",
        "repository_owner_id": 7,
        "workflow_ref": "org/repo/.github/workflows/release.yml@refs/heads/main",
        "workflow_sha": "abc123",
        "workflow": "Release",
        "event_name": "push",
        "sha": "abc123",
        "ref": "refs/heads/main",
        "run_id": "1000",
        "run_attempt": "1",
        "runner_environment": "github-hosted",
        "repository_visibility": "public"
    });
    let token = sigstore.mint_token(claims.as_object().unwrap(), at(10));
    let key = SigningKey::generate().unwrap();
    let cert = sigstore
        .issue_certificate_for_token(&token, key.public_key().spki_der(), at(10))
        .unwrap();
    let signature = key.sign(ARTIFACT);
    let entry = sigstore
        .rekor_v1_add_hashedrekord(
            LogVerifier::Certificate(&cert.leaf),
            &signature,
            &HashAlgorithm::Sha256.digest(ARTIFACT),
            at(20),
        )
        .unwrap();
    let bundle = bundle(cert.leaf, entry, vec![], message(&signature));
    let identity = "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main";
    let policy = Policy::identity(sigstore_x509_policy::AllOf::new(vec![
        Box::new(sigstore_x509_policy::Identity::new(
            identity,
            sigstore.oidc_issuer(),
        )),
        Box::new(sigstore_x509_policy::SourceRepositoryURI::new(
            "https://github.com/org/repo",
        )),
        Box::new(sigstore_x509_policy::RunInvocationURI::new(
            "https://github.com/org/repo/actions/runs/1000/attempts/1",
        )),
        Box::new(sigstore_x509_policy::GitHubWorkflowTrigger::new("push")),
        Box::new(sigstore_x509_policy::SourceRepositoryOwnerIdentifier::new(
            "7",
        )),
    ]));
    let result = verifier(&sigstore)
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy)
        .unwrap();
    let json: Value = serde_json::to_value(&result).unwrap();
    assert_eq!(json["signer"]["identity"], identity);
}

#[test]
fn another_instance_is_not_trusted() {
    let first = VirtualSigstore::new(t0()).unwrap();
    let second = VirtualSigstore::new(t0()).unwrap();
    let v1 = v1_message_bundle(&second, at(10), Tampering::none());
    let v2 = v2_message_bundle(&second, at(10), Tampering::none());
    for bundle in [v1, v2] {
        let err = verifier(&first)
            .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy(&first))
            .unwrap_err();
        // The first check that sees foreign material: timestamp or log.
        assert!(
            matches!(err, Error::UnknownLog { .. } | Error::Timestamp { .. }),
            "{err}"
        );
    }
}

fn expect_rejected(bundle: &Bundle, sigstore: &VirtualSigstore, what: &str) -> Error {
    let err = verifier(sigstore)
        .verify(bundle, Artifact::Bytes(ARTIFACT), &policy(sigstore))
        .unwrap_err();
    println!("{what}: rejected: {err}");
    err
}

#[test]
fn each_tampering_is_rejected() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let err = expect_rejected(
        &v1_message_bundle(&sigstore, at(10), Tampering::unknown_sct_log()),
        &sigstore,
        "unknown SCT log",
    );
    assert!(
        matches!(err, Error::Sct(_) | Error::NotEnoughScts { .. }),
        "{err}"
    );
    let err = expect_rejected(
        &v2_message_bundle(&sigstore, at(10), Tampering::untrusted_ca()),
        &sigstore,
        "untrusted CA",
    );
    assert!(matches!(err, Error::Chain { .. }), "{err}");
    for (name, tampering) in [
        ("bad inclusion proof", Tampering::bad_inclusion_proof()),
        ("wrong checkpoint key", Tampering::wrong_checkpoint_key()),
    ] {
        let err = expect_rejected(
            &v1_message_bundle(&sigstore, at(10), tampering),
            &sigstore,
            name,
        );
        assert!(
            matches!(err, Error::LogEntry { .. } | Error::LogEntryInvalid { .. }),
            "{err}"
        );
        let err = expect_rejected(
            &v2_message_bundle(&sigstore, at(10), tampering),
            &sigstore,
            name,
        );
        assert!(
            matches!(err, Error::LogEntry { .. } | Error::LogEntryInvalid { .. }),
            "{err}"
        );
    }
    let err = expect_rejected(
        &v2_message_bundle(&sigstore, at(10), Tampering::timestamp_outside_validity()),
        &sigstore,
        "timestamp outside TSA validity",
    );
    // The token is skipped (never counted), so no verified time is left.
    assert!(
        matches!(err, Error::TimestampsSkipped { found: 0, .. }),
        "{err}"
    );
}

#[test]
fn times_outside_the_certificate_are_rejected() {
    // A log entry integrated after the 10-minute certificate expired.
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let s = keyless(&sigstore, at(10), Tampering::none());
    let signature = s.key.sign(ARTIFACT);
    let entry = sigstore
        .rekor_v1_add_hashedrekord(
            LogVerifier::Certificate(&s.leaf),
            &signature,
            &HashAlgorithm::Sha256.digest(ARTIFACT),
            at(10 + 601),
        )
        .unwrap();
    let bundle = bundle(s.leaf, entry, vec![], message(&signature));
    let err = expect_rejected(&bundle, &sigstore, "entry after certificate expiry");
    assert!(matches!(err, Error::Chain { .. }), "{err}");
}

#[test]
fn services_refuse_bad_input() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let s = keyless(&sigstore, at(10), Tampering::none());
    let digest = HashAlgorithm::Sha256.digest(ARTIFACT);
    // A signature over something else is not logged.
    let wrong = s.key.sign(b"not the artifact");
    assert!(sigstore
        .rekor_v1_add_hashedrekord(LogVerifier::Certificate(&s.leaf), &wrong, &digest, at(20))
        .is_err());
    assert!(sigstore
        .rekor_v2_add_hashedrekord(LogVerifier::Certificate(&s.leaf), &wrong, &digest)
        .is_err());
    // Garbage keys, certificates and timestamp requests.
    assert!(sigstore
        .issue_certificate(
            &Identity::email(EMAIL, "x"),
            b"\x30\x03\x02\x01\x00",
            at(10)
        )
        .is_err());
    assert!(sigstore
        .rekor_v1_add_hashedrekord(LogVerifier::Certificate(b"junk"), &wrong, &digest, at(20))
        .is_err());
    for request in [
        &b""[..],
        b"\x30",
        b"\x30\x00",
        b"\x30\x03\x02\x01\x02",
        b"\x30\x85\xff\xff\xff\xff\xff",
    ] {
        assert!(sigstore.timestamp_request(request, at(20)).is_err());
    }
    // Tokens: expired, wrong audience, foreign issuer, tampered.
    let token = sigstore.mint_email_token(EMAIL, at(0));
    assert!(sigstore.verify_token(&token, at(700)).is_err());
    let aud = sigstore.mint_token(
        json!({"sub": "x", "aud": "other"}).as_object().unwrap(),
        at(0),
    );
    assert!(sigstore.verify_token(&aud, at(1)).is_err());
    let other = VirtualSigstore::new(t0()).unwrap();
    assert!(sigstore
        .verify_token(&other.mint_email_token(EMAIL, at(0)), at(1))
        .is_err());
    let mut tampered = token.clone();
    tampered.insert(tampered.len() / 2, 'A');
    assert!(sigstore.verify_token(&tampered, at(1)).is_err());
    assert!(sigstore.verify_token("a.b", at(1)).is_err());
    let unverified = sigstore.mint_token(
        json!({"sub": "x", "email": EMAIL, "email_verified": false})
            .as_object()
            .unwrap(),
        at(0),
    );
    let claims = sigstore.verify_token(&unverified, at(1)).unwrap();
    assert!(Identity::from_claims(&claims).is_err());
}

#[test]
fn trust_documents_round_trip() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let config = sigstore.client_trust_config(true).unwrap();
    let parsed = sigstore_types::ClientTrustConfig::from_json(config.to_json().as_bytes()).unwrap();
    assert_eq!(
        parsed.signing_config.rekor_tlog_urls[0].major_api_version,
        2
    );
    assert_eq!(parsed.trusted_root.tlogs.len(), 2);
    let v1 = sigstore_types::SigningConfig::from_json(
        sigstore.signing_config(false).to_json().as_bytes(),
    )
    .unwrap();
    assert_eq!(v1.rekor_tlog_urls[0].major_api_version, 1);
    assert_eq!(v1.rekor_tlog_urls[0].url, sigstore.urls().rekor_v1);
}

/// A keyless Rekor v1 DSSE bundle over `statement`.
fn dsse_bundle_for(sigstore: &VirtualSigstore, statement: Value) -> Bundle {
    let s = keyless(sigstore, at(10), Tampering::none());
    let mut envelope = Envelope {
        payload: statement.to_string().into_bytes(),
        payload_type: "application/vnd.in-toto+json".into(),
        signatures: vec![],
    };
    let sig = s.key.sign(&envelope.pae());
    envelope.signatures.push(DsseSignature {
        sig,
        keyid: String::new(),
    });
    let entry = sigstore
        .rekor_v1_add_dsse(&envelope, LogVerifier::Certificate(&s.leaf), at(20))
        .unwrap();
    bundle(s.leaf, entry, vec![], BundleContent::DsseEnvelope(envelope))
}

#[test]
fn subjects_match_on_the_strongest_common_digest() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let hex = |alg: HashAlgorithm| alg.digest(ARTIFACT).to_hex();
    let wrong = |alg: HashAlgorithm| alg.digest(b"something else").to_hex();
    let statement = |digest: Value, type_: &str| {
        json!({
            "_type": type_,
            "subject": [
                {"name": "other", "digest": {"sha256": wrong(HashAlgorithm::Sha256)}},
                {"name": "artifact", "digest": digest},
            ],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {}
        })
    };
    let v = verifier(&sigstore);
    let p = policy(&sigstore);
    let (mut passed, mut failed) = (0, 0);
    let mut check = |what: &str, ok: bool| {
        if ok {
            passed += 1;
        } else {
            failed += 1;
            println!("UNEXPECTED {what}");
        }
    };

    // npm provenance: sha512 only (in-toto Statement v0.1 and v1).
    for type_ in [
        "https://in-toto.io/Statement/v0.1",
        "https://in-toto.io/Statement/v1",
    ] {
        let b = dsse_bundle_for(
            &sigstore,
            statement(json!({"sha512": hex(HashAlgorithm::Sha512)}), type_),
        );
        let r = v.verify(&b, Artifact::Bytes(ARTIFACT), &p);
        check(
            "sha512 subject, bytes",
            r.as_ref()
                .is_ok_and(|r| r.artifact_digest.starts_with("sha512:")),
        );
        check(
            "sha512 subject, sha512 digest",
            v.verify(
                &b,
                Artifact::Digest(HashAlgorithm::Sha512.digest(ARTIFACT)),
                &p,
            )
            .is_ok(),
        );
        check(
            "sha512 subject, sha256 digest only",
            v.verify(
                &b,
                Artifact::Digest(HashAlgorithm::Sha256.digest(ARTIFACT)),
                &p,
            )
            .is_err(),
        );
        check(
            "sha512 subject, other bytes",
            v.verify(&b, Artifact::Bytes(b"other bytes"), &p).is_err(),
        );
        // Streaming hashes the file with sha512, the algorithm the subjects name.
        check(
            "sha512 subject, reader",
            v.verify_reader(&b, &mut &ARTIFACT[..], &p).is_ok(),
        );
        check(
            "sha512 subject, other reader",
            v.verify_reader(&b, &mut &b"other"[..], &p).is_err(),
        );
    }
    // sha384 alone.
    let b = dsse_bundle_for(
        &sigstore,
        statement(
            json!({"sha384": hex(HashAlgorithm::Sha384)}),
            "https://in-toto.io/Statement/v1",
        ),
    );
    check(
        "sha384 subject, bytes",
        v.verify(&b, Artifact::Bytes(ARTIFACT), &p).is_ok(),
    );
    check(
        "sha384 subject, sha384 digest",
        v.verify(
            &b,
            Artifact::Digest(HashAlgorithm::Sha384.digest(ARTIFACT)),
            &p,
        )
        .is_ok(),
    );
    // Both algorithms, the strongest right: matches.
    let b = dsse_bundle_for(
        &sigstore,
        statement(
            json!({"sha256": hex(HashAlgorithm::Sha256), "sha512": hex(HashAlgorithm::Sha512)}),
            "https://in-toto.io/Statement/v1",
        ),
    );
    check(
        "both right, bytes",
        v.verify(&b, Artifact::Bytes(ARTIFACT), &p)
            .is_ok_and(|r| r.artifact_digest.starts_with("sha512:")),
    );
    check(
        "both right, reader (one pass, two hashes)",
        v.verify_reader(&b, &mut &ARTIFACT[..], &p).is_ok(),
    );
    // The strongest wrong: the artifact's bytes do not match, whatever sha256 says.
    let b = dsse_bundle_for(
        &sigstore,
        statement(
            json!({"sha256": hex(HashAlgorithm::Sha256), "sha512": wrong(HashAlgorithm::Sha512)}),
            "https://in-toto.io/Statement/v1",
        ),
    );
    check(
        "sha512 wrong, bytes",
        v.verify(&b, Artifact::Bytes(ARTIFACT), &p).is_err(),
    );
    // Unknown algorithms alone never match.
    let b = dsse_bundle_for(
        &sigstore,
        statement(
            json!({"md5": "00", "gitCommit": "abc"}),
            "https://in-toto.io/Statement/v1",
        ),
    );
    check(
        "unknown algorithms",
        matches!(
            v.verify(&b, Artifact::Bytes(ARTIFACT), &p),
            Err(Error::Dsse(_))
        ),
    );
    println!("subject digests: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}

/// Review finding (issue 11): with two logs required, a Rekor v2 entry whose log key was
/// retired before the signing still counted when the only verified time came from the other
/// log's signed entry timestamp (only RFC 3161 times were checked against the key's validity).
/// Every log key must be valid at every verified time.
#[test]
fn a_retired_log_key_is_refused_at_every_verified_time() {
    let sigstore = VirtualSigstore::new(t0()).unwrap();
    let s = keyless(&sigstore, at(10), Tampering::none());
    let signature = s.key.sign(ARTIFACT);
    let digest = HashAlgorithm::Sha256.digest(ARTIFACT);
    let v1 = sigstore
        .rekor_v1_add_hashedrekord(
            LogVerifier::Certificate(&s.leaf),
            &signature,
            &digest,
            at(30),
        )
        .unwrap();
    let v2 = sigstore
        .rekor_v2_add_hashedrekord(LogVerifier::Certificate(&s.leaf), &signature, &digest)
        .unwrap();
    let mut both = bundle(s.leaf.clone(), v1, vec![], message(&signature));
    both.verification_material.tlog_entries.push(v2);
    let both = Bundle::from_json(both.to_json().as_bytes()).unwrap();
    let mut config = VerifierConfig::default();
    config.tlog_threshold = 2;
    let root_with = |retire_v2: bool| {
        let mut root = sigstore.trusted_root().unwrap();
        if retire_v2 {
            let v2_id = sigstore.rekor_v2_log_id();
            let log = root
                .tlogs
                .iter_mut()
                .find(|log| log.log_id == v2_id)
                .expect("the Rekor v2 log in the trusted root");
            let validity = log.public_key.valid_for.as_mut().unwrap();
            // Retired before the certificate was issued and the entries were made.
            validity.end = Some(at(5));
        }
        sigstore_types::TrustedRoot::from_json(root.to_json().as_bytes()).unwrap()
    };
    // Both logs' keys valid: two logs, one verified time (the v1 SET).
    let result = Verifier::new(&root_with(false), config)
        .unwrap()
        .verify(&both, Artifact::Bytes(ARTIFACT), &policy(&sigstore))
        .unwrap();
    assert_eq!(result.log_entries.len(), 2);
    assert_eq!(result.verified_times.len(), 1);
    // The Rekor v2 key retired before that time: refused.
    let err = Verifier::new(&root_with(true), config)
        .unwrap()
        .verify(&both, Artifact::Bytes(ARTIFACT), &policy(&sigstore))
        .unwrap_err();
    assert!(
        matches!(err, Error::LogKeyNotValidAt { index: 1, time } if time == at(30)),
        "{err}"
    );
}
