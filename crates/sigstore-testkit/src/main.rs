//! `sigstore-testkit serve --dir DIR [--port N]`: runs the testkit's services on 127.0.0.1
//! until killed, and writes `trusted_root.json`, `signing_config.json`,
//! `signing_config_rekor_v2.json`, `client_trust_config.json` and `token` into DIR (the token
//! is refreshed every five minutes). `GET /stats` on the Fulcio port answers the number of
//! requests each endpoint has received, as JSON keyed by endpoint name (e.g.
//! `{"FulcioSigningCert": 1}`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: sigstore-testkit serve --dir DIR [--port N]\n\
  Starts Fulcio (port N), Rekor v1 (N+1), Rekor v2 (N+2), a TSA (N+3) and an OIDC issuer (N+4)\n\
  on 127.0.0.1 (OS-chosen ports when --port is absent or 0) and writes the trust files into DIR.";

fn parse(args: &[String]) -> Result<(PathBuf, u16), String> {
    let mut args = args.iter();
    if args.next().map(String::as_str) != Some("serve") {
        return Err(USAGE.into());
    }
    let (mut dir, mut port) = (None, 0u16);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dir" => dir = args.next().map(PathBuf::from),
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
    Ok((dir.ok_or(USAGE)?, port))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, port) = match parse(&args) {
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
        let testkit = match sigstore_testkit::Testkit::start_on(port).await {
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
