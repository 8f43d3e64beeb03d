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
        let mut parts = token.trim().split('.');
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
        if header["alg"] != "ES256" || header["kid"] != self.kid.as_str() {
            return Err(TokenError::UnknownKey);
        }
        let signature = Signature::from_slice(&decode(s)?).map_err(|_| TokenError::BadSignature)?;
        self.key
            .verifying_key()
            .verify(format!("{h}.{p}").as_bytes(), &signature)
            .map_err(|_| TokenError::BadSignature)?;
        let claims: Map<String, Value> =
            serde_json::from_slice(&decode(p)?).map_err(|_| TokenError::Malformed)?;
        if claims.get("iss").and_then(Value::as_str) != Some(self.url.as_str()) {
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
        Ok(claims)
    }
}
