//! Project automation, run as `cargo xtask <command>`.
//!
//! - `conformance [--backend rustcrypto|aws-lc|both] [--cases DIR] [--filter TEXT]`: builds the
//!   release `sigstore-conformance` binary and runs every sigstore-conformance verification case
//!   twice (artifact path and `sha256:` digest), printing unexpected results and a final
//!   `N passed, N failed` line. With `--signing` it runs signing scenarios instead: starts the
//!   testkit's services, signs with `sign-bundle` (Rekor v1 and v2, message and `--in-toto`),
//!   checks each bundle and verifies it with `verify-bundle`.
//! - `ci [--skip-deny] [--skip-interop] [--skip-standalone]`: formatting, clippy, tests on both
//!   crypto backends, every example built and the offline ones run, rustdoc, cargo-deny, the
//!   pure-crate dependency check, verification conformance on both backends, signing
//!   conformance against the testkit, and interop with sigstore-python and sigstore-js.
//! - `interop [--skip-local-stack] [--skip-build]`: signs and verifies across our CLI,
//!   sigstore-python and sigstore-js against the testkit and the shared local stack.
//! - `check-deps`: fails if a pure crate has tokio, hyper, rustls or reqwest among its normal
//!   dependencies.
//! - `bench`: verification throughput against the crypto floor (see `bench.rs`); `bench sign`:
//!   signing 100 files in one invocation, ours against sigstore-python (see `bench_sign.rs`).
//! - `examples`: builds every example and runs the offline ones (part of `ci`).
//! - `fixtures check|refresh`, `fuzz`, `standalone`: see `--help`.
//!
//! Every command takes `--help`, which lists its options and shows examples.
#![forbid(unsafe_code)]

mod bench;
mod bench_peer;
mod bench_sign;
mod conformance;
mod fixtures;
mod fuzz;
mod interop;
mod limbo;
mod stack;
mod standalone;
mod symbol_order;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

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
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about,
    long_about = None,
    after_help = "Examples:
  cargo xtask ci --skip-interop
  cargo xtask conformance --backend both
  cargo xtask check-deps
  cargo xtask fixtures check
  cargo xtask <COMMAND> --help"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Task {
    /// Verification conformance (or, with --signing, signing conformance against the testkit).
    Conformance(conformance::Args),
    /// Everything CI runs.
    Ci(CiArgs),
    /// Fail if a pure crate has tokio, hyper, rustls or reqwest among its dependencies.
    #[command(after_help = "Examples:\n  cargo xtask check-deps")]
    CheckDeps,
    /// Benchmarks: verification throughput, side by side with sigstore-rust, or `bench sign`.
    Bench(bench::BenchArgs),
    /// Interop with sigstore-python and sigstore-js against the testkit and the local stack.
    Interop(interop::Args),
    /// The pinned upstream data: `check` it, or `refresh` it from upstream.
    #[command(
        subcommand,
        after_help = "Examples:\n  cargo xtask fixtures check\n  cargo xtask fixtures refresh --help"
    )]
    Fixtures(fixtures::Fixtures),
    /// Build the cargo-fuzz targets of fuzz/ and run each from its committed corpus.
    Fuzz(fuzz::Args),
    /// Profile a cold `sigstore verify` (valgrind) and write the functions it runs to
    /// crates/sigstore-cli/link/symbol-order.txt, the layout the CLI is linked with.
    SymbolOrder(symbol_order::Args),
    /// Build every example of the workspace and run the offline ones (and sign_file against
    /// the testkit), each on an input it must accept and one it must refuse.
    #[command(after_help = "Examples:\n  cargo xtask examples")]
    Examples,
    /// Clone the project into a folder with no ../shared beside it, install the CLI from the
    /// clone, verify a conformance bundle offline with it, and run `cargo test` there.
    #[command(after_help = "Examples:
  cargo xtask standalone
  cargo xtask standalone --skip-tests")]
    Standalone {
        /// Install and verify only; skip `cargo test` in the clone.
        #[arg(long)]
        skip_tests: bool,
    },
}

/// Options of `cargo xtask ci`.
#[derive(Debug, Clone, Copy, clap::Args)]
#[command(after_help = "Examples:
  cargo xtask ci
  cargo xtask ci --skip-deny --skip-interop --skip-standalone")]
struct CiArgs {
    /// Do not install or run cargo-deny.
    #[arg(long)]
    skip_deny: bool,
    /// Do not run the interop cases with sigstore-python and sigstore-js.
    #[arg(long)]
    skip_interop: bool,
    /// Do not clone the project into a standalone folder and test it there.
    #[arg(long)]
    skip_standalone: bool,
}

/// The command line definition.
fn command() -> clap::Command {
    Cli::command()
}

fn main() -> Result<()> {
    let cli = Cli::from_arg_matches(&command().get_matches()).unwrap_or_else(|error| error.exit());
    match cli.task {
        Task::Conformance(args) => conformance::run(&args),
        Task::Ci(args) => ci(&args),
        Task::CheckDeps => check_deps(),
        Task::Bench(args) => bench::run(args),
        Task::Interop(args) => interop::run(&args),
        Task::Fixtures(command) => fixtures::run(command),
        Task::Standalone { skip_tests } => standalone::run(skip_tests),
        Task::Fuzz(args) => fuzz::run(&args),
        Task::SymbolOrder(args) => symbol_order::run(&args),
        Task::Examples => examples(),
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

fn ci(args: &CiArgs) -> Result<()> {
    let CiArgs {
        skip_deny,
        skip_interop,
        skip_standalone,
    } = *args;

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

    conformance::run(&conformance::Args {
        backend: conformance::Backends::Both,
        cases: None,
        filter: None,
        signing: false,
    })?;
    conformance::run(&conformance::Args {
        backend: conformance::Backends::AwsLc,
        cases: None,
        filter: None,
        signing: true,
    })?;
    fuzz::run(&fuzz::Args {
        seconds: 20,
        target: None,
    })?;
    if skip_interop {
        eprintln!("==> interop: SKIPPED (--skip-interop)");
        Ok(())
    } else {
        interop::run(&interop::Args::default())
    }
}

/// The target directory cargo builds into.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Runs a built example and checks its outcome: with `refusal` `None`, exit 0 and a line
/// starting `OK: ` on stdout; else exit 1 and `error: ...` on stderr, containing `refusal`.
fn run_example(name: &str, what: &str, mut cmd: Command, refusal: Option<&str>) -> Result<()> {
    eprintln!("==> example {name}: {what}");
    let output = cmd
        .output()
        .with_context(|| format!("running the {name} example"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let as_expected = match refusal {
        None => output.status.success() && stdout.lines().any(|l| l.starts_with("OK: ")),
        Some(reason) => {
            output.status.code() == Some(1)
                && stderr.starts_with("error: ")
                && stderr.contains(reason)
                && !stdout.contains("OK: ")
        }
    };
    if !as_expected {
        bail!(
            "example {name} ({what}): expected {}, got exit {} with\n{stdout}{stderr}",
            refusal.map_or("OK".to_owned(), |r| format!("a refusal naming {r:?}")),
            output.status,
        );
    }
    Ok(())
}

/// Builds every example of the workspace, then runs the offline ones, each with an input it
/// must accept and one it must refuse, and `sign_file` against a local testkit.
fn examples() -> Result<()> {
    const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    const ISSUER: &str = "https://token.actions.githubusercontent.com";

    let mut build = cargo();
    build.args([
        "build",
        "--workspace",
        "--examples",
        "--all-features",
        "--locked",
    ]);
    run_step("cargo build --workspace --examples", build)?;
    let example = |name: &str| Command::new(target_dir().join("debug/examples").join(name));

    let cases = sigstore_test_support::conformance_cases();
    let artifact = sigstore_test_support::conformance_artifact();
    let bundle = cases.join("happy-path-v0.3/bundle.sigstore.json");
    for (identity, refusal) in [
        (IDENTITY, None),
        ("https://github.com/someone/else", Some("identity mismatch")),
    ] {
        let mut cmd = example("verify_file");
        cmd.arg("--offline")
            .arg(&artifact)
            .arg(&bundle)
            .args([identity, ISSUER]);
        run_example("verify_file", &format!("identity {identity}"), cmd, refusal)?;
    }

    // verify_inclusion: a Rekor v1 and a Rekor v2 entry, then a copy with one proof hash
    // changed.
    let production_root = sigstore_test_support::trust_file("production", "trusted_root.json");
    let rekor2 = cases.join("rekor2-happy-path");
    let rekor2_bundle = rekor2.join("bundle.sigstore.json");
    let rekor2_root = rekor2.join("trusted_root.json");
    for (what, bundle, root) in [
        ("Rekor v1", &bundle, &production_root),
        ("Rekor v2", &rekor2_bundle, &rekor2_root),
    ] {
        let mut cmd = example("verify_inclusion");
        cmd.arg(bundle).arg(root);
        run_example("verify_inclusion", what, cmd, None)?;
    }
    let scratch = target_dir().join("xtask-examples");
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let tampered = scratch.join("tampered.sigstore.json");
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&rekor2_bundle)?)?;
    let hash = &mut json["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][0];
    if !hash.is_string() {
        bail!("{} has no inclusion proof hash", rekor2_bundle.display());
    }
    // 32 bytes of 0x01: a well-formed hash that is not the sibling the proof needs.
    *hash = serde_json::Value::from("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=");
    std::fs::write(&tampered, serde_json::to_vec(&json)?)?;
    let mut cmd = example("verify_inclusion");
    cmd.arg(&tampered).arg(&rekor2_root);
    run_example(
        "verify_inclusion",
        "a changed proof hash",
        cmd,
        Some("does not equal"),
    )?;

    // sign_file: against the testkit's services and trust files, with its token.
    let testkit = conformance::signing::testkit_binary()?;
    let server = conformance::signing::start_server(&testkit)?;
    let token = std::fs::read_to_string(server.dir.join("token"))?;
    let file = scratch.join("signed.txt");
    let bundle_out = scratch.join("signed.txt.sigstore.json");
    std::fs::write(&file, b"signed by the sign_file example\n")?;
    let _ = std::fs::remove_file(&bundle_out);
    for (what, refusal) in [("testkit", None), ("its bundle exists", Some("exists"))] {
        let mut cmd = example("sign_file");
        cmd.env("SIGSTORE_IDENTITY_TOKEN", token.trim())
            .arg("--trusted-root")
            .arg(server.dir.join("trusted_root.json"))
            .arg("--signing-config")
            .arg(server.dir.join("signing_config_rekor_v2.json"))
            .arg(&file);
        run_example("sign_file", what, cmd, refusal)?;
    }
    let signed = std::fs::read(&bundle_out)
        .with_context(|| format!("sign_file wrote no {}", bundle_out.display()))?;
    sigstore_types::Bundle::from_json(&signed)
        .with_context(|| format!("{} is not a bundle", bundle_out.display()))?;
    drop(server);
    let _ = std::fs::remove_dir_all(&scratch);
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

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::command;

    /// Every command path under `cmd` (the generated `help` subcommand left out).
    fn paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        out.push(prefix.to_vec());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_owned());
            paths(sub, &path, out);
        }
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_help_renders_and_shows_an_example() {
        let mut all = Vec::new();
        paths(&command(), &[], &mut all);
        let (mut passed, mut failed) = (0usize, Vec::new());
        for path in &all {
            let args = std::iter::once("cargo xtask")
                .chain(path.iter().map(String::as_str))
                .chain(["--help"]);
            match command().try_get_matches_from(args) {
                Err(e) if e.kind() == ErrorKind::DisplayHelp && e.exit_code() == 0 => {
                    let help = e.render().to_string();
                    let example = format!("cargo xtask {}", path.join(" "));
                    if help.contains("Examples:\n") && help.contains(example.trim_end()) {
                        passed += 1;
                    } else {
                        failed.push(format!("{path:?}: no example in\n{help}"));
                    }
                }
                other => failed.push(format!("{path:?}: --help gave {other:?}")),
            }
        }
        println!("xtask help: {passed} passed, {} failed", failed.len());
        assert!(failed.is_empty(), "{failed:#?}");
        // The top level, every command and the fixtures subcommands.
        assert!(passed >= 12, "only {passed} commands walked");
    }

    #[test]
    fn unknown_options_and_missing_values_are_refused() {
        for args in [
            &["cargo xtask", "conformance", "--nope"][..],
            &["cargo xtask", "conformance", "--backend", "openssl"],
            &["cargo xtask", "conformance", "--filter"],
            &["cargo xtask", "ci", "--skip-everything"],
            &["cargo xtask", "interop", "extra"],
            &["cargo xtask", "standalone", "--fast"],
            &["cargo xtask", "frobnicate"],
        ] {
            let error = command().try_get_matches_from(args).expect_err("refused");
            assert_eq!(error.exit_code(), 2, "{args:?}: {error}");
        }
        let matches = command()
            .try_get_matches_from([
                "cargo xtask",
                "conformance",
                "--backend",
                "both",
                "--signing",
            ])
            .expect("valid options");
        assert!(matches.subcommand_matches("conformance").is_some());
    }
}
