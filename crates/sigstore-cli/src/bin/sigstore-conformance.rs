//! The sigstore-conformance CLI protocol:
//!
//! ```text
//! sigstore-conformance verify-bundle [--staging] --bundle FILE
//!     (--certificate-identity ID --certificate-oidc-issuer URL | --key KEY)
//!     [--trusted-root FILE] FILE_OR_DIGEST
//! sigstore-conformance sign-bundle ...   (not supported yet: exits 1)
//! ```
//!
//! Exit status 0 means verified; anything else means rejected.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use sigstore_cli::{artifact_for, load_trusted_root, read_bundle, read_limited, Input};
use sigstore_crypto::PublicKey;
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

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((command, rest)) if command == "verify-bundle" => verify_bundle(rest),
        Some((command, _)) if command == "sign-bundle" => {
            Err(anyhow::anyhow!("sign-bundle is not supported yet"))
        }
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
