//! Identity tokens from the environment: `sigstore get-identity-token` and `sigstore sign`
//! with ambient credentials (GitLab CI, a token file, GitHub Actions against a local token
//! endpoint), `--oidc-disable-ambient-providers`, the error without any token, and the order
//! `--identity-token`, `SIGSTORE_IDENTITY_TOKEN`, ambient detection; an out-of-band login
//! that times out while standard input stays open; and the token audience `--oidc-client-id`
//! sets.
//!
//! Every run starts from an EMPTY environment (`env_clear`) plus PATH, HOME and the variables
//! the case needs, so CI variables of the machine running the tests change nothing.
#![allow(clippy::unwrap_used)]

mod common;
mod sign_common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::*;
use sign_common::*;
use sigstore_testkit::Endpoint;

/// A compact JWS with the given claims (unsigned: only its shape matters to detection).
fn fake_jwt(claims: &serde_json::Value) -> String {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.{}",
        b64(br#"{"alg":"ES256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes()),
        b64(b"not-a-real-signature")
    )
}

fn test_jwt(tag: &str) -> String {
    fake_jwt(&serde_json::json!({
        "iss": "https://issuer.example",
        "sub": tag,
        "aud": "sigstore",
        "iat": 1_700_000_000u64,
        "exp": 4_000_000_000u64,
    }))
}

/// The `sigstore` binary with an empty environment except PATH, HOME and a scratch TMPDIR.
fn clean_cmd(home: &TempDir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sigstore"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path());
    cmd
}

fn get_token(home: &TempDir, vars: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = clean_cmd(home);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let mut all = vec!["get-identity-token"];
    all.extend_from_slice(args);
    run(cmd, all)
}

#[test]
fn gitlab_token_is_printed() {
    let home = TempDir::new("oidc-gitlab");
    let jwt = test_jwt("gitlab");
    let r = get_token(
        &home,
        &[("GITLAB_CI", "true"), ("SIGSTORE_ID_TOKEN", &jwt)],
        &[],
    );
    r.expect_code(0);
    assert_eq!(r.lines(), vec![jwt.as_str()], "{r:#?}");
    assert!(
        r.stderr.contains("Using an identity token from GitLab CI"),
        "{r:#?}"
    );
    assert!(!r.stderr.contains(&jwt), "the token went to stderr: {r:#?}");
}

#[test]
fn gitlab_without_its_token_fails_clearly() {
    let home = TempDir::new("oidc-gitlab-missing");
    let r = get_token(&home, &[("GITLAB_CI", "true")], &[]);
    r.expect_code(1);
    assert!(r.stdout.is_empty(), "{r:#?}");
    assert!(r.stderr.contains("SIGSTORE_ID_TOKEN"), "{r:#?}");
    assert!(r.stderr.contains("id_tokens"), "{r:#?}");
}

#[test]
fn token_file_is_printed() {
    let home = TempDir::new("oidc-file");
    let jwt = test_jwt("file");
    let file = home.write("oidc-token", format!("{jwt}\n"));
    let r = get_token(&home, &[("SIGSTORE_ID_TOKEN_FILE", s(&file))], &[]);
    r.expect_code(0);
    assert_eq!(r.lines(), vec![jwt.as_str()], "{r:#?}");
    assert!(
        r.stderr.contains("Using an identity token from token file"),
        "{r:#?}"
    );

    // A named file that does not exist is an error, not a silent fall-through.
    let missing = home.join("absent");
    let r = get_token(&home, &[("SIGSTORE_ID_TOKEN_FILE", s(&missing))], &[]);
    r.expect_code(1);
    assert!(r.stdout.is_empty(), "{r:#?}");
    assert!(r.stderr.contains("absent"), "{r:#?}");

    // Not a JWT: rejected.
    let junk = home.write("junk", "<html>error</html>");
    let r = get_token(&home, &[("SIGSTORE_ID_TOKEN_FILE", s(&junk))], &[]);
    r.expect_code(1);
    assert!(r.stdout.is_empty(), "{r:#?}");
}

/// A one-route token endpoint on 127.0.0.1 answering `{"value": jwt}` to requests carrying
/// `Authorization: Bearer <request_token>` and 401 otherwise. Returns its URL and the request
/// heads it received.
fn github_endpoint(request_token: &str, jwt: &str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let url = format!(
        "http://127.0.0.1:{}/token?api-version=2.0",
        listener.local_addr().unwrap().port()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (expected, jwt, log) = (
        format!("bearer {request_token}"),
        jwt.to_owned(),
        seen.clone(),
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                head.push(line.trim_end().to_owned());
            }
            let authorized = head.iter().any(|h| {
                h.split_once(':').is_some_and(|(name, value)| {
                    name.eq_ignore_ascii_case("authorization")
                        && value.trim().eq_ignore_ascii_case(&expected)
                })
            });
            let audience = head
                .first()
                .is_some_and(|l| l.contains("audience=sigstore") && l.starts_with("GET "));
            log.lock().unwrap().push(head.join("\n"));
            let (status, body) = if authorized && audience {
                ("200 OK", serde_json::json!({ "value": jwt }).to_string())
            } else {
                ("401 Unauthorized", r#"{"message":"bad"}"#.to_owned())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.flush();
        }
    });
    (url, seen)
}

#[test]
fn github_actions_token_is_fetched_and_printed() {
    let home = TempDir::new("oidc-github");
    let jwt = test_jwt("github");
    let (url, seen) = github_endpoint("request-secret", &jwt);
    let r = get_token(
        &home,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-secret"),
        ],
        &[],
    );
    r.expect_code(0);
    assert_eq!(r.lines(), vec![jwt.as_str()], "{r:#?}");
    assert!(
        r.stderr
            .contains("Using an identity token from GitHub Actions"),
        "{r:#?}"
    );
    assert!(!r.stderr.contains("request-secret"), "{r:#?}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert!(
        seen[0].starts_with("GET /token?api-version=2.0&audience=sigstore "),
        "{seen:#?}"
    );

    // A wrong request token: the endpoint refuses, and so does the command.
    let r = get_token(
        &home,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong"),
        ],
        &[],
    );
    r.expect_code(1);
    assert!(r.stdout.is_empty(), "{r:#?}");
    assert!(r.stderr.contains("GitHub Actions"), "{r:#?}");

    // GitHub Actions without `id-token: write`: the request variables are missing.
    let r = get_token(&home, &[("GITHUB_ACTIONS", "true")], &[]);
    r.expect_code(1);
    assert!(r.stderr.contains("id-token: write"), "{r:#?}");
}

#[test]
fn disabled_ambient_providers_are_not_consulted() {
    let home = TempDir::new("oidc-disabled");
    let r = get_token(
        &home,
        &[("GITLAB_CI", "true")],
        &["--oidc-disable-ambient-providers"],
    );
    r.expect_code(1);
    assert!(r.stdout.is_empty(), "{r:#?}");
    assert!(
        r.stderr.contains("--oidc-disable-ambient-providers"),
        "{r:#?}"
    );
    assert!(r.stderr.contains("no identity token"), "{r:#?}");

    // Token files are ambient too: not read when disabled...
    let jwt = test_jwt("explicit");
    let file = home.write("oidc-token", &jwt);
    let r = get_token(
        &home,
        &[("GITLAB_CI", "true"), ("SIGSTORE_ID_TOKEN_FILE", s(&file))],
        &["--oidc-disable-ambient-providers"],
    );
    r.expect_code(1);
    // ...but SIGSTORE_ID_TOKEN itself is an explicit token and still counts.
    let r = get_token(
        &home,
        &[("GITLAB_CI", "true"), ("SIGSTORE_ID_TOKEN", &jwt)],
        &["--oidc-disable-ambient-providers"],
    );
    r.expect_code(0);
    assert_eq!(r.lines(), vec![jwt.as_str()], "{r:#?}");
    assert!(
        r.stderr
            .contains("Using an identity token from SIGSTORE_ID_TOKEN"),
        "{r:#?}"
    );
}

#[test]
fn no_token_anywhere_names_the_ways_to_supply_one() {
    let home = TempDir::new("oidc-none");
    let r = get_token(&home, &[], &[]);
    r.expect_code(1);
    assert!(r.stdout.is_empty(), "{r:#?}");
    for needle in [
        "no identity token",
        "SIGSTORE_IDENTITY_TOKEN",
        "GitHub Actions",
        "GitLab CI",
        "SIGSTORE_ID_TOKEN_FILE",
        "--oidc-device",
        "BROWSER",
    ] {
        assert!(r.stderr.contains(needle), "missing {needle:?}: {r:#?}");
    }
    assert_eq!(
        r.stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{r:#?}"
    );
}

#[test]
fn sigstore_identity_token_wins_over_ambient() {
    let home = TempDir::new("oidc-order");
    let (explicit, ambient) = (test_jwt("explicit"), test_jwt("ambient"));
    let r = get_token(
        &home,
        &[
            ("SIGSTORE_IDENTITY_TOKEN", &explicit),
            ("GITLAB_CI", "true"),
            ("SIGSTORE_ID_TOKEN", &ambient),
        ],
        &[],
    );
    r.expect_code(0);
    assert_eq!(r.lines(), vec![explicit.as_str()], "{r:#?}");
    assert!(!r.stderr.contains("Using an identity token"), "{r:#?}");
}

#[test]
fn sign_with_an_ambient_gitlab_token_then_verify() {
    let env = Env::start("oidc-sign");
    let home = TempDir::new("oidc-sign-home");
    let file = env.input("ambient.txt", "signed with an ambient token\n");
    let token = env.token();

    let mut cmd = clean_cmd(&home);
    fast_http(&mut cmd);
    cmd.env("GITLAB_CI", "true")
        .env("SIGSTORE_ID_TOKEN", &token);
    let r = run(
        cmd,
        [
            "sign",
            s(&file),
            "--trusted-root",
            s(&env.root),
            "--signing-config",
            s(&env.config_v1),
        ],
    );
    r.expect_code(0);
    assert!(
        r.stderr.contains("Using an identity token from GitLab CI"),
        "{r:#?}"
    );
    assert!(
        r.stderr
            .contains(&format!("Signing as {EMAIL} (issuer {})", env.issuer())),
        "{r:#?}"
    );
    assert!(!r.stderr.contains(&token), "the token was printed: {r:#?}");
    assert!(!r.stdout.contains(&token), "the token was printed: {r:#?}");
    env.verify(&[s(&file)]).expect_code(0);

    // --identity-token always wins: an ambient environment with a junk token changes nothing.
    let other = env.input("explicit.txt", "signed with an explicit token\n");
    let mut cmd = clean_cmd(&home);
    fast_http(&mut cmd);
    cmd.env("GITLAB_CI", "true")
        .env("SIGSTORE_ID_TOKEN", test_jwt("junk"))
        .env("GITHUB_ACTIONS", "true");
    let token = env.token();
    let r = run(
        cmd,
        [
            "sign",
            s(&other),
            "--identity-token",
            &token,
            "--trusted-root",
            s(&env.root),
            "--signing-config",
            s(&env.config_v2),
        ],
    );
    r.expect_code(0);
    assert!(!r.stderr.contains("Using an identity token"), "{r:#?}");
    env.verify(&[s(&other)]).expect_code(0);

    // Ambient detection disabled and no token: the usage error, nothing written.
    let third = env.input("none.txt", "never signed\n");
    let mut cmd = clean_cmd(&home);
    fast_http(&mut cmd);
    cmd.env("GITLAB_CI", "true");
    let r = run(
        cmd,
        [
            "sign",
            s(&third),
            "--oidc-disable-ambient-providers",
            "--trusted-root",
            s(&env.root),
            "--signing-config",
            s(&env.config_v1),
        ],
    );
    r.expect_code(2);
    assert!(
        r.stderr.contains("--oidc-disable-ambient-providers"),
        "{r:#?}"
    );
    assert!(r.stderr.contains("--oidc-device"), "{r:#?}");
    assert!(r.stderr.contains("--identity-token"), "{r:#?}");
    assert!(!env.dir.join("none.txt.sigstore.json").exists());
}

#[test]
fn out_of_band_login_times_out_with_standard_input_open() {
    // The testkit's issuer serves discovery: enough for the flow to print the URL and wait.
    let env = Env::start("oidc-oob");
    let home = TempDir::new("oidc-oob-home");
    let mut cmd = clean_cmd(&home);
    cmd.env("SIGSTORE_LOGIN_TIMEOUT_SECS", "1")
        .env("SIGSTORE_HTTP_RETRIES", "0")
        .args([
            "get-identity-token",
            "--oauth-force-oob",
            "--oidc-issuer",
            &env.issuer(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    // Standard input stays open and nobody types: a read of it never returns.
    let keyboard = child.stdin.take();
    let bound = Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > bound {
            let _ = child.kill();
            let r: Run = child.wait_with_output().unwrap().into();
            panic!("the timed-out login did not exit within {bound:?}: {r:#?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let elapsed = started.elapsed();
    let r: Run = child.wait_with_output().unwrap().into();
    drop(keyboard);
    r.expect_code(1);
    assert!(r.stdout.is_empty(), "{r:#?}");
    for needle in [
        "/authorize?",
        "Enter the verification code",
        "out-of-band login at",
        "did not complete within 1 s",
    ] {
        assert!(r.stderr.contains(needle), "missing {needle:?}: {r:#?}");
    }
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
}

#[test]
fn signing_token_audience_is_the_oidc_client_id() {
    let env = Env::start("oidc-audience");
    let claims = serde_json::json!({
        "sub": EMAIL, "email": EMAIL, "email_verified": true, "aud": "acme",
    });
    let token = env.kit.mint_token(claims.as_object().unwrap());
    let file = env.input("audience.txt", "for another client\n");
    let sign = |extra: &[&str]| {
        let mut args = vec![
            "sign",
            s(&file),
            "--identity-token",
            &token,
            "--trusted-root",
            s(&env.root),
            "--signing-config",
            s(&env.config_v1),
        ];
        args.extend_from_slice(extra);
        let r = run(env.cmd(), &args);
        assert!(!r.stderr.contains(&token), "the token was printed: {r:#?}");
        r
    };

    // By default the token must be meant for `sigstore`: refused before any request.
    let r = sign(&[]);
    r.expect_code(1);
    assert!(r.stderr.contains("unusable identity token"), "{r:#?}");
    assert!(
        r.stderr.contains("audience does not include \"sigstore\""),
        "{r:#?}"
    );
    assert!(r.stderr.contains("--oidc-client-id"), "{r:#?}");
    assert!(!r.stderr.contains("Signing as"), "{r:#?}");
    assert_eq!(env.kit.request_count(Endpoint::FulcioSigningCert), 0);

    // With --oidc-client-id acme the CLI's check accepts it. Getting the certificate then
    // fails (the testkit's Fulcio, like the public one, wants `sigstore`), but later: at the
    // certificate request, not at the CLI's token check.
    let r = sign(&["--oidc-client-id", "acme"]);
    assert!(
        r.stderr
            .contains(&format!("Signing as {EMAIL} (issuer {})", env.issuer())),
        "{r:#?}"
    );
    assert!(
        !r.stderr.contains("error: unusable identity token"),
        "{r:#?}"
    );
    assert!(
        !r.stderr.contains("not meant for the OAuth client"),
        "{r:#?}"
    );
    assert!(
        r.stderr.contains("error: cannot get a signing certificate"),
        "{r:#?}"
    );
    r.expect_code(1);
    assert!(!env.dir.join("audience.txt.sigstore.json").exists());

    // And a `sigstore` token is not an `acme` token.
    let sigstore_token = env.token();
    let r = run(
        env.cmd(),
        [
            "sign",
            s(&file),
            "--identity-token",
            &sigstore_token,
            "--oidc-client-id",
            "acme",
            "--trusted-root",
            s(&env.root),
            "--signing-config",
            s(&env.config_v1),
        ],
    );
    r.expect_code(1);
    assert!(
        r.stderr.contains("audience does not include \"acme\""),
        "{r:#?}"
    );
}
