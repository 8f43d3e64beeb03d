//! SPIFFE ambient credentials: a JWT-SVID with audience `sigstore` from the SPIFFE Workload
//! API (`SpiffeWorkloadAPI/FetchJWTSVID`), gRPC over the Unix domain socket that
//! `SPIFFE_ENDPOINT_SOCKET` names.
//!
//! The few protobuf messages and the gRPC framing are encoded and decoded here by hand:
//! lengths are bounded, malformed input is an error (never a panic), unknown fields are
//! skipped as protobuf requires. Only `unix:` endpoints are supported, and only on Unix;
//! elsewhere the provider is never detected.
//!
//! Detection: `SPIFFE_ENDPOINT_SOCKET` unset or empty, or naming a path where nothing
//! exists, means no SPIFFE environment (`Ok(None)`, as cosign treats a missing socket). A
//! value that is not a usable `unix:` URI, a socket that refuses the connection, an error
//! status, a timeout or a response without a JWT-SVID is an error.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

use crate::env::{non_empty, Env};
use crate::{AmbientConfig, Error, Provider};

/// The environment variable naming the Workload API endpoint (SPIFFE Workload Endpoint §4).
pub(crate) const SOCKET_VARIABLE: &str = "SPIFFE_ENDPOINT_SOCKET";
/// The gRPC method path of `FetchJWTSVID`.
pub(crate) const FETCH_JWT_SVID_PATH: &str = "/SpiffeWorkloadAPI/FetchJWTSVID";
/// The security metadata every Workload API request carries (SPIFFE Workload Endpoint §3).
pub(crate) const SECURITY_HEADER: &str = "workload.spiffe.io";
/// Largest gRPC response message accepted, in bytes (a JWT-SVID is at most
/// [`crate::MAX_TOKEN_LEN`]; a workload entitled to several identities gets several).
pub(crate) const MAX_MESSAGE_LEN: usize = 1024 * 1024;
/// Most characters of a server's `grpc-message` kept in an error.
const MAX_STATUS_MESSAGE_CHARS: usize = 256;
/// Largest response header block accepted, in bytes.
#[cfg(unix)]
const MAX_HEADER_LIST_SIZE: u32 = 16 * 1024;

const PROVIDER: Provider = Provider::Spiffe;

/// Without Unix domain sockets there is no SPIFFE environment.
#[cfg(not(unix))]
pub(crate) async fn spiffe(
    _env: &dyn Env,
    _config: &AmbientConfig,
) -> Result<Option<String>, Error> {
    Ok(None)
}

/// Fetches a JWT-SVID for audience `sigstore`, or `Ok(None)` when there is no SPIFFE
/// environment.
#[cfg(unix)]
pub(crate) async fn spiffe(env: &dyn Env, config: &AmbientConfig) -> Result<Option<String>, Error> {
    let Some(value) = non_empty(env, SOCKET_VARIABLE) else {
        return Ok(None);
    };
    let endpoint = value.trim();
    let path = endpoint_path(endpoint)?;
    // Nothing at the path (or a dangling link): the variable is set, often image- or
    // cluster-wide, but this workload has no agent, so this is not a SPIFFE environment.
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let fail = |reason: String, source: Option<Box<dyn std::error::Error + Send + Sync>>| {
        Error::WorkloadApi {
            provider: PROVIDER,
            endpoint: endpoint.to_owned(),
            reason,
            source,
        }
    };
    let call = transport::call(&path, config, &fail);
    let (status, message, body) = match tokio::time::timeout(config.timeout, call).await {
        Ok(result) => result?,
        Err(_) => return Err(fail(format!("no answer within {:?}", config.timeout), None)),
    };
    if status != 0 {
        return Err(fail(status_reason(status, message.as_deref()), None));
    }
    let message = grpc_unframe(&body).map_err(bad_response)?;
    let svid = decode_jwt_svid_response(message)
        .map_err(bad_response)?
        .ok_or(bad_response("the response holds no JWT-SVID"))?;
    Ok(Some(svid.svid))
}

fn bad_response(reason: &'static str) -> Error {
    Error::BadResponse {
        provider: PROVIDER,
        reason,
    }
}

/// The socket path of a `unix:` endpoint URI: `unix:///abs/path` or `unix:/abs/path`, no
/// authority, query or fragment (SPIFFE Workload Endpoint §4); percent-escapes are decoded.
fn endpoint_path(value: &str) -> Result<std::path::PathBuf, Error> {
    let invalid = Error::InvalidVariable {
        provider: PROVIDER,
        variable: SOCKET_VARIABLE,
    };
    let Some((scheme, rest)) = value.split_once(':') else {
        return Err(invalid);
    };
    if scheme.eq_ignore_ascii_case("tcp") {
        return Err(Error::WorkloadApi {
            provider: PROVIDER,
            endpoint: value.to_owned(),
            reason: "TCP endpoints are not supported; use a unix: socket".to_owned(),
            source: None,
        });
    }
    if !scheme.eq_ignore_ascii_case("unix") || rest.contains(['?', '#']) {
        return Err(invalid);
    }
    // `unix:///p` has an empty authority; `unix://host/p` has one, which is not allowed.
    let raw = match rest.strip_prefix("//") {
        Some(after) if after.starts_with('/') => after,
        Some(_) => return Err(invalid),
        None => rest,
    };
    let decoded = percent_decode(raw.as_bytes()).ok_or(Error::InvalidVariable {
        provider: PROVIDER,
        variable: SOCKET_VARIABLE,
    })?;
    let path = String::from_utf8(decoded).map_err(|_| Error::InvalidVariable {
        provider: PROVIDER,
        variable: SOCKET_VARIABLE,
    })?;
    if !path.starts_with('/') || path.len() < 2 || path.contains('\0') {
        return Err(Error::InvalidVariable {
            provider: PROVIDER,
            variable: SOCKET_VARIABLE,
        });
    }
    Ok(std::path::PathBuf::from(path))
}

/// Decodes `%XX` escapes; `None` for a malformed escape.
fn percent_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.iter();
    while let Some(&b) = bytes.next() {
        if b == b'%' {
            let hi = hex_digit(*bytes.next()?)?;
            let lo = hex_digit(*bytes.next()?)?;
            out.push((hi << 4) | lo);
        } else {
            out.push(b);
        }
    }
    Some(out)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A gRPC status code with its name, a hint for the codes the Workload Endpoint spec
/// assigns, and the server's (percent-decoded, sanitized, truncated) `grpc-message`.
fn status_reason(code: u32, message: Option<&str>) -> String {
    const NAMES: [&str; 17] = [
        "OK",
        "Cancelled",
        "Unknown",
        "InvalidArgument",
        "DeadlineExceeded",
        "NotFound",
        "AlreadyExists",
        "PermissionDenied",
        "ResourceExhausted",
        "FailedPrecondition",
        "Aborted",
        "OutOfRange",
        "Unimplemented",
        "Internal",
        "Unavailable",
        "DataLoss",
        "Unauthenticated",
    ];
    let name = usize::try_from(code)
        .ok()
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or("unknown code");
    let hint = match code {
        3 => "; the endpoint rejected the request (missing security header?)",
        7 => "; this workload has no SPIFFE identity registered yet",
        12 => "; the endpoint does not serve JWT-SVIDs",
        14 => "; the agent is starting or overloaded, retry later",
        _ => "",
    };
    let detail = message
        .map(sanitize_status_message)
        .filter(|m| !m.is_empty())
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    format!("gRPC status {code} ({name}){detail}{hint}")
}

fn sanitize_status_message(raw: &str) -> String {
    let decoded = percent_decode(raw.as_bytes()).unwrap_or_else(|| raw.as_bytes().to_vec());
    String::from_utf8_lossy(&decoded)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_STATUS_MESSAGE_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

// ---------------------------------------------------------------------------------------
// gRPC framing and protobuf.
// ---------------------------------------------------------------------------------------

/// One length-prefixed gRPC message: flag 0 (uncompressed), 4-byte big-endian length.
pub(crate) fn grpc_frame(message: &[u8]) -> Result<Vec<u8>, &'static str> {
    let len = u32::try_from(message.len()).map_err(|_| "message too large")?;
    let mut out = Vec::with_capacity(message.len().saturating_add(5));
    out.push(0);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(message);
    Ok(out)
}

/// The single message of a unary gRPC response body.
pub(crate) fn grpc_unframe(body: &[u8]) -> Result<&[u8], &'static str> {
    let (&flag, rest) = body.split_first().ok_or("no response message")?;
    match flag {
        0 => {}
        1 => return Err("the response message is compressed"),
        _ => return Err("bad gRPC message flag"),
    }
    let (len, message) = rest
        .split_first_chunk::<4>()
        .ok_or("truncated gRPC frame")?;
    let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| "gRPC message too large")?;
    if len > MAX_MESSAGE_LEN {
        return Err("gRPC message too large");
    }
    match message.len().cmp(&len) {
        core::cmp::Ordering::Less => Err("truncated gRPC message"),
        core::cmp::Ordering::Greater => Err("more than one gRPC message"),
        core::cmp::Ordering::Equal => Ok(message),
    }
}

/// `JWTSVIDRequest { repeated string audience = 1; string spiffe_id = 2; }` with one
/// audience and no SPIFFE ID (any identity of the workload).
pub(crate) fn encode_jwt_svid_request(audience: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(audience.len().saturating_add(12));
    encode_varint(&mut out, (1 << 3) | 2);
    encode_varint(&mut out, audience.len() as u64);
    out.extend_from_slice(audience.as_bytes());
    out
}

fn encode_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// `JWTSVID { string spiffe_id = 1; string svid = 2; ... }`. `Debug` hides the token.
pub(crate) struct JwtSvid {
    /// The SPIFFE ID the token is for.
    pub(crate) spiffe_id: String,
    /// The JWT (a secret).
    pub(crate) svid: String,
}

impl core::fmt::Debug for JwtSvid {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("JwtSvid")
            .field("spiffe_id", &self.spiffe_id)
            .finish_non_exhaustive()
    }
}

/// Decodes `JWTSVIDResponse { repeated JWTSVID svids = 1; }` completely (any malformed
/// part is an error) and returns its first SVID.
pub(crate) fn decode_jwt_svid_response(message: &[u8]) -> Result<Option<JwtSvid>, &'static str> {
    let mut reader = Reader::new(message);
    let mut first = None;
    while let Some((number, value)) = reader.field()? {
        if number != 1 {
            continue;
        }
        let Value::Bytes(bytes) = value else {
            return Err("svids has the wrong wire type");
        };
        let svid = decode_jwt_svid(bytes)?;
        if first.is_none() {
            first = Some(svid);
        }
    }
    Ok(first)
}

fn decode_jwt_svid(message: &[u8]) -> Result<JwtSvid, &'static str> {
    let mut reader = Reader::new(message);
    let mut svid = JwtSvid {
        spiffe_id: String::new(),
        svid: String::new(),
    };
    while let Some((number, value)) = reader.field()? {
        let target = match number {
            1 => &mut svid.spiffe_id,
            2 => &mut svid.svid,
            _ => continue,
        };
        let Value::Bytes(bytes) = value else {
            return Err("a JWTSVID string has the wrong wire type");
        };
        // proto3: the last occurrence of a singular field wins.
        *target = core::str::from_utf8(bytes)
            .map_err(|_| "a JWTSVID string is not UTF-8")?
            .to_owned();
    }
    Ok(svid)
}

/// A decoded protobuf field value (groups are not accepted).
enum Value<'a> {
    Varint,
    Fixed,
    Bytes(&'a [u8]),
}

/// A bounds-checked protobuf wire-format reader.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self { rest: buf }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if n > self.rest.len() {
            return Err("truncated protobuf field");
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(taken)
    }

    fn varint(&mut self) -> Result<u64, &'static str> {
        let mut value = 0u64;
        for i in 0..10 {
            let (&byte, rest) = self.rest.split_first().ok_or("truncated varint")?;
            self.rest = rest;
            if i == 9 && byte > 1 {
                return Err("varint overflows 64 bits");
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint longer than 10 bytes")
    }

    /// The next field's number and value, or `None` at the end.
    fn field(&mut self) -> Result<Option<(u64, Value<'a>)>, &'static str> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 || number > (1 << 29) - 1 {
            return Err("bad protobuf field number");
        }
        let value = match key & 7 {
            0 => {
                self.varint()?;
                Value::Varint
            }
            1 => {
                self.take(8)?;
                Value::Fixed
            }
            2 => {
                let len = self.varint()?;
                let len = usize::try_from(len).map_err(|_| "truncated protobuf field")?;
                Value::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Value::Fixed
            }
            _ => return Err("unsupported protobuf wire type"),
        };
        Ok(Some((number, value)))
    }
}

// ---------------------------------------------------------------------------------------
// Transport: HTTP/2 over the Unix socket.
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
mod transport {
    use std::path::Path;

    use http_body_util::{BodyExt as _, Full};
    use hyper::body::Bytes;
    use hyper::header::{HeaderMap, CONTENT_TYPE, TE, USER_AGENT};
    use hyper_util::rt::{TokioExecutor, TokioIo};

    use super::{
        encode_jwt_svid_request, grpc_frame, FETCH_JWT_SVID_PATH, MAX_HEADER_LIST_SIZE,
        MAX_MESSAGE_LEN, SECURITY_HEADER,
    };
    use crate::{AmbientConfig, Error, SIGSTORE_AUDIENCE};

    type Source = Option<Box<dyn std::error::Error + Send + Sync>>;

    /// The outcome of a call: gRPC status code, `grpc-message`, response body.
    pub(super) type Outcome = (u32, Option<String>, Vec<u8>);

    /// Connects to `path`, calls `FetchJWTSVID` and reads the whole response (the caller
    /// applies the timeout).
    pub(super) async fn call(
        path: &Path,
        config: &AmbientConfig,
        fail: &dyn Fn(String, Source) -> Error,
    ) -> Result<Outcome, Error> {
        let connect = tokio::net::UnixStream::connect(path);
        let stream = match tokio::time::timeout(config.http.connect_timeout, connect).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return Err(fail("cannot connect to the socket".into(), Some(e.into()))),
            Err(_) => return Err(fail("connecting timed out".into(), None)),
        };
        let (mut sender, connection) =
            hyper::client::conn::http2::Builder::new(TokioExecutor::new())
                .max_header_list_size(MAX_HEADER_LIST_SIZE)
                .handshake::<_, Full<Bytes>>(TokioIo::new(stream))
                .await
                .map_err(|e| fail("HTTP/2 handshake failed".into(), Some(e.into())))?;
        let exchange = async move {
            let frame = grpc_frame(&encode_jwt_svid_request(SIGSTORE_AUDIENCE))
                .map_err(|reason| fail(reason.into(), None))?;
            let request = hyper::Request::post(format!("http://localhost{FETCH_JWT_SVID_PATH}"))
                .header(CONTENT_TYPE, "application/grpc")
                .header(TE, "trailers")
                .header(USER_AGENT, config.http.user_agent.as_str())
                .header(SECURITY_HEADER, "true")
                .body(Full::new(Bytes::from(frame)))
                .map_err(|e| fail("cannot build the request".into(), Some(e.into())))?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| fail("the request failed".into(), Some(e.into())))?;
            read_response(response, fail).await
        };
        tokio::pin!(connection, exchange);
        // Drive the connection while the exchange runs; once the connection ends, the
        // exchange finishes with what arrived or fails.
        tokio::select! {
            outcome = &mut exchange => return outcome,
            _ = &mut connection => {}
        }
        exchange.await
    }

    async fn read_response(
        response: hyper::Response<hyper::body::Incoming>,
        fail: &dyn Fn(String, Source) -> Error,
    ) -> Result<Outcome, Error> {
        let status = response.status();
        if status != hyper::StatusCode::OK {
            return Err(fail(format!("HTTP status {}", status.as_u16()), None));
        }
        let (parts, mut body) = response.into_parts();
        let grpc = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v == "application/grpc"
                    || v.starts_with("application/grpc+")
                    || v.starts_with("application/grpc;")
            });
        if !grpc {
            return Err(fail("the response is not gRPC".into(), None));
        }
        let mut data = Vec::new();
        let mut trailers = None;
        while let Some(frame) = body.frame().await {
            let frame =
                frame.map_err(|e| fail("reading the response failed".into(), Some(e.into())))?;
            match frame.into_data() {
                Ok(chunk) => {
                    if data.len().saturating_add(chunk.len()) > MAX_MESSAGE_LEN.saturating_add(5) {
                        return Err(fail(
                            format!("the response exceeds {MAX_MESSAGE_LEN} bytes"),
                            None,
                        ));
                    }
                    data.extend_from_slice(&chunk);
                }
                Err(frame) => {
                    if let Ok(map) = frame.into_trailers() {
                        trailers = Some(map);
                    }
                }
            }
        }
        // A trailers-only response carries the status in its headers.
        let status_from = trailers.as_ref().unwrap_or(&parts.headers);
        let code = grpc_status(status_from)
            .or_else(|| grpc_status(&parts.headers))
            .ok_or_else(|| fail("the response has no valid grpc-status".into(), None))?;
        let message = [trailers.as_ref(), Some(&parts.headers)]
            .into_iter()
            .flatten()
            .find_map(|map| map.get("grpc-message"))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        Ok((code, message, data))
    }

    fn grpc_status(map: &HeaderMap) -> Option<u32> {
        let value = map.get("grpc-status")?.to_str().ok()?;
        if value.is_empty() || value.len() > 9 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        value.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(value: u64) -> Vec<u8> {
        let mut out = Vec::new();
        encode_varint(&mut out, value);
        out
    }

    fn string_field(number: u64, value: &[u8]) -> Vec<u8> {
        let mut out = varint(number << 3 | 2);
        out.extend(varint(value.len() as u64));
        out.extend_from_slice(value);
        out
    }

    fn svid(id: &str, token: &str) -> Vec<u8> {
        let mut inner = string_field(1, id.as_bytes());
        inner.extend(string_field(2, token.as_bytes()));
        inner.extend(string_field(3, b"hint"));
        string_field(1, &inner)
    }

    #[test]
    fn request_encoding() {
        assert_eq!(
            encode_jwt_svid_request("sigstore"),
            b"\x0a\x08sigstore".to_vec()
        );
        assert_eq!(
            grpc_frame(b"abc").unwrap(),
            b"\x00\x00\x00\x00\x03abc".to_vec()
        );
        assert_eq!(varint(300), vec![0xac, 0x02]);
        assert_eq!(varint(u64::MAX).len(), 10);
    }

    #[test]
    fn response_decoding() {
        let mut message = svid("spiffe://example.org/a", "a.b.c");
        message.extend(svid("spiffe://example.org/b", "d.e.f"));
        // Unknown fields of every wire type are skipped.
        message.extend(varint(9 << 3));
        message.extend(varint(u64::MAX));
        message.extend(varint(10 << 3 | 1));
        message.extend([0; 8]);
        message.extend(varint(11 << 3 | 5));
        message.extend([0; 4]);
        message.extend(string_field(12, b"x"));
        let first = decode_jwt_svid_response(&message).unwrap().unwrap();
        assert_eq!(first.spiffe_id, "spiffe://example.org/a");
        assert_eq!(first.svid, "a.b.c");
        assert!(!format!("{first:?}").contains("a.b.c"));
        assert!(decode_jwt_svid_response(&[]).unwrap().is_none());
    }

    #[test]
    fn malformed_responses() {
        let cases: [(&[u8], &str); 10] = [
            (b"\x0a", "truncated varint"),
            (b"\x0a\x05ab", "truncated protobuf field"),
            (b"\x08\x01", "svids has the wrong wire type"),
            (b"\x0b", "unsupported protobuf wire type"),
            (b"\x0e", "unsupported protobuf wire type"),
            (b"\x02\x00", "bad protobuf field number"),
            (
                b"\x0a\x02\x10\x01",
                "a JWTSVID string has the wrong wire type",
            ),
            (b"\x0a\x03\x12\x01\xff", "a JWTSVID string is not UTF-8"),
            (
                b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
                "truncated protobuf field",
            ),
            (
                b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02",
                "varint overflows 64 bits",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                decode_jwt_svid_response(input).err(),
                Some(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn unframing() {
        assert_eq!(grpc_unframe(b"\x00\x00\x00\x00\x02ab"), Ok(&b"ab"[..]));
        assert_eq!(grpc_unframe(b"\x00\x00\x00\x00\x00"), Ok(&b""[..]));
        assert_eq!(grpc_unframe(b""), Err("no response message"));
        assert_eq!(grpc_unframe(b"\x00\x00\x00"), Err("truncated gRPC frame"));
        assert_eq!(
            grpc_unframe(b"\x01\x00\x00\x00\x00"),
            Err("the response message is compressed")
        );
        assert_eq!(
            grpc_unframe(b"\x02\x00\x00\x00\x00"),
            Err("bad gRPC message flag")
        );
        assert_eq!(
            grpc_unframe(b"\x00\x00\x00\x00\x03ab"),
            Err("truncated gRPC message")
        );
        assert_eq!(
            grpc_unframe(b"\x00\x00\x00\x00\x01ab"),
            Err("more than one gRPC message")
        );
        assert_eq!(
            grpc_unframe(b"\x00\xff\xff\xff\xff"),
            Err("gRPC message too large")
        );
    }

    /// xorshift64*: deterministic pseudo-random bytes without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Random byte strings, and random mutations (flips, truncations, insertions) of a
    /// valid response, never panic the decoder; a summary line counts the outcomes.
    #[test]
    fn random_input_never_panics() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut valid = svid("spiffe://example.org/w", "a.b.c");
        valid.extend(svid("spiffe://example.org/v", "d.e.f"));
        let (mut ok, mut rejected) = (0u32, 0u32);
        for round in 0..200_000 {
            let input: Vec<u8> = if round % 2 == 0 {
                let len = rng.below(48);
                (0..len).map(|_| rng.next() as u8).collect()
            } else {
                let mut bytes = valid.clone();
                for _ in 0..=rng.below(3) {
                    match rng.below(3) {
                        0 => {
                            let i = rng.below(bytes.len());
                            if let Some(b) = bytes.get_mut(i) {
                                *b ^= 1 << rng.below(8);
                            }
                        }
                        1 => bytes.truncate(rng.below(bytes.len())),
                        _ => {
                            let i = rng.below(bytes.len() + 1).min(bytes.len());
                            bytes.insert(i, rng.next() as u8);
                        }
                    }
                }
                bytes
            };
            let framed = grpc_frame(&input).unwrap();
            assert_eq!(grpc_unframe(&framed), Ok(&input[..]));
            let _ = grpc_unframe(&input);
            match decode_jwt_svid_response(&input) {
                Ok(_) => ok += 1,
                Err(_) => rejected += 1,
            }
        }
        println!("random protobuf inputs: {ok} decoded, {rejected} rejected, 0 panicked");
        assert_eq!(ok + rejected, 200_000);
        assert!(ok > 0 && rejected > 0);
    }

    #[test]
    fn endpoint_values() {
        let path = |v: &str| endpoint_path(v).ok();
        assert_eq!(
            path("unix:///run/spire/agent.sock"),
            Some("/run/spire/agent.sock".into())
        );
        assert_eq!(path("unix:/run/agent.sock"), Some("/run/agent.sock".into()));
        assert_eq!(path("UNIX:/run/a%20b.sock"), Some("/run/a b.sock".into()));
        for bad in [
            "unix://host/run/agent.sock",
            "unix:relative.sock",
            "unix:",
            "unix:///",
            "unix:///a.sock?x=1",
            "unix:///a.sock#f",
            "unix:///a%zz",
            "unix:///a%00b",
            "/run/agent.sock",
            "http://localhost/x",
        ] {
            assert!(
                matches!(endpoint_path(bad), Err(Error::InvalidVariable { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            endpoint_path("tcp://127.0.0.1:8000"),
            Err(Error::WorkloadApi { .. })
        ));
    }

    #[test]
    fn status_messages() {
        assert_eq!(
            status_reason(7, Some("no%20identity\nissued")),
            "gRPC status 7 (PermissionDenied): no identity issued; this workload has no SPIFFE identity registered yet"
        );
        assert_eq!(status_reason(99, None), "gRPC status 99 (unknown code)");
        let long = "x".repeat(10_000);
        assert!(status_reason(2, Some(&long)).len() < 400);
    }
}
