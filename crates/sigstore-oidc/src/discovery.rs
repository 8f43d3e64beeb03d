//! OpenID Provider discovery (OpenID Connect Discovery 1.0 §4): the endpoints the interactive
//! flows use, from `{issuer}/.well-known/openid-configuration`.

use serde_json::{Map, Value};

use crate::oauth::{is_secure_url, sanitize};
use crate::Error;

/// The path appended to the issuer for discovery.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The discovery URL of `issuer`: a trailing `/` of the issuer is dropped before
/// [`DISCOVERY_PATH`] is appended (Discovery §4).
pub fn discovery_url(issuer: &str) -> String {
    format!("{}{DISCOVERY_PATH}", issuer.trim_end_matches('/'))
}

/// What the flows need from a provider's OpenID configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`: equal to the configured issuer (checked).
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `device_authorization_endpoint` (RFC 8628), if the provider offers the device flow.
    pub device_authorization_endpoint: Option<String>,
    /// `token_endpoint_auth_methods_supported`; empty when absent (the default is then
    /// `client_secret_basic`).
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207): when true, a browser
    /// redirect without the right `iss` parameter is rejected.
    pub authorization_response_iss_parameter_supported: bool,
}

impl ProviderMetadata {
    /// Reads a discovery document and checks it against the configured `issuer`: its
    /// `issuer` must equal it exactly; the authorization and token endpoints must be present;
    /// every endpoint must be an `https` URL (`http` only on a loopback host); and if the
    /// provider lists `code_challenge_methods_supported`, it must include `S256`.
    pub fn from_json(issuer: &str, body: &[u8]) -> Result<Self, Error> {
        let unusable = |reason: String| Error::Discovery {
            issuer: issuer.to_owned(),
            reason,
        };
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| unusable("the response is not JSON".to_owned()))?;
        let Value::Object(map) = value else {
            return Err(unusable("the response is not a JSON object".to_owned()));
        };
        let found = match map.get("issuer") {
            Some(Value::String(found)) => found,
            Some(_) => return Err(unusable("\"issuer\" is not a string".to_owned())),
            None => return Err(unusable("it has no \"issuer\"".to_owned())),
        };
        if found != issuer {
            return Err(Error::IssuerMismatch {
                expected: issuer.to_owned(),
                found: sanitize(found),
            });
        }
        let endpoint = |name: &'static str| -> Result<Option<String>, Error> {
            match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(url)) => {
                    let parsed = reqwest::Url::parse(url)
                        .map_err(|_| unusable(format!("\"{name}\" is not a URL")))?;
                    if !is_secure_url(&parsed) || parsed.fragment().is_some() {
                        return Err(unusable(format!(
                            "\"{name}\" is not an https URL (http is allowed only on loopback)"
                        )));
                    }
                    Ok(Some(url.clone()))
                }
                Some(_) => Err(unusable(format!("\"{name}\" is not a string"))),
            }
        };
        let required = |name: &'static str| -> Result<String, Error> {
            endpoint(name)?.ok_or_else(|| unusable(format!("it has no \"{name}\"")))
        };
        let authorization_endpoint = required("authorization_endpoint")?;
        let token_endpoint = required("token_endpoint")?;
        let device_authorization_endpoint = endpoint("device_authorization_endpoint")?;
        let token_endpoint_auth_methods_supported =
            string_list(&map, "token_endpoint_auth_methods_supported").map_err(unusable)?;
        let challenge_methods =
            string_list(&map, "code_challenge_methods_supported").map_err(unusable)?;
        if map.contains_key("code_challenge_methods_supported")
            && !challenge_methods.iter().any(|m| m == "S256")
        {
            return Err(unusable(
                "the provider does not support PKCE with S256".to_owned(),
            ));
        }
        let authorization_response_iss_parameter_supported =
            match map.get("authorization_response_iss_parameter_supported") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(unusable(
                        "\"authorization_response_iss_parameter_supported\" is not a boolean"
                            .to_owned(),
                    ))
                }
            };
        Ok(Self {
            issuer: issuer.to_owned(),
            authorization_endpoint,
            token_endpoint,
            device_authorization_endpoint,
            token_endpoint_auth_methods_supported,
            authorization_response_iss_parameter_supported,
        })
    }
}

/// An optional list of strings; empty when absent.
fn string_list(map: &Map<String, Value>, name: &str) -> Result<Vec<String>, String> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("\"{name}\" is not a list of strings")),
        Some(_) => Err(format!("\"{name}\" is not a list")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ISSUER: &str = "https://oauth2.example/auth";

    fn document() -> Value {
        json!({
            "issuer": ISSUER,
            "authorization_endpoint": "https://oauth2.example/auth/auth",
            "token_endpoint": "https://oauth2.example/auth/token",
            "device_authorization_endpoint": "https://oauth2.example/auth/device/code",
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
            "code_challenge_methods_supported": ["S256", "plain"],
        })
    }

    fn parse(doc: &Value) -> Result<ProviderMetadata, Error> {
        ProviderMetadata::from_json(ISSUER, doc.to_string().as_bytes())
    }

    fn set(mut doc: Value, key: &str, value: Value) -> Value {
        if let Some(map) = doc.as_object_mut() {
            if value.is_null() {
                map.remove(key);
            } else {
                map.insert(key.to_owned(), value);
            }
        }
        doc
    }

    #[test]
    fn reads_endpoints() {
        let m = parse(&document()).expect("valid");
        assert_eq!(m.issuer, ISSUER);
        assert_eq!(m.token_endpoint, "https://oauth2.example/auth/token");
        assert_eq!(
            m.device_authorization_endpoint.as_deref(),
            Some("https://oauth2.example/auth/device/code")
        );
        assert_eq!(m.token_endpoint_auth_methods_supported.len(), 2);
        assert!(!m.authorization_response_iss_parameter_supported);
        let m = parse(&set(
            document(),
            "device_authorization_endpoint",
            Value::Null,
        ))
        .expect("valid");
        assert_eq!(m.device_authorization_endpoint, None);
        let m = parse(&set(
            document(),
            "code_challenge_methods_supported",
            Value::Null,
        ))
        .expect("valid");
        assert!(m
            .token_endpoint_auth_methods_supported
            .contains(&"none".to_owned()));
    }

    #[test]
    fn issuer_must_match_exactly() {
        for other in [
            "https://oauth2.example/auth/",
            "https://OAUTH2.example/auth",
            "https://evil.example/auth",
        ] {
            let err = parse(&set(document(), "issuer", json!(other))).expect_err("mismatch");
            assert!(matches!(err, Error::IssuerMismatch { .. }), "{err:?}");
            assert!(err.to_string().contains(other), "{err}");
        }
        assert!(matches!(
            parse(&set(document(), "issuer", Value::Null)),
            Err(Error::Discovery { .. })
        ));
    }

    #[test]
    fn rejects_unusable_documents() {
        let cases = [
            set(document(), "token_endpoint", Value::Null),
            set(document(), "authorization_endpoint", json!(5)),
            set(
                document(),
                "token_endpoint",
                json!("http://oauth2.example/token"),
            ),
            set(document(), "token_endpoint", json!("not a url")),
            set(document(), "token_endpoint", json!("https://x/t#frag")),
            set(
                document(),
                "device_authorization_endpoint",
                json!("javascript:alert(1)"),
            ),
            set(
                document(),
                "code_challenge_methods_supported",
                json!(["plain"]),
            ),
            set(
                document(),
                "token_endpoint_auth_methods_supported",
                json!("none"),
            ),
            set(
                document(),
                "authorization_response_iss_parameter_supported",
                json!("yes"),
            ),
            json!([1, 2]),
        ];
        for case in &cases {
            assert!(
                matches!(parse(case), Err(Error::Discovery { .. })),
                "{case}"
            );
        }
        assert!(matches!(
            ProviderMetadata::from_json(ISSUER, b"<html>"),
            Err(Error::Discovery { .. })
        ));
    }

    #[test]
    fn urls() {
        assert_eq!(
            discovery_url("https://oauth2.sigstore.dev/auth"),
            "https://oauth2.sigstore.dev/auth/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("http://127.0.0.1:19090/"),
            "http://127.0.0.1:19090/.well-known/openid-configuration"
        );
    }
}
