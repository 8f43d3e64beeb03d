//! `sigstore sign` and `sigstore attest` end to end against the local testkit services: sign,
//! then verify with `sigstore verify identity`, for Rekor v1 and v2, message signatures and
//! DSSE attestations; one certificate for many files; overwrite protection; legacy detached
//! outputs; token and trust sources; and `sigstore-conformance sign-bundle`.
#![allow(clippy::unwrap_used)]

mod common;
mod sign_common;

use common::*;
use sign_common::*;

fn bundle_json(path: &std::path::Path) -> serde_json::Value {
    read_json(path)
}

fn leaf_b64(bundle: &serde_json::Value) -> String {
    bundle["verificationMaterial"]["certificate"]["rawBytes"]
        .as_str()
        .expect("a v0.3 leaf certificate")
        .to_owned()
}

#[test]
fn sign_then_verify_rekor_v1_and_v2() {
    let env = Env::start("sign-v1v2");
    for rekor_v2 in [false, true] {
        let name = if rekor_v2 { "v2.txt" } else { "v1.txt" };
        let file = env.input(name, "hello world\n");
        let r = env.sign("sign", rekor_v2, &[s(&file)]);
        r.expect_code(0);
        assert!(
            r.stderr
                .contains(&format!("Signing as {EMAIL} (issuer {})", env.issuer())),
            "{r:#?}"
        );
        let out = env.dir.join(&format!("{name}.sigstore.json"));
        assert_eq!(r.lines(), vec![format!("Wrote {}", out.display())]);
        let bundle = bundle_json(&out);
        assert_eq!(
            bundle["mediaType"],
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        assert!(bundle["verificationMaterial"]["x509CertificateChain"].is_null());
        leaf_b64(&bundle);
        let kind = &bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"];
        assert_eq!(kind["kind"], "hashedrekord");
        assert_eq!(kind["version"], if rekor_v2 { "0.0.2" } else { "0.0.1" });

        env.verify(&[s(&file)]).expect_code(0);
        // Another artifact, or another identity, does not verify.
        let other = env.input(&format!("other-{name}"), "hello world!\n");
        env.verify(&[s(&other), "--bundle", s(&out)]).expect_code(1);
        let issuer = env.issuer();
        let r = run(
            env.cmd(),
            [
                "verify",
                "identity",
                "--trusted-root",
                s(&env.root),
                s(&file),
                "--cert-identity",
                "mallory@example.com",
                "--cert-oidc-issuer",
                &issuer,
            ],
        );
        r.expect_code(1);
    }
}

#[test]
fn attest_then_verify_rekor_v1_and_v2() {
    let env = Env::start("attest");
    let slsa_v1 = env.input(
        "slsa1.json",
        r#"{"buildDefinition":{"buildType":"https://example.com/build","externalParameters":{}},"runDetails":{"builder":{"id":"https://example.com/builder"}}}"#,
    );
    let custom = env.input("custom.json", r#"{"anything":[1,2,3]}"#);
    for rekor_v2 in [false, true] {
        let tag = if rekor_v2 { "v2" } else { "v1" };
        let file = env.input(&format!("artifact-{tag}.bin"), "artifact bytes");
        let out = env.dir.join(&format!("artifact-{tag}.slsa.json"));
        env.sign(
            "attest",
            rekor_v2,
            &[
                s(&file),
                "--predicate",
                s(&slsa_v1),
                "--predicate-type",
                "https://slsa.dev/provenance/v1",
                "--bundle",
                s(&out),
            ],
        )
        .expect_code(0);
        let bundle = bundle_json(&out);
        assert_eq!(
            bundle["dsseEnvelope"]["payloadType"],
            "application/vnd.in-toto+json"
        );
        let kind = &bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"];
        if rekor_v2 {
            assert_eq!(
                (kind["kind"].as_str(), kind["version"].as_str()),
                (Some("hashedrekord"), Some("0.0.2"))
            );
        } else {
            assert_eq!(
                (kind["kind"].as_str(), kind["version"].as_str()),
                (Some("dsse"), Some("0.0.1"))
            );
        }
        // The statement names the file by its base name and SHA-256.
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::STANDARD
            .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap();
        let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
        assert_eq!(
            statement["subject"][0]["name"],
            format!("artifact-{tag}.bin")
        );
        let digest = sigstore_crypto::HashAlgorithm::Sha256
            .digest(b"artifact bytes")
            .to_hex();
        assert_eq!(statement["subject"][0]["digest"]["sha256"], digest);
        env.verify(&[s(&file), "--bundle", s(&out)]).expect_code(0);

        // Any predicate type, default output name.
        env.sign(
            "attest",
            rekor_v2,
            &[
                s(&file),
                "--predicate",
                s(&custom),
                "--predicate-type",
                "https://example.com/custom/v1",
            ],
        )
        .expect_code(0);
        env.verify(&[s(&file)]).expect_code(0);
    }
}

#[test]
fn attest_checks_slsa_shape_and_statement_subjects() {
    let env = Env::start("attest-checks");
    let file = env.input("a.bin", "a");
    let bad = [
        (
            "https://slsa.dev/provenance/v1",
            r#"{"buildDefinition":{}}"#,
        ),
        (
            "https://slsa.dev/provenance/v1",
            r#"{"buildDefinition":{},"runDetails":[]}"#,
        ),
        ("https://slsa.dev/provenance/v0.2", r#"{"buildType":"x"}"#),
        (
            "https://slsa.dev/provenance/v0.2",
            r#"{"builder":{"id":""},"buildType":"x"}"#,
        ),
        (
            "https://slsa.dev/provenance/v0.2",
            r#"{"builder":{"id":"b"}}"#,
        ),
        ("https://example.com/any", r#"[1,2]"#),
        ("https://example.com/any", r#"{"truncated": "#),
    ];
    for (i, (predicate_type, predicate)) in bad.iter().enumerate() {
        let pred = env.dir.write(&format!("pred{i}.json"), predicate);
        let r = env.sign(
            "attest",
            false,
            &[
                s(&file),
                "--predicate",
                s(&pred),
                "--predicate-type",
                predicate_type,
            ],
        );
        r.expect_code(1);
        assert_eq!(error_lines(&r).len(), 1, "{r:#?}");
        assert!(!env.dir.join("a.bin.sigstore.json").exists(), "{r:#?}");
    }
    // SLSA v0.2 with the required shape passes.
    let v02 = env.dir.write(
        "v02.json",
        r#"{"builder":{"id":"https://example.com/b"},"buildType":"https://example.com/t"}"#,
    );
    env.sign(
        "attest",
        false,
        &[
            s(&file),
            "--predicate",
            s(&v02),
            "--predicate-type",
            "https://slsa.dev/provenance/v0.2",
        ],
    )
    .expect_code(0);
    env.verify(&[s(&file)]).expect_code(0);

    // A ready statement must name every file.
    let digest = sigstore_crypto::HashAlgorithm::Sha256.digest(b"a").to_hex();
    let good = env.dir.write(
        "statement.json",
        serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "whatever", "digest": {"sha256": digest}}],
            "predicateType": "https://example.com/p",
            "predicate": {"k": "v"}
        })
        .to_string(),
    );
    let out = env.dir.join("stmt.sigstore.json");
    env.sign(
        "attest",
        true,
        &[s(&file), "--statement", s(&good), "--bundle", s(&out)],
    )
    .expect_code(0);
    env.verify(&[s(&file), "--bundle", s(&out)]).expect_code(0);
    let other = env.input("b.bin", "b");
    let r = env.sign("attest", false, &[s(&other), "--statement", s(&good)]);
    r.expect_code(1);
    assert!(r.stderr.contains("no subject"), "{r:#?}");
    assert!(!env.dir.join("b.bin.sigstore.json").exists());
    // --predicate without --predicate-type, or with --statement: usage errors.
    env.sign("attest", false, &[s(&file), "--predicate", s(&v02)])
        .expect_code(2);
    env.sign(
        "attest",
        false,
        &[
            s(&file),
            "--statement",
            s(&good),
            "--predicate",
            s(&v02),
            "--predicate-type",
            "x",
        ],
    )
    .expect_code(2);
}

#[test]
fn one_certificate_signs_many_files() {
    let env = Env::start("many");
    // More inputs than are signed at once.
    let count = sigstore_cli::sign::MAX_CONCURRENT_SIGNINGS + 4;
    let files: Vec<_> = (0..count)
        .map(|i| env.input(&format!("f{i}.txt"), &format!("file {i}")))
        .collect();
    let outdir = env.dir.join("out");
    std::fs::create_dir(&outdir).unwrap();
    let mut args: Vec<&str> = files.iter().map(|f| s(f)).collect();
    args.extend_from_slice(&["--output-directory", s(&outdir)]);
    let r = env.sign("sign", true, &args);
    r.expect_code(0);
    assert_eq!(r.lines().len(), count, "{r:#?}");
    let mut leaves = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let out = outdir.join(format!("f{i}.txt.sigstore.json"));
        leaves.push(leaf_b64(&bundle_json(&out)));
        env.verify(&[s(file), "--bundle", s(&out)]).expect_code(0);
    }
    assert!(leaves.windows(2).all(|w| w[0] == w[1]), "one certificate");
    // Nothing but the bundles in the output directory (no temporary files).
    assert_eq!(listing(&outdir).len(), count);
    // Two inputs with the same base name would collide: a usage error.
    let sub = env.dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let dup = sub.join("f0.txt");
    std::fs::write(&dup, "dup").unwrap();
    env.sign(
        "sign",
        false,
        &[
            s(&files[0]),
            s(&dup),
            "--output-directory",
            s(&outdir),
            "--overwrite",
        ],
    )
    .expect_code(2);
}

#[test]
fn existing_outputs_are_never_overwritten_without_overwrite() {
    let env = Env::start("overwrite");
    let a = env.input("a.txt", "a");
    let b = env.input("b.txt", "b");
    env.sign("sign", false, &[s(&a)]).expect_code(0);
    let a_out = env.dir.join("a.txt.sigstore.json");
    let first = std::fs::read(&a_out).unwrap();

    // Refused before any request: a.txt's bundle exists, so b.txt's is not written either.
    let r = env.sign("sign", false, &[s(&b), s(&a)]);
    r.expect_code(2);
    assert!(r.stderr.contains("already exists"), "{r:#?}");
    assert!(r.stderr.contains("--overwrite"), "{r:#?}");
    assert!(
        !r.stderr.contains("Signing as"),
        "checked before signing: {r:#?}"
    );
    assert_eq!(std::fs::read(&a_out).unwrap(), first);
    assert!(!env.dir.join("b.txt.sigstore.json").exists());

    // An explicit --bundle target, and a detached output, are protected the same way.
    let taken = env.input("taken.json", "keep me");
    env.sign("sign", false, &[s(&b), "--bundle", s(&taken)])
        .expect_code(2);
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep me");
    let sig = env.input("b.sig", "keep me too");
    env.sign("sign", false, &[s(&b), "--signature", s(&sig)])
        .expect_code(2);
    assert_eq!(std::fs::read_to_string(&sig).unwrap(), "keep me too");

    // --overwrite replaces it with a new, valid bundle.
    env.sign("sign", false, &[s(&a), "--overwrite"])
        .expect_code(0);
    assert_ne!(std::fs::read(&a_out).unwrap(), first);
    env.verify(&[s(&a)]).expect_code(0);
    assert_eq!(
        env.listing(),
        vec![
            "a.txt",
            "a.txt.sigstore.json",
            "b.sig",
            "b.txt",
            "taken.json"
        ]
    );
}

#[test]
fn detached_outputs_round_trip_through_discovery() {
    let env = Env::start("detached");
    let file = env.input("legacy.txt", "legacy artifact\n");
    let (sig, crt, rekor) = (
        env.dir.join("legacy.txt.sig"),
        env.dir.join("legacy.txt.crt"),
        env.dir.join("legacy.txt.rekor"),
    );
    let r = env.sign(
        "sign",
        false,
        &[
            s(&file),
            "--no-default-files",
            "--signature",
            s(&sig),
            "--certificate",
            s(&crt),
            "--rekor-bundle",
            s(&rekor),
        ],
    );
    r.expect_code(0);
    // Only the detached files (--no-default-files): discovery must find them, not a bundle.
    assert_eq!(
        env.listing(),
        vec![
            "legacy.txt",
            "legacy.txt.crt",
            "legacy.txt.rekor",
            "legacy.txt.sig"
        ]
    );
    let sig_text = std::fs::read_to_string(&sig).unwrap();
    assert!(sig_text.ends_with('\n') && !sig_text.trim_end().contains('\n'));
    assert!(std::fs::read_to_string(&crt)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----\n"));
    let rekor_json = read_json(&rekor);
    assert!(rekor_json["SignedEntryTimestamp"].is_string());
    assert!(rekor_json["Payload"]["logIndex"].is_i64());
    assert!(rekor_json["Payload"]["integratedTime"].is_i64());
    assert_eq!(rekor_json["Payload"]["logID"].as_str().unwrap().len(), 64);
    let r = env.verify(&[s(&file)]);
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {}", file.display())]);
    // Explicit flags work too; a tampered artifact does not verify.
    env.verify(&[
        s(&file),
        "--signature",
        s(&sig),
        "--certificate",
        s(&crt),
        "--rekor-bundle",
        s(&rekor),
    ])
    .expect_code(0);
    std::fs::write(&file, "tampered\n").unwrap();
    env.verify(&[s(&file)]).expect_code(1);

    // A bundle as well when --bundle is given.
    let file2 = env.input("both.txt", "both");
    let out = env.dir.join("both.bundle.json");
    env.sign(
        "sign",
        false,
        &[
            s(&file2),
            "--bundle",
            s(&out),
            "--certificate",
            s(&env.dir.join("both.crt")),
        ],
    )
    .expect_code(0);
    env.verify(&[s(&file2), "--bundle", s(&out)]).expect_code(0);

    // .rekor needs a Rekor v1 entry: refused up front with a v2 config.
    let file3 = env.input("v2.txt", "v2");
    let r = env.sign(
        "sign",
        true,
        &[
            s(&file3),
            "--rekor-bundle",
            s(&env.dir.join("v2.txt.rekor")),
        ],
    );
    r.expect_code(1);
    assert!(r.stderr.contains("Rekor v1"), "{r:#?}");
    assert!(!env.dir.join("v2.txt.rekor").exists());
    // Detached outputs take one input.
    env.sign(
        "sign",
        false,
        &[
            s(&file2),
            s(&file3),
            "--signature",
            s(&env.dir.join("x.sig")),
        ],
    )
    .expect_code(2);
}

#[test]
fn token_and_trust_sources() {
    let env = Env::start("sources");
    let file = env.input("t.txt", "t");
    let token = env.token();

    // Token from the environment, trust from a client trust config.
    let mut cmd = env.cmd();
    cmd.env("SIGSTORE_IDENTITY_TOKEN", &token);
    let r = run(
        cmd,
        ["sign", s(&file), "--trust-config", s(&env.trust_config)],
    );
    r.expect_code(0);
    assert!(!r.stderr.contains(&token));
    env.verify(&[s(&file)]).expect_code(0);

    // No token at all: a usage error saying why.
    let other = env.input("u.txt", "u");
    let r = run(
        env.cmd(),
        ["sign", s(&other), "--trust-config", s(&env.trust_config)],
    );
    r.expect_code(2);
    assert!(r.stderr.contains("SIGSTORE_IDENTITY_TOKEN"), "{r:#?}");
    assert!(r.stderr.contains("--oidc-device"), "{r:#?}");

    // --rekor-version filters the services.
    let r = env.sign("sign", false, &[s(&other), "--rekor-version", "2"]);
    r.expect_code(1);
    assert!(r.stderr.contains("no usable Rekor v2 log"), "{r:#?}");
    let r = env.sign("sign", true, &[s(&other), "--rekor-version", "1"]);
    r.expect_code(1);
    assert!(r.stderr.contains("no usable Rekor v1 log"), "{r:#?}");
    env.sign("sign", false, &[s(&other), "--rekor-version", "3"])
        .expect_code(2);
    env.sign("sign", true, &[s(&other), "--rekor-version", "2"])
        .expect_code(0);
    let kind = &read_json(&env.dir.join("u.txt.sigstore.json"))["verificationMaterial"]
        ["tlogEntries"][0]["kindVersion"]["version"];
    assert_eq!(kind, "0.0.2");

    // Usage mistakes: --bundle with two inputs, a missing input file.
    let r = env.sign("sign", false, &[s(&file), s(&other), "--bundle", "x.json"]);
    r.expect_code(2);
    let r = env.sign("sign", false, &[s(&env.dir.join("missing.txt"))]);
    r.expect_code(1);
    assert_eq!(error_lines(&r).len(), 1, "{r:#?}");
    // --trusted-root without --signing-config is a usage error.
    let r = run(
        env.cmd(),
        [
            "sign",
            s(&file),
            "--identity-token",
            &token,
            "--trusted-root",
            s(&env.root),
        ],
    );
    r.expect_code(2);
}

#[test]
fn conformance_sign_bundle() {
    let env = Env::start("conf-sign");
    let conf = || {
        let mut cmd = conformance();
        fast_http(&mut cmd);
        cmd
    };
    let issuer = env.issuer();
    let file = env.input("artifact.txt", "conformance artifact");
    for (rekor_v2, config) in [(false, &env.config_v1), (true, &env.config_v2)] {
        let out = env.dir.join(&format!("msg-{rekor_v2}.json"));
        run(
            conf(),
            [
                "sign-bundle",
                "--identity-token",
                &env.token(),
                "--bundle",
                s(&out),
                "--trusted-root",
                s(&env.root),
                "--signing-config",
                s(config),
                s(&file),
            ],
        )
        .expect_code(0);
        let verify = |bundle: &std::path::Path| {
            run(
                conf(),
                [
                    "verify-bundle",
                    "--bundle",
                    s(bundle),
                    "--certificate-identity",
                    EMAIL,
                    "--certificate-oidc-issuer",
                    &issuer,
                    "--trusted-root",
                    s(&env.root),
                    s(&file),
                ],
            )
        };
        verify(&out).expect_code(0);

        // --in-toto: FILE is a statement about the artifact.
        let digest = sigstore_crypto::HashAlgorithm::Sha256
            .digest(b"conformance artifact")
            .to_hex();
        let statement = env.dir.write(
            &format!("statement-{rekor_v2}.json"),
            serde_json::json!({
                "_type": "https://in-toto.io/Statement/v1",
                "subject": [{"name": "artifact.txt", "digest": {"sha256": digest}}],
                "predicateType": "https://example.com/p",
                "predicate": {}
            })
            .to_string(),
        );
        let dsse = env.dir.join(&format!("dsse-{rekor_v2}.json"));
        run(
            conf(),
            [
                "sign-bundle",
                "--in-toto",
                "--identity-token",
                &env.token(),
                "--bundle",
                s(&dsse),
                "--trusted-root",
                s(&env.root),
                "--signing-config",
                s(config),
                s(&statement),
            ],
        )
        .expect_code(0);
        assert!(read_json(&dsse)["dsseEnvelope"].is_object());
        verify(&dsse).expect_code(0);
    }
    // A bad token fails with exit 1 and writes nothing.
    let out = env.dir.join("bad.json");
    let r = run(
        conf(),
        [
            "sign-bundle",
            "--identity-token",
            "not.a.token",
            "--bundle",
            s(&out),
            "--trusted-root",
            s(&env.root),
            "--signing-config",
            s(&env.config_v1),
            s(&file),
        ],
    );
    r.expect_code(1);
    assert!(!out.exists());
}
