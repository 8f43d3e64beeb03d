//! Sign a file keylessly and write its bundle to `FILE.sigstore.json`: the Rust counterpart
//! of `sigstore sign FILE` (sigstore-python's `Signer.sign_artifact`).
//!
//! ```text
//! cargo run -p sigstore-sign --example sign_file -- [INSTANCE] FILE
//!
//! # Production, with a token from the environment:
//! SIGSTORE_IDENTITY_TOKEN=eyJ... cargo run -p sigstore-sign --example sign_file -- a.txt
//! # Staging, or a private instance named by its TUF repository:
//! cargo run -p sigstore-sign --example sign_file -- --staging a.txt
//! cargo run -p sigstore-sign --example sign_file -- --instance https://tuf.example.com a.txt
//! # Trust files of your own (for example those `sigstore-testkit serve` writes):
//! cargo run -p sigstore-sign --example sign_file -- \
//!     --trusted-root trusted_root.json --signing-config signing_config.json a.txt
//! ```
//!
//! The identity token is `$SIGSTORE_IDENTITY_TOKEN`, else one the environment provides (GitHub
//! Actions, GitLab CI, Buildkite, CircleCI, Google Cloud, `SIGSTORE_ID_TOKEN`, ...); this
//! example does not open a browser. Signing needs the network (Fulcio, Rekor, a timestamp
//! authority; the trust material over TUF for an instance). The bundle is verified under the
//! token's identity before it is written, and written whole or not at all; an existing
//! `FILE.sigstore.json` is not replaced. Prints `OK: FILE.sigstore.json` and exits 0, or
//! `error: ...` and exits 1.

use std::path::PathBuf;
use std::process::ExitCode;

use sigstore_oidc::{detect_token, AmbientConfig, ProcessEnv};
use sigstore_sign::{
    write_all_atomic, ArtifactInput, HttpConfig, Instance, SigningConfig, SigningContext,
    TrustedRoot,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: sign_file [--staging | --instance URL | --trusted-root FILE \
                     --signing-config FILE] FILE";

/// Where the trust material comes from.
enum Trust {
    /// A public or private instance, over TUF.
    Instance(Instance),
    /// A trusted root and a signing config from files.
    Files { root: PathBuf, config: PathBuf },
}

fn parse_args() -> Result<(Trust, PathBuf)> {
    let mut args = std::env::args().skip(1);
    let (mut instance, mut root, mut config, mut file) = (None, None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--staging" => instance = Some(Instance::Staging),
            "--instance" => instance = Some(Instance::parse(&args.next().ok_or(USAGE)?)?),
            "--trusted-root" => root = Some(PathBuf::from(args.next().ok_or(USAGE)?)),
            "--signing-config" => config = Some(PathBuf::from(args.next().ok_or(USAGE)?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other if other.starts_with('-') || file.is_some() => return Err(USAGE.into()),
            path => file = Some(PathBuf::from(path)),
        }
    }
    let trust = match (instance, root, config) {
        (instance, None, None) => Trust::Instance(instance.unwrap_or(Instance::Production)),
        (None, Some(root), Some(config)) => Trust::Files { root, config },
        _ => return Err(USAGE.into()),
    };
    Ok((trust, file.ok_or(USAGE)?))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(error.as_ref());
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let (trust, file) = parse_args()?;
    let mut out = file.clone().into_os_string();
    out.push(".sigstore.json");
    let out = PathBuf::from(out);
    if out.exists() {
        return Err(format!("{} exists; not replacing it", out.display()).into());
    }

    // $SIGSTORE_IDENTITY_TOKEN, else ambient credentials.
    let (token, source) = detect_token(&ProcessEnv, &AmbientConfig::default())
        .await?
        .ok_or("no identity token: set SIGSTORE_IDENTITY_TOKEN or run where one is provided")?;
    eprintln!("identity token from {source:?}");

    let context = match trust {
        Trust::Instance(instance) => {
            SigningContext::for_instance(&instance, false, &Default::default())
                .await?
                .0
        }
        Trust::Files { root, config } => SigningContext::new(
            SigningConfig::from_json(&std::fs::read(config)?)?,
            TrustedRoot::from_json(&std::fs::read(root)?)?,
            HttpConfig::default(),
        )?,
    };
    let signer = context.signer(&token).await?;
    eprintln!(
        "signing as {} ({})",
        signer.identity().unwrap_or("no identity"),
        signer.issuer().unwrap_or("no issuer")
    );
    let bundle = signer
        .sign_artifact(ArtifactInput::Bytes(&std::fs::read(&file)?))
        .await?;
    write_all_atomic(&[(out.clone(), bundle.to_json().into_bytes())], false)?;
    println!("OK: {}", out.display());
    Ok(())
}

/// Prints `error: ` and the error with its chain of causes.
fn report(error: &dyn std::error::Error) {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("error: {message}");
}
