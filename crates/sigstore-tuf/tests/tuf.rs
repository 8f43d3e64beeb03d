//! The TUF client against the real production repository snapshot, tampered copies of it, and
//! small repositories signed with throwaway keys.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{json, Value};
use sigstore_crypto::SigningKey;
use sigstore_test_support::TempDir;
use sigstore_tuf::canonical::canonicalize;
use sigstore_tuf::{FsTransport, HttpTransport, OfflineTuf, Role, TrustedMetadata, Tuf};
use sigstore_types::Timestamp;

/// The production TUF root this project embeds.
fn production_root() -> Vec<u8> {
    std::fs::read(sigstore_test_support::trust_file("production", "root.json")).unwrap()
}

/// The staging TUF root this project embeds.
fn staging_root() -> Vec<u8> {
    std::fs::read(sigstore_test_support::trust_file("staging", "root.json")).unwrap()
}

const TARGETS: [&str; 3] = [
    "trusted_root.json",
    "signing_config.v0.2.json",
    "signing_config_rekor_v2.v0.2.json",
];

fn repo() -> PathBuf {
    sigstore_test_support::tuf_production_repo()
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

fn in_window() -> Timestamp {
    at("2026-08-22T00:00:00Z")
}

fn bootstrap() -> Vec<u8> {
    std::fs::read(repo().join("metadata/12.root.json")).unwrap()
}

/// A fresh `sigstore-tuf-<tag>-…` directory, removed when the guard is dropped.
fn temp_dir(tag: &str) -> TempDir {
    TempDir::new(&format!("sigstore-tuf-{tag}"))
}

/// A writable copy of the production repository.
fn copy_repo() -> TempDir {
    let dst = temp_dir("repo");
    for sub in ["metadata", "targets"] {
        std::fs::create_dir_all(dst.join(sub)).unwrap();
        for entry in std::fs::read_dir(repo().join(sub)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                let bytes = std::fs::read(entry.path()).unwrap();
                std::fs::write(dst.join(sub).join(entry.file_name()), bytes).unwrap();
            }
        }
    }
    dst
}

fn target_file(repo: &Path, name: &str) -> PathBuf {
    for entry in std::fs::read_dir(repo.join("targets")).unwrap() {
        let entry = entry.unwrap();
        let file = entry.file_name().into_string().unwrap();
        if file.len() > 65 && &file[65..] == name {
            return entry.path();
        }
    }
    panic!("no target {name}");
}

async fn refresh_and_fetch<T: sigstore_tuf::Transport>(tuf: &mut Tuf<T>) -> usize {
    assert_eq!(tuf.trusted().root_version(), 12);
    tuf.refresh(in_window()).await.unwrap();
    assert_eq!(tuf.trusted().root_version(), 15);
    let mut ok = 0;
    for name in TARGETS {
        let bytes = tuf.get_target(name).await.unwrap();
        tuf.trusted().verify_target(name, &bytes).unwrap();
        // The same bytes as the repository's `<sha256>.<name>`, whose prefix is their SHA-256.
        let file = target_file(&repo(), name);
        assert_eq!(bytes, std::fs::read(&file).unwrap(), "{name}");
        let prefix = file.file_name().unwrap().to_str().unwrap()[..64].to_owned();
        let sha = sigstore_crypto::HashAlgorithm::Sha256
            .digest(&bytes)
            .to_hex();
        assert_eq!(sha, prefix, "{name}");
        assert_eq!(tuf.trusted().target(name).unwrap().sha256(), Some(&*sha));
        if name == "trusted_root.json" {
            sigstore_types::TrustedRoot::from_json(&bytes).unwrap();
        } else {
            sigstore_types::SigningConfig::from_json(&bytes).unwrap();
        }
        ok += 1;
    }
    ok
}

#[tokio::test]
async fn production_repository_over_filesystem() {
    let cache = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache, FsTransport::new(repo())).unwrap();
    assert_eq!(tuf.trusted().root_version(), 12);
    let ok = refresh_and_fetch(&mut tuf).await;
    println!("production TUF repository (filesystem): {ok} targets verified, 0 failed");
    assert_eq!(ok, 3);
    // Cached files exist and the cache's root is now v15.
    for f in [
        "root.json",
        "timestamp.json",
        "snapshot.json",
        "targets.json",
        "refreshed_at",
    ] {
        assert!(cache.join("metadata").join(f).is_file(), "{f}");
    }
    let again = Tuf::new(&bootstrap(), &cache, FsTransport::new(repo())).unwrap();
    assert_eq!(again.trusted().root_version(), 15);

    // Offline mode: cached root and targets, with the cache's age reported.
    let later = at("2026-08-23T00:00:00Z");
    let offline = OfflineTuf::load(&bootstrap(), &cache, later).unwrap();
    assert_eq!(offline.age_seconds(), 86_400);
    assert_eq!(offline.refreshed_at(), in_window());
    assert!(!offline.is_expired());
    let bytes = offline.get_target("trusted_root.json").unwrap();
    sigstore_types::TrustedRoot::from_json(&bytes).unwrap();
    assert!(matches!(
        offline.get_target("nope"),
        Err(sigstore_tuf::Error::UnknownTarget { .. })
    ));
    let stale = OfflineTuf::load(&bootstrap(), &cache, at("2026-11-25T00:00:00Z")).unwrap();
    assert!(stale.is_expired());
    // A corrupted cached target is rejected offline.
    let cached = cache.join("targets/trusted_root.json");
    let mut b = std::fs::read(&cached).unwrap();
    b[10] ^= 1;
    std::fs::write(&cached, b).unwrap();
    assert!(matches!(
        offline.get_target("trusted_root.json"),
        Err(sigstore_tuf::Error::TargetHashMismatch { .. })
    ));
    // Online, a corrupted cache entry is replaced by a verified download.
    let mut tuf = Tuf::new(&bootstrap(), &cache, FsTransport::new(repo())).unwrap();
    tuf.refresh(in_window()).await.unwrap();
    tuf.get_target("trusted_root.json").await.unwrap();
    offline.get_target("trusted_root.json").unwrap();

    // Offline without a cache fails.
    let empty = temp_dir("empty");
    assert!(matches!(
        OfflineTuf::load(&bootstrap(), &empty, later),
        Err(sigstore_tuf::Error::CacheMissing { .. })
    ));
}

/// When the production snapshot's root v15 expires.
fn root_expiry() -> Timestamp {
    at("2026-11-20T13:58:18Z")
}

/// The real clock.
fn today() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix(i64::try_from(secs).unwrap())
}

/// The refresh at `now` must fail as expired, naming `role` in the error and its message.
async fn assert_expired<T: sigstore_tuf::Transport>(tuf: &mut Tuf<T>, now: Timestamp, role: Role) {
    let err = tuf.refresh(now).await.unwrap_err();
    let message = err.to_string();
    println!("expired at {now}: {message}");
    match err {
        sigstore_tuf::Error::Expired { role: r, expires } => {
            assert_eq!(r, role, "{message}");
            assert!(expires <= now);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        message.starts_with(&format!("{} metadata expired", role.type_name())),
        "the message names the role: {message}"
    );
    // Targets are unavailable without a successful refresh.
    assert!(matches!(
        tuf.get_target("trusted_root.json").await,
        Err(sigstore_tuf::Error::OutOfOrder)
    ));
}

#[tokio::test]
async fn production_repository_expired_today() {
    let cache = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache, FsTransport::new(repo())).unwrap();
    assert_expired(&mut tuf, at("2026-11-25T00:00:00Z"), Role::Root).await;
    // The root walk 12 -> 15 happened before the expiry check, and v15 is what expired.
    assert_eq!(tuf.trusted().root_version(), 15);
    assert_eq!(tuf.trusted().root_expires(), root_expiry());
    // At the real clock (after the root's expiry), the same.
    let now = today();
    assert!(
        now >= root_expiry(),
        "the machine's clock is before 2026-11-20"
    );
    let cache_a = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache_a, FsTransport::new(repo())).unwrap();
    assert_expired(&mut tuf, now, Role::Root).await;
    // Between the timestamp's expiry and the root's, the timestamp is named.
    let cache_b = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache_b, FsTransport::new(repo())).unwrap();
    assert_expired(&mut tuf, at("2026-09-01T00:00:00Z"), Role::Timestamp).await;
    // Targets are unavailable without a successful refresh.
    assert!(tuf.get_target("trusted_root.json").await.is_err());
}

#[tokio::test]
async fn embedded_roots_and_walk_from_v1() {
    let prod = TrustedMetadata::new(&production_root()).unwrap();
    assert_eq!(prod.root_version(), 15);
    // The network constructors build without fetching anything.
    let cache_c = temp_dir("cache");
    let tuf = Tuf::over_http(
        &production_root(),
        "https://tuf-repo-cdn.sigstore.dev",
        &cache_c,
    )
    .unwrap();
    assert_eq!(tuf.trusted().root_version(), 15);
    let cache_d = temp_dir("cache");
    let tuf = Tuf::over_http(
        &staging_root(),
        "https://tuf-repo-cdn.sigstage.dev",
        &cache_d,
    )
    .unwrap();
    assert!(tuf.trusted().root_version() >= 1);
    let staging = TrustedMetadata::new(&staging_root()).unwrap();
    assert!(staging.root_version() >= 1);
    // From v1 every rotation must verify up to v15.
    let v1 = std::fs::read(repo().join("metadata/1.root.json")).unwrap();
    let cache_e = temp_dir("cache");
    let mut tuf = Tuf::new(&v1, &cache_e, FsTransport::new(repo())).unwrap();
    tuf.refresh(in_window()).await.unwrap();
    assert_eq!(tuf.trusted().root_version(), 15);
    // The embedded production root needs no rotation.
    let cache_f = temp_dir("cache");
    let mut tuf = Tuf::new(&production_root(), &cache_f, FsTransport::new(repo())).unwrap();
    tuf.refresh(in_window()).await.unwrap();
    assert_eq!(tuf.trusted().root_version(), 15);
}

#[tokio::test]
async fn tampered_targets() {
    // A flipped byte: hash mismatch.
    let copy = copy_repo();
    let path = target_file(&copy, "trusted_root.json");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let cache_g = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache_g, FsTransport::new(&copy)).unwrap();
    tuf.refresh(in_window()).await.unwrap();
    match tuf.get_target("trusted_root.json").await {
        Err(sigstore_tuf::Error::TargetHashMismatch { name, algorithm }) => {
            assert_eq!(name, "trusted_root.json");
            assert_eq!(algorithm, "sha256");
        }
        other => panic!("{other:?}"),
    }
    // Oversized: one byte more than listed.
    let path = target_file(&copy, "signing_config.v0.2.json");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.push(b'\n');
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        tuf.get_target("signing_config.v0.2.json").await,
        Err(sigstore_tuf::Error::TooLarge { .. })
    ));
    // Truncated: length mismatch.
    let path = target_file(&copy, "signing_config_rekor_v2.v0.2.json");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    assert!(matches!(
        tuf.get_target("signing_config_rekor_v2.v0.2.json").await,
        Err(sigstore_tuf::Error::TargetLengthMismatch { .. })
    ));
    assert!(matches!(
        tuf.get_target("not-listed").await,
        Err(sigstore_tuf::Error::UnknownTarget { .. })
    ));
}

#[tokio::test]
async fn tampered_metadata() {
    // Timestamp with a changed byte: signature no longer valid.
    let copy = copy_repo();
    let ts = copy.join("metadata/timestamp.json");
    let text = std::fs::read_to_string(&ts).unwrap();
    std::fs::write(&ts, text.replace("\"version\": 762", "\"version\": 763")).unwrap();
    let cache_h = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache_h, FsTransport::new(&copy)).unwrap();
    match tuf.refresh(in_window()).await {
        Err(sigstore_tuf::Error::InsufficientSignatures { role, valid, .. }) => {
            assert_eq!(role, Role::Timestamp);
            assert_eq!(valid, 0);
        }
        other => panic!("{other:?}"),
    }

    // Root 13 replaced by one whose root keys are new and which only they sign.
    let copy = copy_repo();
    let path = copy.join("metadata/13.root.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let keys: Vec<SigningKey> = (0..3).map(|_| SigningKey::generate().unwrap()).collect();
    let ids: Vec<String> = (0..3).map(|i| format!("new-key-{i}")).collect();
    for (id, key) in ids.iter().zip(&keys) {
        doc["signed"]["keys"][id] = key_json(key);
    }
    doc["signed"]["roles"]["root"] = json!({"keyids": ids, "threshold": 3});
    let signed = sign(&doc["signed"], &keys.iter().zip(&ids).collect::<Vec<_>>());
    std::fs::write(&path, serde_json::to_vec(&signed).unwrap()).unwrap();
    let cache_i = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache_i, FsTransport::new(&copy)).unwrap();
    match tuf.refresh(in_window()).await {
        Err(sigstore_tuf::Error::InsufficientSignatures {
            role,
            root_version,
            valid,
            threshold,
        }) => {
            assert_eq!(role, Role::Root);
            assert_eq!(root_version, 12, "the old root's keys must reject it");
            assert_eq!((valid, threshold), (0, 3));
        }
        other => panic!("{other:?}"),
    }

    // An oversized timestamp.
    let copy = copy_repo();
    let ts = copy.join("metadata/timestamp.json");
    let mut bytes = std::fs::read(&ts).unwrap();
    bytes.extend(std::iter::repeat_n(b' ', 20_000));
    std::fs::write(&ts, bytes).unwrap();
    let cache_j = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache_j, FsTransport::new(&copy)).unwrap();
    assert!(matches!(
        tuf.refresh(in_window()).await,
        Err(sigstore_tuf::Error::TooLarge { .. })
    ));
}

// ---- Small repositories signed with throwaway keys. ----

fn key_json(key: &SigningKey) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD.encode(key.public_key().spki_der());
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    json!({"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": pem}})
}

fn sign(signed: &Value, keys: &[(&SigningKey, &String)]) -> Value {
    let bytes = canonicalize(signed).unwrap();
    let sigs: Vec<Value> = keys
        .iter()
        .map(|(k, id)| json!({"keyid": id, "sig": hex::encode(k.sign(&bytes))}))
        .collect();
    json!({"signatures": sigs, "signed": signed})
}

struct MiniRepo {
    dir: TempDir,
    key: SigningKey,
    id: String,
}

const FAR: &str = "2030-01-01T00:00:00Z";

impl MiniRepo {
    fn new() -> Self {
        let repo = Self {
            dir: temp_dir("mini"),
            key: SigningKey::generate().unwrap(),
            id: "k".to_owned(),
        };
        std::fs::create_dir_all(repo.dir.join("metadata")).unwrap();
        std::fs::create_dir_all(repo.dir.join("targets")).unwrap();
        let role = json!({"keyids": [repo.id], "threshold": 1});
        let root = json!({
            "_type": "root", "spec_version": "1.0", "version": 1, "expires": FAR,
            "consistent_snapshot": true,
            "keys": {repo.id.clone(): key_json(&repo.key)},
            "roles": {"root": role, "timestamp": role, "snapshot": role, "targets": role},
        });
        repo.write("1.root.json", &root);
        repo
    }

    fn write(&self, name: &str, signed: &Value) -> Vec<u8> {
        let doc = sign(signed, &[(&self.key, &self.id)]);
        let bytes = serde_json::to_vec(&doc).unwrap();
        std::fs::write(self.dir.join("metadata").join(name), &bytes).unwrap();
        bytes
    }

    fn root(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("metadata/1.root.json")).unwrap()
    }

    /// Writes timestamp `ts` naming snapshot `snap_named`, a snapshot file for that name whose
    /// content says `snap_actual`, listing targets `targets`, and the targets.
    fn publish(&self, ts: u64, snap_named: u64, snap_actual: u64, targets: u64) {
        let target = b"hello";
        let sha = sigstore_crypto::HashAlgorithm::Sha256
            .digest(target)
            .to_hex();
        std::fs::write(self.dir.join(format!("targets/{sha}.hello.txt")), target).unwrap();
        self.write(
            &format!("{targets}.targets.json"),
            &json!({"_type": "targets", "spec_version": "1.0", "version": targets,
                    "expires": FAR,
                    "targets": {"hello.txt": {"length": 5, "hashes": {"sha256": sha}}}}),
        );
        self.write(
            &format!("{snap_named}.snapshot.json"),
            &json!({"_type": "snapshot", "spec_version": "1.0", "version": snap_actual,
                    "expires": FAR, "meta": {"targets.json": {"version": targets}}}),
        );
        self.write(
            "timestamp.json",
            &json!({"_type": "timestamp", "spec_version": "1.0", "version": ts,
                    "expires": FAR, "meta": {"snapshot.json": {"version": snap_named}}}),
        );
    }
}

#[tokio::test]
async fn rollback_and_version_mismatch() {
    let now = at("2027-01-01T00:00:00Z");
    let mini = MiniRepo::new();
    let cache = temp_dir("cache");
    mini.publish(2, 2, 2, 2);
    let mut tuf = Tuf::new(&mini.root(), &cache, FsTransport::new(&mini.dir)).unwrap();
    tuf.refresh(now).await.unwrap();
    assert_eq!(tuf.get_target("hello.txt").await.unwrap(), b"hello");

    // The timestamp goes back to version 1: rollback against the cached one.
    mini.publish(1, 2, 2, 2);
    let mut tuf = Tuf::new(&mini.root(), &cache, FsTransport::new(&mini.dir)).unwrap();
    match tuf.refresh(now).await {
        Err(sigstore_tuf::Error::Rollback { role, trusted, new }) => {
            assert_eq!((role, trusted, new), (Role::Timestamp, 2, 1))
        }
        other => panic!("{other:?}"),
    }

    // Targets version goes back in a newer snapshot.
    mini.publish(3, 3, 3, 1);
    match tuf.refresh(now).await {
        Err(sigstore_tuf::Error::Rollback { role, .. }) => assert_eq!(role, Role::Targets),
        other => panic!("{other:?}"),
    }

    // The snapshot's version differs from what the timestamp names.
    mini.publish(4, 4, 5, 2);
    match tuf.refresh(now).await {
        Err(sigstore_tuf::Error::VersionMismatch {
            role,
            expected,
            found,
        }) => assert_eq!((role, expected, found), (Role::Snapshot, 4, 5)),
        other => panic!("{other:?}"),
    }

    // Back to a consistent state.
    mini.publish(5, 5, 5, 3);
    tuf.refresh(now).await.unwrap();
    assert_eq!(tuf.get_target("hello.txt").await.unwrap(), b"hello");
    // Expired targets are named.
    assert!(matches!(
        tuf.refresh(at("2031-01-01T00:00:00Z")).await,
        Err(sigstore_tuf::Error::Expired {
            role: Role::Root,
            ..
        })
    ));
}

#[tokio::test]
async fn verified_metadata_is_cached_even_when_the_refresh_fails() {
    let now = at("2027-01-01T00:00:00Z");
    let mini = MiniRepo::new();
    let cache = temp_dir("cache");
    mini.publish(1, 1, 1, 1);
    let mut tuf = Tuf::new(&mini.root(), &cache, FsTransport::new(&mini.dir)).unwrap();
    tuf.refresh(now).await.unwrap();
    // Timestamp v3 verifies; the snapshot it names does not match.
    mini.publish(3, 3, 4, 1);
    let mut tuf = Tuf::new(&mini.root(), &cache, FsTransport::new(&mini.dir)).unwrap();
    assert!(matches!(
        tuf.refresh(now).await,
        Err(sigstore_tuf::Error::VersionMismatch {
            role: Role::Snapshot,
            ..
        })
    ));
    // A later run must still refuse timestamp v2.
    mini.publish(2, 2, 2, 1);
    let mut tuf = Tuf::new(&mini.root(), &cache, FsTransport::new(&mini.dir)).unwrap();
    match tuf.refresh(now).await {
        Err(sigstore_tuf::Error::Rollback { role, trusted, new }) => {
            assert_eq!((role, trusted, new), (Role::Timestamp, 3, 2))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn metadata_hashes_of_unsupported_algorithms_only_are_a_mismatch() {
    let now = at("2027-01-01T00:00:00Z");
    let mini = MiniRepo::new();
    mini.publish(1, 1, 1, 1);
    mini.write(
        "timestamp.json",
        &json!({"_type": "timestamp", "spec_version": "1.0", "version": 1, "expires": FAR,
                "meta": {"snapshot.json": {"version": 1, "hashes": {"blake2b": "00"}}}}),
    );
    let cache_k = temp_dir("cache");
    let mut tuf = Tuf::new(&mini.root(), &cache_k, FsTransport::new(&mini.dir)).unwrap();
    assert!(matches!(
        tuf.refresh(now).await,
        Err(sigstore_tuf::Error::HashMismatch {
            role: Role::Snapshot
        })
    ));
}

#[test]
fn malformed_metadata_is_rejected() {
    let root = bootstrap();
    let mut bad = 0;
    for input in [
        &b""[..],
        &root[..root.len() / 2],
        b"null",
        b"[]",
        b"{\"signed\":{},\"signatures\":[]}",
        b"{\"signed\":{\"_type\":\"root\",\"spec_version\":\"1.0\",\"version\":1e400},\"signatures\":[]}",
        b"{\"signed\":{\"_type\":\"root\",\"spec_version\":\"1.0\",\"version\":99999999999999999999999},\"signatures\":[]}",
        b"{\"signed\":{\"_type\":\"timestamp\"},\"signatures\":[]}",
    ] {
        assert!(TrustedMetadata::new(input).is_err());
        bad += 1;
    }
    // A root whose signatures are stripped, or a threshold of 0.
    let mut doc: Value = serde_json::from_slice(&root).unwrap();
    doc["signatures"] = json!([{"keyid": "x", "sig": "zz"}]);
    assert!(matches!(
        TrustedMetadata::new(&serde_json::to_vec(&doc).unwrap()),
        Err(sigstore_tuf::Error::InsufficientSignatures { .. })
    ));
    let mut doc: Value = serde_json::from_slice(&root).unwrap();
    doc["signed"]["roles"]["root"]["threshold"] = json!(0);
    assert!(TrustedMetadata::new(&serde_json::to_vec(&doc).unwrap()).is_err());
    // Duplicate signatures by one key count once.
    let mini = MiniRepo::new();
    let mut doc: Value = serde_json::from_slice(&mini.root()).unwrap();
    doc["signed"]["roles"]["root"]["threshold"] = json!(2);
    let signed = sign(
        &doc["signed"],
        &[(&mini.key, &mini.id), (&mini.key, &mini.id)],
    );
    assert!(matches!(
        TrustedMetadata::new(&serde_json::to_vec(&signed).unwrap()),
        Err(sigstore_tuf::Error::InsufficientSignatures {
            valid: 1,
            threshold: 2,
            ..
        })
    ));
    println!("malformed TUF metadata: {bad} rejected, 0 accepted");
}

// ---- The same repository over HTTP on 127.0.0.1. ----

fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let rel = path.trim_start_matches('/');
            let file = if rel.starts_with("targets/") {
                dir.join(rel)
            } else {
                dir.join("metadata").join(rel)
            };
            let response = match (rel.contains(".."), std::fs::read(&file)) {
                (false, Ok(body)) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn production_repository_over_http() {
    let url = serve(repo());
    let transport =
        HttpTransport::new(&url, HttpTransport::default_config().with_retries(0)).unwrap();
    let cache_l = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache_l, transport).unwrap();
    let ok = refresh_and_fetch(&mut tuf).await;
    println!("production TUF repository (HTTP): {ok} targets verified, 0 failed");
    assert_eq!(ok, 3);
    // Today the same repository is expired, over HTTP too.
    let transport =
        HttpTransport::new(&url, HttpTransport::default_config().with_retries(0)).unwrap();
    let cache_m = temp_dir("cache");
    let mut tuf = Tuf::new(&bootstrap(), &cache_m, transport).unwrap();
    assert_expired(&mut tuf, today(), Role::Root).await;
}

#[test]
fn ed25519_root_keys() {
    use ed25519_dalek::Signer;
    let keys: Vec<ed25519_dalek::SigningKey> = (1u8..=2)
        .map(|i| ed25519_dalek::SigningKey::from_bytes(&[i; 32]))
        .collect();
    let mut key_map = serde_json::Map::new();
    for (i, k) in keys.iter().enumerate() {
        key_map.insert(
            format!("ed{i}"),
            json!({"keytype": "ed25519", "scheme": "ed25519",
                   "keyval": {"public": hex::encode(k.verifying_key().as_bytes())}}),
        );
    }
    let role = json!({"keyids": ["ed0", "ed1"], "threshold": 2});
    let signed = json!({
        "_type": "root", "spec_version": "1.0", "version": 1, "expires": FAR,
        "consistent_snapshot": true, "keys": key_map,
        "roles": {"root": role, "timestamp": role, "snapshot": role, "targets": role},
    });
    let msg = canonicalize(&signed).unwrap();
    let sig = |i: usize| json!({"keyid": format!("ed{i}"), "sig": hex::encode(keys[i].sign(&msg).to_bytes())});
    let both = json!({"signatures": [sig(0), sig(1)], "signed": signed});
    let root = TrustedMetadata::new(&serde_json::to_vec(&both).unwrap()).unwrap();
    assert_eq!(root.root_version(), 1);
    // One signature under a threshold of two, and a signature under the wrong key ID.
    let one = json!({"signatures": [sig(0)], "signed": signed});
    assert!(matches!(
        TrustedMetadata::new(&serde_json::to_vec(&one).unwrap()),
        Err(sigstore_tuf::Error::InsufficientSignatures {
            valid: 1,
            threshold: 2,
            ..
        })
    ));
    let swapped =
        json!({"signatures": [sig(0), {"keyid": "ed1", "sig": sig(0)["sig"]}], "signed": signed});
    assert!(matches!(
        TrustedMetadata::new(&serde_json::to_vec(&swapped).unwrap()),
        Err(sigstore_tuf::Error::InsufficientSignatures { valid: 1, .. })
    ));
}

/// A PEM `PUBLIC KEY` block for DER `SubjectPublicKeyInfo` bytes.
fn pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

/// The ECDSA key as a PEM of its compressed SEC1 point, and as the hex uncompressed point
/// early Sigstore roots use.
fn ecdsa_key_forms(key: &SigningKey) -> (Value, Value) {
    let spki = key.public_key().spki_der().to_vec();
    let point = &spki[spki.len() - 65..];
    assert_eq!(point[0], 0x04);
    let mut compressed = vec![
        0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
    ];
    compressed.push(0x02 | (point[64] & 1));
    compressed.extend_from_slice(&point[1..33]);
    let ecdsa = |public: String| json!({"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": public}});
    (ecdsa(pem(&compressed)), ecdsa(hex::encode(point)))
}

/// A root whose four roles all list `keyids` with `threshold`, signed under `signers`.
fn root_doc(
    keys: &serde_json::Map<String, Value>,
    keyids: &[&str],
    threshold: u64,
    sign_with: impl Fn(&[u8]) -> Vec<Value>,
) -> Vec<u8> {
    let role = json!({"keyids": keyids, "threshold": threshold});
    let signed = json!({
        "_type": "root", "spec_version": "1.0", "version": 1, "expires": FAR,
        "consistent_snapshot": true, "keys": keys,
        "roles": {"root": role, "timestamp": role, "snapshot": role, "targets": role},
    });
    let sigs = sign_with(&canonicalize(&signed).unwrap());
    serde_json::to_vec(&json!({"signatures": sigs, "signed": signed})).unwrap()
}

fn signatures_short(result: Result<TrustedMetadata, sigstore_tuf::Error>) -> (usize, u64) {
    match result {
        Err(sigstore_tuf::Error::InsufficientSignatures {
            valid, threshold, ..
        }) => (valid, threshold),
        other => panic!("{other:?}"),
    }
}

#[test]
fn one_key_under_two_key_ids_counts_once() {
    use ed25519_dalek::Signer;
    let mut checked = 0;
    // Ed25519: key 1 under "a" and "a-again", key 2 under "b"; threshold 2.
    let ed: Vec<ed25519_dalek::SigningKey> = (1u8..=2)
        .map(|i| ed25519_dalek::SigningKey::from_bytes(&[i; 32]))
        .collect();
    let ed_json = |k: &ed25519_dalek::SigningKey| {
        json!({"keytype": "ed25519", "scheme": "ed25519",
               "keyval": {"public": hex::encode(k.verifying_key().as_bytes())}})
    };
    let mut keys = serde_json::Map::new();
    keys.insert("a".into(), ed_json(&ed[0]));
    keys.insert("a-again".into(), ed_json(&ed[0]));
    keys.insert("b".into(), ed_json(&ed[1]));
    let ids = ["a", "a-again", "b"];
    let ed_sig = |id: &str, k: usize, msg: &[u8]| json!({"keyid": id, "sig": hex::encode(ed[k].sign(msg).to_bytes())});
    let twice = root_doc(&keys, &ids, 2, |m| {
        vec![ed_sig("a", 0, m), ed_sig("a-again", 0, m)]
    });
    assert_eq!(signatures_short(TrustedMetadata::new(&twice)), (1, 2));
    checked += 1;
    let two_keys = root_doc(&keys, &ids, 2, |m| {
        vec![ed_sig("a", 0, m), ed_sig("b", 1, m)]
    });
    TrustedMetadata::new(&two_keys).unwrap();
    // All three signatures: still only two keys, which meet a threshold of 2 but not 3.
    let all = |m: &[u8]| {
        vec![
            ed_sig("a", 0, m),
            ed_sig("a-again", 0, m),
            ed_sig("b", 1, m),
        ]
    };
    TrustedMetadata::new(&root_doc(&keys, &ids, 2, all)).unwrap();
    assert_eq!(
        signatures_short(TrustedMetadata::new(&root_doc(&keys, &ids, 3, all))),
        (2, 3)
    );
    checked += 1;

    // ECDSA: one key as an uncompressed PEM, a compressed PEM and an early-root hex point.
    let key = SigningKey::generate().unwrap();
    let (compressed, hex_point) = ecdsa_key_forms(&key);
    let mut keys = serde_json::Map::new();
    keys.insert("pem".into(), key_json(&key));
    keys.insert("compressed".into(), compressed);
    keys.insert("hex".into(), hex_point);
    let ec_sig = |id: &str, msg: &[u8]| json!({"keyid": id, "sig": hex::encode(key.sign(msg))});
    // Each form on its own verifies its signature.
    for id in ["pem", "compressed", "hex"] {
        TrustedMetadata::new(&root_doc(&keys, &[id], 1, |m| vec![ec_sig(id, m)])).unwrap();
    }
    for pair in [["pem", "compressed"], ["pem", "hex"], ["compressed", "hex"]] {
        let doc = root_doc(&keys, &pair, 2, |m| {
            pair.iter().map(|id| ec_sig(id, m)).collect()
        });
        assert_eq!(
            signatures_short(TrustedMetadata::new(&doc)),
            (1, 2),
            "{pair:?}"
        );
        checked += 1;
    }
    let ids = ["pem", "compressed", "hex"];
    let doc = root_doc(&keys, &ids, 2, |m| {
        ids.iter().map(|id| ec_sig(id, m)).collect()
    });
    assert_eq!(signatures_short(TrustedMetadata::new(&doc)), (1, 2));
    checked += 1;

    // Not only the root: a timestamp role listing one key twice with threshold 2.
    let mut keys = serde_json::Map::new();
    keys.insert("root".into(), ed_json(&ed[1]));
    keys.insert("ts".into(), ed_json(&ed[0]));
    keys.insert("ts-again".into(), ed_json(&ed[0]));
    let signed = json!({
        "_type": "root", "spec_version": "1.0", "version": 1, "expires": FAR,
        "consistent_snapshot": true, "keys": keys,
        "roles": {"root": {"keyids": ["root"], "threshold": 1},
                  "timestamp": {"keyids": ["ts", "ts-again"], "threshold": 2},
                  "snapshot": {"keyids": ["root"], "threshold": 1},
                  "targets": {"keyids": ["root"], "threshold": 1}},
    });
    let msg = canonicalize(&signed).unwrap();
    let root = json!({"signatures": [ed_sig("root", 1, &msg)], "signed": signed});
    let mut trusted = TrustedMetadata::new(&serde_json::to_vec(&root).unwrap()).unwrap();
    let ts = json!({"_type": "timestamp", "spec_version": "1.0", "version": 1, "expires": FAR,
                    "meta": {"snapshot.json": {"version": 1}}});
    let msg = canonicalize(&ts).unwrap();
    let doc = json!({"signatures": [ed_sig("ts", 0, &msg), ed_sig("ts-again", 0, &msg)],
                     "signed": ts});
    match trusted.update_timestamp(
        &serde_json::to_vec(&doc).unwrap(),
        at("2027-01-01T00:00:00Z"),
    ) {
        Err(sigstore_tuf::Error::InsufficientSignatures {
            role: Role::Timestamp,
            valid: 1,
            threshold: 2,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    checked += 1;
    println!("one key under several key IDs: {checked} cases counted once, 0 counted twice");
    assert_eq!(checked, 7);
}
