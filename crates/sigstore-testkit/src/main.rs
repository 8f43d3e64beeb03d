//! `sigstore-testkit serve --dir DIR [--port N] [--trust-issuer URL]...`: runs the testkit's
//! services on 127.0.0.1 until killed, and writes `trusted_root.json`, `signing_config.json`,
//! `signing_config_rekor_v2.json`, `client_trust_config.json` and `token` into DIR (the token
//! is refreshed every five minutes). `GET /stats` on the Fulcio port answers the number of
//! requests each endpoint has received, as JSON keyed by endpoint name (e.g.
//! `{"FulcioSigningCert": 1}`).
//!
//! Each `--trust-issuer URL` makes Fulcio also accept ID tokens from that OpenID provider
//! (email identities, RS256 or ES256), found by OpenID Connect discovery at startup; discovery
//! is retried for up to ten seconds so the provider may still be starting.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use sigstore_testkit::{ExternalIssuer, Testkit, TestkitOptions};

const USAGE: &str = "usage: sigstore-testkit serve --dir DIR [--port N] [--trust-issuer URL]...\n\
  Starts Fulcio (port N), Rekor v1 (N+1), Rekor v2 (N+2), a TSA (N+3) and an OIDC issuer (N+4)\n\
  on 127.0.0.1 (OS-chosen ports when --port is absent or 0) and writes the trust files into DIR.\n\
  --trust-issuer URL (repeatable): Fulcio also accepts ID tokens of this OpenID provider\n\
  (discovered at startup, retried for up to 10 s).";

/// How long discovery of a `--trust-issuer` is retried.
const DISCOVERY_PATIENCE: Duration = Duration::from_secs(10);

struct Args {
    dir: PathBuf,
    port: u16,
    trust_issuers: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut args = args.iter();
    if args.next().map(String::as_str) != Some("serve") {
        return Err(USAGE.into());
    }
    let (mut dir, mut port, mut trust_issuers) = (None, 0u16, Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dir" => dir = args.next().map(PathBuf::from),
            "--trust-issuer" => trust_issuers.push(
                args.next()
                    .filter(|url| !url.is_empty())
                    .cloned()
                    .ok_or("--trust-issuer needs an issuer URL")?,
            ),
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number from 0 to 65535")?
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        dir: dir.ok_or(USAGE)?,
        port,
        trust_issuers,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Args {
        dir,
        port,
        trust_issuers,
    } = match parse(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let mut external_issuers = Vec::new();
        for url in &trust_issuers {
            match ExternalIssuer::discover_with_retry(url, DISCOVERY_PATIENCE).await {
                Ok(issuer) => external_issuers.push(issuer),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        let options = TestkitOptions {
            port,
            external_issuers,
        };
        let testkit = match Testkit::start_with(options).await {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot start the services: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = testkit.write_files(&dir) {
            eprintln!("error: cannot write into {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        let urls = testkit.urls();
        println!("fulcio      {}", urls.fulcio);
        println!("rekor v1    {}", urls.rekor_v1);
        println!("rekor v2    {}", urls.rekor_v2);
        println!("tsa         {}", urls.tsa);
        println!("oidc issuer {}", urls.oidc_issuer);
        for url in &trust_issuers {
            println!("trusted     {url}");
        }
        println!("trust files in {}", dir.display());
        let mut refresh = tokio::time::interval(Duration::from_secs(300));
        refresh.tick().await;
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return ExitCode::SUCCESS,
                _ = refresh.tick() => {
                    if let Err(e) = testkit.write_token(&dir) {
                        eprintln!("warning: cannot refresh the token: {e}");
                    }
                }
            }
        }
    })
}
