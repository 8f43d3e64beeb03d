//! Signing for `sigstore sign`, `sigstore attest` and `sigstore-conformance sign-bundle`:
//! trust material, identity tokens or a managed key ([`load_signing_key`]), output planning
//! and atomic writes. The signing itself is `sigstore-sign`'s.
//!
//! Everything that can fail without the network is checked before any request: outputs that
//! already exist, unreadable inputs, predicates, trust material, service selection and the
//! identity token's claims. Outputs are written only when every input signed, each through a
//! temporary file in its own directory, so a failure leaves no file behind.
//!
//! Hidden environment knobs (for tests): `SIGSTORE_HTTP_RETRIES`, `SIGSTORE_HTTP_TIMEOUT_SECS`,
//! `SIGSTORE_HTTP_BACKOFF_MS` (first wait), `SIGSTORE_HTTP_MAX_BACKOFF_MS` (cap, also for
//! `Retry-After`) and `SIGSTORE_LOGIN_TIMEOUT_SECS` (how long an interactive login waits for
//! the user; default [`sigstore_oidc::DEFAULT_LOGIN_TIMEOUT`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use sigstore_crypto::{Digest, HashAlgorithm};
use sigstore_oidc::ProcessEnv;
pub use sigstore_oidc::{LoginOptions, TokenSource, TOKEN_ENV};
use sigstore_sign::{
    now, ArtifactInput, HttpConfig, IdentityToken, PrivateKey, SignInput, SigningContext,
    SupportedApiVersions,
};
use sigstore_types::{intoto, Bundle, SigningConfig, Statement, TrustedRoot};
use zeroize::Zeroizing;

use crate::{escape_controls, hash_file, read_limited};

/// Most inputs signed at once (each makes TSA and Rekor requests).
pub use sigstore_sign::MAX_CONCURRENT_SIGNINGS;
/// Largest predicate or statement file read, in bytes.
pub const MAX_PREDICATE_FILE: u64 = 16 * 1024 * 1024;
/// The hidden variable setting how long an interactive login waits for the user, in seconds.
pub const LOGIN_TIMEOUT_ENV: &str = "SIGSTORE_LOGIN_TIMEOUT_SECS";
/// The variable holding the passphrase of an encrypted `--key` (never a command-line flag:
/// arguments are visible to other users). Without it, the passphrase is asked for on the
/// terminal.
pub const KEY_PASSPHRASE_ENV: &str = "SIGSTORE_KEY_PASSPHRASE";
/// Largest private key file read, in bytes.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// Reads the managed key of `--key`: PEM PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8
/// (`ENCRYPTED PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`); ECDSA P-256, ECDSA P-384 or Ed25519.
/// An encrypted key's passphrase comes from [`KEY_PASSPHRASE_ENV`], else (when stdin and
/// stderr are a terminal) from a prompt that does not echo; otherwise it is an error saying
/// how to supply it.
pub fn load_signing_key(path: &Path) -> Result<PrivateKey> {
    let pem = Zeroizing::new(read_limited(path, MAX_KEY_FILE)?);
    let context = || format!("{}: cannot use the key", path.display());
    if !PrivateKey::is_encrypted_pem(&pem) {
        return PrivateKey::from_pem(&pem).with_context(context);
    }
    let passphrase = key_passphrase(path)?;
    PrivateKey::from_encrypted_pem(&pem, passphrase.as_bytes()).with_context(context)
}

/// The passphrase of the encrypted key at `path` ([`load_signing_key`]).
fn key_passphrase(path: &Path) -> Result<Zeroizing<String>> {
    use std::io::IsTerminal as _;
    if let Some(value) = std::env::var_os(KEY_PASSPHRASE_ENV) {
        return value
            .into_string()
            .map(Zeroizing::new)
            .map_err(|_| anyhow!("{KEY_PASSPHRASE_ENV} is not valid UTF-8"));
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        bail!(
            "{}: the key is encrypted; set {KEY_PASSPHRASE_ENV} to its passphrase (there is no \
             terminal to ask on)",
            path.display()
        );
    }
    let prompt = format!(
        "Passphrase for {}: ",
        escape_controls(&path.display().to_string())
    );
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .context("cannot read the passphrase from the terminal")
}

/// The line announcing a managed-key signing: the key type, file and hint.
pub fn signing_with_key(path: &Path, key: &PrivateKey) -> String {
    let kind = match key.key_type() {
        sigstore_crypto::KeyType::EcdsaP256 => "ECDSA P-256",
        sigstore_crypto::KeyType::EcdsaP384 => "ECDSA P-384",
        sigstore_crypto::KeyType::Ed25519 => "Ed25519",
        _ => "managed",
    };
    format!(
        "Signing with the {kind} key {} (hint {})",
        escape_controls(&path.display().to_string()),
        sigstore_sign::key_hint(key.public_key())
    )
}

/// A command-line mistake (exit status 2), as opposed to a failure (exit status 1).
#[derive(Debug)]
pub struct UsageError(pub anyhow::Error);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::error_chain(&self.0))
    }
}

impl std::error::Error for UsageError {}

/// Wraps `error` as a [`UsageError`].
pub fn usage(error: anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(UsageError(error))
}

/// The service API versions to select from: every supported one, or only Rekor `version`.
pub fn supported_versions(rekor_version: Option<u32>) -> Result<SupportedApiVersions> {
    let mut supported = SupportedApiVersions::default();
    if let Some(version) = rekor_version {
        if !supported.rekor.contains(&version) {
            return Err(usage(anyhow!(
                "--rekor-version must be 1 or 2, not {version}"
            )));
        }
        supported.rekor = vec![version];
    }
    Ok(supported)
}

pub use sigstore_sign::check_services;

/// The process environment for the hidden knobs; a value that is not UTF-8 is returned as
/// an empty (invalid) setting.
fn env_var(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| value.into_string().unwrap_or_default())
}

/// HTTP settings: the defaults, adjusted by the hidden `SIGSTORE_HTTP_*` variables.
pub fn http_config() -> Result<HttpConfig> {
    HttpConfig::default()
        .with_env_overrides(&env_var)
        .map_err(|e| usage(e.into()))
}

/// How long an interactive login waits for the user: [`LOGIN_TIMEOUT_ENV`] (at least 1 s),
/// else [`sigstore_oidc::DEFAULT_LOGIN_TIMEOUT`].
pub fn login_timeout() -> Result<Duration> {
    let secs =
        sigstore_http::integer_setting(LOGIN_TIMEOUT_ENV, &env_var).map_err(|e| usage(e.into()))?;
    Ok(secs.map_or(sigstore_oidc::DEFAULT_LOGIN_TIMEOUT, |secs| {
        Duration::from_secs(secs.max(1))
    }))
}

/// An error of `sigstore_oidc`'s token lookup: an empty token is a usage error.
fn token_error(error: sigstore_oidc::Error) -> anyhow::Error {
    match error {
        sigstore_oidc::Error::EmptyToken => usage(error.into()),
        error => error.into(),
    }
}

/// The identity token: `arg`, else [`TOKEN_ENV`]; without either, a usage error. For callers
/// that must not log in or detect ambient credentials (the conformance binary).
pub fn resolve_token(arg: Option<&str>) -> Result<String> {
    match sigstore_oidc::resolve_token(arg, &ProcessEnv).map_err(token_error)? {
        Some((token, _)) => Ok(token),
        None => Err(usage(anyhow!(
            "no identity token: pass --identity-token or set {TOKEN_ENV}"
        ))),
    }
}

/// The identity token without `--identity-token`: [`sigstore_oidc::detect_token`] in the
/// process environment. `Ok(None)` when nothing supplies one.
pub fn detect_token(disable_ambient: bool) -> Result<Option<(String, TokenSource)>> {
    let config =
        sigstore_oidc::AmbientConfig::default().with_ambient_providers_disabled(disable_ambient);
    runtime()?
        .block_on(sigstore_oidc::detect_token(&ProcessEnv, &config))
        .map_err(|error| match error {
            sigstore_oidc::Error::EmptyToken => usage(error.into()),
            error => anyhow::Error::new(error)
                .context("cannot get an identity token from the environment"),
        })
}

/// The message for "no identity token anywhere", naming every way to supply one
/// (`--identity-token` too when `has_argument`: the command takes one).
pub fn no_token_message(disable_ambient: bool, has_argument: bool) -> String {
    let ambient = if disable_ambient {
        "ambient credentials were not consulted (--oidc-disable-ambient-providers); \
         only SIGSTORE_ID_TOKEN was"
    } else {
        "no ambient credential was found (GitHub Actions with `id-token: write`, \
         GitLab CI with SIGSTORE_ID_TOKEN, Buildkite, CircleCI, Google Cloud, SPIFFE, \
         SIGSTORE_ID_TOKEN_FILE or SIGSTORE_ID_TOKEN)"
    };
    let explicit = if has_argument {
        format!("pass --identity-token or set {TOKEN_ENV}")
    } else {
        format!("set {TOKEN_ENV}")
    };
    format!(
        "no identity token: {explicit}; {ambient}; and no browser can be opened from here \
         (set BROWSER, or log in with --oidc-device or --oauth-force-oob)"
    )
}

/// The identity token for `sign` and `attest` without logging in: `arg`, else
/// [`detect_token`]. `Ok(None)`: log in interactively ([`login`]).
pub fn resolve_token_or_detect(
    arg: Option<&str>,
    disable_ambient: bool,
) -> Result<Option<(String, TokenSource)>> {
    if arg.is_some() {
        return sigstore_oidc::resolve_token(arg, &ProcessEnv).map_err(token_error);
    }
    detect_token(disable_ambient)
}

/// Fails (naming every way to supply a token) when an interactive login cannot work here:
/// the browser flow with no browser to open and no terminal to show the URL to. Checked
/// before any other work.
pub fn check_login_possible(
    options: &LoginOptions,
    disable_ambient: bool,
    has_argument: bool,
) -> Result<()> {
    use std::io::IsTerminal as _;
    if !options.is_possible(&ProcessEnv, std::io::stderr().is_terminal()) {
        bail!("{}", no_token_message(disable_ambient, has_argument));
    }
    Ok(())
}

/// Logs in at `issuer` (per `options`, with the login timeout and HTTP settings of the
/// hidden environment knobs); the prompts go to stderr. Returns the ID token, checked for
/// issuer, nonce, audience (the client ID) and expiry.
///
/// The runtime is shut down without waiting for the thread reading the out-of-band code
/// ([`sigstore_oidc::StdinLine`]): a login that times out while nobody types returns at
/// once instead of hanging until a newline or EOF.
pub fn login(options: &LoginOptions, issuer: &str) -> Result<String> {
    let mut options = options.clone();
    options.timeout = login_timeout()?;
    options.http = http_config()?;
    let client = options
        .client(issuer)
        .map_err(|e| usage(anyhow::Error::new(e).context("--oidc-issuer / --oidc-client-id")))?;
    let runtime = runtime()?;
    let token = runtime.block_on(options.login(&client, &sigstore_oidc::StderrPrompt, &ProcessEnv));
    // Nothing left on the runtime (a browser command, a connection) may delay the exit.
    runtime.shutdown_background();
    let token = token.with_context(|| {
        format!(
            "{} login at {} failed",
            options.flow().name(),
            escape_controls(issuer)
        )
    })?;
    Ok(token.raw().to_owned())
}

/// Decodes the token's claims (unverified: Fulcio verifies it) and checks that it is meant
/// for the OAuth client `audience` (`--oidc-client-id`, else `sigstore`) and not expired, so
/// that a stale token fails before any request.
pub fn parse_token_for(token: &str, audience: &str) -> Result<IdentityToken> {
    IdentityToken::parse_with_audience(token, audience, now()).context("unusable identity token")
}

/// The line announcing who signs: the identity and issuer, never the token.
pub fn signing_as(token: &IdentityToken) -> String {
    format!(
        "Signing as {} (issuer {})",
        escape_controls(&token.expected_san()),
        escape_controls(token.expected_issuer())
    )
}

pub use sigstore_sign::{OutputOptions, Outputs};

/// The outputs of every input ([`OutputOptions::plan`]); mistakes are usage errors.
pub fn plan_outputs(inputs: &[PathBuf], options: &OutputOptions) -> Result<Vec<Outputs>> {
    options.plan(inputs).map_err(|error| {
        usage(match error {
            sigstore_sign::Error::OutputNeedsOneInput => anyhow!(
                "--bundle, --signature, --certificate and --rekor-bundle take exactly one input"
            ),
            sigstore_sign::Error::BundleWithOutputDirectory => anyhow!(
                "--bundle, --signature, --certificate and --rekor-bundle cannot be combined \
                 with --output-directory"
            ),
            sigstore_sign::Error::BundleWithNoDefaultFiles => {
                anyhow!("--no-default-files may not be combined with --bundle")
            }
            error => error.into(),
        })
    })
}

/// Fails if any output exists (unless `overwrite`; a usage error, exit status 2, as in
/// sigstore-python) or its directory does not.
pub fn check_outputs(plans: &[Outputs], overwrite: bool) -> Result<()> {
    sigstore_sign::check_outputs(plans.iter().flat_map(Outputs::paths), overwrite).map_err(
        |error| match error {
            sigstore_sign::Error::OutputExists { .. } => usage(output_error(error)),
            error => output_error(error),
        },
    )
}

/// An output error, saying how to replace an existing file.
fn output_error(error: sigstore_sign::Error) -> anyhow::Error {
    match error {
        sigstore_sign::Error::OutputExists { path } => anyhow!(
            "{} already exists; pass --overwrite to replace it",
            path.display()
        ),
        error => error.into(),
    }
}

/// The in-toto Statement v1 for `predicate` about `subjects` (name, SHA-256): see
/// [`sigstore_types::intoto::statement_for`]; an empty predicate type is a usage error.
pub fn statement_for(
    subjects: &[(String, Digest)],
    predicate_type: &str,
    predicate: Value,
) -> Result<Statement> {
    if predicate_type.is_empty() {
        return Err(usage(anyhow!("--predicate-type must not be empty")));
    }
    let subjects = subjects
        .iter()
        .map(|(name, digest)| Ok((name.clone(), sha256_bytes(digest)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(intoto::statement_for(&subjects, predicate_type, predicate)?)
}

fn sha256_bytes(digest: &Digest) -> Result<[u8; 32]> {
    digest
        .as_bytes()
        .try_into()
        .context("a statement subject needs a SHA-256 digest")
}

/// Reads a JSON predicate file.
pub fn read_predicate(path: &Path) -> Result<Value> {
    let bytes = read_limited(path, MAX_PREDICATE_FILE)?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not JSON", path.display()))
}

/// Reads a statement file and checks it names every digest in `digests` (SHA-256) and, for
/// SLSA provenance, has the required predicate shape.
pub fn read_statement(path: &Path, digests: &[(PathBuf, Digest)]) -> Result<Statement> {
    let bytes = read_limited(path, MAX_PREDICATE_FILE)?;
    let statement = Statement::from_json(&bytes)
        .with_context(|| format!("{}: invalid in-toto statement", path.display()))?;
    for (file, digest) in digests {
        if !statement.has_sha256_subject(&sha256_bytes(digest)?) {
            bail!(
                "{}: no subject has the SHA-256 digest of {}",
                path.display(),
                file.display()
            );
        }
    }
    statement
        .check_predicate()
        .with_context(|| format!("{}", path.display()))?;
    Ok(statement)
}

/// What to sign for every input.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A message signature over each file.
    Artifacts,
    /// One DSSE-signed statement per file.
    Statements(Vec<Statement>),
}

/// What signs: a certificate for an identity token, or a managed key.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per signing run
pub enum SignWith {
    /// Keyless: the identity token (its claims checked) and the audience it must carry
    /// (`--oidc-client-id`).
    Token {
        /// The identity token.
        token: IdentityToken,
        /// The audience.
        audience: String,
    },
    /// A managed key (`--key`): no token, no Fulcio.
    Key(PrivateKey),
}

/// Everything a signing run needs, checked and ready. Its `Debug` output leaves out the token
/// and the key.
#[derive(Debug)]
pub struct SignPlan {
    /// The inputs and their SHA-256 digests (artifacts are hashed again with a managed key's
    /// hash where it differs).
    pub inputs: Vec<(PathBuf, Digest)>,
    /// Their outputs.
    pub outputs: Vec<Outputs>,
    /// What to sign.
    pub payload: Payload,
    /// Replace existing outputs.
    pub overwrite: bool,
    /// Trust material.
    pub trusted_root: TrustedRoot,
    /// Services.
    pub signing_config: SigningConfig,
    /// Service API versions to select from.
    pub supported: SupportedApiVersions,
    /// What signs.
    pub with: SignWith,
    /// HTTP settings.
    pub http: HttpConfig,
}

/// Hashes every input (streamed) with SHA-256.
pub fn hash_inputs(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, Digest)>> {
    inputs
        .iter()
        .map(|path| {
            if !path.is_file() {
                bail!("{}: not a readable file", path.display());
            }
            Ok((path.clone(), hash_file(path, HashAlgorithm::Sha256)?))
        })
        .collect()
}

/// Signs every input with one certificate (or the managed key), concurrently, then writes all
/// outputs (or none when any input failed). Returns the written paths.
pub async fn execute(plan: SignPlan) -> Result<Vec<PathBuf>> {
    if matches!(plan.with, SignWith::Key(_)) && plan.outputs.iter().any(|o| o.certificate.is_some())
    {
        return Err(usage(anyhow!(
            "--certificate cannot be used with --key (there is no certificate)"
        )));
    }
    let mut context = SigningContext::new(plan.signing_config, plan.trusted_root, plan.http)
        .context("cannot prepare signing")?
        .with_supported_versions(plan.supported);
    if let SignWith::Token { audience, .. } = &plan.with {
        context = context.with_token_audience(audience.clone());
    }
    let (signer, digests) = match plan.with {
        SignWith::Token { token, .. } => {
            let signer = context.signer(token.raw()).await;
            (
                signer.context("cannot get a signing certificate")?,
                plan.inputs,
            )
        }
        SignWith::Key(key) => {
            let algorithm = key.digest_algorithm();
            let digests = match plan.payload {
                Payload::Artifacts if algorithm != HashAlgorithm::Sha256 => plan
                    .inputs
                    .iter()
                    .map(|(path, _)| Ok((path.clone(), hash_file(path, algorithm)?)))
                    .collect::<Result<Vec<_>>>()?,
                _ => plan.inputs,
            };
            let signer = context.signer_with_key(key);
            (signer.context("cannot sign with the key")?, digests)
        }
    };
    // Inputs overlap their network waits, a bounded number at a time; results keep input order.
    let inputs: Vec<SignInput> = match &plan.payload {
        Payload::Artifacts => digests
            .iter()
            .map(|(_, digest)| SignInput::Artifact(ArtifactInput::Digest(*digest)))
            .collect(),
        Payload::Statements(statements) => statements.iter().map(SignInput::Statement).collect(),
    };
    let results = signer.sign_many(&inputs).await;
    let mut bundles = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    for ((path, _), result) in digests.iter().zip(results) {
        match result {
            Ok(bundle) => bundles.push(bundle),
            Err(e) => failures.push(anyhow::Error::new(e).context(format!(
                "signing {}",
                escape_controls(&path.display().to_string())
            ))),
        }
    }
    let total = digests.len();
    let mut failures = failures.into_iter();
    if let Some(first) = failures.next() {
        let rest: Vec<anyhow::Error> = failures.collect();
        if rest.is_empty() && total == 1 {
            return Err(first);
        }
        for other in &rest {
            crate::eprint_line(&format!("error: {}", crate::error_chain(other)));
        }
        return Err(first.context(format!(
            "{} of {total} inputs failed; no output written",
            rest.len() + 1
        )));
    }
    let mut files = Vec::new();
    for (outputs, bundle) in plan.outputs.iter().zip(&bundles) {
        files.extend(render(outputs, bundle)?);
    }
    sigstore_sign::write_all_atomic(&files, plan.overwrite).map_err(output_error)?;
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// The bytes of each requested output for one bundle ([`Outputs::render`]).
fn render(outputs: &Outputs, bundle: &Bundle) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    outputs.render(bundle).map_err(|error| match error {
        sigstore_sign::Error::LegacyOutput(sigstore_types::Error::RekorBundleNeedsPromise) => {
            anyhow!("{error} (use --rekor-version 1)")
        }
        error => error.into(),
    })
}

/// The async runtime the signing commands run on: one thread. The work is waiting on the
/// network, which the inputs overlap; the few signatures are cheap. Without the multi-threaded
/// scheduler the binary also needs no `libm`, which every start would otherwise load.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_timeout_knob() {
        // Unset in the test environment: the library default.
        if std::env::var_os(LOGIN_TIMEOUT_ENV).is_none() {
            assert_eq!(
                login_timeout().unwrap(),
                sigstore_oidc::DEFAULT_LOGIN_TIMEOUT
            );
        }
    }

    #[test]
    fn token_audience_is_checked() {
        use base64::Engine as _;
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let jwt = |aud: &str| {
            let claims = serde_json::json!({
                "iss": "https://issuer.example", "sub": "s", "aud": aud,
                "iat": 1_700_000_000u64, "exp": 4_000_000_000u64,
            });
            format!("{}.{}.c2ln", b64(b"{}"), b64(claims.to_string().as_bytes()))
        };
        assert!(parse_token_for(&jwt("sigstore"), "sigstore").is_ok());
        let err = parse_token_for(&jwt("acme"), "sigstore").unwrap_err();
        assert!(format!("{err:#}").contains("audience"), "{err:#}");
        assert!(parse_token_for(&jwt("acme"), "acme").is_ok());
        assert!(parse_token_for(&jwt("sigstore"), "acme").is_err());
    }

    #[test]
    fn embedded_signing_configs_parse() {
        let production = crate::embedded(false).signing_config().unwrap();
        assert!(production.ca_urls[0].url.contains("fulcio.sigstore.dev"));
        let staging = crate::embedded(true).signing_config().unwrap();
        assert!(staging.ca_urls[0].url.contains("sigstage.dev"));
        // Production has a Rekor v1 log usable now; filtering to an absent version errors.
        let supported = supported_versions(Some(1)).unwrap();
        assert_eq!(check_services(&production, &supported, Some(1)).unwrap(), 1);
        assert!(supported_versions(Some(3)).is_err());
    }

    #[test]
    fn plans_default_directory_and_explicit_outputs() {
        let inputs = vec![PathBuf::from("a.txt"), PathBuf::from("dir/b.txt")];
        let plans = plan_outputs(&inputs, &OutputOptions::default()).unwrap();
        assert_eq!(plans[0].bundle, Some(PathBuf::from("a.txt.sigstore.json")));
        assert_eq!(
            plans[1].bundle,
            Some(PathBuf::from("dir/b.txt.sigstore.json"))
        );
        let options = OutputOptions {
            output_directory: Some(PathBuf::from("out")),
            ..OutputOptions::default()
        };
        let plans = plan_outputs(&inputs, &options).unwrap();
        assert_eq!(
            plans[1].bundle,
            Some(PathBuf::from("out/b.txt.sigstore.json"))
        );
        // Same base name twice into one directory, --bundle with two inputs, no input.
        let clash = vec![PathBuf::from("x/a.txt"), PathBuf::from("y/a.txt")];
        let e = plan_outputs(&clash, &options).unwrap_err();
        assert!(e.is::<UsageError>());
        let bundle = OutputOptions {
            bundle: Some(PathBuf::from("o.json")),
            ..OutputOptions::default()
        };
        assert!(plan_outputs(&inputs, &bundle)
            .unwrap_err()
            .is::<UsageError>());
        assert!(plan_outputs(&[], &bundle).unwrap_err().is::<UsageError>());
        // Detached outputs come with the default bundle unless --no-default-files; an output
        // may not be an input.
        let detached = OutputOptions {
            signature: Some(PathBuf::from("a.sig")),
            ..OutputOptions::default()
        };
        let plans = plan_outputs(&inputs[..1], &detached).unwrap();
        assert_eq!(plans[0].bundle, Some(PathBuf::from("a.txt.sigstore.json")));
        assert_eq!(plans[0].paths().count(), 2);
        let detached = OutputOptions {
            no_default_files: true,
            ..detached
        };
        let plans = plan_outputs(&inputs[..1], &detached).unwrap();
        assert_eq!(plans[0].bundle, None);
        assert_eq!(plans[0].paths().count(), 1);
        let onto_input = OutputOptions {
            bundle: Some(PathBuf::from("a.txt")),
            ..OutputOptions::default()
        };
        assert!(plan_outputs(&inputs[..1], &onto_input).is_err());
    }
}
