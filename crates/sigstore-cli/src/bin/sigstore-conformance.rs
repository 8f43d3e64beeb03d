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
//! Exit status 0 means verified (or signed); anything else means rejected (or failed).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use sigstore_cli::{artifact_for, load_trusted_root, read_bundle, read_limited, sign, Input};
use sigstore_crypto::{Digest, HashAlgorithm, PublicKey};
use sigstore_types::Statement;
use sigstore_verify::{Policy, Verifier, VerifierConfig};
use sigstore_x509_policy::Identity;

#[derive(Default)]
struct VerifyArgs {
    staging: bool,
    bundle: Option<PathBuf>,
    identity: Option<String>,
    issuer: Option<String>,
    key: Option<PathBuf>,
    trusted_root: Option<PathBuf>,
    input: Option<String>,
}

fn parse_verify(args: &[String]) -> Result<VerifyArgs> {
    let mut parsed = VerifyArgs::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = || {
            iter.next()
                .cloned()
                .with_context(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--staging" => parsed.staging = true,
            "--bundle" => parsed.bundle = Some(PathBuf::from(value()?)),
            "--certificate-identity" => parsed.identity = Some(value()?),
            "--certificate-oidc-issuer" => parsed.issuer = Some(value()?),
            "--key" => parsed.key = Some(PathBuf::from(value()?)),
            "--trusted-root" => parsed.trusted_root = Some(PathBuf::from(value()?)),
            other if other.starts_with("--") => bail!("unknown option {other}"),
            other => {
                if parsed.input.replace(other.to_owned()).is_some() {
                    bail!("more than one artifact given");
                }
            }
        }
    }
    Ok(parsed)
}

fn verify_bundle(args: &[String]) -> Result<()> {
    let args = parse_verify(args)?;
    let bundle_path = args.bundle.context("--bundle is required")?;
    let input = Input::parse(&args.input.context("an artifact or digest is required")?)?;
    let policy = match (args.key, args.identity, args.issuer) {
        (Some(key), None, None) => {
            let pem = read_limited(&key, 1024 * 1024)?;
            Policy::key(
                PublicKey::from_pem(&pem)
                    .with_context(|| format!("{}: not a PEM public key", key.display()))?,
            )
        }
        (None, Some(identity), Some(issuer)) => Policy::identity(Identity::new(&identity, &issuer)),
        _ => bail!("give --key, or both --certificate-identity and --certificate-oidc-issuer"),
    };
    let root = load_trusted_root(args.trusted_root.as_deref(), args.staging)?;
    let verifier = Verifier::new(&root, VerifierConfig::default())?;
    let bundle = read_bundle(&bundle_path)?;
    let key = match &policy {
        Policy::PublicKey(key) => Some(&**key),
        _ => None,
    };
    let mut storage = Vec::new();
    let artifact = artifact_for(&input, &bundle, key, &mut storage)?;
    verifier.verify(&bundle, artifact, &policy)?;
    Ok(())
}

#[derive(Default)]
struct SignArgs {
    staging: bool,
    in_toto: bool,
    token: Option<String>,
    bundle: Option<PathBuf>,
    trusted_root: Option<PathBuf>,
    signing_config: Option<PathBuf>,
    input: Option<PathBuf>,
}

fn parse_sign(args: &[String]) -> Result<SignArgs> {
    let mut parsed = SignArgs::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = || {
            iter.next()
                .cloned()
                .with_context(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--staging" => parsed.staging = true,
            "--in-toto" => parsed.in_toto = true,
            "--identity-token" => parsed.token = Some(value()?),
            "--bundle" => parsed.bundle = Some(PathBuf::from(value()?)),
            "--trusted-root" => parsed.trusted_root = Some(PathBuf::from(value()?)),
            "--signing-config" => parsed.signing_config = Some(PathBuf::from(value()?)),
            other if other.starts_with("--") => bail!("unknown option {other}"),
            other => {
                if parsed.input.replace(PathBuf::from(other)).is_some() {
                    bail!("more than one file given");
                }
            }
        }
    }
    Ok(parsed)
}

fn sign_bundle(args: &[String]) -> Result<()> {
    let args = parse_sign(args)?;
    let out = args.bundle.context("--bundle is required")?;
    let input = args.input.context("a file to sign is required")?;
    let token = sign::resolve_token(args.token.as_deref())?;
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
    let (trusted_root, signing_config) = sign::load_signing_trust(&sign::TrustOptions {
        trust_config: None,
        trusted_root: args.trusted_root,
        signing_config: args.signing_config,
        staging: args.staging,
    })?;
    let supported = sign::supported_versions(None)?;
    sign::check_services(&signing_config, &supported, None)?;
    let identity = sign::parse_token(&token)?;
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
        token: identity,
        audience: sigstore_oidc::SIGSTORE_AUDIENCE.to_owned(),
        http,
    };
    sign::runtime()?.block_on(sign::execute(plan))?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((command, rest)) if command == "verify-bundle" => verify_bundle(rest),
        Some((command, rest)) if command == "sign-bundle" => sign_bundle(rest),
        _ => Err(anyhow::anyhow!(
            "usage: sigstore-conformance verify-bundle|sign-bundle ..."
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", sigstore_cli::error_chain(&error));
            ExitCode::from(1)
        }
    }
}
