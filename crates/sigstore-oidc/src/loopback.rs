//! The loopback redirect listener of the browser flow (RFC 8252 §7.3): a minimal HTTP/1.1
//! server on 127.0.0.1 that accepts only `GET /callback` and reports the first callback.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::oauth::{constant_time_eq, sanitize};
use crate::Error;

/// The redirect path the listener serves.
pub const CALLBACK_PATH: &str = "/callback";
/// Largest request head read from a connection.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

const SUCCESS_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
<title>Sigstore login</title></head><body><h1>Authentication complete</h1>\
<p>You may close this window and return to the terminal.</p></body></html>";
const FAILURE_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
<title>Sigstore login</title></head><body><h1>Authentication failed</h1>\
<p>Return to the terminal for details.</p></body></html>";

/// What the checks of a callback found.
pub(crate) enum Callback {
    /// The authorization code (a secret).
    Code(String),
    /// The provider redirected with an OAuth error.
    ProviderError {
        error: String,
        description: Option<String>,
    },
    /// `state` is missing, repeated or wrong.
    StateMismatch,
    /// The RFC 9207 `iss` parameter is missing (when required) or names another issuer.
    IssuerMismatch,
    /// The state matched but there is no (single) code.
    MissingCode,
}

impl Callback {
    pub(crate) fn into_code(self, issuer: &str) -> Result<String, Error> {
        match self {
            Self::Code(code) => Ok(code),
            Self::ProviderError { error, description } => {
                Err(Error::AuthorizationDenied { error, description })
            }
            Self::StateMismatch => Err(Error::StateMismatch),
            Self::IssuerMismatch => Err(Error::AuthorizationResponseIssuer {
                expected: issuer.to_owned(),
            }),
            Self::MissingCode => Err(Error::MissingCode),
        }
    }
}

/// What a callback must carry.
pub(crate) struct Expected {
    pub(crate) state: String,
    pub(crate) issuer: String,
    pub(crate) require_iss: bool,
}

/// A bound listener, not yet serving.
pub(crate) struct LoopbackListener {
    listener: TcpListener,
    port: u16,
}

impl LoopbackListener {
    /// Binds 127.0.0.1 on a port the system chooses.
    pub(crate) async fn bind() -> Result<Self, Error> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(Error::Loopback)?;
        let port = listener.local_addr().map_err(Error::Loopback)?.port();
        Ok(Self { listener, port })
    }

    /// `http://127.0.0.1:PORT/callback`.
    pub(crate) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Serves until the returned handle is dropped; each `GET /callback` is checked against
    /// `expected` and reported through the handle.
    pub(crate) fn serve(self, expected: Expected) -> Callbacks {
        let (sender, receiver) = mpsc::channel(8);
        let expected = Arc::new(expected);
        let listener = self.listener;
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let expected = Arc::clone(&expected);
                let sender = sender.clone();
                connections.spawn(async move {
                    if let Some(callback) = handle(stream, &expected).await {
                        let _ = sender.try_send(callback);
                    }
                });
                // Reap finished connection tasks.
                while connections.try_join_next().is_some() {}
            }
        });
        Callbacks { receiver, task }
    }
}

/// The callbacks a serving listener received. Dropping it stops the server.
pub(crate) struct Callbacks {
    receiver: mpsc::Receiver<Callback>,
    task: tokio::task::JoinHandle<()>,
}

impl Callbacks {
    /// The next callback; `None` if the server stopped.
    pub(crate) async fn next(&mut self) -> Option<Callback> {
        self.receiver.recv().await
    }
}

impl Drop for Callbacks {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts open connections.
        self.task.abort();
    }
}

/// Reads one request and answers it; returns the callback if it was `GET /callback`.
async fn handle(mut stream: TcpStream, expected: &Expected) -> Option<Callback> {
    let head = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream))
        .await
        .ok()??;
    let mut words = head.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or("/"),
    );
    let url = reqwest::Url::parse(&format!("http://127.0.0.1{target}"))
        .ok()
        .filter(|_| target.starts_with('/'));
    let Some(url) = url.filter(|u| u.path() == CALLBACK_PATH) else {
        respond(&mut stream, 404, "Not Found", "text/plain", "Not found").await;
        return None;
    };
    if method != "GET" {
        respond(
            &mut stream,
            405,
            "Method Not Allowed",
            "text/plain",
            "Method not allowed",
        )
        .await;
        return None;
    }
    let callback = check(&url, expected);
    match callback {
        Callback::Code(_) => respond(&mut stream, 200, "OK", "text/html", SUCCESS_PAGE).await,
        _ => respond(&mut stream, 400, "Bad Request", "text/html", FAILURE_PAGE).await,
    }
    Some(callback)
}

/// Checks a callback URL: exactly one `state` equal to ours (compared in constant time),
/// then the RFC 9207 `iss`, then an OAuth `error` or exactly one `code`.
fn check(url: &reqwest::Url, expected: &Expected) -> Callback {
    let values = |name: &str| -> Vec<String> {
        url.query_pairs()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .collect()
    };
    let state = values("state");
    let state_ok = matches!(state.as_slice(), [s] if constant_time_eq(s.as_bytes(), expected.state.as_bytes()));
    if !state_ok {
        return Callback::StateMismatch;
    }
    match values("iss").as_slice() {
        [] if !expected.require_iss => {}
        [iss] if *iss == expected.issuer => {}
        _ => return Callback::IssuerMismatch,
    }
    if let Some(error) = values("error").first() {
        return Callback::ProviderError {
            error: sanitize(error),
            description: values("error_description")
                .first()
                .filter(|d| !d.trim().is_empty())
                .map(|d| sanitize(d)),
        };
    }
    match values("code").as_slice() {
        [code] if !code.is_empty() => Callback::Code(code.clone()),
        _ => Callback::MissingCode,
    }
}

/// The request head (up to the blank line), or `None` if it is too large, not UTF-8 or the
/// connection closes first.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.truncate(end);
            return String::from_utf8(buf).ok();
        }
        if buf.len() > MAX_REQUEST_HEAD {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(chunk.get(..n)?);
    }
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    reason: &str,
    content_type: &str,
    body: &str,
) {
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}; charset=utf-8\r\n\
         content-length: {}\r\ncache-control: no-store\r\nreferrer-policy: no-referrer\r\n\
         x-content-type-options: nosniff\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(require_iss: bool) -> Expected {
        Expected {
            state: "s-123".into(),
            issuer: "http://127.0.0.1:1".into(),
            require_iss,
        }
    }

    fn run(query: &str, require_iss: bool) -> Callback {
        let url =
            reqwest::Url::parse(&format!("http://127.0.0.1:9/callback?{query}")).expect("url");
        check(&url, &expected(require_iss))
    }

    #[test]
    fn callback_checks() {
        assert!(matches!(run("code=c&state=s-123", false), Callback::Code(c) if c == "c"));
        assert!(matches!(
            run("code=c&state=s-124", false),
            Callback::StateMismatch
        ));
        assert!(matches!(run("code=c", false), Callback::StateMismatch));
        assert!(matches!(
            run("code=c&state=s-123&state=s-123", false),
            Callback::StateMismatch
        ));
        assert!(matches!(
            run("code=c&state=S-123", false),
            Callback::StateMismatch
        ));
        assert!(matches!(run("state=s-123", false), Callback::MissingCode));
        assert!(matches!(
            run("code=a&code=b&state=s-123", false),
            Callback::MissingCode
        ));
        assert!(matches!(
            run("code=&state=s-123", false),
            Callback::MissingCode
        ));
        // RFC 9207 iss: required when the provider announces it, checked when present.
        assert!(matches!(
            run("code=c&state=s-123", true),
            Callback::IssuerMismatch
        ));
        assert!(matches!(
            run("code=c&state=s-123&iss=http%3A%2F%2F127.0.0.1%3A1", true),
            Callback::Code(_)
        ));
        assert!(matches!(
            run("code=c&state=s-123&iss=http%3A%2F%2Fevil", false),
            Callback::IssuerMismatch
        ));
        // Provider errors, only with our state.
        match run(
            "error=access_denied&error_description=User+said+no&state=s-123",
            false,
        ) {
            Callback::ProviderError { error, description } => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("User said no"));
            }
            _ => panic!("expected a provider error"),
        }
        assert!(matches!(
            run("error=access_denied", false),
            Callback::StateMismatch
        ));
    }
}
