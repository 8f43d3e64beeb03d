//! OIDC identity token claims, decoded WITHOUT signature verification (spec §7.2). Fulcio
//! verifies the token; the client only reads which identity to prove and expect.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use sigstore_types::Timestamp;

use crate::oauth::sanitize;
use crate::Error;

/// Largest token accepted, in bytes.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;
/// Leeway for `exp`, `nbf` and `iat` against the local clock, in seconds (sigstore-python).
pub const LEEWAY_SECS: i64 = 5;
/// The audience Sigstore tokens carry.
pub const SIGSTORE_AUDIENCE: &str = "sigstore";
/// The GitHub Actions token issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// Issuers whose identity is the `email` claim; every other issuer's is `sub`.
pub const EMAIL_ISSUERS: [&str; 3] = [
    "https://oauth2.sigstore.dev/auth",
    "https://oauth2.sigstage.dev/auth",
    "https://accounts.google.com",
];

/// The claims of an identity token that signing needs. The token itself is kept for Fulcio
/// and never printed (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityToken {
    raw: String,
    /// `iss`.
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// `aud` (one or more audiences; always includes the audience the token was parsed for,
    /// [`SIGSTORE_AUDIENCE`] with [`IdentityToken::parse`]).
    pub audience: Vec<String>,
    /// `azp` (the authorized party: the client the token was issued to), if present.
    pub authorized_party: Option<String>,
    /// `email`, if present.
    pub email: Option<String>,
    /// `email_verified`, if present.
    pub email_verified: Option<bool>,
    /// `exp`.
    pub expires_at: Timestamp,
    /// `iat`.
    pub issued_at: Timestamp,
    /// `nbf`, if present.
    pub not_before: Option<Timestamp>,
    /// `nonce`, if present (the interactive flow checks it).
    pub nonce: Option<String>,
    /// `federated_claims.connector_id` (Dex: the upstream issuer), if present.
    pub federated_issuer: Option<String>,
    /// `job_workflow_ref` (GitHub Actions), if present.
    pub job_workflow_ref: Option<String>,
    /// Certificate identities Fulcio's CI issuer types derive from other claims.
    ci_sans: Vec<String>,
}

impl core::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IdentityToken")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("email", &self.email)
            .field("expires_at", &self.expires_at)
            .field("federated_issuer", &self.federated_issuer)
            .finish_non_exhaustive()
    }
}

impl IdentityToken {
    /// Decodes `jwt` (unverified) and checks, at `now`: the `iss`, `sub`, `aud`, `iat` and
    /// `exp` claims are present, `aud` contains `sigstore` ([`SIGSTORE_AUDIENCE`]), `nbf`/`iat`
    /// are not in the future and the token has not expired (each with a [`LEEWAY_SECS`]
    /// leeway), and tokens of the [`EMAIL_ISSUERS`] carry an `email` that is not marked
    /// unverified. Same as [`IdentityToken::parse_with_audience`] with `sigstore`.
    pub fn parse(jwt: &str, now: Timestamp) -> Result<Self, Error> {
        Self::parse_with_audience(jwt, SIGSTORE_AUDIENCE, now)
    }

    /// [`IdentityToken::parse`] for tokens meant for another audience: `aud` must contain
    /// `audience` (for example the OAuth client ID of a private deployment whose Fulcio
    /// expects it) instead of `sigstore`. An empty `audience` matches nothing.
    pub fn parse_with_audience(jwt: &str, audience: &str, now: Timestamp) -> Result<Self, Error> {
        let expected_audience = audience;
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
            match claims.get(name) {
                None | Some(Value::Null) => Err(Error::MissingClaim(name)),
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(_) => Err(Error::MalformedToken(
                    "a string claim is empty or not a string",
                )),
            }
        };
        let optional_string = |name: &'static str| -> Result<Option<String>, Error> {
            match claims.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::MalformedToken("a string claim is not a string")),
            }
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
                    .filter(|s| s.unsigned_abs() < 1_000_000_000_000_000)
                    .map(|s| Some(Timestamp::from_unix(s)))
                    .ok_or(Error::MalformedToken(
                        "a time claim is not a number in range",
                    )),
            }
        };
        let issuer = string("iss")?;
        let subject = string("sub")?;
        let audience: Vec<String> = match claims.get("aud") {
            None | Some(Value::Null) => return Err(Error::MissingClaim("aud")),
            Some(Value::String(aud)) => vec![aud.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .map(|a| a.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or(Error::MalformedToken("an audience is not a string"))?,
            Some(_) => return Err(Error::MalformedToken("aud is not a string or a list")),
        };
        if expected_audience.is_empty() || !audience.iter().any(|a| a == expected_audience) {
            return Err(Error::TokenAudience {
                expected: sanitize(expected_audience),
            });
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
        let expiry_with_leeway =
            Timestamp::from_unix(expires_at.unix_seconds().saturating_add(LEEWAY_SECS));
        if now >= expiry_with_leeway {
            return Err(Error::TokenExpired {
                expired_at: expires_at,
                now,
            });
        }
        let email = optional_string("email")?;
        let email_verified = match claims.get("email_verified") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            // Some issuers send "true"/"false" strings.
            Some(Value::String(s)) if s == "true" => Some(true),
            Some(Value::String(s)) if s == "false" => Some(false),
            Some(_) => return Err(Error::MalformedToken("email_verified is not a boolean")),
        };
        if EMAIL_ISSUERS.contains(&issuer.as_str()) {
            if email.is_none() {
                return Err(Error::MissingClaim("email"));
            }
            if email_verified == Some(false) {
                return Err(Error::EmailNotVerified);
            }
        }
        let federated_issuer = match claims.get("federated_claims") {
            None | Some(Value::Null) => None,
            Some(Value::Object(federated)) => match federated.get("connector_id") {
                None | Some(Value::Null) => None,
                Some(Value::String(id)) if id.starts_with("https://") => Some(id.clone()),
                // Non-URL connector ids (e.g. "github") name no issuer.
                Some(Value::String(_)) => None,
                Some(_) => {
                    return Err(Error::MalformedToken(
                        "federated_claims.connector_id is not a string",
                    ))
                }
            },
            Some(_) => return Err(Error::MalformedToken("federated_claims is not an object")),
        };
        let nonce = optional_string("nonce")?;
        let authorized_party = optional_string("azp")?;
        let job_workflow_ref = optional_string("job_workflow_ref")?;
        Ok(Self {
            raw: jwt.to_owned(),
            issuer,
            subject,
            audience,
            authorized_party,
            email,
            email_verified,
            expires_at,
            issued_at,
            not_before,
            nonce,
            federated_issuer,
            job_workflow_ref,
            ci_sans: ci_sans(&claims),
        })
    }

    /// The raw token (a secret: never log it).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Whether the issuer is one of the [`EMAIL_ISSUERS`].
    pub fn has_email_issuer(&self) -> bool {
        EMAIL_ISSUERS.contains(&self.issuer.as_str())
    }

    /// Whether the token proves an email address: it carries an `email` that is not marked
    /// unverified (the [`EMAIL_ISSUERS`] must; other issuers may, as private Fulcio
    /// deployments with email-type issuers do).
    pub fn is_email_identity(&self) -> bool {
        self.email.is_some() && self.email_verified != Some(false)
    }

    /// The identity the token proves: the email for email identities, else `sub`. This is
    /// the claim the Fulcio proof of possession signs.
    pub fn identity(&self) -> &str {
        match &self.email {
            Some(email) if self.is_email_identity() => email,
            _ => &self.subject,
        }
    }

    /// The subject alternative name the certificate is expected to carry: the email for
    /// email identities; for GitHub Actions `https://github.com/` + `job_workflow_ref`;
    /// otherwise `sub`.
    pub fn expected_san(&self) -> String {
        if self.is_email_identity() {
            return self.identity().to_owned();
        }
        match &self.job_workflow_ref {
            Some(workflow) if self.issuer == GITHUB_ACTIONS_ISSUER => {
                format!("https://github.com/{workflow}")
            }
            _ => self.subject.clone(),
        }
    }

    /// Every subject alternative name a Fulcio certificate for this token may carry, derived
    /// from the token's own claims: [`Self::expected_san`], `sub`, and the URIs Fulcio's CI
    /// issuer types build (GitLab `https://` + `ci_config_ref_uri`, Buildkite
    /// `https://buildkite.com/ORG/PIPELINE`, CircleCI
    /// `https://app.circleci.com/pipelines/circleci/ORG/PROJECT`, Kubernetes
    /// `https://kubernetes.io/namespaces/NS/serviceaccounts/SA`). A certificate naming
    /// anything else was not issued for this token's holder.
    pub fn acceptable_sans(&self) -> Vec<String> {
        let mut sans = vec![self.expected_san(), self.subject.clone()];
        sans.extend(self.ci_sans.iter().cloned());
        sans.dedup();
        sans
    }

    /// The OIDC issuer the certificate must name: the federated upstream issuer for Dex
    /// tokens, else `iss`.
    pub fn expected_issuer(&self) -> &str {
        self.federated_issuer.as_deref().unwrap_or(&self.issuer)
    }

    /// Whether the token is unexpired at `now` (with the leeway).
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        now.unix_seconds() < self.expires_at.unix_seconds().saturating_add(LEEWAY_SECS)
    }
}

/// The subject alternative names Fulcio's CI issuer types build from a token's claims.
fn ci_sans(claims: &Value) -> Vec<String> {
    let text = |value: Option<&Value>| {
        value
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && !s.chars().any(char::is_control))
            .map(str::to_owned)
    };
    let claim = |name: &str| text(claims.get(name));
    let mut sans = Vec::new();
    if let Some(uri) = claim("ci_config_ref_uri") {
        sans.push(format!("https://{uri}"));
    }
    if let (Some(org), Some(pipeline)) = (claim("organization_slug"), claim("pipeline_slug")) {
        sans.push(format!("https://buildkite.com/{org}/{pipeline}"));
    }
    if let (Some(org), Some(project)) = (
        claim("oidc.circleci.com/org-id"),
        claim("oidc.circleci.com/project-id"),
    ) {
        sans.push(format!(
            "https://app.circleci.com/pipelines/circleci/{org}/{project}"
        ));
    }
    if let Some(k8s) = claims.get("kubernetes.io") {
        let namespace = text(k8s.get("namespace"));
        let account = text(k8s.get("serviceaccount").and_then(|sa| sa.get("name")));
        if let (Some(ns), Some(sa)) = (namespace, account) {
            sans.push(format!(
                "https://kubernetes.io/namespaces/{ns}/serviceaccounts/{sa}"
            ));
        }
    }
    sans
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn jwt(claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        format!("{header}.{payload}.c2lnbmF0dXJl")
    }

    fn base() -> Value {
        json!({
            "iss": "https://token.actions.githubusercontent.com",
            "sub": "repo:octo/hello:ref:refs/heads/main",
            "aud": "sigstore",
            "iat": NOW - 10,
            "exp": NOW + 300,
            "job_workflow_ref": "octo/hello/.github/workflows/release.yml@refs/heads/main",
        })
    }

    fn with(mut claims: Value, key: &str, value: Value) -> Value {
        if let Some(map) = claims.as_object_mut() {
            if value.is_null() {
                map.remove(key);
            } else {
                map.insert(key.to_owned(), value);
            }
        }
        claims
    }

    fn parse(claims: &Value) -> Result<IdentityToken, Error> {
        IdentityToken::parse(&jwt(claims), Timestamp::from_unix(NOW))
    }

    #[test]
    fn github_token() {
        let t = parse(&base()).expect("valid");
        assert_eq!(t.issuer, GITHUB_ACTIONS_ISSUER);
        assert_eq!(t.identity(), "repo:octo/hello:ref:refs/heads/main");
        assert_eq!(
            t.expected_san(),
            "https://github.com/octo/hello/.github/workflows/release.yml@refs/heads/main"
        );
        assert_eq!(t.expected_issuer(), GITHUB_ACTIONS_ISSUER);
        assert_eq!(t.audience, vec!["sigstore".to_owned()]);
        assert_eq!(t.issued_at, Timestamp::from_unix(NOW - 10));
        assert!(t.is_valid_at(Timestamp::from_unix(NOW)));
        assert!(!t.is_valid_at(Timestamp::from_unix(NOW + 305)));
        assert_eq!(t.raw(), jwt(&base()));
    }

    #[test]
    fn email_issuers_use_email() {
        let c = with(base(), "iss", json!("https://oauth2.sigstore.dev/auth"));
        let c = with(c, "email", json!("alice@example.com"));
        let c = with(c, "email_verified", json!(true));
        let c = with(
            c,
            "federated_claims",
            json!({"connector_id": "https://github.com/login/oauth", "user_id": "1"}),
        );
        let t = parse(&c).expect("valid");
        assert_eq!(t.identity(), "alice@example.com");
        assert_eq!(t.expected_san(), "alice@example.com");
        assert_eq!(t.expected_issuer(), "https://github.com/login/oauth");

        // Email issuer without email, or with email_verified false: rejected.
        let no_email = with(c.clone(), "email", Value::Null);
        assert!(matches!(
            parse(&no_email),
            Err(Error::MissingClaim("email"))
        ));
        let unverified = with(c.clone(), "email_verified", json!("false"));
        assert!(matches!(parse(&unverified), Err(Error::EmailNotVerified)));

        // Other issuers prove the email when they vouch for it, else `sub`.
        let other = with(c, "iss", json!("https://issuer.example"));
        let t = parse(&other).expect("valid");
        assert_eq!(t.identity(), "alice@example.com");
        let unverified = with(other.clone(), "email_verified", json!(false));
        let t = parse(&unverified).expect("valid");
        assert_eq!(t.identity(), "repo:octo/hello:ref:refs/heads/main");
        assert_eq!(t.expected_san(), "repo:octo/hello:ref:refs/heads/main");
        let no_email = with(other, "email", Value::Null);
        assert_eq!(
            parse(&no_email).expect("valid").identity(),
            "repo:octo/hello:ref:refs/heads/main"
        );
    }

    #[test]
    fn ci_certificate_identities() {
        let gitlab = json!({
            "iss": "https://gitlab.com", "sub": "project_path:g/p:ref_type:branch:ref:main",
            "aud": "sigstore", "iat": NOW, "exp": NOW + 60,
            "ci_config_ref_uri": "gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main",
        });
        let t = parse(&gitlab).expect("valid");
        assert_eq!(t.identity(), "project_path:g/p:ref_type:branch:ref:main");
        assert_eq!(
            t.acceptable_sans(),
            vec![
                "project_path:g/p:ref_type:branch:ref:main".to_owned(),
                "https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main".to_owned(),
            ]
        );
        let buildkite = with(
            with(gitlab.clone(), "organization_slug", json!("acme")),
            "pipeline_slug",
            json!("release"),
        );
        assert!(parse(&buildkite)
            .expect("valid")
            .acceptable_sans()
            .contains(&"https://buildkite.com/acme/release".to_owned()));
        let circle = with(
            with(gitlab.clone(), "oidc.circleci.com/org-id", json!("o1")),
            "oidc.circleci.com/project-id",
            json!("p1"),
        );
        assert!(parse(&circle)
            .expect("valid")
            .acceptable_sans()
            .contains(&"https://app.circleci.com/pipelines/circleci/o1/p1".to_owned()));
        let k8s = with(
            gitlab.clone(),
            "kubernetes.io",
            json!({"namespace": "ns", "serviceaccount": {"name": "builder"}}),
        );
        assert!(parse(&k8s)
            .expect("valid")
            .acceptable_sans()
            .contains(&"https://kubernetes.io/namespaces/ns/serviceaccounts/builder".to_owned()));
        // Half a pair, or a control character, names nothing.
        let half = with(gitlab.clone(), "organization_slug", json!("acme"));
        assert_eq!(parse(&half).expect("valid").acceptable_sans().len(), 2);
        let control = with(gitlab, "ci_config_ref_uri", json!("evil\nhost"));
        assert_eq!(parse(&control).expect("valid").acceptable_sans().len(), 1);
    }

    #[test]
    fn audience() {
        let list = with(base(), "aud", json!(["other", "sigstore"]));
        assert_eq!(parse(&list).expect("valid").audience.len(), 2);
        for bad in [json!("other"), json!(["other"]), json!([])] {
            let c = with(base(), "aud", bad);
            let err = parse(&c).expect_err("audience");
            assert!(
                matches!(&err, Error::TokenAudience { expected } if expected == "sigstore"),
                "{err:?}"
            );
            assert!(err.to_string().contains("\"sigstore\""), "{err}");
        }
        for malformed in [json!(7), json!([1]), json!({"a": "sigstore"})] {
            let c = with(base(), "aud", malformed);
            assert!(matches!(parse(&c), Err(Error::MalformedToken(_))));
        }
        let missing = with(base(), "aud", Value::Null);
        assert!(matches!(parse(&missing), Err(Error::MissingClaim("aud"))));
    }

    #[test]
    fn custom_audience() {
        let now = Timestamp::from_unix(NOW);
        let acme = with(base(), "aud", json!("acme"));
        let t = IdentityToken::parse_with_audience(&jwt(&acme), "acme", now).expect("valid");
        assert_eq!(t.audience, vec!["acme".to_owned()]);
        assert_eq!(t.authorized_party, None);
        // The default audience is `sigstore`.
        let err = parse(&acme).expect_err("not for sigstore");
        assert!(matches!(err, Error::TokenAudience { .. }), "{err:?}");
        // A `sigstore` token is not an `acme` token, and the error names what was expected.
        let err = IdentityToken::parse_with_audience(&jwt(&base()), "acme", now)
            .expect_err("not for acme");
        assert!(
            matches!(&err, Error::TokenAudience { expected } if expected == "acme"),
            "{err:?}"
        );
        assert!(err.to_string().contains("\"acme\""), "{err}");
        // Several audiences, an exact match only, never the empty audience.
        let both = with(base(), "aud", json!(["sigstore", "acme"]));
        assert!(IdentityToken::parse_with_audience(&jwt(&both), "acme", now).is_ok());
        assert!(IdentityToken::parse_with_audience(&jwt(&both), "Acme", now).is_err());
        assert!(IdentityToken::parse_with_audience(&jwt(&both), "acm", now).is_err());
        let empty = with(base(), "aud", json!(["", "sigstore"]));
        assert!(matches!(
            IdentityToken::parse_with_audience(&jwt(&empty), "", now),
            Err(Error::TokenAudience { .. })
        ));
        // The authorized party is read when present.
        let azp = with(both, "azp", json!("acme"));
        let t = IdentityToken::parse_with_audience(&jwt(&azp), "acme", now).expect("valid");
        assert_eq!(t.authorized_party.as_deref(), Some("acme"));
        let bad_azp = with(base(), "azp", json!(5));
        assert!(matches!(parse(&bad_azp), Err(Error::MalformedToken(_))));
    }

    #[test]
    fn required_claims() {
        for claim in ["iss", "sub", "aud", "iat", "exp"] {
            let c = with(base(), claim, Value::Null);
            match parse(&c) {
                Err(Error::MissingClaim(name)) => assert_eq!(name, claim),
                other => panic!("{claim}: {other:?}"),
            }
        }
        let empty_sub = with(base(), "sub", json!(""));
        assert!(parse(&empty_sub).is_err());
        let numeric_iss = with(base(), "iss", json!(5));
        assert!(matches!(parse(&numeric_iss), Err(Error::MalformedToken(_))));
    }

    #[test]
    fn expiry_with_leeway() {
        // Expired 4 s ago: still inside the 5 s leeway.
        let c = with(base(), "exp", json!(NOW - 4));
        assert!(parse(&c).is_ok());
        // Expired 5 s ago or more: rejected with a clear message.
        for exp in [NOW - 5, NOW - 3600] {
            let c = with(base(), "exp", json!(exp));
            let err = parse(&c).expect_err("expired");
            assert!(matches!(err, Error::TokenExpired { .. }), "{err:?}");
            assert!(err.to_string().contains("expired at"), "{err}");
            assert!(err.to_string().contains("fresh token"), "{err}");
        }
        // Issued in the future beyond the leeway.
        let c = with(base(), "iat", json!(NOW + 6));
        assert!(matches!(parse(&c), Err(Error::TokenNotYetValid { .. })));
        let c = with(base(), "iat", json!(NOW + 5));
        assert!(parse(&c).is_ok());
        let c = with(base(), "nbf", json!(NOW + 60));
        assert!(matches!(parse(&c), Err(Error::TokenNotYetValid { .. })));
        // Float seconds are accepted, huge or non-numeric times are not.
        let c = with(base(), "exp", json!((NOW + 60) as f64 + 0.5));
        assert!(parse(&c).is_ok());
        for bad in [
            json!(1e300),
            json!("soon"),
            json!(i64::MAX),
            json!(u64::MAX),
        ] {
            let c = with(base(), "exp", bad);
            assert!(matches!(parse(&c), Err(Error::MalformedToken(_))));
        }
        let c = with(base(), "iat", json!(i64::MIN));
        assert!(matches!(parse(&c), Err(Error::MalformedToken(_))));
    }

    #[test]
    fn malformed_tokens() {
        let now = Timestamp::from_unix(NOW);
        let good = jwt(&base());
        let (header, rest) = good.split_once('.').expect("dot");
        let payload = rest.split('.').next().expect("payload");
        let cases = [
            String::new(),
            "abc".to_owned(),
            "a.b".to_owned(),
            format!("{good}.extra"),
            format!("{header}.!!!.sig"),
            format!("{header}.{}.sig", URL_SAFE_NO_PAD.encode("not json")),
            format!("{header}.{}.sig", URL_SAFE_NO_PAD.encode("[1,2]")),
            format!(
                "{header}.{}.sig",
                payload.get(..payload.len() / 2).unwrap_or("")
            ),
            format!("{header}.{}.sig", "A".repeat(MAX_TOKEN_LEN)),
        ];
        for case in &cases {
            assert!(
                matches!(
                    IdentityToken::parse(case, now),
                    Err(Error::MalformedToken(_))
                ),
                "{:?}",
                case.get(..40)
            );
        }
        let federated = with(base(), "federated_claims", json!("x"));
        assert!(matches!(parse(&federated), Err(Error::MalformedToken(_))));
        let connector = with(base(), "federated_claims", json!({"connector_id": 3}));
        assert!(matches!(parse(&connector), Err(Error::MalformedToken(_))));
        let verified = with(base(), "email_verified", json!(1));
        assert!(matches!(parse(&verified), Err(Error::MalformedToken(_))));
    }

    #[test]
    fn debug_never_prints_the_token() {
        let raw = jwt(&base());
        let t = IdentityToken::parse(&raw, Timestamp::from_unix(NOW)).expect("valid");
        let shown = format!("{t:?}");
        assert!(!shown.contains(&raw));
        assert!(!shown.contains("c2lnbmF0dXJl"));
        assert!(shown.contains("token.actions.githubusercontent.com"));
    }
}
