//! Runs the sigstore-conformance verification cases against the `sigstore-conformance` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::{cargo, shared_dir, workspace_root};

/// Identity used when a case has no `identity` file (the conformance suite's default).
const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
/// Issuer used when a case has no `issuer` file.
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    RustCrypto,
    AwsLc,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Self::RustCrypto => "rustcrypto",
            Self::AwsLc => "aws-lc",
        }
    }
}

struct Options {
    backends: Vec<Backend>,
    cases: PathBuf,
    filter: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut options = Options {
        backends: vec![Backend::AwsLc],
        cases: std::env::var_os("SIGSTORE_CONFORMANCE_CASES")
            .map(PathBuf::from)
            .unwrap_or_else(|| shared_dir().join("conformance/bundle-verify")),
        filter: None,
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = || {
            iter.next()
                .cloned()
                .with_context(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--backend" => {
                options.backends = match value()?.as_str() {
                    "rustcrypto" => vec![Backend::RustCrypto],
                    "aws-lc" => vec![Backend::AwsLc],
                    "both" => vec![Backend::RustCrypto, Backend::AwsLc],
                    other => bail!("unknown backend {other:?} (rustcrypto, aws-lc, both)"),
                }
            }
            "--cases" => options.cases = PathBuf::from(value()?),
            "--filter" => options.filter = Some(value()?),
            other => bail!("unknown conformance option {other:?}"),
        }
    }
    Ok(options)
}

/// Builds the conformance binary for `backend` and returns its path.
fn build(backend: Backend) -> Result<PathBuf> {
    let target_dir = workspace_root()
        .join("target")
        .join(format!("conformance-{}", backend.name()));
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--release",
        "--locked",
        "--quiet",
        "-p",
        "sigstore-cli",
        "--bin",
        "sigstore-conformance",
        "--no-default-features",
    ]);
    if backend == Backend::AwsLc {
        cmd.args(["--features", "aws-lc"]);
    }
    cmd.arg("--target-dir").arg(&target_dir);
    eprintln!("==> building sigstore-conformance ({})", backend.name());
    let status = cmd.status().context("running cargo build")?;
    if !status.success() {
        bail!("building sigstore-conformance failed");
    }
    Ok(target_dir.join("release").join("sigstore-conformance"))
}

struct Case {
    name: String,
    dir: PathBuf,
    should_fail: bool,
}

fn collect_cases(root: &Path, filter: Option<&str>) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    let entries = std::fs::read_dir(root)
        .with_context(|| format!("reading conformance cases in {}", root.display()))?;
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        cases.push(Case {
            should_fail: name.ends_with("_fail"),
            name,
            dir: entry.path(),
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    if cases.is_empty() {
        bail!("no conformance cases found in {}", root.display());
    }
    Ok(cases)
}

fn read_trimmed(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// The command line for one case, with the artifact given as `input` (a path or a digest).
fn command_for(binary: &Path, case: &Case, input: &str) -> Result<Command> {
    let mut cmd = Command::new(binary);
    cmd.arg("verify-bundle")
        .arg("--bundle")
        .arg(case.dir.join("bundle.sigstore.json"));
    let key = case.dir.join("key.pub");
    if key.exists() {
        cmd.arg("--key").arg(key);
    } else {
        let identity = read_trimmed(&case.dir.join("identity"))?
            .unwrap_or_else(|| DEFAULT_IDENTITY.to_owned());
        let issuer =
            read_trimmed(&case.dir.join("issuer"))?.unwrap_or_else(|| DEFAULT_ISSUER.to_owned());
        cmd.args(["--certificate-identity", &identity]);
        cmd.args(["--certificate-oidc-issuer", &issuer]);
    }
    let trusted_root = case.dir.join("trusted_root.json");
    if trusted_root.exists() {
        cmd.arg("--trusted-root").arg(trusted_root);
    }
    cmd.arg(input);
    Ok(cmd)
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    let cases = collect_cases(&options.cases, options.filter.as_deref())?;
    let (mut all_passed, mut all_failed) = (0usize, 0usize);
    for backend in &options.backends {
        let binary = build(*backend)?;
        let (mut passed, mut failed) = (0usize, 0usize);
        for case in &cases {
            let artifact = if case.dir.join("artifact").exists() {
                case.dir.join("artifact")
            } else {
                options.cases.join("a.txt")
            };
            let bytes = std::fs::read(&artifact)
                .with_context(|| format!("reading artifact {}", artifact.display()))?;
            let digest = format!("sha256:{}", hex_lower(&Sha256::digest(&bytes)));
            for (how, input) in [
                ("path", artifact.to_string_lossy().into_owned()),
                ("digest", digest),
            ] {
                let output = command_for(&binary, case, &input)?
                    .output()
                    .with_context(|| format!("running {}", binary.display()))?;
                let verified = output.status.success();
                if verified != case.should_fail {
                    passed += 1;
                } else {
                    failed += 1;
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    let reason = stderr.lines().last().unwrap_or("(no output)");
                    println!(
                        "UNEXPECTED [{}] {} ({how}): expected {}, got {} (exit {}): {reason}",
                        backend.name(),
                        case.name,
                        if case.should_fail {
                            "failure"
                        } else {
                            "success"
                        },
                        if verified { "success" } else { "failure" },
                        output
                            .status
                            .code()
                            .map_or("signal".to_owned(), |c| c.to_string()),
                    );
                }
            }
        }
        println!(
            "backend {}: {passed} passed, {failed} failed",
            backend.name()
        );
        all_passed += passed;
        all_failed += failed;
    }
    println!("conformance: {all_passed} passed, {all_failed} failed");
    if all_failed > 0 {
        bail!("{all_failed} conformance results were unexpected");
    }
    Ok(())
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
