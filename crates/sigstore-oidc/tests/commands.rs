//! Buildkite and CircleCI detection with fake `buildkite-agent` / `circleci` executables on an
//! injected PATH. One test function, so no other test forks while a script is being written.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sigstore_oidc::{detect_ambient, AmbientConfig, Error, Provider};

const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

fn write_script(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn env(vars: &[(&str, &str)], path: &Path) -> HashMap<String, String> {
    let mut map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    map.insert("PATH".into(), path.to_str().unwrap().to_owned());
    map
}

fn config(dir: &Path) -> AmbientConfig {
    AmbientConfig::default()
        .with_timeout(Duration::from_secs(10))
        .with_dmi_product_name_path(dir.join("no-dmi"))
        .with_default_token_file(dir.join("no-token-file"))
}

fn fresh_dir(dir: &Path, name: &str) -> PathBuf {
    let sub = dir.join(name);
    std::fs::create_dir_all(&sub).unwrap();
    sub
}

#[tokio::test]
async fn helper_programs() {
    let root = sigstore_test_support::TempDir::new("sigstore-oidc-commands");
    let cfg = config(&root);
    let mut passed = 0;

    // Buildkite: the exact arguments, stdout is the token.
    let bin = fresh_dir(&root, "bk-ok");
    write_script(
        &bin,
        "buildkite-agent",
        &format!(
            r#"if [ "$*" = "oidc request-token --audience sigstore" ]; then echo "{JWT}"; else echo "bad args: $*" >&2; exit 3; fi"#
        ),
    );
    let e = env(&[("BUILDKITE", "true")], &bin);
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::Buildkite);
    assert_eq!(found.token(), JWT);
    passed += 1;

    // Buildkite: the agent fails; stderr is reported, stdout (a token) is not.
    let bin = fresh_dir(&root, "bk-fail");
    write_script(
        &bin,
        "buildkite-agent",
        &format!("echo \"{JWT}\"; echo 'error: job token rejected' >&2; exit 2"),
    );
    let e = env(&[("BUILDKITE", "true")], &bin);
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    match &err {
        Error::CommandFailed {
            provider: Provider::Buildkite,
            code: Some(2),
            stderr,
            ..
        } => assert!(stderr.contains("job token rejected"), "{stderr}"),
        other => panic!("{other:?}"),
    }
    assert!(!format!("{err} {err:?}").contains(JWT));
    passed += 1;

    // Buildkite: output that is no JWT.
    let bin = fresh_dir(&root, "bk-garbage");
    write_script(&bin, "buildkite-agent", "echo 'Requesting token...'");
    let e = env(&[("BUILDKITE", "true")], &bin);
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::MalformedCredential {
                provider: Provider::Buildkite,
                ..
            }
        ),
        "{err:?}"
    );
    passed += 1;

    // Buildkite: not on PATH (an empty directory), or a non-executable file of that name.
    let empty = fresh_dir(&root, "empty");
    let e = env(&[("BUILDKITE", "true")], &empty);
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::CommandNotFound {
                program: "buildkite-agent",
                ..
            }
        ),
        "{err:?}"
    );
    let not_exec = fresh_dir(&root, "not-exec");
    std::fs::write(not_exec.join("buildkite-agent"), "#!/bin/sh\necho a.b.c\n").unwrap();
    let e = env(&[("BUILDKITE", "true")], &not_exec);
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(matches!(err, Error::CommandNotFound { .. }), "{err:?}");
    passed += 1;

    // Buildkite: the agent hangs past the timeout.
    let bin = fresh_dir(&root, "bk-hang");
    write_script(&bin, "buildkite-agent", "exec sleep 30");
    let e = env(&[("BUILDKITE", "true")], &bin);
    let quick = cfg.clone().with_timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = detect_ambient(&e, &quick).await.unwrap_err();
    assert!(matches!(err, Error::CommandTimeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    passed += 1;

    // CircleCI: exact arguments.
    let bin = fresh_dir(&root, "cci-ok");
    write_script(
        &bin,
        "circleci",
        &format!(
            r#"if [ "$1 $2 $3 $4" = "run oidc get --claims" ] && [ "$5" = '{{"aud":"sigstore"}}' ] && [ $# -eq 5 ]; then printf '%s' "{JWT}"; else echo "bad args: $*" >&2; exit 4; fi"#
        ),
    );
    let e = env(&[("CIRCLECI", "true")], &bin);
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::CircleCi);
    assert_eq!(found.token(), JWT);
    passed += 1;

    // CircleCI: failure, and the CLI missing.
    let bin = fresh_dir(&root, "cci-fail");
    write_script(&bin, "circleci", "echo 'not in a job' >&2; exit 1");
    let e = env(&[("CIRCLECI", "true")], &bin);
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::CommandFailed {
                provider: Provider::CircleCi,
                code: Some(1),
                ..
            }
        ),
        "{err:?}"
    );
    let e = env(&[("CIRCLECI", "true")], &empty);
    let err = detect_ambient(&e, &cfg).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::CommandNotFound {
                program: "circleci",
                ..
            }
        ),
        "{err:?}"
    );
    passed += 1;

    // Order: Buildkite before CircleCI; GitLab before both; disabled skips both.
    let bin = fresh_dir(&root, "both");
    write_script(&bin, "buildkite-agent", "echo bk.bk.bk");
    write_script(&bin, "circleci", "echo cci.cci.cci");
    let e = env(&[("BUILDKITE", "1"), ("CIRCLECI", "1")], &bin);
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::Buildkite);
    assert_eq!(found.token(), "bk.bk.bk");
    let e = env(
        &[
            ("BUILDKITE", "1"),
            ("CIRCLECI", "1"),
            ("GITLAB_CI", "1"),
            ("SIGSTORE_ID_TOKEN", "gl.gl.gl"),
        ],
        &bin,
    );
    let found = detect_ambient(&e, &cfg).await.unwrap().unwrap();
    assert_eq!(found.provider(), Provider::GitLab);
    let e = env(&[("BUILDKITE", "1"), ("CIRCLECI", "1")], &bin);
    let disabled = cfg.clone().with_ambient_providers_disabled(true);
    assert!(detect_ambient(&e, &disabled).await.unwrap().is_none());
    passed += 1;

    println!("helper program cases: {passed} passed, 0 failed");
    let _ = std::fs::remove_dir_all(&root);
}
