//! A local Sigstore (the testkit's HTTP services, in-process on OS-chosen ports) for the
//! signing tests, with its trust files in a temporary directory, and helpers to run the
//! binaries against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sigstore_testkit::Testkit;

use crate::common::{run, s, sigstore, Run, TempDir};

/// The identity the tests sign as.
pub const EMAIL: &str = "alice@example.com";

/// The testkit services, their trust files and a scratch directory.
pub struct Env {
    // Field order is drop order: the services stop before their runtime.
    /// The services.
    pub kit: Testkit,
    runtime: tokio::runtime::Runtime,
    /// Scratch directory (inputs and outputs).
    pub dir: TempDir,
    _trust: TempDir,
    /// `trusted_root.json`.
    pub root: PathBuf,
    /// The signing config with Rekor v1.
    pub config_v1: PathBuf,
    /// The signing config with Rekor v2.
    pub config_v2: PathBuf,
    /// The client trust config (Rekor v1).
    pub trust_config: PathBuf,
}

impl Env {
    /// Starts the services and writes the trust files.
    pub fn start(tag: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let kit = runtime.block_on(Testkit::start()).expect("start testkit");
        let trust = TempDir::new(&format!("{tag}-trust"));
        let sigstore = kit.sigstore();
        let root = trust.write(
            "trusted_root.json",
            sigstore.trusted_root().expect("trusted root").to_json(),
        );
        let config_v1 = trust.write(
            "signing_config.json",
            sigstore.signing_config(false).to_json(),
        );
        let config_v2 = trust.write(
            "signing_config_v2.json",
            sigstore.signing_config(true).to_json(),
        );
        let trust_config = trust.write(
            "client_trust_config.json",
            sigstore
                .client_trust_config(false)
                .expect("client trust config")
                .to_json(),
        );
        // The trust files live in their own directory so that `dir` holds only what a test
        // creates.
        let dir = TempDir::new(tag);
        Self {
            kit,
            runtime,
            dir,
            _trust: trust,
            root,
            config_v1,
            config_v2,
            trust_config,
        }
    }

    /// A fresh token for [`EMAIL`].
    pub fn token(&self) -> String {
        self.kit.mint_email_token(EMAIL)
    }

    /// The testkit's OIDC issuer.
    pub fn issuer(&self) -> String {
        self.kit.sigstore().oidc_issuer().to_owned()
    }

    /// A file in the scratch directory.
    pub fn input(&self, name: &str, contents: &str) -> PathBuf {
        self.dir.write(name, contents)
    }

    /// The `sigstore` binary with fast HTTP settings and no token in the environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = sigstore();
        fast_http(&mut cmd);
        cmd
    }

    /// `sigstore sign|attest ARGS` with a fresh token, the trusted root and the v1 or v2
    /// signing config.
    pub fn sign(&self, subcommand: &str, rekor_v2: bool, args: &[&str]) -> Run {
        let config = if rekor_v2 {
            &self.config_v2
        } else {
            &self.config_v1
        };
        let token = self.token();
        let mut all = vec![
            subcommand,
            "--identity-token",
            &token,
            "--trusted-root",
            s(&self.root),
            "--signing-config",
            s(config),
        ];
        all.extend_from_slice(args);
        let r = run(self.cmd(), &all);
        assert!(!r.stderr.contains(&token), "the token was printed: {r:#?}");
        assert!(!r.stdout.contains(&token), "the token was printed: {r:#?}");
        r
    }

    /// `sigstore verify identity ARGS` as [`EMAIL`] from the testkit issuer.
    pub fn verify(&self, args: &[&str]) -> Run {
        let issuer = self.issuer();
        let mut all = vec!["verify", "identity", "--trusted-root", s(&self.root)];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--cert-identity", EMAIL, "--cert-oidc-issuer", &issuer]);
        run(self.cmd(), &all)
    }

    /// The names in the scratch directory, sorted.
    pub fn listing(&self) -> Vec<String> {
        listing(self.dir.path())
    }
}

/// Sets small retry, backoff and timeout values so fault tests stay fast.
pub fn fast_http(cmd: &mut Command) {
    cmd.env("SIGSTORE_HTTP_RETRIES", "1")
        .env("SIGSTORE_HTTP_BACKOFF_MS", "10")
        .env("SIGSTORE_HTTP_MAX_BACKOFF_MS", "50")
        .env("SIGSTORE_HTTP_TIMEOUT_SECS", "10")
        .env_remove("SIGSTORE_IDENTITY_TOKEN");
    // Ambient CI identities of the machine running the tests must not stand in for the
    // token a test gives (or deliberately withholds).
    for name in [
        "SIGSTORE_ID_TOKEN",
        "SIGSTORE_ID_TOKEN_FILE",
        "GITHUB_ACTIONS",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "GITLAB_CI",
        "BUILDKITE",
        "CIRCLECI",
        "GOOGLE_SERVICE_ACCOUNT_NAME",
        "SPIFFE_ENDPOINT_SOCKET",
        "BROWSER",
    ] {
        cmd.env_remove(name);
    }
}

/// The names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The stderr lines starting with `error:`.
pub fn error_lines(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect()
}
