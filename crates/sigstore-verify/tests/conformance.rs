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
