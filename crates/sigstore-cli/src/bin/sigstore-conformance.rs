//! The sigstore-conformance CLI protocol:
//!
//! ```text
//! sigstore-conformance verify-bundle [--staging] --bundle FILE
//!     (--certificate-identity ID --certificate-oidc-issuer URL | --key KEY)
//!     [--trusted-root FILE] FILE_OR_DIGEST
//! sigstore-conformance sign-bundle [--staging] [--in-toto] --identity-token TOKEN
//!     --bundle OUT [--trusted-root FILE] [--signing-config FILE] FILE
//! ```
//!
//! `sign-bundle` signs FILE (with `--in-toto`, FILE is an in-toto statement signed as a DSSE
//! envelope) and writes the bundle to OUT. Missing trust files default to the embedded
//! production (or staging) ones.
//!
//! Exit status 0 means verified (or signed); 1 means rejected (or failed); 2 is a usage
//! mistake (an unknown option, a missing value), refused by the argument parser before any
//! work. `--help` on the command and on each subcommand shows the options and examples.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{ArgGroup, Args, Parser, Subcommand};
use sigstore_cli::{load_trusted_root, read_bundle, read_limited, sign, verify_input, Input};
use sigstore_crypto::{Digest, HashAlgorithm, PublicKey};
use sigstore_types::Statement;
use sigstore_verify::{Policy, Verifier, VerifierConfig};
use sigstore_x509_policy::Identity;

/// The sigstore-conformance test suite's client protocol: verify or sign one bundle.
///
/// Exit status 0 means verified (or signed), 1 rejected (or failed), 2 a usage mistake.
#[derive(Debug, Parser)]
#[command(
    name = "sigstore-conformance",
    version,
    after_help = "Examples:
  sigstore-conformance verify-bundle --bundle a.txt.sigstore.json \\
      --certificate-identity https://github.com/org/repo/.github/workflows/ci.yml@refs/heads/main \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com a.txt
  sigstore-conformance sign-bundle --identity-token \"$TOKEN\" --bundle a.txt.sigstore.json a.txt"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The two operations of the protocol.
#[derive(Debug, Subcommand)]
enum Command {
    /// Verify FILE_OR_DIGEST against a bundle, for an identity or a public key.
    VerifyBundle(VerifyArgs),
    /// Sign FILE (or, with --in-toto, the in-toto statement in FILE) into a bundle.
    SignBundle(SignArgs),
}

/// `verify-bundle`.
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("policy").required(true).args(["certificate_identity", "key"])),
    after_help = "Examples:
  sigstore-conformance verify-bundle --bundle a.txt.sigstore.json \\
      --certificate-identity https://github.com/org/repo/.github/workflows/ci.yml@refs/heads/main \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com a.txt
  sigstore-conformance verify-bundle --bundle b.json --key key.pub \\
      --trusted-root trusted_root.json sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)]
struct VerifyArgs {
    /// Use the embedded staging trust material instead of production.
    #[arg(long)]
    staging: bool,
    /// The bundle to verify.
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,
    /// The signing certificate's identity (SAN), matched exactly.
    #[arg(long, value_name = "IDENTITY", requires = "certificate_oidc_issuer")]
    certificate_identity: Option<String>,
    /// The OIDC issuer the certificate must name.
    #[arg(long, value_name = "URL", requires = "certificate_identity")]
    certificate_oidc_issuer: Option<String>,
    /// A PEM public key the bundle must be signed with (instead of an identity).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["certificate_identity", "certificate_oidc_issuer"])]
    key: Option<PathBuf>,
    /// The trusted root (default: the embedded production or staging one).
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
    /// The artifact, or its digest as `sha256:HEX`.
    #[arg(value_name = "FILE_OR_DIGEST")]
    input: String,
}

/// `sign-bundle`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  sigstore-conformance sign-bundle --identity-token \"$TOKEN\" --bundle a.txt.sigstore.json a.txt
  sigstore-conformance sign-bundle --in-toto --identity-token \"$TOKEN\" --bundle s.sigstore.json \\
      --trusted-root trusted_root.json --signing-config signing_config.json statement.json")]
struct SignArgs {
    /// Use the embedded staging trust material instead of production.
    #[arg(long)]
    staging: bool,
    /// FILE is an in-toto statement, signed as a DSSE envelope.
    #[arg(long)]
    in_toto: bool,
    /// The OIDC identity token (default: `$SIGSTORE_IDENTITY_TOKEN`).
    #[arg(long, value_name = "TOKEN")]
    identity_token: Option<String>,
    /// Where to write the bundle (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,
    /// The trusted root (default: the embedded production or staging one).
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
    /// The signing config naming the services (default: the embedded production or staging one).
    #[arg(long, value_name = "FILE")]
    signing_config: Option<PathBuf>,
    /// The file to sign.
    #[arg(value_name = "FILE")]
    input: PathBuf,
}

fn verify_bundle(args: VerifyArgs) -> Result<()> {
    let input = Input::parse(&args.input)?;
    let policy = match (
        args.key,
        args.certificate_identity,
        args.certificate_oidc_issuer,
    ) {
        (Some(key), _, _) => {
            let pem = read_limited(&key, 1024 * 1024)?;
            Policy::key(
                PublicKey::from_pem(&pem)
                    .with_context(|| format!("{}: not a PEM public key", key.display()))?,
            )
        }
        (None, Some(identity), Some(issuer)) => Policy::identity(Identity::new(&identity, &issuer)),
        // clap requires --key or both identity options.
        _ => anyhow::bail!(
            "give --key, or both --certificate-identity and --certificate-oidc-issuer"
        ),
    };
    let root = load_trusted_root(args.trusted_root.as_deref(), args.staging)?;
    let verifier = Verifier::new(&root, VerifierConfig::default())?;
    let bundle = read_bundle(&args.bundle)?;
    verify_input(&verifier, &bundle, None, &input, &policy)?;
    Ok(())
}

fn sign_bundle(args: SignArgs) -> Result<()> {
    let (out, input) = (args.bundle, args.input);
    let token = sign::resolve_token(args.identity_token.as_deref())?;
    let http = sign::http_config()?;
    let (payload, inputs) = if args.in_toto {
        let bytes = read_limited(&input, sign::MAX_PREDICATE_FILE)?;
        let statement = Statement::from_json(&bytes)
            .with_context(|| format!("{}: invalid in-toto statement", input.display()))?;
        let digest = statement
            .first_sha256_subject()
            .and_then(|bytes| Digest::new(HashAlgorithm::Sha256, &bytes))
            .with_context(|| format!("{}: no subject has a SHA-256 digest", input.display()))?;
        (
            sign::Payload::Statements(vec![statement]),
            vec![(input.clone(), digest)],
        )
    } else {
        (
            sign::Payload::Artifacts,
            sign::hash_inputs(std::slice::from_ref(&input))?,
        )
    };
    let (trusted_root, signing_config) = sigstore_trust::files::TrustFiles {
        trust_config: None,
        trusted_root: args.trusted_root,
        signing_config: args.signing_config,
        staging: args.staging,
    }
    .load()?;
    let supported = sign::supported_versions(None)?;
    sign::check_services(&signing_config, &supported, None)?;
    let identity = sign::parse_token_for(&token, sigstore_oidc::SIGSTORE_AUDIENCE)?;
    eprintln!("{}", sign::signing_as(&identity));
    let plan = sign::SignPlan {
        inputs,
        outputs: vec![sign::Outputs {
            bundle: Some(out),
            ..sign::Outputs::default()
        }],
        payload,
        // The harness names a fresh path; replacing it is what it asks for.
        overwrite: true,
        trusted_root,
        signing_config,
        supported,
        with: sign::SignWith::Token {
            token: identity,
            audience: sigstore_oidc::SIGSTORE_AUDIENCE.to_owned(),
        },
        http,
    };
    sign::runtime()?.block_on(sign::execute(plan))?;
    Ok(())
}

fn main() -> ExitCode {
    // Usage mistakes (and --help, --version) end here: clap prints them and exits 2 (0).
    let result = match Cli::parse().command {
        Command::VerifyBundle(args) => verify_bundle(args),
        Command::SignBundle(args) => sign_bundle(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", sigstore_cli::error_chain(&error));
            ExitCode::from(1)
        }
    }
}
