//! The TUF client against repositories made with python-tuf, the reference implementation.
//!
//! Needs the local stack (`SIGSTORE_STACK_DIR`, for its python-tuf virtualenv); without it the
//! tests print `skipped: SIGSTORE_STACK_DIR not set` and pass.
//!
//! - `tests/python/make_cases.py` writes cases, each a sequence of repository states signed by
//!   keys kept for the whole case (rotation, expiry, rollback, freeze, mix-and-match, wrong
//!   hashes, oversized files, naming, fast-forward recovery) with the expected outcome of every
//!   step; with `--check` it first confirms python-tuf's own client agrees with every
//!   expectation. `SIGSTORE_TUF_CASES=DIR` uses cases already written to DIR instead.
//! - Every case runs twice: over HTTP on 127.0.0.1 with a new client per step (one cache
//!   directory throughout, as separate runs of a program would), and with one client for all
//!   steps over the filesystem (HTTP for steps serving an endless body).
//! - The shared `make_local_tuf_repo.py` (run, not copied) makes a rotated and an expired
//!   repository, checked at the real clock.
//! - The stack's python-tuf repository served by Python's `http.server` (default
//!   `http://127.0.0.1:18766`, env `SIGSTORE_STACK_TUF`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sigstore_crypto::HashAlgorithm;
use sigstore_test_support::TempDir;
use sigstore_tuf::{Error, FsTransport, HttpTransport, Limits, Role, Transport, Tuf};
use sigstore_types::Timestamp;

/// Most bytes an endless body may have sent before the client hung up. The HTTP client's own
/// response cap is set far above it, so only the per-file caps can keep it below.
const ENDLESS_BUDGET: u64 = 64 * 1024 * 1024;

fn stack_dir() -> Option<PathBuf> {
    std::env::var_os("SIGSTORE_STACK_DIR").map(PathBuf::from)
}

/// A fresh `sigstore-tuf-py-<tag>-…` directory, removed when the guard is dropped.
fn temp_dir(tag: &str) -> TempDir {
    TempDir::new(&format!("sigstore-tuf-py-{tag}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    HashAlgorithm::Sha256.digest(bytes).to_hex()
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix(i64::try_from(secs).unwrap())
}

fn run_python(python: &Path, args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new(python)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}\n{stdout}{}",
        python.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

// ---- A repository server on 127.0.0.1 whose content can change between steps. ----

#[derive(Default)]
struct Served {
    dir: PathBuf,
    endless: Vec<String>,
}

struct StepServer {
    url: String,
    served: Arc<Mutex<Served>>,
    endless_bytes: Arc<AtomicU64>,
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl StepServer {
    /// Serves `<dir>/metadata/<name>` at `/<name>` and `<dir>/targets/<path>` at
    /// `/targets/<path>` (Sigstore's layout); names listed as endless get a body that never
    /// ends (no Content-Length, 64 KiB chunks until the client hangs up).
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let served = Arc::new(Mutex::new(Served::default()));
        let endless_bytes = Arc::new(AtomicU64::new(0));
        let (s, e) = (served.clone(), endless_bytes.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (s, e) = (s.clone(), e.clone());
                std::thread::spawn(move || handle(stream, &s, &e));
            }
        });
        Self {
            url,
            served,
            endless_bytes,
        }
    }

    fn serve(&self, dir: PathBuf, endless: Vec<String>) {
        *self.served.lock().unwrap() = Served { dir, endless };
        self.endless_bytes.store(0, Ordering::SeqCst);
    }

    /// Fails when the client kept reading an endless body past [`ENDLESS_BUDGET`].
    fn check_endless(&self) -> Result<(), String> {
        let sent = self.endless_bytes.load(Ordering::SeqCst);
        if sent > ENDLESS_BUDGET {
            return Err(format!(
                "the client kept reading: {sent} bytes of an endless body were sent"
            ));
        }
        Ok(())
    }
}

fn handle(mut stream: std::net::TcpStream, served: &Mutex<Served>, endless_bytes: &AtomicU64) {
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
    }
    let raw = line.split_whitespace().nth(1).unwrap_or("/");
    let rel = percent_decode(raw.trim_start_matches('/')).unwrap_or_default();
    let (dir, endless) = {
        let s = served.lock().unwrap();
        (s.dir.clone(), s.endless.contains(&rel))
    };
    if endless {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let chunk = vec![b' '; 64 * 1024];
        // Stop eventually even if nobody hangs up, so a broken client fails the budget check
        // rather than hanging the test.
        while endless_bytes.load(Ordering::SeqCst) < 4 * ENDLESS_BUDGET {
            if stream.write_all(&chunk).is_err() {
                break;
            }
            endless_bytes.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }
        return;
    }
    let file = match rel.strip_prefix("targets/") {
        Some(t) => dir.join("targets").join(t),
        None => dir.join("metadata").join(&rel),
    };
    let ok_path = !rel.is_empty() && !rel.split('/').any(|p| p.is_empty() || p == "..");
    let response = match std::fs::read(&file) {
        Ok(body) if ok_path => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend(body);
            r
        }
        _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    };
    let _ = stream.write_all(&response);
}

fn http_transport(url: &str) -> HttpTransport {
    let config = HttpTransport::default_config()
        .with_retries(0)
        .with_timeout(std::time::Duration::from_secs(20))
        .with_max_response_bytes(4 * usize::try_from(ENDLESS_BUDGET).unwrap());
    HttpTransport::new(url, config).unwrap()
}

// ---- Running one case. ----

/// What a step came to.
enum Outcome {
    Ok,
    Failed(Error),
    /// The client succeeded with the wrong result.
    Wrong(String),
}

async fn run_step<T: Transport>(tuf: &mut Tuf<T>, step: &Value) -> Outcome {
    let now = Timestamp::parse_rfc3339(step["now"].as_str().unwrap()).unwrap();
    if let Err(e) = tuf.refresh(now).await {
        return Outcome::Failed(e);
    }
    for (name, digest) in step["fetch"].as_object().unwrap() {
        match tuf.get_target(name).await {
            Ok(bytes) if sha256_hex(&bytes) == digest.as_str().unwrap() => {}
            Ok(_) => return Outcome::Wrong(format!("target {name:?} has other content")),
            Err(e) => return Outcome::Failed(e),
        }
    }
    if let Some(v) = step["root_version"].as_u64() {
        let found = tuf.trusted().root_version();
        if found != v {
            return Outcome::Wrong(format!("root version {found}, expected {v}"));
        }
    }
    Outcome::Ok
}

fn role(name: &str) -> Role {
    match name {
        "root" => Role::Root,
        "timestamp" => Role::Timestamp,
        "snapshot" => Role::Snapshot,
        "targets" => Role::Targets,
        other => panic!("unknown role {other}"),
    }
}

/// The error kind and the role it names, as `expect.json` spells them.
fn kind_of(err: &Error) -> (&'static str, Option<Role>) {
    match err {
        Error::Expired { role, .. } => ("expired", Some(*role)),
        Error::Rollback { role, .. } => ("rollback", Some(*role)),
        Error::VersionMismatch { role, .. } => ("version", Some(*role)),
        Error::InsufficientSignatures { role, .. } => ("signatures", Some(*role)),
        Error::HashMismatch { role } | Error::LengthMismatch { role, .. } => ("hash", Some(*role)),
        Error::TargetHashMismatch { .. } | Error::TargetLengthMismatch { .. } => {
            ("target_hash", None)
        }
        Error::TooLarge { .. } => ("too_large", None),
        Error::MissingMeta { role, .. } => ("missing_meta", Some(*role)),
        Error::Transport { .. } => ("transport", None),
        _ => ("other", None),
    }
}

fn compare(expect: &Value, outcome: Outcome) -> Result<(), String> {
    let err = match (expect.as_str(), outcome) {
        (Some("ok"), Outcome::Ok) => return Ok(()),
        (_, Outcome::Wrong(why)) => return Err(why),
        (Some("ok"), Outcome::Failed(e)) => return Err(format!("expected ok, got: {e}")),
        (_, Outcome::Ok) => return Err(format!("expected {expect}, succeeded")),
        (_, Outcome::Failed(e)) => e,
    };
    let message = err.to_string();
    let (kind, err_role) = kind_of(&err);
    let want_kind = expect["error"].as_str().unwrap();
    let want_role = expect["role"].as_str().map(role);
    if kind != want_kind || (want_role.is_some() && err_role != want_role) {
        return Err(format!(
            "expected {expect}, got {kind}: {message} ({err:?})"
        ));
    }
    if let Some(text) = expect["message"].as_str() {
        if !message.contains(text) {
            return Err(format!("expected {text:?} in the message: {message}"));
        }
    }
    Ok(())
}

fn limits(doc: &Value) -> Limits {
    let mut limits = Limits::default();
    for (name, value) in doc["limits"].as_object().into_iter().flatten() {
        let v = value.as_u64().unwrap();
        match name.as_str() {
            "root" => limits.root = v,
            "timestamp" => limits.timestamp = v,
            "snapshot" => limits.snapshot = v,
            "targets" => limits.targets = v,
            other => panic!("unknown limit {other}"),
        }
    }
    limits
}

fn endless(step: &Value) -> Vec<String> {
    step["endless"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn copy_dir(src: &Path, dst: &Path) {
    let _ = std::fs::remove_dir_all(dst);
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
}

async fn run_case(dir: &Path, server: &StepServer) -> Result<(), String> {
    let doc: Value = serde_json::from_slice(&std::fs::read(dir.join("expect.json")).unwrap())
        .map_err(|e| format!("expect.json: {e}"))?;
    let bootstrap = std::fs::read(dir.join(doc["bootstrap"].as_str().unwrap())).unwrap();
    let limits = limits(&doc);
    let steps = doc["steps"].as_array().unwrap();
    let any_endless = steps.iter().any(|s| !endless(s).is_empty());

    // A new client per step over HTTP, sharing one cache directory.
    let cache = temp_dir("cache");
    for step in steps {
        let name = step["dir"].as_str().unwrap();
        server.serve(dir.join(name), endless(step));
        let mut tuf = Tuf::new(&bootstrap, &cache, http_transport(&server.url))
            .map_err(|e| format!("{name}: {e}"))?
            .with_limits(limits);
        compare(&step["expect"], run_step(&mut tuf, step).await)
            .and_then(|()| server.check_endless())
            .map_err(|e| format!("{name} (HTTP, a client per step): {e}"))?;
    }

    drop(cache);

    // One client for all steps: over the filesystem, or HTTP when a step serves endlessly.
    let cache = temp_dir("cache");
    let current = temp_dir("current");
    if any_endless {
        let mut tuf = Tuf::new(&bootstrap, &cache, http_transport(&server.url))
            .map_err(|e| e.to_string())?
            .with_limits(limits);
        for step in steps {
            let name = step["dir"].as_str().unwrap();
            server.serve(dir.join(name), endless(step));
            compare(&step["expect"], run_step(&mut tuf, step).await)
                .and_then(|()| server.check_endless())
                .map_err(|e| format!("{name} (HTTP, one client): {e}"))?;
        }
    } else {
        let mut tuf = Tuf::new(&bootstrap, &cache, FsTransport::new(&current))
            .map_err(|e| e.to_string())?
            .with_limits(limits);
        for step in steps {
            let name = step["dir"].as_str().unwrap();
            copy_dir(&dir.join(name), &current);
            compare(&step["expect"], run_step(&mut tuf, step).await)
                .map_err(|e| format!("{name} (filesystem, one client): {e}"))?;
        }
    }
    drop(current);
    drop(cache);
    Ok(())
}

// ---- Repositories from the shared make_local_tuf_repo.py, at the real clock. ----

async fn shared_script_case(
    python: &Path,
    rotate: bool,
    server: &StepServer,
) -> Result<(), String> {
    let out = temp_dir("script-repo");
    let artifact = out.join("artifact.txt");
    let content = format!("made by make_local_tuf_repo.py (rotate: {rotate})\n");
    std::fs::write(&artifact, &content).unwrap();
    let repo = out.join("repo");
    let script = sigstore_test_support::local_stack_tools()
        .expect("the local-stack tools (../shared/tools/local-stack)")
        .join("make_local_tuf_repo.py");
    let target = format!("{}=dir/artifact.txt", artifact.display());
    let mode: &[&str] = if rotate {
        &["--rotate-root"]
    } else {
        &["--days", "-1"]
    };
    let mut args: Vec<&std::ffi::OsStr> = vec![script.as_os_str(), repo.as_os_str()];
    args.extend(mode.iter().map(std::ffi::OsStr::new));
    args.push(std::ffi::OsStr::new(&target));
    run_python(python, &args);
    let bootstrap = std::fs::read(repo.join("metadata/1.root.json")).unwrap();
    server.serve(repo.clone(), Vec::new());
    let cache = temp_dir("cache");
    let mut tuf =
        Tuf::new(&bootstrap, &cache, http_transport(&server.url)).map_err(|e| e.to_string())?;
    let result = tuf.refresh(now()).await;
    if rotate {
        result.map_err(|e| format!("rotated repository: {e}"))?;
        if tuf.trusted().root_version() != 2 {
            return Err(format!(
                "rotated repository: root v{}",
                tuf.trusted().root_version()
            ));
        }
        let bytes = tuf
            .get_target("dir/artifact.txt")
            .await
            .map_err(|e| format!("rotated repository: {e}"))?;
        if bytes != content.as_bytes() {
            return Err("rotated repository: wrong target content".to_owned());
        }
        // A new client starts from the cached root v2.
        let again = Tuf::new(&bootstrap, &cache, FsTransport::new(&repo)).unwrap();
        if again.trusted().root_version() != 2 {
            return Err("rotated repository: root v2 was not cached".to_owned());
        }
    } else {
        match result {
            Err(
                e @ Error::Expired {
                    role: Role::Root, ..
                },
            ) if e.to_string().contains("root") => {}
            other => return Err(format!("expired repository: {other:?}")),
        }
    }
    drop(out);
    drop(cache);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_tuf_cases() {
    let Some(stack) = stack_dir() else {
        println!("skipped: SIGSTORE_STACK_DIR not set");
        return;
    };
    let python = stack.join("venv/bin/python");
    // The generated cases live in a guard that removes them at the end.
    let (cases_dir, _generated) = match std::env::var_os("SIGSTORE_TUF_CASES") {
        Some(dir) => (PathBuf::from(dir), None),
        None => {
            let dir = temp_dir("cases");
            let script = PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/python/make_cases.py"
            ));
            let out = run_python(
                &python,
                &[script.as_os_str(), dir.as_os_str(), "--check".as_ref()],
            );
            print!("{out}");
            (dir.to_path_buf(), Some(dir))
        }
    };
    let index: Value =
        serde_json::from_slice(&std::fs::read(cases_dir.join("cases.json")).unwrap()).unwrap();
    let names: Vec<&str> = index["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(names.len() >= 40, "only {} cases", names.len());

    let server = StepServer::start();
    let (mut passed, mut failed) = (0usize, 0usize);
    for name in &names {
        match run_case(&cases_dir.join(name), &server).await {
            Ok(()) => passed += 1,
            Err(why) => {
                failed += 1;
                println!("FAILED {name}: {why}");
            }
        }
    }
    for rotate in [true, false] {
        match shared_script_case(&python, rotate, &server).await {
            Ok(()) => passed += 1,
            Err(why) => {
                failed += 1;
                println!("FAILED make_local_tuf_repo.py: {why}");
            }
        }
    }
    let total = names.len() + 2;
    println!(
        "python-tuf cases: {passed} passed, {failed} failed ({} from make_cases.py, 2 from \
         make_local_tuf_repo.py)",
        names.len()
    );
    assert_eq!(failed, 0);
    assert_eq!(passed, total);
}

#[tokio::test]
async fn local_stack_repository() {
    let Some(stack) = stack_dir() else {
        println!("skipped: SIGSTORE_STACK_DIR not set");
        return;
    };
    let base =
        std::env::var("SIGSTORE_STACK_TUF").unwrap_or_else(|_| "http://127.0.0.1:18766".to_owned());
    let bootstrap = std::fs::read(stack.join("tuf/metadata/1.root.json")).unwrap();
    let config = HttpTransport::default_config().with_retries(1);
    // The stack serves Sigstore's layout (metadata at the base, targets below it) from
    // `tuf-served`; older stacks served the repository's own `metadata/` folder.
    let transport = if stack.join("tuf-served").is_dir() {
        HttpTransport::new(&base, config)
    } else {
        HttpTransport::with_urls(
            &format!("{base}/metadata"),
            &format!("{base}/targets"),
            config,
        )
    }
    .unwrap();
    let cache = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap, &cache, transport).unwrap();
    tuf.refresh(now()).await.unwrap();
    let bytes = tuf.get_target("trusted_root.json").await.unwrap();
    sigstore_types::TrustedRoot::from_json(&bytes).unwrap();
    let local = std::fs::read(stack.join("trusted_root.json")).unwrap();
    assert_eq!(
        sha256_hex(&bytes),
        sha256_hex(&local),
        "the stack serves its trusted_root.json"
    );
    println!("local stack TUF repository ({base}): 1 target verified, 0 failed");
    drop(cache);
}
