//! Project automation, run as `cargo xtask <command>`.
//!
//! - `conformance [--backend rustcrypto|aws-lc|both] [--cases DIR] [--filter TEXT]`: builds the
//!   release `sigstore-conformance` binary and runs every sigstore-conformance verification case
//!   twice (artifact path and `sha256:` digest), printing unexpected results and a final
//!   `N passed, N failed` line. With `--signing` it runs signing scenarios instead: starts the
//!   testkit's services, signs with `sign-bundle` (Rekor v1 and v2, message and `--in-toto`),
//!   checks each bundle and verifies it with `verify-bundle`.
//! - `ci [--skip-deny] [--skip-interop]`: formatting, clippy, tests on both crypto backends,
//!   rustdoc, cargo-deny, the pure-crate dependency check, verification conformance on both
//!   backends, signing conformance against the testkit, and interop with sigstore-python and
//!   sigstore-js.
//! - `interop [--skip-local-stack] [--skip-build]`: signs and verifies across our CLI,
//!   sigstore-python and sigstore-js against the testkit and the shared local stack.
//! - `check-deps`: fails if a pure crate has tokio, hyper, rustls or reqwest among its normal
//!   dependencies.
//! - `bench`: verification throughput against the crypto floor (see `bench.rs`); `bench sign`:
//!   signing 100 files in one invocation, ours against sigstore-python (see `bench_sign.rs`).
#![forbid(unsafe_code)]

mod bench;
mod bench_sign;
mod conformance;
mod fixtures;
mod fuzz;
mod interop;
mod limbo;
mod stack;
mod standalone;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

/// Crates that must stay free of network and async runtimes.
const PURE_CRATES: &[&str] = &[
    "sigstore-types",
    "sigstore-crypto",
    "sigstore-rekor",
    "sigstore-x509-policy",
    "sigstore-fulcio",
    "sigstore-tsa",
    "sigstore-verify",
    "sigstore-trust",
];

/// Dependencies a pure crate must not pull in.
const FORBIDDEN_IN_PURE: &[&str] = &["tokio", "hyper", "rustls", "reqwest", "mio"];

/// Project automation for the Sigstore workspace.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// The commands; the older ones still parse their own options (listed in their help).
#[derive(Debug, Subcommand)]
enum Task {
    /// Verification (or --signing) conformance: [--backend rustcrypto|aws-lc|both]
    /// [--cases DIR] [--filter TEXT] [--signing].
    Conformance {
        /// Options, as listed above.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Everything CI runs: [--skip-deny] [--skip-interop] [--skip-standalone].
    Ci {
        /// Options, as listed above.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Fail if a pure crate has tokio, hyper, rustls or reqwest among its dependencies.
    CheckDeps,
    /// Benchmarks: verification throughput (`bench --help`), or `bench sign` (`bench sign
    /// --help`).
    #[command(disable_help_flag = true)]
    Bench {
        /// Options, as listed above.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Interop with sigstore-python and sigstore-js: [--skip-local-stack] [--skip-build].
    Interop {
        /// Options, as listed above.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The pinned upstream data: `check` it, or `refresh` it from upstream.
    #[command(subcommand)]
    Fixtures(fixtures::Fixtures),
    /// Build the cargo-fuzz targets of fuzz/ and run each: [--seconds N] [--target NAME].
    Fuzz(fuzz::Args),
    /// Clone the project into a folder with no ../shared beside it, install the CLI from the
    /// clone, verify a conformance bundle offline with it, and run `cargo test` there.
    Standalone {
        /// Install and verify only; skip `cargo test` in the clone.
        #[arg(long)]
        skip_tests: bool,
    },
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Conformance { args } => conformance::run(&args),
        Task::Ci { args } => ci(&args),
        Task::CheckDeps => check_deps(),
        Task::Bench { args } => bench::run(&args),
        Task::Interop { args } => interop::run(&args),
        Task::Fixtures(command) => fixtures::run(command),
        Task::Standalone { skip_tests } => standalone::run(skip_tests),
        Task::Fuzz(args) => fuzz::run(&args),
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The shared upstream material: `$SIGSTORE_SHARED_DIR`, else `../shared` beside the workspace.
pub(crate) fn shared_dir() -> PathBuf {
    std::env::var_os("SIGSTORE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared"))
}

pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

fn run_step(name: &str, mut cmd: Command) -> Result<()> {
    eprintln!("==> {name}");
    let status = cmd.status().with_context(|| format!("running {name}"))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

fn ci(args: &[String]) -> Result<()> {
    let skip_deny = args.iter().any(|a| a == "--skip-deny");
    let skip_interop = args.iter().any(|a| a == "--skip-interop");
    let skip_standalone = args.iter().any(|a| a == "--skip-standalone");
    if let Some(unknown) = args.iter().find(|a| {
        !matches!(
            a.as_str(),
            "--skip-deny" | "--skip-interop" | "--skip-standalone"
        )
    }) {
        bail!("ci: unknown option {unknown:?}");
    }

    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run_step("cargo fmt --check", fmt)?;

    eprintln!("==> cargo xtask fixtures check");
    fixtures::run(fixtures::Fixtures::Check)?;

    for features in [&[][..], &["--all-features"][..]] {
        let mut clippy = cargo();
        clippy.args(["clippy", "--workspace", "--all-targets", "--locked"]);
        clippy.args(features);
        clippy.args(["--", "-D", "warnings"]);
        run_step(&format!("cargo clippy {}", features.join(" ")), clippy)?;
    }

    // The tests that log in through a browser, fetch TUF repositories made by python-tuf or
    // sign against the shared mocks run while the local stack is up.
    let stack = stack::Stack::start()?;
    let mut test = cargo();
    test.args(["test", "--workspace", "--locked", "--no-default-features"])
        .env("SIGSTORE_STACK_DIR", stack.dir())
        .env("SIGSTORE_STACK_TOOLS", stack.tools());
    run_step("cargo test (RustCrypto backend)", test)?;

    let mut test_awslc = cargo();
    test_awslc
        .args(["test", "--workspace", "--locked", "--all-features"])
        .env("SIGSTORE_STACK_DIR", stack.dir())
        .env("SIGSTORE_STACK_TOOLS", stack.tools());
    run_step("cargo test (aws-lc backend)", test_awslc)?;
    drop(stack);

    examples()?;

    let mut doc = cargo();
    doc.args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings");
    run_step("cargo doc", doc)?;

    if skip_deny {
        eprintln!("==> cargo deny: SKIPPED (--skip-deny)");
    } else {
        ensure_cargo_deny()?;
        cargo_deny()?;
    }

    check_deps()?;

    if skip_standalone {
        eprintln!("==> standalone clone: SKIPPED (--skip-standalone)");
    } else {
        standalone::run(false)?;
    }

    let args = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    conformance::run(&args(&["--backend", "both"]))?;
    conformance::run(&args(&["--signing", "--backend", "aws-lc"]))?;
    fuzz::run(&fuzz::Args {
        seconds: 20,
        target: None,
    })?;
    if skip_interop {
        eprintln!("==> interop: SKIPPED (--skip-interop)");
        Ok(())
    } else {
        interop::run(&[])
    }
}

/// Runs the library examples that work offline, each with an input it must accept and one it
/// must refuse.
fn examples() -> Result<()> {
    const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    const ISSUER: &str = "https://token.actions.githubusercontent.com";
    let artifact = sigstore_test_support::conformance_artifact();
    let bundle =
        sigstore_test_support::conformance_cases().join("happy-path-v0.3/bundle.sigstore.json");
    for (identity, must_pass) in [(IDENTITY, true), ("https://github.com/someone/else", false)] {
        eprintln!("==> example verify_file (--offline, identity {identity})");
        let output = cargo()
            .args([
                "run",
                "--quiet",
                "--locked",
                "-p",
                "sigstore-verify",
                "--features",
                "tuf",
                "--example",
                "verify_file",
                "--",
                "--offline",
            ])
            .arg(&artifact)
            .arg(&bundle)
            .args([identity, ISSUER])
            .output()
            .context("running the verify_file example")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let passed = output.status.success() && stdout.starts_with("OK: ");
        if passed != must_pass {
            bail!(
                "example verify_file: expected {}, got exit {} with\n{stdout}{}",
                if must_pass { "OK" } else { "a failure" },
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    Ok(())
}

/// `cargo deny check`. The advisory database lives on GitHub; when it cannot be fetched, say so
/// loudly and still enforce bans, licenses and sources.
fn cargo_deny() -> Result<()> {
    eprintln!("==> cargo deny check");
    let output = cargo()
        .args(["deny", "--locked", "check"])
        .output()
        .context("running cargo deny")?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("failed to fetch advisory database") {
        eprintln!(
            "    WARNING: advisories NOT checked: the advisory database cannot be fetched from \
             this network; checking bans, licenses and sources"
        );
        let mut rest = cargo();
        rest.args(["deny", "--locked", "check", "bans", "licenses", "sources"]);
        return run_step("cargo deny check bans licenses sources", rest);
    }
    eprintln!("{stderr}");
    bail!("cargo deny check failed")
}

fn ensure_cargo_deny() -> Result<()> {
    let present = cargo()
        .args(["deny", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !present {
        let mut install = cargo();
        install.args(["install", "--locked", "cargo-deny"]);
        run_step("cargo install cargo-deny", install)?;
    }
    Ok(())
}

fn check_deps() -> Result<()> {
    eprintln!("==> pure crates: no {FORBIDDEN_IN_PURE:?} in normal dependencies");
    let mut offenders = Vec::new();
    for krate in PURE_CRATES {
        let output = cargo()
            .args([
                "tree", "--locked", "-p", krate, "-e", "normal", "--prefix", "none", "--format",
                "{p}",
            ])
            .output()
            .with_context(|| format!("cargo tree -p {krate}"))?;
        if !output.status.success() {
            bail!(
                "cargo tree -p {krate} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            if FORBIDDEN_IN_PURE.contains(&name) {
                offenders.push(format!("{krate} -> {name}"));
            }
        }
    }
    offenders.sort();
    offenders.dedup();
    if offenders.is_empty() {
        eprintln!("    {} pure crates clean", PURE_CRATES.len());
        Ok(())
    } else {
        bail!("pure crates depend on network/async crates: {offenders:?}")
    }
}
