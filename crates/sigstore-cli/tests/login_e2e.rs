//! End to end through a real OpenID provider: `sigstore sign` logs in through headless
//! Chromium (the browser flow, the device flow) against `oidc-provider` from the shared local
//! stack, signs through the testkit, whose Fulcio trusts that provider, and the bundle
//! verifies for the identity typed on the provider's login page.
//!
//! Needs the stack (`SIGSTORE_STACK_DIR`, see the README); without it every test prints that
//! it is skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod sign_common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{run, s};
use sign_common::Env;
use sigstore_testkit::ExternalIssuer;

/// The stack's folder, or `None` (after saying so) when the stack is not configured.
fn stack() -> Option<PathBuf> {
    match std::env::var_os("SIGSTORE_STACK_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => {
            eprintln!("skipped: SIGSTORE_STACK_DIR not set");
            None
        }
    }
}

/// The provider with the login page.
fn issuer() -> String {
    std::env::var("SIGSTORE_STACK_OIDC").unwrap_or_else(|_| "http://127.0.0.1:19090".into())
}

/// The testkit services with the stack's provider trusted by their Fulcio.
fn env_trusting_provider(tag: &str) -> Env {
    let env = Env::start(tag);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let external = runtime
        .block_on(ExternalIssuer::discover_with_retry(
            &issuer(),
            Duration::from_secs(10),
        ))
        .expect("the stack's OpenID provider is up");
    env.kit.trust_issuer(external);
    env
}

/// A `BROWSER` command that logs in as `login` on the provider's page in headless Chromium.
fn browser_script(env: &Env, stack: &Path, login: &str) -> PathBuf {
    let script = env.dir.path().join(format!("browser-{login}.sh"));
    let body = format!(
        "#!/bin/sh\nexec env NODE_MODULES_DIR='{}' LOGIN='{login}' node '{}' \"$1\"\n",
        stack.join("node").display(),
        sigstore_test_support::local_stack_tools()
            .expect("the local-stack tools (../shared/tools/local-stack)")
            .join("browser-login.cjs")
            .canonicalize()
            .expect("../shared/tools/local-stack/browser-login.cjs")
            .display()
    );
    std::fs::write(&script, body).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

/// `sigstore sign FILE` with no token anywhere, so it logs in through `--oidc-issuer`.
fn sign_command(env: &Env, file: &Path, extra: &[&str]) -> Command {
    let mut cmd = env.cmd();
    cmd.args([
        "sign",
        s(file),
        "--trusted-root",
        s(&env.root),
        "--signing-config",
        s(&env.config_v1),
        "--oidc-issuer",
        &issuer(),
        "--oidc-disable-ambient-providers",
    ]);
    cmd.args(extra);
    cmd
}

/// `sigstore verify identity FILE` for `email` from the stack's provider.
fn verify(env: &Env, file: &Path, email: &str) -> common::Run {
    run(
        env.cmd(),
        [
            "verify",
            "identity",
            s(file),
            "--trusted-root",
            s(&env.root),
            "--cert-identity",
            email,
            "--cert-oidc-issuer",
            &issuer(),
        ],
    )
}

#[test]
fn browser_login_signs_and_verifies() {
    let Some(stack) = stack() else { return };
    let env = env_trusting_provider("login-browser");
    let file = env.input("artifact.txt", "signed after a browser login\n");
    let mut cmd = sign_command(&env, &file, &[]);
    cmd.env("BROWSER", browser_script(&env, &stack, "erin"));
    let r = run(cmd, [""; 0]);
    r.expect_code(0);
    assert!(
        r.stderr.contains("Signing as erin@example.test"),
        "the identity is shown before signing: {r:#?}"
    );
    assert!(!r.stderr.contains("eyJ"), "a token was printed: {r:#?}");
    let bundle = PathBuf::from(format!("{}.sigstore.json", file.display()));
    assert!(bundle.is_file());

    let ok = verify(&env, &file, "erin@example.test");
    ok.expect_code(0);
    let other = verify(&env, &file, "alice@example.test");
    assert_ne!(
        other.code,
        Some(0),
        "verified for another identity: {other:#?}"
    );
}

#[test]
fn device_login_signs_and_verifies() {
    let Some(stack) = stack() else { return };
    let env = env_trusting_provider("login-device");
    let file = env.input("artifact.txt", "signed after a device login\n");
    let mut cmd = sign_command(&env, &file, &["--oidc-device"]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start sigstore sign --oidc-device");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    let started = Instant::now();
    // The CLI prints "(or open URL)" with the user code in the URL: approve it in Chromium.
    let url = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            panic!("sign ended before printing the device URL: {seen:#?}");
        };
        seen.push(line.clone());
        if let Some(rest) = line.trim().strip_prefix("(or open ") {
            break rest.trim_end_matches(')').to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no device URL: {seen:#?}"
        );
    };
    let approve = Command::new(browser_script(&env, &stack, "frank"))
        .arg(&url)
        .output()
        .expect("run the browser");
    assert!(
        approve.status.success(),
        "{}",
        String::from_utf8_lossy(&approve.stderr)
    );
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "{seen:#?} {rest:#?}");
    assert!(
        rest.iter()
            .any(|l| l.contains("Signing as frank@example.test")),
        "{rest:#?}"
    );
    let ok = verify(&env, &file, "frank@example.test");
    ok.expect_code(0);
}

#[test]
fn get_identity_token_through_the_browser() {
    let Some(stack) = stack() else { return };
    let env = env_trusting_provider("login-token");
    let mut cmd = env.cmd();
    cmd.env("BROWSER", browser_script(&env, &stack, "grace"));
    let r = run(
        cmd,
        [
            "get-identity-token",
            "--oidc-issuer",
            &issuer(),
            "--oidc-disable-ambient-providers",
        ],
    );
    r.expect_code(0);
    let token = r.stdout.trim();
    let payload = token.split('.').nth(1).expect("a JWT");
    use base64::Engine as _;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["email"], "grace@example.test");
    assert_eq!(claims["iss"], issuer());
}

#[test]
fn provider_down_is_a_clear_error() {
    if stack().is_none() {
        return;
    }
    let env = Env::start("login-down");
    let file = env.input("artifact.txt", "never signed\n");
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut cmd = env.cmd();
    cmd.env("BROWSER", "true");
    let r = run(
        cmd,
        [
            "sign",
            s(&file),
            "--trusted-root",
            s(&env.root),
            "--signing-config",
            s(&env.config_v1),
            "--oidc-issuer",
            &format!("http://127.0.0.1:{port}"),
            "--oidc-disable-ambient-providers",
        ],
    );
    assert_ne!(r.code, Some(0), "{r:#?}");
    assert!(!r.stderr.contains("panicked"), "{r:#?}");
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{port}")),
        "the error names the provider: {r:#?}"
    );
    assert!(!PathBuf::from(format!("{}.sigstore.json", file.display())).exists());
}
