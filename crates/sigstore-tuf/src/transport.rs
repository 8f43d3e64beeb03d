//! Where metadata and target files come from.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use sigstore_http::{HttpClient, HttpConfig, Request};

/// A file of the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// A metadata file name, e.g. `13.root.json` or `timestamp.json`.
    Metadata(&'a str),
    /// A target file path below the targets base, e.g. `<sha256>.trusted_root.json`.
    Target(&'a str),
}

impl core::fmt::Display for Resource<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Resource::Metadata(name) => write!(f, "metadata {name}"),
            Resource::Target(name) => write!(f, "target {name}"),
        }
    }
}

/// Why a transport could not deliver a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The file does not exist (HTTP 404/403, or no such file).
    #[error("not found")]
    NotFound,
    /// The file is larger than allowed.
    #[error("larger than {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: u64,
    },
    /// A local read failed.
    #[error("I/O error")]
    Io(#[source] std::io::Error),
    /// An HTTP request failed.
    #[error("HTTP error")]
    Http(#[source] sigstore_http::Error),
}

/// Fetches repository files, never returning more than `max_bytes` bytes.
pub trait Transport {
    /// Fetches `resource`; [`TransportError::TooLarge`] when it exceeds `max_bytes`.
    fn fetch(
        &self,
        resource: Resource<'_>,
        max_bytes: u64,
    ) -> impl Future<Output = Result<Vec<u8>, TransportError>> + Send;
}

/// A repository in a local directory: `<dir>/metadata/` and `<dir>/targets/`.
#[derive(Debug, Clone)]
pub struct FsTransport {
    metadata_dir: PathBuf,
    targets_dir: PathBuf,
}

impl FsTransport {
    /// A repository laid out as `<dir>/metadata/*.json` and `<dir>/targets/*`.
    pub fn new(dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref();
        Self::with_dirs(dir.join("metadata"), dir.join("targets"))
    }

    /// A repository with separate metadata and targets directories.
    pub fn with_dirs(metadata_dir: impl Into<PathBuf>, targets_dir: impl Into<PathBuf>) -> Self {
        Self {
            metadata_dir: metadata_dir.into(),
            targets_dir: targets_dir.into(),
        }
    }

    fn read(&self, resource: Resource<'_>, max_bytes: u64) -> Result<Vec<u8>, TransportError> {
        let (dir, name) = match resource {
            Resource::Metadata(n) => (&self.metadata_dir, n),
            Resource::Target(n) => (&self.targets_dir, n),
        };
        let mut path = dir.clone();
        for part in name.split('/') {
            if part.is_empty() || part == "." || part == ".." {
                return Err(TransportError::NotFound);
            }
            path.push(part);
        }
        read_capped(&path, max_bytes)
    }
}

/// Reads at most `max_bytes` bytes of a file; more is [`TransportError::TooLarge`].
pub(crate) fn read_capped(path: &Path, max_bytes: u64) -> Result<Vec<u8>, TransportError> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(TransportError::NotFound),
        Err(e) => return Err(TransportError::Io(e)),
    };
    let meta = file.metadata().map_err(TransportError::Io)?;
    if !meta.is_file() {
        return Err(TransportError::NotFound);
    }
    if meta.len() > max_bytes {
        return Err(TransportError::TooLarge { limit: max_bytes });
    }
    let mut out = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(TransportError::Io)?;
    if u64::try_from(out.len()).unwrap_or(u64::MAX) > max_bytes {
        return Err(TransportError::TooLarge { limit: max_bytes });
    }
    Ok(out)
}

impl Transport for FsTransport {
    fn fetch(
        &self,
        resource: Resource<'_>,
        max_bytes: u64,
    ) -> impl Future<Output = Result<Vec<u8>, TransportError>> + Send {
        let result = self.read(resource, max_bytes);
        async move { result }
    }
}

/// Smallest response cap of a download (see [`HttpTransport`]).
const MIN_CAP: usize = 64 * 1024;
/// Ratio between successive response caps.
const CAP_STEP: usize = 16;

/// A repository over HTTP(S): metadata at `<metadata_url>/`, targets at `<targets_url>/`.
///
/// Each download stops soon after its own cap: requests go through clients whose response cap
/// is the first of 64 KiB, 1 MiB, 16 MiB, ... (at most the configured `max_response_bytes`)
/// at or above the file's cap, so an endless or oversized body is never read past 64 KiB or
/// 16 times what the file may hold. Sigstore's small files share one connection pool.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    config: HttpConfig,
    /// Clients by response cap, made on first use.
    clients: Arc<Mutex<BTreeMap<usize, HttpClient>>>,
    metadata_url: String,
    targets_url: String,
}

impl HttpTransport {
    /// Sigstore's layout: metadata at `<base>/`, targets at `<base>/targets/`. The config's
    /// `max_response_bytes` must be at least the largest [`crate::Limits`] value; each fetch
    /// also enforces its own cap.
    pub fn new(base_url: &str, config: HttpConfig) -> Result<Self, TransportError> {
        Self::with_urls(
            base_url,
            &sigstore_http::join_url(base_url, "targets"),
            config,
        )
    }

    /// A repository with metadata at `<metadata_url>/` and targets at `<targets_url>/` (for
    /// layouts other than Sigstore's, e.g. `<base>/metadata/` and `<base>/targets/`).
    pub fn with_urls(
        metadata_url: &str,
        targets_url: &str,
        config: HttpConfig,
    ) -> Result<Self, TransportError> {
        // Build one client now so a bad configuration fails here rather than on first use.
        let full = HttpClient::new(config.clone()).map_err(TransportError::Http)?;
        let clients = BTreeMap::from([(config.max_response_bytes, full)]);
        Ok(Self {
            config,
            clients: Arc::new(Mutex::new(clients)),
            metadata_url: metadata_url.trim_end_matches('/').to_owned(),
            targets_url: targets_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The default HTTP settings with a response cap fitting the default [`crate::Limits`].
    pub fn default_config() -> HttpConfig {
        HttpConfig::default().with_max_response_bytes(
            usize::try_from(crate::Limits::default().largest()).unwrap_or(usize::MAX),
        )
    }

    /// The client whose response cap is the first of [`MIN_CAP`] times a power of
    /// [`CAP_STEP`] at or above `max_bytes`, bounded by the configured cap.
    fn client_for(&self, max_bytes: u64) -> Result<HttpClient, TransportError> {
        let cap = response_cap(max_bytes, self.config.max_response_bytes);
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(client) = clients.get(&cap) {
            return Ok(client.clone());
        }
        let client = HttpClient::new(self.config.clone().with_max_response_bytes(cap))
            .map_err(TransportError::Http)?;
        clients.insert(cap, client.clone());
        Ok(client)
    }
}

/// The response cap for a download of at most `max_bytes`: [`MIN_CAP`] times the smallest
/// power of [`CAP_STEP`] that holds it, at most `ceiling`.
fn response_cap(max_bytes: u64, ceiling: usize) -> usize {
    let want = usize::try_from(max_bytes).unwrap_or(usize::MAX);
    let mut cap = MIN_CAP;
    while cap < want {
        match cap.checked_mul(CAP_STEP) {
            Some(next) => cap = next,
            None => return ceiling,
        }
    }
    cap.min(ceiling)
}

impl Transport for HttpTransport {
    fn fetch(
        &self,
        resource: Resource<'_>,
        max_bytes: u64,
    ) -> impl Future<Output = Result<Vec<u8>, TransportError>> + Send {
        let url = match resource {
            Resource::Metadata(n) => sigstore_http::join_url(&self.metadata_url, n),
            Resource::Target(n) => sigstore_http::join_url(&self.targets_url, n),
        };
        let client = self.client_for(max_bytes);
        async move {
            let client = client?;
            let response = client.send(&Request::get(url)).await.map_err(|e| match e {
                sigstore_http::Error::ResponseTooLarge { .. } => {
                    TransportError::TooLarge { limit: max_bytes }
                }
                other => TransportError::Http(other),
            })?;
            if response.status == 404 || response.status == 403 {
                return Err(TransportError::NotFound);
            }
            let response = response.error_for_status().map_err(TransportError::Http)?;
            if u64::try_from(response.body.len()).unwrap_or(u64::MAX) > max_bytes {
                return Err(TransportError::TooLarge { limit: max_bytes });
            }
            Ok(response.body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::response_cap;

    #[test]
    fn response_caps() {
        let ceiling = 16 * 1024 * 1024;
        assert_eq!(response_cap(0, ceiling), 64 * 1024);
        assert_eq!(response_cap(16 * 1024, ceiling), 64 * 1024);
        assert_eq!(response_cap(64 * 1024, ceiling), 64 * 1024);
        assert_eq!(response_cap(64 * 1024 + 1, ceiling), 1024 * 1024);
        assert_eq!(response_cap(512 * 1024, ceiling), 1024 * 1024);
        assert_eq!(response_cap(5 * 1024 * 1024, ceiling), ceiling);
        assert_eq!(response_cap(u64::MAX, ceiling), ceiling);
        assert_eq!(response_cap(100, 1000), 1000);
    }
}
