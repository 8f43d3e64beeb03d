//! Obtaining the identity token a signer uses: given explicitly, from
//! [`TOKEN_ENV`], from an ambient credential, or by an interactive login whose flow and
//! provider [`LoginOptions`] choose.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use sigstore_http::HttpConfig;
use sigstore_types::{SigningConfig, Timestamp};

use crate::{
    detect_ambient, AmbientConfig, BrowserOpener, Env, Error, IdentityToken, LoginPrompt,
    OidcClient, OidcConfig, Provider, DEFAULT_ISSUER, DEFAULT_LOGIN_TIMEOUT,
};

/// The environment variable holding an identity token given explicitly (before ambient
/// detection).
pub const TOKEN_ENV: &str = "SIGSTORE_IDENTITY_TOKEN";
/// Most bytes [`StdinLine`] reads for the out-of-band code, newline included (the flow itself
/// refuses codes over 4 KiB).
pub const MAX_OOB_LINE: u64 = 8 * 1024;

/// Where an identity token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// Given by the caller (a command-line argument).
    Argument,
    /// The [`TOKEN_ENV`] environment variable.
    Environment,
    /// Ambient credential detection (a CI system, a cloud, a token file or
    /// `SIGSTORE_ID_TOKEN`).
    Ambient(Provider),
    /// An interactive login (browser, out-of-band or device flow).
    Login,
}

/// `token` without surrounding whitespace; [`Error::EmptyToken`] when nothing is left.
pub fn non_empty_token(token: &str) -> Result<String, Error> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::EmptyToken);
    }
    Ok(token.to_owned())
}

/// The explicit token: `argument`, else [`TOKEN_ENV`] in `env`; `Ok(None)` when neither is
/// there. No detection, no login.
pub fn resolve_token(
    argument: Option<&str>,
    env: &dyn Env,
) -> Result<Option<(String, TokenSource)>, Error> {
    if let Some(token) = argument {
        return non_empty_token(token).map(|t| Some((t, TokenSource::Argument)));
    }
    match env.var(TOKEN_ENV) {
        Some(token) => non_empty_token(&token).map(|t| Some((t, TokenSource::Environment))),
        None => Ok(None),
    }
}

/// The token without an argument: [`TOKEN_ENV`], else [`detect_ambient`] (with
/// `config.disable_ambient_providers` only `SIGSTORE_ID_TOKEN`). `Ok(None)` when nothing
/// supplies one; an error when a detected environment is present but its token cannot be
/// obtained, or a token is empty.
pub async fn detect_token(
    env: &dyn Env,
    config: &AmbientConfig,
) -> Result<Option<(String, TokenSource)>, Error> {
    if let Some(found) = resolve_token(None, env)? {
        return Ok(Some(found));
    }
    match detect_ambient(env, config).await? {
        None => Ok(None),
        Some(credential) => {
            let provider = credential.provider();
            non_empty_token(&credential.into_token())
                .map(|t| Some((t, TokenSource::Ambient(provider))))
        }
    }
}

/// `argument`, else [`detect_token`]. `Ok(None)`: log in interactively ([`LoginOptions`]).
pub async fn resolve_token_or_detect(
    argument: Option<&str>,
    env: &dyn Env,
    config: &AmbientConfig,
) -> Result<Option<(String, TokenSource)>, Error> {
    match argument {
        Some(_) => resolve_token(argument, env),
        None => detect_token(env, config).await,
    }
}

/// An interactive login flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFlow {
    /// Authorization code with PKCE and a loopback redirect, in a browser.
    Browser,
    /// The user opens the URL anywhere and pastes the code the provider shows.
    OutOfBand,
    /// The device authorization flow (RFC 8628).
    Device,
}

impl LoginFlow {
    /// The flow's name in messages: `browser`, `out-of-band` or `device`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::OutOfBand => "out-of-band",
            Self::Device => "device",
        }
    }
}

/// How to log in when no token was given or found in the environment. Its `Debug` output
/// leaves out the client secret.
#[derive(Clone)]
pub struct LoginOptions {
    /// The provider; `None`: the signing config's, else [`DEFAULT_ISSUER`]
    /// ([`LoginOptions::issuer_for`]).
    pub issuer: Option<String>,
    /// The OAuth client ID.
    pub client_id: String,
    /// The OAuth client secret, for providers that require one (a secret: never printed).
    pub client_secret: Option<String>,
    /// The out-of-band flow instead of the browser flow.
    pub force_oob: bool,
    /// The device flow (takes precedence over `force_oob`).
    pub device: bool,
    /// How long the login waits for the user.
    pub timeout: Duration,
    /// HTTP settings of the provider requests.
    pub http: HttpConfig,
}

impl std::fmt::Debug for LoginOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginOptions")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("force_oob", &self.force_oob)
            .field("device", &self.device)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl LoginOptions {
    /// The browser flow as `client_id` at the default provider, waiting
    /// [`DEFAULT_LOGIN_TIMEOUT`], with default HTTP settings.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            issuer: None,
            client_id: client_id.into(),
            client_secret: None,
            force_oob: false,
            device: false,
            timeout: DEFAULT_LOGIN_TIMEOUT,
            http: HttpConfig::default(),
        }
    }

    /// The flow these options select.
    pub fn flow(&self) -> LoginFlow {
        if self.device {
            LoginFlow::Device
        } else if self.force_oob {
            LoginFlow::OutOfBand
        } else {
            LoginFlow::Browser
        }
    }

    /// Whether the login can work here: the device and out-of-band flows always can; the
    /// browser flow needs a browser to open (`BROWSER` or a platform opener, per `env`) or,
    /// with only a printed URL, `interactive` (a terminal to show it on).
    pub fn is_possible(&self, env: &dyn Env, interactive: bool) -> bool {
        self.flow() != LoginFlow::Browser
            || interactive
            || !BrowserOpener::from_env(env).is_print_only()
    }

    /// The provider to log in at: [`LoginOptions::issuer`], else the first OIDC provider
    /// `signing_config` lists as valid at `now`, else [`DEFAULT_ISSUER`].
    pub fn issuer_for(&self, signing_config: Option<&SigningConfig>, now: Timestamp) -> String {
        if let Some(issuer) = &self.issuer {
            return issuer.clone();
        }
        signing_config
            .and_then(|config| {
                config
                    .oidc_urls
                    .iter()
                    .find(|service| service.valid_for.contains(now))
            })
            .map(|service| service.url.clone())
            .unwrap_or_else(|| DEFAULT_ISSUER.to_owned())
    }

    /// The login client for `issuer` (an error for an unusable issuer URL or client
    /// configuration).
    pub fn client(&self, issuer: &str) -> Result<OidcClient, Error> {
        let config = OidcConfig::new(issuer, &self.client_id)
            .with_client_secret(self.client_secret.clone())
            .with_timeout(self.timeout)
            .with_http(self.http.clone());
        OidcClient::new(config)
    }

    /// Logs in with `client` by the selected flow, prompting through `prompt`; the browser
    /// is chosen from `env`, and the out-of-band code read from standard input
    /// ([`StdinLine`]). Returns the ID token, checked for issuer, nonce, audience (the client
    /// ID) and expiry.
    pub async fn login(
        &self,
        client: &OidcClient,
        prompt: &dyn LoginPrompt,
        env: &dyn Env,
    ) -> Result<IdentityToken, Error> {
        match self.flow() {
            LoginFlow::Device => client.device_login(prompt).await,
            LoginFlow::OutOfBand => client.oob_login(prompt, StdinLine::spawn()?).await,
            LoginFlow::Browser => {
                let opener = BrowserOpener::from_env(env);
                client.browser_login(&opener, prompt).await
            }
        }
    }
}

/// One line of standard input (at most [`MAX_OOB_LINE`] bytes, newline included), read with
/// a blocking read on a thread of its own and handed over through a channel, as an
/// [`tokio::io::AsyncBufRead`] for [`OidcClient::oob_login`].
///
/// Unlike `tokio::io::stdin()`, whose blocking read cannot be cancelled and which a runtime
/// waits for when it shuts down, giving up on this reader (dropping it) leaves only the
/// detached thread blocked, which does not keep the process from exiting.
#[derive(Debug)]
pub struct StdinLine {
    receiver: tokio::sync::oneshot::Receiver<std::io::Result<Vec<u8>>>,
    /// The line once received, and how much of it was consumed.
    line: Option<(Vec<u8>, usize)>,
}

impl StdinLine {
    /// Starts the thread reading the line from standard input.
    pub fn spawn() -> Result<Self, Error> {
        Self::spawn_from(std::io::stdin)
    }

    /// Starts a thread reading one line from what `open` returns (on that thread).
    pub fn spawn_from<R, F>(open: F) -> Result<Self, Error>
    where
        R: std::io::Read,
        F: FnOnce() -> R + Send + 'static,
    {
        use std::io::BufRead as _;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("oob-code-input".to_owned())
            .spawn(move || {
                let mut line = Vec::new();
                let mut input = std::io::BufReader::new(open().take(MAX_OOB_LINE));
                let result = input.read_until(b'\n', &mut line).map(|_| line);
                // The receiver is gone if the login already ended.
                let _ = sender.send(result);
            })
            .map_err(Error::OobInputThread)?;
        Ok(Self {
            receiver,
            line: None,
        })
    }
}

impl tokio::io::AsyncBufRead for StdinLine {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.line.is_none() {
            let received = match std::future::Future::poll(Pin::new(&mut this.receiver), cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(received) => received,
            };
            // A read error is reported once; afterwards the input is at its end.
            this.line = Some((Vec::new(), 0));
            match received {
                Ok(Ok(line)) => this.line = Some((line, 0)),
                Ok(Err(error)) => return Poll::Ready(Err(error)),
                // The thread ended without a line: the end of the input.
                Err(_) => {}
            }
        }
        let rest = match &this.line {
            Some((line, consumed)) => line.get(*consumed..).unwrap_or_default(),
            None => &[],
        };
        Poll::Ready(Ok(rest))
    }

    fn consume(self: Pin<&mut Self>, amount: usize) {
        if let Some((line, consumed)) = &mut self.get_mut().line {
            *consumed = consumed.saturating_add(amount).min(line.len());
        }
    }
}

impl tokio::io::AsyncRead for StdinLine {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        use tokio::io::AsyncBufRead as _;
        let available = match self.as_mut().poll_fill_buf(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Ready(Ok(available)) => available,
        };
        let n = available.len().min(buf.remaining());
        buf.put_slice(available.get(..n).unwrap_or_default());
        self.consume(n);
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn disabled() -> AmbientConfig {
        AmbientConfig::default().with_ambient_providers_disabled(true)
    }

    #[tokio::test]
    async fn token_sources_in_order() {
        let both = env(&[(TOKEN_ENV, " env-token \n"), ("SIGSTORE_ID_TOKEN", "a.b.c")]);
        assert_eq!(
            resolve_token(Some(" arg "), &both).unwrap(),
            Some(("arg".to_owned(), TokenSource::Argument))
        );
        let from_env = Some(("env-token".to_owned(), TokenSource::Environment));
        assert_eq!(resolve_token(None, &both).unwrap(), from_env);
        assert_eq!(detect_token(&both, &disabled()).await.unwrap(), from_env);
        assert_eq!(
            resolve_token_or_detect(Some("arg"), &both, &disabled())
                .await
                .unwrap(),
            Some(("arg".to_owned(), TokenSource::Argument))
        );
        // Without SIGSTORE_IDENTITY_TOKEN, SIGSTORE_ID_TOKEN is still read with ambient
        // providers disabled.
        let ambient = env(&[("SIGSTORE_ID_TOKEN", "a.b.c")]);
        let found = detect_token(&ambient, &disabled()).await.unwrap().unwrap();
        assert_eq!(found.0, "a.b.c");
        assert!(matches!(found.1, TokenSource::Ambient(_)));
        assert_eq!(resolve_token(None, &ambient).unwrap(), None);
        assert_eq!(detect_token(&env(&[]), &disabled()).await.unwrap(), None);
    }

    #[tokio::test]
    async fn empty_tokens_are_refused() {
        assert!(matches!(
            resolve_token(Some("  "), &env(&[])),
            Err(Error::EmptyToken)
        ));
        assert!(matches!(
            detect_token(&env(&[(TOKEN_ENV, "\n")]), &disabled()).await,
            Err(Error::EmptyToken)
        ));
        assert_eq!(Error::EmptyToken.to_string(), "the identity token is empty");
    }

    #[test]
    fn flow_selection_and_possibility() {
        let mut options = LoginOptions::new("sigstore");
        assert_eq!(options.flow(), LoginFlow::Browser);
        // No BROWSER and no graphical session: only a printed URL, which needs a terminal.
        let headless = env(&[("PATH", "")]);
        assert!(!options.is_possible(&headless, false));
        assert!(options.is_possible(&headless, true));
        assert!(options.is_possible(&env(&[("BROWSER", "true")]), false));
        options.force_oob = true;
        assert_eq!(options.flow(), LoginFlow::OutOfBand);
        assert!(options.is_possible(&headless, false));
        options.device = true;
        assert_eq!(options.flow(), LoginFlow::Device);
        assert_eq!(options.flow().name(), "device");
        options.client_secret = Some("hunter2".into());
        assert!(!format!("{options:?}").contains("hunter2"));
    }

    #[test]
    fn issuer_choice() {
        let config = SigningConfig::from_json(
            br#"{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
                 "caUrls":[],"oidcUrls":[
                   {"url":"https://old.example","majorApiVersion":1,
                    "validFor":{"start":"2020-01-01T00:00:00Z","end":"2021-01-01T00:00:00Z"}},
                   {"url":"https://new.example","majorApiVersion":1,
                    "validFor":{"start":"2021-01-01T00:00:00Z"}}],
                 "rekorTlogUrls":[],"tsaUrls":[],
                 "rekorTlogConfig":{"selector":"ANY"},"tsaConfig":{"selector":"ANY"}}"#,
        )
        .unwrap();
        let mut options = LoginOptions::new("sigstore");
        let in_2020 = Timestamp::from_unix(1_590_000_000);
        let in_2025 = Timestamp::from_unix(1_740_000_000);
        assert_eq!(
            options.issuer_for(Some(&config), in_2020),
            "https://old.example"
        );
        assert_eq!(
            options.issuer_for(Some(&config), in_2025),
            "https://new.example"
        );
        assert_eq!(options.issuer_for(None, in_2025), DEFAULT_ISSUER);
        options.issuer = Some("https://given.example".into());
        assert_eq!(
            options.issuer_for(Some(&config), in_2025),
            "https://given.example"
        );
        options.issuer = Some("not a url".into());
        assert!(options.client("not a url").is_err());
    }

    /// A reader that never returns (a terminal nobody types into).
    struct Silent;

    impl std::io::Read for Silent {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            std::thread::sleep(Duration::from_secs(3600));
            Ok(0)
        }
    }

    /// A reader that fails.
    struct Broken;

    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("broken input"))
        }
    }

    #[tokio::test]
    async fn out_of_band_input_on_a_thread() {
        use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _};
        // One line, then the end (what follows the newline is never read).
        let mut input =
            StdinLine::spawn_from(|| std::io::Cursor::new(b"code-1\nmore\n".to_vec())).unwrap();
        let mut line = String::new();
        input.read_line(&mut line).await.unwrap();
        assert_eq!(line, "code-1\n");
        assert_eq!(input.read_line(&mut line).await.unwrap(), 0);
        // The line is capped.
        let long = vec![b'a'; 3 * MAX_OOB_LINE as usize];
        let mut input = StdinLine::spawn_from(move || std::io::Cursor::new(long)).unwrap();
        let mut all = Vec::new();
        input.read_to_end(&mut all).await.unwrap();
        assert_eq!(all.len() as u64, MAX_OOB_LINE);
        // A read error is reported.
        let mut input = StdinLine::spawn_from(|| Broken).unwrap();
        let err = input.read_line(&mut line).await.unwrap_err();
        assert!(err.to_string().contains("broken input"), "{err}");
        // Nobody types: the read can be abandoned; nothing waits for the blocked thread.
        let mut input = StdinLine::spawn_from(|| Silent).unwrap();
        let waited =
            tokio::time::timeout(Duration::from_millis(200), input.read_line(&mut line)).await;
        assert!(waited.is_err());
        drop(input);
    }
}
