//! Signing with a managed key against the local testkit (Rekor v1 and v2): ECDSA P-256,
//! ECDSA P-384 and Ed25519 keys, message signatures and DSSE, each bundle verified again from
//! its JSON with the public key, and refused with another key.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use sigstore_crypto::{HashAlgorithm, KeyType};
use sigstore_sign::{key_hint, ArtifactInput, Error, HttpConfig, PrivateKey, SigningContext};
use sigstore_testkit::Testkit;
use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{Bundle, BundleContent, Statement, Subject};
use sigstore_verify::{Artifact, Policy, Verifier, VerifierConfig};

/// OpenSSL-made test keys (see sigstore-crypto's `tests/keys/README.md`).
fn keys() -> Vec<(&'static str, PrivateKey)> {
    let pem = |bytes: &[u8]| PrivateKey::from_pem(bytes).unwrap();
    vec![
        (
            "p256",
            pem(include_bytes!(
                "../../sigstore-crypto/tests/keys/managed-p256.pem"
            )),
        ),
        (
            "p384",
            pem(include_bytes!(
                "../../sigstore-crypto/tests/keys/managed-p384.pem"
            )),
        ),
        (
            "ed25519",
            pem(include_bytes!(
                "../../sigstore-crypto/tests/keys/managed-ed25519.pem"
            )),
        ),
    ]
}

fn statement(artifact: &[u8]) -> Statement {
    Statement {
        type_: "https://in-toto.io/Statement/v1".to_owned(),
        subjects: vec![Subject {
            name: "artifact".to_owned(),
            digest: BTreeMap::from([(
                "sha256".to_owned(),
                HashAlgorithm::Sha256.digest(artifact).to_hex(),
            )]),
        }],
        predicate_type: "https://slsa.dev/provenance/v1".to_owned(),
        predicate: Some(serde_json::json!({"k": "v"})),
    }
}

async fn run(rekor_v2: bool) {
    let kit = Testkit::start().await.unwrap();
    let root = kit.sigstore().trusted_root().unwrap();
    let config = kit.sigstore().signing_config(rekor_v2);
    let context = SigningContext::new(config, root.clone(), HttpConfig::default()).unwrap();
    let verifier = Verifier::new(&root, VerifierConfig::default()).unwrap();
    let other = PrivateKey::from_pem(include_bytes!(
        "../../sigstore-crypto/tests/keys/managed-p256-sec1.pem"
    ))
    .unwrap();
    let wrong_key = Policy::key(other.public_key().clone());
    let (mut passed, mut refused) = (0, 0);
    for (name, key) in keys() {
        let public = key.public_key().clone();
        let key_type = key.key_type();
        let signer = context.signer_with_key(key).unwrap();
        assert_eq!(signer.certificate(), None);
        assert_eq!(signer.identity(), None);
        let hint = key_hint(&public);
        assert_eq!(signer.key_hint(), Some(hint.as_str()));
        // base64 of a SHA-256: 44 characters.
        assert_eq!(hint.len(), 44, "{name}");
        let policy = Policy::key(public.clone());

        let artifact = format!("artifact signed with {name}").into_bytes();
        let bundle = signer
            .sign_artifact(ArtifactInput::Bytes(&artifact))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let parsed = Bundle::from_json(bundle.to_json().as_bytes()).unwrap();
        assert_eq!(
            parsed.verification_material.content,
            VerificationMaterialContent::PublicKey { hint: hint.clone() },
            "{name}"
        );
        let entry = &parsed.verification_material.tlog_entries[0];
        assert_eq!(entry.kind, "hashedrekord", "{name}");
        assert_eq!(
            entry.kind_version,
            if rekor_v2 { "0.0.2" } else { "0.0.1" },
            "{name}"
        );
        assert!(!parsed.verification_material.rfc3161_timestamps.is_empty());
        let body = String::from_utf8(entry.canonicalized_body.clone()).unwrap();
        if rekor_v2 {
            let details = match key_type {
                KeyType::EcdsaP256 => "PKIX_ECDSA_P256_SHA_256",
                KeyType::EcdsaP384 => "PKIX_ECDSA_P384_SHA_384",
                _ => "PKIX_ED25519_PH",
            };
            assert!(body.contains(details), "{name}: {body}");
            assert!(body.contains("\"publicKey\""), "{name}: {body}");
        } else {
            let hash = match key_type {
                KeyType::EcdsaP256 => "sha256",
                KeyType::EcdsaP384 => "sha384",
                _ => "sha512",
            };
            assert!(
                body.contains(&format!("\"algorithm\":\"{hash}\"")),
                "{name}: {body}"
            );
        }
        verifier
            .verify(&parsed, Artifact::Bytes(&artifact), &policy)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // From the digest alone too (Ed25519ph checks from the SHA-512 digest).
        let digest = signer_digest(key_type, &artifact);
        verifier
            .verify(&parsed, Artifact::Digest(digest), &policy)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(verifier
            .verify(&parsed, Artifact::Bytes(b"another artifact"), &policy)
            .is_err());
        assert!(verifier
            .verify(&parsed, Artifact::Bytes(&artifact), &wrong_key)
            .is_err());
        passed += 1;

        // A digest of the wrong algorithm is refused before any request.
        let wrong = match key_type {
            KeyType::EcdsaP256 => HashAlgorithm::Sha384,
            _ => HashAlgorithm::Sha256,
        };
        let err = signer
            .sign_artifact(ArtifactInput::Digest(wrong.digest(&artifact)))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::UnsupportedInput(_)), "{name}: {err}");

        // DSSE: Ed25519 cannot be logged in Rekor v2.
        let result = signer.sign_dsse(&statement(&artifact)).await;
        if rekor_v2 && key_type == KeyType::Ed25519 {
            let err = result.unwrap_err();
            assert!(matches!(err, Error::UnsupportedKeyUse(_)), "{err}");
            assert!(err.to_string().contains("Rekor v1"), "{err}");
            refused += 1;
            continue;
        }
        let dsse = result.unwrap_or_else(|e| panic!("{name} DSSE: {e}"));
        assert!(matches!(dsse.content, BundleContent::DsseEnvelope(_)));
        let parsed = Bundle::from_json(dsse.to_json().as_bytes()).unwrap();
        verifier
            .verify(&parsed, Artifact::Bytes(&artifact), &policy)
            .unwrap_or_else(|e| panic!("{name} DSSE: {e}"));
        assert!(verifier
            .verify(&parsed, Artifact::Bytes(&artifact), &wrong_key)
            .is_err());
        passed += 1;
    }
    println!(
        "managed-key signing on Rekor v{}: {passed} passed, 0 failed ({refused} refused as designed)",
        if rekor_v2 { 2 } else { 1 }
    );
}

fn signer_digest(key_type: KeyType, artifact: &[u8]) -> sigstore_crypto::Digest {
    match key_type {
        KeyType::EcdsaP256 => HashAlgorithm::Sha256.digest(artifact),
        KeyType::EcdsaP384 => HashAlgorithm::Sha384.digest(artifact),
        _ => HashAlgorithm::Sha512.digest(artifact),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_keys_on_rekor_v1() {
    run(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_keys_on_rekor_v2() {
    run(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_key_on_rekor_v2_without_a_tsa_is_refused() {
    let kit = Testkit::start().await.unwrap();
    let root = kit.sigstore().trusted_root().unwrap();
    let mut config = kit.sigstore().signing_config(true);
    config.tsa_urls.clear();
    let context = SigningContext::new(config, root, HttpConfig::default()).unwrap();
    let (_, key) = keys().remove(0);
    let err = context.signer_with_key(key).unwrap_err();
    assert!(err.to_string().contains("TSA"), "{err}");
}
