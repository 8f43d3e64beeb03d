//! OpenID providers other than the testkit's own issuer that its Fulcio trusts: keys from a
//! JWKS (RS256 and ES256), found through OpenID Connect discovery or given directly.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use der::asn1::UintRef;
use der::Encode as _;
use p256::ecdsa::signature::Verifier as _;
use serde_json::{Map, Value};
use sigstore_crypto::{KeyType, PublicKey, SignatureAlgorithm};
use sigstore_types::Timestamp;

use crate::jwt::{check_claims, Jwt};
use crate::{Error, Identity, TokenError};

/// Largest discovery or JWKS document read.
const MAX_DOCUMENT: usize = 1 << 20;

/// Time allowed for one discovery or JWKS request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// A JWS algorithm an external issuer's tokens may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alg {
    Rs256,
    Es256,
}

impl Alg {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }
}

#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // a few keys per issuer
enum KeyMaterial {
    /// RSA, for RS256 (PKCS#1 v1.5 with SHA-256).
    Rsa(PublicKey),
    /// EC P-256, for ES256.
    P256(p256::ecdsa::VerifyingKey),
}

#[derive(Clone)]
struct Jwk {
    kid: Option<String>,
    /// The JWK's own `alg`, when it names one.
    alg: Option<String>,
    material: KeyMaterial,
}

impl Jwk {
    fn fits(&self, alg: Alg) -> bool {
        let kind_fits = matches!(
            (&self.material, alg),
            (KeyMaterial::Rsa(_), Alg::Rs256) | (KeyMaterial::P256(_), Alg::Es256)
        );
        let name = match alg {
            Alg::Rs256 => "RS256",
            Alg::Es256 => "ES256",
        };
        kind_fits && self.alg.as_deref().is_none_or(|a| a == name)
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), TokenError> {
        match &self.material {
            KeyMaterial::Rsa(key) => key
                .verify(SignatureAlgorithm::RsaPkcs1Sha256, message, signature)
                .map_err(|_| TokenError::BadSignature),
            KeyMaterial::P256(key) => {
                // JWS ES256 signatures are the raw 64-byte r || s, not DER.
                let signature = p256::ecdsa::Signature::from_slice(signature)
                    .map_err(|_| TokenError::BadSignature)?;
                key.verify(message, &signature)
                    .map_err(|_| TokenError::BadSignature)
            }
        }
    }
}

/// An OpenID provider the testkit's Fulcio trusts besides its own issuer.
///
/// Tokens it issued are accepted when their JWS header names `RS256` (RSA key, PKCS#1 v1.5 with
/// SHA-256) or `ES256` (P-256 key) and a `kid` of the JWKS (or no `kid` when the JWKS holds
/// exactly one usable key), the signature verifies, `iss` is exactly [`ExternalIssuer::issuer`],
/// `aud` contains `sigstore`, and `exp`/`nbf`/`iat` hold. Like Fulcio's email issuers, the
/// certificate's identity is the `email` claim, which needs `email_verified: true`; the
/// issuer extensions name this issuer.
#[derive(Clone)]
pub struct ExternalIssuer {
    url: String,
    keys: Vec<Jwk>,
}

impl core::fmt::Debug for ExternalIssuer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExternalIssuer")
            .field("issuer", &self.url)
            .field("keys", &self.keys.len())
            .finish()
    }
}

fn issuer_error(issuer: &str, reason: impl Into<String>) -> Error {
    Error::Issuer {
        issuer: issuer.to_owned(),
        reason: reason.into(),
    }
}

fn b64_field(key: &Value, name: &str, issuer: &str) -> Result<Vec<u8>, Error> {
    let text = key
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| issuer_error(issuer, format!("a JWKS key has no {name:?}")))?;
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| issuer_error(issuer, format!("a JWKS key's {name:?} is not base64url")))
}

#[derive(der::Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

fn rsa_key(key: &Value, issuer: &str) -> Result<PublicKey, Error> {
    let n = b64_field(key, "n", issuer)?;
    let e = b64_field(key, "e", issuer)?;
    let bad = |what: &str| issuer_error(issuer, format!("a JWKS RSA key is unusable: {what}"));
    let pkcs1 = RsaPublicKey {
        modulus: UintRef::new(&n).map_err(|_| bad("n"))?,
        public_exponent: UintRef::new(&e).map_err(|_| bad("e"))?,
    }
    .to_der()
    .map_err(|_| bad("cannot encode"))?;
    let public = PublicKey::from_pkcs1_rsa_der(&pkcs1).map_err(|e| bad(&e.to_string()))?;
    if !matches!(public.key_type(), KeyType::Rsa { .. }) {
        return Err(bad("not RSA"));
    }
    Ok(public)
}

fn p256_key(key: &Value, issuer: &str) -> Result<p256::ecdsa::VerifyingKey, Error> {
    let x = b64_field(key, "x", issuer)?;
    let y = b64_field(key, "y", issuer)?;
    let bad = || issuer_error(issuer, "a JWKS P-256 key is not a point on the curve");
    if x.len() != 32 || y.len() != 32 {
        return Err(bad());
    }
    let mut sec1 = Vec::with_capacity(65);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| bad())
}

impl ExternalIssuer {
    /// An issuer whose tokens carry `iss` = `issuer` (compared exactly) and are signed by a
    /// key of the JWKS document `jwks` (`{"keys": [...]}`). RSA keys (`n`, `e`; 2048 to 4096
    /// bits) and EC P-256 keys (`x`, `y`) are taken; keys of other types or curves, and keys
    /// whose `use` is not `sig`, are skipped. Fails when a taken key is malformed or none is
    /// usable.
    pub fn from_jwks(issuer: &str, jwks: &Value) -> Result<Self, Error> {
        if issuer.is_empty() {
            return Err(issuer_error(issuer, "empty issuer URL"));
        }
        let entries = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| issuer_error(issuer, "the JWKS has no \"keys\" array"))?;
        let mut keys = Vec::new();
        for key in entries {
            if key.get("use").is_some_and(|u| u != "sig") {
                continue;
            }
            let material = match (
                key.get("kty").and_then(Value::as_str),
                key.get("crv").and_then(Value::as_str),
            ) {
                (Some("RSA"), _) => KeyMaterial::Rsa(rsa_key(key, issuer)?),
                (Some("EC"), Some("P-256")) => KeyMaterial::P256(p256_key(key, issuer)?),
                _ => continue,
            };
            let text = |name: &str| key.get(name).and_then(Value::as_str).map(str::to_owned);
            keys.push(Jwk {
                kid: text("kid"),
                alg: text("alg"),
                material,
            });
        }
        if keys.is_empty() {
            return Err(issuer_error(
                issuer,
                "the JWKS holds no RSA or P-256 signing key",
            ));
        }
        Ok(Self {
            url: issuer.to_owned(),
            keys,
        })
    }

    /// OpenID Connect discovery: fetches `{issuer}/.well-known/openid-configuration`, checks
    /// that its `issuer` is exactly `issuer`, then fetches its `jwks_uri` (see
    /// [`ExternalIssuer::from_jwks`]). Each request has five seconds.
    pub async fn discover(issuer: &str) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| issuer_error(issuer, format!("cannot build an HTTP client: {e}")))?;
        let config_url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let config = fetch_json(&client, &config_url, issuer).await?;
        let named = config.get("issuer").and_then(Value::as_str);
        if named != Some(issuer) {
            return Err(issuer_error(
                issuer,
                format!("the discovery document names issuer {named:?}"),
            ));
        }
        let jwks_uri = config
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| issuer_error(issuer, "the discovery document has no jwks_uri"))?;
        let jwks = fetch_json(&client, jwks_uri, issuer).await?;
        Self::from_jwks(issuer, &jwks)
    }

    /// [`ExternalIssuer::discover`], tried again every half second until it succeeds or
    /// `patience` has passed (for a provider that is still starting); the last error is
    /// returned.
    pub async fn discover_with_retry(issuer: &str, patience: Duration) -> Result<Self, Error> {
        let start = tokio::time::Instant::now();
        // Capped so the deadline cannot overflow.
        let deadline = start
            .checked_add(patience.min(Duration::from_secs(86_400)))
            .unwrap_or(start);
        loop {
            match Self::discover(issuer).await {
                Ok(found) => return Ok(found),
                Err(e) if tokio::time::Instant::now() >= deadline => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
    }

    /// The issuer URL: the `iss` its tokens must carry and what certificates name.
    pub fn issuer(&self) -> &str {
        &self.url
    }

    /// The `kid`s of the keys taken from the JWKS (keys without one are left out).
    pub fn key_ids(&self) -> Vec<&str> {
        self.keys.iter().filter_map(|k| k.kid.as_deref()).collect()
    }

    /// Verifies `token` as Fulcio would (algorithm, key, signature, `iss`, `aud`, times) and
    /// returns its claims.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Map<String, Value>, TokenError> {
        let jwt = Jwt::split(token)?;
        let alg = jwt
            .header
            .get("alg")
            .and_then(Value::as_str)
            .and_then(Alg::parse)
            .ok_or(TokenError::UnknownKey)?;
        // No extension of JWS is understood here, so none may be critical.
        if jwt.header.get("crit").is_some() {
            return Err(TokenError::UnknownKey);
        }
        let key = match jwt.header.get("kid") {
            None => match self.keys.as_slice() {
                [only] => only,
                _ => return Err(TokenError::UnknownKey),
            },
            Some(Value::String(kid)) => {
                let mut matching = self
                    .keys
                    .iter()
                    .filter(|k| k.kid.as_deref() == Some(kid.as_str()) && k.fits(alg));
                match (matching.next(), matching.next()) {
                    (Some(key), None) => key,
                    _ => return Err(TokenError::UnknownKey),
                }
            }
            Some(_) => return Err(TokenError::Malformed),
        };
        if !key.fits(alg) {
            return Err(TokenError::UnknownKey);
        }
        key.verify(jwt.signing_input.as_bytes(), &jwt.signature)?;
        let claims = jwt.claims()?;
        check_claims(&claims, &self.url, now)?;
        Ok(claims)
    }

    /// The identity Fulcio certifies for verified `claims` of this (email) issuer: the
    /// `email` claim as an email SAN, which needs `email_verified: true`, and this issuer.
    pub fn identity(&self, claims: &Map<String, Value>) -> Result<Identity, TokenError> {
        let email = claims
            .get("email")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
            .ok_or(TokenError::NoIdentity)?;
        if claims.get("email_verified").and_then(Value::as_bool) != Some(true) {
            return Err(TokenError::EmailNotVerified);
        }
        Ok(Identity::email(email, &self.url))
    }
}

async fn fetch_json(client: &reqwest::Client, url: &str, issuer: &str) -> Result<Value, Error> {
    let mut response = client
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| issuer_error(issuer, format!("GET {url}: {e}")))?;
    if !response.status().is_success() {
        return Err(issuer_error(
            issuer,
            format!("GET {url}: HTTP {}", response.status()),
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| issuer_error(issuer, format!("GET {url}: {e}")))?
    {
        if body.len().saturating_add(chunk.len()) > MAX_DOCUMENT {
            return Err(issuer_error(
                issuer,
                format!("GET {url}: larger than {MAX_DOCUMENT} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|_| issuer_error(issuer, format!("GET {url}: not JSON")))
}
