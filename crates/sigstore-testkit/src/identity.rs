//! Who a certificate is issued to, derived from identity token claims the way Fulcio does.

use serde_json::{Map, Value};

use crate::TokenError;

/// The subject alternative name of a Fulcio leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum San {
    /// An `rfc822Name` (email identities).
    Email(String),
    /// A `uniformResourceIdentifier` (CI workloads).
    Uri(String),
}

impl San {
    /// The name's text.
    pub fn as_str(&self) -> &str {
        match self {
            San::Email(s) | San::Uri(s) => s,
        }
    }
}

/// The identity a certificate attests: SAN, OIDC issuer and the token's other claims (GitHub
/// Actions claims become Fulcio extensions 1.2-1.6 and 1.9-1.22).
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The SAN.
    pub san: San,
    /// The issuer written into extensions 1.1 and 1.8.
    pub issuer: String,
    /// All token claims (used for the GitHub extensions; may be empty).
    pub claims: Map<String, Value>,
}

impl Identity {
    /// An email identity from `issuer`.
    pub fn email(email: &str, issuer: &str) -> Self {
        Self {
            san: San::Email(email.to_owned()),
            issuer: issuer.to_owned(),
            claims: Map::new(),
        }
    }

    /// A URI identity from `issuer`.
    pub fn uri(uri: &str, issuer: &str) -> Self {
        Self {
            san: San::Uri(uri.to_owned()),
            issuer: issuer.to_owned(),
            claims: Map::new(),
        }
    }

    /// The identity Fulcio would derive from verified token `claims`: a GitHub Actions token
    /// (`job_workflow_ref` present) gives the URI `<server_url>/<job_workflow_ref>`; an `email`
    /// claim (with `email_verified` true) gives an email SAN; otherwise `sub` becomes a URI SAN.
    pub fn from_claims(claims: &Map<String, Value>) -> Result<Self, TokenError> {
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        let issuer = text("iss").ok_or(TokenError::WrongIssuer)?.to_owned();
        let san = if let Some(job) = text("job_workflow_ref") {
            San::Uri(format!(
                "{}/{job}",
                text("server_url").unwrap_or("https://github.com")
            ))
        } else if let Some(email) = text("email") {
            if claims.get("email_verified").and_then(Value::as_bool) != Some(true) {
                return Err(TokenError::EmailNotVerified);
            }
            San::Email(email.to_owned())
        } else {
            San::Uri(
                text("sub")
                    .filter(|s| !s.is_empty())
                    .ok_or(TokenError::NoIdentity)?
                    .to_owned(),
            )
        };
        Ok(Self {
            san,
            issuer,
            claims: claims.clone(),
        })
    }

    /// The claim a proof of possession signs: `email` for email identities, `sub` otherwise.
    pub fn challenge<'a>(&self, claims: &'a Map<String, Value>) -> Option<&'a str> {
        let name = match self.san {
            San::Email(_) => "email",
            San::Uri(_) => "sub",
        };
        claims.get(name).and_then(Value::as_str)
    }

    /// Fulcio extensions from GitHub Actions claims: `(OID arc under 1.3.6.1.4.1.57264.1, value,
    /// raw)` where raw values (1.2-1.6) are written as bytes and the others as UTF8String.
    pub(crate) fn github_extensions(&self) -> Vec<(u32, String, bool)> {
        let c = |name: &str| -> Option<String> {
            match self.claims.get(name)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let server = c("server_url").unwrap_or_else(|| "https://github.com".to_owned());
        let join = |a: Option<String>| a.map(|a| format!("{server}/{a}"));
        let run = match (c("repository"), c("run_id"), c("run_attempt")) {
            (Some(repo), Some(id), Some(attempt)) => Some(format!(
                "{server}/{repo}/actions/runs/{id}/attempts/{attempt}"
            )),
            _ => None,
        };
        let candidates: [(u32, Option<String>, bool); 19] = [
            (2, c("event_name"), true),
            (3, c("sha"), true),
            (4, c("workflow"), true),
            (5, c("repository"), true),
            (6, c("ref"), true),
            (9, join(c("job_workflow_ref")), false),
            (10, c("job_workflow_sha"), false),
            (11, c("runner_environment"), false),
            (12, join(c("repository")), false),
            (13, c("sha"), false),
            (14, c("ref"), false),
            (15, c("repository_id"), false),
            (16, join(c("repository_owner")), false),
            (17, c("repository_owner_id"), false),
            (18, join(c("workflow_ref")), false),
            (19, c("workflow_sha"), false),
            (20, c("event_name"), false),
            (21, run, false),
            (22, c("repository_visibility"), false),
        ];
        candidates
            .into_iter()
            .filter_map(|(arc, value, raw)| value.map(|v| (arc, v, raw)))
            .collect()
    }
}
