//! `sigstore verify` options for what other clients lack or do differently: --predicate-type,
//! --witness-key/--witness-threshold, --print-statement and the statement in --json, sha384:
//! and sha512: digest inputs, skipped timestamps and ignored bundled roots.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use ed25519_dalek::Signer as _;
use serde_json::Value;
use sigstore_crypto::HashAlgorithm;

fn identity<'a>(input: &'a str, bundle: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "verify",
        "identity",
        input,
        "--bundle",
        bundle,
        "--cert-identity",
        IDENTITY,
        "--cert-oidc-issuer",
        ISSUER,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn predicate_type_statement_and_json() {
    let bundle = case_bundle("happy-path-intoto-in-dsse-v3");
    let a = a_txt();
    let ok = sigstore_run(identity(
        s(&a),
        s(&bundle),
        &[
            "--offline",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
        ],
    ));
    ok.expect_code(0);
    assert_eq!(ok.lines(), vec![format!("OK: {}", a.display())]);

    let r = sigstore_run(identity(
        s(&a),
        s(&bundle),
        &[
            "--offline",
            "--predicate-type",
            "https://slsa.dev/provenance/v0.2",
        ],
    ));
    r.expect_code(1);
    assert!(
        r.stdout.contains("predicate type is https://slsa.dev/provenance/v1, not the required https://slsa.dev/provenance/v0.2"),
        "{r:#?}"
    );
    // A message signature has no statement.
    let r = sigstore_run(identity(
        s(&a),
        s(&case_bundle("happy-path-v0.3")),
        &[
            "--offline",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
        ],
    ));
    r.expect_code(1);

    let r = sigstore_run(identity(
        s(&a),
        s(&bundle),
        &["--offline", "--print-statement"],
    ));
    r.expect_code(0);
    let (first, rest) = r.stdout.split_once('\n').unwrap();
    assert_eq!(first, format!("OK: {}", a.display()));
    let statement: Value = serde_json::from_str(rest).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["subject"][0]["name"], "a.txt");

    let r = sigstore_run(identity(s(&a), s(&bundle), &["--offline", "--json"]));
    r.expect_code(0);
    let line: Value = serde_json::from_str(r.lines()[0]).unwrap();
    assert_eq!(
        line["result"]["statement"]["statement"]["predicateType"],
        "https://slsa.dev/provenance/v1"
    );
}

#[test]
fn sha384_and_sha512_digest_inputs() {
    // A message signature over SHA-256 cannot be checked from a SHA-512 digest.
    let data = std::fs::read(a_txt()).unwrap();
    let bundle = case_bundle("happy-path-v0.3");
    for alg in [HashAlgorithm::Sha384, HashAlgorithm::Sha512] {
        let input = format!("{}:{}", alg.name(), alg.digest(&data).to_hex());
        let r = sigstore_run(identity(&input, s(&bundle), &["--offline"]));
        r.expect_code(1);
        assert!(
            r.lines()[0].starts_with(&format!("FAIL: {input}: ")),
            "{r:#?}"
        );
    }
    // Malformed digests are usage errors.
    for bad in ["sha512:abcd", "sha384:zz"] {
        sigstore_run(identity(bad, s(&bundle), &["--offline"])).expect_code(2);
    }
    // npm provenance names its subject by sha512 only: the tarball's sha512 verifies.
    let dir = testdata().join("real-world/npm-sigstore-2.0.0-provenance-statement-v1");
    let tarball = std::fs::read(dir.join("sigstore-2.0.0.tgz")).unwrap();
    let input = format!("sha512:{}", HashAlgorithm::Sha512.digest(&tarball).to_hex());
    let r = sigstore_run([
        "verify",
        "github",
        input.as_str(),
        "--bundle",
        s(&dir.join("bundle.json")),
        "--repository",
        "sigstore/sigstore-js",
        "--offline",
    ]);
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {input}")]);
    let sha256 = format!("sha256:{}", HashAlgorithm::Sha256.digest(&tarball).to_hex());
    let r = sigstore_run([
        "verify",
        "github",
        sha256.as_str(),
        "--bundle",
        s(&dir.join("bundle.json")),
        "--repository",
        "sigstore/sigstore-js",
        "--offline",
    ]);
    r.expect_code(1);
}

struct Witness {
    name: &'static str,
    sk: ed25519_dalek::SigningKey,
}

impl Witness {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            sk: ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng),
        }
    }

    fn key_id(&self) -> Vec<u8> {
        let mut msg = self.name.as_bytes().to_vec();
        msg.extend_from_slice(&[b'\n', 0x04]);
        msg.extend_from_slice(&self.sk.verifying_key().to_bytes());
        HashAlgorithm::Sha256.digest(&msg).as_bytes()[..4].to_vec()
    }

    fn vkey(&self) -> String {
        let mut typed = vec![0x04];
        typed.extend_from_slice(&self.sk.verifying_key().to_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.key_id()),
            STANDARD.encode(typed)
        )
    }

    fn line(&self, text: &str) -> String {
        let time = 1_760_000_000u64;
        let sig = self
            .sk
            .sign(format!("cosignature/v1\ntime {time}\n{text}").as_bytes());
        let mut raw = self.key_id();
        raw.extend_from_slice(&time.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        format!("\u{2014} {} {}\n", self.name, STANDARD.encode(raw))
    }
}

#[test]
fn witness_keys() {
    let case = case("rekor2-happy-path");
    let root = case.join("trusted_root.json");
    let mut json = read_json(&case.join("bundle.sigstore.json"));
    let w1 = Witness::new("witness.example/w1");
    let w2 = Witness::new("witness.example/w2");
    let envelope = &mut json["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
        ["checkpoint"]["envelope"];
    let note = envelope.as_str().unwrap().to_owned();
    let text = &note[..note.rfind("\n\n").unwrap() + 1];
    *envelope = format!("{note}{}", w1.line(text)).into();
    let dir = TempDir::new("witness");
    let cosigned = dir.write("cosigned.json", json.to_string());
    let plain = case.join("bundle.sigstore.json");
    let k1 = dir.write("w1.vkey", format!("# witness 1\n{}\n", w1.vkey()));
    let k2 = dir.write("w2.vkey", w2.vkey());
    let a = a_txt();
    let run = |bundle: &std::path::Path, extra: &[&str]| {
        let mut args = identity(s(&a), s(bundle), &["--trusted-root", s(&root)]);
        args.extend_from_slice(extra);
        sigstore_run(args)
    };

    // Without witness keys: unchanged.
    run(&cosigned, &[]).expect_code(0);
    run(&plain, &[]).expect_code(0);
    // w1 cosigned: OK with w1; not without its cosignature.
    let r = run(&cosigned, &["--witness-key", s(&k1)]);
    r.expect_code(0);
    let r = run(&cosigned, &["--witness-key", s(&k1), "--json"]);
    let line: Value = serde_json::from_str(r.lines()[0]).unwrap();
    assert_eq!(
        line["result"]["logEntries"][0]["cosignatures"][0]["witness"],
        "witness.example/w1"
    );
    let r = run(&plain, &["--witness-key", s(&k1)]);
    r.expect_code(1);
    assert!(
        r.stdout
            .contains("0 witness cosignature(s) verified, 1 required"),
        "{r:#?}"
    );
    // Both keys: all by default, one with --witness-threshold 1.
    let r = run(
        &cosigned,
        &["--witness-key", s(&k1), "--witness-key", s(&k2)],
    );
    r.expect_code(1);
    assert!(
        r.stdout
            .contains("1 witness cosignature(s) verified, 2 required"),
        "{r:#?}"
    );
    run(
        &cosigned,
        &[
            "--witness-key",
            s(&k1),
            "--witness-key",
            s(&k2),
            "--witness-threshold",
            "1",
        ],
    )
    .expect_code(0);
    // Usage errors.
    run(
        &cosigned,
        &["--witness-key", s(&k1), "--witness-threshold", "2"],
    )
    .expect_code(2);
    run(
        &cosigned,
        &["--witness-key", s(&k1), "--witness-threshold", "0"],
    )
    .expect_code(2);
    run(&cosigned, &["--witness-threshold", "1"]).expect_code(2);
    let bad = dir.write("bad.vkey", "not a key\n");
    run(&cosigned, &["--witness-key", s(&bad)]).expect_code(2);
    let empty = dir.write("empty.vkey", "# nothing\n");
    run(&cosigned, &["--witness-key", s(&empty)]).expect_code(2);
}

#[test]
fn skipped_timestamps_warn_and_bundled_anchor_roots_are_noted() {
    let dir = TempDir::new("rows");
    // A second, foreign timestamp: skipped with a warning, the good one counts.
    let case_dir = case("rekor2-happy-path");
    let root = case_dir.join("trusted_root.json");
    let mut json = read_json(&case_dir.join("bundle.sigstore.json"));
    let foreign = read_json(&case_bundle("rekor2-timestamp-payload-mismatch_fail"))
        ["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
        .clone();
    json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array_mut()
        .unwrap()
        .push(foreign);
    let doubled = dir.write("doubled.json", json.to_string());
    let a = a_txt();
    let r = sigstore_run(identity(s(&a), s(&doubled), &["--trusted-root", s(&root)]));
    r.expect_code(0);
    assert!(
        r.stderr
            .contains("RFC 3161 timestamp #1 skipped (not counted)"),
        "{r:#?}"
    );
    let r = sigstore_run(identity(
        s(&a),
        s(&doubled),
        &["--trusted-root", s(&root), "--json"],
    ));
    let line: Value = serde_json::from_str(r.lines()[0]).unwrap();
    assert_eq!(line["result"]["skippedTimestamps"][0]["index"], 1);

    // npm's 2023 bundles carry the Fulcio root: ignored, noted with -v.
    let npm = testdata().join("real-world/npm-sigstore-1.3.0-provenance-v0.1-3cert-chain");
    let r = sigstore_run([
        "-v",
        "verify",
        "github",
        s(&npm.join("sigstore-1.3.0.tgz")),
        "--bundle",
        s(&npm.join("bundle.json")),
        "--repository",
        "sigstore/sigstore-js",
        "--offline",
    ]);
    r.expect_code(0);
    assert!(
        r.stderr
            .contains("ignored a bundled root certificate identical to a trust anchor"),
        "{r:#?}"
    );
}
