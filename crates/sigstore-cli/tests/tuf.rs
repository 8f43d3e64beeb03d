//! Trust material over TUF: `trust-instance`, `--instance`, `--offline`, `plumbing
//! update-trust-root`, against TUF repositories generated fresh by python-tuf (the local
//! stack's `make_local_tuf_repo.py`) that publish the testkit's trusted root and signing
//! configs, served over HTTP on 127.0.0.1 by a small file server in this test. Every run has
//! its own home, data and cache directories.
//!
//! Tests that generate repositories need `SIGSTORE_STACK_DIR` (for its python-tuf venv); the
//! others use the production repository snapshot of the shared directory or no repository.
#![allow(clippy::unwrap_used)]

mod common;
mod sign_common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use sign_common::*;
use sigstore_cli::trust::{CacheDirs, Instance};

/// The stack directory, or `None` after printing the skip line.
fn stack_dir() -> Option<PathBuf> {
    match std::env::var_os("SIGSTORE_STACK_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            println!("skipped: SIGSTORE_STACK_DIR not set");
            None
        }
    }
}

/// A TUF repository made by `make_local_tuf_repo.py`: `OUT/metadata`, `OUT/targets`.
struct Repo {
    dir: TempDir,
}

impl Repo {
    /// Publishes `files` (path, target name) with every role expiring in `days` days; with
    /// `rotate`, also a version 2 root with a new root key (signed by the old and new keys).
    fn generate(stack: &Path, tag: &str, files: &[(&Path, &str)], days: i64, rotate: bool) -> Self {
        let dir = TempDir::new(tag);
        let out = dir.join("repo");
        let python = stack.join("venv/bin/python");
        let script = sigstore_test_support::local_stack_tools()
            .expect("the local-stack tools (../shared/tools/local-stack)")
            .join("make_local_tuf_repo.py");
        let mut cmd = Command::new(&python);
        cmd.arg(&script)
            .arg(&out)
            .arg("--days")
            .arg(days.to_string());
        if rotate {
            cmd.arg("--rotate-root");
        }
        for (path, name) in files {
            cmd.arg(format!("{}={name}", s(path)));
        }
        let output = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        assert!(
            output.status.success(),
            "make_local_tuf_repo.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Self { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.join("repo/metadata/1.root.json")
    }

    fn out(&self) -> PathBuf {
        self.dir.join("repo")
    }

    /// The served file of target `name` (`targets/<sha256>.<name>`).
    fn target_file(&self, name: &str) -> PathBuf {
        let suffix = format!(".{name}");
        std::fs::read_dir(self.dir.join("repo/targets"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_str().unwrap().ends_with(&suffix))
            .unwrap_or_else(|| panic!("no target file for {name}"))
    }

    /// Changes one byte of target `name`'s served file (same length, other hash).
    fn tamper(&self, name: &str) {
        let path = self.target_file(name);
        let mut bytes = std::fs::read(&path).unwrap();
        let i = bytes.iter().position(|b| *b == b'{').unwrap();
        bytes[i] = b'[';
        std::fs::write(&path, bytes).unwrap();
    }
}

/// A static file server for a repository laid out as Sigstore serves it: `/<name>` from
/// `metadata/`, `/targets/<name>` from `targets/`.
struct Server {
    url: String,
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(repo: PathBuf) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let repo = repo.clone();
                std::thread::spawn(move || serve_one(stream, &repo));
            }
        });
        Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            stop,
        }
    }

    /// Closes the listening socket (connections are then refused).
    fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        // Wait until the port refuses connections.
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not stop");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !self.stop.load(Ordering::SeqCst) {
            self.stop();
        }
    }
}

fn serve_one(mut stream: TcpStream, repo: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("/");
    let rel = path.trim_start_matches('/');
    let safe = !rel.is_empty()
        && rel
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..");
    let file = match rel.strip_prefix("targets/") {
        Some(name) => repo.join("targets").join(name),
        None => repo.join("metadata").join(rel),
    };
    let (status, body) = match std::fs::read(&file) {
        Ok(bytes) if safe => ("200 OK", bytes),
        _ => ("404 Not Found", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// The `sigstore` binary with fast HTTP settings, no ambient token, and `home`.
fn cmd(home: &Path) -> Command {
    let mut cmd = sigstore();
    fast_http(&mut cmd);
    set_home(&mut cmd, home);
    cmd
}

fn dirs(home: &Path, instance: &Instance) -> CacheDirs {
    CacheDirs::under(&home.join("data"), &home.join("cache"), instance)
}

fn custom(url: &str) -> Instance {
    Instance::parse(url).unwrap()
}

/// Every path below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            }
            out.push(path);
        }
    }
    out
}

/// No temporary file or directory is left anywhere below `home`.
#[track_caller]
fn assert_no_temporaries(home: &Path) {
    let left: Vec<PathBuf> = walk(home)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".tmp") || name.contains(".new-") || name.contains(".old-")
        })
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// `verify identity FILE` as the testkit's [`EMAIL`] with `trust` flags.
fn verify(env: &Env, home: &Path, file: &Path, trust: &[&str]) -> Run {
    let issuer = env.issuer();
    let mut args = vec!["verify", "identity", s(file)];
    args.extend_from_slice(trust);
    args.extend_from_slice(&["--cert-identity", EMAIL, "--cert-oidc-issuer", &issuer]);
    run(cmd(home), &args)
}

/// `sign FILE` with a fresh testkit token and `trust` flags.
fn sign(env: &Env, home: &Path, file: &Path, trust: &[&str]) -> Run {
    let token = env.token();
    let mut args = vec!["sign", s(file), "--identity-token", &token];
    args.extend_from_slice(trust);
    let r = run(cmd(home), &args);
    assert!(!r.stderr.contains(&token), "the token was printed: {r:#?}");
    r
}

#[test]
fn private_instance_trust_sign_verify_then_offline() {
    let Some(stack) = stack_dir() else { return };
    let env = Env::start("tuf-flow");
    let repo = Repo::generate(
        &stack,
        "tuf-flow-repo",
        &[
            (&env.root, "trusted_root.json"),
            (&env.config_v1, "signing_config.v0.2.json"),
            (&env.config_v2, "signing_config_rekor_v2.v0.2.json"),
        ],
        365,
        true,
    );
    let server = Server::start(repo.out());
    let url = server.url.clone();
    let home = TempDir::new("tuf-flow-home");
    let home = home.path();
    let instance = ["--instance", url.as_str()];

    // Not trusted yet.
    let file = env.input("a.txt", "hello tuf\n");
    let r = verify(&env, home, &file, &instance);
    r.expect_code(1);
    assert!(r.stderr.contains("trust-instance"), "{r:#?}");

    // trust-instance refreshes (rotating to root version 2) and caches the trusted root.
    let root = repo.root();
    let r = run(cmd(home), ["trust-instance", s(&root), "--instance", &url]);
    r.expect_code(0);
    assert!(
        r.stdout.contains(&format!("TUF repository: {url}")),
        "{r:#?}"
    );
    assert!(r.stdout.contains("root: version 2, expires "), "{r:#?}");
    assert!(r.stdout.contains("targets: version 1, expires "), "{r:#?}");
    assert!(r.stdout.contains("trusted_root.json"), "{r:#?}");
    let d = dirs(home, &custom(&url));
    assert!(d.metadata.starts_with(home.join("data/sigstore-rs/tuf")));
    assert!(d.targets.starts_with(home.join("cache/sigstore-rs/tuf")));
    for name in [
        "bootstrap_root.json",
        "root.json",
        "timestamp.json",
        "snapshot.json",
        "targets.json",
        "refreshed_at",
    ] {
        assert!(d.metadata.join(name).is_file(), "{name} not cached");
    }
    assert_eq!(
        std::fs::read(d.targets.join("trusted_root.json")).unwrap(),
        std::fs::read(&env.root).unwrap()
    );
    // ...and every signing config, so offline signing works right away.
    assert!(
        d.targets.join("signing_config.v0.2.json").is_file(),
        "signing config not cached by trust-instance"
    );
    assert_no_temporaries(home);
    let offline_file = env.input("offline-first.txt", "signed offline right after trust\n");
    let r = sign(
        &env,
        home,
        &offline_file,
        &["--instance", url.as_str(), "--offline"],
    );
    r.expect_code(0);
    assert!(
        r.stderr
            .contains("note: offline: using the cached trust material"),
        "{r:#?}"
    );
    assert!(!r.stderr.contains("embedded"), "{r:#?}");

    // Sign and verify through the instance (Rekor v1: signing_config.v0.2.json).
    let r = sign(&env, home, &file, &instance);
    r.expect_code(0);
    assert!(!r.stderr.contains("note:"), "{r:#?}");
    let bundle = read_json(&env.dir.join("a.txt.sigstore.json"));
    let kind = &bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"];
    assert_eq!(kind["version"], "0.0.1", "{bundle}");
    let r = verify(&env, home, &file, &instance);
    r.expect_code(0);
    assert_eq!(r.lines(), vec![format!("OK: {}", file.display())]);
    assert!(!r.stderr.contains("note:"), "{r:#?}");

    // --rekor-version 2 takes signing_config_rekor_v2.v0.2.json.
    let file2 = env.input("v2.txt", "hello rekor v2\n");
    let r = sign(
        &env,
        home,
        &file2,
        &["--instance", &url, "--rekor-version", "2"],
    );
    r.expect_code(0);
    let bundle = read_json(&env.dir.join("v2.txt.sigstore.json"));
    let kind = &bundle["verificationMaterial"]["tlogEntries"][0]["kindVersion"];
    assert_eq!(kind["version"], "0.0.2", "{bundle}");
    verify(&env, home, &file2, &instance).expect_code(0);

    // plumbing update-trust-root lists the targets and caches every signing config.
    let r = run(
        cmd(home),
        ["plumbing", "update-trust-root", "--instance", &url],
    );
    r.expect_code(0);
    for name in [
        "trusted_root.json",
        "signing_config.v0.2.json",
        "signing_config_rekor_v2.v0.2.json",
    ] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(name) && l.ends_with("(cached)")),
            "{name}: {r:#?}"
        );
        assert!(d.targets.join(name).is_file(), "{name} not cached");
    }
    assert!(r.stdout.contains("root: version 2, expires "), "{r:#?}");
    assert_no_temporaries(home);

    // The repository goes away: online use fails and suggests --offline ...
    server.stop();
    let r = verify(&env, home, &file, &instance);
    r.expect_code(1);
    assert!(r.stderr.contains("--offline"), "{r:#?}");
    assert!(r.stdout.is_empty(), "{r:#?}");

    // ... and --offline uses the cache, saying how old it is.
    let r = verify(&env, home, &file, &["--instance", &url, "--offline"]);
    r.expect_code(0);
    assert!(
        r.stderr.contains(&format!(
            "note: offline: using the cached trust material of {url}, last refreshed "
        )),
        "{r:#?}"
    );
    assert!(r.stderr.contains(" ago)"), "{r:#?}");
    assert!(!r.stderr.contains("embedded"), "{r:#?}");
    let file3 = env.input("c.txt", "signed offline\n");
    let r = sign(&env, home, &file3, &["--instance", &url, "--offline"]);
    r.expect_code(0);
    assert!(r.stderr.contains("last refreshed"), "{r:#?}");
    verify(&env, home, &file3, &["--instance", &url, "--offline"]).expect_code(0);
}

#[test]
fn expired_repository_is_an_error_naming_the_role() {
    let Some(stack) = stack_dir() else { return };
    let env = Env::start("tuf-expired");
    let repo = Repo::generate(
        &stack,
        "tuf-expired-repo",
        &[
            (&env.root, "trusted_root.json"),
            (&env.config_v1, "signing_config.v0.2.json"),
        ],
        -1,
        false,
    );
    let server = Server::start(repo.out());
    let url = server.url.clone();
    let home = TempDir::new("tuf-expired-home");
    let home = home.path();
    let root = repo.root();

    // trust-instance refuses it, storing nothing.
    let r = run(cmd(home), ["trust-instance", s(&root), "--instance", &url]);
    r.expect_code(1);
    assert!(r.stderr.contains("root metadata expired at"), "{r:#?}");
    assert!(!dirs(home, &custom(&url)).metadata.exists());
    assert_no_temporaries(home);

    // Stored without a refresh, it fails at first use, naming the role.
    let r = run(
        cmd(home),
        ["trust-instance", s(&root), "--instance", &url, "--offline"],
    );
    r.expect_code(0);
    assert!(r.stdout.contains("not refreshed (offline)"), "{r:#?}");
    let file = env.input("a.txt", "expired\n");
    let r = verify(&env, home, &file, &["--instance", &url]);
    r.expect_code(1);
    assert!(r.stderr.contains("root metadata expired at"), "{r:#?}");
    let r = sign(&env, home, &file, &["--instance", &url]);
    r.expect_code(1);
    assert!(r.stderr.contains("root metadata expired at"), "{r:#?}");
    assert!(!env.dir.join("a.txt.sigstore.json").exists());
    // Offline there is no cache for a private instance: an error, not embedded material.
    let r = verify(&env, home, &file, &["--instance", &url, "--offline"]);
    r.expect_code(1);
    assert!(r.stderr.contains("no cached trust material"), "{r:#?}");
}

#[test]
fn tampered_targets_are_rejected() {
    let Some(stack) = stack_dir() else { return };
    let env = Env::start("tuf-tamper");
    let files = [
        (env.root.as_path(), "trusted_root.json"),
        (env.config_v1.as_path(), "signing_config.v0.2.json"),
    ];

    // A tampered trusted root: trust-instance fails and stores nothing.
    let repo = Repo::generate(&stack, "tuf-tamper-root", &files, 365, false);
    repo.tamper("trusted_root.json");
    let server = Server::start(repo.out());
    let home = TempDir::new("tuf-tamper-home");
    let home = home.path();
    let root = repo.root();
    let r = run(
        cmd(home),
        ["trust-instance", s(&root), "--instance", &server.url],
    );
    r.expect_code(1);
    assert!(
        r.stderr
            .contains("target \"trusted_root.json\" does not match its sha256 hash"),
        "{r:#?}"
    );
    assert!(!dirs(home, &custom(&server.url)).metadata.exists());
    assert_no_temporaries(home);

    // A tampered signing config: trust-instance caches every signing config the repository
    // lists (offline signing needs them later), so it fails too and stores nothing; signing
    // with the instance then fails before any output.
    let repo = Repo::generate(&stack, "tuf-tamper-config", &files, 365, false);
    repo.tamper("signing_config.v0.2.json");
    let server = Server::start(repo.out());
    let root = repo.root();
    let r = run(
        cmd(home),
        ["trust-instance", s(&root), "--instance", &server.url],
    );
    r.expect_code(1);
    assert!(
        r.stderr
            .contains("target \"signing_config.v0.2.json\" does not match its sha256 hash"),
        "{r:#?}"
    );
    assert!(!dirs(home, &custom(&server.url)).metadata.exists());
    assert_no_temporaries(home);
    let file = env.input("a.txt", "tampered config\n");
    let r = sign(&env, home, &file, &["--instance", &server.url]);
    r.expect_code(1);
    assert!(r.stderr.contains("trust-instance"), "{r:#?}");
    assert!(!env.dir.join("a.txt.sigstore.json").exists());
}

#[test]
fn offline_without_a_cache_uses_the_embedded_material() {
    let home = TempDir::new("tuf-embedded-home");
    let home = home.path();
    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.3"));
    let args = |extra: &[&str]| {
        let mut args = vec![
            "verify".to_owned(),
            "identity".to_owned(),
            s(&a).to_owned(),
            "--bundle".to_owned(),
            s(&bundle).to_owned(),
            "--cert-identity".to_owned(),
            IDENTITY.to_owned(),
            "--cert-oidc-issuer".to_owned(),
            ISSUER.to_owned(),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    };
    let r = run(cmd(home), args(&["--offline"]));
    r.expect_code(0);
    assert!(
        r.stderr.contains(
            "note: offline: no cached trust material for production (https://tuf-repo-cdn.sigstore.dev); \
             using the trusted root embedded in this build"
        ),
        "{r:#?}"
    );
    // Staging's embedded root does not trust production bundles.
    let r = run(cmd(home), args(&["--offline", "--staging"]));
    r.expect_code(1);
    assert!(r.stderr.contains("for staging"), "{r:#?}");
    // A private instance has no embedded material.
    let r = run(
        cmd(home),
        args(&["--offline", "--instance", "https://tuf.example.com"]),
    );
    r.expect_code(1);
    assert!(r.stderr.contains("trust-instance"), "{r:#?}");
    // Nothing was written.
    assert!(walk(home).is_empty(), "{:?}", walk(home));
}

/// Fills the production cache below `home` from the shared snapshot as of 2026-08-22, when its
/// metadata was valid (by now it has expired), downloading the targets `fetch` only.
fn fill_production_cache(home: &Path, fetch: &[&str]) -> CacheDirs {
    let d = dirs(home, &Instance::Production);
    let repo = sigstore_test_support::tuf_production_repo();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut tuf = sigstore_tuf::Tuf::with_cache_dirs(
            sigstore_trust::PRODUCTION.tuf_root,
            &d.metadata,
            &d.targets,
            sigstore_tuf::FsTransport::new(&repo),
        )
        .unwrap();
        tuf.refresh(sigstore_types::Timestamp::parse_rfc3339("2026-08-22T00:00:00Z").unwrap())
            .await
            .unwrap();
        for name in fetch {
            tuf.get_target(name).await.unwrap();
        }
    });
    d
}

#[test]
fn offline_uses_a_production_cache_and_reports_its_age() {
    let home = TempDir::new("tuf-production-home");
    let home = home.path();
    let d = fill_production_cache(home, &["trusted_root.json"]);
    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.3"));
    let r = run(
        cmd(home),
        [
            "verify",
            "identity",
            "--offline",
            s(&a),
            "--bundle",
            s(&bundle),
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
    );
    r.expect_code(0);
    assert!(
        r.stderr.contains(
            "note: offline: using the cached trust material of production \
             (https://tuf-repo-cdn.sigstore.dev), last refreshed 2026-08-22T00:00:00Z ("
        ),
        "{r:#?}"
    );
    assert!(r.stderr.contains(" days ago)"), "{r:#?}");
    assert!(!r.stderr.contains("embedded"), "{r:#?}");

    // A cached target that no longer matches the cached metadata is an error offline.
    std::fs::write(d.targets.join("trusted_root.json"), b"{}").unwrap();
    let r = run(
        cmd(home),
        [
            "verify",
            "identity",
            "--offline",
            s(&a),
            "--bundle",
            s(&bundle),
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
    );
    r.expect_code(1);
    assert!(r.stderr.contains("trusted_root.json"), "{r:#?}");
}

#[test]
fn unreachable_instance_suggests_offline() {
    let home = TempDir::new("tuf-unreachable-home");
    let home = home.path();
    // A port nothing listens on.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let root = sigstore_test_support::tuf_production_repo().join("metadata/15.root.json");

    // trust-instance checks the repository unless --offline.
    let r = run(cmd(home), ["trust-instance", s(&root), "--instance", &url]);
    r.expect_code(1);
    assert!(r.stderr.contains("--offline"), "{r:#?}");
    assert!(!dirs(home, &custom(&url)).metadata.exists());
    let r = run(
        cmd(home),
        ["trust-instance", s(&root), "--instance", &url, "--offline"],
    );
    r.expect_code(0);
    assert!(r.stdout.contains("root: version 15"), "{r:#?}");

    let (a, bundle) = (a_txt(), case_bundle("happy-path-v0.3"));
    let r = run(
        cmd(home),
        [
            "verify",
            "identity",
            s(&a),
            "--bundle",
            s(&bundle),
            "--instance",
            &url,
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
        ],
    );
    r.expect_code(1);
    assert!(
        r.stderr.contains(&format!(
            "cannot update the trust material from the TUF repository {url}"
        )),
        "{r:#?}"
    );
    assert!(r.stderr.contains("pass --offline"), "{r:#?}");
    let r = run(
        cmd(home),
        ["plumbing", "update-trust-root", "--instance", &url],
    );
    r.expect_code(1);
    assert!(r.stderr.contains("pass --offline"), "{r:#?}");
}

#[test]
fn trust_flag_usage_errors() {
    let home = TempDir::new("tuf-usage-home");
    let home = home.path();
    let a = a_txt();
    let root = sigstore_test_support::tuf_production_repo().join("metadata/15.root.json");
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "identity", s(&a)];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--cert-identity", IDENTITY, "--cert-oidc-issuer", ISSUER]);
        run(cmd(home), &args)
    };
    for (extra, message) in [
        (&["--instance", "http://example.com"][..], "loopback"),
        (&["--instance", "ftp://example.com"][..], "https://"),
        (&["--instance", "https://user@example.com"][..], "user name"),
        (
            &["--staging", "--instance", "https://x.example"][..],
            "cannot be used with",
        ),
        (
            &[
                "--trusted-root",
                "t.json",
                "--instance",
                "https://x.example",
            ][..],
            "cannot be used with",
        ),
        (
            &["--trust-config", "t.json", "--staging"][..],
            "cannot be used with",
        ),
    ] {
        let r = verify(extra);
        r.expect_code(2);
        assert!(r.stderr.contains(message), "{extra:?}: {r:#?}");
    }
    let r = run(
        cmd(home),
        [
            "sign",
            s(&a),
            "--staging",
            "--instance",
            "https://x.example",
        ],
    );
    r.expect_code(2);
    let r = run(
        cmd(home),
        [
            "trust-instance",
            s(&root),
            "--instance",
            "http://example.com",
        ],
    );
    r.expect_code(2);
    assert!(r.stderr.contains("loopback"), "{r:#?}");
    // Not a TUF root.
    let not_root = sigstore_test_support::trust_file("production", "trusted_root.json");
    let r = run(
        cmd(home),
        [
            "trust-instance",
            s(&not_root),
            "--instance",
            "https://x.example",
            "--offline",
        ],
    );
    r.expect_code(1);
    assert!(r.stderr.contains("not a TUF root"), "{r:#?}");
    // A root whose signatures do not verify.
    let mut tampered = read_json(&root);
    tampered["signed"]["version"] = serde_json::json!(99);
    let dir = TempDir::new("tuf-usage-root");
    let bad = dir.write("root.json", tampered.to_string());
    let r = run(
        cmd(home),
        [
            "trust-instance",
            s(&bad),
            "--instance",
            "https://x.example",
            "--offline",
        ],
    );
    r.expect_code(1);
    assert!(r.stderr.contains("valid signatures"), "{r:#?}");
    assert!(walk(home).is_empty(), "{:?}", walk(home));
}

#[test]
fn offline_rekor_v2_signing_config_falls_back_to_the_cached_default() {
    // The cached production targets list signing_config_rekor_v2.v0.2.json, but only the
    // trusted root and the default signing config were downloaded.
    let home = TempDir::new("tuf-offline-v2-home");
    let home = home.path();
    let d = fill_production_cache(home, &["trusted_root.json", "signing_config.v0.2.json"]);
    let work = TempDir::new("tuf-offline-v2-work");
    let file = work.write("a.txt", "offline rekor v2\n");
    // Signing stops before any network use: at the services check (the default config has
    // no Rekor v2 log) or at the token, which is not a JWT.
    let sign = |extra: &[&str]| {
        let mut args = vec![
            "sign",
            s(&file),
            "--offline",
            "--identity-token",
            "not-a-token",
        ];
        args.extend_from_slice(extra);
        let r = run(cmd(home), &args);
        assert_ne!(r.code, Some(0), "{r:#?}");
        assert!(!work.join("a.txt.sigstore.json").exists());
        r
    };
    let notes = |r: &Run| -> Vec<String> {
        r.stderr
            .lines()
            .filter(|l| l.starts_with("note: offline: ") && !l.contains("last refreshed"))
            .map(str::to_owned)
            .collect()
    };
    let mut checked = 0;

    const NO_V2: &str = "error: the signing config has no usable Rekor v2 log";
    const BAD_TOKEN: &str = "error: unusable identity token";
    let r = sign(&["--rekor-version", "2"]);
    assert!(
        r.stderr.contains("last refreshed 2026-08-22T00:00:00Z"),
        "{r:#?}"
    );
    assert!(r.stderr.contains(NO_V2), "{r:#?}");
    assert_eq!(
        notes(&r),
        [
            "note: offline: signing_config_rekor_v2.v0.2.json is not cached; using the cached \
          signing_config.v0.2.json instead"
        ],
        "{r:#?}"
    );
    checked += 1;
    // Rekor v1 (the default) uses the cached default config without a note.
    let r = sign(&[]);
    assert!(notes(&r).is_empty(), "{r:#?}");
    assert!(r.stderr.contains(BAD_TOKEN), "{r:#?}");
    checked += 1;

    // Neither config cached: the embedded one, named as such.
    std::fs::remove_file(d.targets.join("signing_config.v0.2.json")).unwrap();
    let r = sign(&["--rekor-version", "2"]);
    assert_eq!(
        notes(&r),
        ["note: offline: signing_config_rekor_v2.v0.2.json and signing_config.v0.2.json are not \
          cached; using the signing_config.v0.2.json embedded in this build, which may be out \
          of date"],
        "{r:#?}"
    );
    assert!(r.stderr.contains(NO_V2), "{r:#?}");
    checked += 1;
    let r = sign(&[]);
    assert_eq!(
        notes(&r),
        [
            "note: offline: signing_config.v0.2.json is not cached; using the \
          signing_config.v0.2.json embedded in this build, which may be out of date"
        ],
        "{r:#?}"
    );
    checked += 1;

    // The Rekor v2 config cached: used, without a note; the services check passes and the
    // token is what fails.
    fill_production_cache(home, &["signing_config_rekor_v2.v0.2.json"]);
    let r = sign(&["--rekor-version", "2"]);
    assert!(notes(&r).is_empty(), "{r:#?}");
    assert!(r.stderr.contains(BAD_TOKEN), "{r:#?}");
    checked += 1;
    println!("offline signing config choice: {checked} passed, 0 failed");
    assert_eq!(checked, 5);
}

#[test]
fn trust_instance_replaces_a_stored_instance_or_keeps_it() {
    let home = TempDir::new("tuf-replace-home");
    let home = home.path();
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let d = dirs(home, &custom(&url));
    let metadata = sigstore_test_support::tuf_production_repo().join("metadata");
    let (v14, v15) = (metadata.join("14.root.json"), metadata.join("15.root.json"));
    let mut checked = 0;

    run(
        cmd(home),
        ["trust-instance", s(&v15), "--instance", &url, "--offline"],
    )
    .expect_code(0);
    assert_eq!(
        std::fs::read(d.bootstrap_path()).unwrap(),
        std::fs::read(&v15).unwrap()
    );
    // Something in the targets cache, to see it replaced as well.
    std::fs::create_dir_all(&d.targets).unwrap();
    std::fs::write(d.targets.join("stale.json"), b"{}").unwrap();
    checked += 1;

    // Replaced by another root: the new bootstrap root, an empty targets cache, no leftovers.
    let r = run(
        cmd(home),
        ["trust-instance", s(&v14), "--instance", &url, "--offline"],
    );
    r.expect_code(0);
    assert!(r.stdout.contains("root: version 14"), "{r:#?}");
    assert_eq!(
        std::fs::read(d.bootstrap_path()).unwrap(),
        std::fs::read(&v14).unwrap()
    );
    assert!(d.targets.is_dir() && walk(&d.targets).is_empty());
    assert_no_temporaries(home);
    checked += 1;

    // A failing check (the repository is unreachable) keeps the stored instance as it was.
    std::fs::write(d.targets.join("kept.json"), b"{}").unwrap();
    let r = run(cmd(home), ["trust-instance", s(&v15), "--instance", &url]);
    r.expect_code(1);
    assert_eq!(
        std::fs::read(d.bootstrap_path()).unwrap(),
        std::fs::read(&v14).unwrap()
    );
    assert!(d.targets.join("kept.json").is_file());
    assert_no_temporaries(home);
    checked += 1;
    println!("trust-instance over a stored instance: {checked} passed, 0 failed");
    assert_eq!(checked, 3);
}
