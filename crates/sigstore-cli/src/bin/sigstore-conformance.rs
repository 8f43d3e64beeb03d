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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use sigstore_cli::{load_trusted_root, read_bundle, read_limited, sign, verify_input, Input};
use sigstore_crypto::{Digest, HashAlgorithm, PublicKey};
use sigstore_types::Statement;
use sigstore_verify::{Policy, Verifier, VerifierConfig};
use sigstore_x509_policy::Identity;

/// The options given (`--name VALUE` for the names in `valued`, `--name` alone for those
/// in `flags`) and the one positional argument (`more` is the error for a second one).
fn parse(
    args: &[String],
    valued: &[&str],
    flags: &[&str],
    more: &str,
) -> Result<(BTreeMap<String, String>, Option<String>)> {
    let (mut options, mut input) = (BTreeMap::new(), None);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if flags.contains(&arg.as_str()) {
            options.insert(arg.clone(), String::new());
        } else if valued.contains(&arg.as_str()) {
            let value = iter
                .next()
                .with_context(|| format!("{arg} needs a value"))?;
            options.insert(arg.clone(), value.clone());
        } else if arg.starts_with("--") {
            bail!("unknown option {arg}");
        } else if input.replace(arg.clone()).is_some() {
            bail!("{more}");
        }
    }
    Ok((options, input))
}

fn verify_bundle(args: &[String]) -> Result<()> {
    let valued = [
        "--bundle",
        "--certificate-identity",
        "--certificate-oidc-issuer",
        "--key",
        "--trusted-root",
    ];
    let (mut options, input) = parse(
        args,
        &valued,
        &["--staging"],
        "more than one artifact given",
    )?;
    let bundle_path = options.remove("--bundle").context("--bundle is required")?;
    let input = Input::parse(&input.context("an artifact or digest is required")?)?;
    let identity = options.remove("--certificate-identity");
    let issuer = options.remove("--certificate-oidc-issuer");
    let policy = match (options.remove("--key"), identity, issuer) {
        (Some(key), None, None) => {
            let pem = read_limited(Path::new(&key), 1024 * 1024)?;
            Policy::key(
                PublicKey::from_pem(&pem)
                    .with_context(|| format!("{key}: not a PEM public key"))?,
            )
        }
        (None, Some(identity), Some(issuer)) => Policy::identity(Identity::new(&identity, &issuer)),
        _ => bail!("give --key, or both --certificate-identity and --certificate-oidc-issuer"),
    };
    let trusted_root = options.get("--trusted-root").map(Path::new);
    let root = load_trusted_root(trusted_root, options.contains_key("--staging"))?;
    let verifier = Verifier::new(&root, VerifierConfig::default())?;
    let bundle = read_bundle(Path::new(&bundle_path))?;
    verify_input(&verifier, &bundle, None, &input, &policy)?;
    Ok(())
}

fn sign_bundle(args: &[String]) -> Result<()> {
    let valued = [
        "--identity-token",
        "--bundle",
        "--trusted-root",
        "--signing-config",
    ];
    let flags = ["--staging", "--in-toto"];
    let (mut options, input) = parse(args, &valued, &flags, "more than one file given")?;
    let out = PathBuf::from(options.remove("--bundle").context("--bundle is required")?);
    let input = PathBuf::from(input.context("a file to sign is required")?);
    let token = sign::resolve_token(options.get("--identity-token").map(String::as_str))?;
    let http = sign::http_config()?;
    let (payload, inputs) = if options.contains_key("--in-toto") {
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
        trusted_root: options.remove("--trusted-root").map(PathBuf::from),
        signing_config: options.remove("--signing-config").map(PathBuf::from),
        staging: options.contains_key("--staging"),
    })?;
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
