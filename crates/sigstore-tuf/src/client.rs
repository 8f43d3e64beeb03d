//! The TUF client workflow over a [`Transport`], with a cache directory.

use std::path::{Path, PathBuf};

use sigstore_types::Timestamp;

use crate::metadata::{verify_target_bytes, TrustedMetadata};
use crate::transport::{read_capped, Resource, Transport, TransportError};
use crate::{Error, Role, TargetInfo};

/// Most root rotations followed in one refresh.
const MAX_ROOT_ROTATIONS: u64 = 256;

/// Size caps for downloads, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Each `N.root.json`.
    pub root: u64,
    /// `timestamp.json`.
    pub timestamp: u64,
    /// `N.snapshot.json` when the timestamp lists no length.
    pub snapshot: u64,
    /// `N.targets.json` when the snapshot lists no length.
    pub targets: u64,
    /// Any target file (its listed length applies too).
    pub target: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            root: 512 * 1024,
            timestamp: 16 * 1024,
            snapshot: 2 * 1024 * 1024,
            targets: 5 * 1024 * 1024,
            target: 16 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// The largest of the caps.
    pub fn largest(&self) -> u64 {
        self.root
            .max(self.timestamp)
            .max(self.snapshot)
            .max(self.targets)
            .max(self.target)
    }
}

/// The cache: `<metadata>/{root,timestamp,snapshot,targets}.json`, `<metadata>/refreshed_at`
/// (Unix seconds of the last successful refresh) and `<targets>/<encoded name>`. With one
/// cache directory `<dir>`, `<metadata>` is `<dir>/metadata` and `<targets>` `<dir>/targets`.
#[derive(Debug, Clone)]
struct Cache {
    metadata: PathBuf,
    targets: PathBuf,
}

impl Cache {
    fn in_dir(dir: PathBuf) -> Self {
        Self {
            metadata: dir.join("metadata"),
            targets: dir.join("targets"),
        }
    }

    fn metadata_path(&self, name: &str) -> PathBuf {
        self.metadata.join(name)
    }

    fn target_path(&self, name: &str) -> PathBuf {
        self.targets.join(encode_name(name))
    }

    fn read(&self, path: &Path, max: u64) -> Result<Option<Vec<u8>>, Error> {
        match read_capped(path, max) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(TransportError::NotFound) | Err(TransportError::TooLarge { .. }) => Ok(None),
            Err(TransportError::Io(source)) => Err(Error::Cache {
                path: path.to_owned(),
                source,
            }),
            Err(TransportError::Http(_)) => Ok(None),
        }
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        let err = |source| Error::Cache {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        // A temporary name of this process and write, so that concurrent writers never
        // rename each other's partial files into place.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(
            ".{}.{}.tmp",
            std::process::id(),
            WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let tmp = PathBuf::from(tmp);
        if let Err(e) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(err(e));
        }
        Ok(())
    }

    fn refreshed_at(&self) -> Option<Timestamp> {
        let text = std::fs::read_to_string(self.metadata_path("refreshed_at")).ok()?;
        text.trim().parse::<i64>().ok().map(Timestamp::from_unix)
    }
}

/// A file name for `name` that stays inside its directory (cache files of targets, cache
/// folders of repositories): every byte outside `[A-Za-z0-9._-]` percent-encoded, and a
/// leading `.` too, so the result is never empty-looking, hidden, `.`/`..` or a path.
pub fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        let safe = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0);
        if safe {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Loads the trusted root: the cached one when it verifies against itself and is at least as
/// new as the bootstrap root, else the bootstrap root.
fn load_root(
    bootstrap_root: &[u8],
    cache: &Cache,
    limits: &Limits,
) -> Result<TrustedMetadata, Error> {
    let bootstrap = TrustedMetadata::new(bootstrap_root)?;
    if let Some(bytes) = cache.read(&cache.metadata_path("root.json"), limits.root)? {
        if let Ok(cached) = TrustedMetadata::new(&bytes) {
            if cached.root_version() >= bootstrap.root_version() {
                return Ok(cached);
            }
        }
    }
    Ok(bootstrap)
}

fn map_transport(resource: Resource<'_>, err: TransportError) -> Error {
    match err {
        TransportError::TooLarge { limit } => Error::TooLarge {
            resource: resource.to_string(),
            limit,
        },
        source => Error::Transport {
            resource: resource.to_string(),
            source,
        },
    }
}

/// A TUF client for one repository, with a cache directory.
#[derive(Debug)]
pub struct Tuf<T> {
    trusted: TrustedMetadata,
    cache: Cache,
    transport: T,
    limits: Limits,
    refreshed: bool,
}

impl<T: Transport> Tuf<T> {
    /// A client starting from `bootstrap_root` (or a newer verified root in `cache_dir`),
    /// caching in `cache_dir`, fetching through `transport`. Nothing is fetched yet.
    ///
    /// Use one cache directory per repository: a cached root is trusted as the starting point
    /// when it is signed by its own root keys and not older than `bootstrap_root`.
    pub fn new(
        bootstrap_root: &[u8],
        cache_dir: impl Into<PathBuf>,
        transport: T,
    ) -> Result<Self, Error> {
        Self::with_cache(bootstrap_root, Cache::in_dir(cache_dir.into()), transport)
    }

    /// Like [`Tuf::new`], with metadata cached in `metadata_dir` and target files in
    /// `targets_dir` (for example a data directory and a cache directory). Use one pair of
    /// directories per repository.
    pub fn with_cache_dirs(
        bootstrap_root: &[u8],
        metadata_dir: impl Into<PathBuf>,
        targets_dir: impl Into<PathBuf>,
        transport: T,
    ) -> Result<Self, Error> {
        let cache = Cache {
            metadata: metadata_dir.into(),
            targets: targets_dir.into(),
        };
        Self::with_cache(bootstrap_root, cache, transport)
    }

    fn with_cache(bootstrap_root: &[u8], cache: Cache, transport: T) -> Result<Self, Error> {
        let limits = Limits::default();
        let trusted = load_root(bootstrap_root, &cache, &limits)?;
        Ok(Self {
            trusted,
            cache,
            transport,
            limits,
            refreshed: false,
        })
    }

    /// Replaces the download size caps.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The trusted metadata.
    pub fn trusted(&self) -> &TrustedMetadata {
        &self.trusted
    }

    async fn fetch(&self, resource: Resource<'_>, max: u64) -> Result<Vec<u8>, Error> {
        self.transport
            .fetch(resource, max)
            .await
            .map_err(|e| map_transport(resource, e))
    }

    /// Runs the TUF client workflow at time `now`: root rotation and expiry, timestamp,
    /// snapshot, targets. Each metadata file is written to the cache as soon as it verifies,
    /// so what a failed refresh did verify still guards later refreshes against rollback.
    pub async fn refresh(&mut self, now: Timestamp) -> Result<(), Error> {
        self.refreshed = false;
        // Root rotation.
        let mut rotations = 0u64;
        loop {
            let next = self
                .trusted
                .root_version()
                .checked_add(1)
                .ok_or(Error::Malformed {
                    role: Role::Root,
                    field: "version",
                })?;
            let name = format!("{next}.root.json");
            let resource = Resource::Metadata(&name);
            let bytes = match self.transport.fetch(resource, self.limits.root).await {
                Ok(bytes) => bytes,
                Err(TransportError::NotFound) => break,
                Err(e) => return Err(map_transport(resource, e)),
            };
            if rotations >= MAX_ROOT_ROTATIONS {
                return Err(Error::TooManyRootRotations {
                    limit: MAX_ROOT_ROTATIONS,
                });
            }
            rotations += 1;
            self.trusted.update_root(&bytes)?;
            self.cache
                .write(&self.cache.metadata_path("root.json"), &bytes)?;
        }
        self.trusted.check_root_expiry(now)?;

        // Cached timestamp and snapshot as rollback references; unverifiable ones are ignored.
        if let Some(bytes) = self.cache.read(
            &self.cache.metadata_path("timestamp.json"),
            self.limits.timestamp,
        )? {
            let _ = self.trusted.load_cached_timestamp(&bytes);
        }
        if let Some(bytes) = self.cache.read(
            &self.cache.metadata_path("snapshot.json"),
            self.limits.snapshot,
        )? {
            let _ = self.trusted.load_cached_snapshot(&bytes);
        }

        let bytes = self
            .fetch(Resource::Metadata("timestamp.json"), self.limits.timestamp)
            .await?;
        self.trusted.update_timestamp(&bytes, now)?;
        // Each file is cached as soon as it verifies, so it guards against rollback in later
        // runs even when a later step of this refresh fails.
        self.cache
            .write(&self.cache.metadata_path("timestamp.json"), &bytes)?;

        let version = self.trusted.snapshot_version().ok_or(Error::OutOfOrder)?;
        let max = self
            .trusted
            .snapshot_length()
            .map_or(self.limits.snapshot, |l| l.min(self.limits.snapshot));
        let name = if self.trusted.consistent_snapshot() {
            format!("{version}.snapshot.json")
        } else {
            "snapshot.json".to_owned()
        };
        let bytes = self.fetch(Resource::Metadata(&name), max).await?;
        self.trusted.update_snapshot(&bytes, now)?;
        self.cache
            .write(&self.cache.metadata_path("snapshot.json"), &bytes)?;

        let version = self.trusted.targets_version().ok_or(Error::OutOfOrder)?;
        let max = self
            .trusted
            .targets_length()
            .map_or(self.limits.targets, |l| l.min(self.limits.targets));
        let name = if self.trusted.consistent_snapshot() {
            format!("{version}.targets.json")
        } else {
            "targets.json".to_owned()
        };
        let bytes = self.fetch(Resource::Metadata(&name), max).await?;
        self.trusted.update_targets(&bytes, now)?;
        self.cache
            .write(&self.cache.metadata_path("targets.json"), &bytes)?;
        self.cache.write(
            &self.cache.metadata_path("refreshed_at"),
            now.unix_seconds().to_string().as_bytes(),
        )?;
        self.refreshed = true;
        Ok(())
    }

    /// A target file, verified against the targets metadata of the last successful
    /// [`Tuf::refresh`]: from the cache when it still matches, else downloaded (as
    /// `<sha256>.<name>` with consistent snapshots) and cached.
    pub async fn get_target(&self, name: &str) -> Result<Vec<u8>, Error> {
        if !self.refreshed {
            return Err(Error::OutOfOrder);
        }
        let info = self.trusted.target(name)?.clone();
        if name.is_empty() {
            return Err(Error::InvalidTargetName {
                name: name.to_owned(),
            });
        }
        let max = info.length.min(self.limits.target);
        let cache_path = self.cache.target_path(name);
        if let Some(bytes) = self.cache.read(&cache_path, max)? {
            if verify_target_bytes(name, &info, &bytes).is_ok() {
                return Ok(bytes);
            }
        }
        let path = if self.trusted.consistent_snapshot() {
            let sha = info.sha256().ok_or_else(|| Error::NoSupportedHash {
                name: name.to_owned(),
            })?;
            match name.rsplit_once('/') {
                Some((dir, file)) => format!("{dir}/{sha}.{file}"),
                None => format!("{sha}.{name}"),
            }
        } else {
            name.to_owned()
        };
        let bytes = self.fetch(Resource::Target(&path), max).await?;
        verify_target_bytes(name, &info, &bytes)?;
        self.cache.write(&cache_path, &bytes)?;
        Ok(bytes)
    }
}

impl Tuf<crate::HttpTransport> {
    /// A client for `base_url` over HTTP(S) with the default settings.
    pub fn over_http(
        bootstrap_root: &[u8],
        base_url: &str,
        cache_dir: impl Into<PathBuf>,
    ) -> Result<Self, Error> {
        let transport = crate::HttpTransport::new(base_url, crate::HttpTransport::default_config())
            .map_err(|source| Error::Transport {
                resource: base_url.to_owned(),
                source,
            })?;
        Self::new(bootstrap_root, cache_dir, transport)
    }
}

/// The cache used without any network access: signatures are checked against the cached root,
/// freshness is not. [`OfflineTuf::refreshed_at`] and [`OfflineTuf::age_seconds`] say how stale
/// it may be.
#[derive(Debug)]
pub struct OfflineTuf {
    trusted: TrustedMetadata,
    cache: Cache,
    refreshed_at: Timestamp,
    now: Timestamp,
    limits: Limits,
}

impl OfflineTuf {
    /// Loads the cached root (or `bootstrap_root` if none newer verifies) and the cached
    /// targets metadata, which must be signed by that root's targets keys.
    pub fn load(
        bootstrap_root: &[u8],
        cache_dir: impl Into<PathBuf>,
        now: Timestamp,
    ) -> Result<Self, Error> {
        Self::load_cache(bootstrap_root, Cache::in_dir(cache_dir.into()), now)
    }

    /// Like [`OfflineTuf::load`], over the directories of [`Tuf::with_cache_dirs`].
    pub fn load_with_cache_dirs(
        bootstrap_root: &[u8],
        metadata_dir: impl Into<PathBuf>,
        targets_dir: impl Into<PathBuf>,
        now: Timestamp,
    ) -> Result<Self, Error> {
        let cache = Cache {
            metadata: metadata_dir.into(),
            targets: targets_dir.into(),
        };
        Self::load_cache(bootstrap_root, cache, now)
    }

    fn load_cache(bootstrap_root: &[u8], cache: Cache, now: Timestamp) -> Result<Self, Error> {
        let limits = Limits::default();
        // What the cache holds is looked at first: without a cache there is nothing to check
        // the root's signatures for (offline callers then fall back at once).
        let bytes = cache
            .read(&cache.metadata_path("targets.json"), limits.targets)?
            .ok_or(Error::CacheMissing {
                what: "targets metadata",
            })?;
        let refreshed_at = cache.refreshed_at().ok_or(Error::CacheMissing {
            what: "refresh time",
        })?;
        let mut trusted = load_root(bootstrap_root, &cache, &limits)?;
        trusted.load_cached_targets(&bytes)?;
        Ok(Self {
            trusted,
            cache,
            refreshed_at,
            now,
            limits,
        })
    }

    /// The trusted metadata (root and targets only).
    pub fn trusted(&self) -> &TrustedMetadata {
        &self.trusted
    }

    /// When the cache was last refreshed.
    pub fn refreshed_at(&self) -> Timestamp {
        self.refreshed_at
    }

    /// Seconds from the last refresh to the `now` given to [`OfflineTuf::load`].
    pub fn age_seconds(&self) -> i64 {
        self.now
            .unix_seconds()
            .saturating_sub(self.refreshed_at.unix_seconds())
    }

    /// Whether the cached targets metadata has expired at `now` (the data is then stale).
    pub fn is_expired(&self) -> bool {
        self.trusted.targets_expires().is_none_or(|e| self.now >= e)
            || self.now >= self.trusted.root_expires()
    }

    /// A cached target file, verified against the cached targets metadata.
    pub fn get_target(&self, name: &str) -> Result<Vec<u8>, Error> {
        let info: TargetInfo = self.trusted.target(name)?.clone();
        let max = info.length.min(self.limits.target);
        let bytes = self
            .cache
            .read(&self.cache.target_path(name), max)?
            .ok_or(Error::CacheMissing { what: "target" })?;
        verify_target_bytes(name, &info, &bytes)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::encode_name;

    #[test]
    fn cache_names_stay_in_the_directory() {
        assert_eq!(encode_name("trusted_root.json"), "trusted_root.json");
        assert_eq!(encode_name(".."), "%2E.");
        assert_eq!(encode_name("a/../b"), "a%2F..%2Fb");
        assert_eq!(encode_name("é"), "%C3%A9");
    }
}
