//! Runs the sigstore-conformance verification cases against the `sigstore-conformance` binary,
//! and (`--signing`) signing scenarios against a local testkit: `sign-bundle` with Rekor v1
//! and v2 signing configs, message and `--in-toto`, each bundle checked and verified again with
//! `verify-bundle`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::{cargo, workspace_root};

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

/// Which crypto backends the conformance binary is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Backends {
    /// The pure-Rust RustCrypto backend (`--no-default-features`).
    #[value(name = "rustcrypto")]
    RustCrypto,
    /// The aws-lc-rs backend (the CLI's default).
    AwsLc,
    /// Both, one after the other.
    Both,
}

/// Options of `cargo xtask conformance`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cargo xtask conformance
  cargo xtask conformance --backend both --filter rekor2
  cargo xtask conformance --cases ../sigstore-conformance/test/assets/bundle-verify
  cargo xtask conformance --signing --backend aws-lc")]
pub(crate) struct Args {
    /// The crypto backend(s) to build `sigstore-conformance` with.
    #[arg(long, value_enum, default_value = "aws-lc")]
    pub(crate) backend: Backends,
    /// The verification cases (default: `$SIGSTORE_CONFORMANCE_CASES`, else
    /// `testdata/conformance/bundle-verify`).
    #[arg(long, value_name = "DIR")]
    pub(crate) cases: Option<PathBuf>,
    /// Run only the cases whose folder name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub(crate) filter: Option<String>,
    /// Run the signing scenarios against the testkit instead of the verification cases.
    #[arg(long)]
    pub(crate) signing: bool,
}

struct Options {
    backends: Vec<Backend>,
    cases: PathBuf,
    filter: Option<String>,
    signing: bool,
}

impl Options {
    fn new(args: &Args) -> Self {
        Self {
            backends: match args.backend {
                Backends::RustCrypto => vec![Backend::RustCrypto],
                Backends::AwsLc => vec![Backend::AwsLc],
                Backends::Both => vec![Backend::RustCrypto, Backend::AwsLc],
            },
            cases: args.cases.clone().unwrap_or_else(|| {
                std::env::var_os("SIGSTORE_CONFORMANCE_CASES")
                    .map(PathBuf::from)
                    .unwrap_or_else(sigstore_test_support::conformance_cases)
            }),
            filter: args.filter.clone(),
            signing: args.signing,
        }
    }
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

pub(crate) fn run(args: &Args) -> Result<()> {
    let options = Options::new(args);
    if options.signing {
        return signing::run(&options);
    }
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

/// `--signing`: signing scenarios against the testkit's services.
pub(crate) mod signing {
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use anyhow::{bail, Context, Result};
    use serde_json::Value;
    use sha2::{Digest, Sha256};

    use super::{build, hex_lower, Options};
    use crate::{cargo, workspace_root};

    /// The testkit server and its directory; killed and removed when dropped, also on errors.
    pub(crate) struct Server {
        child: Child,
        /// The folder the server wrote its trust files and token to.
        pub(crate) dir: PathBuf,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    pub(crate) fn testkit_binary() -> Result<PathBuf> {
        eprintln!("==> building sigstore-testkit");
        let status = cargo()
            .args([
                "build",
                "--quiet",
                "-p",
                "sigstore-testkit",
                "--bin",
                "sigstore-testkit",
            ])
            .status()
            .context("running cargo build")?;
        if !status.success() {
            bail!("building sigstore-testkit failed");
        }
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"));
        Ok(target.join("debug").join("sigstore-testkit"))
    }

    pub(crate) fn start_server(binary: &Path) -> Result<Server> {
        let dir = std::env::temp_dir().join(format!(
            "sigstore-xtask-signing-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let child = Command::new(binary)
            .arg("serve")
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut server = Server { child, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        let wanted = [
            "trusted_root.json",
            "signing_config.json",
            "signing_config_rekor_v2.json",
            "token",
        ];
        while !wanted.iter().all(|f| server.dir.join(f).is_file()) {
            if let Some(status) = server.child.try_wait()? {
                bail!("the testkit server exited early ({status})");
            }
            if Instant::now() > deadline {
                bail!("the testkit server wrote no trust files within 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    fn read_json(path: &Path) -> Result<Value> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
    }

    /// Decodes unpadded base64url (JWT segments).
    fn base64url(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in text.trim_end_matches('=').bytes() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'-' | b'+' => 62,
                b'_' | b'/' => 63,
                _ => return None,
            };
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push(((acc >> bits) & 0xff) as u8);
            }
        }
        Some(out)
    }

    /// The identity a token proves: its email, else `sub`.
    fn token_identity(token: &str) -> Result<String> {
        let payload = token
            .split('.')
            .nth(1)
            .and_then(base64url)
            .context("the testkit token is not a JWT")?;
        let claims: Value = serde_json::from_slice(&payload).context("the token's claims")?;
        claims["email"]
            .as_str()
            .or_else(|| claims["sub"].as_str())
            .map(str::to_owned)
            .context("the token names no identity")
    }

    /// Every certificate of the trusted root's CAs, base64 as in the JSON.
    fn ca_certificates(root: &Value) -> Vec<String> {
        root["certificateAuthorities"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|ca| {
                ca["certChain"]["certificates"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["rawBytes"].as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[derive(Default)]
    struct Tally {
        passed: usize,
        failed: usize,
    }

    impl Tally {
        fn check(&mut self, scenario: &str, what: &str, outcome: Result<()>) {
            match outcome {
                Ok(()) => self.passed += 1,
                Err(e) => {
                    self.failed += 1;
                    println!("FAIL [{scenario}] {what}: {e:#}");
                }
            }
        }
    }

    fn expect_status(cmd: &mut Command, success: bool) -> Result<()> {
        let output = cmd.output().context("running sigstore-conformance")?;
        if output.status.success() == success {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "expected {}, got exit {}: {}",
            if success { "success" } else { "failure" },
            output
                .status
                .code()
                .map_or("signal".to_owned(), |c| c.to_string()),
            stderr.lines().last().unwrap_or("(no output)")
        )
    }

    /// The structural checks of a fresh bundle.
    fn check_bundle(
        bundle: &Value,
        ca_certs: &[String],
        rekor_v2: bool,
        in_toto: bool,
    ) -> Result<()> {
        if bundle["mediaType"] != "application/vnd.dev.sigstore.bundle.v0.3+json" {
            bail!("media type {} is not v0.3", bundle["mediaType"]);
        }
        let material = &bundle["verificationMaterial"];
        if !material["x509CertificateChain"].is_null() {
            bail!("the bundle carries a certificate chain (v0.3 wants the leaf alone)");
        }
        let leaf = material["certificate"]["rawBytes"]
            .as_str()
            .context("no verificationMaterial.certificate")?;
        if ca_certs.iter().any(|c| c == leaf) {
            bail!("the bundle's certificate is a root or CA certificate");
        }
        let entries = material["tlogEntries"]
            .as_array()
            .context("no tlogEntries")?;
        let entry = entries.first().context("no log entry")?;
        let kind = (
            entry["kindVersion"]["kind"].as_str().unwrap_or_default(),
            entry["kindVersion"]["version"].as_str().unwrap_or_default(),
        );
        let expected = match (rekor_v2, in_toto) {
            (true, _) => ("hashedrekord", "0.0.2"),
            (false, false) => ("hashedrekord", "0.0.1"),
            (false, true) => ("dsse", "0.0.1"),
        };
        if kind != expected {
            bail!("log entry is {kind:?}, expected {expected:?}");
        }
        if rekor_v2
            && material["timestampVerificationData"]["rfc3161Timestamps"]
                .as_array()
                .is_none_or(Vec::is_empty)
        {
            bail!("a Rekor v2 bundle without an RFC 3161 timestamp");
        }
        let content = if in_toto {
            "dsseEnvelope"
        } else {
            "messageSignature"
        };
        if !bundle[content].is_object() {
            bail!("no {content}");
        }
        Ok(())
    }

    pub(super) fn run(options: &Options) -> Result<()> {
        let testkit = testkit_binary()?;
        let (mut all_passed, mut all_failed) = (0usize, 0usize);
        for backend in &options.backends {
            let binary = build(*backend)?;
            let server = start_server(&testkit)?;
            let dir = server.dir.clone();
            let token = std::fs::read_to_string(dir.join("token"))?
                .trim()
                .to_owned();
            let identity = token_identity(&token)?;
            let signing_config = read_json(&dir.join("signing_config.json"))?;
            let issuer = signing_config["oidcUrls"][0]["url"]
                .as_str()
                .context("the signing config names no OIDC issuer")?
                .to_owned();
            let trusted_root = dir.join("trusted_root.json");
            let ca_certs = ca_certificates(&read_json(&trusted_root)?);

            let artifact = dir.join("artifact.txt");
            std::fs::write(&artifact, b"sigstore-rust signing conformance\n")?;
            let digest = hex_lower(&Sha256::digest(std::fs::read(&artifact)?));
            let statement = dir.join("statement.json");
            std::fs::write(
                &statement,
                serde_json::json!({
                    "_type": "https://in-toto.io/Statement/v1",
                    "subject": [{"name": "artifact.txt", "digest": {"sha256": digest}}],
                    "predicateType": "https://example.com/conformance/v1",
                    "predicate": {"check": true}
                })
                .to_string(),
            )?;

            let mut tally = Tally::default();
            for (rekor_v2, config) in [
                (false, "signing_config.json"),
                (true, "signing_config_rekor_v2.json"),
            ] {
                for in_toto in [false, true] {
                    let scenario = format!(
                        "{} rekor-v{} {}",
                        backend.name(),
                        if rekor_v2 { 2 } else { 1 },
                        if in_toto { "in-toto" } else { "message" }
                    );
                    let bundle = dir.join(format!(
                        "bundle-v{}-{}.json",
                        if rekor_v2 { 2 } else { 1 },
                        if in_toto { "dsse" } else { "message" }
                    ));
                    let mut sign = Command::new(&binary);
                    sign.arg("sign-bundle");
                    if in_toto {
                        sign.arg("--in-toto");
                    }
                    sign.args(["--identity-token", &token])
                        .arg("--bundle")
                        .arg(&bundle)
                        .arg("--trusted-root")
                        .arg(&trusted_root)
                        .arg("--signing-config")
                        .arg(dir.join(config))
                        .arg(if in_toto { &statement } else { &artifact });
                    let signed = expect_status(&mut sign, true);
                    let ok = signed.is_ok();
                    tally.check(&scenario, "sign-bundle", signed);
                    if !ok {
                        continue;
                    }
                    tally.check(
                        &scenario,
                        "bundle shape",
                        read_json(&bundle)
                            .and_then(|b| check_bundle(&b, &ca_certs, rekor_v2, in_toto)),
                    );
                    let verify = |input: &str, who: &str| {
                        let mut cmd = Command::new(&binary);
                        cmd.arg("verify-bundle")
                            .arg("--bundle")
                            .arg(&bundle)
                            .args(["--certificate-identity", who])
                            .args(["--certificate-oidc-issuer", &issuer])
                            .arg("--trusted-root")
                            .arg(&trusted_root)
                            .arg(input);
                        cmd
                    };
                    let path = artifact.to_string_lossy().into_owned();
                    let by_digest = format!("sha256:{digest}");
                    tally.check(
                        &scenario,
                        "verify-bundle (path)",
                        expect_status(&mut verify(&path, &identity), true),
                    );
                    tally.check(
                        &scenario,
                        "verify-bundle (digest)",
                        expect_status(&mut verify(&by_digest, &identity), true),
                    );
                    tally.check(
                        &scenario,
                        "verify-bundle rejects another identity",
                        expect_status(&mut verify(&path, "mallory@example.com"), false),
                    );
                }
            }
            drop(server);
            println!(
                "backend {} signing: {} passed, {} failed",
                backend.name(),
                tally.passed,
                tally.failed
            );
            all_passed += tally.passed;
            all_failed += tally.failed;
        }
        println!("signing conformance: {all_passed} passed, {all_failed} failed");
        if all_failed > 0 {
            bail!("{all_failed} signing conformance checks failed");
        }
        Ok(())
    }
}
