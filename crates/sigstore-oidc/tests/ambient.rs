//! Ambient detection against local fakes on 127.0.0.1, temporary files and injected
//! environments (the process environment is never read).
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use sigstore_http::testing::{CannedResponse, CannedServer};
use sigstore_http::HttpConfig;
use sigstore_oidc::{detect_ambient, detect_provider, AmbientConfig, Env, Error, Provider};
use sigstore_test_support::TempDir;

const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
const REQUEST_TOKEN: &str = "request-token-secret";

fn env(vars: &[(&str, &str)]) -> HashMap<String, String> {
    vars.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A fresh `sigstore-oidc-<name>-…` directory, removed when the guard is dropped.
fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("sigstore-oidc-{name}"))
}

/// No retries, and nothing on the real machine (DMI file, cosign token file) is consulted.
fn config(dir: &std::path::Path) -> AmbientConfig {
    AmbientConfig::default()
        .with_http(
            HttpConfig::default()
                .with_retries(0)
                .with_timeout(Duration::from_secs(5)),
        )
        .with_timeout(Duration::from_secs(5))
        .with_dmi_product_name_path(dir.join("no-dmi"))
        .with_default_token_file(dir.join("no-token-file"))
        .with_gcp_urls("http://127.0.0.1:9/unused", "http://127.0.0.1:9/unused")
}

async fn github_server(response: CannedResponse) -> CannedServer {
    CannedServer::start(move |_| response.clone())
        .await
        .unwrap()
}

fn github_env(server: &CannedServer, path: &str) -> HashMap<String, String> {
    env(&[
        ("GITHUB_ACTIONS", "true"),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN),
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            &format!("{}{path}", server.url()),
        ),
    ])
}

#[tokio::test]
async fn github_actions_success() {
    let dir = temp_dir("gh-ok");
    let server = github_server(CannedResponse::json(
        200,
        &json!({"count": 1, "value": JWT}),
    ))
    .await;
    for (path, expected_target) in [
        (
            "/token?api-version=2.0",
            "/token?api-version=2.0&audience=sigstore",
        ),
        ("/token", "/token?audience=sigstore"),
    ] {
        let e = github_env(&server, path);
        let found = detect_ambient(&e, &config(&dir)).await.unwrap().unwrap();
        assert_eq!(found.provider(), Provider::GitHubActions);
        assert_eq!(found.token(), JWT);
        let request = server.requests().pop().unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.target, expected_target);
        let auth = request.header("authorization").unwrap();
        assert!(
            auth.eq_ignore_ascii_case(&format!("bearer {REQUEST_TOKEN}")),
            "{auth}"
        );
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn github_actions_missing_permissions() {
    let dir = temp_dir("gh-perm");
    for vars in [
        vec![("GITHUB_ACTIONS", "true")],
        vec![
            ("GITHUB_ACTIONS", "true"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:9/t"),
        ],
        vec![
            ("GITHUB_ACTIONS", "true"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", ""),
        ],
    ] {
        // A later provider's token does not paper over the misconfiguration.
        let mut e = env(&vars);
        e.insert("SIGSTORE_ID_TOKEN".into(), JWT.into());
        let err = detect_ambient(&e, &config(&dir)).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::MissingVariable {
                    provider: Provider::GitHubActions,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("id-token: write"), "{err}");
    }
}

#[tokio::test]
async fn github_actions_http_error() {
    let dir = temp_dir("gh-http");
    let server = github_server(CannedResponse::new(403, "forbidden")).await;
    let e = github_env(&server, "/token");
    let err = detect_ambient(&e, &config(&dir)).await.unwrap_err();
    match &err {
        Error::Http {
            provider: Provider::GitHubActions,
            source,
        } => assert_eq!(source.status(), Some(403)),
        other => panic!("{other:?}"),
    }
    let text = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
    assert!(!text.contains(REQUEST_TOKEN), "{text}");

    // Nothing listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut e = e.clone();
    e.insert(
        "ACTIONS_ID_TOKEN_REQUEST_URL".into(),
        format!("http://127.0.0.1:{port}/token"),
    );
    let err = detect_ambient(&e, &config(&dir)).await.unwrap_err();
    assert!(matches!(err, Error::Http { .. }), "{err:?}");
}

#[tokio::test]
async fn github_actions_malformed_response() {
    let dir = temp_dir("gh-bad");
    for (body, bad_response) in [
        (CannedResponse::new(200, "not json"), true),
        (CannedResponse::json(200, &json!({"token": JWT})), true),
        (CannedResponse::json(200, &json!({"value": 5})), true),
        (CannedResponse::json(200, &json!([JWT])), true),
        (
            CannedResponse::json(200, &json!({"value": "<html>"})),
            false,
        ),
        (CannedResponse::json(200, &json!({"value": ""})), false),
    ] {
        let server = github_server(body).await;
        let e = github_env(&server, "/token");
        let err = detect_ambient(&e, &config(&dir)).await.unwrap_err();
        if bad_response {
            assert!(matches!(err, Error::BadResponse { .. }), "{err:?}");
        } else {
            assert!(
                matches!(
                    err,
                    Error::MalformedCredential {
                        provider: Provider::GitHubActions,
                        ..
                    }
                ),
                "{err:?}"
            );
        }
    }
    // A response over the size cap.
    let server = github_server(CannedResponse::new(200, vec![b'a'; 4096])).await;
    let e = github_env(&server, "/token");
    let cfg = config(&dir).with_http(
        HttpConfig::default()
            .with_retries(0)
            .with_max_response_bytes(1024),
    );
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Http {
                source: sigstore_http::Error::ResponseTooLarge { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn gitlab() {
    let dir = temp_dir("gitlab");
    let e = env(&[("GITLAB_CI", "true"), ("SIGSTORE_ID_TOKEN", JWT)]);
    let found = detect_ambient(&e, &config(&dir)).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::GitLab);
    assert_eq!(found.token(), JWT);

    let err = detect_ambient(&env(&[("GITLAB_CI", "true")]), &config(&dir))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingVariable {
                provider: Provider::GitLab,
                variable: "SIGSTORE_ID_TOKEN",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("id_tokens"), "{err}");

    let e = env(&[("GITLAB_CI", "true"), ("SIGSTORE_ID_TOKEN", "garbage")]);
    let err = detect_ambient(&e, &config(&dir)).await.unwrap_err();
    assert!(matches!(err, Error::MalformedCredential { .. }), "{err:?}");
}

fn gcp_handler(request: &sigstore_http::testing::RecordedRequest) -> CannedResponse {
    let flavor = request.header("metadata-flavor");
    match request.path() {
        "/computeMetadata/v1/instance/service-accounts/default/token"
            if flavor == Some("Google") =>
        {
            CannedResponse::json(
                200,
                &json!({"access_token": "access-secret", "expires_in": 3599}),
            )
        }
        "/computeMetadata/v1/instance/service-accounts/default/identity"
            if flavor == Some("Google") =>
        {
            CannedResponse::new(200, JWT)
        }
        "/v1/projects/-/serviceAccounts/signer@proj.iam.gserviceaccount.com:generateIdToken"
            if request.header("authorization") == Some("Bearer access-secret") =>
        {
            CannedResponse::json(200, &json!({"token": JWT}))
        }
        _ => CannedResponse::new(404, "no such route"),
    }
}

fn gcp_config(dir: &std::path::Path, server: &CannedServer) -> AmbientConfig {
    config(dir).with_gcp_urls(
        format!("{}/computeMetadata/v1", server.url()),
        format!("{}/v1/", server.url()),
    )
}

#[tokio::test]
async fn google_cloud_service_account() {
    let dir = temp_dir("gcp-sa");
    let server = CannedServer::start(gcp_handler).await.unwrap();
    let e = env(&[(
        "GOOGLE_SERVICE_ACCOUNT_NAME",
        "signer@proj.iam.gserviceaccount.com",
    )]);
    let found = detect_ambient(&e, &gcp_config(&dir, &server))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.provider(), Provider::GoogleCloud);
    assert_eq!(found.token(), JWT);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = requests.first().unwrap();
    assert_eq!(
        first.target,
        "/computeMetadata/v1/instance/service-accounts/default/token?scopes=https://www.googleapis.com/auth/cloud-platform"
    );
    let iam = requests.get(1).unwrap();
    assert_eq!(iam.method, "POST");
    let body: serde_json::Value = serde_json::from_slice(&iam.body).unwrap();
    assert_eq!(body, json!({"audience": "sigstore", "includeEmail": true}));

    // The IAM call fails (unknown account -> 404).
    let e = env(&[(
        "GOOGLE_SERVICE_ACCOUNT_NAME",
        "other@proj.iam.gserviceaccount.com",
    )]);
    let err = detect_ambient(&e, &gcp_config(&dir, &server))
        .await
        .unwrap_err();
    match err {
        Error::Http {
            provider: Provider::GoogleCloud,
            source,
        } => assert_eq!(source.status(), Some(404)),
        other => panic!("{other:?}"),
    }

    // An account name that would change the URL path is refused before any request.
    let before = server.requests().len();
    let e = env(&[("GOOGLE_SERVICE_ACCOUNT_NAME", "../../x?y")]);
    let err = detect_ambient(&e, &gcp_config(&dir, &server))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidVariable { .. }), "{err:?}");
    assert_eq!(server.requests().len(), before);
}

#[tokio::test]
async fn google_cloud_metadata_failures() {
    let dir = temp_dir("gcp-bad");
    let e = env(&[(
        "GOOGLE_SERVICE_ACCOUNT_NAME",
        "signer@proj.iam.gserviceaccount.com",
    )]);
    // Metadata answers 500.
    let server = CannedServer::start(|_| CannedResponse::new(500, "boom"))
        .await
        .unwrap();
    let err = detect_ambient(&e, &gcp_config(&dir, &server))
        .await
        .unwrap_err();
    match err {
        Error::Http { source, .. } => assert_eq!(source.status(), Some(500)),
        other => panic!("{other:?}"),
    }
    // Metadata answers without an access token.
    let server = CannedServer::start(|_| CannedResponse::json(200, &json!({"token_type": "x"})))
        .await
        .unwrap();
    let err = detect_ambient(&e, &gcp_config(&dir, &server))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadResponse { .. }), "{err:?}");
    // generateIdToken answers without a token.
    let server = CannedServer::start(|r| {
        if r.path().ends_with("/token") {
            CannedResponse::json(200, &json!({"access_token": "a"}))
        } else {
            CannedResponse::json(200, &json!({"id": JWT}))
        }
    })
    .await
    .unwrap();
    let err = detect_ambient(&e, &gcp_config(&dir, &server))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadResponse { .. }), "{err:?}");
}

#[tokio::test]
async fn google_compute_engine_metadata_identity() {
    let dir = temp_dir("gce");
    let server = CannedServer::start(gcp_handler).await.unwrap();
    let dmi = dir.join("product_name");
    let cfg = gcp_config(&dir, &server).with_dmi_product_name_path(&dmi);

    // No DMI file, or another product: not on GCE.
    assert!(detect_ambient(&env(&[]), &cfg).await.unwrap().is_none());
    std::fs::write(&dmi, "KVM\n").unwrap();
    assert!(detect_ambient(&env(&[]), &cfg).await.unwrap().is_none());
    assert!(server.requests().is_empty());

    for product in ["Google\n", "Google Compute Engine\n"] {
        std::fs::write(&dmi, product).unwrap();
        let found = detect_ambient(&env(&[]), &cfg).await.unwrap().unwrap();
        assert_eq!(found.provider(), Provider::GoogleCloud);
        assert_eq!(found.token(), JWT);
        let request = server.requests().pop().unwrap();
        assert_eq!(
            request.target,
            "/computeMetadata/v1/instance/service-accounts/default/identity?audience=sigstore&format=full"
        );
    }

    // On GCE but the metadata service fails or answers garbage.
    let failing = CannedServer::start(|_| CannedResponse::new(503, "unavailable"))
        .await
        .unwrap();
    let err = detect_ambient(
        &env(&[]),
        &gcp_config(&dir, &failing).with_dmi_product_name_path(&dmi),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Http { .. }), "{err:?}");
    let garbage = CannedServer::start(|_| CannedResponse::new(200, "<html>hi</html>"))
        .await
        .unwrap();
    let err = detect_ambient(
        &env(&[]),
        &gcp_config(&dir, &garbage).with_dmi_product_name_path(&dmi),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::MalformedCredential { .. }), "{err:?}");
}

#[tokio::test]
async fn token_files() {
    let dir = temp_dir("files");
    let cfg = config(&dir);
    // Default file absent: nothing.
    assert!(detect_provider(Provider::TokenFile, &env(&[]), &cfg)
        .await
        .unwrap()
        .is_none());
    // Default file present.
    let default = dir.join("oidc-token");
    std::fs::write(&default, format!("{JWT}\n")).unwrap();
    let cfg = cfg.with_default_token_file(&default);
    let found = detect_ambient(&env(&[]), &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::TokenFile);
    assert_eq!(found.token(), JWT);
    // Explicit file wins over the default; a missing explicit file is an error.
    let explicit = dir.join("explicit");
    std::fs::write(&explicit, "a.b.c").unwrap();
    let e = env(&[("SIGSTORE_ID_TOKEN_FILE", explicit.to_str().unwrap())]);
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.token(), "a.b.c");
    let missing = dir.join("missing");
    let e = env(&[("SIGSTORE_ID_TOKEN_FILE", missing.to_str().unwrap())]);
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(matches!(err, Error::TokenFile { .. }), "{err:?}");
    // Empty and oversized files.
    std::fs::write(&explicit, "  \n").unwrap();
    let e = env(&[("SIGSTORE_ID_TOKEN_FILE", explicit.to_str().unwrap())]);
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(matches!(err, Error::MalformedCredential { .. }), "{err:?}");
    std::fs::write(&explicit, "a".repeat(200_000)).unwrap();
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(matches!(err, Error::MalformedCredential { .. }), "{err:?}");
}

#[tokio::test]
async fn order_and_priority() {
    let dir = temp_dir("order");
    let server = github_server(CannedResponse::json(200, &json!({"value": "gh.gh.gh"}))).await;
    let token_file = dir.join("file-token");
    std::fs::write(&token_file, "file.file.file").unwrap();
    let cfg = config(&dir).with_default_token_file(&token_file);

    let mut e = github_env(&server, "/token");
    e.insert("GITLAB_CI".into(), "true".into());
    e.insert("SIGSTORE_ID_TOKEN".into(), "env.env.env".into());
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::GitHubActions);
    assert_eq!(found.token(), "gh.gh.gh");

    e.remove("GITHUB_ACTIONS");
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::GitLab);
    assert_eq!(found.token(), "env.env.env");

    e.remove("GITLAB_CI");
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::TokenFile);

    let found = detect_ambient(&e, &config(&dir)).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::Environment);
    assert_eq!(found.token(), "env.env.env");

    // Empty flag values count as unset.
    let e = env(&[("GITHUB_ACTIONS", ""), ("GITLAB_CI", " ")]);
    assert!(detect_ambient(&e, &config(&dir)).await.unwrap().is_none());
    assert!(detect_ambient(&env(&[]), &config(&dir))
        .await
        .unwrap()
        .is_none());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn disable_ambient_providers() {
    let dir = temp_dir("disable");
    let server = github_server(CannedResponse::json(200, &json!({"value": "gh.gh.gh"}))).await;
    let token_file = dir.join("file-token");
    std::fs::write(&token_file, "file.file.file").unwrap();
    let cfg = config(&dir)
        .with_default_token_file(&token_file)
        .with_ambient_providers_disabled(true);
    let mut e = github_env(&server, "/token");
    e.insert("GITLAB_CI".into(), "true".into());
    e.insert("BUILDKITE".into(), "true".into());
    e.insert("GOOGLE_SERVICE_ACCOUNT_NAME".into(), "a@b.c".into());
    // Only the explicitly given token is used.
    assert!(detect_ambient(&e, &cfg).await.unwrap().is_none());
    e.insert("SIGSTORE_ID_TOKEN".into(), "env.env.env".into());
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::Environment);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn detected_token_decodes() {
    use base64::Engine as _;
    let dir = temp_dir("decode");
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let now = 1_700_000_000i64;
    let claims = json!({
        "iss": "https://gitlab.com", "sub": "project_path:g/p:ref_type:branch:ref:main",
        "aud": "sigstore", "iat": now, "exp": now + 60,
    });
    let token = format!("{}.{}.c2ln", b64(&json!({"alg": "RS256"})), b64(&claims));
    let e = env(&[("GITLAB_CI", "true"), ("SIGSTORE_ID_TOKEN", &token)]);
    let found = detect_ambient(&e, &config(&dir)).await.unwrap().unwrap();
    let id = found
        .identity_token(sigstore_types::Timestamp::from_unix(now))
        .unwrap();
    assert_eq!(id.identity(), "project_path:g/p:ref_type:branch:ref:main");
    let err = found
        .identity_token(sigstore_types::Timestamp::from_unix(now + 3600))
        .unwrap_err();
    assert!(matches!(err, Error::TokenExpired { .. }), "{err:?}");
}

#[test]
fn process_env_is_an_env() {
    // The trait object works for both the real environment and maps.
    let real: &dyn Env = &sigstore_oidc::ProcessEnv;
    let _ = real.var("PATH");
    let map = env(&[("A", "1")]);
    let injected: &dyn Env = &map;
    assert_eq!(injected.var("A").as_deref(), Some("1"));
    assert_eq!(injected.var("B"), None);
}
