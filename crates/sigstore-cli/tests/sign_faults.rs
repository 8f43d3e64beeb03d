//! Every fault the testkit can inject into Fulcio, Rekor and the TSA makes `sigstore sign`
//! exit 1 with one clear error line and leave NO output file (nor a temporary one) behind.
#![allow(clippy::unwrap_used)]

mod common;
mod sign_common;

use std::time::Duration;

use common::*;
use sign_common::*;
use sigstore_testkit::{Endpoint, Fault};

/// Signs a fresh file under `fault` and checks the failure: exit 1, one error line naming
/// `words`, nothing written.
fn fails(env: &Env, tag: &str, rekor_v2: bool, endpoint: Endpoint, fault: Fault, words: &[&str]) {
    env.kit.clear_faults();
    env.kit.set_fault(endpoint, fault.clone());
    let name = format!("{tag}.txt");
    let file = env.input(&name, tag);
    let before = env.listing();
    let started = std::time::Instant::now();
    let r = env.sign("sign", rekor_v2, &[s(&file)]);
    env.kit.clear_faults();
    assert_eq!(r.code, Some(1), "{tag} ({fault:?}): {r:#?}");
    assert!(!r.stderr.contains("panicked"), "{tag}: {r:#?}");
    let errors = error_lines(&r);
    assert_eq!(errors.len(), 1, "{tag}: one error line: {r:#?}");
    let error = errors[0].to_lowercase();
    for word in words {
        assert!(
            error.contains(&word.to_lowercase()),
            "{tag}: the error should mention {word:?}: {r:#?}"
        );
    }
    assert_eq!(env.listing(), before, "{tag}: no output file: {r:#?}");
    assert!(r.stdout.is_empty(), "{tag}: {r:#?}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{tag}: too slow: {r:#?}"
    );
    println!("{tag}: {}", errors[0]);
}

#[test]
fn fulcio_faults() {
    let env = Env::start("faults-fulcio");
    let f = Endpoint::FulcioSigningCert;
    fails(
        &env,
        "fulcio-503",
        false,
        f,
        Fault::Status(503),
        &["Fulcio", "503"],
    );
    fails(
        &env,
        "fulcio-429",
        false,
        f,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        &["Fulcio", "429"],
    );
    fails(
        &env,
        "fulcio-malformed",
        false,
        f,
        Fault::MalformedBody,
        &["Fulcio"],
    );
    fails(
        &env,
        "fulcio-truncated",
        false,
        f,
        Fault::TruncatedBody,
        &["Fulcio"],
    );
    fails(
        &env,
        "fulcio-oversized",
        false,
        f,
        Fault::OversizedBody(4 << 20),
        &["Fulcio", "exceeds"],
    );
    fails(
        &env,
        "fulcio-unknown-sct",
        false,
        f,
        Fault::UnknownSctLog,
        &["SCT"],
    );
    fails(
        &env,
        "fulcio-untrusted-chain",
        false,
        f,
        Fault::UntrustedChain,
        &["chain"],
    );
    // A certificate for someone else is never used.
    fails(
        &env,
        "fulcio-wrong-identity",
        false,
        f,
        Fault::WrongIdentity,
        &["mallory@example.com"],
    );
    // A retried fault that clears in time is not an error.
    env.kit.add_fault_times(f, Fault::Status(503), 1);
    let file = env.input("retried.txt", "retried");
    env.sign("sign", false, &[s(&file)]).expect_code(0);
}

#[test]
fn rekor_faults() {
    let env = Env::start("faults-rekor");
    for (rekor_v2, endpoint) in [
        (false, Endpoint::RekorV1CreateEntry),
        (true, Endpoint::RekorV2CreateEntry),
    ] {
        let v = if rekor_v2 { "v2" } else { "v1" };
        fails(
            &env,
            &format!("rekor-{v}-bad-proof"),
            rekor_v2,
            endpoint,
            Fault::BadInclusionProof,
            &[],
        );
        fails(
            &env,
            &format!("rekor-{v}-wrong-checkpoint-key"),
            rekor_v2,
            endpoint,
            Fault::WrongCheckpointKey,
            &[],
        );
        fails(
            &env,
            &format!("rekor-{v}-503"),
            rekor_v2,
            endpoint,
            Fault::Status(503),
            &["Rekor", "503"],
        );
        fails(
            &env,
            &format!("rekor-{v}-malformed"),
            rekor_v2,
            endpoint,
            Fault::MalformedBody,
            &["Rekor"],
        );
    }
}

#[test]
fn tsa_faults_with_rekor_v2() {
    let env = Env::start("faults-tsa");
    let t = Endpoint::TsaTimestamp;
    fails(
        &env,
        "tsa-outside-validity",
        true,
        t,
        Fault::TimestampOutsideValidity,
        &["timestamp"],
    );
    fails(
        &env,
        "tsa-down",
        true,
        t,
        Fault::Status(503),
        &["timestamp"],
    );
    fails(
        &env,
        "tsa-malformed",
        true,
        t,
        Fault::MalformedBody,
        &["timestamp"],
    );
}

#[test]
fn expired_and_malformed_tokens_fail_before_any_request() {
    let env = Env::start("faults-token");
    let file = env.input("tok.txt", "tok");
    let now = sigstore_testkit::system_now().unix_seconds();
    let claims = serde_json::json!({
        "sub": EMAIL, "email": EMAIL, "email_verified": true,
        "iat": now - 1200, "nbf": now - 1200, "exp": now - 600,
    });
    let expired = env.kit.mint_token(claims.as_object().unwrap());
    // Any Fulcio call would fail loudly; the token check comes first.
    env.kit
        .set_fault(Endpoint::FulcioSigningCert, Fault::Status(500));
    for (token, word) in [(expired.as_str(), "expired"), ("not-a-jwt", "malformed")] {
        let r = run(
            env.cmd(),
            [
                "sign",
                s(&file),
                "--identity-token",
                token,
                "--trusted-root",
                s(&env.root),
                "--signing-config",
                s(&env.config_v1),
            ],
        );
        r.expect_code(1);
        let errors = error_lines(&r);
        assert_eq!(errors.len(), 1, "{r:#?}");
        assert!(errors[0].contains(word), "{r:#?}");
        // (Not a bare "500": the expiry message's current time can have such a fraction.)
        assert!(!errors[0].contains("HTTP 500"), "{r:#?}");
        assert!(!r.stderr.contains("Signing as"), "{r:#?}");
        assert!(
            !r.stderr.contains(&expired),
            "the token was printed: {r:#?}"
        );
        assert_eq!(env.listing(), vec!["tok.txt"], "{r:#?}");
    }
}

#[test]
fn one_failing_input_of_many_writes_nothing() {
    let env = Env::start("faults-many");
    let files: Vec<_> = (0..3)
        .map(|i| env.input(&format!("m{i}.txt"), &format!("m{i}")))
        .collect();
    // One Rekor upload (whichever comes first) returns a bad proof: that bundle does not
    // verify, the others do, and still no bundle is written at all.
    env.kit
        .add_fault_times(Endpoint::RekorV1CreateEntry, Fault::BadInclusionProof, 1);
    let args: Vec<&str> = files.iter().map(|f| s(f)).collect();
    let r = env.sign("sign", false, &args);
    r.expect_code(1);
    assert!(
        r.stderr.contains("1 of 3 inputs failed; no output written"),
        "{r:#?}"
    );
    assert_eq!(error_lines(&r).len(), 1, "{r:#?}");
    assert_eq!(env.listing(), vec!["m0.txt", "m1.txt", "m2.txt"], "{r:#?}");
}

/// With Rekor v1 the log entry's time suffices: a failing TSA does not stop signing, but it
/// is reported, and the bundle carries no timestamp from it.
#[test]
fn tsa_failure_with_rekor_v1_is_a_warning() {
    let env = Env::start("faults-tsa-v1");
    env.kit
        .set_fault(Endpoint::TsaTimestamp, Fault::Status(503));
    let file = env.input("v1.txt", "signed while the TSA is down");
    let r = env.sign("sign", false, &[s(&file)]);
    r.expect_code(0);
    assert!(
        r.stderr.contains("WARN") && r.stderr.contains("timestamp authority failed"),
        "{r:#?}"
    );
    // stderr is a pipe here: plain text, no ANSI colour (no ESC byte at all).
    assert!(!r.stderr.contains('\u{1b}'), "{r:#?}");
    assert!(
        r.stderr
            .lines()
            .any(|line| line.trim_start().starts_with("WARN ")),
        "{r:#?}"
    );
    let bundle: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.dir.join("v1.txt.sigstore.json")).expect("bundle written"),
    )
    .expect("bundle JSON");
    let timestamps = &bundle["verificationMaterial"]["timestampVerificationData"];
    assert!(
        timestamps["rfc3161Timestamps"]
            .as_array()
            .is_none_or(|list| list.is_empty()),
        "{bundle:#}"
    );
    env.kit.clear_fault(Endpoint::TsaTimestamp);
    env.verify(&[s(&file)]).expect_code(0);

    // Without the fault the same signing is quiet.
    let quiet = env.input("quiet.txt", "signed with the TSA up");
    let r = env.sign("sign", false, &[s(&quiet)]);
    r.expect_code(0);
    assert!(!r.stderr.contains("WARN"), "{r:#?}");
}
