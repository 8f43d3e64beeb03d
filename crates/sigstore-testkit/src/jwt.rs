//! The testkit's OIDC issuer: ES256 JWTs and their JWKS.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Map, Value};
use sigstore_types::Timestamp;

use crate::keys::random_bytes;
use crate::TokenError;

/// Seconds of clock skew tolerated on `nbf`/`iat`/`exp`.
const LEEWAY: i64 = 5;

pub(crate) struct Issuer {
    pub(crate) url: String,
    key: SigningKey,
    pub(crate) kid: String,
}

impl Issuer {
    pub(crate) fn new(url: String) -> Self {
        Self {
            url,
            key: SigningKey::random(&mut rand_core::OsRng),
            kid: hex::encode(random_bytes::<8>()),
        }
    }

    pub(crate) fn jwks(&self) -> Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        let x = point
            .x()
            .map(|x| URL_SAFE_NO_PAD.encode(x))
            .unwrap_or_default();
        let y = point
            .y()
            .map(|y| URL_SAFE_NO_PAD.encode(y))
            .unwrap_or_default();
        json!({"keys": [{"kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": self.kid,
                         "alg": "ES256", "use": "sig"}]})
    }

    /// Signs `claims` after filling in `iss`, `aud`, `iat`, `nbf` and `exp` (10 minutes) where
    /// the caller left them out.
    pub(crate) fn mint(&self, claims: &Map<String, Value>, now: Timestamp) -> String {
        let mut all = Map::new();
        all.insert("iss".into(), self.url.clone().into());
        all.insert("aud".into(), "sigstore".into());
        all.insert("iat".into(), now.unix_seconds().into());
        all.insert("nbf".into(), now.unix_seconds().into());
        all.insert("exp".into(), now.unix_seconds().saturating_add(600).into());
        for (k, v) in claims {
            all.insert(k.clone(), v.clone());
        }
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": self.kid});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(Value::Object(all).to_string())
        );
        let signature: Signature = self.key.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// Verifies signature, issuer, audience and times; returns the claims.
    pub(crate) fn verify(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Map<String, Value>, TokenError> {
        let jwt = Jwt::split(token)?;
        if jwt.header["alg"] != "ES256" || jwt.header["kid"] != self.kid.as_str() {
            return Err(TokenError::UnknownKey);
        }
        let signature =
            Signature::from_slice(&jwt.signature).map_err(|_| TokenError::BadSignature)?;
        self.key
            .verifying_key()
            .verify(jwt.signing_input.as_bytes(), &signature)
            .map_err(|_| TokenError::BadSignature)?;
        let claims = jwt.claims()?;
        check_claims(&claims, &self.url, now)?;
        Ok(claims)
    }
}

/// A compact JWS split into its parts; nothing is verified yet.
pub(crate) struct Jwt<'a> {
    /// The decoded JOSE header.
    pub(crate) header: Value,
    /// `BASE64URL(header) "." BASE64URL(payload)`, what the signature covers.
    pub(crate) signing_input: &'a str,
    payload: Vec<u8>,
    /// The decoded signature.
    pub(crate) signature: Vec<u8>,
}

impl<'a> Jwt<'a> {
    /// Splits three base64url parts; the header must be a JSON object.
    pub(crate) fn split(token: &'a str) -> Result<Self, TokenError> {
        let token = token.trim();
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| TokenError::Malformed)
        };
        let header: Value =
            serde_json::from_slice(&decode(h)?).map_err(|_| TokenError::Malformed)?;
        if !header.is_object() {
            return Err(TokenError::Malformed);
        }
        let signing_input = token
            .get(..h.len().saturating_add(p.len()).saturating_add(1))
            .ok_or(TokenError::Malformed)?;
        Ok(Self {
            header,
            signing_input,
            payload: decode(p)?,
            signature: decode(s)?,
        })
    }

    /// The payload as a JSON object of claims (only meaningful after the signature checked out,
    /// or to route the token to the issuer it names).
    pub(crate) fn claims(&self) -> Result<Map<String, Value>, TokenError> {
        serde_json::from_slice(&self.payload).map_err(|_| TokenError::Malformed)
    }
}

/// The claim checks Fulcio makes after the signature: `iss` is `issuer`, `aud` contains
/// `sigstore`, `exp` has not passed and `nbf`/`iat` are not in the future (with leeway).
pub(crate) fn check_claims(
    claims: &Map<String, Value>,
    issuer: &str,
    now: Timestamp,
) -> Result<(), TokenError> {
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(TokenError::WrongIssuer);
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == "sigstore",
        Some(Value::Array(auds)) => auds.iter().any(|a| a == "sigstore"),
        _ => false,
    };
    if !audience_ok {
        return Err(TokenError::WrongAudience);
    }
    let now = now.unix_seconds();
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(TokenError::Expired)?;
    if now >= exp.saturating_add(LEEWAY) {
        return Err(TokenError::Expired);
    }
    for early in ["nbf", "iat"] {
        if let Some(t) = claims.get(early).and_then(Value::as_i64) {
            if t > now.saturating_add(LEEWAY) {
                return Err(TokenError::Expired);
            }
        }
    }
    Ok(())
}
