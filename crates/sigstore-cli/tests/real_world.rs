//! Every case of `testdata/real-world/` through `sigstore verify ... --bundle B` (offline with
//! the embedded roots, or `--trusted-root FILE`): an "ok" case must print `OK:` and exit 0, a
//! "fail" case `FAIL:` and exit 1. Prints `real-world: N passed, N failed`; fails on any wrong
//! outcome and when the folder holds no case. Also: npm provenance verified with
//! `verify github --repository sigstore/sigstore-js`, and the same tarball with one byte
//! changed fails.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    testdata().join("real-world")
}

fn case_dirs() -> Vec<PathBuf> {
    sigstore_test_support::real_world_cases()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// The `sigstore` arguments for a case (the input comes last), or why the case cannot run.
fn arguments(dir: &Path, case: &Value, scratch: &TempDir) -> Result<Vec<String>, String> {
    let policy = &case["policy"];
    let mut args: Vec<String> = vec!["verify".into()];
    if let Some(key) = text(&policy["key"]) {
        args.extend(["key".into(), "--key".into(), s(&dir.join(key)).into()]);
    } else if let Some(github) = policy.get("github") {
        args.push("github".into());
        for (flag, field) in [
            ("--repository", "repository"),
            ("--sha", "sha"),
            ("--trigger", "trigger"),
        ] {
            if let Some(value) = text(&github[field]) {
                args.extend([flag.into(), value]);
            }
        }
    } else {
        args.push("identity".into());
        match (text(&policy["identity"]), text(&policy["identity_regexp"])) {
            (Some(exact), None) => args.extend(["--cert-identity".into(), exact]),
            (None, Some(pattern)) => args.extend(["--cert-identity-regexp".into(), pattern]),
            _ => return Err("case.json: give identity or identity_regexp".into()),
        }
        let issuer = text(&policy["issuer"]).ok_or("case.json: policy has no issuer")?;
        args.extend(["--cert-oidc-issuer".into(), issuer]);
    }
    match case["trusted_root"].as_str() {
        Some("production") => args.push("--offline".into()),
        Some("staging") => args.extend(["--staging".into(), "--offline".into()]),
        Some(file) => args.extend(["--trusted-root".into(), s(&dir.join(file)).into()]),
        None => return Err("case.json: trusted_root missing".into()),
    }
    let bundle = dir.join(case["bundle"].as_str().unwrap_or("bundle.json"));
    args.extend(["--bundle".into(), s(&bundle).into()]);
    let input = match (text(&case["artifact"]), text(&case["digest"])) {
        (Some(file), _) => s(&dir.join(file)).to_owned(),
        (None, Some(digest)) => digest,
        (None, None) => {
            // Verify the bundle itself: a DSSE envelope's payload stands in for the artifact
            // (what was signed when the payload is not an in-toto statement); anything else
            // gets an empty file, and the case must fail anyway.
            let json: Value = serde_json::from_slice(
                &std::fs::read(&bundle).map_err(|e| format!("{}: {e}", bundle.display()))?,
            )
            .unwrap_or(Value::Null);
            use base64::Engine as _;
            let payload = json["dsseEnvelope"]["payload"]
                .as_str()
                .and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok())
                .unwrap_or_default();
            s(&scratch.write("stand-in", payload)).to_owned()
        }
    };
    args.push(input);
    Ok(args)
}

#[test]
fn real_world_cases_through_the_cli() {
    let dirs = case_dirs();
    assert!(
        !dirs.is_empty(),
        "no case in {} (each case is a folder with case.json)",
        corpus_dir().display()
    );
    let scratch = TempDir::new("real-world");
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut report = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
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
        let args = match arguments(dir, &case, &scratch) {
            Ok(args) => args,
            Err(e) => {
                failed += 1;
                report.push(format!("{name}: cannot run the case: {e}"));
                continue;
            }
        };
        let r = sigstore_run(&args);
        let first = r.lines().first().copied().unwrap_or_default().to_owned();
        let right = if expect_ok {
            r.code == Some(0) && first.starts_with("OK: ")
        } else {
            r.code == Some(1) && first.starts_with("FAIL: ")
        };
        if r.stderr.contains("panicked") {
            failed += 1;
            report.push(format!("{name}: panic: {}", r.stderr));
        } else if right {
            passed += 1;
            if !expect_ok {
                println!("rejected {name}: {first}");
            }
        } else {
            failed += 1;
            report.push(format!(
                "{name}: expected {}, exit {:?}: {first} {}",
                if expect_ok { "OK" } else { "FAIL" },
                r.code,
                r.stderr.trim()
            ));
        }
    }
    for line in &report {
        println!("UNEXPECTED {line}");
    }
    println!("real-world cases (CLI): {}", dirs.len());
    println!("real-world: {passed} passed, {failed} failed");
    assert_eq!(failed, 0, "unexpected results:\n{}", report.join("\n"));
}

#[test]
fn npm_provenance_with_verify_github_and_a_tampered_tarball() {
    // Every npm provenance case with its package tarball: OK with the repository policy and
    // the production root, FAIL once one byte of the tarball changes.
    let scratch = TempDir::new("npm");
    let mut checked = 0;
    for dir in case_dirs() {
        let Ok(bytes) = std::fs::read(dir.join("case.json")) else {
            continue;
        };
        let case: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let Some(tarball) = case["artifact"].as_str().filter(|a| a.ends_with(".tgz")) else {
            continue;
        };
        // Keyless provenance made by sigstore-js's release workflow (not the registry's
        // managed-key publish attestations).
        let by_release_workflow = case["policy"]["issuer"] == ISSUER
            && case["policy"]["identity"]
                .as_str()
                .or(case["policy"]["identity_regexp"].as_str())
                .is_some_and(|i| i.contains("github.com/sigstore/sigstore-js/"));
        if case["expect"] != "ok" || case["trusted_root"] != "production" || !by_release_workflow {
            continue;
        }
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let tarball = dir.join(tarball);
        let bundle = dir.join("bundle.json");
        let verify = |input: &Path| {
            sigstore_run([
                "verify",
                "github",
                s(input),
                "--bundle",
                s(&bundle),
                "--repository",
                "sigstore/sigstore-js",
                "--offline",
            ])
        };
        let r = verify(&tarball);
        r.expect_code(0);
        assert_eq!(
            r.lines(),
            vec![format!("OK: {}", tarball.display())],
            "{name}"
        );

        let mut tampered = std::fs::read(&tarball).unwrap_or_default();
        let middle = tampered.len() / 2;
        tampered[middle] ^= 0x01;
        let copy = scratch.write(&format!("{name}.tgz"), tampered);
        let r = verify(&copy);
        r.expect_code(1);
        assert!(
            r.lines()[0].starts_with(&format!("FAIL: {}", copy.display())),
            "{name}: {r:#?}"
        );
        // The statement names the package and its sha512 only; --print-statement shows it.
        let r = sigstore_run([
            "verify",
            "github",
            s(&tarball),
            "--bundle",
            s(&bundle),
            "--repository",
            "sigstore/sigstore-js",
            "--offline",
            "--print-statement",
            "--predicate-type",
            case_predicate_type(&bundle).as_str(),
        ]);
        r.expect_code(0);
        let statement: Value = serde_json::from_str(
            r.stdout
                .split_once('\n')
                .map(|(_, rest)| rest)
                .unwrap_or_default(),
        )
        .unwrap_or_else(|e| panic!("{name}: statement not printed as JSON: {e}: {r:#?}"));
        assert!(statement["subject"][0]["digest"]["sha512"].is_string());
        checked += 1;
    }
    assert!(checked >= 2, "too few npm provenance cases with a tarball");
}

/// The predicate type of a DSSE bundle's statement.
fn case_predicate_type(bundle: &Path) -> String {
    use base64::Engine as _;
    let json = read_json(bundle);
    let payload = base64::engine::general_purpose::STANDARD
        .decode(json["dsseEnvelope"]["payload"].as_str().unwrap_or_default())
        .unwrap_or_default();
    let statement: Value = serde_json::from_slice(&payload).unwrap_or(Value::Null);
    statement["predicateType"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
