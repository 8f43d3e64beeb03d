//! Helpers shared by the `sigstore` CLI integration tests: running the binaries, temporary
//! directories, and reading the conformance cases from the shared reference directory.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The identity every default conformance case was signed with.
pub const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
/// The issuer of every default conformance case.
pub const ISSUER: &str = "https://token.actions.githubusercontent.com";

/// `conformance/bundle-verify`.
pub fn cases_dir() -> PathBuf {
    sigstore_test_support::conformance_cases()
}

/// One conformance case's directory.
pub fn case(name: &str) -> PathBuf {
    let dir = cases_dir().join(name);
    assert!(dir.is_dir(), "missing conformance case {}", dir.display());
    dir
}

/// A conformance case's bundle.
pub fn case_bundle(name: &str) -> PathBuf {
    case(name).join("bundle.sigstore.json")
}

/// The default artifact of the conformance cases.
pub fn a_txt() -> PathBuf {
    cases_dir().join("a.txt")
}

/// The project's `testdata/` directory.
pub fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata"))
}

/// An empty home directory for this test process (below `CARGO_TARGET_TMPDIR`), so that no
/// test reads or writes the user's TUF cache.
pub fn test_home() -> &'static Path {
    static HOME: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("sigstore-cli-home-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create test home");
        dir
    })
}

/// Points `cmd`'s home, data and cache directories at `home`.
pub fn set_home(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"));
}

/// The environment variables `sigstore` reads option defaults from (as sigstore-python does).
pub const PYTHON_DEFAULTS: &[&str] = &[
    "SIGSTORE_STAGING",
    "SIGSTORE_OFFLINE",
    "SIGSTORE_OIDC_CLIENT_ID",
    "SIGSTORE_OIDC_CLIENT_SECRET",
    "SIGSTORE_OIDC_ISSUER",
    "SIGSTORE_OAUTH_FORCE_OOB",
    "SIGSTORE_OIDC_DISABLE_AMBIENT_PROVIDERS",
    "SIGSTORE_CERT_IDENTITY",
    "SIGSTORE_CERT_OIDC_ISSUER",
    "SIGSTORE_VERIFY_GITHUB_WORKFLOW_TRIGGER",
    "SIGSTORE_VERIFY_GITHUB_WORKFLOW_SHA",
    "SIGSTORE_VERIFY_GITHUB_WORKFLOW_NAME",
    "SIGSTORE_VERIFY_GITHUB_WORKFLOW_REPOSITORY",
    "SIGSTORE_VERIFY_GITHUB_WORKFLOW_REF",
    "SIGSTORE_BUNDLE",
    "SIGSTORE_CERTIFICATE",
    "SIGSTORE_SIGNATURE",
    "SIGSTORE_OUTPUT_SIGNATURE",
    "SIGSTORE_OUTPUT_CERTIFICATE",
    "SIGSTORE_OUTPUT_DIRECTORY",
    "SIGSTORE_OVERWRITE",
    "SIGSTORE_NO_DEFAULT_FILES",
    "SIGSTORE_LOGLEVEL",
    "NO_COLOR",
];

/// A command for the `sigstore` binary, with its home in [`test_home`].
pub fn sigstore() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sigstore"));
    cmd.env_remove("RUST_LOG");
    // The defaults sigstore-python's variables give must come from the test, not the machine.
    for name in PYTHON_DEFAULTS {
        cmd.env_remove(name);
    }
    set_home(&mut cmd, test_home());
    cmd
}

/// A command for the `sigstore-conformance` binary.
pub fn conformance() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sigstore-conformance"))
}

/// The result of one run, decoded.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The non-empty stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().filter(|l| !l.is_empty()).collect()
    }

    /// Panics with the whole run unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "unexpected exit code: {self:#?}");
        assert!(!self.stderr.contains("panicked"), "panic: {self:#?}");
        self
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Self {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs `cmd` with `args` and collects its output.
pub fn run<I, S>(mut cmd: Command, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    cmd.args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
        .into()
}

/// `sigstore ARGS...`.
pub fn sigstore_run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    run(sigstore(), args)
}

/// A temporary directory removed on drop (also when the test panics), with helpers to fill it.
pub struct TempDir(sigstore_test_support::TempDir);

impl TempDir {
    /// Creates a fresh, uniquely named directory `sigstore-cli-test-<tag>-…` under the system
    /// temp dir.
    pub fn new(tag: &str) -> Self {
        Self(sigstore_test_support::TempDir::new(&format!(
            "sigstore-cli-test-{tag}"
        )))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `contents` to `name` inside the directory and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }

    /// Copies `from` to `name` inside the directory and returns its path.
    pub fn copy(&self, from: &Path, name: &str) -> PathBuf {
        let path = self.join(name);
        std::fs::copy(from, &path)
            .unwrap_or_else(|e| panic!("copy {} -> {}: {e}", from.display(), path.display()));
        path
    }
}

/// Path as a `&str` (the tests only use UTF-8 paths).
pub fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Legacy detached materials (`.sig`, `.crt`, `.rekor` contents) built from a v0.1 bundle
/// with a message signature and one hashedrekord entry.
pub struct Legacy {
    /// Base64 signature.
    pub sig: String,
    /// PEM leaf certificate.
    pub crt: String,
    /// The offline Rekor bundle JSON.
    pub rekor: String,
}

/// Builds legacy materials from `bundle`'s leaf certificate, signature and first tlog entry.
pub fn legacy_from_bundle(bundle: &serde_json::Value) -> Legacy {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let vm = &bundle["verificationMaterial"];
    let cert_b64 = vm["x509CertificateChain"]["certificates"][0]["rawBytes"]
        .as_str()
        .or_else(|| vm["certificate"]["rawBytes"].as_str())
        .expect("leaf certificate");
    let mut crt = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in cert_b64.as_bytes().chunks(64) {
        crt.push_str(std::str::from_utf8(chunk).expect("ascii"));
        crt.push('\n');
    }
    crt.push_str("-----END CERTIFICATE-----\n");
    let sig = bundle["messageSignature"]["signature"]
        .as_str()
        .expect("message signature")
        .to_owned();
    let entry = &vm["tlogEntries"][0];
    let num = |v: &serde_json::Value| -> i64 {
        v.as_str()
            .map(|s| s.parse().expect("integer string"))
            .or_else(|| v.as_i64())
            .expect("integer")
    };
    let log_id = b64
        .decode(entry["logId"]["keyId"].as_str().expect("logId"))
        .expect("logId base64");
    let rekor = serde_json::json!({
        "SignedEntryTimestamp": entry["inclusionPromise"]["signedEntryTimestamp"],
        "Payload": {
            "body": entry["canonicalizedBody"],
            "integratedTime": num(&entry["integratedTime"]),
            "logIndex": num(&entry["logIndex"]),
            "logID": hex::encode(log_id),
        }
    })
    .to_string();
    Legacy { sig, crt, rekor }
}
