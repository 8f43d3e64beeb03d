//! Verify a file against Sigstore's production instance and a signer identity: the Rust
//! counterpart of sigstore-python's
//! `Verifier.production().verify_artifact(input, bundle, Identity(identity=..., issuer=...))`.
//!
//! ```text
//! cargo run -p sigstore-verify --features tuf --example verify_file -- \
//!     [--offline] FILE BUNDLE IDENTITY ISSUER
//! ```
//!
//! The trusted root comes over TUF (cached per user); with `--offline`, from that cache, else
//! the copy compiled into this build. For example, offline, with a conformance case (then with
//! another identity, which is refused):
//!
//! ```text
//! cargo run -p sigstore-verify --features tuf --example verify_file -- --offline \
//!     testdata/conformance/a.txt \
//!     testdata/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json \
//!     https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main \
//!     https://token.actions.githubusercontent.com
//! ```
//!
//! Prints `OK: FILE` and the verification result as JSON and exits 0, or prints
//! `error: <the check that failed>` and exits 1.

use std::process::ExitCode;

use sigstore_verify::{Bundle, Identity, Instance, LoadOptions, Policy, Verifier};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(error.as_ref());
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let offline = args.first().is_some_and(|a| a == "--offline");
    if offline {
        args.remove(0);
    }
    let [file, bundle, identity, issuer] = <[String; 4]>::try_from(args)
        .map_err(|_| "usage: verify_file [--offline] FILE BUNDLE IDENTITY ISSUER")?;

    let verifier = if offline {
        Verifier::for_instance(&Instance::Production, &LoadOptions::offline())?.0
    } else {
        Verifier::production()?
    };
    let bundle = Bundle::from_json(&std::fs::read(bundle)?)?;
    let policy = Policy::identity(Identity::new(&identity, &issuer));
    let result = verifier.verify_reader(&bundle, &mut std::fs::File::open(&file)?, &policy)?;

    println!("OK: {file}");
    println!("{}", serde_json::to_string_pretty(&result)?);
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
