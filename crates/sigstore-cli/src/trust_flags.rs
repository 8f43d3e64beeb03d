//! The trust flags of `sign`, `attest` and `verify`, and the `trust-instance` and
//! `plumbing update-trust-root` commands. The logic is in `sigstore_cli::trust`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use clap::{Args, Subcommand};
use sigstore_cli::sign::{self, usage};
use sigstore_cli::trust::{self, Need};
use sigstore_trust::files::TrustFiles;
use sigstore_types::{SigningConfig, TrustedRoot};

use crate::globals::GlobalArgs;

/// The instance options (`--staging`, `--instance`, `--trust-config`, `--offline`) as
/// given: options of every command, read by [`crate::globals::Globals::merge`].
/// `--staging`, `--instance` and `--trust-config` exclude each other; a `SIGSTORE_STAGING`
/// default gives way to an explicit `--instance` or `--trust-config`.
#[derive(Debug, Default)]
pub struct InstanceArgs {
    /// `--staging` (or `SIGSTORE_STAGING`).
    pub staging: bool,
    /// `--instance URL`.
    pub instance: Option<String>,
    /// `--trust-config FILE`.
    pub trust_config: Option<PathBuf>,
    /// `--offline` (or `SIGSTORE_OFFLINE`).
    pub offline: bool,
}

/// Where the trust material comes from, after [`Instance::resolve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A client trust config file.
    TrustConfig(PathBuf),
    /// A TUF repository (production, staging or a trusted private one).
    Repository {
        /// Which repository.
        instance: trust::Instance,
        /// Use the cache (or embedded copies) only.
        offline: bool,
    },
}

/// The instance options as given, with whether `--staging` came from the command line (not
/// from `SIGSTORE_STAGING`).
pub struct Instance {
    args: InstanceArgs,
    staging_explicit: bool,
}

impl Instance {
    /// `args` as parsed; `staging_explicit`: `--staging` was on the command line.
    pub fn new(args: InstanceArgs, staging_explicit: bool) -> Self {
        Self {
            args,
            staging_explicit,
        }
    }

    /// `--offline` (or `SIGSTORE_OFFLINE`).
    pub fn offline(&self) -> bool {
        self.args.offline
    }

    /// The `--instance` URL, if given.
    pub fn instance_url(&self) -> Option<&str> {
        self.args.instance.as_deref()
    }

    /// The instance options given explicitly, as they are spelled.
    fn explicit(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        if self.staging_explicit {
            given.push("--staging");
        }
        if self.args.instance.is_some() {
            given.push("--instance");
        }
        if self.args.trust_config.is_some() {
            given.push("--trust-config");
        }
        given
    }

    /// Refuses contradictory instance options: two of `--staging`, `--instance`,
    /// `--trust-config`, or any of them with a command's own trust file options (`local`:
    /// the spelling of each one given).
    pub fn check(&self, local: &[&str]) -> Result<()> {
        let given = self.explicit();
        if let [first, second, ..] = given.as_slice() {
            return Err(usage(anyhow!("{first} cannot be used with {second}")));
        }
        if let (Some(option), Some(instance)) = (local.first(), given.first()) {
            return Err(usage(anyhow!("{option} cannot be used with {instance}")));
        }
        Ok(())
    }

    /// Where trust material comes from: `--trust-config`, else `--instance`, else
    /// `--staging`, else production.
    pub fn resolve(&self) -> Result<Source> {
        self.check(&[])?;
        if let Some(path) = &self.args.trust_config {
            return Ok(Source::TrustConfig(path.clone()));
        }
        let staging = self.args.staging && self.args.instance.is_none();
        Ok(Source::Repository {
            instance: trust::Instance::from_flags(staging, self.args.instance.as_deref())
                .map_err(|e| usage(e.into()))?,
            offline: self.args.offline,
        })
    }
}

/// Where `verify` gets its trusted root (besides the global instance options).
#[derive(Args)]
pub struct VerifyTrust {
    /// Trust this trusted root file instead of fetching one over TUF.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
}

/// Where `sign` and `attest` get their trusted root and signing config (besides the global
/// instance options).
#[derive(Args)]
pub struct SignTrust {
    /// The trusted root to check results against (with --signing-config).
    #[arg(long, value_name = "FILE", requires = "signing_config")]
    pub trusted_root: Option<PathBuf>,
    /// The signing config naming the services to use (with --trusted-root).
    #[arg(long, value_name = "FILE", requires = "trusted_root")]
    pub signing_config: Option<PathBuf>,
}

/// Loads what `need` asks for from a TUF repository, printing the notes (offline cache age,
/// embedded fallbacks) on stderr.
fn load(instance: &trust::Instance, offline: bool, need: Need) -> Result<trust::Loaded> {
    let loaded = trust::load(instance, offline, need, &sign::http_config()?)?;
    print_notes(&loaded.notes);
    Ok(loaded)
}

// `sigstore plumbing` (its doc comment would replace the variant's about text).
#[derive(Args)]
pub struct PlumbingArgs {
    /// The low-level command.
    #[command(subcommand)]
    pub command: PlumbingCommand,
    #[command(flatten)]
    _global: GlobalArgs,
}

/// Low-level commands.
#[derive(Subcommand)]
#[command(defer = true)]
pub enum PlumbingCommand {
    /// Refresh the TUF trust material now, cache the trusted root and signing configs, and
    /// print what the repository holds (root version, targets, expiry).
    #[command(after_help = include_str!("examples/update-trust-root.txt"))]
    UpdateTrustRoot {
        #[command(flatten)]
        _global: GlobalArgs,
    },
    /// Repair (and optionally upgrade) a bundle an older client wrote, printing the result.
    ///
    /// A bundle whose single log entry lacks an inclusion proof with a checkpoint gets the
    /// complete entry from its log (Rekor v1, found in the trusted root by the entry's log
    /// ID; this needs the network). Everything else works offline. The result is not
    /// verified: verify it as any bundle.
    #[command(after_help = include_str!("examples/fix-bundle.txt"))]
    FixBundle {
        /// The bundle to fix.
        #[arg(long, value_name = "FILE")]
        bundle: PathBuf,
        /// Also rewrite it in the current bundle format (v0.3: the leaf certificate alone).
        #[arg(long)]
        upgrade_version: bool,
        /// Replace FILE with the result (atomically) instead of printing it.
        #[arg(long)]
        in_place: bool,
        #[command(flatten)]
        _global: GlobalArgs,
    },
}

fn print_notes(notes: &[String]) {
    for note in notes {
        sigstore_cli::eprint_line(&format!("note: {note}"));
    }
}

/// The trusted root `verify` uses: a file given, else the instance's (a trust config, or
/// over TUF).
pub fn verify_root(flags: &VerifyTrust, instance: &Instance) -> Result<TrustedRoot> {
    if let Some(path) = &flags.trusted_root {
        instance.check(&["--trusted-root"])?;
        return Ok(sigstore_cli::load_trusted_root(Some(path), false)?);
    }
    match instance.resolve()? {
        Source::TrustConfig(path) => Ok(load_trust_config(&path)?.0),
        Source::Repository { instance, offline } => {
            Ok(load(&instance, offline, Need::TrustedRoot)?.trusted_root)
        }
    }
}

fn load_trust_config(path: &Path) -> Result<(TrustedRoot, SigningConfig)> {
    let files = TrustFiles {
        trust_config: Some(path.to_owned()),
        ..TrustFiles::default()
    };
    Ok(files.load()?)
}

/// The trusted root and signing config `sign` and `attest` use: files given, else the
/// instance's (a trust config, or over TUF: the Rekor v2 signing config with
/// `--rekor-version 2`).
pub fn signing_trust(
    flags: &SignTrust,
    instance: &Instance,
    rekor_version: Option<u32>,
) -> Result<(TrustedRoot, SigningConfig)> {
    if flags.trusted_root.is_some() {
        instance.check(&["--trusted-root"])?;
        let files = TrustFiles {
            trusted_root: flags.trusted_root.clone(),
            signing_config: flags.signing_config.clone(),
            ..TrustFiles::default()
        };
        return Ok(files.load()?);
    }
    match instance.resolve()? {
        Source::TrustConfig(path) => load_trust_config(&path),
        Source::Repository { instance, offline } => {
            let loaded = load(
                &instance,
                offline,
                Need::Signing {
                    rekor_v2: rekor_version == Some(2),
                },
            )?;
            let config = loaded
                .signing_config
                .context("no signing config for this instance")?;
            Ok((loaded.trusted_root, config))
        }
    }
}

/// Refuses a command's own trust file options together with the global instance options,
/// before anything else is done.
pub fn check_sign_flags(flags: &SignTrust, instance: &Instance) -> Result<()> {
    match flags.trusted_root.is_some() || flags.signing_config.is_some() {
        true => instance.check(&["--trusted-root"]),
        false => instance.check(&[]),
    }
}

/// `sigstore --instance URL trust-instance ROOT [--offline]`.
#[inline(never)] // not in `run`'s stack frame, which every verification pays for
pub fn trust_instance(root: &Path, instance: &Instance) -> Result<()> {
    instance.check(&[])?;
    let Some(url) = instance.instance_url() else {
        return Err(usage(anyhow!(
            "trust-instance needs --instance URL (the TUF repository to trust)"
        )));
    };
    let summary = trust::trust_instance(root, url, instance.offline(), &sign::http_config()?)?;
    print!("{}", summary.report());
    println!(
        "Trusted {}: use --instance {} with sign, attest and verify",
        summary.instance.url(),
        summary.instance.url()
    );
    Ok(())
}

/// `sigstore plumbing update-trust-root`.
#[inline(never)] // not in `run`'s stack frame, which every verification pays for
pub fn update_trust_root(instance: &Instance) -> Result<()> {
    let Source::Repository { instance, .. } = instance.resolve()? else {
        return Err(usage(anyhow!(
            "update-trust-root refreshes a TUF repository; --trust-config names none"
        )));
    };
    let summary = trust::update(&instance, &sign::http_config()?)?;
    print!("{}", summary.report());
    Ok(())
}

/// `sigstore plumbing fix-bundle`: the transformation is `sigstore_types`' and the log
/// lookup `sigstore_sign`'s; this reads, fetches when needed, and writes.
#[inline(never)] // not in `run`'s stack frame, which every verification pays for
pub fn fix_bundle(path: &Path, upgrade: bool, in_place: bool, instance: &Instance) -> Result<()> {
    let bytes = sigstore_cli::read_limited(path, sigstore_cli::MAX_JSON_FILE)?;
    let mut bundle = sigstore_types::Bundle::from_json_unvalidated(&bytes)
        .with_context(|| format!("{}: invalid bundle", path.display()))?;
    let context = || format!("{}", path.display());
    if sigstore_sign::needs_log_entry(&bundle).with_context(context)? {
        if instance.offline() {
            return Err(anyhow!(
                "{}: the log entry has no inclusion proof with a checkpoint; getting the \
                 complete entry needs its log (run without --offline)",
                path.display()
            ));
        }
        let root = match instance.resolve()? {
            Source::TrustConfig(file) => load_trust_config(&file)?.0,
            Source::Repository { instance, offline } => {
                load(&instance, offline, Need::TrustedRoot)?.trusted_root
            }
        };
        tracing::info!("fixable: the bundle's log entry has no checkpoint; fetching it");
        sign::runtime()?
            .block_on(sigstore_sign::complete_log_entry(
                &mut bundle,
                &root,
                sign::http_config()?,
            ))
            .with_context(context)?;
    }
    bundle
        .validate()
        .with_context(|| format!("{}: unfixable bundle", path.display()))?;
    if upgrade {
        bundle = bundle.upgraded().with_context(context)?;
    }
    let json = bundle.to_json();
    if in_place {
        sigstore_sign::write_all_atomic(&[(path.to_owned(), json.into_bytes())], true)
            .with_context(context)?;
    } else {
        println!("{json}");
    }
    Ok(())
}
