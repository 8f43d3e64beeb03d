//! `cargo xtask interop [--skip-local-stack] [--skip-build]`: interoperability with
//! independent Sigstore clients.
//!
//! Builds the release `sigstore` CLI and the testkit's `serve` binary, installs sigstore-python
//! 4.5.1 (PyPI, in a venv) and sigstore-js (npm `sigstore@5`, `@sigstore/verify@4`) under
//! `target/interop/` with `interop/setup.sh`, then runs `interop/run.sh`: our CLI signs and
//! they verify, they sign and our CLI verifies, against the testkit and against
//! `../shared/tools/local-stack`. The script prints one line per case and a final
//! `N passed, N failed, N skipped`; this command fails when any case failed. Every service the
//! script starts is stopped by the script's exit trap; the guard here ends the script itself
//! (SIGTERM, then SIGKILL) if this process gives up on it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{cargo, shared_dir, workspace_root};

/// Options of `cargo xtask interop`.
#[derive(Debug, Default, clap::Args)]
#[command(after_help = "Examples:
  cargo xtask interop
  cargo xtask interop --skip-local-stack
  cargo xtask interop --skip-build --skip-local-stack")]
pub(crate) struct Args {
    /// Leave out the cases against `../shared/tools/local-stack` (the testkit cases still run).
    #[arg(long)]
    pub(crate) skip_local_stack: bool,
    /// Use the release binaries already in `target/release` instead of building them.
    #[arg(long)]
    pub(crate) skip_build: bool,
}

pub(crate) fn run(options: &Args) -> Result<()> {
    let root = workspace_root();
    let release = root.join("target").join("release");
    if !options.skip_build {
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
    }
    let sigstore = release.join("sigstore");
    let testkit = release.join("sigstore-testkit");
    for binary in [&sigstore, &testkit] {
        if !binary.is_file() {
            bail!("{} is missing (run without --skip-build)", binary.display());
        }
    }

    let scripts = root.join("interop");
    let interop_dir = root.join("target").join("interop");
    let mut setup = Command::new("bash");
    setup.arg(scripts.join("setup.sh")).arg(&interop_dir);
    let status = Guard::spawn(setup, "interop/setup.sh")?.wait()?;
    if !status {
        bail!("installing the independent clients failed");
    }

    eprintln!("==> interop cases");
    let started = Instant::now();
    let mut cases = Command::new("bash");
    cases
        .arg(scripts.join("run.sh"))
        .env("INTEROP_DIR", &interop_dir)
        .env("SIGSTORE", &sigstore)
        .env("TESTKIT", &testkit)
        .env("SHARED_DIR", absolute(&shared_dir()));
    if options.skip_local_stack {
        cases.env("INTEROP_SKIP_LOCAL_STACK", "1");
    }
    let passed = Guard::spawn(cases, "interop/run.sh")?.wait()?;
    eprintln!(
        "==> interop cases took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if !passed {
        bail!("interop cases failed");
    }
    Ok(())
}

fn absolute(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// A child process that is ended (SIGTERM, so its exit trap runs, then SIGKILL) if it is
/// still running when the guard is dropped.
struct Guard {
    child: Child,
    name: &'static str,
}

impl Guard {
    fn spawn(mut cmd: Command, name: &'static str) -> Result<Self> {
        let child = cmd.spawn().with_context(|| format!("starting {name}"))?;
        Ok(Self { child, name })
    }

    /// Waits for the child; true when it exited successfully.
    fn wait(mut self) -> Result<bool> {
        let status = self
            .child
            .wait()
            .with_context(|| format!("waiting for {}", self.name))?;
        Ok(status.success())
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
