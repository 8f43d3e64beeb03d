//! End to end against the local testkit services on 127.0.0.1: Rekor v1 and v2, message
//! signatures and DSSE, each bundle verified again here from its JSON.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use sigstore_sign::{ArtifactInput, HttpConfig, SignInput, SigningContext};
use sigstore_testkit::Testkit;
use sigstore_types::{Bundle, Statement, Subject};
use sigstore_verify::{Artifact, Policy, Verifier, VerifierConfig};
use sigstore_x509_policy::Identity;

async fn run(rekor_v2: bool) {
    let kit = Testkit::start().await.unwrap();
    let root = kit.sigstore().trusted_root().unwrap();
    let config = kit.sigstore().signing_config(rekor_v2);
    let context = SigningContext::new(config, root.clone(), HttpConfig::default()).unwrap();
    let token = kit.mint_email_token("alice@example.com");
    let signer = context.signer(&token).await.unwrap();
    assert_eq!(signer.identity(), Some("alice@example.com"));
    assert_eq!(signer.key_hint(), None);

    let bundle = signer
        .sign_artifact(ArtifactInput::Bytes(b"hello world"))
        .await
        .unwrap();
    assert_eq!(
        bundle.media_type,
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let entry = &bundle.verification_material.tlog_entries[0];
    assert_eq!(entry.kind, "hashedrekord");
    assert_eq!(entry.kind_version, if rekor_v2 { "0.0.2" } else { "0.0.1" });
    assert!(!bundle.verification_material.rfc3161_timestamps.is_empty());

    // Verify again from the serialized form, as a stranger would.
    let parsed = Bundle::from_json(bundle.to_json().as_bytes()).unwrap();
    let verifier = Verifier::new(&root, VerifierConfig::default()).unwrap();
    let issuer = signer.issuer().unwrap();
    let policy = Policy::identity(Identity::new("alice@example.com", issuer));
    verifier
        .verify(&parsed, Artifact::Bytes(b"hello world"), &policy)
        .unwrap();
    assert!(verifier
        .verify(&parsed, Artifact::Bytes(b"hello world!"), &policy)
        .is_err());

    // DSSE.
    let digest = sigstore_crypto::HashAlgorithm::Sha256.digest(b"artifact");
    let statement = Statement {
        type_: "https://in-toto.io/Statement/v1".to_owned(),
        subjects: vec![Subject {
            name: "artifact".to_owned(),
            digest: BTreeMap::from([("sha256".to_owned(), digest.to_hex())]),
        }],
        predicate_type: "https://slsa.dev/provenance/v1".to_owned(),
        predicate: Some(serde_json::json!({"k": "v"})),
    };
    let dsse = signer.sign_dsse(&statement).await.unwrap();
    let entry = &dsse.verification_material.tlog_entries[0];
    if rekor_v2 {
        assert_eq!(
            (entry.kind.as_str(), entry.kind_version.as_str()),
            ("hashedrekord", "0.0.2")
        );
    } else {
        assert_eq!(
            (entry.kind.as_str(), entry.kind_version.as_str()),
            ("dsse", "0.0.1")
        );
    }
    verifier
        .verify(
            &Bundle::from_json(dsse.to_json().as_bytes()).unwrap(),
            Artifact::Bytes(b"artifact"),
            &policy,
        )
        .unwrap();

    // Many artifacts with one certificate.
    let inputs: Vec<&[u8]> = vec![b"a", b"b", b"c"];
    let bundles = signer.sign_many(&inputs).await;
    for (input, bundle) in inputs.iter().zip(bundles) {
        let bundle = bundle.unwrap();
        assert_eq!(
            bundle.verification_material.leaf_certificate(),
            signer.certificate()
        );
        verifier
            .verify(&bundle, Artifact::Bytes(input), &policy)
            .unwrap();
    }

    // Statements and artifacts mixed, in input order.
    let mixed = [
        SignInput::from(&statement),
        SignInput::from(ArtifactInput::Bytes(b"artifact")),
    ];
    let bundles = signer.sign_many(&mixed).await;
    assert_eq!(bundles.len(), 2);
    let mut bundles = bundles.into_iter().map(Result::unwrap);
    let first = bundles.next().unwrap();
    assert!(matches!(
        first.content,
        sigstore_types::BundleContent::DsseEnvelope(_)
    ));
    verifier
        .verify(&first, Artifact::Bytes(b"artifact"), &policy)
        .unwrap();
    let second = bundles.next().unwrap();
    assert!(matches!(
        second.content,
        sigstore_types::BundleContent::MessageSignature(_)
    ));
    verifier
        .verify(&second, Artifact::Bytes(b"artifact"), &policy)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rekor_v1_message_and_dsse() {
    run(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rekor_v2_message_and_dsse() {
    run(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rekor_v2_without_a_tsa_is_refused_before_any_request() {
    let kit = Testkit::start().await.unwrap();
    let root = kit.sigstore().trusted_root().unwrap();
    let mut config = kit.sigstore().signing_config(true);
    config.tsa_urls.clear();
    let context = SigningContext::new(config, root, HttpConfig::default()).unwrap();
    let token = kit.mint_email_token("alice@example.com");
    let Err(err) = context.signer(&token).await else {
        panic!("a Rekor v2 config without a TSA was accepted");
    };
    assert!(err.to_string().contains("TSA"), "{err}");
    assert_eq!(
        kit.request_count(sigstore_testkit::Endpoint::FulcioSigningCert),
        0
    );
}

/// `complete_log_entry`: a Rekor v1 entry stripped of its checkpoint (as old clients wrote
/// it) is replaced by the log's complete entry, which verifies; an entry whose log the
/// trusted root does not list, or whose body the log does not hold at that index, is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completes_a_log_entry_without_checkpoint() {
    let kit = Testkit::start().await.unwrap();
    let root = kit.sigstore().trusted_root().unwrap();
    let config = kit.sigstore().signing_config(false);
    let context = SigningContext::new(config, root.clone(), HttpConfig::default()).unwrap();
    let token = kit.mint_email_token("alice@example.com");
    let signer = context.signer(&token).await.unwrap();
    let complete = signer
        .sign_artifact(ArtifactInput::Bytes(b"old client"))
        .await
        .unwrap();
    assert!(!sigstore_sign::needs_log_entry(&complete).unwrap());

    let mut stripped = complete.clone();
    stripped.verification_material.tlog_entries[0].inclusion_proof = None;
    assert!(sigstore_sign::needs_log_entry(&stripped).unwrap());
    let mut fixed = stripped.clone();
    sigstore_sign::complete_log_entry(&mut fixed, &root, HttpConfig::default())
        .await
        .unwrap();
    assert_eq!(
        fixed.verification_material.tlog_entries[0].log_index,
        complete.verification_material.tlog_entries[0].log_index
    );
    assert!(!sigstore_sign::needs_log_entry(&fixed).unwrap());
    let verifier = Verifier::new(&root, VerifierConfig::default()).unwrap();
    let policy = Policy::identity(Identity::new("alice@example.com", signer.issuer().unwrap()));
    let parsed = Bundle::from_json(fixed.to_json().as_bytes()).unwrap();
    verifier
        .verify(&parsed, Artifact::Bytes(b"old client"), &policy)
        .unwrap();

    // Another body at the same index is not this entry.
    let mut other = stripped.clone();
    other.verification_material.tlog_entries[0]
        .canonicalized_body
        .push(b' ');
    let error = sigstore_sign::complete_log_entry(&mut other, &root, HttpConfig::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, sigstore_sign::Error::Repair(_)),
        "{error:?}"
    );
    // A log the trusted root does not list.
    let mut unknown = stripped;
    unknown.verification_material.tlog_entries[0].log_id = vec![7; 32];
    let error = sigstore_sign::complete_log_entry(&mut unknown, &root, HttpConfig::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, sigstore_sign::Error::UnknownLog),
        "{error:?}"
    );
}
