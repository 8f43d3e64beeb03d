//! `cargo xtask standalone`: the project stands alone.
//!
//! Clones the committed project into a fresh folder with no `../shared` beside it and, with a
//! home directory of its own (no TUF cache) and none of the project's environment variables:
//! installs the CLI with `cargo install --path crates/sigstore-cli`, verifies a conformance
//! bundle offline with the installed binary (it must print `OK`, and `FAIL` for a changed
//! artifact), packages every publishable crate (`cargo package --workspace --no-verify`),
//! and runs `cargo test --workspace` in the clone. The clone builds into
//! `target/standalone`, kept between runs.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, ensure, Context, Result};

use crate::{run_step, workspace_root};

/// The conformance case verified with the installed binary.
const CASE: &str = "testdata/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json";
const ARTIFACT: &str = "testdata/conformance/a.txt";
const REPOSITORY: &str = "sigstore-conformance/extremely-dangerous-public-oidc-beacon";

/// Runs the standalone check; `skip_tests` leaves out `cargo test` in the clone.
pub fn run(skip_tests: bool) -> Result<()> {
    let base = std::env::temp_dir().join(format!("sigstore-standalone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base)?;
    let result = check(&base, skip_tests);
    let _ = std::fs::remove_dir_all(&base);
    result
}

fn check(base: &Path, skip_tests: bool) -> Result<()> {
    let clone = base.join("sigstore");
    let home = base.join("home");
    let install = base.join("install");
    std::fs::create_dir_all(&home)?;
    ensure!(
        !base.join("shared").exists(),
        "{} has a shared/ beside the clone",
        base.display()
    );
    let target = workspace_root().join("target/standalone");

    let mut git = Command::new("git");
    git.args(["clone", "--quiet", "--no-hardlinks"])
        .arg(workspace_root())
        .arg(&clone);
    run_step(
        "standalone: git clone (committed HEAD, no ../shared beside it)",
        git,
    )?;

    let isolated = |program: &str| {
        let mut cmd = Command::new(program);
        cmd.current_dir(&clone)
            .env("CARGO_TARGET_DIR", &target)
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env_remove("SIGSTORE_SHARED_DIR")
            .env_remove("SIGSTORE_STACK_DIR")
            .env_remove("SIGSTORE_STACK_TOOLS")
            .env_remove("SIGSTORE_CONFORMANCE_CASES")
            .env_remove("RUSTDOCFLAGS");
        // cargo and rustup find their own homes through these, not through HOME.
        for var in ["CARGO_HOME", "RUSTUP_HOME"] {
            match std::env::var_os(var) {
                Some(value) => cmd.env(var, value),
                None => cmd.env(var, default_home(var)),
            };
        }
        cmd
    };
    let cargo_bin = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let cargo_program = cargo_bin.to_string_lossy().into_owned();

    let mut cargo_install = isolated(&cargo_program);
    cargo_install
        .args([
            "install",
            "--locked",
            "--path",
            "crates/sigstore-cli",
            "--root",
        ])
        .arg(&install);
    run_step(
        "standalone: cargo install --path crates/sigstore-cli",
        cargo_install,
    )?;

    let sigstore = install.join("bin/sigstore");
    let verify = |artifact: &Path| -> Result<(bool, String)> {
        let output = isolated(&sigstore.to_string_lossy())
            .args(["verify", "github", "--offline"])
            .arg(artifact)
            .arg("--bundle")
            .arg(clone.join(CASE))
            .args(["--repository", REPOSITORY, "--trigger", "workflow_dispatch"])
            .output()
            .with_context(|| format!("running {}", sigstore.display()))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok((output.status.success(), text))
    };
    eprintln!("==> standalone: installed sigstore verify --offline");
    let (ok, text) = verify(&clone.join(ARTIFACT))?;
    ensure!(
        ok && text.lines().any(|l| l.starts_with("OK: ")),
        "the installed CLI did not verify the conformance bundle:\n{text}"
    );
    let changed = base.join("a.txt");
    let mut bytes = std::fs::read(clone.join(ARTIFACT))?;
    if let Some(first) = bytes.first_mut() {
        *first ^= 1;
    }
    std::fs::write(&changed, bytes)?;
    let (ok, text) = verify(&changed)?;
    if ok || !text.lines().any(|l| l.starts_with("FAIL: ")) {
        bail!("the installed CLI accepted a changed artifact:\n{text}");
    }
    eprintln!("    OK for the artifact, FAIL for a changed one");
    // What the build script gave the install (the link layout and relocation format).
    if let Err(e) = crate::symbol_order::report_coverage(&sigstore) {
        eprintln!("    (no symbol order report: {e:#})");
    }

    let mut package = isolated(&cargo_program);
    package.args(["package", "--workspace", "--no-verify", "--locked"]);
    for name in unpublished(&clone)? {
        package.args(["--exclude", &name]);
    }
    run_step(
        "standalone: cargo package --no-verify (every publishable crate)",
        package,
    )?;

    if skip_tests {
        eprintln!("==> standalone: cargo test SKIPPED (--skip-tests)");
        return Ok(());
    }
    let mut test = isolated(&cargo_program);
    test.args(["test", "--workspace", "--locked"]);
    run_step("standalone: cargo test --workspace (no ../shared)", test)
}

/// The workspace members marked `publish = false`.
fn unpublished(workspace: &Path) -> Result<Vec<String>> {
    let output = crate::cargo()
        .current_dir(workspace)
        .args(["metadata", "--no-deps", "--format-version", "1", "--locked"])
        .output()
        .context("cargo metadata")?;
    ensure!(output.status.success(), "cargo metadata failed");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let mut names = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        if package["publish"].as_array().is_some_and(Vec::is_empty) {
            if let Some(name) = package["name"].as_str() {
                names.push(name.to_owned());
            }
        }
    }
    ensure!(!names.is_empty(), "no unpublished workspace member found");
    Ok(names)
}

/// `~/.cargo` or `~/.rustup` of the invoking user, for when the variable is unset.
fn default_home(var: &str) -> std::path::PathBuf {
    let home = std::env::var_os("HOME").unwrap_or_default();
    let dir = if var == "CARGO_HOME" {
        ".cargo"
    } else {
        ".rustup"
    };
    Path::new(&home).join(dir)
}
