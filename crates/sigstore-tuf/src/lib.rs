//! A TUF 1.0 client for Sigstore's trust material (`trusted_root.json`, signing configs).
//!
//! The verification logic ([`TrustedMetadata`]) is pure and synchronous over bytes and an
//! injected clock. [`Tuf`] drives the client workflow of the TUF specification (§5) over a
//! [`Transport`] ([`HttpTransport`] or [`FsTransport`]) and keeps a cache directory:
//!
//! 1. load the trusted root (the cached one if it is at least as new as the bootstrap root);
//! 2. rotate through `N+1.root.json`, `N+2.root.json`, ... until one is not found; each new
//!    root must be signed by a threshold of both the old and its own root keys and carry
//!    exactly version N+1; then the final root must not be expired;
//! 3. `timestamp.json`: timestamp keys, no version rollback, not expired;
//! 4. `<V>.snapshot.json`: length and hashes from the timestamp, version match, no rollback
//!    of any listed file's version, not expired;
//! 5. `<V>.targets.json`: version from the snapshot, not expired (delegations are not
//!    followed);
//! 6. targets downloaded as `targets/<sha256>.<name>` and checked for length and hashes.
//!
//! Every download is capped ([`Limits`]). Key IDs are taken as the metadata lists them.
//!
//! Offline mode ([`OfflineTuf`]) uses only the cache: it checks signatures but not freshness,
//! and reports when the cache was last refreshed so callers can surface stale data.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod canonical;
mod client;
mod metadata;
mod transport;

pub use client::{encode_name, Limits, OfflineTuf, Tuf};
pub use metadata::{TargetInfo, TrustedMetadata};
pub use transport::{FsTransport, HttpTransport, Resource, Transport, TransportError};

use sigstore_types::Timestamp;

/// A top-level TUF role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Role {
    /// `root`.
    Root,
    /// `timestamp`.
    Timestamp,
    /// `snapshot`.
    Snapshot,
    /// `targets`.
    Targets,
}

impl Role {
    /// The role's `_type` and name in metadata.
    pub fn type_name(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::Timestamp => "timestamp",
            Role::Snapshot => "snapshot",
            Role::Targets => "targets",
        }
    }
}

impl core::fmt::Display for Role {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.type_name())
    }
}

/// Everything that can go wrong updating or using TUF metadata.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The metadata is not JSON.
    #[error("{role} metadata is not JSON")]
    Json {
        /// The role.
        role: Role,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A required field is missing or malformed.
    #[error("{role} metadata has a missing or malformed {field}")]
    Malformed {
        /// The role.
        role: Role,
        /// The field.
        field: &'static str,
    },
    /// The metadata's `_type` is not the role expected.
    #[error("expected {role} metadata, found type {found:?}")]
    WrongType {
        /// The role expected.
        role: Role,
        /// The `_type` found.
        found: String,
    },
    /// The `signed` object has no canonical JSON form.
    #[error("{role} metadata cannot be canonicalized")]
    Canonical {
        /// The role.
        role: Role,
        /// Why.
        #[source]
        source: canonical::CanonicalError,
    },
    /// Fewer distinct keys than the threshold produced valid signatures.
    #[error("{role} metadata has {valid} valid signatures, {threshold} needed (keys of root v{root_version})")]
    InsufficientSignatures {
        /// The metadata being verified.
        role: Role,
        /// Distinct keys with a valid signature.
        valid: usize,
        /// The threshold.
        threshold: u64,
        /// The version of the root whose keys were used (for a root update, the old one
        /// or the new one).
        root_version: u64,
    },
    /// The metadata has expired.
    #[error("{role} metadata expired at {expires}")]
    Expired {
        /// The role.
        role: Role,
        /// Its expiry.
        expires: Timestamp,
    },
    /// A version is lower than the trusted one.
    #[error("{role} version rolled back from {trusted} to {new}")]
    Rollback {
        /// The role.
        role: Role,
        /// The trusted version.
        trusted: u64,
        /// The version offered.
        new: u64,
    },
    /// A version differs from the one required (root N+1, snapshot/targets as listed).
    #[error("{role} version {found}, expected {expected}")]
    VersionMismatch {
        /// The role.
        role: Role,
        /// The version required.
        expected: u64,
        /// The version found.
        found: u64,
    },
    /// Metadata length differs from the length listed for it.
    #[error("{role} metadata is {found} bytes, {expected} listed")]
    LengthMismatch {
        /// The role.
        role: Role,
        /// The listed length.
        expected: u64,
        /// The actual length.
        found: u64,
    },
    /// Metadata hash differs from the hash listed for it, or none of the listed hashes is of
    /// a supported algorithm (sha256, sha384, sha512).
    #[error("{role} metadata does not match its listed hash")]
    HashMismatch {
        /// The role.
        role: Role,
    },
    /// A file the trusted snapshot listed is missing from the new one.
    #[error("{role} metadata does not list {name}")]
    MissingMeta {
        /// The role.
        role: Role,
        /// The missing file.
        name: String,
    },
    /// The targets metadata does not list this target.
    #[error("target {name:?} is not listed")]
    UnknownTarget {
        /// The target name.
        name: String,
    },
    /// The target's length differs from the listed one.
    #[error("target {name:?} is {found} bytes, {expected} listed")]
    TargetLengthMismatch {
        /// The target name.
        name: String,
        /// The listed length.
        expected: u64,
        /// The actual length.
        found: u64,
    },
    /// The target's hash differs from the listed one.
    #[error("target {name:?} does not match its {algorithm} hash")]
    TargetHashMismatch {
        /// The target name.
        name: String,
        /// The hash algorithm.
        algorithm: String,
    },
    /// The target lists no hash of a supported algorithm (sha256, sha384, sha512).
    #[error("target {name:?} has no supported hash")]
    NoSupportedHash {
        /// The target name.
        name: String,
    },
    /// The target name cannot be used (empty, or it would escape the targets directory).
    #[error("invalid target name {name:?}")]
    InvalidTargetName {
        /// The target name.
        name: String,
    },
    /// Metadata was offered before what it depends on (e.g. snapshot before timestamp).
    #[error("metadata updated out of order")]
    OutOfOrder,
    /// More root rotations than the limit.
    #[error("more than {limit} root rotations")]
    TooManyRootRotations {
        /// The limit.
        limit: u64,
    },
    /// A download exceeded its size cap.
    #[error("{resource} exceeds {limit} bytes")]
    TooLarge {
        /// What was downloaded.
        resource: String,
        /// The cap.
        limit: u64,
    },
    /// A download failed.
    #[error("cannot fetch {resource}")]
    Transport {
        /// What was downloaded.
        resource: String,
        /// The cause.
        #[source]
        source: TransportError,
    },
    /// Reading or writing the cache failed.
    #[error("cache I/O failed at {path}")]
    Cache {
        /// The path.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The cache lacks what offline mode needs.
    #[error("the cache has no {what}")]
    CacheMissing {
        /// What is missing.
        what: &'static str,
    },
}

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
