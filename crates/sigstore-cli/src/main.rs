//! `sigstore`: sign, attest and verify with Sigstore from the command line.
//!
//! Exit status: 0 when every input verified (or signed), 1 when any input failed verification
//! or signing or could not be read, 2 on usage errors.
#![forbid(unsafe_code)]

mod globals;
mod log;
mod placement;
mod policy;
mod trust_flags;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use globals::{GlobalArgs, Globals};
use sigstore_cli::sign::usage;
use sigstore_cli::{read_bundle, read_bundle_sized, read_limited, sign, Input};
use sigstore_crypto::PublicKey;
use sigstore_sign::lookup::DetachedLookup;
use sigstore_types::Bundle;
use sigstore_verify::{CosignatureVerifier, Policy, VerificationResult, Verifier, VerifierConfig};

/// Sign and verify artifacts with Sigstore.
#[derive(Parser)]
#[command(name = "sigstore", version, about, after_help = include_str!("examples/top.txt"))]
struct Cli {
    #[command(flatten)]
    _global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
#[command(defer = true)]
#[allow(clippy::large_enum_variant)] // parsed once per process
enum Command {
    /// Verify artifacts against their Sigstore bundles.
    #[command(after_help = include_str!("examples/verify.txt"))]
    Verify(VerifyArgs),
    /// Sign files with a short-lived certificate for your identity (keyless), or with --key.
    #[command(after_help = include_str!("examples/sign.txt"))]
    Sign(SignArgs),
    /// Sign in-toto attestations about files (DSSE envelopes).
    #[command(after_help = include_str!("examples/attest.txt"))]
    Attest(AttestArgs),
    /// Print the identity token `sign` would use (SIGSTORE_IDENTITY_TOKEN, else an ambient
    /// CI or cloud credential, else an interactive login) on standard output.
    ///
    /// The output is a SECRET bearer credential: anyone holding it can sign as you until it
    /// expires. Do not log it, echo it in CI output or store it.
    #[command(after_help = include_str!("examples/get-identity-token.txt"))]
    GetIdentityToken {
        #[command(flatten)]
        oidc: OidcArgs,
        #[command(flatten)]
        _global: GlobalArgs,
    },
    /// Summarize a bundle without verifying it.
    #[command(after_help = include_str!("examples/inspect.txt"))]
    Inspect {
        /// The bundle to describe.
        bundle: PathBuf,
        #[command(flatten)]
        _global: GlobalArgs,
    },
    /// Trust a private Sigstore instance's TUF repository (--instance URL, required); then
    /// use --instance URL with the other commands.
    ///
    /// Stores ROOT.json (the repository's root metadata, obtained out of band) after checking
    /// that it is signed by its own root keys and, unless --offline, that the repository at URL
    /// (https; plain http only for loopback hosts) refreshes from it and serves a trusted root.
    /// Anything cached for URL is replaced.
    #[command(after_help = include_str!("examples/trust-instance.txt"))]
    TrustInstance {
        /// The TUF root metadata (root.json) to start from.
        #[arg(value_name = "ROOT.json")]
        root: PathBuf,
        #[command(flatten)]
        _global: GlobalArgs,
    },
    /// Low-level commands.
    #[command(after_help = include_str!("examples/plumbing.txt"))]
    Plumbing(trust_flags::PlumbingArgs),
    /// Print a shell completion script for sigstore on standard output.
    #[command(after_help = include_str!("examples/completions.txt"))]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
        #[command(flatten)]
        _global: GlobalArgs,
    },
}

// `sigstore verify` (its doc comment would replace the variant's about text).
#[derive(Args)]
struct VerifyArgs {
    #[command(subcommand)]
    command: VerifyCommand,
    #[command(flatten)]
    _global: GlobalArgs,
}

#[derive(Subcommand)]
#[command(defer = true)]
enum VerifyCommand {
    /// Verify keyless signatures made by a given identity and OIDC issuer.
    #[command(after_help = include_str!("examples/verify-identity.txt"))]
    Identity {
        #[command(flatten)]
        common: CommonArgs,
        /// The expected certificate identity (email, URI or username), matched exactly.
        #[arg(
            long,
            env = "SIGSTORE_CERT_IDENTITY",
            required_unless_present = "cert_identity_regexp",
            conflicts_with = "cert_identity_regexp"
        )]
        cert_identity: Option<String>,
        /// A regular expression the whole certificate identity must match.
        #[arg(long)]
        cert_identity_regexp: Option<String>,
        /// The expected OIDC issuer URL, matched exactly.
        #[arg(
            long,
            env = "SIGSTORE_CERT_OIDC_ISSUER",
            required_unless_present = "cert_oidc_issuer_regexp",
            conflicts_with = "cert_oidc_issuer_regexp"
        )]
        cert_oidc_issuer: Option<String>,
        /// A regular expression the whole OIDC issuer must match.
        #[arg(long)]
        cert_oidc_issuer_regexp: Option<String>,
    },
    /// Verify keyless signatures made by GitHub Actions (issuer pinned to GitHub).
    #[command(after_help = include_str!("examples/verify-github.txt"))]
    Github {
        #[command(flatten)]
        common: CommonArgs,
        /// The expected workflow identity (the certificate's URI), matched exactly.
        #[arg(
            long,
            env = "SIGSTORE_CERT_IDENTITY",
            required_unless_present = "repository"
        )]
        cert_identity: Option<String>,
        /// The repository the workflow ran in (OWNER/REPO).
        #[arg(long, env = "SIGSTORE_VERIFY_GITHUB_WORKFLOW_REPOSITORY")]
        repository: Option<String>,
        /// The commit SHA the workflow ran on.
        #[arg(long, env = "SIGSTORE_VERIFY_GITHUB_WORKFLOW_SHA")]
        sha: Option<String>,
        /// The event that triggered the workflow (push, release, workflow_dispatch, ...).
        #[arg(long, env = "SIGSTORE_VERIFY_GITHUB_WORKFLOW_TRIGGER")]
        trigger: Option<String>,
        /// The workflow's name.
        #[arg(long, env = "SIGSTORE_VERIFY_GITHUB_WORKFLOW_NAME")]
        name: Option<String>,
        /// The git ref the workflow ran on (refs/heads/main, refs/tags/v1, ...).
        #[arg(long = "ref", env = "SIGSTORE_VERIFY_GITHUB_WORKFLOW_REF")]
        git_ref: Option<String>,
    },
    /// Verify signatures made with a managed key.
    #[command(after_help = include_str!("examples/verify-key.txt"))]
    Key {
        #[command(flatten)]
        common: CommonArgs,
        /// The PEM public key the bundles must be signed with.
        #[arg(long)]
        key: PathBuf,
    },
}

#[derive(Args)]
struct CommonArgs {
    /// Artifacts to verify: paths, or `sha256:HEX`, `sha384:HEX` or `sha512:HEX` digests
    /// (with --bundle).
    #[arg(required = true, value_name = "FILE_OR_DIGEST")]
    inputs: Vec<String>,
    /// The bundle to verify (one input only). Default: FILE.sigstore.json, then FILE.sigstore,
    /// then the legacy FILE.sig + FILE.crt (+ FILE.rekor).
    #[arg(long, value_name = "FILE", env = "SIGSTORE_BUNDLE")]
    bundle: Option<PathBuf>,
    /// Legacy detached certificate (PEM; one input only).
    #[arg(
        long,
        visible_alias = "cert",
        value_name = "FILE",
        env = "SIGSTORE_CERTIFICATE",
        requires = "signature",
        conflicts_with = "bundle"
    )]
    certificate: Option<PathBuf>,
    /// Legacy detached signature (base64; one input only).
    #[arg(
        long,
        value_name = "FILE",
        env = "SIGSTORE_SIGNATURE",
        requires = "certificate",
        conflicts_with = "bundle"
    )]
    signature: Option<PathBuf>,
    /// Legacy offline Rekor entry (`.rekor`; one input only).
    #[arg(
        long,
        value_name = "FILE",
        requires = "certificate",
        conflicts_with = "bundle"
    )]
    rekor_bundle: Option<PathBuf>,
    /// The Rekor v1 log to look legacy signatures up in when they come without a `.rekor`
    /// (https; plain http only for loopback hosts). Default: the trusted root's current
    /// Rekor v1 log.
    #[arg(long, value_name = "URL")]
    rekor_url: Option<String>,
    #[command(flatten)]
    trust: trust_flags::VerifyTrust,
    /// Print one JSON verification result per input (for DSSE bundles with the whole
    /// verified in-toto statement).
    #[arg(long)]
    json: bool,
    /// Require the bundle to carry an in-toto statement with exactly this predicate type
    /// (for example SLSA provenance v1, `https://slsa.dev/provenance/v1`).
    #[arg(long, value_name = "URI")]
    predicate_type: Option<String>,
    /// A witness key whose cosignature of each log checkpoint counts (a C2SP
    /// tlog-cosignature/v1 verifier key, `NAME+KEYID+BASE64`, one per line; repeatable). Only
    /// the witnesses given here count.
    #[arg(long, value_name = "FILE")]
    witness_key: Vec<PathBuf>,
    /// How many of the --witness-key witnesses must have cosigned every checkpoint.
    /// Default: all of them.
    #[arg(long, value_name = "N", requires = "witness_key")]
    witness_threshold: Option<usize>,
    /// After OK, print the verified in-toto statement (DSSE bundles).
    #[arg(long)]
    print_statement: bool,
    #[command(flatten)]
    _global: GlobalArgs,
}

/// How to get an identity token when none is given (`sign`, `attest`, `get-identity-token`).
#[derive(Args)]
struct OidcArgs {
    /// Do not detect ambient credentials (CI systems, clouds, SPIFFE, token files); only
    /// SIGSTORE_ID_TOKEN is still read before an interactive login.
    #[arg(long, env = "SIGSTORE_OIDC_DISABLE_AMBIENT_PROVIDERS", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    oidc_disable_ambient_providers: bool,
    /// The OpenID provider to log in at. Default: the signing config's, else Sigstore's
    /// public provider (oauth2.sigstore.dev/auth).
    #[arg(long, value_name = "URL", env = "SIGSTORE_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// The OAuth client ID for the login; identity tokens for signing, however obtained, must
    /// name it as their audience.
    #[arg(
        long,
        value_name = "ID",
        env = "SIGSTORE_OIDC_CLIENT_ID",
        default_value = sigstore_oidc::DEFAULT_CLIENT_ID
    )]
    oidc_client_id: String,
    /// The OAuth client secret, for providers that require one (prefer the
    /// SIGSTORE_OIDC_CLIENT_SECRET environment variable: arguments are visible to other users).
    #[arg(
        long,
        value_name = "SECRET",
        env = "SIGSTORE_OIDC_CLIENT_SECRET",
        hide_env_values = true
    )]
    oidc_client_secret: Option<String>,
    /// Log in without a redirect to this machine: open the printed URL anywhere and paste
    /// the code the provider shows.
    #[arg(long, env = "SIGSTORE_OAUTH_FORCE_OOB", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    oauth_force_oob: bool,
    /// Log in with the device flow (RFC 8628): open the printed URL on any device and enter
    /// the printed code; nothing is opened or served here.
    #[arg(long)]
    oidc_device: bool,
}

impl OidcArgs {
    /// Refuses contradictory login options (--oauth-force-oob may come from
    /// SIGSTORE_OAUTH_FORCE_OOB, which clap's own conflict check would count even when "0").
    fn check(&self) -> Result<()> {
        if self.oauth_force_oob && self.oidc_device {
            return Err(usage(anyhow::anyhow!(
                "--oauth-force-oob cannot be used with --oidc-device"
            )));
        }
        Ok(())
    }

    fn login_options(&self) -> sign::LoginOptions {
        let secret = self.oidc_client_secret.clone().filter(|s| !s.is_empty());
        sign::LoginOptions {
            issuer: self.oidc_issuer.clone(),
            client_secret: secret,
            force_oob: self.oauth_force_oob,
            device: self.oidc_device,
            ..sign::LoginOptions::new(&self.oidc_client_id)
        }
    }
}

/// Options shared by `sign` and `attest`.
#[derive(Args)]
struct SignCommon {
    /// The OIDC identity token. Default: the SIGSTORE_IDENTITY_TOKEN environment variable,
    /// else an ambient credential (GitHub Actions, GitLab CI, Buildkite, CircleCI, Google
    /// Cloud, SPIFFE, SIGSTORE_ID_TOKEN_FILE, SIGSTORE_ID_TOKEN), else an interactive login.
    #[arg(long, value_name = "TOKEN")]
    identity_token: Option<String>,
    /// Sign with this private key instead of a certificate for your identity (no identity
    /// token, no Fulcio): PEM PKCS#8, encrypted PKCS#8 or SEC1; ECDSA P-256, ECDSA P-384 or
    /// Ed25519. An encrypted key's passphrase is read from SIGSTORE_KEY_PASSPHRASE, else asked
    /// for on the terminal. Verify with `sigstore verify key --key PUBLIC.pem`.
    #[arg(long, value_name = "KEY.pem", conflicts_with = "identity_token")]
    key: Option<PathBuf>,
    #[command(flatten)]
    oidc: OidcArgs,
    /// Write the bundle here (one input only). Default: FILE.sigstore.json.
    #[arg(long, value_name = "FILE", env = "SIGSTORE_BUNDLE")]
    bundle: Option<PathBuf>,
    /// Write DIR/NAME.sigstore.json for every input (NAME: the input's file name).
    #[arg(
        long,
        value_name = "DIR",
        env = "SIGSTORE_OUTPUT_DIRECTORY",
        conflicts_with = "bundle"
    )]
    output_directory: Option<PathBuf>,
    /// Replace outputs that already exist.
    #[arg(long, env = "SIGSTORE_OVERWRITE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    overwrite: bool,
    /// Only use Rekor logs of this API version.
    #[arg(long, value_name = "1|2", value_parser = clap::value_parser!(u32).range(1..=2))]
    rekor_version: Option<u32>,
    #[command(flatten)]
    trust: trust_flags::SignTrust,
}

#[derive(Args)]
struct SignArgs {
    /// The files to sign.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    common: SignCommon,
    /// Also write a legacy detached signature (base64; one input only).
    #[arg(
        long,
        visible_alias = "output-signature",
        value_name = "FILE",
        env = "SIGSTORE_OUTPUT_SIGNATURE"
    )]
    signature: Option<PathBuf>,
    /// Also write the legacy detached PEM certificate (one input only).
    #[arg(
        long,
        visible_alias = "output-certificate",
        value_name = "FILE",
        env = "SIGSTORE_OUTPUT_CERTIFICATE"
    )]
    certificate: Option<PathBuf>,
    /// Also write a legacy offline Rekor entry (Rekor v1 only; one input only).
    #[arg(long, value_name = "FILE")]
    rekor_bundle: Option<PathBuf>,
    /// Do not write the default bundle (FILE.sigstore.json, or DIR/NAME.sigstore.json with
    /// --output-directory); only the outputs named with --signature, --certificate and
    /// --rekor-bundle are written. Cannot be combined with --bundle.
    #[arg(long, env = "SIGSTORE_NO_DEFAULT_FILES", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    no_default_files: bool,
    #[command(flatten)]
    _global: GlobalArgs,
}

#[derive(Args)]
struct AttestArgs {
    /// The files the attestation is about (one bundle each).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    common: SignCommon,
    /// The predicate (a JSON object).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "statement",
        requires = "predicate_type"
    )]
    predicate: Option<PathBuf>,
    /// The predicate type URI (SLSA provenance v0.2 and v1 predicates are checked).
    #[arg(long, value_name = "URI", requires = "predicate")]
    predicate_type: Option<String>,
    /// Sign this ready in-toto statement instead (its subjects must include every FILE).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["predicate", "predicate_type"])]
    statement: Option<PathBuf>,
    #[command(flatten)]
    _global: GlobalArgs,
}

/// Where one input's signature material comes from.
enum Material {
    /// A bundle file, with its size when discovery read its metadata.
    Bundle(PathBuf, Option<u64>),
    Legacy {
        signature: PathBuf,
        certificate: PathBuf,
        rekor: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let mut matches = Cli::command().get_matches();
    // The global options are read first: taking the values out of the matches (rather than
    // copying them all, as `from_arg_matches` does) leaves them without.
    let globals = Globals::merge(&matches);
    let cli = match Cli::from_arg_matches_mut(&mut matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let globals = match globals {
        Ok(globals) => globals,
        Err(error) => return failed(&error),
    };
    init_tracing(globals.verbose, globals.log_level);
    match run(cli, &globals.instance) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => failed(&error),
    }
}

/// Reports `error` on stderr; mistakes in the command line exit 2, like the ones clap itself
/// finds, anything else 1.
fn failed(error: &anyhow::Error) -> ExitCode {
    sigstore_cli::eprint_line(&format!("error: {}", sigstore_cli::error_chain(error)));
    let is_usage = error.is::<sigstore_cli::sign::UsageError>();
    ExitCode::from(if is_usage { 2 } else { 1 })
}

/// Whether stderr may carry ANSI colour: only a terminal, and only without NO_COLOR (any
/// non-empty value, <https://no-color.org>). Pipes and files get plain text.
fn colour_stderr() -> bool {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

/// Warnings reach stderr (e.g. a timestamp authority that failed) unless SIGSTORE_LOGLEVEL
/// asks for less; `-v` adds more; RUST_LOG overrides both.
fn init_tracing(verbose: u8, log_level: Option<tracing::level_filters::LevelFilter>) {
    use tracing::level_filters::LevelFilter;
    let level = match verbose {
        0 => log_level.unwrap_or(LevelFilter::WARN),
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let rust_log = std::env::var("RUST_LOG").ok();
    log::init(level, rust_log.as_deref(), colour_stderr(), verbose > 0);
}

fn run(cli: Cli, instance: &trust_flags::Instance) -> Result<bool> {
    match cli.command {
        Command::Sign(args) => {
            let mut outputs = output_options(
                &args.common,
                args.signature,
                args.certificate,
                args.rekor_bundle,
            );
            outputs.no_default_files = args.no_default_files;
            sign_files(
                &args.files,
                &args.common,
                outputs,
                What::Artifacts,
                instance,
            )?;
            Ok(true)
        }
        Command::Attest(args) => {
            let what = match (args.statement, args.predicate, args.predicate_type) {
                (Some(statement), _, _) => What::Statement(statement),
                (None, Some(predicate), Some(predicate_type)) => What::Predicate {
                    predicate,
                    predicate_type,
                },
                _ => {
                    return Err(usage(anyhow::anyhow!(
                        "give --predicate and --predicate-type, or --statement"
                    )))
                }
            };
            let outputs = output_options(&args.common, None, None, None);
            sign_files(&args.files, &args.common, outputs, what, instance)?;
            Ok(true)
        }
        Command::GetIdentityToken { oidc, .. } => {
            get_identity_token(&oidc)?;
            Ok(true)
        }
        Command::Inspect { bundle, .. } => {
            inspect(&bundle)?;
            Ok(true)
        }
        Command::Verify(VerifyArgs {
            command:
                VerifyCommand::Identity {
                    common,
                    cert_identity,
                    cert_identity_regexp,
                    cert_oidc_issuer,
                    cert_oidc_issuer_regexp,
                },
            ..
        }) => {
            let policy = policy::identity(
                cert_identity.as_deref(),
                cert_identity_regexp.as_deref(),
                cert_oidc_issuer.as_deref(),
                cert_oidc_issuer_regexp.as_deref(),
            )
            .map_err(usage)?;
            verify_all(&common, policy, instance)
        }
        Command::Verify(VerifyArgs {
            command:
                VerifyCommand::Github {
                    common,
                    cert_identity,
                    repository,
                    sha,
                    trigger,
                    name,
                    git_ref,
                },
            ..
        }) => {
            let policy = policy::github(&sigstore_x509_policy::GitHubPolicy {
                repository,
                sha,
                trigger,
                name,
                git_ref,
                identity: cert_identity,
            })
            .map_err(usage)?;
            verify_all(&common, policy, instance)
        }
        Command::Verify(VerifyArgs {
            command: VerifyCommand::Key { common, key },
            ..
        }) => {
            let pem = read_limited(&key, 1024 * 1024)?;
            let key = PublicKey::from_pem(&pem)
                .with_context(|| format!("{}: not a PEM public key", key.display()))?;
            verify_all(&common, Policy::key(key), instance)
        }
        Command::Completions { shell, .. } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "sigstore", &mut std::io::stdout());
            Ok(true)
        }
        Command::TrustInstance { root, .. } => {
            trust_flags::trust_instance(&root, instance)?;
            Ok(true)
        }
        Command::Plumbing(trust_flags::PlumbingArgs {
            command: trust_flags::PlumbingCommand::UpdateTrustRoot { .. },
            ..
        }) => {
            trust_flags::update_trust_root(instance)?;
            Ok(true)
        }
        Command::Plumbing(trust_flags::PlumbingArgs {
            command:
                trust_flags::PlumbingCommand::FixBundle {
                    bundle,
                    upgrade_version,
                    in_place,
                    ..
                },
            ..
        }) => {
            trust_flags::fix_bundle(&bundle, upgrade_version, in_place, instance)?;
            Ok(true)
        }
    }
}

/// Pairs every input with its signature material, or fails on a usage mistake.
fn plan(common: &CommonArgs, cores: usize) -> Result<Vec<(Input, Option<Material>)>> {
    let inputs = common
        .inputs
        .iter()
        .map(|arg| Input::parse(arg))
        .collect::<Result<Vec<_>>>()
        .map_err(usage)?;
    let explicit = common.bundle.is_some() || common.certificate.is_some();
    if explicit && inputs.len() != 1 {
        return Err(usage(anyhow::anyhow!(
            "--bundle, --certificate and --signature take exactly one input"
        )));
    }
    if let Some(bundle) = &common.bundle {
        return Ok(vec![(
            inputs[0].clone(),
            Some(Material::Bundle(bundle.clone(), None)),
        )]);
    }
    if let (Some(certificate), Some(signature)) = (&common.certificate, &common.signature) {
        return Ok(vec![(
            inputs[0].clone(),
            Some(Material::Legacy {
                signature: signature.clone(),
                certificate: certificate.clone(),
                rekor: common.rekor_bundle.clone(),
            }),
        )]);
    }
    // Discovery is a few metadata calls per input: on a long list, a share of the work that
    // no other thread could do while it ran serially. It runs on every core; warnings print
    // and the first failure is reported in input order, as one thread would have.
    let discovered = parallel_map(&inputs, cores, discover);
    let mut jobs = Vec::with_capacity(inputs.len());
    for (input, found) in inputs.into_iter().zip(discovered) {
        let Discovered { material, warning } = found.map_err(usage)?;
        if let Some(warning) = warning {
            tracing::warn!("{warning}");
        }
        jobs.push((input, material));
    }
    Ok(jobs)
}

/// How many threads the work on `inputs` inputs may use: one for one input (without the
/// cgroup reads that find how many cores there are), else one per core, at most one per input.
fn cores_for(inputs: usize) -> usize {
    match inputs {
        0 | 1 => 1,
        n => std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(n),
    }
}

/// `f` of every item, in item order, on up to `threads` threads (this one included) when
/// the list is long enough to pay for starting them. Threads take blocks of items as they
/// get to them: one that starts late (see [`placement`]) takes fewer, nobody waits for it to
/// do a fixed share.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    /// Fewer items than this per thread are done on this thread alone.
    const MIN_PER_THREAD: usize = 64;
    /// Items a thread takes at a time.
    const BLOCK: usize = 16;
    let threads = threads.min(items.len() / MIN_PER_THREAD);
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let run = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let start = next.fetch_add(BLOCK, Ordering::Relaxed);
            if start >= items.len() {
                break;
            }
            let block = &items[start..items.len().min(start + BLOCK)];
            done.push((start, block.iter().map(&f).collect()));
        }
        done
    };
    let run = &run;
    let placement = placement::Placement::here();
    let mut blocks = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .map(|worker| placement.spawn(scope, worker, run))
            .collect();
        let mut blocks = run();
        for other in others {
            match other.join() {
                Ok(part) => blocks.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        blocks
    });
    blocks.sort_unstable_by_key(|(start, _)| *start);
    blocks
        .into_iter()
        .flat_map(|(_, results)| results)
        .collect()
}

/// What discovery found for an input, and the warning to print for it.
struct Discovered {
    material: Option<Material>,
    warning: Option<String>,
}

/// The default material for a file: FILE.sigstore.json, FILE.sigstore, FILE.sig + FILE.crt.
/// Both bundle names at once are ambiguous (refused, as sigstore-python refuses them); the
/// legacy FILE.sigstore name draws a warning.
fn discover(input: &Input) -> Result<Discovered> {
    let found = |material| {
        Ok(Discovered {
            material,
            warning: None,
        })
    };
    let Input::File(path) = input else {
        return found(None);
    };
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let (bundle, legacy) = (with(".sigstore.json"), with(".sigstore"));
    // The metadata that tells a regular file also gives its size, which sizes the read.
    let file_size = |path: &Path| {
        std::fs::metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len())
    };
    match (file_size(&bundle), file_size(&legacy)) {
        (Some(_), Some(_)) => bail!(
            "ambiguous bundles: both {} and {} exist; pass --bundle to choose one",
            bundle.display(),
            legacy.display()
        ),
        (Some(size), None) => return found(Some(Material::Bundle(bundle, Some(size)))),
        (None, Some(size)) => {
            let warning = format!(
                "{}: {} should be named {}",
                sigstore_cli::escape_controls(&path.display().to_string()),
                sigstore_cli::escape_controls(&legacy.display().to_string()),
                sigstore_cli::escape_controls(&bundle.display().to_string())
            );
            return Ok(Discovered {
                material: Some(Material::Bundle(legacy, Some(size))),
                warning: Some(warning),
            });
        }
        (None, None) => {}
    }
    let (signature, certificate) = (with(".sig"), with(".crt"));
    if signature.is_file() && certificate.is_file() {
        let rekor = Some(with(".rekor")).filter(|p| p.is_file());
        return found(Some(Material::Legacy {
            signature,
            certificate,
            rekor,
        }));
    }
    found(None)
}

/// The witness keys of `--witness-key` files (one C2SP verifier key per non-empty line;
/// lines starting with `#` are comments).
fn witness_keys(files: &[PathBuf]) -> Result<Vec<CosignatureVerifier>> {
    let mut keys = Vec::new();
    for file in files {
        let text = read_limited(file, 64 * 1024)?;
        let text = String::from_utf8(text)
            .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", file.display()))?;
        let before = keys.len();
        keys.extend(
            CosignatureVerifier::from_vkey_lines(&text)
                .with_context(|| format!("{}: not a witness key", file.display()))?,
        );
        if keys.len() == before {
            bail!("{}: no witness key in the file", file.display());
        }
    }
    Ok(keys)
}

fn verify_all(
    common: &CommonArgs,
    policy: Policy,
    instance: &trust_flags::Instance,
) -> Result<bool> {
    match common.trust.trusted_root {
        Some(_) => instance.check(&["--trusted-root"])?,
        None => instance.check(&[])?,
    }
    let cores = cores_for(common.inputs.len());
    let jobs = plan(common, cores)?;
    let policy = match &common.predicate_type {
        Some(predicate_type) => policy.with_predicate_type(predicate_type),
        None => policy,
    };
    let policy = &policy;
    let witnesses = witness_keys(&common.witness_key).map_err(usage)?;
    let threshold = common.witness_threshold.unwrap_or(witnesses.len());
    if !witnesses.is_empty() && (threshold == 0 || threshold > witnesses.len()) {
        return Err(usage(anyhow::anyhow!(
            "--witness-threshold must be between 1 and the number of witness keys ({})",
            witnesses.len()
        )));
    }
    let root = trust_flags::verify_root(&common.trust, instance)?;
    let rekor_url = common.rekor_url.as_deref();
    let lookup = DetachedLookup::new(&root, rekor_url, instance.offline(), sigstore_sign::now())
        .map_err(|e| usage(lookup_error(e)))?;
    let lookup = match instance.offline() {
        true => lookup,
        false => lookup.with_http(sign::http_config()?),
    };
    let mut config = VerifierConfig::default();
    config.include_statement = common.json || common.print_statement;
    let with_witnesses = |verifier: Verifier| -> Result<Verifier> {
        if witnesses.is_empty() {
            Ok(verifier)
        } else {
            Ok(verifier.with_witnesses(witnesses.clone(), threshold)?)
        }
    };
    let verifier =
        with_witnesses(Verifier::new(&root, config).context("the trusted root is unusable")?)?;
    // The same parsed trust material, for legacy inputs.
    let legacy_verifier = verifier.with_config(config.allowing_promise_only_entries());

    // Inputs verify in parallel; each result prints, in input order, as soon as every earlier
    // one has, so a long list streams and holds no more results than the workers run ahead.
    // One worker at a time prints, outside the lock (see `deliver`).
    let printer = Mutex::new(Printer::default());
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some((input, material)) = jobs.get(i) else {
            break;
        };
        let outcome = verify_one(
            &verifier,
            (&legacy_verifier, &lookup),
            input,
            material.as_ref(),
            policy,
        );
        deliver(&printer, i, Report::new(common, input, outcome));
    };
    // This thread is one of the workers: one input (or one core) starts no thread.
    let workers = cores.min(jobs.len());
    let work = &work;
    // Where workers start matters only when there are some (a cold run makes no calls).
    let placement = (workers > 1).then(placement::Placement::here);
    std::thread::scope(|scope| {
        let Some(placement) = &placement else {
            return work();
        };
        for worker in 1..workers {
            placement.spawn(scope, worker, work);
        }
        work();
    });

    let mut printer = printer
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a verification thread failed"))?;
    // Anything left (a worker that stopped early) is reported, never skipped.
    for (i, (input, _)) in jobs.iter().enumerate().skip(printer.next) {
        if !printer.has(i) {
            let missing = Err(anyhow::anyhow!("verification did not run"));
            printer.file(i, Report::new(common, input, missing));
        }
    }
    let ready = printer.take_ready();
    printer.all_ok &= print_ready(ready, &mut printer.error);
    match printer.error {
        Some(error) => Err(error),
        None => Ok(printer.all_ok),
    }
}

/// Results waiting for their turn to print, and what printing found so far.
struct Printer {
    /// The index of the next input to print.
    next: usize,
    /// Reports for inputs `next`, `next + 1`, ... (`None`: still verifying). A ring that
    /// keeps its buffer: a map would allocate and free a node whenever it fills and empties,
    /// each time on whichever worker got there.
    pending: std::collections::VecDeque<Option<Report>>,
    all_ok: bool,
    /// The first error writing to stdout; nothing more is written after it.
    error: Option<anyhow::Error>,
    /// A worker is printing (outside the lock): the others leave their results to it.
    printing: bool,
}

impl Default for Printer {
    fn default() -> Self {
        Self {
            next: 0,
            pending: std::collections::VecDeque::new(),
            all_ok: true,
            error: None,
            printing: false,
        }
    }
}

impl Printer {
    /// Takes every result that is next in input order.
    fn take_ready(&mut self) -> Vec<Report> {
        let mut ready = Vec::new();
        while let Some(report) = self.pending.front_mut().and_then(Option::take) {
            self.pending.pop_front();
            ready.push(report);
            self.next = self.next.saturating_add(1);
        }
        ready
    }

    /// Files input `i`'s report (`i` is `next` or later: earlier ones are printed).
    fn file(&mut self, i: usize, report: Report) {
        let at = i.saturating_sub(self.next);
        if self.pending.len() <= at {
            self.pending.resize_with(at + 1, || None);
        }
        if let Some(slot) = self.pending.get_mut(at) {
            *slot = Some(report);
        }
    }

    /// Whether input `i`'s report is filed and not yet printed.
    fn has(&self, i: usize) -> bool {
        i.checked_sub(self.next)
            .and_then(|at| self.pending.get(at))
            .is_some_and(Option::is_some)
    }
}

/// Prints `ready` (reports taken in input order) unless writing already failed (`error`,
/// which records the first write error); returns whether every one of them verified.
fn print_ready(ready: Vec<Report>, error: &mut Option<anyhow::Error>) -> bool {
    let mut all_ok = true;
    for report in ready {
        all_ok &= report.ok;
        if error.is_none() {
            if let Err(e) = report.print() {
                *error = Some(e);
            }
        }
    }
    all_ok
}

/// Hands input `i`'s report to the printer. The lock is held only to file reports: the
/// worker that finds nobody printing becomes the printer and writes every report that is
/// next in input order with the lock released, until none is left; workers that find a
/// printer at work leave their report to it. So stdout sees the reports in input order,
/// and no worker waits on another's writes.
fn deliver(printer: &Mutex<Printer>, i: usize, report: Report) {
    let Ok(mut state) = printer.lock() else {
        return; // a printer panicked; what is left is reported after the workers
    };
    state.file(i, report);
    if state.printing {
        return;
    }
    state.printing = true;
    loop {
        let ready = state.take_ready();
        if ready.is_empty() {
            state.printing = false;
            return;
        }
        // Only the printer touches `error` while `printing` is set: take it along.
        let mut error = state.error.take();
        drop(state);
        let all_ok = print_ready(ready, &mut error);
        let Ok(relocked) = printer.lock() else {
            return;
        };
        state = relocked;
        state.all_ok &= all_ok;
        state.error = error;
    }
}

/// One input's outcome as text: `OK`/`FAIL` lines or a JSON line for stdout, warnings about
/// skipped timestamps and notes for stderr.
///
/// The worker that verified the input writes it, so the verification result is freed by the
/// thread that allocated it: glibc's allocator gives each thread an arena, and freeing a
/// block of another thread's arena takes that arena's lock, which its owner then waits for
/// (on two cores, with the result freed by whichever worker printed it, a thousand inputs
/// gave 200 futex calls and idle time on both cores).
struct Report {
    /// Whether the input verified.
    ok: bool,
    /// What goes to stdout, or why it could not be written.
    out: Result<String>,
    /// Warnings about skipped timestamps.
    warnings: Vec<String>,
    /// Notes from verification (informational).
    notes: Vec<String>,
}

impl Report {
    fn new(common: &CommonArgs, input: &Input, outcome: Result<VerificationResult>) -> Self {
        use std::fmt::Write as _;
        let name = input.display();
        // Text (file names, messages quoting the bundle) stays on its own line.
        let shown = sigstore_cli::escape_controls(&name);
        match outcome {
            Ok(result) => {
                let warnings = result
                    .skipped_timestamps
                    .iter()
                    .map(|skipped| {
                        format!(
                            "{shown}: RFC 3161 timestamp #{} skipped (not counted): {}",
                            skipped.index,
                            sigstore_cli::escape_controls(&skipped.reason)
                        )
                    })
                    .collect();
                let notes = result
                    .notes
                    .iter()
                    .map(|note| format!("{shown}: {note}"))
                    .collect();
                let out = if common.json {
                    let line =
                        serde_json::json!({"input": name, "verified": true, "result": result});
                    Ok(format!("{line}\n"))
                } else {
                    let mut out = format!("OK: {shown}\n");
                    let statement = result.statement.as_ref().and_then(|s| s.statement.as_ref());
                    match statement.filter(|_| common.print_statement) {
                        Some(statement) => serde_json::to_string_pretty(statement)
                            .map(|text| {
                                let _ = writeln!(out, "{text}");
                                out
                            })
                            .map_err(Into::into),
                        None => Ok(out),
                    }
                };
                Self {
                    ok: true,
                    out,
                    warnings,
                    notes,
                }
            }
            Err(error) => {
                let reason = sigstore_cli::error_chain(&error);
                let out = if common.json {
                    let line =
                        serde_json::json!({"input": name, "verified": false, "error": reason});
                    format!("{line}\n")
                } else {
                    let reason = sigstore_cli::escape_controls(&reason);
                    format!("FAIL: {shown}: {reason}\n")
                };
                Self {
                    ok: false,
                    out: Ok(out),
                    warnings: Vec::new(),
                    notes: Vec::new(),
                }
            }
        }
    }

    /// Logs the warnings and notes, then writes the stdout text.
    fn print(self) -> Result<()> {
        for warning in &self.warnings {
            tracing::warn!("{warning}");
        }
        for note in &self.notes {
            tracing::info!("{note}");
        }
        std::io::stdout().lock().write_all(self.out?.as_bytes())?;
        Ok(())
    }
}

fn verify_one(
    verifier: &Verifier,
    (legacy_verifier, lookup): (&Verifier, &DetachedLookup),
    input: &Input,
    material: Option<&Material>,
    policy: &Policy,
) -> Result<VerificationResult> {
    match material {
        None => match input {
            Input::File(path) => bail!(
                "no bundle found (looked for {0}.sigstore.json, {0}.sigstore, {0}.sig + {0}.crt); pass --bundle",
                path.display()
            ),
            Input::Digest(_) => bail!("a digest input needs --bundle"),
        },
        Some(Material::Bundle(path, size)) => {
            let bundle = read_bundle_sized(path, *size)?;
            sigstore_cli::verify_input(verifier, &bundle, Some(path), input, policy)
        }
        Some(Material::Legacy {
            signature,
            certificate,
            rekor,
        }) => verify_legacy(
            (legacy_verifier, lookup),
            input,
            (signature, certificate, rekor.as_deref()),
            policy,
        ),
    }
}

/// Verifies detached legacy materials (signature, certificate, optional `.rekor`), looking
/// the log entry up when there is no `.rekor`.
#[inline(never)] // not in the per-input frame of bundle verification (its async state is big)
fn verify_legacy(
    (legacy_verifier, lookup): (&Verifier, &DetachedLookup),
    input: &Input,
    (signature, certificate, rekor): (&Path, &Path, Option<&Path>),
    policy: &Policy,
) -> Result<VerificationResult> {
    let digest = match input {
        Input::Digest(d) => *d,
        Input::File(path) => sigstore_cli::hash_file(path, sigstore_crypto::HashAlgorithm::Sha256)?,
    };
    let sha256: [u8; 32] = digest
        .as_bytes()
        .try_into()
        .context("legacy materials need a SHA-256 digest")?;
    let rekor_json = match rekor {
        Some(rekor) => Some(read_limited(rekor, sigstore_cli::MAX_JSON_FILE)?),
        None => None,
    };
    let bundle = sigstore_types::legacy::bundle_from_legacy(
        &read_limited(signature, 64 * 1024)?,
        &read_limited(certificate, 1024 * 1024)?,
        rekor_json.as_deref(),
        &sha256,
    )
    .context("invalid legacy signature materials")?;
    match rekor {
        Some(_) => legacy_verifier
            .verify(&bundle, sigstore_verify::Artifact::Digest(digest), policy)
            .map_err(anyhow::Error::from),
        // No .rekor: the entry comes from the log, and is verified the same way.
        None => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?
            .block_on(lookup.verify(legacy_verifier, &bundle, digest, policy))
            .map_err(lookup_error),
    }
    .with_context(|| format!("{}", signature.display()))
}

/// A detached-signature lookup error in this command line's terms: the library says what is
/// missing, this names the option that gives it (sigstore-python's spelling). Other errors
/// pass through.
fn lookup_error(error: sigstore_sign::Error) -> anyhow::Error {
    use sigstore_sign::Error as E;
    match error {
        E::LookupUrlOffline => {
            anyhow::anyhow!("--rekor-url looks log entries up online; drop --offline to use it")
        }
        E::InsecureLookupUrl { url } => {
            anyhow::anyhow!("--rekor-url {url}: not https (plain http only for loopback hosts)")
        }
        E::DetachedOffline => anyhow::anyhow!(
            "a detached signature needs its log entry: pass --rekor-bundle FILE (the .rekor) to \
             verify offline, or drop --offline to look the entry up in Rekor"
        ),
        E::NoLookupLog { reason } => {
            anyhow::anyhow!("{reason}; pass --rekor-url or --rekor-bundle (the .rekor file)")
        }
        other => other.into(),
    }
}

/// What `sign_files` signs.
enum What {
    /// Message signatures over the files.
    Artifacts,
    /// A statement built from a predicate, one per file.
    Predicate {
        predicate: PathBuf,
        predicate_type: String,
    },
    /// A ready statement naming every file.
    Statement(PathBuf),
}

fn output_options(
    common: &SignCommon,
    signature: Option<PathBuf>,
    certificate: Option<PathBuf>,
    rekor_bundle: Option<PathBuf>,
) -> sign::OutputOptions {
    sign::OutputOptions {
        bundle: common.bundle.clone(),
        output_directory: common.output_directory.clone(),
        signature,
        certificate,
        rekor_bundle,
        overwrite: common.overwrite,
        ..sign::OutputOptions::default()
    }
}

/// `sign` and `attest`: every check that needs no network first (usage, existing outputs,
/// inputs, predicate), then the trust material (a TUF refresh unless given as files or with
/// --offline), services and token expiry; then one certificate signs every input, and the
/// outputs are written only if all succeeded.
fn sign_files(
    files: &[PathBuf],
    common: &SignCommon,
    outputs: sign::OutputOptions,
    what: What,
    instance: &trust_flags::Instance,
) -> Result<()> {
    trust_flags::check_sign_flags(&common.trust, instance)?;
    common.oidc.check()?;
    let plans = sign::plan_outputs(files, &outputs)?;
    let detected = match common.key {
        Some(_) => None,
        None => sign::resolve_token_or_detect(
            common.identity_token.as_deref(),
            common.oidc.oidc_disable_ambient_providers,
        )?,
    };
    let login = common.oidc.login_options();
    if detected.is_none() && common.key.is_none() {
        sign::check_login_possible(&login, common.oidc.oidc_disable_ambient_providers, true)
            .map_err(sign::usage)?;
    }
    let http = sign::http_config()?;
    let supported = sign::supported_versions(common.rekor_version)?;
    sign::check_outputs(&plans, outputs.overwrite)?;
    let inputs = sign::hash_inputs(files)?;
    let payload = match what {
        What::Artifacts => sign::Payload::Artifacts,
        What::Predicate {
            predicate,
            predicate_type,
        } => {
            let predicate_json = sign::read_predicate(&predicate)?;
            let mut statements = Vec::with_capacity(inputs.len());
            for (path, digest) in &inputs {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                statements.push(
                    sign::statement_for(
                        &[(name, *digest)],
                        &predicate_type,
                        predicate_json.clone(),
                    )
                    .with_context(|| format!("{}", predicate.display()))?,
                );
            }
            sign::Payload::Statements(statements)
        }
        What::Statement(path) => {
            let statement = sign::read_statement(&path, &inputs)?;
            sign::Payload::Statements(vec![statement; inputs.len()])
        }
    };
    let key = common
        .key
        .as_deref()
        .map(sign::load_signing_key)
        .transpose()?;
    let (trusted_root, signing_config) =
        trust_flags::signing_trust(&common.trust, instance, common.rekor_version)?;
    let rekor_version = sign::check_services(&signing_config, &supported, common.rekor_version)?;
    if outputs.rekor_bundle.is_some() && rekor_version != 1 {
        bail!(
            "--rekor-bundle needs a Rekor v1 log, but the signing config selects Rekor v{rekor_version} \
             (pass --rekor-version 1)"
        );
    }
    let with = if let (Some(key), Some(path)) = (key, &common.key) {
        sigstore_cli::eprint_line(&sign::signing_with_key(path, &key));
        sign::SignWith::Key(key)
    } else {
        let (token, source) = match detected {
            Some(found) => found,
            None => {
                let issuer = login.issuer_for(Some(&signing_config), sigstore_sign::now());
                (sign::login(&login, &issuer)?, sign::TokenSource::Login)
            }
        };
        announce_source(source);
        // The token must be meant for the OAuth client (the audience a private Fulcio expects).
        let identity =
            sign::parse_token_for(&token, &common.oidc.oidc_client_id).map_err(|error| {
                let audience = error.chain().any(|cause| {
                    matches!(
                        cause.downcast_ref::<sigstore_oidc::Error>(),
                        Some(sigstore_oidc::Error::TokenAudience { .. })
                    )
                });
                if audience {
                    error.context(
                        "the identity token is not meant for the OAuth client \
                     (--oidc-client-id, default sigstore, names the audience it must have)",
                    )
                } else {
                    error
                }
            })?;
        sigstore_cli::eprint_line(&sign::signing_as(&identity));
        sign::SignWith::Token {
            token: identity,
            audience: common.oidc.oidc_client_id.clone(),
        }
    };
    let plan = sign::SignPlan {
        inputs,
        outputs: plans,
        payload,
        overwrite: outputs.overwrite,
        trusted_root,
        signing_config,
        supported,
        with,
        http,
    };
    print_written(sign::runtime()?.block_on(sign::execute(plan))?);
    Ok(())
}

fn print_written(written: Vec<PathBuf>) {
    for path in written {
        println!(
            "Wrote {}",
            sigstore_cli::escape_controls(&path.display().to_string())
        );
    }
}

/// Tells (on stderr) which ambient provider supplied the token; never prints the token.
fn announce_source(source: sign::TokenSource) {
    if let sign::TokenSource::Ambient(provider) = source {
        sigstore_cli::eprint_line(&format!("Using an identity token from {provider}"));
    }
}

/// `get-identity-token`: the token on stdout, or an error (exit status 1) naming the ways to
/// supply one.
#[inline(never)] // not in `run`'s stack frame, which every verification pays for
fn get_identity_token(oidc: &OidcArgs) -> Result<()> {
    oidc.check()?;
    let disable_ambient = oidc.oidc_disable_ambient_providers;
    let (token, source) = match sign::detect_token(disable_ambient)? {
        Some(found) => found,
        None => {
            let login = oidc.login_options();
            sign::check_login_possible(&login, disable_ambient, false)?;
            let issuer = login.issuer_for(None, sigstore_sign::now());
            (sign::login(&login, &issuer)?, sign::TokenSource::Login)
        }
    };
    announce_source(source);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{token}")?;
    out.flush()?;
    Ok(())
}

/// Prints what a bundle claims, without verifying any of it.
#[inline(never)] // not in `run`'s stack frame, which every verification pays for
fn inspect(path: &Path) -> Result<()> {
    let bundle: Bundle = read_bundle(path)?;
    let summary = policy::describe(&bundle);
    println!(
        "NOT VERIFIED: this describes what the bundle claims; use `sigstore verify` to check it."
    );
    print!("{summary}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(args: &[&str]) -> clap::ArgMatches {
        Cli::command()
            .try_get_matches_from(std::iter::once("sigstore").chain(args.iter().copied()))
            .expect("a valid command line")
    }

    /// The library's lookup errors come out naming the options that fix them; the library's
    /// own text (no option names) is what a library user sees, and other errors pass through.
    #[test]
    fn lookup_errors_name_the_options() {
        use sigstore_sign::Error as E;
        let cases = [
            (E::LookupUrlOffline, vec!["--rekor-url", "drop --offline"]),
            (
                E::InsecureLookupUrl {
                    url: "http://rekor.example".to_owned(),
                },
                vec!["--rekor-url http://rekor.example: not https"],
            ),
            (
                E::DetachedOffline,
                vec!["pass --rekor-bundle FILE", "drop --offline"],
            ),
            (
                E::NoLookupLog {
                    reason: "no log".to_owned(),
                },
                vec!["no log; pass --rekor-url or --rekor-bundle"],
            ),
        ];
        for (error, wanted) in cases {
            assert!(!error.to_string().contains("--"), "library text: {error}");
            let text = lookup_error(error).to_string();
            for w in wanted {
                assert!(text.contains(w), "{text:?} lacks {w:?}");
            }
        }
        let other = lookup_error(E::NoRekorV1Log).to_string();
        assert_eq!(other, E::NoRekorV1Log.to_string());
    }

    const VERIFY: [&str; 7] = [
        "verify",
        "identity",
        "a.txt",
        "--cert-identity",
        "me@example.com",
        "--cert-oidc-issuer",
        "https://issuer.example",
    ];

    /// Every command and subcommand takes the global options, so they may stand anywhere
    /// (`sigstore --staging sign`, `sigstore sign --staging`).
    #[test]
    fn every_command_takes_the_global_options() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for id in [
                "verbose",
                "log_level",
                "staging",
                "instance",
                "trust_config",
                "offline",
            ] {
                if !command.get_arguments().any(|arg| arg.get_id() == id) {
                    missing.push(format!("{path}: {id}"));
                }
            }
            // clap's own `help` subcommand tree takes no options.
            for sub in command
                .get_subcommands()
                .filter(|sub| sub.get_name() != "help")
            {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut command = Cli::command();
        command.build();
        let mut missing = Vec::new();
        walk(&command, "sigstore", &mut missing);
        assert!(command.get_subcommands().count() > 5);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn verbose_counts_add_up_over_the_levels() {
        let mut args = vec!["-v", "verify", "-vv"];
        args.extend(&VERIFY[1..]);
        args.push("-v");
        let globals = Globals::merge(&matches(&args)).unwrap();
        assert_eq!(globals.verbose, 4);
        let globals = Globals::merge(&matches(&VERIFY)).unwrap();
        assert_eq!(globals.verbose, 0);
    }

    #[test]
    fn an_option_at_any_level_counts() {
        for at in [0, 1, 2, VERIFY.len()] {
            let mut args: Vec<&str> = VERIFY.to_vec();
            args.splice(at..at, ["--instance", "https://tuf.example", "--offline"]);
            let globals = Globals::merge(&matches(&args)).unwrap();
            assert_eq!(
                globals.instance.instance_url(),
                Some("https://tuf.example"),
                "{args:?}"
            );
            assert!(globals.instance.offline(), "{args:?}");
        }
    }

    #[test]
    fn two_different_values_are_a_usage_error() {
        let mut args = vec!["--instance", "https://a.example", "verify"];
        args.extend(&VERIFY[1..]);
        args.extend(["--instance", "https://b.example"]);
        let error = Globals::merge(&matches(&args)).err().expect("refused");
        assert!(error.is::<sigstore_cli::sign::UsageError>());
        assert_eq!(
            error.to_string(),
            "--instance is given twice, with different values"
        );
        let mut same = vec!["--instance", "https://a.example", "verify"];
        same.extend(&VERIFY[1..]);
        same.extend(["--instance", "https://a.example"]);
        let globals = Globals::merge(&matches(&same)).unwrap();
        assert_eq!(globals.instance.instance_url(), Some("https://a.example"));
    }

    #[test]
    fn staging_at_any_level_is_explicit() {
        let mut args: Vec<&str> = VERIFY.to_vec();
        args.insert(1, "--staging");
        let globals = Globals::merge(&matches(&args)).unwrap();
        let error = globals
            .instance
            .check(&["--trusted-root"])
            .expect_err("refused");
        assert_eq!(
            error.to_string(),
            "--trusted-root cannot be used with --staging"
        );
        let mut both: Vec<&str> = VERIFY.to_vec();
        both.insert(1, "--staging");
        both.extend(["--trust-config", "c.json"]);
        let globals = Globals::merge(&matches(&both)).unwrap();
        let error = globals.instance.resolve().expect_err("refused");
        assert_eq!(
            error.to_string(),
            "--staging cannot be used with --trust-config"
        );
    }

    /// Results come back in item order whatever the thread count, list length (blocks and
    /// a partial last block) and which thread took which block.
    #[test]
    fn parallel_map_keeps_item_order() {
        for len in [0, 1, 63, 64, 127, 128, 129, 1000, 1001] {
            let items: Vec<usize> = (0..len).collect();
            for threads in [1, 2, 3, 8] {
                let results = parallel_map(&items, threads, |&i| i * 2);
                let expected: Vec<usize> = (0..len).map(|i| i * 2).collect();
                assert_eq!(results, expected, "{len} items on {threads} threads");
            }
        }
    }
}
