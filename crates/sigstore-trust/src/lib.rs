//! Sigstore instances and the trust material that bootstraps them.
//!
//! An [`Instance`] is a Sigstore deployment as a client meets it: a TUF repository that
//! distributes the deployment's trusted root (which Fulcio CAs, Rekor logs, CT logs and
//! timestamp authorities to trust) and its signing config (which services to sign with).
//! The two public instances, [`Instance::Production`] and [`Instance::Staging`], ship with
//! this crate: their TUF bootstrap root, trusted root and signing config are data files of
//! the crate (`data/`, with a `SHA256SUMS` and a `SOURCE.md` saying where and when they were
//! taken), compiled in with `include_bytes!` and exposed as [`Embedded`]. A private instance
//! ([`Instance::Custom`]) is known by its URL only; its root of trust must come from its
//! operator.
//!
//! The embedded files are what this build knows; a client that can reach the network should
//! refresh them over TUF and use these only to bootstrap that refresh or when asked to work
//! offline.
//!
//! ```
//! use sigstore_trust::Instance;
//!
//! let production = Instance::Production.embedded().expect("production ships with the crate");
//! let trusted_root = production.trusted_root()?;
//! assert!(!trusted_root.certificate_authorities.is_empty());
//! assert_eq!(
//!     Instance::parse("HTTPS://tuf-repo-cdn.sigstore.dev/")?,
//!     Instance::Production
//! );
//! # Ok::<(), sigstore_trust::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod files;
#[cfg(feature = "tuf")]
pub mod tuf;
mod url;

use sigstore_types::{SigningConfig, TrustedRoot};

/// The TUF target holding an instance's trusted root.
pub const TRUSTED_ROOT_TARGET: &str = "trusted_root.json";
/// The TUF target holding the signing config (v0.2) that signing uses by default.
pub const SIGNING_CONFIG_TARGET: &str = "signing_config.v0.2.json";
/// The TUF target holding the signing config that opts into Rekor v2.
pub const SIGNING_CONFIG_REKOR_V2_TARGET: &str = "signing_config_rekor_v2.v0.2.json";

/// The production TUF repository URL.
pub const PRODUCTION_URL: &str = "https://tuf-repo-cdn.sigstore.dev";
/// The staging TUF repository URL.
pub const STAGING_URL: &str = "https://tuf-repo-cdn.sigstage.dev";

/// What can go wrong naming an instance or reading its embedded material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An instance URL that is not usable (see [`Instance::parse`]).
    #[error("invalid instance URL {url:?}: {why}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A file embedded in this build does not parse (a broken build, never a user error).
    #[error("the embedded {instance} {file} does not parse: {source}")]
    Embedded {
        /// The instance's name.
        instance: &'static str,
        /// The file's name.
        file: &'static str,
        /// Why it does not parse.
        source: sigstore_types::Error,
    },
    /// The user's home (or data and cache) directory is unknown, so there is no TUF cache.
    #[cfg(feature = "tuf")]
    #[error(
        "cannot find the home directory for the TUF cache ({variable} is not set to an absolute \
         path; set HOME, or XDG_DATA_HOME and XDG_CACHE_HOME)"
    )]
    NoHome {
        /// The variable that is missing.
        variable: &'static str,
    },
    /// A private instance whose root of trust was never stored.
    #[cfg(feature = "tuf")]
    #[error("the TUF repository {url} is not trusted yet: store its root.json first")]
    NotTrusted {
        /// The instance URL.
        url: String,
    },
    /// The TUF repository could not be reached (network failure); offline use may help.
    #[cfg(feature = "tuf")]
    #[error("cannot update the trust material from the TUF repository {url}")]
    Unreachable {
        /// The instance URL.
        url: String,
        /// Whether this build embeds material for the instance (offline use falls back to it).
        embedded: bool,
        /// The failure.
        source: Box<sigstore_tuf::Error>,
    },
    /// The TUF repository answered but failed verification (expired, badly signed, tampered).
    #[cfg(feature = "tuf")]
    #[error("the TUF repository {url} failed verification")]
    Repository {
        /// The instance URL.
        url: String,
        /// What failed.
        source: Box<sigstore_tuf::Error>,
    },
    /// A TUF root that is not signed by its own root keys, or otherwise unusable.
    #[cfg(feature = "tuf")]
    #[error("{origin}: not a TUF root signed by its own root keys")]
    BadRoot {
        /// Where the root came from.
        origin: String,
        /// Why it is unusable.
        source: Box<sigstore_tuf::Error>,
    },
    /// The HTTP client for the repository cannot be set up.
    #[cfg(feature = "tuf")]
    #[error("cannot set up HTTP for {url}")]
    Http {
        /// The instance URL.
        url: String,
        /// Why.
        source: Box<sigstore_tuf::TransportError>,
    },
    /// Offline: the cache exists but does not verify.
    #[cfg(feature = "tuf")]
    #[error("offline: the TUF cache of {url} in {} is unusable (refresh it online)", dir.display())]
    CacheUnusable {
        /// The instance URL.
        url: String,
        /// The metadata directory.
        dir: std::path::PathBuf,
        /// Why.
        source: Box<sigstore_tuf::Error>,
    },
    /// Offline: a cached target does not verify.
    #[cfg(feature = "tuf")]
    #[error("offline: the cached target {target} of {url} is unusable")]
    CachedTarget {
        /// The instance URL.
        url: String,
        /// The target's name.
        target: &'static str,
        /// Why.
        source: Box<sigstore_tuf::Error>,
    },
    /// Offline: a private instance's material is not cached (nothing is embedded for it).
    #[cfg(feature = "tuf")]
    #[error("offline: there is no cached {what} for {url}; refresh it while online")]
    NotCached {
        /// The instance URL.
        url: String,
        /// What is missing.
        what: String,
    },
    /// A trust file given by the user cannot be opened ([`files`]).
    #[error("{}: cannot open", path.display())]
    FileOpen {
        /// The file.
        path: std::path::PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// A trust file given by the user cannot be read.
    #[error("{}: cannot read", path.display())]
    FileRead {
        /// The file.
        path: std::path::PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// A trust file given by the user is larger than its limit.
    #[error("{}: larger than {limit} bytes", path.display())]
    FileTooLarge {
        /// The file.
        path: std::path::PathBuf,
        /// The limit.
        limit: u64,
    },
    /// A trust file given by the user does not parse.
    #[error("{}: invalid {what}", path.display())]
    InvalidFile {
        /// The file.
        path: std::path::PathBuf,
        /// `trusted root`, `signing config` or `client trust config`.
        what: &'static str,
        /// Why.
        source: sigstore_types::Error,
    },
    /// Downloaded or cached material that does not parse.
    #[cfg(feature = "tuf")]
    #[error("{origin}: invalid {what}")]
    Invalid {
        /// Where it came from.
        origin: String,
        /// `trusted root` or `signing config`.
        what: &'static str,
        /// Why.
        source: sigstore_types::Error,
    },
    /// A file operation failed.
    #[cfg(feature = "tuf")]
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: std::path::PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// A file larger than its limit.
    #[cfg(feature = "tuf")]
    #[error("{} is larger than {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: std::path::PathBuf,
        /// The limit.
        limit: u64,
    },
    /// Replacing an instance's cache folders failed (what was done to undo it is said).
    #[cfg(feature = "tuf")]
    #[error("{what}")]
    Swap {
        /// What failed, and what could not be undone.
        what: String,
        /// The failure.
        source: std::io::Error,
    },
    /// An error followed by a failure to undo what had been done before it.
    #[cfg(feature = "tuf")]
    #[error("{undo}")]
    NotUndone {
        /// What could not be undone.
        undo: String,
        /// The first error.
        source: Box<Error>,
    },
    /// The async runtime for a blocking refresh cannot start.
    #[cfg(feature = "tuf")]
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
}

#[cfg(feature = "tuf")]
impl Error {
    /// This error with a later failure to undo (`undo` says what stayed undone).
    fn also(self, undo: String) -> Self {
        match self {
            Error::Swap { what, source } => Error::Swap {
                what: format!("{what}; {undo}"),
                source,
            },
            other => Error::NotUndone {
                undo,
                source: Box::new(other),
            },
        }
    }
}

/// The trust material of a public instance compiled into this build.
#[derive(Debug)]
pub struct Embedded {
    /// The instance's name (`production`, `staging`).
    pub name: &'static str,
    /// The instance's TUF repository URL.
    pub url: &'static str,
    /// The TUF `root.json` a client bootstraps from.
    pub tuf_root: &'static [u8],
    /// The trusted root (`trusted_root.json`), as JSON.
    pub trusted_root_json: &'static [u8],
    /// The signing config (`signing_config.v0.2.json`), as JSON.
    pub signing_config_json: &'static [u8],
}

impl Embedded {
    /// The trusted root, parsed.
    pub fn trusted_root(&self) -> Result<TrustedRoot, Error> {
        TrustedRoot::from_json(self.trusted_root_json).map_err(|source| Error::Embedded {
            instance: self.name,
            file: TRUSTED_ROOT_TARGET,
            source,
        })
    }

    /// The signing config, parsed.
    pub fn signing_config(&self) -> Result<SigningConfig, Error> {
        SigningConfig::from_json(self.signing_config_json).map_err(|source| Error::Embedded {
            instance: self.name,
            file: SIGNING_CONFIG_TARGET,
            source,
        })
    }
}

include!(concat!(env!("OUT_DIR"), "/chains.rs"));

/// The chain digests (SHA-256 over each certificate's DER preceded by its 4-byte big-endian
/// length, as `sigstore_x509_policy::CertificateAuthority::chain_digest` computes it) of every
/// certificate authority and timestamp authority in the embedded trusted roots, computed when
/// the crate is built.
///
/// The signatures inside these chains (each certificate issued by the next) are checked by
/// this workspace's tests; a verifier may take a chain with one of these digests as already
/// checked instead of checking its signatures again in every process.
pub fn embedded_chain_digests() -> &'static [[u8; 32]] {
    EMBEDDED_CHAIN_DIGESTS
}

/// The production (public-good) instance's embedded material.
pub static PRODUCTION: Embedded = Embedded {
    name: "production",
    url: PRODUCTION_URL,
    tuf_root: include_bytes!("../data/production/root.json"),
    trusted_root_json: include_bytes!("../data/production/trusted_root.json"),
    signing_config_json: include_bytes!("../data/production/signing_config.v0.2.json"),
};

/// The staging instance's embedded material.
pub static STAGING: Embedded = Embedded {
    name: "staging",
    url: STAGING_URL,
    tuf_root: include_bytes!("../data/staging/root.json"),
    trusted_root_json: include_bytes!("../data/staging/trusted_root.json"),
    signing_config_json: include_bytes!("../data/staging/signing_config.v0.2.json"),
};

/// Whether a service of an instance (a signing config's Fulcio, Rekor, TSA or OIDC URL) may be
/// contacted at `url`: `https://`, or `http://` to a loopback host only (127.0.0.0/8, `::1`,
/// `localhost`), the rule instance URLs follow too.
pub fn is_secure_service_url(url: &str) -> bool {
    url::is_secure(url)
}

/// A Sigstore deployment, named by its TUF repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Instance {
    /// Sigstore's production (public-good) instance ([`PRODUCTION_URL`]).
    Production,
    /// Sigstore's staging instance ([`STAGING_URL`]).
    Staging,
    /// Another instance, by its normalized TUF repository URL.
    Custom(String),
}

impl Instance {
    /// The instance command-line flags select: `url` ([`Instance::parse`]), else staging when
    /// `staging`, else production.
    pub fn from_flags(staging: bool, url: Option<&str>) -> Result<Self, Error> {
        match url {
            Some(url) => Self::parse(url),
            None if staging => Ok(Self::Staging),
            None => Ok(Self::Production),
        }
    }

    /// The instance whose TUF repository is at `url`: `https://`, or `http://` for a
    /// loopback host only (127.0.0.0/8, `::1`, `localhost`); no user name, query, fragment,
    /// or `.`/`..` path segment. The URL is normalized (lower-case scheme and host, no
    /// trailing `/`); the production and staging URLs give those instances.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let normalized = url::normalize(url).map_err(|why| Error::InvalidUrl {
            url: url.to_owned(),
            why,
        })?;
        Ok(if normalized == PRODUCTION_URL {
            Self::Production
        } else if normalized == STAGING_URL {
            Self::Staging
        } else {
            Self::Custom(normalized)
        })
    }

    /// The TUF repository URL.
    pub fn url(&self) -> &str {
        match self {
            Self::Production => PRODUCTION_URL,
            Self::Staging => STAGING_URL,
            Self::Custom(url) => url,
        }
    }

    /// The material embedded in this build: production and staging only.
    pub fn embedded(&self) -> Option<&'static Embedded> {
        match self {
            Self::Production => Some(&PRODUCTION),
            Self::Staging => Some(&STAGING),
            Self::Custom(_) => None,
        }
    }

    /// How messages name the instance: `production (URL)`, `staging (URL)`, or the URL.
    pub fn describe(&self) -> String {
        match self {
            Self::Production => format!("production ({PRODUCTION_URL})"),
            Self::Staging => format!("staging ({STAGING_URL})"),
            Self::Custom(url) => url.clone(),
        }
    }
}

impl core::fmt::Display for Instance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_from_flags() {
        assert!(matches!(
            Instance::from_flags(false, Some("http://example.com")),
            Err(Error::InvalidUrl { .. })
        ));
        assert_eq!(
            Instance::from_flags(true, None).ok(),
            Some(Instance::Staging)
        );
        assert_eq!(
            Instance::from_flags(false, None).ok(),
            Some(Instance::Production)
        );
        assert_eq!(
            Instance::from_flags(true, Some("https://tuf.example.com/")).ok(),
            Some(Instance::Custom("https://tuf.example.com".into()))
        );
    }

    #[test]
    fn embedded_material_parses_and_matches_its_instance() {
        for (instance, embedded) in [
            (Instance::Production, &PRODUCTION),
            (Instance::Staging, &STAGING),
        ] {
            let root = embedded.trusted_root().unwrap();
            assert!(!root.certificate_authorities.is_empty());
            assert!(!root.tlogs.is_empty());
            let config = embedded.signing_config().unwrap();
            assert!(!config.ca_urls.is_empty());
            assert_eq!(instance.url(), embedded.url);
            assert!(std::ptr::eq(instance.embedded().unwrap(), embedded));
            let tuf: serde_json::Value = serde_json::from_slice(embedded.tuf_root).unwrap();
            assert_eq!(tuf["signed"]["_type"], "root", "{}", embedded.name);
        }
        assert!(Instance::Custom("https://tuf.example.com".into())
            .embedded()
            .is_none());
    }

    #[test]
    fn service_urls() {
        for ok in [
            "https://fulcio.sigstore.dev",
            "https://timestamp.sigstore.dev/api/v1/timestamp",
            "HTTPS://Rekor.Example.com:8443/x?y",
            "http://127.0.0.1:3000",
            "http://localhost/api",
            "http://[::1]:80",
        ] {
            assert!(is_secure_service_url(ok), "{ok}");
        }
        for bad in [
            "http://fulcio.example.com",
            "http://10.0.0.1:8080",
            "http://192.168.1.1",
            "http://[2001:db8::1]:80",
            "http://localhost.example.com",
            "http://127.0.0.1@evil.example.com",
            "ftp://fulcio.example.com",
            "fulcio.example.com",
            "https://",
            "https://exa mple.com",
        ] {
            assert!(!is_secure_service_url(bad), "{bad}");
        }
    }

    #[test]
    fn instance_urls() {
        assert_eq!(
            Instance::parse("https://tuf-repo-cdn.sigstore.dev/").unwrap(),
            Instance::Production
        );
        assert_eq!(
            Instance::parse("HTTPS://TUF-REPO-CDN.SIGSTAGE.DEV").unwrap(),
            Instance::Staging
        );
        assert_eq!(
            Instance::parse("http://127.0.0.1:8080/a/b/").unwrap(),
            Instance::Custom("http://127.0.0.1:8080/a/b".into())
        );
        assert_eq!(
            Instance::parse("https://Tuf.Example.com/Repo")
                .unwrap()
                .url(),
            "https://tuf.example.com/Repo"
        );
        for ok in [
            "http://localhost:1",
            "http://[::1]:8080",
            "http://127.1.2.3",
            "http://127.5.0.1",
            "https://[2001:db8::1]/x",
        ] {
            assert!(Instance::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "tuf.example.com",
            "ftp://tuf.example.com",
            "http://tuf.example.com",
            "http://10.0.0.1",
            "http://[2001:db8::1]",
            "https://user@tuf.example.com",
            "https://tuf.example.com/?a",
            "https://tuf.example.com/#a",
            "https://tuf.example.com/a/../b",
            "https://tuf.example.com:0",
            "https://tuf.example.com:99999",
            "https://tuf.example.com:x",
            "https://tuf .example.com",
            "https://",
            "https://[::1",
            "https://exa_mple.com",
            "http://localhost.example.com",
            "https://a..b",
        ] {
            let err = Instance::parse(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }
}

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
