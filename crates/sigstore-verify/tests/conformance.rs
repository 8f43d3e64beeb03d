//! Every sigstore-conformance verification case through the library API, with the artifact's
//! bytes and with its digest. Cases ending in `_fail` must be rejected, all others verify.

mod common;

use common::Case;
use sigstore_verify::{Verifier, VerifierConfig};

fn outcome(case: &Case, by_digest: bool) -> Result<(), String> {
    let root = case
        .trusted_root()
        .map_err(|e| format!("trusted root: {e}"))?;
    let verifier = Verifier::new(&root, VerifierConfig::default()).map_err(|e| e.to_string())?;
    let bundle = case.bundle().map_err(|e| format!("bundle: {e}"))?;
    let artifact = if by_digest {
        case.artifact_digest()
    } else {
        case.artifact()
    };
    verifier
        .verify(
            &bundle,
            artifact,
            &case.policy().map_err(|e| format!("key: {e}"))?,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn conformance_cases() {
    let (mut passed, mut failed) = (0, 0);
    let mut report = Vec::new();
    for case in Case::all() {
        for by_digest in [false, true] {
            let result = outcome(&case, by_digest);
            let how = if by_digest { "digest" } else { "bytes" };
            match (&result, case.should_fail) {
                (Ok(()), false) => passed += 1,
                (Err(e), true) => {
                    passed += 1;
                    if !by_digest {
                        println!("rejected {}: {e}", case.name);
                    }
                }
                (Ok(()), true) => {
                    failed += 1;
                    report.push(format!("{} ({how}): verified but must fail", case.name));
                }
                (Err(e), false) => {
                    failed += 1;
                    report.push(format!("{} ({how}): {e}", case.name));
                }
            }
        }
    }
    for line in &report {
        println!("UNEXPECTED {line}");
    }
    println!(
        "conformance (library, {}): {passed} passed, {failed} failed",
        sigstore_crypto::BACKEND
    );
    assert_eq!(failed, 0, "unexpected results:\n{}", report.join("\n"));
    assert_eq!(passed, 140, "expected 70 cases × 2 inputs");
}

#[test]
fn reader_input_matches_bytes() {
    for name in [
        "happy-path-v0.3",
        "rekor2-happy-path",
        "happy-path-intoto-in-dsse-v3",
    ] {
        let case = Case::named(name);
        let root = case.trusted_root().unwrap();
        let verifier = Verifier::new(&root, VerifierConfig::default()).unwrap();
        let bundle = case.bundle().unwrap();
        let policy = case.policy().unwrap();
        let mut reader = std::io::Cursor::new(case.artifact.clone());
        verifier
            .verify_reader(&bundle, &mut reader, &policy)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut wrong = std::io::Cursor::new(b"not the artifact".to_vec());
        assert!(verifier
            .verify_reader(&bundle, &mut wrong, &policy)
            .is_err());
    }
}
