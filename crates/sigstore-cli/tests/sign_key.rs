//! `sigstore sign --key` and `sigstore attest --key` end to end against the local testkit
//! services (Rekor v1 and v2): ECDSA P-256, ECDSA P-384 and Ed25519 keys, then `sigstore
//! verify key` with the right key (passes) and another key (fails); encrypted keys with the
//! right and a wrong passphrase; unsupported keys and flag conflicts. The keys are
//! sigstore-crypto's OpenSSL-made fixtures (`crates/sigstore-crypto/tests/keys/README.md`).
#![allow(clippy::unwrap_used)]

mod common;
mod sign_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use sign_common::*;

const PASSPHRASE_ENV: &str = "SIGSTORE_KEY_PASSPHRASE";

macro_rules! key {
    ($name:literal) => {
        include_bytes!(concat!(
            "../../sigstore-crypto/tests/keys/managed-",
            $name,
            ".pem"
        ))
        .as_slice()
    };
}

/// `sigstore` with the test HTTP settings and no token or passphrase in the environment.
fn cmd(env: &Env) -> Command {
    let mut cmd = env.cmd();
    cmd.env_remove(PASSPHRASE_ENV);
    cmd
}

/// `sigstore SUBCOMMAND --key KEY --trusted-root .. --signing-config .. ARGS`.
fn sign_with(
    env: &Env,
    mut cmd: Command,
    subcommand: &str,
    key: &Path,
    v2: bool,
    args: &[&str],
) -> Run {
    let config = if v2 { &env.config_v2 } else { &env.config_v1 };
    cmd.args([subcommand, "--key", s(key), "--trusted-root", s(&env.root)])
        .args(["--signing-config", s(config)]);
    run(cmd, args)
}

fn verify_key(env: &Env, public: &Path, file: &Path) -> Run {
    run(
        cmd(env),
        [
            "verify",
            "key",
            "--key",
            s(public),
            "--trusted-root",
            s(&env.root),
            s(file),
        ],
    )
}

fn hint_of(public_pem: &[u8]) -> String {
    let key = sigstore_crypto::PublicKey::from_pem(public_pem).unwrap();
    sigstore_sign::key_hint(&key)
}

fn write(env: &Env, name: &str, bytes: &[u8]) -> PathBuf {
    env.dir.write(name, bytes)
}

#[test]
fn sign_and_attest_with_each_key_type_then_verify_key() {
    let env = Env::start("sign-key");
    let keys: [(&str, &[u8], &[u8], &str); 3] = [
        ("p256", key!("p256"), key!("p256.pub"), "ECDSA P-256"),
        ("p384", key!("p384"), key!("p384.pub"), "ECDSA P-384"),
        ("ed25519", key!("ed25519"), key!("ed25519.pub"), "Ed25519"),
    ];
    let other_public = write(&env, "other.pub.pem", key!("p256-sec1.pub"));
    let (mut passed, mut failed) = (0, 0);
    for v2 in [false, true] {
        let version = if v2 { "v2" } else { "v1" };
        for (name, private, public, kind) in keys {
            let key = write(&env, &format!("{name}-{version}.pem"), private);
            let public_path = write(&env, &format!("{name}-{version}.pub.pem"), public);
            let file = env.input(&format!("{name}-{version}.txt"), "managed key\n");
            let r = sign_with(&env, cmd(&env), "sign", &key, v2, &[s(&file)]);
            r.expect_code(0);
            assert!(
                r.stderr.contains(&format!("Signing with the {kind} key")),
                "{r:#?}"
            );
            let out = env.dir.join(&format!("{name}-{version}.txt.sigstore.json"));
            assert_eq!(r.lines(), vec![format!("Wrote {}", out.display())]);
            let bundle = read_json(&out);
            let material = &bundle["verificationMaterial"];
            assert!(material["certificate"].is_null(), "{name} {version}");
            assert_eq!(material["publicKey"]["hint"], hint_of(public).as_str());
            let kind_version = &material["tlogEntries"][0]["kindVersion"];
            assert_eq!(kind_version["kind"], "hashedrekord");
            assert_eq!(kind_version["version"], if v2 { "0.0.2" } else { "0.0.1" });

            let ok = verify_key(&env, &public_path, &file);
            ok.expect_code(0);
            assert_eq!(ok.lines(), vec![format!("OK: {}", file.display())]);
            // Another key is refused, and so is another artifact.
            let wrong = verify_key(&env, &other_public, &file);
            wrong.expect_code(1);
            assert!(wrong.stdout.starts_with("FAIL: "), "{wrong:#?}");
            let other = env.input(&format!("{name}-{version}-other.txt"), "changed\n");
            run(
                cmd(&env),
                [
                    "verify",
                    "key",
                    "--key",
                    s(&public_path),
                    "--trusted-root",
                    s(&env.root),
                    "--bundle",
                    s(&out),
                    s(&other),
                ],
            )
            .expect_code(1);
            passed += 1;

            // attest --key: DSSE; Ed25519 cannot be logged in Rekor v2.
            let predicate = env.input(&format!("{name}-{version}.predicate.json"), "{\"k\":1}");
            let attested = env.input(&format!("{name}-{version}.att"), "attested\n");
            let r = sign_with(
                &env,
                cmd(&env),
                "attest",
                &key,
                v2,
                &[
                    "--predicate",
                    s(&predicate),
                    "--predicate-type",
                    "https://example.com/p",
                    s(&attested),
                ],
            );
            if v2 && name == "ed25519" {
                r.expect_code(1);
                assert!(r.stderr.contains("Rekor v1"), "{r:#?}");
                assert!(!env
                    .dir
                    .join(&format!("{name}-{version}.att.sigstore.json"))
                    .exists());
                failed += 1;
                continue;
            }
            r.expect_code(0);
            verify_key(&env, &public_path, &attested).expect_code(0);
            verify_key(&env, &other_public, &attested).expect_code(1);
            passed += 1;
        }
    }
    println!("sign/attest --key then verify key: {passed} passed, 0 failed ({failed} refused as designed)");
}

#[test]
fn encrypted_keys_take_the_passphrase_from_the_environment() {
    let env = Env::start("sign-key-enc");
    let public = write(&env, "p256.pub.pem", key!("p256.pub"));
    for (name, private, v2) in [
        ("p256-pbkdf2", key!("p256-pbkdf2"), false),
        ("ed25519-scrypt", key!("ed25519-scrypt"), true),
    ] {
        let key = write(&env, &format!("{name}.pem"), private);
        let file = env.input(&format!("{name}.txt"), "encrypted key\n");
        let out = env.dir.join(&format!("{name}.txt.sigstore.json"));

        // No variable and no terminal: say how to supply it.
        let r = sign_with(&env, cmd(&env), "sign", &key, v2, &[s(&file)]);
        r.expect_code(1);
        assert!(r.stderr.contains(PASSPHRASE_ENV), "{r:#?}");
        assert!(r.stderr.contains("encrypted"), "{r:#?}");

        // The wrong passphrase: one clear error, nothing written.
        let mut wrong = cmd(&env);
        wrong.env(PASSPHRASE_ENV, "not the passphrase");
        let r = sign_with(&env, wrong, "sign", &key, v2, &[s(&file)]);
        r.expect_code(1);
        assert!(
            r.stderr.contains("wrong passphrase or corrupt key"),
            "{r:#?}"
        );
        assert!(!out.exists());

        // The right one.
        let mut right = cmd(&env);
        right.env(PASSPHRASE_ENV, "correct-horse");
        sign_with(&env, right, "sign", &key, v2, &[s(&file)]).expect_code(0);
        assert!(out.exists());
        if name.starts_with("p256") {
            verify_key(&env, &public, &file).expect_code(0);
        } else {
            let ed_public = write(&env, "ed25519.pub.pem", key!("ed25519.pub"));
            verify_key(&env, &ed_public, &file).expect_code(0);
            verify_key(&env, &public, &file).expect_code(1);
        }
    }
}

#[test]
fn unsupported_keys_and_flag_conflicts() {
    let env = Env::start("sign-key-bad");
    let file = env.input("a.txt", "a\n");
    for (name, pem) in [("p521", key!("p521")), ("secp256k1", key!("secp256k1"))] {
        let key = write(&env, &format!("{name}.pem"), pem);
        let r = sign_with(&env, cmd(&env), "sign", &key, false, &[s(&file)]);
        r.expect_code(1);
        assert!(
            r.stderr
                .contains("supported: ECDSA P-256, ECDSA P-384 and Ed25519"),
            "{r:#?}"
        );
    }
    let public = write(&env, "pub.pem", key!("p256.pub"));
    let r = sign_with(&env, cmd(&env), "sign", &public, false, &[s(&file)]);
    r.expect_code(1);
    assert!(r.stderr.contains("not a private key"), "{r:#?}");
    let missing = env.dir.join("missing.pem");
    sign_with(&env, cmd(&env), "sign", &missing, false, &[s(&file)]).expect_code(1);

    let key = write(&env, "p256.pem", key!("p256"));
    let r = sign_with(
        &env,
        cmd(&env),
        "sign",
        &key,
        false,
        &["--identity-token", "x", s(&file)],
    );
    r.expect_code(2);
    let cert = env.dir.join("a.crt");
    let r = sign_with(
        &env,
        cmd(&env),
        "sign",
        &key,
        false,
        &["--certificate", s(&cert), s(&file)],
    );
    r.expect_code(2);
    assert!(r.stderr.contains("--certificate"), "{r:#?}");
    assert_eq!(
        env.listing()
            .iter()
            .filter(|n| n.ends_with(".sigstore.json"))
            .count(),
        0
    );
}
