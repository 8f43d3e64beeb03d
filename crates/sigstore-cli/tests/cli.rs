//! End-to-end tests of the `sigstore` binary against real conformance bundles: exit codes and
//! output lines, bundle discovery, digest inputs, `verify github`/`key`, legacy detached
//! materials and `inspect`.

mod common;

use common::*;
use sigstore_crypto::HashAlgorithm;

const REPO: &str = "sigstore-conformance/extremely-dangerous-public-oidc-beacon";
const SHA: &str = "af785b6d3b0fa0c0aa1305faee7ce6036e8d90c4";

/// `verify identity` with the default identity and issuer.
fn identity_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["verify", "identity"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--cert-identity", IDENTITY, "--cert-oidc-issuer", ISSUER]);
    args
}

/// `sigstore ARGS...`, with `--offline` added to `verify` commands: these tests trust the
/// production trusted root embedded in the build, which `verify` uses only offline (the test
/// home has no TUF cache).
fn run_offline<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut args: Vec<std::ffi::OsString> =
        args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    if args.first().is_some_and(|a| a == "verify") {
        args.insert(args.len().min(2), "--offline".into());
    }
    sigstore_run(args)
}

fn a_txt_sha256() -> String {
    let data = std::fs::read(a_txt()).expect("read a.txt");
    HashAlgorithm::Sha256.digest(&data).to_hex()
}

// 1. Exit codes and output lines.

#[test]
fn ok_path_prints_ok_and_exits_0() {
    for case in ["happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3"] {
        let bundle = case_bundle(case);
        let a = a_txt();
        let r = run_offline(identity_args(&[s(&a), "--bundle", s(&bundle)]));
        r.expect_code(0);
        assert_eq!(
            r.lines(),
            vec![format!("OK: {}", a.display())],
            "{case}: {r:#?}"
        );
    }
}

#[test]
fn wrong_identity_fails_with_reason() {
    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.3"));
    let r = run_offline([
        "verify",
        "identity",
        s(&a),
        "--bundle",
        s(&bundle),
        "--cert-identity",
        "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
        "--cert-oidc-issuer",
        ISSUER,
    ]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1, "{r:#?}");
    assert!(
        lines[0].starts_with(&format!("FAIL: {}: ", a.display())),
        "{r:#?}"
    );
    assert!(lines[0].contains("identity"), "{r:#?}");

    // Wrong issuer, right identity.
    let r = run_offline([
        "verify",
        "identity",
        s(&a),
        "--bundle",
        s(&bundle),
        "--cert-identity",
        IDENTITY,
        "--cert-oidc-issuer",
        "https://accounts.google.com",
    ]);
    r.expect_code(1);
    assert!(r.lines()[0].starts_with("FAIL: "), "{r:#?}");
    assert!(r.stdout.to_lowercase().contains("issuer"), "{r:#?}");
}

#[test]
fn wrong_artifact_fails() {
    let dir = TempDir::new("wrong-artifact");
    let other = dir.write("other.txt", b"not the signed artifact\n");
    let bundle = case_bundle("happy-path-v0.3");
    let r = run_offline(identity_args(&[s(&other), "--bundle", s(&bundle)]));
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1, "{r:#?}");
    assert!(lines[0].starts_with(&format!("FAIL: {}: ", other.display())));
    assert!(lines[0].contains("digest"), "{r:#?}");

    // A missing artifact is an input failure, not a crash.
    let missing = dir.join("missing.txt");
    let r = run_offline(identity_args(&[s(&missing), "--bundle", s(&bundle)]));
    r.expect_code(1);
    assert!(r.lines()[0].starts_with(&format!("FAIL: {}: ", missing.display())));
}

#[test]
fn usage_errors_exit_2() {
    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.3"));
    let (a, bundle) = (s(&a), s(&bundle));
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["verify"],
        vec!["frobnicate"],
        // No identity / issuer.
        vec!["verify", "identity", a, "--bundle", bundle],
        vec!["verify", "identity", a, "--cert-identity", IDENTITY],
        // Both exact and regexp.
        vec![
            "verify",
            "identity",
            a,
            "--cert-identity",
            IDENTITY,
            "--cert-identity-regexp",
            ".*",
            "--cert-oidc-issuer",
            ISSUER,
        ],
        // No input.
        vec![
            "verify",
            "identity",
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
        // Unknown flag.
        vec![
            "verify",
            "identity",
            a,
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
            "--nope",
        ],
        // --bundle and --certificate together; --certificate without --signature.
        vec![
            "verify",
            "identity",
            a,
            "--bundle",
            bundle,
            "--certificate",
            "c",
            "--signature",
            "s",
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
        vec![
            "verify",
            "identity",
            a,
            "--certificate",
            "c",
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
        // --staging with --trusted-root.
        vec![
            "verify",
            "identity",
            a,
            "--staging",
            "--trusted-root",
            "t",
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
        // github without --cert-identity or --repository; key without --key.
        vec!["verify", "github", a, "--bundle", bundle],
        vec!["verify", "key", a, "--bundle", bundle],
        // Found after parsing: two inputs with --bundle, a bad digest, a bad regexp.
        vec![
            "verify",
            "identity",
            a,
            a,
            "--bundle",
            bundle,
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
        vec![
            "verify",
            "identity",
            "sha256:abcd",
            "--bundle",
            bundle,
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
        vec![
            "verify",
            "identity",
            "sha256:zz",
            "--bundle",
            bundle,
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
        vec![
            "verify",
            "identity",
            a,
            "--bundle",
            bundle,
            "--cert-identity-regexp",
            "(",
            "--cert-oidc-issuer",
            ISSUER,
        ],
        vec![
            "verify",
            "identity",
            a,
            "--bundle",
            bundle,
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer-regexp",
            "[z-a]",
        ],
    ];
    for args in cases {
        let r = run_offline(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:#?}");
        assert!(r.stdout.is_empty(), "{args:?}: {r:#?}");
        assert!(!r.stderr.is_empty(), "{args:?}: {r:#?}");
        assert!(!r.stderr.contains("panicked"), "{args:?}: {r:#?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        vec!["--help"],
        vec!["--version"],
        vec!["verify", "identity", "--help"],
    ] {
        let r = run_offline(&args);
        r.expect_code(0);
        assert!(!r.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn several_inputs_one_failing_keep_input_order() {
    let dir = TempDir::new("several");
    let bundle = case_bundle("happy-path-v0.3");
    // good.txt verifies (a.txt + its bundle); bad.txt has the same bundle but other content;
    // good2.txt verifies again. Order: bad first, so order is not "OKs first".
    let bad = dir.write("bad.txt", b"tampered\n");
    dir.copy(&bundle, "bad.txt.sigstore.json");
    let good = dir.copy(&a_txt(), "good.txt");
    dir.copy(&bundle, "good.txt.sigstore.json");
    let good2 = dir.copy(&a_txt(), "good2.txt");
    dir.copy(&case_bundle("happy-path-v0.1"), "good2.txt.sigstore.json");

    let r = run_offline(identity_args(&[s(&bad), s(&good), s(&good2)]));
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 3, "{r:#?}");
    assert!(
        lines[0].starts_with(&format!("FAIL: {}: ", bad.display())),
        "{r:#?}"
    );
    assert_eq!(lines[1], format!("OK: {}", good.display()));
    assert_eq!(lines[2], format!("OK: {}", good2.display()));

    let r = run_offline(identity_args(&[s(&good), s(&good2)]));
    r.expect_code(0);
    assert_eq!(r.lines().len(), 2);

    // Many inputs (more than the worker threads) still print in input order.
    let mut args: Vec<String> = Vec::new();
    let mut expected = Vec::new();
    for i in 0..40 {
        if i % 7 == 3 {
            args.push(s(&bad).to_owned());
            expected.push(false);
        } else {
            args.push(s(&good).to_owned());
            expected.push(true);
        }
    }
    let mut all: Vec<&str> = vec!["verify", "identity"];
    all.extend(args.iter().map(String::as_str));
    all.extend(["--cert-identity", IDENTITY, "--cert-oidc-issuer", ISSUER]);
    let r = run_offline(&all);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 40);
    for ((line, ok), input) in lines.iter().zip(&expected).zip(&args) {
        if *ok {
            assert_eq!(*line, format!("OK: {input}"));
        } else {
            assert!(line.starts_with(&format!("FAIL: {input}: ")), "{line}");
        }
    }
}

#[test]
fn json_lines_parse_with_verified_flag() {
    let dir = TempDir::new("json");
    let bundle = case_bundle("happy-path-v0.3");
    let good = dir.copy(&a_txt(), "good.txt");
    dir.copy(&bundle, "good.txt.sigstore.json");
    let bad = dir.write("bad.txt", b"x");
    dir.copy(&bundle, "bad.txt.sigstore.json");
    let none = dir.write("none.txt", b"no bundle for me");

    let r = run_offline(identity_args(&[s(&good), s(&bad), s(&none), "--json"]));
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 3, "{r:#?}");
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(parsed[0]["verified"], serde_json::Value::Bool(true));
    assert_eq!(parsed[0]["input"], s(&good));
    assert_eq!(parsed[0]["result"]["signer"]["identity"], IDENTITY);
    assert_eq!(parsed[0]["result"]["signer"]["issuer"], ISSUER);
    assert_eq!(
        parsed[0]["result"]["artifactDigest"],
        format!("sha256:{}", a_txt_sha256())
    );
    for (v, input) in parsed[1..].iter().zip([&bad, &none]) {
        assert_eq!(v["verified"], serde_json::Value::Bool(false), "{v}");
        assert_eq!(v["input"], s(input));
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
        assert!(v.get("result").is_none(), "{v}");
    }
    assert!(parsed[2]["error"]
        .as_str()
        .unwrap_or_default()
        .contains("no bundle found"));

    let r = run_offline(identity_args(&[s(&good), "--json"]));
    r.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(r.lines()[0]).expect("json");
    assert_eq!(v["verified"], serde_json::Value::Bool(true));
}

#[test]
fn file_names_cannot_forge_lines() {
    let dir = TempDir::new("names");
    let evil = dir.write("evil\nOK: forged.txt", b"not the artifact");
    dir.copy(
        &case_bundle("happy-path-v0.3"),
        "evil\nOK: forged.txt.sigstore.json",
    );
    let r = run_offline(identity_args(&[s(&evil)]));
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1, "{r:#?}");
    assert!(lines[0].starts_with("FAIL: "), "{r:#?}");
    assert!(lines[0].contains("evil\\nOK: forged.txt"), "{r:#?}");
}

// 2. Discovery order.

#[test]
fn discovers_sigstore_json_before_sigstore() {
    let dir = TempDir::new("discover");
    let file = dir.copy(&a_txt(), "artifact.txt");

    // No material at all.
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(1);
    assert!(r.lines()[0].contains("no bundle found"), "{r:#?}");
    assert!(r.lines()[0].contains("--bundle"), "{r:#?}");

    // FILE.sigstore alone is found.
    let plain = dir.copy(&case_bundle("happy-path-v0.2"), "artifact.txt.sigstore");
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {}", file.display())]);

    // A bad FILE.sigstore alone fails, naming it.
    std::fs::write(&plain, b"{ this is not a bundle").expect("write");
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(1);
    assert!(r.lines()[0].contains("artifact.txt.sigstore"), "{r:#?}");

    // Both names at once are ambiguous (as in sigstore-python): refused, naming both,
    // whatever they hold; --bundle chooses.
    let json = dir.copy(
        &case_bundle("happy-path-v0.3"),
        "artifact.txt.sigstore.json",
    );
    for plain_bundle in [None, Some("happy-path-v0.2")] {
        if let Some(case) = plain_bundle {
            dir.copy(&case_bundle(case), "artifact.txt.sigstore");
        }
        let r = run_offline(identity_args(&[s(&file)]));
        r.expect_code(2);
        assert!(r.stdout.is_empty(), "{r:#?}");
        assert!(r.stderr.contains("ambiguous"), "{r:#?}");
        assert!(r.stderr.contains(&json.display().to_string()), "{r:#?}");
        assert!(r.stderr.contains(&plain.display().to_string()), "{r:#?}");
    }
    let r = run_offline(identity_args(&[s(&file), "--bundle", s(&json)]));
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {}", file.display())]);

    // A bad FILE.sigstore.json alone fails, naming it.
    std::fs::remove_file(&plain).expect("remove");
    dir.write("artifact.txt.sigstore.json", b"[]");
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(1);
    assert!(
        r.lines()[0].contains("artifact.txt.sigstore.json"),
        "{r:#?}"
    );

    // Bundles beat legacy materials: a bogus .sig/.crt next to a good bundle is ignored.
    dir.copy(
        &case_bundle("happy-path-v0.3"),
        "artifact.txt.sigstore.json",
    );
    dir.write("artifact.txt.sig", b"bogus");
    dir.write("artifact.txt.crt", b"bogus");
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(0);
}

#[test]
fn discovery_of_long_lists_reports_in_input_order() {
    // Enough inputs that discovery runs on several threads: its warnings and its first
    // error still come in input order, and an error stops everything before verification.
    let dir = TempDir::new("discover-many");
    let bundle = case_bundle("happy-path-v0.3");
    let legacy = [7, 140, 141, 299];
    let mut inputs = Vec::new();
    for i in 0..300 {
        let name = format!("f{i:03}.txt");
        let input = dir.copy(&a_txt(), &name);
        let suffix = if legacy.contains(&i) {
            ".sigstore"
        } else {
            ".sigstore.json"
        };
        dir.copy(&bundle, &format!("{name}{suffix}"));
        inputs.push(s(&input).to_owned());
    }
    let args = |inputs: &[String]| {
        let mut all: Vec<&str> = vec!["verify", "identity"];
        all.extend(inputs.iter().map(String::as_str));
        all.extend(["--cert-identity", IDENTITY, "--cert-oidc-issuer", ISSUER]);
        all.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };

    let r = run_offline(args(&inputs));
    r.expect_code(0);
    let expected: Vec<String> = inputs.iter().map(|input| format!("OK: {input}")).collect();
    assert_eq!(r.lines(), expected);
    let warned: Vec<&str> = r
        .stderr
        .lines()
        .filter(|line| line.contains("should be named"))
        .collect();
    assert_eq!(warned.len(), legacy.len(), "{}", r.stderr);
    for (line, i) in warned.iter().zip(legacy) {
        assert!(line.contains(&format!("f{i:03}.txt.sigstore ")), "{line}");
    }

    // Two ambiguous inputs, far apart: the first is the one reported; nothing verifies.
    for i in [150, 270] {
        dir.copy(&bundle, &format!("f{i:03}.txt.sigstore"));
    }
    let r = run_offline(args(&inputs));
    r.expect_code(2);
    assert!(r.stdout.is_empty(), "{r:#?}");
    assert!(r.stderr.contains("ambiguous"), "{}", r.stderr);
    assert!(r.stderr.contains("f150.txt.sigstore.json"), "{}", r.stderr);
    assert!(!r.stderr.contains("f270.txt"), "{}", r.stderr);
}

// 3. Digest inputs.

#[test]
fn digest_input_with_bundle() {
    let digest = format!("sha256:{}", a_txt_sha256());
    let bundle = case_bundle("happy-path-v0.3");
    let r = run_offline(identity_args(&[&digest, "--bundle", s(&bundle)]));
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {digest}")]);

    // Upper-case hex is the same digest; output shows it normalised.
    let upper = format!("sha256:{}", a_txt_sha256().to_uppercase());
    let r = run_offline(identity_args(&[&upper, "--bundle", s(&bundle)]));
    r.expect_code(0);

    // A different digest fails.
    let wrong = format!("sha256:{}", "00".repeat(32));
    let r = run_offline(identity_args(&[&wrong, "--bundle", s(&bundle)]));
    r.expect_code(1);
    assert!(
        r.lines()[0].starts_with(&format!("FAIL: {wrong}: ")),
        "{r:#?}"
    );
}

#[test]
fn digest_input_without_bundle_fails_clearly() {
    let digest = format!("sha256:{}", a_txt_sha256());
    let r = run_offline(identity_args(&[&digest]));
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with(&format!("FAIL: {digest}: ")), "{r:#?}");
    assert!(lines[0].contains("--bundle"), "{r:#?}");
}

// 4. verify github.

fn github_args<'a>(bundle: &'a str, a: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["verify", "github", a, "--bundle", bundle];
    args.extend_from_slice(extra);
    args
}

#[test]
fn github_matching_values_pass() {
    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.1"));
    let (a, bundle) = (s(&a), s(&bundle));
    let all = [
        "--repository",
        REPO,
        "--sha",
        SHA,
        "--trigger",
        "workflow_dispatch",
        "--name",
        "Extremely dangerous OIDC beacon",
        "--ref",
        "refs/heads/main",
    ];
    let r = run_offline(github_args(bundle, a, &all));
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {a}")]);

    let r = run_offline(github_args(bundle, a, &["--cert-identity", IDENTITY]));
    r.expect_code(0);
    let r = run_offline(github_args(bundle, a, &["--repository", REPO]));
    r.expect_code(0);
    let mut both = vec!["--cert-identity", IDENTITY];
    both.extend_from_slice(&all);
    let r = run_offline(github_args(bundle, a, &both));
    r.expect_code(0);
}

#[test]
fn github_each_wrong_value_fails_naming_the_field() {
    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.1"));
    let (a, bundle) = (s(&a), s(&bundle));
    let cases: [(&[&str], &str); 6] = [
        (
            &["--repository", "sigstore-conformance/other"],
            "repository",
        ),
        (
            &[
                "--repository",
                REPO,
                "--sha",
                "0000000000000000000000000000000000000000",
            ],
            "SHA",
        ),
        (&["--repository", REPO, "--trigger", "push"], "trigger"),
        (
            &["--repository", REPO, "--name", "Some other workflow"],
            "name",
        ),
        (&["--repository", REPO, "--ref", "refs/heads/dev"], "ref"),
        (
            &[
                "--cert-identity",
                "https://github.com/x/y/.github/workflows/z.yml@refs/heads/main",
            ],
            "identity",
        ),
    ];
    for (extra, field) in cases {
        let r = run_offline(github_args(bundle, a, extra));
        r.expect_code(1);
        let lines = r.lines();
        assert_eq!(lines.len(), 1, "{extra:?}: {r:#?}");
        assert!(lines[0].starts_with(&format!("FAIL: {a}: ")), "{r:#?}");
        assert!(
            lines[0].contains(field),
            "{extra:?} should name {field}: {r:#?}"
        );
    }
    // One wrong value among right ones still fails.
    let r = run_offline(github_args(
        bundle,
        a,
        &[
            "--repository",
            REPO,
            "--sha",
            SHA,
            "--trigger",
            "push",
            "--ref",
            "refs/heads/main",
        ],
    ));
    r.expect_code(1);
    assert!(r.lines()[0].contains("trigger"), "{r:#?}");
}

/// The legacy materials of `bundle-with-root-cert_fail` without its extra root certificate:
/// a valid signature by `a@tny.town` through GitHub's OAuth issuer (not GitHub Actions).
fn oauth_signed_artifact(dir: &TempDir) -> std::path::PathBuf {
    let case = case("bundle-with-root-cert_fail");
    let legacy = legacy_from_bundle(&read_json(&case.join("bundle.sigstore.json")));
    let file = dir.copy(&case.join("artifact"), "oauth.txt");
    dir.write("oauth.txt.sig", &legacy.sig);
    dir.write("oauth.txt.crt", &legacy.crt);
    dir.write("oauth.txt.rekor", &legacy.rekor);
    file
}

#[test]
fn github_issuer_is_pinned() {
    let dir = TempDir::new("github-issuer");
    let file = oauth_signed_artifact(&dir);
    let oauth = "https://github.com/login/oauth";
    // The signature itself is good: `verify identity` accepts it with its own issuer...
    let r = run_offline([
        "verify",
        "identity",
        s(&file),
        "--cert-identity",
        "a@tny.town",
        "--cert-oidc-issuer",
        oauth,
    ]);
    r.expect_code(0);
    // ...but `verify github` pins the GitHub Actions issuer, whatever else is asked.
    for extra in [
        vec!["--cert-identity", "a@tny.town"],
        vec!["--repository", REPO],
    ] {
        let mut args = vec!["verify", "github", s(&file)];
        args.extend(extra);
        let r = run_offline(&args);
        r.expect_code(1);
        let line = r.lines()[0];
        assert!(
            line.starts_with(&format!("FAIL: {}: ", file.display())),
            "{r:#?}"
        );
        assert!(line.contains("issuer"), "{r:#?}");
        assert!(line.contains(oauth), "{r:#?}");
    }

    // Bundles whose issuer is not GitHub Actions never pass `verify github`.
    for (name, artifact) in [
        ("integrated-time-in-future_fail", a_txt()),
        (
            "bundle-with-root-cert_fail",
            case("bundle-with-root-cert_fail").join("artifact"),
        ),
    ] {
        let identity = std::fs::read_to_string(case(name).join("identity"))
            .unwrap_or_else(|_| "a@tny.town".to_owned());
        let r = run_offline([
            "verify",
            "github",
            s(&artifact),
            "--bundle",
            s(&case_bundle(name)),
            "--cert-identity",
            identity.trim(),
        ]);
        r.expect_code(1);
        assert!(r.lines()[0].starts_with("FAIL: "), "{name}: {r:#?}");
    }
}

// 5. Anchored regular expressions.

#[test]
fn identity_regexp_is_anchored() {
    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.3"));
    let run_re = |identity_re: &str, issuer_re: &str| {
        run_offline([
            "verify",
            "identity",
            s(&a),
            "--bundle",
            s(&bundle),
            "--cert-identity-regexp",
            identity_re,
            "--cert-oidc-issuer-regexp",
            issuer_re,
        ])
    };
    let issuer_re = r"https://token\.actions\.githubusercontent\.com";
    // Full matches pass.
    for re in [
        r"https://github\.com/sigstore-conformance/.*@refs/heads/main",
        r".*extremely-dangerous-oidc-beacon\.yml@refs/heads/.*",
        r".*",
    ] {
        let r = run_re(re, issuer_re);
        r.expect_code(0);
        assert_eq!(r.lines(), vec![format!("OK: {}", a.display())], "{re}");
    }
    // Substring-only matches fail.
    for re in [
        "sigstore-conformance",
        r"extremely-dangerous-oidc-beacon\.yml",
        "https://github.com",
        "refs/heads/main",
        // An alternation must not escape the anchors.
        "nothing|sigstore-conformance",
    ] {
        let r = run_re(re, issuer_re);
        r.expect_code(1);
        assert!(r.lines()[0].starts_with("FAIL: "), "{re}: {r:#?}");
    }
    // The issuer regexp is anchored too.
    for re in ["token.actions", "https://token", "x|token\\.actions"] {
        let r = run_re(".*", re);
        r.expect_code(1);
        assert!(r.lines()[0].contains("issuer"), "{re}: {r:#?}");
    }
    let r = run_re(".*", "https://token\\.actions\\..*");
    r.expect_code(0);
}

// 6. Managed keys.

#[test]
fn verify_key_managed_key_happy_path() {
    let case = case("managed-key-happy-path");
    let (a, bundle, key) = (
        a_txt(),
        case.join("bundle.sigstore.json"),
        case.join("key.pub"),
    );
    let r = run_offline([
        "verify",
        "key",
        s(&a),
        "--bundle",
        s(&bundle),
        "--key",
        s(&key),
    ]);
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {}", a.display())]);

    // The wrong artifact fails.
    let dir = TempDir::new("key");
    let other = dir.write("other.txt", b"other");
    let r = run_offline([
        "verify",
        "key",
        s(&other),
        "--bundle",
        s(&bundle),
        "--key",
        s(&key),
    ]);
    r.expect_code(1);

    // Another valid P-256 key (the Fulcio leaf key of happy-path-v0.3) fails.
    let other_key = dir.write("other.pem", leaf_key_pem("happy-path-v0.3"));
    let r = run_offline([
        "verify",
        "key",
        s(&a),
        "--bundle",
        s(&bundle),
        "--key",
        s(&other_key),
    ]);
    r.expect_code(1);
    assert_eq!(r.lines().len(), 1, "{r:#?}");
    assert!(
        r.lines()[0].starts_with(&format!("FAIL: {}: ", a.display())),
        "{r:#?}"
    );

    // A key that is not PEM: exit 1, clear message.
    let junk = dir.write("junk.pem", b"not a key");
    let r = run_offline([
        "verify",
        "key",
        s(&a),
        "--bundle",
        s(&bundle),
        "--key",
        s(&junk),
    ]);
    r.expect_code(1);
    assert!(r.stderr.contains("not a PEM public key"), "{r:#?}");
    let r = run_offline([
        "verify",
        "key",
        s(&a),
        "--bundle",
        s(&bundle),
        "--key",
        s(&dir.join("missing.pem")),
    ]);
    r.expect_code(1);
    assert!(r.stderr.contains("missing.pem"), "{r:#?}");

    // A certificate bundle does not verify as a key bundle.
    let r = run_offline([
        "verify",
        "key",
        s(&a),
        "--bundle",
        s(&case_bundle("happy-path-v0.3")),
        "--key",
        s(&key),
    ]);
    r.expect_code(1);
}

/// The public key of a case's leaf certificate, as a PEM `PUBLIC KEY`.
fn leaf_key_pem(case: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let bundle = read_json(&case_bundle(case));
    let raw = bundle["verificationMaterial"]["certificate"]["rawBytes"]
        .as_str()
        .expect("leaf certificate");
    let der = b64.decode(raw).expect("base64");
    let cert = sigstore_x509_policy::Certificate::from_der(&der).expect("certificate");
    let spki = b64.encode(cert.spki_der());
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in spki.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).expect("ascii"));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

// 7. Legacy detached materials.

fn legacy_v01() -> Legacy {
    legacy_from_bundle(&read_json(&case_bundle("happy-path-v0.1")))
}

#[test]
fn legacy_materials_discovered_and_verified() {
    let dir = TempDir::new("legacy");
    let legacy = legacy_v01();
    let file = dir.copy(&a_txt(), "a.txt");
    dir.write("a.txt.sig", &legacy.sig);
    dir.write("a.txt.crt", &legacy.crt);
    dir.write("a.txt.rekor", &legacy.rekor);

    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {}", file.display())]);

    // The legacy path still checks the identity.
    let r = run_offline([
        "verify",
        "identity",
        s(&file),
        "--cert-identity",
        "someone@example.com",
        "--cert-oidc-issuer",
        ISSUER,
    ]);
    r.expect_code(1);

    // And the artifact.
    let other = dir.write("b.txt", b"other content\n");
    dir.write("b.txt.sig", &legacy.sig);
    dir.write("b.txt.crt", &legacy.crt);
    dir.write("b.txt.rekor", &legacy.rekor);
    let r = run_offline(identity_args(&[s(&other)]));
    r.expect_code(1);
    assert!(r.lines()[0].starts_with(&format!("FAIL: {}: ", other.display())));
}

#[test]
fn legacy_tampered_signature_fails() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let dir = TempDir::new("legacy-tampered");
    let legacy = legacy_v01();
    let file = dir.copy(&a_txt(), "a.txt");
    let mut sig = b64.decode(&legacy.sig).expect("signature base64");
    let last = sig.len() - 3;
    sig[last] ^= 0x01;
    dir.write("a.txt.sig", b64.encode(&sig));
    dir.write("a.txt.crt", &legacy.crt);
    dir.write("a.txt.rekor", &legacy.rekor);
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(1);
    assert_eq!(r.lines().len(), 1);
    assert!(
        r.lines()[0].starts_with(&format!("FAIL: {}: ", file.display())),
        "{r:#?}"
    );

    // Not base64 at all.
    dir.write("a.txt.sig", b"!!! not base64 !!!");
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(1);
    assert!(r.lines()[0].starts_with("FAIL: "), "{r:#?}");

    // A tampered .rekor body (other log index) breaks the SET.
    dir.write("a.txt.sig", &legacy.sig);
    let mut rekor: serde_json::Value = serde_json::from_str(&legacy.rekor).expect("json");
    rekor["Payload"]["logIndex"] = serde_json::json!(1);
    dir.write("a.txt.rekor", rekor.to_string());
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(1);
    assert!(r.lines()[0].starts_with("FAIL: "), "{r:#?}");
}

#[test]
fn legacy_without_rekor_fails_clearly() {
    let dir = TempDir::new("legacy-norekor");
    let legacy = legacy_v01();
    let file = dir.copy(&a_txt(), "a.txt");
    dir.write("a.txt.sig", &legacy.sig);
    dir.write("a.txt.crt", &legacy.crt);
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(1);
    let line = r.lines()[0];
    assert!(
        line.starts_with(&format!("FAIL: {}: ", file.display())),
        "{r:#?}"
    );
    assert!(line.contains(".rekor"), "{r:#?}");

    // .sig without .crt is not legacy material at all.
    std::fs::remove_file(dir.join("a.txt.crt")).expect("rm");
    let r = run_offline(identity_args(&[s(&file)]));
    r.expect_code(1);
    assert!(r.lines()[0].contains("no bundle found"), "{r:#?}");
}

#[test]
fn legacy_explicit_flags() {
    let dir = TempDir::new("legacy-flags");
    let legacy = legacy_v01();
    let sig = dir.write("sig.b64", &legacy.sig);
    let crt = dir.write("cert.pem", &legacy.crt);
    let rekor = dir.write("entry.json", &legacy.rekor);
    let a = a_txt();
    let flags = |rekor: Option<&std::path::Path>| {
        let mut args = vec![
            "verify".to_owned(),
            "identity".to_owned(),
            s(&a).to_owned(),
            "--signature".to_owned(),
            s(&sig).to_owned(),
            "--certificate".to_owned(),
            s(&crt).to_owned(),
        ];
        if let Some(rekor) = rekor {
            args.push("--rekor-bundle".to_owned());
            args.push(s(rekor).to_owned());
        }
        args.extend(["--cert-identity", IDENTITY, "--cert-oidc-issuer", ISSUER].map(str::to_owned));
        args
    };
    let r = run_offline(flags(Some(&rekor)));
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {}", a.display())]);

    // With a digest input instead of the file.
    let digest = format!("sha256:{}", a_txt_sha256());
    let mut args = flags(Some(&rekor));
    args[2] = digest.clone();
    let r = run_offline(&args);
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {digest}")]);

    let r = run_offline(flags(None));
    r.expect_code(1);
    assert!(r.lines()[0].contains(".rekor"), "{r:#?}");

    // A PEM that is not a certificate.
    let bad_crt = dir.write(
        "bad.pem",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    let mut args = flags(Some(&rekor));
    args[6] = s(&bad_crt).to_owned();
    let r = run_offline(&args);
    r.expect_code(1);
    assert!(r.lines()[0].starts_with("FAIL: "), "{r:#?}");

    // Two inputs with explicit materials is a usage error.
    let mut args = flags(Some(&rekor));
    args.insert(2, s(&a).to_owned());
    let r = run_offline(&args);
    assert_eq!(r.code, Some(2), "{r:#?}");
}

// 9. inspect.

#[test]
fn inspect_prints_not_verified_and_identity() {
    let r = run_offline(["inspect", s(&case_bundle("happy-path-v0.3"))]);
    r.expect_code(0);
    assert!(r.stdout.starts_with("NOT VERIFIED"), "{r:#?}");
    assert!(r.stdout.contains(IDENTITY), "{r:#?}");
    assert!(r.stdout.contains(ISSUER), "{r:#?}");

    let r = run_offline(["inspect", s(&case_bundle("managed-key-happy-path"))]);
    r.expect_code(0);
    assert!(r.stdout.starts_with("NOT VERIFIED"), "{r:#?}");
    assert!(r.stdout.contains("managed key"), "{r:#?}");

    // DSSE bundles describe their statement.
    let r = run_offline(["inspect", s(&case_bundle("happy-path-intoto-in-dsse-v3"))]);
    r.expect_code(0);
    assert!(r.stdout.contains("DSSE"), "{r:#?}");
}

#[test]
fn inspect_garbage_exits_1() {
    let dir = TempDir::new("inspect");
    for (name, contents) in [
        ("garbage.json", &b"garbage"[..]),
        ("empty.json", b""),
        ("object.json", b"{}"),
    ] {
        let path = dir.write(name, contents);
        let r = run_offline(["inspect", s(&path)]);
        r.expect_code(1);
        assert!(r.stdout.is_empty(), "{r:#?}");
        assert!(r.stderr.contains(name), "{r:#?}");
    }
    let r = run_offline(["inspect", s(&dir.join("missing.json"))]);
    r.expect_code(1);
    assert!(r.stderr.contains("missing.json"), "{r:#?}");
}

/// A stdout that cannot be written to (`/dev/full`) ends the run with one error on stderr
/// and exit status 1, whatever the number of inputs and workers; no panic, no partial line
/// counted as written.
#[cfg(target_os = "linux")]
#[test]
fn unwritable_stdout_is_an_error() {
    let dir = TempDir::new("devfull");
    let bundle = case_bundle("happy-path-v0.3");
    let mut inputs = Vec::new();
    for i in 0..12 {
        let name = format!("in{i}.txt");
        let input = dir.copy(&a_txt(), &name);
        dir.copy(&bundle, &format!("{name}.sigstore.json"));
        inputs.push(input.display().to_string());
    }
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let mut args = vec![
        "verify".to_owned(),
        "identity".to_owned(),
        "--offline".to_owned(),
    ];
    args.extend(inputs);
    args.extend(["--cert-identity", IDENTITY, "--cert-oidc-issuer", ISSUER].map(str::to_owned));
    let output = sigstore()
        .args(&args)
        .stdout(full)
        .output()
        .expect("run sigstore");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("No space left on device"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
