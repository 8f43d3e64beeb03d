//! Data-driven tests over the conformance cases and the embedded trust material.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

mod common;

use sigstore_types::{
    Bundle, BundleContent, BundleVersion, Error, SigningConfig, TrustedRoot,
    VerificationMaterialContent,
};

/// Cases whose bundle must be rejected by the parser, with the expected error.
fn expected_structural_failure(name: &str) -> Option<fn(&Error) -> bool> {
    Some(match name {
        "bundle-malformed-json_fail" => |e| matches!(e, Error::Json { .. }),
        "bundle-unknown-version_fail" => |e| matches!(e, Error::UnsupportedBundleMediaType(_)),
        "bundle-negative-log-index_fail" => |e| {
            matches!(
                e,
                Error::NegativeLogIndex {
                    entry: 0,
                    value: -1
                }
            )
        },
        "bundle-invalid-base64-signature_fail" => |e| {
            matches!(
                e,
                Error::InvalidBase64 {
                    field: "messageSignature.signature"
                }
            )
        },
        "bundle-empty-certificate-chain_fail" => |e| matches!(e, Error::EmptyCertificateChain),
        "intoto-missing-inclusion-proof_fail" => {
            |e| matches!(e, Error::MissingInclusionProof { entry: 0 })
        }
        // v0.2 entry whose inclusion proof has no checkpoint: sigstore-python and
        // sigstore-go require one for v0.2+ (spec §1.4), so it fails before verification.
        "invalid-inclusion-proof_fail" => |e| matches!(e, Error::MissingCheckpoint { entry: 0 }),
        "rekor2-no-inclusion-proof_fail" => {
            |e| matches!(e, Error::MissingInclusionProof { entry: 0 })
        }
        _ => return None,
    })
}

#[test]
fn conformance_bundles_parse_or_fail_structurally() {
    let mut parsed = 0;
    let mut rejected = 0;
    let mut failures = Vec::new();
    for (name, dir) in common::conformance_cases() {
        let bytes = std::fs::read(dir.join("bundle.sigstore.json")).unwrap();
        let result = Bundle::from_json(&bytes);
        match (expected_structural_failure(&name), result) {
            (Some(check), Err(err)) => {
                if check(&err) {
                    rejected += 1;
                } else {
                    failures.push(format!("{name}: wrong error {err:?}"));
                }
            }
            (Some(_), Ok(_)) => failures.push(format!("{name}: parsed but must be rejected")),
            (None, Err(err)) => failures.push(format!("{name}: {err}")),
            (None, Ok(bundle)) => {
                let json = bundle.to_json();
                match Bundle::from_json(json.as_bytes()) {
                    Ok(again) if again == bundle => {
                        // Canonical output is a fixed point.
                        if again.to_json() != json {
                            failures.push(format!("{name}: to_json not stable"));
                        } else {
                            parsed += 1;
                        }
                    }
                    Ok(_) => failures.push(format!("{name}: round trip changed the bundle")),
                    Err(err) => failures.push(format!("{name}: re-parse failed: {err}")),
                }
            }
        }
    }
    println!(
        "conformance bundles: {parsed} parsed and round-tripped, {rejected} rejected as expected, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(rejected, 8);
    assert!(parsed >= 60, "only {parsed} bundles parsed");
}

#[test]
fn conformance_bundle_details() {
    let dir = sigstore_test_support::conformance_cases();
    let read = |name: &str| {
        Bundle::from_json(&std::fs::read(dir.join(name).join("bundle.sigstore.json")).unwrap())
            .unwrap()
    };

    let b = read("happy-path-v0.1");
    assert_eq!(b.version, BundleVersion::V0_1);
    let vm = &b.verification_material;
    assert!(
        matches!(&vm.content, VerificationMaterialContent::X509CertificateChain(c) if c.len() == 1)
    );
    let tle = &vm.tlog_entries[0];
    assert_eq!(tle.log_index, 27_246_492);
    assert_eq!(tle.integrated_time, 1_689_177_396);
    assert_eq!(tle.kind, "hashedrekord");
    assert_eq!(tle.kind_version, "0.0.1");
    assert_eq!(tle.log_id.len(), 32);
    let proof = tle.inclusion_proof.as_ref().unwrap();
    assert_eq!(proof.tree_size, 23_083_062);
    assert_eq!(proof.hashes.len(), 10);
    assert!(proof
        .checkpoint
        .as_ref()
        .unwrap()
        .starts_with("rekor.sigstore.dev - "));
    assert!(tle.inclusion_promise.is_some());
    assert!(tle
        .canonicalized_body
        .starts_with(b"{\"apiVersion\":\"0.0.1\""));
    match &b.content {
        BundleContent::MessageSignature(m) => {
            assert_eq!(m.message_digest.as_ref().unwrap().digest.len(), 32);
            assert_eq!(b.signature_bytes(), m.signature.as_slice());
        }
        BundleContent::DsseEnvelope(_) => panic!("expected message signature"),
    }

    let b = read("rekor2-happy-path");
    assert_eq!(b.version, BundleVersion::V0_3);
    let tle = &b.verification_material.tlog_entries[0];
    assert_eq!(tle.integrated_time, 0);
    assert_eq!(tle.inclusion_promise, None);
    assert_eq!(tle.kind_version, "0.0.2");
    assert_eq!(b.verification_material.rfc3161_timestamps.len(), 1);
    assert!(b.verification_material.leaf_certificate().is_some());

    let b = read("happy-path-intoto-in-dsse-v3");
    match &b.content {
        BundleContent::DsseEnvelope(e) => {
            assert_eq!(e.payload_type, sigstore_types::intoto::PAYLOAD_TYPE);
            assert_eq!(e.signatures.len(), 1);
            assert_eq!(b.signature_bytes(), e.signatures[0].sig.as_slice());
            let statement = sigstore_types::Statement::from_json(&e.payload).unwrap();
            assert!(!statement.subjects.is_empty());
        }
        BundleContent::MessageSignature(_) => panic!("expected DSSE"),
    }

    let b = read("managed-key-happy-path");
    assert!(matches!(
        b.verification_material.content,
        VerificationMaterialContent::PublicKey { .. }
    ));
}

#[test]
fn trusted_roots_and_signing_configs_parse() {
    let mut roots = Vec::new();
    for (_, dir) in common::conformance_cases() {
        let p = dir.join("trusted_root.json");
        if p.exists() {
            roots.push(p);
        }
    }
    for env in ["production", "staging"] {
        roots.push(sigstore_test_support::trust_file(env, "trusted_root.json"));
    }
    let mut ok = 0;
    let mut failures = Vec::new();
    for path in &roots {
        let bytes = std::fs::read(path).unwrap();
        match TrustedRoot::from_json(&bytes) {
            Ok(root) => {
                let again = TrustedRoot::from_json(root.to_json().as_bytes());
                if again.as_ref() != Ok(&root) {
                    failures.push(format!("{}: round trip {again:?}", path.display()));
                } else if root.tlogs.is_empty() {
                    failures.push(format!("{}: no tlogs", path.display()));
                } else {
                    ok += 1;
                }
            }
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    let mut configs = 0;
    for env in ["production", "staging"] {
        let path = sigstore_test_support::trust_file(env, "signing_config.v0.2.json");
        let cfg = SigningConfig::from_json(&std::fs::read(&path).unwrap()).unwrap();
        assert!(!cfg.ca_urls.is_empty() && !cfg.rekor_tlog_urls.is_empty());
        assert_eq!(
            SigningConfig::from_json(cfg.to_json().as_bytes()).unwrap(),
            cfg
        );
        configs += 1;
    }
    println!(
        "trusted roots: {ok} parsed and round-tripped, {} failed; signing configs: {configs} parsed",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(ok >= 3);

    // Production root facts.
    let prod = TrustedRoot::from_json(
        &std::fs::read(sigstore_test_support::trust_file(
            "production",
            "trusted_root.json",
        ))
        .unwrap(),
    )
    .unwrap();
    assert!(prod
        .tlogs
        .iter()
        .any(|t| t.base_url == "https://rekor.sigstore.dev"
            && t.public_key.key_details == sigstore_types::PublicKeyDetails::PkixEcdsaP256Sha256
            && t.log_id.len() == 32
            && t.public_key.valid_for.and_then(|v| v.start).is_some()));
    assert!(!prod.certificate_authorities.is_empty());
    assert!(prod
        .certificate_authorities
        .iter()
        .all(|ca| !ca.cert_chain.is_empty()));
    assert!(!prod.ctlogs.is_empty());

    // The missing-start trust root parses; the missing start is visible to the verifier.
    let missing_start = TrustedRoot::from_json(
        &std::fs::read(
            sigstore_test_support::conformance_cases()
                .join("trust-root-tlog-missing-validity-start_fail/trusted_root.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(missing_start
        .tlogs
        .iter()
        .any(|t| t.public_key.valid_for.is_some_and(|v| v.start.is_none())));
}
