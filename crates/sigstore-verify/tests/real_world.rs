//! Every case of `testdata/real-world/` (genuine bundles that other Sigstore clients publish
//! or test with, each with a `case.json` saying what to verify and what must happen) through
//! the library: with the artifact's bytes and streamed through `verify_reader` when the case
//! has a file, else with its digest. Prints `real-world: N passed, N failed`; fails on any
//! wrong outcome, and when the folder holds no case.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use sigstore_crypto::{Digest, HashAlgorithm, PublicKey};
use sigstore_types::{Bundle, TrustedRoot};
use sigstore_verify::{Artifact, Policy, Verifier, VerifierConfig};
use sigstore_x509_policy::{
    AllOf, GitHubWorkflowRepository, GitHubWorkflowSHA, GitHubWorkflowTrigger, Identity, Matcher,
    OIDCIssuer, VerificationPolicy,
};

const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn corpus_dir() -> PathBuf {
    sigstore_test_support::testdata().join("real-world")
}

fn case_dirs() -> Vec<PathBuf> {
    sigstore_test_support::real_world_cases()
}

fn trusted_root(dir: &Path, spec: &Value) -> Result<TrustedRoot, String> {
    match spec.as_str() {
        Some("production") => sigstore_trust::PRODUCTION
            .trusted_root()
            .map_err(|e| e.to_string()),
        Some("staging") => sigstore_trust::STAGING
            .trusted_root()
            .map_err(|e| e.to_string()),
        Some(file) => {
            let bytes = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
            TrustedRoot::from_json(&bytes).map_err(|e| format!("{file}: {e}"))
        }
        None => Err("case.json: trusted_root missing".into()),
    }
}

fn policy(dir: &Path, spec: &Value) -> Result<Policy, String> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    if let Some(key) = spec.get("key").and_then(Value::as_str) {
        let pem = std::fs::read(dir.join(key)).map_err(|e| format!("{key}: {e}"))?;
        return PublicKey::from_pem(&pem)
            .map(Policy::key)
            .map_err(|e| format!("{key}: {e}"));
    }
    if let Some(github) = spec.get("github") {
        let mut policies: Vec<Box<dyn VerificationPolicy>> =
            vec![Box::new(OIDCIssuer::new(GITHUB_ISSUER))];
        if let Some(repository) = text(&github["repository"]) {
            policies.push(Box::new(GitHubWorkflowRepository::new(&repository)));
        }
        if let Some(sha) = text(&github["sha"]) {
            policies.push(Box::new(GitHubWorkflowSHA::new(&sha)));
        }
        if let Some(trigger) = text(&github["trigger"]) {
            policies.push(Box::new(GitHubWorkflowTrigger::new(&trigger)));
        }
        return Ok(Policy::identity(AllOf::new(policies)));
    }
    let issuer = text(&spec["issuer"]).ok_or("case.json: policy has no issuer")?;
    let identity = match (text(&spec["identity"]), text(&spec["identity_regexp"])) {
        (Some(exact), None) => Matcher::exact(&exact),
        (None, Some(pattern)) => Matcher::regex(&pattern).map_err(|e| e.to_string())?,
        _ => return Err("case.json: give identity or identity_regexp".into()),
    };
    Ok(Policy::identity(Identity::from_matchers(
        identity,
        Matcher::exact(&issuer),
    )))
}

fn digest(spec: &str) -> Result<Digest, String> {
    let (name, hex) = spec.split_once(':').ok_or("digest: no algorithm")?;
    let algorithm = HashAlgorithm::from_name(name).ok_or("digest: unknown algorithm")?;
    let bytes = hex::decode(hex).map_err(|_| "digest: not hex")?;
    Digest::new(algorithm, &bytes).ok_or_else(|| "digest: wrong length".to_owned())
}

/// Every way the case is verified, each with its outcome (`Err` holds why it failed).
/// How a case was verified, and the outcome (`Err` holds why it failed).
type Outcome = (&'static str, Result<(), String>);

fn outcomes(dir: &Path, case: &Value) -> Result<Vec<Outcome>, String> {
    let root = trusted_root(dir, &case["trusted_root"])?;
    let verifier = Verifier::new(&root, VerifierConfig::default()).map_err(|e| e.to_string());
    let policy = policy(dir, &case["policy"])?;
    let bundle_name = case["bundle"].as_str().unwrap_or("bundle.json");
    let bundle_bytes =
        std::fs::read(dir.join(bundle_name)).map_err(|e| format!("{bundle_name}: {e}"))?;
    let mut out = Vec::new();
    let bundle = match (Bundle::from_json(&bundle_bytes), verifier) {
        (Ok(bundle), Ok(verifier)) => (bundle, verifier),
        (Err(e), _) => return Ok(vec![("parse", Err(format!("bundle: {e}")))]),
        (_, Err(e)) => return Ok(vec![("trusted root", Err(e))]),
    };
    let (bundle, verifier) = bundle;
    match (case["artifact"].as_str(), case["digest"].as_str()) {
        (Some(file), _) => {
            let bytes = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
            out.push((
                "bytes",
                verifier
                    .verify(&bundle, Artifact::Bytes(&bytes), &policy)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            ));
            out.push((
                "reader",
                verifier
                    .verify_reader(&bundle, &mut bytes.as_slice(), &policy)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            ));
        }
        (None, Some(spec)) => out.push((
            "digest",
            verifier
                .verify(&bundle, Artifact::Digest(digest(spec)?), &policy)
                .map(|_| ())
                .map_err(|e| e.to_string()),
        )),
        (None, None) => {
            // No artifact: verify the bundle itself. A DSSE envelope's payload stands in (for
            // a payload that is not an in-toto statement, the payload is what was signed);
            // for a message signature, nothing can stand in and the case must fail anyway.
            let stand_in = match &bundle.content {
                sigstore_types::bundle::BundleContent::DsseEnvelope(envelope) => {
                    envelope.payload.clone()
                }
                sigstore_types::bundle::BundleContent::MessageSignature(_) => Vec::new(),
            };
            out.push((
                "envelope",
                verifier
                    .verify(&bundle, Artifact::Bytes(&stand_in), &policy)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            ));
        }
    }
    Ok(out)
}

#[test]
fn real_world_cases() {
    let dirs = case_dirs();
    assert!(
        !dirs.is_empty(),
        "no case in {} (each case is a folder with case.json)",
        corpus_dir().display()
    );
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut report = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case: Value = match std::fs::read(dir.join("case.json"))
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(case) => case,
            Err(e) => {
                failed += 1;
                report.push(format!("{name}: case.json: {e}"));
                continue;
            }
        };
        let expect_ok = match case["expect"].as_str() {
            Some("ok") => true,
            Some("fail") => false,
            _ => {
                failed += 1;
                report.push(format!("{name}: case.json: expect must be ok or fail"));
                continue;
            }
        };
        let results = match outcomes(dir, &case) {
            Ok(results) => results,
            Err(e) => {
                failed += 1;
                report.push(format!("{name}: cannot run the case: {e}"));
                continue;
            }
        };
        for (how, result) in results {
            match (&result, expect_ok) {
                (Ok(()), true) => passed += 1,
                (Err(e), false) => {
                    passed += 1;
                    println!("rejected {name} ({how}): {e}");
                }
                (Ok(()), false) => {
                    failed += 1;
                    report.push(format!("{name} ({how}): verified but must fail"));
                }
                (Err(e), true) => {
                    failed += 1;
                    report.push(format!("{name} ({how}): {e}"));
                }
            }
        }
    }
    for line in &report {
        println!("UNEXPECTED {line}");
    }
    println!("real-world cases (library): {}", dirs.len());
    println!("real-world: {passed} passed, {failed} failed");
    assert_eq!(failed, 0, "unexpected results:\n{}", report.join("\n"));
}

#[test]
fn a_non_attestation_envelope_binds_its_payload_as_the_artifact() {
    // sigstore-js's production Rekor v2 DSSE bundle signs the text "hello, world!" as a
    // text/plain payload: the artifact must be exactly that payload.
    let dir = corpus_dir().join("js-rekor-v2-production-dsse-0.0.2");
    let case: Value =
        serde_json::from_slice(&std::fs::read(dir.join("case.json")).unwrap()).unwrap();
    let root = trusted_root(&dir, &case["trusted_root"]).unwrap();
    let verifier = Verifier::new(&root, VerifierConfig::default()).unwrap();
    let policy = policy(&dir, &case["policy"]).unwrap();
    let bundle = Bundle::from_json(&std::fs::read(dir.join("bundle.json")).unwrap()).unwrap();
    let payload = match &bundle.content {
        sigstore_types::bundle::BundleContent::DsseEnvelope(e) => e.payload.clone(),
        _ => panic!("not a DSSE bundle"),
    };
    assert_eq!(payload, b"hello, world!");
    let result = verifier
        .verify(&bundle, Artifact::Bytes(&payload), &policy)
        .unwrap();
    assert!(result.statement.is_none());
    for alg in [HashAlgorithm::Sha256, HashAlgorithm::Sha512] {
        verifier
            .verify(&bundle, Artifact::Digest(alg.digest(&payload)), &policy)
            .unwrap();
        assert!(verifier
            .verify(
                &bundle,
                Artifact::Digest(alg.digest(b"hello, world?")),
                &policy
            )
            .is_err());
    }
    assert!(verifier
        .verify(&bundle, Artifact::Bytes(b"hello, world?"), &policy)
        .is_err());
    // No statement, so a predicate-type policy cannot hold.
    let slsa = crate::policy(&dir, &case["policy"])
        .unwrap()
        .with_predicate_type("https://slsa.dev/provenance/v1");
    assert!(verifier
        .verify(&bundle, Artifact::Bytes(&payload), &slsa)
        .is_err());
}
