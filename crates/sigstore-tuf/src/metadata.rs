//! TUF metadata parsing and the pure, synchronous client state machine (TUF 1.0 §5).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sigstore_crypto::{HashAlgorithm, KeyType, PublicKey, SignatureAlgorithm};
use sigstore_types::Timestamp;

use crate::canonical::canonicalize;
use crate::{Error, Role};

/// DER prefix of an Ed25519 `SubjectPublicKeyInfo` (RFC 8410) before the 32-byte key.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// DER prefix of a P-256 `SubjectPublicKeyInfo` before the 65-byte uncompressed point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// DER prefix of a P-256 `SubjectPublicKeyInfo` before the 33-byte compressed point.
const P256_COMPRESSED_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
];

/// Most signatures looked at per metadata file.
const MAX_SIGNATURES: usize = 64;

/// A key a role can be signed by.
#[derive(Debug, Clone)]
struct Key {
    public: PublicKey,
    algorithm: SignatureAlgorithm,
    /// The key material that identifies the key whatever its key ID or encoding: signatures
    /// toward a threshold count once per identity, so one key listed under several key IDs
    /// (or encodings) cannot meet a threshold alone.
    identity: Vec<u8>,
}

/// The identity of a key for threshold counting: a type tag and, for Ed25519, the 32-byte key;
/// for P-256, the point's X coordinate, so that the compressed and uncompressed encodings of
/// one point (and of its negation, whose private key is the negated scalar, known to the same
/// holder) are one key. `None` (the key is then unusable) for any other encoding.
fn key_identity(key: &PublicKey) -> Option<Vec<u8>> {
    let spki = key.spki_der();
    let (tag, material) = match key.key_type() {
        KeyType::Ed25519 => match spki.strip_prefix(&ED25519_SPKI_PREFIX[..])? {
            raw if raw.len() == 32 => (b'e', raw),
            _ => return None,
        },
        KeyType::EcdsaP256 => {
            let x = if let Some(point) = spki.strip_prefix(&P256_SPKI_PREFIX[..]) {
                match point {
                    [0x04, xy @ ..] if xy.len() == 64 => xy.get(..32)?,
                    _ => return None,
                }
            } else {
                match spki.strip_prefix(&P256_COMPRESSED_SPKI_PREFIX[..])? {
                    [0x02 | 0x03, x @ ..] if x.len() == 32 => x,
                    _ => return None,
                }
            };
            (b'p', x)
        }
        _ => return None,
    };
    let mut identity = Vec::with_capacity(1 + material.len());
    identity.push(tag);
    identity.extend_from_slice(material);
    Some(identity)
}

/// The key IDs and threshold of one top-level role.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RoleKeys {
    keyids: BTreeSet<String>,
    threshold: u64,
}

/// A verified root: its keys and role assignments.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    version: u64,
    expires: Timestamp,
    consistent_snapshot: bool,
    keys: BTreeMap<String, Key>,
    roles: BTreeMap<Role, RoleKeys>,
}

/// Version, length and hashes of a metadata file as another role lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MetaFile {
    version: u64,
    length: Option<u64>,
    hashes: BTreeMap<String, String>,
}

/// What the targets metadata says about one target file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    /// The exact length in bytes.
    pub length: u64,
    /// Hash algorithm name (`sha256`, `sha512`, ...) to lowercase hex digest.
    pub hashes: BTreeMap<String, String>,
}

impl TargetInfo {
    /// The SHA-256 hex digest, used in consistent-snapshot file names.
    pub fn sha256(&self) -> Option<&str> {
        self.hashes.get("sha256").map(String::as_str)
    }
}

#[derive(Debug, Clone)]
struct Timestamped {
    version: u64,
    expires: Timestamp,
    snapshot: MetaFile,
}

#[derive(Debug, Clone)]
struct Snapshot {
    version: u64,
    expires: Timestamp,
    meta: BTreeMap<String, MetaFile>,
}

#[derive(Debug, Clone)]
struct Targets {
    version: u64,
    expires: Timestamp,
    targets: BTreeMap<String, TargetInfo>,
}

/// A parsed envelope: the `signed` object, its canonical bytes, and the signatures.
struct Envelope {
    signed: serde_json::Map<String, Value>,
    canonical: Vec<u8>,
    signatures: Vec<(String, Vec<u8>)>,
}

fn malformed(role: Role, field: &'static str) -> Error {
    Error::Malformed { role, field }
}

fn parse_envelope(role: Role, bytes: &[u8]) -> Result<Envelope, Error> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|source| Error::Json { role, source })?;
    let Value::Object(mut top) = value else {
        return Err(malformed(role, "top level"));
    };
    let Some(Value::Object(signed)) = top.remove("signed") else {
        return Err(malformed(role, "signed"));
    };
    let Some(Value::Array(sigs)) = top.remove("signatures") else {
        return Err(malformed(role, "signatures"));
    };
    let kind = signed.get("_type").and_then(Value::as_str);
    if kind != Some(role.type_name()) {
        return Err(Error::WrongType {
            role,
            found: kind.unwrap_or_default().to_owned(),
        });
    }
    let spec = signed.get("spec_version").and_then(Value::as_str);
    if !spec.is_some_and(|s| s == "1" || s.starts_with("1.")) {
        return Err(malformed(role, "spec_version"));
    }
    let canonical = canonicalize(&Value::Object(signed.clone()))
        .map_err(|source| Error::Canonical { role, source })?;
    let mut signatures = Vec::new();
    for sig in sigs.iter().take(MAX_SIGNATURES) {
        let keyid = sig
            .get("keyid")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(role, "signatures.keyid"))?;
        let hex_sig = sig
            .get("sig")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(role, "signatures.sig"))?;
        // An empty or undecodable signature counts for nothing (roots carry empty
        // placeholders for keys that did not sign).
        if let Ok(raw) = hex::decode(hex_sig) {
            if !raw.is_empty() {
                signatures.push((keyid.to_owned(), raw));
            }
        }
    }
    Ok(Envelope {
        signed,
        canonical,
        signatures,
    })
}

fn get_u64(
    role: Role,
    obj: &serde_json::Map<String, Value>,
    field: &'static str,
) -> Result<u64, Error> {
    obj.get(field)
        .and_then(Value::as_u64)
        .ok_or_else(|| malformed(role, field))
}

fn get_expires(role: Role, obj: &serde_json::Map<String, Value>) -> Result<Timestamp, Error> {
    let text = obj
        .get("expires")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(role, "expires"))?;
    Timestamp::parse_rfc3339(text).map_err(|_| malformed(role, "expires"))
}

fn get_version(role: Role, obj: &serde_json::Map<String, Value>) -> Result<u64, Error> {
    let version = get_u64(role, obj, "version")?;
    if version == 0 {
        return Err(malformed(role, "version"));
    }
    Ok(version)
}

fn parse_hashes(role: Role, value: Option<&Value>) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    match value {
        None => {}
        Some(Value::Object(map)) => {
            for (alg, digest) in map {
                let digest = digest.as_str().ok_or_else(|| malformed(role, "hashes"))?;
                out.insert(alg.clone(), digest.to_ascii_lowercase());
            }
        }
        Some(_) => return Err(malformed(role, "hashes")),
    }
    Ok(out)
}

fn parse_meta_file(role: Role, value: &Value) -> Result<MetaFile, Error> {
    let obj = value.as_object().ok_or_else(|| malformed(role, "meta"))?;
    let version = get_version(role, obj)?;
    let length = match obj.get("length") {
        None => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| malformed(role, "meta.length"))?),
    };
    Ok(MetaFile {
        version,
        length,
        hashes: parse_hashes(role, obj.get("hashes"))?,
    })
}

fn parse_key(value: &Value) -> Option<Key> {
    let keytype = value.get("keytype")?.as_str()?;
    let scheme = value.get("scheme")?.as_str()?;
    let public = value.get("keyval")?.get("public")?.as_str()?;
    match (keytype, scheme) {
        ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => {
            let key = if public.starts_with("-----BEGIN") {
                PublicKey::from_pem(public.as_bytes()).ok()?
            } else {
                // Early Sigstore roots (v1-v4) give the uncompressed point in hex.
                let point = hex::decode(public).ok()?;
                if point.len() != 65 {
                    return None;
                }
                let mut spki = P256_SPKI_PREFIX.to_vec();
                spki.extend_from_slice(&point);
                PublicKey::from_spki_der(&spki).ok()?
            };
            if key.key_type() != KeyType::EcdsaP256 {
                return None;
            }
            Some(Key {
                identity: key_identity(&key)?,
                public: key,
                algorithm: SignatureAlgorithm::EcdsaSha256,
            })
        }
        ("ed25519", "ed25519") => {
            let raw = hex::decode(public).ok()?;
            if raw.len() != 32 {
                return None;
            }
            let mut spki = ED25519_SPKI_PREFIX.to_vec();
            spki.extend_from_slice(&raw);
            let key = PublicKey::from_spki_der(&spki).ok()?;
            if key.key_type() != KeyType::Ed25519 {
                return None;
            }
            Some(Key {
                identity: key_identity(&key)?,
                public: key,
                algorithm: SignatureAlgorithm::Ed25519,
            })
        }
        _ => None,
    }
}

fn parse_root(bytes: &[u8]) -> Result<(Root, Envelope), Error> {
    let role = Role::Root;
    let env = parse_envelope(role, bytes)?;
    let s = &env.signed;
    let version = get_version(role, s)?;
    let expires = get_expires(role, s)?;
    let consistent_snapshot = s
        .get("consistent_snapshot")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let keys_obj = s
        .get("keys")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed(role, "keys"))?;
    let mut keys = BTreeMap::new();
    for (keyid, value) in keys_obj {
        // Keys of unsupported types stay unusable: their signatures never count.
        if let Some(key) = parse_key(value) {
            keys.insert(keyid.clone(), key);
        }
    }
    let roles_obj = s
        .get("roles")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed(role, "roles"))?;
    let mut roles = BTreeMap::new();
    for r in [Role::Root, Role::Timestamp, Role::Snapshot, Role::Targets] {
        let entry = roles_obj
            .get(r.type_name())
            .and_then(Value::as_object)
            .ok_or_else(|| malformed(role, "roles"))?;
        let threshold = get_u64(role, entry, "threshold")?;
        if threshold == 0 {
            return Err(malformed(role, "roles.threshold"));
        }
        let ids = entry
            .get("keyids")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(role, "roles.keyids"))?;
        let mut keyids = BTreeSet::new();
        for id in ids {
            keyids.insert(
                id.as_str()
                    .ok_or_else(|| malformed(role, "roles.keyids"))?
                    .to_owned(),
            );
        }
        roles.insert(r, RoleKeys { keyids, threshold });
    }
    Ok((
        Root {
            version,
            expires,
            consistent_snapshot,
            keys,
            roles,
        },
        env,
    ))
}

impl Root {
    /// Checks that a threshold of distinct keys of `role` (as this root assigns them) signed
    /// `env`; `signed_role` names the metadata being checked, for errors.
    ///
    /// Keys are told apart by their key material, not their key IDs: a key the role lists
    /// under several key IDs counts once however many of them carry a valid signature.
    fn verify(&self, role: Role, signed_role: Role, env: &Envelope) -> Result<(), Error> {
        let keys = self.roles.get(&role).ok_or(Error::Malformed {
            role: Role::Root,
            field: "roles",
        })?;
        let mut valid: BTreeSet<&[u8]> = BTreeSet::new();
        for (keyid, sig) in &env.signatures {
            if !keys.keyids.contains(keyid) {
                continue;
            }
            let Some(key) = self.keys.get(keyid) else {
                continue;
            };
            if valid.contains(key.identity.as_slice()) {
                continue;
            }
            if key
                .public
                .verify(key.algorithm, &env.canonical, sig)
                .is_ok()
            {
                valid.insert(&key.identity);
            }
        }
        let count = valid.len();
        if u64::try_from(count).unwrap_or(u64::MAX) >= keys.threshold {
            Ok(())
        } else {
            Err(Error::InsufficientSignatures {
                role: signed_role,
                valid: count,
                threshold: keys.threshold,
                root_version: self.version,
            })
        }
    }
}

fn check_expiry(role: Role, expires: Timestamp, now: Timestamp) -> Result<(), Error> {
    if now >= expires {
        Err(Error::Expired { role, expires })
    } else {
        Ok(())
    }
}

/// Checks `bytes` against the length and hashes another role lists for it. Listed hashes of
/// which none is of a supported algorithm count as a mismatch: they cannot be checked.
fn check_meta_hashes(role: Role, meta: &MetaFile, bytes: &[u8]) -> Result<(), Error> {
    if let Some(length) = meta.length {
        let found = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if found != length {
            return Err(Error::LengthMismatch {
                role,
                expected: length,
                found,
            });
        }
    }
    let mut checked = 0usize;
    for (alg, expected) in &meta.hashes {
        if let Some(algorithm) = hash_algorithm(alg) {
            if algorithm.digest(bytes).to_hex() != *expected {
                return Err(Error::HashMismatch { role });
            }
            checked += 1;
        }
    }
    if checked == 0 && !meta.hashes.is_empty() {
        return Err(Error::HashMismatch { role });
    }
    Ok(())
}

fn hash_algorithm(name: &str) -> Option<HashAlgorithm> {
    match name {
        "sha256" => Some(HashAlgorithm::Sha256),
        "sha384" => Some(HashAlgorithm::Sha384),
        "sha512" => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}

/// Checks a target file's bytes against its length and every supported hash; at least one
/// hash must be of a supported algorithm.
pub(crate) fn verify_target_bytes(
    name: &str,
    info: &TargetInfo,
    bytes: &[u8],
) -> Result<(), Error> {
    let found = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if found != info.length {
        return Err(Error::TargetLengthMismatch {
            name: name.to_owned(),
            expected: info.length,
            found,
        });
    }
    let mut checked = 0usize;
    for (alg, expected) in &info.hashes {
        if let Some(algorithm) = hash_algorithm(alg) {
            if algorithm.digest(bytes).to_hex() != *expected {
                return Err(Error::TargetHashMismatch {
                    name: name.to_owned(),
                    algorithm: alg.clone(),
                });
            }
            checked += 1;
        }
    }
    if checked == 0 {
        return Err(Error::NoSupportedHash {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// The trusted metadata set: what the client currently believes, each piece verified.
///
/// All methods are pure: they take bytes and the current time, and never do I/O.
#[derive(Debug, Clone)]
pub struct TrustedMetadata {
    root: Root,
    root_bytes: Vec<u8>,
    timestamp: Option<(Timestamped, Vec<u8>)>,
    snapshot: Option<(Snapshot, Vec<u8>)>,
    targets: Option<(Targets, Vec<u8>)>,
}

impl TrustedMetadata {
    /// Starts from a trusted root, which must be signed by a threshold of its own root keys.
    /// Its expiry is not checked here (see [`TrustedMetadata::check_root_expiry`]).
    pub fn new(root_bytes: &[u8]) -> Result<Self, Error> {
        let (root, env) = parse_root(root_bytes)?;
        root.verify(Role::Root, Role::Root, &env)?;
        Ok(Self {
            root,
            root_bytes: root_bytes.to_vec(),
            timestamp: None,
            snapshot: None,
            targets: None,
        })
    }

    /// The trusted root's version.
    pub fn root_version(&self) -> u64 {
        self.root.version
    }

    /// When the trusted root expires.
    pub fn root_expires(&self) -> Timestamp {
        self.root.expires
    }

    /// The trusted root's bytes.
    pub fn root_bytes(&self) -> &[u8] {
        &self.root_bytes
    }

    /// Whether the repository uses consistent snapshots (version- and hash-prefixed names).
    pub fn consistent_snapshot(&self) -> bool {
        self.root.consistent_snapshot
    }

    /// Moves to root version N+1: it must be signed by a threshold of both the trusted root's
    /// and its own root keys, and carry exactly version N+1. Trusted timestamp and snapshot are
    /// dropped when their keys changed.
    pub fn update_root(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let (new, env) = parse_root(bytes)?;
        self.root.verify(Role::Root, Role::Root, &env)?;
        let expected = self
            .root
            .version
            .checked_add(1)
            .ok_or(malformed(Role::Root, "version"))?;
        if new.version != expected {
            return Err(Error::VersionMismatch {
                role: Role::Root,
                expected,
                found: new.version,
            });
        }
        new.verify(Role::Root, Role::Root, &env)?;
        let rotated = |r: Role| self.root.roles.get(&r) != new.roles.get(&r);
        if rotated(Role::Timestamp) {
            self.timestamp = None;
            self.snapshot = None;
        } else if rotated(Role::Snapshot) {
            self.snapshot = None;
        }
        self.targets = None;
        self.root = new;
        self.root_bytes = bytes.to_vec();
        Ok(())
    }

    /// Fails with [`Error::Expired`] naming the root when it has expired at `now`.
    pub fn check_root_expiry(&self, now: Timestamp) -> Result<(), Error> {
        check_expiry(Role::Root, self.root.expires, now)
    }

    fn parse_timestamp(&self, bytes: &[u8]) -> Result<Timestamped, Error> {
        let role = Role::Timestamp;
        let env = parse_envelope(role, bytes)?;
        self.root.verify(role, role, &env)?;
        let s = &env.signed;
        let meta = s
            .get("meta")
            .and_then(|m| m.get("snapshot.json"))
            .ok_or_else(|| malformed(role, "meta"))?;
        Ok(Timestamped {
            version: get_version(role, s)?,
            expires: get_expires(role, s)?,
            snapshot: parse_meta_file(role, meta)?,
        })
    }

    /// Loads a previously trusted timestamp (from a cache) as the rollback reference: only
    /// its signatures are checked, not its expiry.
    pub fn load_cached_timestamp(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let ts = self.parse_timestamp(bytes)?;
        self.timestamp = Some((ts, bytes.to_vec()));
        Ok(())
    }

    /// Loads a previously trusted snapshot (from a cache) as the rollback reference: only its
    /// signatures are checked.
    pub fn load_cached_snapshot(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let snap = self.parse_snapshot(bytes)?;
        self.snapshot = Some((snap, bytes.to_vec()));
        Ok(())
    }

    /// Accepts a new timestamp: signed by the timestamp role, version and snapshot version not
    /// below the trusted ones, not expired at `now`.
    pub fn update_timestamp(&mut self, bytes: &[u8], now: Timestamp) -> Result<(), Error> {
        let role = Role::Timestamp;
        let ts = self.parse_timestamp(bytes)?;
        if let Some((old, _)) = &self.timestamp {
            if ts.version < old.version {
                return Err(Error::Rollback {
                    role,
                    trusted: old.version,
                    new: ts.version,
                });
            }
            if ts.snapshot.version < old.snapshot.version {
                return Err(Error::Rollback {
                    role: Role::Snapshot,
                    trusted: old.snapshot.version,
                    new: ts.snapshot.version,
                });
            }
        }
        check_expiry(role, ts.expires, now)?;
        self.timestamp = Some((ts, bytes.to_vec()));
        self.targets = None;
        Ok(())
    }

    /// The snapshot version, length and hashes the trusted timestamp names.
    pub fn snapshot_version(&self) -> Option<u64> {
        self.timestamp.as_ref().map(|(t, _)| t.snapshot.version)
    }

    /// The most bytes the snapshot may have per the timestamp, if it says.
    pub fn snapshot_length(&self) -> Option<u64> {
        self.timestamp.as_ref().and_then(|(t, _)| t.snapshot.length)
    }

    fn parse_snapshot(&self, bytes: &[u8]) -> Result<Snapshot, Error> {
        let role = Role::Snapshot;
        let env = parse_envelope(role, bytes)?;
        self.root.verify(role, role, &env)?;
        let s = &env.signed;
        let meta_obj = s
            .get("meta")
            .and_then(Value::as_object)
            .ok_or_else(|| malformed(role, "meta"))?;
        let mut meta = BTreeMap::new();
        for (name, value) in meta_obj {
            meta.insert(name.clone(), parse_meta_file(role, value)?);
        }
        Ok(Snapshot {
            version: get_version(role, s)?,
            expires: get_expires(role, s)?,
            meta,
        })
    }

    /// Accepts a new snapshot: length and hashes as the timestamp lists them, signed by the
    /// snapshot role, version equal to the timestamp's, no listed file's version below the
    /// trusted snapshot's, not expired at `now`.
    pub fn update_snapshot(&mut self, bytes: &[u8], now: Timestamp) -> Result<(), Error> {
        let role = Role::Snapshot;
        let (ts, _) = self.timestamp.as_ref().ok_or(Error::OutOfOrder)?;
        check_meta_hashes(role, &ts.snapshot, bytes)?;
        let expected = ts.snapshot.version;
        let snap = self.parse_snapshot(bytes)?;
        if snap.version != expected {
            return Err(Error::VersionMismatch {
                role,
                expected,
                found: snap.version,
            });
        }
        if let Some((old, _)) = &self.snapshot {
            for (name, old_meta) in &old.meta {
                match snap.meta.get(name) {
                    None => {
                        return Err(Error::MissingMeta {
                            role,
                            name: name.clone(),
                        })
                    }
                    Some(m) if m.version < old_meta.version => {
                        return Err(Error::Rollback {
                            role: if name == "targets.json" {
                                Role::Targets
                            } else {
                                role
                            },
                            trusted: old_meta.version,
                            new: m.version,
                        })
                    }
                    Some(_) => {}
                }
            }
        }
        check_expiry(role, snap.expires, now)?;
        self.snapshot = Some((snap, bytes.to_vec()));
        self.targets = None;
        Ok(())
    }

    /// The targets version the trusted snapshot names.
    pub fn targets_version(&self) -> Option<u64> {
        self.targets_meta().map(|m| m.version)
    }

    /// The targets length the trusted snapshot lists, if any.
    pub fn targets_length(&self) -> Option<u64> {
        self.targets_meta().and_then(|m| m.length)
    }

    fn targets_meta(&self) -> Option<&MetaFile> {
        self.snapshot
            .as_ref()
            .and_then(|(s, _)| s.meta.get("targets.json"))
    }

    fn parse_targets(&self, bytes: &[u8]) -> Result<Targets, Error> {
        let role = Role::Targets;
        let env = parse_envelope(role, bytes)?;
        self.root.verify(role, role, &env)?;
        let s = &env.signed;
        let obj = s
            .get("targets")
            .and_then(Value::as_object)
            .ok_or_else(|| malformed(role, "targets"))?;
        let mut targets = BTreeMap::new();
        for (name, value) in obj {
            let length = value
                .get("length")
                .and_then(Value::as_u64)
                .ok_or_else(|| malformed(role, "targets.length"))?;
            let hashes = parse_hashes(role, value.get("hashes"))?;
            targets.insert(name.clone(), TargetInfo { length, hashes });
        }
        Ok(Targets {
            version: get_version(role, s)?,
            expires: get_expires(role, s)?,
            targets,
        })
    }

    /// Accepts new top-level targets: length and hashes as the snapshot lists them, signed by
    /// the targets role, version equal to the snapshot's, not expired at `now`.
    pub fn update_targets(&mut self, bytes: &[u8], now: Timestamp) -> Result<(), Error> {
        let role = Role::Targets;
        let meta = self
            .targets_meta()
            .ok_or(Error::MissingMeta {
                role: Role::Snapshot,
                name: "targets.json".to_owned(),
            })?
            .clone();
        check_meta_hashes(role, &meta, bytes)?;
        let targets = self.parse_targets(bytes)?;
        if targets.version != meta.version {
            return Err(Error::VersionMismatch {
                role,
                expected: meta.version,
                found: targets.version,
            });
        }
        check_expiry(role, targets.expires, now)?;
        self.targets = Some((targets, bytes.to_vec()));
        Ok(())
    }

    /// Loads cached targets for offline use: signatures by the trusted root's targets keys are
    /// checked, freshness (expiry, snapshot version) is not.
    pub fn load_cached_targets(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let targets = self.parse_targets(bytes)?;
        self.targets = Some((targets, bytes.to_vec()));
        Ok(())
    }

    /// When the trusted targets metadata expires.
    pub fn targets_expires(&self) -> Option<Timestamp> {
        self.targets.as_ref().map(|(t, _)| t.expires)
    }

    /// The names of all top-level targets.
    pub fn target_names(&self) -> Vec<String> {
        self.targets
            .as_ref()
            .map(|(t, _)| t.targets.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// What the trusted targets metadata lists for `name`.
    pub fn target(&self, name: &str) -> Result<&TargetInfo, Error> {
        let (targets, _) = self.targets.as_ref().ok_or(Error::OutOfOrder)?;
        targets
            .targets
            .get(name)
            .ok_or_else(|| Error::UnknownTarget {
                name: name.to_owned(),
            })
    }

    /// Checks a downloaded target file against the trusted targets metadata.
    pub fn verify_target(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        verify_target_bytes(name, self.target(name)?, bytes)
    }
}
