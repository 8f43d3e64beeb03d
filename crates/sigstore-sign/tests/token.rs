//! Identity token decoding (unverified) and the identity it asks for.
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_sign::{Error, IdentityToken};
use sigstore_types::Timestamp;

const NOW: i64 = 1_750_000_000;

fn jwt(claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(b"sig")
    )
}

fn base() -> Value {
    json!({"iss": "https://oauth2.sigstore.dev/auth", "sub": "CgYxMjM0NTYSJmh0dHBz",
           "aud": "sigstore", "iat": NOW - 10, "exp": NOW + 300,
           "email": "alice@example.com", "email_verified": true,
           "federated_claims": {"connector_id": "https://github.com/login/oauth", "user_id": "1"}})
}

fn parse(claims: &Value) -> Result<IdentityToken, Error> {
    IdentityToken::parse(&jwt(claims), Timestamp::from_unix(NOW))
}

#[test]
fn email_token() {
    let token = parse(&base()).unwrap();
    assert_eq!(token.challenge(), "alice@example.com");
    assert_eq!(token.expected_san(), "alice@example.com");
    assert_eq!(token.expected_issuer(), "https://github.com/login/oauth");
    assert_eq!(token.expires_at, Timestamp::from_unix(NOW + 300));
    // The token never shows up in Debug output.
    assert!(!format!("{token:?}").contains(&jwt(&base())));
    // aud as a list.
    let mut c = base();
    c["aud"] = json!(["other", "sigstore"]);
    assert!(parse(&c).is_ok());
    // email_verified false: the proof signs `sub` instead.
    let mut c = base();
    c["email_verified"] = json!(false);
    let token = parse(&c).unwrap();
    assert_eq!(token.challenge(), "CgYxMjM0NTYSJmh0dHBz");
}

#[test]
fn github_actions_token() {
    let claims = json!({"iss": "https://token.actions.githubusercontent.com",
        "sub": "repo:org/repo:ref:refs/heads/main", "aud": ["sigstore"],
        "iat": NOW, "nbf": NOW, "exp": NOW + 60,
        "job_workflow_ref": "org/repo/.github/workflows/release.yml@refs/heads/main"});
    let token = parse(&claims).unwrap();
    assert_eq!(token.challenge(), "repo:org/repo:ref:refs/heads/main");
    assert_eq!(
        token.expected_san(),
        "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main"
    );
    assert_eq!(
        token.expected_issuer(),
        "https://token.actions.githubusercontent.com"
    );
}

#[test]
fn expired_token_has_a_clear_error() {
    let mut c = base();
    c["exp"] = json!(NOW - 1);
    let err = parse(&c).unwrap_err();
    assert!(matches!(err, Error::TokenExpired { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("expired"), "{text}");
    assert!(text.contains("fresh token"), "{text}");
    // exp == now is expired too.
    c["exp"] = json!(NOW);
    assert!(matches!(parse(&c), Err(Error::TokenExpired { .. })));
}

#[test]
fn not_yet_valid() {
    let mut c = base();
    c["nbf"] = json!(NOW + 3600);
    assert!(matches!(parse(&c), Err(Error::TokenNotYetValid { .. })));
    // Within the 5 s leeway is fine.
    c["nbf"] = json!(NOW + 5);
    assert!(parse(&c).is_ok());
}

#[test]
fn audience_must_include_sigstore() {
    for aud in [json!("other"), json!(["a", "b"]), json!(5), json!([])] {
        let mut c = base();
        c["aud"] = aud;
        assert!(matches!(parse(&c), Err(Error::TokenAudience)));
    }
    let mut c = base();
    c.as_object_mut().unwrap().remove("aud");
    assert!(matches!(parse(&c), Err(Error::MissingClaim("aud"))));
}

#[test]
fn missing_claims() {
    for claim in ["iss", "sub", "exp", "iat"] {
        let mut c = base();
        c.as_object_mut().unwrap().remove(claim);
        assert!(
            matches!(parse(&c), Err(Error::MissingClaim(name)) if name == claim),
            "{claim}"
        );
    }
}

#[test]
fn malformed_tokens() {
    let now = Timestamp::from_unix(NOW);
    let good_payload = URL_SAFE_NO_PAD.encode(base().to_string());
    let huge = "a".repeat(100_000);
    let cases = [
        String::new(),
        "abc".to_owned(),
        "a.b".to_owned(),
        "a.b.c.d".to_owned(),
        format!("a.{}!.c", good_payload),
        "a.bm90IGpzb24.c".to_owned(), // "not json"
        format!("a.{}.c", URL_SAFE_NO_PAD.encode("[1,2]")),
        format!(
            "a.{}.c",
            URL_SAFE_NO_PAD
                .encode(r#"{"iss":"x","sub":"y","aud":"sigstore","iat":"soon","exp":1}"#)
        ),
        format!(
            "a.{}.c",
            URL_SAFE_NO_PAD.encode(r#"{"iss":"x","sub":"y","aud":"sigstore","iat":1,"exp":1e308}"#)
        ),
        format!("a.{huge}.c"),
    ];
    for case in &cases {
        let err = IdentityToken::parse(case, now).unwrap_err();
        assert!(
            matches!(err, Error::MalformedToken(_) | Error::MissingClaim(_)),
            "{case:.40}: {err:?}"
        );
    }
}
