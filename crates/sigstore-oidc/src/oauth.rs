//! OAuth 2.0 building blocks the interactive flows share: random values, PKCE, form encoding,
//! a redirect-free form POST with a capped response, OAuth error bodies and text sanitising.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand_core::RngCore as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::Error;

/// Most characters kept from a provider-supplied text (error codes, descriptions, issuers)
/// placed in an error message.
const MAX_PROVIDER_TEXT: usize = 200;

/// 32 random bytes from the operating system, base64url without padding (43 characters): the
/// PKCE `code_verifier` (RFC 7636 §4.1 allows 43 to 128), `state` and `nonce`.
pub(crate) fn random_value() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    rand_core::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| Error::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The S256 `code_challenge` of `verifier`: base64url-no-pad(SHA-256(verifier)).
pub(crate) fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Compares two byte strings in time independent of where they differ (lengths are not
/// secret).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// `application/x-www-form-urlencoded` encoding of `pairs` (WHATWG URL §5.2).
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(name, &mut out);
        out.push('=');
        encode_component(value, &mut out);
    }
    out
}

/// One form-encoded component (a name or a value).
pub(crate) fn form_component(text: &str) -> String {
    let mut out = String::new();
    encode_component(text, &mut out);
    out
}

fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
    }
}

/// Provider-supplied text made safe for a terminal and bounded: control characters are
/// dropped and at most [`MAX_PROVIDER_TEXT`] characters kept.
pub(crate) fn sanitize(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let mut chars = clean.chars();
    let kept: String = chars.by_ref().take(MAX_PROVIDER_TEXT).collect();
    if chars.next().is_some() {
        format!("{kept}…")
    } else {
        kept
    }
}

/// An OAuth error (RFC 6749 §5.2): `error` and optional `error_description`, sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub(crate) error: String,
    pub(crate) description: Option<String>,
}

/// The OAuth error in a JSON error body, if it is one.
pub(crate) fn oauth_error(body: &[u8]) -> Option<OAuthError> {
    let Value::Object(map) = serde_json::from_slice::<Value>(body).ok()? else {
        return None;
    };
    let error = map.get("error")?.as_str()?;
    let description = map
        .get("error_description")
        .and_then(Value::as_str)
        .filter(|d| !d.trim().is_empty())
        .map(sanitize);
    Some(OAuthError {
        error: sanitize(error),
        description,
    })
}

/// A response to a form POST, read within the size cap.
pub(crate) struct FormResponse {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

impl FormResponse {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// POSTs `body` (form-encoded) to `url`, with an optional `Authorization` header value.
/// The client follows no redirects (the body holds codes and secrets) and does not retry (an
/// authorization code is single-use). Errors never include the body.
pub(crate) async fn post_form(
    client: &reqwest::Client,
    url: &str,
    body: String,
    authorization: Option<String>,
    limit: usize,
) -> Result<FormResponse, sigstore_http::Error> {
    let transport = |source: reqwest::Error| {
        if source.is_timeout() {
            sigstore_http::Error::Timeout {
                url: url.to_owned(),
            }
        } else {
            sigstore_http::Error::Transport {
                url: url.to_owned(),
                source,
            }
        }
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| sigstore_http::Error::InvalidUrl {
        url: url.to_owned(),
    })?;
    let mut request = client
        .post(parsed)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body);
    if let Some(value) = authorization {
        let mut value = reqwest::header::HeaderValue::from_str(&value).map_err(|_| {
            sigstore_http::Error::InvalidUrl {
                url: url.to_owned(),
            }
        })?;
        value.set_sensitive(true);
        request = request.header(reqwest::header::AUTHORIZATION, value);
    }
    let mut response = request.send().await.map_err(transport)?;
    let too_large = || sigstore_http::Error::ResponseTooLarge {
        url: url.to_owned(),
        limit,
    };
    if response
        .content_length()
        .is_some_and(|len| len > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Err(too_large());
    }
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(FormResponse { status, body })
}

/// Whether `url` may carry OAuth traffic: `https`, or `http` to a loopback host.
pub(crate) fn is_secure_url(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => url.host_str().is_some_and(is_loopback_host),
        _ => false,
    }
}

/// `localhost` or a loopback IP address (IPv6 in brackets, as URLs write it).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc7636_appendix_b() {
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_values_are_distinct_and_verifier_sized() {
        let a = random_value().expect("random");
        let b = random_value().expect("random");
        assert_ne!(a, b);
        assert!((43..=128).contains(&a.len()), "{}", a.len());
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn form_encoding() {
        assert_eq!(
            form_encode(&[
                ("scope", "openid email"),
                ("r", "http://127.0.0.1:8/cb?x=1&y")
            ]),
            "scope=openid+email&r=http%3A%2F%2F127.0.0.1%3A8%2Fcb%3Fx%3D1%26y"
        );
        assert_eq!(form_encode(&[("a", "é~")]), "a=%C3%A9%7E");
        assert_eq!(form_encode(&[]), "");
    }

    #[test]
    fn oauth_error_bodies() {
        let e = oauth_error(
            br#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#,
        )
        .expect("oauth error");
        assert_eq!(e.error, "invalid_grant");
        assert_eq!(e.description.as_deref(), Some("grant request is invalid"));
        let e = oauth_error(br#"{"error":"x\u001b[31m","error_description":""}"#).expect("e");
        assert_eq!(e.error, "x[31m");
        assert_eq!(e.description, None);
        for bad in [&b"<html>"[..], b"[]", br#"{"error":3}"#, br#"{"e":"x"}"#] {
            assert!(oauth_error(bad).is_none());
        }
        assert_eq!(sanitize(&"a".repeat(500)).chars().count(), 201);
    }

    #[test]
    fn secure_urls() {
        for ok in [
            "https://oauth2.sigstore.dev/auth",
            "http://127.0.0.1:19090",
            "http://localhost/x",
            "http://[::1]:8/",
            "http://127.8.9.10/",
        ] {
            assert!(
                is_secure_url(&reqwest::Url::parse(ok).expect("url")),
                "{ok}"
            );
        }
        for bad in [
            "http://example.com/",
            "http://10.0.0.1/",
            "ftp://x/",
            "file:///etc/passwd",
            "http://localhost.evil.example/",
        ] {
            assert!(
                !is_secure_url(&reqwest::Url::parse(bad).expect("url")),
                "{bad}"
            );
        }
    }
}
