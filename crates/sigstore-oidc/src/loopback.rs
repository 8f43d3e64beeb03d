//! The loopback redirect listener of the browser flow (RFC 8252 §7.3): a minimal HTTP/1.1
//! server on 127.0.0.1 that accepts only `GET /callback` and reports the callbacks that carry
//! this login's `state`.
//!
//! Anything on the machine (another process, a web page probing 127.0.0.1) can connect, so
//! the listener must not let a stranger end or stall the login: callbacks with a missing or
//! wrong `state`, or (RFC 9207) another issuer's `iss`, get the failure page and are only
//! counted; accept errors (EMFILE, ECONNABORTED) are waited out; and at most
//! [`MAX_CONNECTIONS`] connections are served at once, the oldest being closed to make room
//! for a new one.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::{AbortHandle, JoinSet};

use crate::oauth::{constant_time_eq, sanitize};
use crate::Error;

/// The redirect path the listener serves.
pub const CALLBACK_PATH: &str = "/callback";
/// Largest request head read from a connection.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Most connections served at once.
const MAX_CONNECTIONS: usize = 16;
/// The pause after a failed `accept` (e.g. out of file descriptors) before the next one.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

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

/// How many callbacks the listener answered with the failure page without reporting them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Rejected {
    /// Callbacks with a missing, repeated or wrong `state`.
    pub(crate) wrong_state: u64,
    /// Callbacks with this login's `state` but a missing (when required) or foreign `iss`.
    pub(crate) wrong_issuer: u64,
}

impl Rejected {
    /// Whether any callback was rejected.
    pub(crate) fn any(self) -> bool {
        self.wrong_state > 0 || self.wrong_issuer > 0
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

    /// Serves until the returned handle is dropped. Each `GET /callback` is checked against
    /// `expected`: those with this login's `state` (and an acceptable `iss`) are reported
    /// through the handle; the others get the failure page and are only counted.
    pub(crate) fn serve(self, expected: Expected) -> Callbacks {
        let (sender, receiver) = mpsc::channel(8);
        let (rejected_sender, rejected) = watch::channel(Rejected::default());
        let shared = Arc::new(Shared {
            expected,
            callbacks: sender,
            rejected: rejected_sender,
        });
        let task = tokio::spawn(accept_loop(self.listener, shared));
        Callbacks {
            receiver,
            rejected,
            task,
        }
    }
}

/// What every connection task needs.
struct Shared {
    expected: Expected,
    callbacks: mpsc::Sender<Callback>,
    rejected: watch::Sender<Rejected>,
}

/// Accepts connections until aborted: at most [`MAX_CONNECTIONS`] are served at once (the
/// oldest is closed when a new one arrives at the cap), and a failed `accept` is retried
/// after [`ACCEPT_RETRY`].
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    // Dropping the set (when the task is aborted) aborts every open connection.
    let mut connections = JoinSet::new();
    let mut open: VecDeque<AbortHandle> = VecDeque::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_RETRY).await;
                continue;
            }
        };
        // Reap finished connection tasks.
        while connections.try_join_next().is_some() {}
        open.retain(|handle| !handle.is_finished());
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                // At the cap: close the oldest connection (most likely an idle one) and take
                // its place once its task is gone.
                if let Some(oldest) = open.pop_front() {
                    oldest.abort();
                }
                match Arc::clone(&permits).acquire_owned().await {
                    Ok(permit) => permit,
                    Err(_) => return,
                }
            }
        };
        let shared = Arc::clone(&shared);
        let connection = connections.spawn(async move {
            let _permit = permit;
            handle(stream, &shared).await;
        });
        open.push_back(connection);
    }
}

/// What [`Callbacks::next`] saw.
pub(crate) enum Event {
    /// A callback with this login's `state`; `None` if the server stopped.
    Callback(Option<Callback>),
    /// A callback was ignored; the counts so far.
    Rejected(Rejected),
}

/// The callbacks a serving listener received. Dropping it stops the server.
pub(crate) struct Callbacks {
    receiver: mpsc::Receiver<Callback>,
    rejected: watch::Receiver<Rejected>,
    task: tokio::task::JoinHandle<()>,
}

impl Callbacks {
    /// The next callback with this login's `state` (`None` if the server stopped), or the new
    /// rejection counts when a callback was ignored.
    pub(crate) async fn next(&mut self) -> Event {
        let rejected = &mut self.rejected;
        tokio::select! {
            callback = self.receiver.recv() => Event::Callback(callback),
            Ok(()) = rejected.changed() => Event::Rejected(*rejected.borrow_and_update()),
        }
    }

    /// The rejection counts so far.
    pub(crate) fn rejected(&self) -> Rejected {
        *self.rejected.borrow()
    }
}

impl Drop for Callbacks {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts open connections.
        self.task.abort();
    }
}

/// Reads one request and answers it. A `GET /callback` with this login's `state` (and an
/// acceptable `iss`) is reported; one without is answered with the failure page and counted.
async fn handle(mut stream: TcpStream, shared: &Shared) {
    let Ok(Some(head)) = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await else {
        return;
    };
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
        return;
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
        return;
    }
    let callback = check(&url, &shared.expected);
    match callback {
        Callback::Code(_) => respond(&mut stream, 200, "OK", "text/html", SUCCESS_PAGE).await,
        _ => respond(&mut stream, 400, "Bad Request", "text/html", FAILURE_PAGE).await,
    }
    match callback {
        // Not from this login's authorization request (or from another issuer): whoever sent
        // it must not be able to end the login.
        Callback::StateMismatch => shared
            .rejected
            .send_modify(|r| r.wrong_state = r.wrong_state.saturating_add(1)),
        Callback::IssuerMismatch => shared
            .rejected
            .send_modify(|r| r.wrong_issuer = r.wrong_issuer.saturating_add(1)),
        callback => {
            // The first one decides; repeats (a reloaded page) are dropped.
            let _ = shared.callbacks.try_send(callback);
        }
    }
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

    /// Whether the server closed `stream` (a read sees EOF or a reset) within 2 s.
    async fn closed(stream: &mut TcpStream) -> bool {
        let mut byte = [0u8; 1];
        matches!(
            tokio::time::timeout(Duration::from_secs(2), stream.read(&mut byte)).await,
            Ok(Ok(0) | Err(_))
        )
    }

    #[tokio::test]
    async fn connections_beyond_the_cap_close_the_oldest() {
        let listener = LoopbackListener::bind().await.expect("bind");
        let port = listener.port;
        let mut callbacks = listener.serve(expected(false));
        let mut streams = Vec::new();
        for _ in 0..MAX_CONNECTIONS + 4 {
            streams.push(
                TcpStream::connect(("127.0.0.1", port))
                    .await
                    .expect("connect"),
            );
        }
        // The four oldest idle connections made room for the newest ones.
        for stream in streams.iter_mut().take(4) {
            assert!(closed(stream).await, "an old idle connection stayed open");
        }
        // The newest connection is served.
        let newest = streams.last_mut().expect("a stream");
        newest
            .write_all(b"GET /callback?code=c&state=s-123 HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut answer = String::new();
        newest.read_to_string(&mut answer).await.expect("read");
        assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
        let event = tokio::time::timeout(Duration::from_secs(5), callbacks.next())
            .await
            .expect("a callback");
        assert!(matches!(event, Event::Callback(Some(Callback::Code(c))) if c == "c"));
        // The connections in between are still open.
        assert!(!closed(&mut streams[4]).await);
    }
}
