//! The `sigstore-conformance` adapter: exit 0 only for verified bundles, 1 for rejections and
//! signing failures, 2 for usage mistakes (refused by the argument parser); `--help` exits 0
//! and shows examples.

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
fn usage_mistakes_exit_2_and_signing_failures_exit_1() {
    let a = a_txt();
    let bundle = case_bundle("happy-path-v0.3");
    let usage: Vec<Vec<&str>> = vec![
        vec![],
        vec!["frobnicate"],
        vec!["sign-bundle"],
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
        // An option of the other subcommand.
        vec![
            "sign-bundle",
            "--key",
            "k.pem",
            "--bundle",
            "out.json",
            s(&a),
        ],
    ];
    let total = usage.len();
    for args in usage {
        let r = run(conformance(), &args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:#?}");
        // No command at all shows the usage (on stderr); every other mistake is an error.
        let usage = args.is_empty() && r.stderr.contains("Usage: sigstore-conformance <COMMAND>");
        assert!(r.stderr.starts_with("error: ") || usage, "{args:?}: {r:#?}");
        assert!(!r.stderr.contains("panicked"), "{args:?}: {r:#?}");
    }
    println!("usage mistakes: {total} passed, 0 failed");
    let r = run(conformance(), ["sign-bundle"]);
    assert!(r.stderr.contains("--bundle <FILE>"), "{r:#?}");

    // Well-formed, but the token is not a JWT: a signing failure.
    let dir = sigstore_test_support::TempDir::new("conformance-bin");
    let out = dir.join("out.json");
    let r = run(
        conformance(),
        [
            "sign-bundle",
            "--identity-token",
            "x",
            "--bundle",
            s(&out),
            s(&a),
        ],
    );
    r.expect_code(1);
    assert!(r.stderr.starts_with("error: "), "{r:#?}");
    assert!(!out.exists(), "nothing written on failure");
}

#[test]
fn help_exits_0_and_shows_examples() {
    for args in [
        &["--help"][..],
        &["help"],
        &["verify-bundle", "--help"],
        &["sign-bundle", "--help"],
        &["help", "verify-bundle"],
    ] {
        let r = run(conformance(), args);
        r.expect_code(0);
        assert!(r.stdout.contains("Examples:"), "{args:?}: {r:#?}");
        assert!(
            r.stdout
                .contains("sigstore-conformance verify-bundle --bundle")
                || r.stdout.contains("sigstore-conformance sign-bundle"),
            "{args:?}: {r:#?}"
        );
    }
    let r = run(conformance(), ["verify-bundle", "--help"]);
    for option in [
        "--bundle",
        "--certificate-identity",
        "--certificate-oidc-issuer",
        "--key",
        "--trusted-root",
        "--staging",
        "FILE_OR_DIGEST",
    ] {
        assert!(r.stdout.contains(option), "{option}: {r:#?}");
    }
    let r = run(conformance(), ["sign-bundle", "--help"]);
    for option in [
        "--identity-token",
        "--bundle",
        "--trusted-root",
        "--signing-config",
        "--in-toto",
        "--staging",
    ] {
        assert!(r.stdout.contains(option), "{option}: {r:#?}");
    }
}
