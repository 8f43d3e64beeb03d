//! `cargo xtask bench sign`: the wall time of signing many files in one `sigstore sign`
//! invocation against the testkit's local services, next to sigstore-python 4.5.1 doing the
//! same, and how many Fulcio certificates each asked for.
//!
//! Builds the release `sigstore` CLI and `sigstore-testkit`, starts `sigstore-testkit serve` on
//! 127.0.0.1, writes N small distinct files (default 100) into a fresh directory per run and
//! times ONE invocation signing all of them, for Rekor v1 and Rekor v2. Request counts come
//! from the testkit's `GET /stats` (on its Fulcio port), taken before and after each run. Our
//! run must ask Fulcio for exactly one certificate, write every bundle, and the first and last
//! bundles must pass `sigstore verify identity`; otherwise the bench fails. sigstore-python
//! (from `target/interop/py`, installed by `interop/setup.sh` when missing) is timed on fresh
//! copies of the same files, and its figures are reported, not checked.
//!
//! Options (see `cargo xtask bench sign --help`): `--files N` (default 100), `--skip-python`,
//! `--skip-v2`, `--skip-build`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::{cargo, workspace_root};

/// The identity in the testkit's `token` file.
const IDENTITY: &str = "testkit@example.com";

/// `cargo xtask bench sign` options.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  cargo xtask bench sign\n  cargo xtask bench sign --files 64 --skip-python"
)]
pub(crate) struct Options {
    /// Files signed in one invocation.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=999))]
    files: u16,
    /// Skip sigstore-python.
    #[arg(long)]
    skip_python: bool,
    /// Skip the Rekor v2 figures.
    #[arg(long)]
    skip_v2: bool,
    /// Use the binaries already built.
    #[arg(long)]
    skip_build: bool,
}

/// The testkit server and the bench's temporary directory: the server is killed and the
/// directory removed when this is dropped, on success and on every error path.
struct Guard {
    child: Child,
    root: PathBuf,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The running testkit: its files and service addresses.
struct Testkit {
    guard: Guard,
    kit_dir: PathBuf,
    /// `host:port` of the Fulcio service (which also answers `GET /stats`).
    fulcio: String,
    oidc_issuer: String,
}

fn start_testkit(binary: &Path) -> Result<Testkit> {
    let root = std::env::temp_dir().join(format!(
        "sigstore-bench-sign-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    let kit_dir = root.join("kit");
    std::fs::create_dir_all(&kit_dir).with_context(|| format!("creating {}", kit_dir.display()))?;
    let child = match Command::new(binary)
        .arg("serve")
        .arg("--dir")
        .arg(&kit_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&root);
            return Err(e).with_context(|| format!("starting {}", binary.display()));
        }
    };
    let mut guard = Guard { child, root };
    let stdout = guard.child.stdout.take().context("testkit stdout")?;
    let (mut fulcio, mut oidc_issuer) = (None, None);
    // `serve` prints its URLs, then "trust files in DIR" once everything is written.
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading the testkit's output")?;
        if let Some(url) = line.strip_prefix("fulcio") {
            fulcio = Some(url.trim().trim_start_matches("http://").to_owned());
        } else if let Some(url) = line.strip_prefix("oidc issuer") {
            oidc_issuer = Some(url.trim().to_owned());
        } else if line.starts_with("trust files in") {
            break;
        }
    }
    let (Some(fulcio), Some(oidc_issuer)) = (fulcio, oidc_issuer) else {
        bail!("the testkit server exited without printing its URLs");
    };
    Ok(Testkit {
        guard,
        kit_dir,
        fulcio,
        oidc_issuer,
    })
}

/// The testkit's request counts per endpoint (`GET /stats`).
fn stats(fulcio: &str) -> Result<Value> {
    let mut stream =
        TcpStream::connect(fulcio).with_context(|| format!("connecting to {fulcio}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET /stats HTTP/1.1\r\nHost: {fulcio}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .context("a malformed /stats response")?;
    if !head.starts_with("HTTP/1.1 200") {
        bail!(
            "GET /stats: {}",
            head.lines().next().unwrap_or("no status line")
        );
    }
    serde_json::from_str(body).context("parsing the /stats body")
}

fn count(stats: &Value, endpoint: &str) -> u64 {
    stats.get(endpoint).and_then(Value::as_u64).unwrap_or(0)
}

fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
}

fn file_names(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("f{i:03}")).collect()
}

/// A fresh directory holding the N artifacts (the same contents for every run).
fn artifacts(dir: &Path, names: &[String]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (i, name) in names.iter().enumerate() {
        let text = format!("bench artifact {i}: {}\n", "x".repeat(i % 64));
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Client {
    Ours,
    Python,
}

impl Client {
    fn name(self) -> &'static str {
        match self {
            Client::Ours => "sigstore (ours)",
            Client::Python => "sigstore-python 4.5.1",
        }
    }
}

/// One timed run's figures.
struct Figures {
    client: Client,
    rekor: u8,
    seconds: f64,
    signing_certs: u64,
    log_entries: u64,
    timestamps: u64,
}

struct Setup<'a> {
    ours: &'a Path,
    python: &'a Path,
    testkit: &'a Testkit,
    trusted_root: &'a Path,
    names: &'a [String],
}

fn run_one(setup: &Setup<'_>, client: Client, rekor: u8, trust_config: &Path) -> Result<Figures> {
    let label = format!("{} Rekor v{rekor}", client.name());
    let tag = match client {
        Client::Ours => "ours",
        Client::Python => "python",
    };
    let dir = setup.testkit.guard.root.join(format!("{tag}-v{rekor}"));
    artifacts(&dir, setup.names)?;
    let token = std::fs::read_to_string(setup.testkit.kit_dir.join("token"))
        .context("reading the testkit token")?;
    let token = token.trim();
    let rekor_version = rekor.to_string();
    let mut cmd = match client {
        Client::Ours => {
            let mut cmd = Command::new(setup.ours);
            cmd.arg("sign")
                .args(setup.names)
                .arg("--trust-config")
                .arg(trust_config)
                .args(["--identity-token", token])
                .args(["--rekor-version", &rekor_version]);
            cmd
        }
        Client::Python => {
            let mut cmd = Command::new(setup.python);
            cmd.arg("--trust-config")
                .arg(trust_config)
                .arg("sign")
                .args(["--identity-token", token])
                .args(["--rekor-version", &rekor_version])
                .args(setup.names);
            cmd
        }
    };
    cmd.current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    eprintln!("==> {label}: signing {} files", setup.names.len());
    let before = stats(&setup.testkit.fulcio)?;
    let started = Instant::now();
    let output = cmd.output().with_context(|| format!("running {label}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let after = stats(&setup.testkit.fulcio)?;
    if !output.status.success() {
        bail!(
            "{label} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let delta = |endpoint: &str| count(&after, endpoint).saturating_sub(count(&before, endpoint));
    let log_entry = if rekor == 2 {
        "RekorV2CreateEntry"
    } else {
        "RekorV1CreateEntry"
    };
    let figures = Figures {
        client,
        rekor,
        seconds,
        signing_certs: delta("FulcioSigningCert"),
        log_entries: delta(log_entry),
        timestamps: delta("TsaTimestamp"),
    };

    let missing: Vec<&String> = setup
        .names
        .iter()
        .filter(|n| !dir.join(format!("{n}.sigstore.json")).is_file())
        .collect();
    if !missing.is_empty() {
        bail!(
            "{label}: {} bundles missing, e.g. {}",
            missing.len(),
            missing[0]
        );
    }
    // Verify the first and the last bundle with our CLI.
    let picks = [setup.names.first(), setup.names.last()];
    for name in picks.into_iter().flatten() {
        let status = Command::new(setup.ours)
            .current_dir(&dir)
            .args(["verify", "identity", name])
            .arg("--trusted-root")
            .arg(setup.trusted_root)
            .args(["--cert-identity", IDENTITY])
            .args(["--cert-oidc-issuer", &setup.testkit.oidc_issuer])
            .stdout(Stdio::null())
            .status()
            .context("running sigstore verify identity")?;
        if !status.success() {
            bail!("{label}: the bundle for {name} does not verify");
        }
    }
    eprintln!(
        "    {:.3} s total, {:.2} ms per file; Fulcio signingCert requests: {}, log entries: {}, timestamps: {}",
        figures.seconds,
        figures.seconds * 1000.0 / setup.names.len() as f64,
        figures.signing_certs,
        figures.log_entries,
        figures.timestamps
    );
    Ok(figures)
}

fn build() -> Result<()> {
    eprintln!("==> building the release sigstore CLI and sigstore-testkit");
    let status = cargo()
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "sigstore-cli",
            "--bin",
            "sigstore",
            "-p",
            "sigstore-testkit",
            "--bin",
            "sigstore-testkit",
        ])
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("building the sigstore CLI and the testkit failed");
    }
    Ok(())
}

/// The sigstore-python entry point, installed by `interop/setup.sh` when missing.
fn python_client(root: &Path, target: &Path) -> Result<PathBuf> {
    let interop_dir = target.join("interop");
    let python = interop_dir.join("py").join("bin").join("sigstore");
    if !python.is_file() {
        eprintln!("==> installing sigstore-python (interop/setup.sh)");
        let status = Command::new("bash")
            .arg(root.join("interop").join("setup.sh"))
            .arg(&interop_dir)
            .status()
            .context("running interop/setup.sh")?;
        if !status.success() || !python.is_file() {
            bail!("installing sigstore-python failed");
        }
    }
    Ok(python)
}

/// `cargo xtask bench sign [options]`.
pub(crate) fn run(options: Options) -> Result<()> {
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    if !options.skip_build {
        build()?;
    }
    let release = target.join("release");
    let ours = release.join("sigstore");
    let testkit_bin = release.join("sigstore-testkit");
    for binary in [&ours, &testkit_bin] {
        if !binary.is_file() {
            bail!("{} is missing (run without --skip-build)", binary.display());
        }
    }
    let python = if !options.skip_python {
        python_client(&root, &target)?
    } else {
        PathBuf::new()
    };

    let testkit = start_testkit(&testkit_bin)?;
    let trusted_root = testkit.kit_dir.join("trusted_root.json");
    let tc_v1 = testkit.kit_dir.join("client_trust_config.json");
    // The testkit writes a client trust config for Rekor v1 only: build the v2 one.
    let tc_v2 = testkit.guard.root.join("client_trust_config_rekor_v2.json");
    let mut v2 = read_json(&tc_v1)?;
    v2["signingConfig"] = read_json(&testkit.kit_dir.join("signing_config_rekor_v2.json"))?;
    std::fs::write(&tc_v2, serde_json::to_vec_pretty(&v2)?)?;

    let names = file_names(usize::from(options.files));
    let setup = Setup {
        ours: &ours,
        python: &python,
        testkit: &testkit,
        trusted_root: &trusted_root,
        names: &names,
    };
    let mut rekors = vec![(1u8, tc_v1.as_path())];
    if !options.skip_v2 {
        rekors.push((2, tc_v2.as_path()));
    }
    let mut results = Vec::new();
    for &(rekor, tc) in &rekors {
        results.push(run_one(&setup, Client::Ours, rekor, tc)?);
        if !options.skip_python {
            results.push(run_one(&setup, Client::Python, rekor, tc)?);
        }
    }
    let final_stats = stats(&testkit.fulcio)?;
    drop(testkit);

    summary(&results, names.len(), &final_stats);
    let bad: Vec<&Figures> = results
        .iter()
        .filter(|f| f.client == Client::Ours && f.signing_certs != 1)
        .collect();
    if let Some(f) = bad.first() {
        bail!(
            "our Rekor v{} run asked Fulcio for {} certificates, expected exactly 1",
            f.rekor,
            f.signing_certs
        );
    }
    Ok(())
}

fn summary(results: &[Figures], files: usize, final_stats: &Value) {
    println!();
    println!("sign {files} files in one invocation (testkit on 127.0.0.1)");
    println!(
        "{:<24} {:>5} {:>10} {:>12} {:>10} {:>11} {:>11}",
        "client", "rekor", "total s", "ms per file", "fulcio", "log entries", "timestamps"
    );
    for f in results {
        println!(
            "{:<24} {:>5} {:>10.3} {:>12.2} {:>10} {:>11} {:>11}",
            f.client.name(),
            format!("v{}", f.rekor),
            f.seconds,
            f.seconds * 1000.0 / files as f64,
            f.signing_certs,
            f.log_entries,
            f.timestamps
        );
    }
    for rekor in [1u8, 2] {
        let find = |c: Client| results.iter().find(|f| f.client == c && f.rekor == rekor);
        if let (Some(ours), Some(py)) = (find(Client::Ours), find(Client::Python)) {
            println!(
                "Rekor v{rekor}: sigstore-python / ours = {:.1}x",
                py.seconds / ours.seconds
            );
        }
    }
    println!(
        "testkit request counts over the whole run: {}",
        json!(final_stats)
    );
}
