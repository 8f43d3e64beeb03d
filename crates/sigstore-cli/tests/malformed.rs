//! Malformed inputs must be rejected cleanly: exit status 1, exactly one `FAIL:` line naming
//! the input, and never a panic. Covers the hand-written corpus in `testdata/malformed/`,
//! structural mutations of a real bundle made at run time, and unusable paths.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use common::*;
use serde_json::{json, Value};

/// Checks one rejected run; returns a description of what was wrong, if anything.
fn check_rejected(r: &Run, input: &str, label: &str) -> Option<String> {
    let mut problems = Vec::new();
    if r.code != Some(1) {
        problems.push(format!("exit code {:?}, expected 1", r.code));
    }
    if r.stderr.contains("panicked") {
        problems.push("panicked".to_owned());
    }
    if r.stdout.chars().any(|c| c.is_control() && c != '\n') {
        problems.push("control characters in stdout".to_owned());
    }
    let lines: Vec<&str> = r.stdout.lines().collect();
    if lines.len() != 1 {
        problems.push(format!("{} stdout lines, expected 1", lines.len()));
    }
    let prefix = format!("FAIL: {input}: ");
    match lines.first() {
        Some(line) if line.starts_with(&prefix) && line.len() > prefix.len() => {}
        other => problems.push(format!(
            "first line {other:?} does not start with {prefix:?}"
        )),
    }
    (!problems.is_empty()).then(|| format!("{label}: {}\n{r:#?}", problems.join("; ")))
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = testdata().join("malformed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

#[test]
fn malformed_corpus_is_rejected() {
    let files = corpus_files();
    assert!(files.len() >= 25, "corpus too small: {}", files.len());
    let a = a_txt();
    let (mut passed, mut failures) = (0usize, Vec::new());
    for file in &files {
        let r = sigstore_run([
            "verify",
            "identity",
            "--offline",
            s(&a),
            "--bundle",
            s(file),
            "--cert-identity",
            "x",
            "--cert-oidc-issuer",
            "y",
        ]);
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        match check_rejected(&r, s(&a), name) {
            // The reason names the bundle file.
            None if r.stdout.contains(name) => passed += 1,
            None => failures.push(format!("{name}: reason does not name the bundle\n{r:#?}")),
            Some(problem) => failures.push(problem),
        }
    }
    println!(
        "malformed corpus: {passed} passed, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn malformed_corpus_inspect_does_not_panic() {
    let (mut passed, mut failures) = (0usize, Vec::new());
    for file in corpus_files() {
        let r = sigstore_run(["inspect", s(&file)]);
        let ok = match r.code {
            Some(0) => r.stdout.starts_with("NOT VERIFIED"),
            Some(1) => r.stdout.is_empty() && r.stderr.contains(s(&file)),
            _ => false,
        };
        if ok && !r.stderr.contains("panicked") {
            passed += 1;
        } else {
            failures.push(format!("{}: {r:#?}", file.display()));
        }
    }
    println!(
        "malformed corpus (inspect): {passed} passed, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

type Mutation = (&'static str, fn(&mut Value));

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("base64 string"))
        .expect("valid base64")
}

fn entry(b: &mut Value) -> &mut Value {
    &mut b["verificationMaterial"]["tlogEntries"][0]
}

fn proof(b: &mut Value) -> &mut Value {
    &mut entry(b)["inclusionProof"]
}

/// Flips the last bit of a base64 field.
fn flip(v: &mut Value) {
    let mut bytes = unb64(v);
    if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    }
    *v = json!(b64(&bytes));
}

/// Structural damage to a real, valid v0.3 bundle; every one must be rejected.
const MUTATIONS: &[Mutation] = &[
    ("checkpoint-bogus-note", |b| {
        proof(b)["checkpoint"]["envelope"] = json!("not a note");
    }),
    ("checkpoint-no-signature", |b| {
        let env = proof(b)["checkpoint"]["envelope"]
            .as_str()
            .unwrap_or_default();
        let body = env.split("\n\n").next().unwrap_or_default().to_owned();
        proof(b)["checkpoint"]["envelope"] = json!(format!("{body}\n\n"));
    }),
    ("checkpoint-other-origin", |b| {
        let env = proof(b)["checkpoint"]["envelope"]
            .as_str()
            .unwrap_or_default();
        proof(b)["checkpoint"]["envelope"] =
            json!(env.replacen("rekor.sigstore.dev", "rekor.example.org", 1));
    }),
    ("proof-1000-hashes", |b| {
        let h = proof(b)["hashes"][0].clone();
        proof(b)["hashes"] = Value::Array(vec![h; 1000]);
    }),
    ("proof-missing-hash", |b| {
        if let Some(hashes) = proof(b)["hashes"].as_array_mut() {
            hashes.pop();
        }
    }),
    ("proof-no-hashes", |b| proof(b)["hashes"] = json!([])),
    ("proof-short-hash", |b| {
        proof(b)["hashes"][0] = json!("AAAA")
    }),
    ("proof-flipped-hash", |b| flip(&mut proof(b)["hashes"][0])),
    ("proof-flipped-root", |b| flip(&mut proof(b)["rootHash"])),
    ("proof-index-equals-size", |b| {
        let size = proof(b)["treeSize"].clone();
        proof(b)["logIndex"] = size;
    }),
    ("proof-tree-size-zero", |b| {
        proof(b)["treeSize"] = json!("0")
    }),
    ("proof-index-huge", |b| {
        proof(b)["logIndex"] = json!("99999999999999999999")
    }),
    ("proof-tree-size-max", |b| {
        proof(b)["treeSize"] = json!("9223372036854775807")
    }),
    ("proof-index-negative", |b| {
        proof(b)["logIndex"] = json!("-1")
    }),
    ("no-inclusion-proof", |b| {
        if let Some(e) = entry(b).as_object_mut() {
            e.remove("inclusionProof");
        }
    }),
    ("integrated-time-max", |b| {
        entry(b)["integratedTime"] = json!("9223372036854775807")
    }),
    ("integrated-time-min", |b| {
        entry(b)["integratedTime"] = json!("-9223372036854775808")
    }),
    ("integrated-time-huge", |b| {
        entry(b)["integratedTime"] = json!("99999999999999999999")
    }),
    ("log-index-negative", |b| entry(b)["logIndex"] = json!("-1")),
    ("log-index-huge", |b| {
        entry(b)["logIndex"] = json!("99999999999999999999")
    }),
    ("log-id-unknown", |b| {
        entry(b)["logId"]["keyId"] = json!(b64(&[7; 32]))
    }),
    ("log-id-empty", |b| entry(b)["logId"]["keyId"] = json!("")),
    ("kind-intoto", |b| {
        entry(b)["kindVersion"]["kind"] = json!("intoto")
    }),
    ("kind-version-unknown", |b| {
        entry(b)["kindVersion"]["version"] = json!("9.9.9")
    }),
    ("body-empty-object", |b| {
        entry(b)["canonicalizedBody"] = json!(b64(b"{}"))
    }),
    ("body-deep-nesting", |b| {
        let deep = "[".repeat(100_000);
        entry(b)["canonicalizedBody"] = json!(b64(deep.as_bytes()));
    }),
    ("body-not-utf8", |b| {
        entry(b)["canonicalizedBody"] = json!(b64(&[0xff, 0xfe, 0x00, 0x80]))
    }),
    ("body-flipped", |b| flip(&mut entry(b)["canonicalizedBody"])),
    ("set-flipped", |b| {
        flip(&mut entry(b)["inclusionPromise"]["signedEntryTimestamp"])
    }),
    ("set-garbage", |b| {
        entry(b)["inclusionPromise"]["signedEntryTimestamp"] = json!(b64(b"garbage"))
    }),
    ("signature-truncated", |b| {
        let sig = unb64(&b["messageSignature"]["signature"]);
        b["messageSignature"]["signature"] = json!(b64(sig.get(..10).unwrap_or_default()));
    }),
    ("signature-flipped", |b| {
        flip(&mut b["messageSignature"]["signature"])
    }),
    ("digest-flipped", |b| {
        flip(&mut b["messageSignature"]["messageDigest"]["digest"])
    }),
    ("digest-algorithm-sha384", |b| {
        b["messageSignature"]["messageDigest"]["algorithm"] = json!("SHA2_384")
    }),
    ("digest-algorithm-unknown", |b| {
        b["messageSignature"]["messageDigest"]["algorithm"] = json!("HASH_ALGORITHM_UNSPECIFIED")
    }),
    ("certificate-truncated", |b| {
        let der = unb64(&b["verificationMaterial"]["certificate"]["rawBytes"]);
        b["verificationMaterial"]["certificate"]["rawBytes"] =
            json!(b64(der.get(..100).unwrap_or_default()));
    }),
    ("certificate-flipped", |b| {
        flip(&mut b["verificationMaterial"]["certificate"]["rawBytes"])
    }),
    ("certificate-trailing-bytes", |b| {
        let mut der = unb64(&b["verificationMaterial"]["certificate"]["rawBytes"]);
        der.extend_from_slice(&[0, 0]);
        b["verificationMaterial"]["certificate"]["rawBytes"] = json!(b64(&der));
    }),
    ("media-type-v0.1-with-single-certificate", |b| {
        b["mediaType"] = json!("application/vnd.dev.sigstore.bundle+json;version=0.1");
        if let Some(e) = entry(b).as_object_mut() {
            e.remove("inclusionPromise");
        }
    }),
    ("plus-dsse-envelope", |b| {
        b["dsseEnvelope"] = json!({"payload": "", "payloadType": "x", "signatures": []});
    }),
    // A token that does not verify is skipped (with a warning), never counted: with the SET
    // gone it was the only time source, so nothing verifies the signing time.
    ("garbage-rfc3161-timestamp-as-only-time-source", |b| {
        b["verificationMaterial"]["timestampVerificationData"] =
            json!({"rfc3161Timestamps": [{"signedTimestamp": b64(b"\x30\x03\x02\x01\x00")}]});
        if let Some(e) = entry(b).as_object_mut() {
            e.remove("inclusionPromise");
        }
    }),
    ("tlog-entries-empty", |b| {
        b["verificationMaterial"]["tlogEntries"] = json!([])
    }),
    // Text from the bundle must not forge output lines or reach the terminal raw.
    ("kind-with-newline", |b| {
        entry(b)["kindVersion"]["kind"] = json!("hashedrekord\nOK: /forged");
    }),
    ("version-with-escape", |b| {
        entry(b)["kindVersion"]["version"] = json!("0.0.1\u{1b}[2J\r");
    }),
    ("media-type-with-newline", |b| {
        b["mediaType"] = json!("application/vnd.dev.sigstore.bundle.v0.3+json\nOK: /forged");
    }),
];

#[test]
fn mutated_real_bundle_is_rejected() {
    let original = read_json(&case_bundle("happy-path-v0.3"));
    let dir = TempDir::new("mutations");
    let a = a_txt();
    let verify = |bundle: &Path| sigstore_run(identity_args_for(&a, bundle));

    // The unmutated bundle verifies, so each rejection below is due to its mutation.
    let pristine = dir.write("pristine.json", original.to_string());
    verify(&pristine).expect_code(0);

    let (mut passed, mut failures) = (0usize, Vec::new());
    for (name, mutate) in MUTATIONS {
        let mut bundle = original.clone();
        mutate(&mut bundle);
        assert_ne!(bundle, original, "{name} changed nothing");
        let path = dir.write(&format!("{name}.json"), bundle.to_string());
        let r = verify(&path);
        if std::env::var_os("SHOW_REASONS").is_some() {
            println!("{name}: {}", r.stdout.trim_end());
        }
        match check_rejected(&r, s(&a), name) {
            None => passed += 1,
            Some(problem) => failures.push(problem),
        }
        // inspect may succeed or fail, but never panic.
        let r = sigstore_run(["inspect", s(&path)]);
        let forged = r.stdout.lines().any(|l| l.starts_with("OK:"))
            || r.stdout.chars().any(|c| c.is_control() && c != '\n');
        if !matches!(r.code, Some(0 | 1)) || r.stderr.contains("panicked") || forged {
            failures.push(format!("{name} (inspect): {r:#?}"));
        }
    }
    println!(
        "bundle mutations: {passed} passed, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `verify identity` of `a` with `bundle`, offline: the trusted root is the production one
/// embedded in the build (the test home has no TUF cache), or one a test adds.
fn identity_args_for(a: &Path, bundle: &Path) -> Vec<String> {
    [
        "verify",
        "identity",
        "--offline",
        s(a),
        "--bundle",
        s(bundle),
        "--cert-identity",
        IDENTITY,
        "--cert-oidc-issuer",
        ISSUER,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn unusable_bundle_paths_fail_cleanly() {
    let dir = TempDir::new("bundle-paths");
    let a = a_txt();
    let missing = dir.join("missing.sigstore.json");
    let r = sigstore_run(identity_args_for(&a, &missing));
    assert!(check_rejected(&r, s(&a), "missing").is_none(), "{r:#?}");
    assert!(r.stdout.contains("missing.sigstore.json"), "{r:#?}");
    assert!(r.stdout.contains("cannot open"), "{r:#?}");

    let r = sigstore_run(identity_args_for(&a, dir.path()));
    assert!(check_rejected(&r, s(&a), "directory").is_none(), "{r:#?}");
    assert!(r.stdout.contains(s(dir.path())), "{r:#?}");

    // Larger than the 32 MiB limit (sparse, so cheap to make).
    let big = dir.join("big.json");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(33 * 1024 * 1024))
        .expect("sparse file");
    let r = sigstore_run(identity_args_for(&a, &big));
    assert!(check_rejected(&r, s(&a), "big").is_none(), "{r:#?}");
    assert!(r.stdout.contains("larger than"), "{r:#?}");
}

#[test]
fn unusable_trusted_roots_fail_cleanly() {
    let dir = TempDir::new("trusted-roots");
    let a = a_txt();
    let bundle = case_bundle("happy-path-v0.3");
    let garbage = dir.write("garbage.json", b"{\"mediaType\": [1, 2");
    let not_root = dir.write("not-root.json", b"[\"a\"]");
    let wrong_types = dir.write(
        "wrong-types.json",
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": "x"}"#,
    );
    let empty = dir.write("empty.json", b"");
    let missing = dir.join("missing.json");
    let cases: [(&Path, &str); 6] = [
        (&missing, "cannot open"),
        (dir.path(), "cannot read"),
        (&garbage, "invalid trusted root"),
        (&not_root, "invalid trusted root"),
        (&wrong_types, "invalid trusted root"),
        (&empty, "invalid trusted root"),
    ];
    for (root, message) in cases {
        let mut args = identity_args_for(&a, &bundle);
        args.extend(["--trusted-root".to_owned(), s(root).to_owned()]);
        let r = sigstore_run(&args);
        r.expect_code(1);
        assert!(r.stderr.contains(s(root)), "{root:?}: {r:#?}");
        assert!(r.stderr.contains(message), "{root:?}: {r:#?}");
        assert!(!r.stdout.contains("OK:"), "{root:?}: {r:#?}");
    }

    // A well-formed root that trusts nothing: verification fails, it does not pass.
    let nothing = dir.write(
        "nothing.json",
        br#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#,
    );
    let mut args = identity_args_for(&a, &bundle);
    args.extend(["--trusted-root".to_owned(), s(&nothing).to_owned()]);
    let r = sigstore_run(&args);
    r.expect_code(1);
    assert!(!r.stdout.contains("OK:"), "{r:#?}");

    // The production root from the shared directory, given explicitly, works.
    let production = sigstore_test_support::trust_file("production", "trusted_root.json");
    if production.is_file() {
        let mut args = identity_args_for(&a, &bundle);
        args.extend(["--trusted-root".to_owned(), s(&production).to_owned()]);
        sigstore_run(&args).expect_code(0);
    }
    // The staging root does not trust production bundles.
    let mut args = identity_args_for(&a, &bundle);
    args.push("--staging".to_owned());
    let r = sigstore_run(&args);
    r.expect_code(1);
    assert!(r.lines()[0].starts_with("FAIL: "), "{r:#?}");
}
