//! The trust flags of `sign`, `attest` and `verify`, and the `trust-instance` and
//! `plumbing update-trust-root` commands. The logic is in `sigstore_cli::trust`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use sigstore_cli::sign;
use sigstore_cli::trust::{self, Need};
use sigstore_types::{SigningConfig, TrustedRoot};

/// Where `verify` gets its trusted root.
#[derive(Args)]
pub struct VerifyTrust {
    /// Trust this trusted root file instead of fetching one over TUF.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["staging", "instance", "trust_config"]
    )]
    pub trusted_root: Option<PathBuf>,
    /// Trust the trusted root of this client trust config (JSON) instead of fetching one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["staging", "instance"])]
    pub trust_config: Option<PathBuf>,
    /// The TUF repository otherwise used.
    #[command(flatten)]
    pub repository: Repository,
}

/// Where `sign` and `attest` get their trusted root and signing config.
#[derive(Args)]
pub struct SignTrust {
    /// A client trust config (trusted root and signing config in one JSON file).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["trusted_root", "signing_config", "staging", "instance"]
    )]
    pub trust_config: Option<PathBuf>,
    /// The trusted root to check results against (with --signing-config).
    #[arg(
        long,
        value_name = "FILE",
        requires = "signing_config",
        conflicts_with_all = ["staging", "instance"]
    )]
    pub trusted_root: Option<PathBuf>,
    /// The signing config naming the services to use (with --trusted-root).
    #[arg(
        long,
        value_name = "FILE",
        requires = "trusted_root",
        conflicts_with_all = ["staging", "instance"]
    )]
    pub signing_config: Option<PathBuf>,
    /// The TUF repository otherwise used.
    #[command(flatten)]
    pub repository: Repository,
}

/// Which TUF repository to use, and whether to contact it (`sign`, `attest`, `verify`).
#[derive(Args)]
pub struct Repository {
    /// Use the staging instance's TUF repository instead of production's.
    #[arg(long, conflicts_with = "instance")]
    pub staging: bool,
    /// Use the TUF repository at URL (trusted first with `sigstore trust-instance`).
    #[arg(long, value_name = "URL")]
    pub instance: Option<String>,
    /// Do not contact the TUF repository: use the trust material cached by the last refresh,
    /// else (production and staging) the copies embedded in this build.
    #[arg(long)]
    pub offline: bool,
}

impl Repository {
    /// Loads what `need` asks for from the chosen instance, printing the notes (offline
    /// cache age, embedded fallbacks) on stderr.
    fn load(&self, need: Need) -> Result<trust::Loaded> {
        let instance = trust::instance_from_flags(self.staging, self.instance.as_deref())?;
        let loaded = trust::load(&instance, self.offline, need, &sign::http_config()?)?;
        print_notes(&loaded.notes);
        Ok(loaded)
    }
}

/// Low-level commands.
#[derive(Subcommand)]
pub enum PlumbingCommand {
    /// Refresh the TUF trust material now, cache the trusted root and signing configs, and
    /// print what the repository holds (root version, targets, expiry).
    UpdateTrustRoot {
        /// The staging instance instead of production.
        #[arg(long, conflicts_with = "instance")]
        staging: bool,
        /// The TUF repository at URL (trusted first with `sigstore trust-instance`).
        #[arg(long, value_name = "URL")]
        instance: Option<String>,
    },
}

fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("note: {note}");
    }
}

/// The trusted root `verify` uses: a file given, else the instance's over TUF.
pub fn verify_root(flags: &VerifyTrust) -> Result<TrustedRoot> {
    if let Some(path) = &flags.trusted_root {
        return sigstore_cli::load_trusted_root(Some(path), false);
    }
    if flags.trust_config.is_some() {
        let files = sign::TrustOptions {
            trust_config: flags.trust_config.clone(),
            ..sign::TrustOptions::default()
        };
        return Ok(sign::load_signing_trust(&files)?.0);
    }
    Ok(flags.repository.load(Need::TrustedRoot)?.trusted_root)
}

/// The trusted root and signing config `sign` and `attest` use: files given, else the
/// instance's over TUF (the Rekor v2 signing config with `--rekor-version 2`).
pub fn signing_trust(
    flags: &SignTrust,
    rekor_version: Option<u32>,
) -> Result<(TrustedRoot, SigningConfig)> {
    if flags.trust_config.is_some() || flags.trusted_root.is_some() {
        return sign::load_signing_trust(&sign::TrustOptions {
            trust_config: flags.trust_config.clone(),
            trusted_root: flags.trusted_root.clone(),
            signing_config: flags.signing_config.clone(),
            staging: false,
        });
    }
    let loaded = flags.repository.load(Need::Signing {
        rekor_v2: rekor_version == Some(2),
    })?;
    let config = loaded
        .signing_config
        .context("no signing config for this instance")?;
    Ok((loaded.trusted_root, config))
}

/// `sigstore trust-instance ROOT --instance URL [--offline]`.
pub fn trust_instance(root: &Path, url: &str, offline: bool) -> Result<()> {
    let summary = trust::trust_instance(root, url, offline, &sign::http_config()?)?;
    print!("{}", trust::render(&summary));
    println!(
        "Trusted {}: use --instance {} with sign, attest and verify",
        summary.instance.url(),
        summary.instance.url()
    );
    Ok(())
}

/// `sigstore plumbing ...`.
pub fn plumbing(command: PlumbingCommand) -> Result<()> {
    match command {
        PlumbingCommand::UpdateTrustRoot { staging, instance } => {
            let instance = trust::instance_from_flags(staging, instance.as_deref())?;
            let summary = trust::update(&instance, &sign::http_config()?)?;
            print!("{}", trust::render(&summary));
            Ok(())
        }
    }
}
