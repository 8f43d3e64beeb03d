//! The `sigstore-conformance` adapter: exit 0 only for verified bundles, 1 for everything
//! else (rejections, usage mistakes, signing failures).

mod common;

use common::*;

fn verify_bundle(extra: &[&str]) -> Run {
    let mut args = vec!["verify-bundle"];
    args.extend_from_slice(extra);
    run(conformance(), args)
}

#[test]
fn verify_bundle_pass_case() {
    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.3"));
    let r = verify_bundle(&[
        "--bundle",
        s(&bundle),
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        s(&a),
    ]);
    r.expect_code(0);

    // Digest input and an explicit trusted root (the case's own).
    let case = case("managed-key-and-trusted-root");
    let digest = {
        let data = std::fs::read(&a).expect("a.txt");
        format!(
            "sha256:{}",
            sigstore_crypto::HashAlgorithm::Sha256
                .digest(&data)
                .to_hex()
        )
    };
    let r = verify_bundle(&[
        "--bundle",
        s(&case.join("bundle.sigstore.json")),
        "--key",
        s(&case.join("key.pub")),
        "--trusted-root",
        s(&case.join("trusted_root.json")),
        &digest,
    ]);
    r.expect_code(0);
}

#[test]
fn verify_bundle_fail_cases() {
    let a = a_txt();
    // A conformance `_fail` case.
    let r = verify_bundle(&[
        "--bundle",
        s(&case_bundle("signature-mismatch_fail")),
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        s(&a),
    ]);
    r.expect_code(1);
    assert!(r.stderr.starts_with("error: "), "{r:#?}");

    // A good bundle with the wrong identity.
    let r = verify_bundle(&[
        "--bundle",
        s(&case_bundle("happy-path-v0.3")),
        "--certificate-identity",
        "someone@example.com",
        "--certificate-oidc-issuer",
        ISSUER,
        s(&a),
    ]);
    r.expect_code(1);
    assert!(r.stderr.contains("identity"), "{r:#?}");

    // A malformed bundle from the corpus.
    let r = verify_bundle(&[
        "--bundle",
        s(&testdata().join("malformed/truncated.json")),
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        s(&a),
    ]);
    r.expect_code(1);
}

#[test]
fn usage_mistakes_and_signing_exit_1() {
    let a = a_txt();
    let bundle = case_bundle("happy-path-v0.3");
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["frobnicate"],
        vec!["sign-bundle"],
        vec![
            "sign-bundle",
            "--identity-token",
            "x",
            "--bundle",
            "out.json",
            s(&a),
        ],
        vec!["verify-bundle"],
        // No identity or key.
        vec!["verify-bundle", "--bundle", s(&bundle), s(&a)],
        // Issuer without identity; key with identity.
        vec![
            "verify-bundle",
            "--bundle",
            s(&bundle),
            "--certificate-oidc-issuer",
            ISSUER,
            s(&a),
        ],
        vec![
            "verify-bundle",
            "--bundle",
            s(&bundle),
            "--key",
            "k.pem",
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            ISSUER,
            s(&a),
        ],
        // Missing value, unknown option, two artifacts, no artifact.
        vec!["verify-bundle", "--bundle"],
        vec![
            "verify-bundle",
            "--bundle",
            s(&bundle),
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            ISSUER,
            "--nope",
            s(&a),
        ],
        vec![
            "verify-bundle",
            "--bundle",
            s(&bundle),
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            ISSUER,
            s(&a),
            s(&a),
        ],
        vec![
            "verify-bundle",
            "--bundle",
            s(&bundle),
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            ISSUER,
        ],
    ];
    for args in cases {
        let r = run(conformance(), &args);
        assert_eq!(r.code, Some(1), "{args:?}: {r:#?}");
        assert!(r.stderr.starts_with("error: "), "{args:?}: {r:#?}");
        assert!(!r.stderr.contains("panicked"), "{args:?}: {r:#?}");
    }
    let r = run(conformance(), ["sign-bundle"]);
    assert!(r.stderr.contains("--bundle is required"), "{r:#?}");
}
