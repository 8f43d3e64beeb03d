//! OIDC identity token claims, decoded WITHOUT signature verification (spec §7.2). Fulcio
//! verifies the token; the client only reads which identity to prove and expect.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use sigstore_types::Timestamp;

use crate::Error;

/// Largest token accepted, in bytes.
const MAX_TOKEN_LEN: usize = 64 * 1024;
/// Leeway for `nbf` and `iat` against the local clock, in seconds.
const LEEWAY_SECS: i64 = 5;
/// The audience Sigstore tokens carry.
pub const SIGSTORE_AUDIENCE: &str = "sigstore";
/// The GitHub Actions token issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The claims of an identity token that signing needs. The token itself is kept for Fulcio
/// and never printed (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityToken {
    raw: String,
    /// `iss`.
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// `email`, if present.
    pub email: Option<String>,
    /// `email_verified`, if present.
    pub email_verified: Option<bool>,
    /// `exp`.
    pub expires_at: Timestamp,
    /// `federated_claims.connector_id` (Dex: the upstream issuer), if present.
    pub federated_issuer: Option<String>,
    /// `job_workflow_ref` (GitHub Actions), if present.
    pub job_workflow_ref: Option<String>,
}

impl core::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IdentityToken")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("email", &self.email)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl IdentityToken {
    /// Decodes `jwt` (unverified) and checks, at `now`: the `iss`, `sub`, `aud`, `iat` and
    /// `exp` claims are present, `aud` contains `sigstore`, `nbf`/`iat` are not in the future
    /// (5 s leeway) and `now < exp`.
    pub fn parse(jwt: &str, now: Timestamp) -> Result<Self, Error> {
        let jwt = jwt.trim();
        if jwt.len() > MAX_TOKEN_LEN {
            return Err(Error::MalformedToken("token too large"));
        }
        let mut parts = jwt.split('.');
        let (Some(_header), Some(payload), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::MalformedToken("not three dot-separated parts"));
        };
        let payload = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| Error::MalformedToken("payload is not base64url"))?;
        let claims: Value = serde_json::from_slice(&payload)
            .map_err(|_| Error::MalformedToken("payload is not JSON"))?;
        if !claims.is_object() {
            return Err(Error::MalformedToken("payload is not a JSON object"));
        }
        let string = |name: &'static str| -> Result<String, Error> {
            claims
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or(Error::MissingClaim(name))
        };
        let time = |name: &'static str| -> Result<Option<Timestamp>, Error> {
            match claims.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_i64()
                    .or_else(|| {
                        v.as_f64()
                            .filter(|f| f.is_finite() && f.abs() < 1e15)
                            .map(|f| f as i64)
                    })
                    .map(|s| Some(Timestamp::from_unix(s)))
                    .ok_or(Error::MalformedToken("a time claim is not a number")),
            }
        };
        let issuer = string("iss")?;
        let subject = string("sub")?;
        let audience_ok = match claims.get("aud") {
            Some(Value::String(aud)) => aud == SIGSTORE_AUDIENCE,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(SIGSTORE_AUDIENCE)),
            None => return Err(Error::MissingClaim("aud")),
            Some(_) => false,
        };
        if !audience_ok {
            return Err(Error::TokenAudience);
        }
        let expires_at = time("exp")?.ok_or(Error::MissingClaim("exp"))?;
        let issued_at = time("iat")?.ok_or(Error::MissingClaim("iat"))?;
        let not_before = time("nbf")?;
        let latest_start = Timestamp::from_unix(now.unix_seconds().saturating_add(LEEWAY_SECS));
        for start in [Some(issued_at), not_before].into_iter().flatten() {
            if start > latest_start {
                return Err(Error::TokenNotYetValid {
                    not_before: start,
                    now,
                });
            }
        }
        if now >= expires_at {
            return Err(Error::TokenExpired {
                expired_at: expires_at,
                now,
            });
        }
        let email = claims
            .get("email")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let email_verified = match claims.get("email_verified") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            // Some issuers send "true"/"false" strings.
            Some(Value::String(s)) => Some(s == "true"),
            Some(_) => return Err(Error::MalformedToken("email_verified is not a boolean")),
        };
        let federated_issuer = claims
            .get("federated_claims")
            .and_then(|f| f.get("connector_id"))
            .and_then(Value::as_str)
            .filter(|s| s.starts_with("https://"))
            .map(str::to_owned);
        let job_workflow_ref = claims
            .get("job_workflow_ref")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(Self {
            raw: jwt.to_owned(),
            issuer,
            subject,
            email,
            email_verified,
            expires_at,
            federated_issuer,
            job_workflow_ref,
        })
    }

    /// The raw token (a secret: never log it).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Whether the token proves an email identity: an `email` claim whose `email_verified` is
    /// not `false`.
    pub fn is_email_identity(&self) -> bool {
        self.email.is_some() && self.email_verified != Some(false)
    }

    /// The claim the proof of possession signs: the email for email identities, else `sub`.
    pub fn challenge(&self) -> &str {
        match &self.email {
            Some(email) if self.is_email_identity() => email,
            _ => &self.subject,
        }
    }

    /// The subject alternative name the certificate must carry: the email; for GitHub
    /// Actions `https://github.com/` + `job_workflow_ref`; otherwise `sub`.
    pub fn expected_san(&self) -> String {
        if self.is_email_identity() {
            return self.challenge().to_owned();
        }
        match &self.job_workflow_ref {
            Some(workflow) if self.issuer == GITHUB_ACTIONS_ISSUER => {
                format!("https://github.com/{workflow}")
            }
            _ => self.subject.clone(),
        }
    }

    /// The OIDC issuer the certificate must name: the federated upstream issuer for Dex
    /// tokens, else `iss`.
    pub fn expected_issuer(&self) -> &str {
        self.federated_issuer.as_deref().unwrap_or(&self.issuer)
    }
}
