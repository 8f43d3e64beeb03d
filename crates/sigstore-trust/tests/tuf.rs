//! Trust material over TUF as a library: offline from a real production cache (filled from the
//! pinned 2026-08-21 snapshot), offline with no cache, private instances, unreachable
//! repositories, and trust-instance storing what offline use needs.
#![cfg(feature = "tuf")]
#![allow(clippy::unwrap_used)]

use std::path::Path;

use sigstore_test_support::TempDir;
use sigstore_trust::tuf::{self, CacheDirs, LoadOptions, Need, Origin};
use sigstore_trust::{Error, Instance, PRODUCTION, SIGNING_CONFIG_TARGET, TRUSTED_ROOT_TARGET};
use sigstore_tuf::{FsTransport, Tuf};
use sigstore_types::Timestamp;

/// A fresh `sigstore-trust-<tag>-…` directory, removed when the guard is dropped.
fn temp_dir(tag: &str) -> TempDir {
    TempDir::new(&format!("sigstore-trust-{tag}"))
}

fn dirs(base: &Path, instance: &Instance) -> CacheDirs {
    CacheDirs::under(&base.join("data"), &base.join("cache"), instance)
}

fn offline(dirs: CacheDirs) -> LoadOptions {
    LoadOptions {
        offline: true,
        dirs: Some(dirs),
        ..LoadOptions::default()
    }
}

/// Fills `dirs` as a refresh on 2026-08-22 would have, from the pinned production snapshot;
/// `targets` are downloaded.
fn fill_production_cache(dirs: &CacheDirs, targets: &[&str]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut tuf = Tuf::with_cache_dirs(
            PRODUCTION.tuf_root,
            &dirs.metadata,
            &dirs.targets,
            FsTransport::new(sigstore_test_support::tuf_production_repo()),
        )
        .unwrap();
        tuf.refresh(Timestamp::parse_rfc3339("2026-08-22T00:00:00Z").unwrap())
            .await
            .unwrap();
        for target in targets {
            tuf.get_target(target).await.unwrap();
        }
    });
}

#[test]
fn offline_without_a_cache_uses_the_embedded_material() {
    let base = temp_dir("no-cache");
    let options = offline(dirs(&base, &Instance::Production));
    let loaded = tuf::load(
        &Instance::Production,
        Need::Signing { rekor_v2: false },
        &options,
    )
    .unwrap();
    assert_eq!(loaded.trusted_root_origin, Origin::Embedded);
    assert_eq!(loaded.signing_config_origin, Some(Origin::Embedded));
    assert!(loaded.cache.is_none());
    assert_eq!(loaded.trusted_root, PRODUCTION.trusted_root().unwrap());
    assert_eq!(
        loaded.signing_config.unwrap(),
        PRODUCTION.signing_config().unwrap()
    );
    assert_eq!(loaded.notes.len(), 1, "{:?}", loaded.notes);
    assert!(loaded.notes[0].contains("embedded in this build"));
    // Verification needs no signing config.
    let loaded = tuf::load(&Instance::Production, Need::TrustedRoot, &options).unwrap();
    assert!(loaded.signing_config.is_none() && loaded.signing_config_origin.is_none());
}

#[test]
fn offline_uses_the_cache_and_reports_its_age() {
    let base = temp_dir("cache");
    let d = dirs(&base, &Instance::Production);
    fill_production_cache(&d, &[TRUSTED_ROOT_TARGET, SIGNING_CONFIG_TARGET]);
    let options = offline(d.clone());

    let loaded = tuf::load(
        &Instance::Production,
        Need::Signing { rekor_v2: false },
        &options,
    )
    .unwrap();
    assert_eq!(
        loaded.trusted_root_origin,
        Origin::Cached(TRUSTED_ROOT_TARGET)
    );
    assert_eq!(
        loaded.signing_config_origin,
        Some(Origin::Cached(SIGNING_CONFIG_TARGET))
    );
    let cache = loaded.cache.clone().unwrap();
    assert!(cache.age_seconds > 0);
    // The snapshot's timestamp expired on 2026-08-28: offline use says so and goes on.
    assert!(cache.expired);
    assert!(
        loaded.notes[0].contains("last refreshed"),
        "{:?}",
        loaded.notes
    );
    assert!(
        loaded.notes[0].contains("expired since"),
        "{:?}",
        loaded.notes
    );
    assert_eq!(loaded.trusted_root, PRODUCTION.trusted_root().unwrap());

    // Rekor v2 asked for, listed by the repository but never downloaded: the cached default
    // signing config, with a note naming both.
    let loaded = tuf::load(
        &Instance::Production,
        Need::Signing { rekor_v2: true },
        &options,
    )
    .unwrap();
    assert_eq!(
        loaded.signing_config_origin,
        Some(Origin::Cached(SIGNING_CONFIG_TARGET))
    );
    assert!(
        loaded.notes.iter().any(|n| n.contains(
            "signing_config_rekor_v2.v0.2.json is not cached; using the cached signing_config.v0.2.json"
        )),
        "{:?}",
        loaded.notes
    );

    // A cached target that was tampered with is an error, never a fallback.
    std::fs::write(d.targets.join(TRUSTED_ROOT_TARGET), b"{}").unwrap();
    let e = tuf::load(&Instance::Production, Need::TrustedRoot, &options).unwrap_err();
    assert!(
        matches!(e, Error::CachedTarget { target, .. } if target == TRUSTED_ROOT_TARGET),
        "{e}"
    );
}

#[test]
fn a_cache_missing_a_target_falls_back_to_the_embedded_one_with_a_note() {
    let base = temp_dir("partial");
    let d = dirs(&base, &Instance::Production);
    fill_production_cache(&d, &[SIGNING_CONFIG_TARGET]);
    let loaded = tuf::load(&Instance::Production, Need::TrustedRoot, &offline(d)).unwrap();
    assert_eq!(loaded.trusted_root_origin, Origin::Embedded);
    assert!(loaded.cache.is_some());
    assert!(
        loaded
            .notes
            .iter()
            .any(|n| n
                .contains("trusted_root.json is not cached; using the trusted_root.json embedded")),
        "{:?}",
        loaded.notes
    );
}

#[test]
fn private_instances_need_their_root_and_a_cache() {
    let base = temp_dir("private");
    let instance = Instance::parse("http://127.0.0.1:9/tuf").unwrap();
    let d = dirs(&base, &instance);
    // Not trusted yet: online and offline.
    for offline_mode in [false, true] {
        let options = LoadOptions {
            offline: offline_mode,
            dirs: Some(d.clone()),
            ..LoadOptions::default()
        };
        let e = tuf::load(&instance, Need::TrustedRoot, &options).unwrap_err();
        assert!(
            matches!(e, Error::NotTrusted { ref url } if url == "http://127.0.0.1:9/tuf"),
            "{e}"
        );
    }
    // trust-instance without contacting it stores the root and nothing else.
    let root = sigstore_test_support::tuf_production_repo().join("metadata/15.root.json");
    let http = sigstore_http::HttpConfig::default().with_retries(0);
    let summary = tuf::trust_instance(&root, &instance, true, &http, Some(&d)).unwrap();
    assert_eq!(summary.root_version, 15);
    assert!(!summary.refreshed);
    assert!(d.bootstrap_path().is_file());
    // Offline there is nothing cached and nothing embedded: an error naming what is missing.
    let e = tuf::load(&instance, Need::TrustedRoot, &offline(d.clone())).unwrap_err();
    assert!(matches!(e, Error::NotCached { .. }), "{e}");
    // Online, nothing listens there: unreachable, with no embedded fallback to suggest.
    let options = LoadOptions {
        dirs: Some(d.clone()),
        http: http.clone(),
        ..LoadOptions::default()
    };
    let e = tuf::load(&instance, Need::TrustedRoot, &options).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unreachable {
                embedded: false,
                ..
            }
        ),
        "{e}"
    );
    // A file that is not a TUF root is refused and nothing is replaced.
    let not_root = sigstore_test_support::trust_file("production", "trusted_root.json");
    let e = tuf::trust_instance(&not_root, &instance, true, &http, Some(&d)).unwrap_err();
    assert!(matches!(e, Error::BadRoot { .. }), "{e}");
    assert_eq!(
        std::fs::read(d.bootstrap_path()).unwrap(),
        std::fs::read(&root).unwrap()
    );
}
