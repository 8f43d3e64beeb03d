//! `cargo xtask fuzz [--seconds N] [--target NAME]`: builds the cargo-fuzz targets of `fuzz/`
//! and runs each for N seconds from its committed corpus, printing one line per target and a
//! final `fuzz: N passed, N failed` line; fails when any target crashes.
//!
//! cargo-fuzz is installed from crates.io when missing. The targets need an unstable compiler
//! (`-Z` flags for the sanitizer and coverage instrumentation): the nightly toolchain when
//! rustup has one, else the stable one with `RUSTC_BOOTSTRAP=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// Options of `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cargo xtask fuzz
  cargo xtask fuzz --seconds 300 --target bundle_verify")]
pub(crate) struct Args {
    /// Seconds to run each target for (libFuzzer's `-max_total_time`).
    #[arg(long, default_value_t = 30)]
    pub(crate) seconds: u64,
    /// Run only this target (default: every target `cargo fuzz list` names).
    #[arg(long)]
    pub(crate) target: Option<String>,
}

/// How cargo-fuzz is invoked: `cargo +TOOLCHAIN fuzz`, with `RUSTC_BOOTSTRAP=1` on stable.
struct Toolchain {
    name: Option<&'static str>,
    bootstrap: bool,
}

impl Toolchain {
    /// Nightly when rustup has it, else stable (or whatever `cargo` is) with bootstrapping.
    fn detect() -> Self {
        let rustup = Command::new("rustup")
            .args(["toolchain", "list"])
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success());
        match rustup {
            Some(out) if String::from_utf8_lossy(&out.stdout).contains("nightly") => Self {
                name: Some("nightly"),
                bootstrap: false,
            },
            Some(_) => Self {
                name: Some("stable"),
                bootstrap: true,
            },
            None => Self {
                name: None,
                bootstrap: true,
            },
        }
    }

    fn describe(&self) -> String {
        format!(
            "{}{}",
            self.name.unwrap_or("default toolchain"),
            if self.bootstrap {
                " with RUSTC_BOOTSTRAP=1"
            } else {
                ""
            }
        )
    }

    /// `cargo [+toolchain] fuzz <args>` in `fuzz/`. Plain `cargo` (the rustup proxy), not
    /// `$CARGO`, so that `+toolchain` works.
    fn cargo_fuzz(&self, fuzz_dir: &Path) -> Command {
        let mut cmd = Command::new("cargo");
        if let Some(name) = self.name {
            cmd.arg(format!("+{name}"));
        }
        cmd.arg("fuzz").current_dir(fuzz_dir);
        cmd.env_remove("RUSTUP_TOOLCHAIN");
        if self.bootstrap {
            cmd.env("RUSTC_BOOTSTRAP", "1");
        }
        cmd
    }
}

/// Installs cargo-fuzz with `cargo install --locked` unless `cargo fuzz` already runs.
fn ensure_cargo_fuzz() -> Result<()> {
    let present = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    let mut install = Command::new("cargo");
    install.args(["install", "cargo-fuzz", "--locked"]);
    crate::run_step("cargo install cargo-fuzz --locked", install)
}

/// The executions libFuzzer reports with `-print_final_stats=1`.
fn executions(log: &str) -> Option<u64> {
    log.lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|n| n.trim().parse().ok())
}

/// The crash input libFuzzer saved, if it names one.
fn artifact(log: &str) -> Option<&str> {
    log.lines()
        .find_map(|l| l.split_once("Test unit written to ").map(|(_, p)| p.trim()))
}

/// Runs `cargo xtask fuzz`.
pub(crate) fn run(args: &Args) -> Result<()> {
    let fuzz_dir = crate::workspace_root().join("fuzz");
    ensure_cargo_fuzz()?;
    let toolchain = Toolchain::detect();
    eprintln!("==> fuzz: cargo fuzz on {}", toolchain.describe());

    let listed = toolchain
        .cargo_fuzz(&fuzz_dir)
        .arg("list")
        .output()
        .context("running cargo fuzz list")?;
    if !listed.status.success() {
        bail!(
            "cargo fuzz list failed:\n{}",
            String::from_utf8_lossy(&listed.stderr)
        );
    }
    let all: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let targets = match &args.target {
        Some(name) if all.contains(name) => vec![name.clone()],
        Some(name) => bail!("fuzz: no target {name:?} (targets: {})", all.join(", ")),
        None => all,
    };

    let started = Instant::now();
    let mut build = toolchain.cargo_fuzz(&fuzz_dir);
    build.arg("build");
    if let [one] = targets.as_slice() {
        build.arg(one);
    }
    crate::run_step("cargo fuzz build", build)?;
    eprintln!(
        "==> fuzz: built {} target(s) in {}s",
        targets.len(),
        started.elapsed().as_secs()
    );

    let work = fuzz_dir.join("target/xtask-fuzz");
    let (mut passed, mut failed) = (0usize, 0usize);
    for target in &targets {
        let scratch = work.join("corpus").join(target);
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("creating {}", scratch.display()))?;
        let log_path = work.join(format!("{target}.log"));
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        // New inputs go to the scratch folder (the first one); the committed corpus is read only.
        let status = toolchain
            .cargo_fuzz(&fuzz_dir)
            .args(["run", target])
            .arg(&scratch)
            .arg(committed_corpus(&fuzz_dir, target))
            .args(["--", &format!("-max_total_time={}", args.seconds)])
            .arg("-print_final_stats=1")
            .stdout(log.try_clone()?)
            .stderr(log)
            .status()
            .with_context(|| format!("running cargo fuzz run {target}"))?;
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let runs = executions(&text).map_or_else(|| "?".to_owned(), |n| n.to_string());
        if status.success() {
            passed += 1;
            println!("fuzz: {target}: ok, {runs} executions in {}s", args.seconds);
        } else {
            failed += 1;
            println!(
                "fuzz: {target}: FAILED ({status}) after {runs} executions; input: {}; log: {}",
                artifact(&text).unwrap_or("none saved"),
                log_path.display()
            );
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            for line in tail.iter().rev() {
                eprintln!("    {line}");
            }
        }
    }
    println!("fuzz: {passed} passed, {failed} failed");
    if failed > 0 {
        bail!("{failed} fuzz target(s) crashed (reproduce: cargo fuzz run TARGET INPUT)");
    }
    Ok(())
}

/// `fuzz/corpus/<target>`, the minimised seeds in the repository.
fn committed_corpus(fuzz_dir: &Path, target: &str) -> PathBuf {
    fuzz_dir.join("corpus").join(target)
}
