//! Trust material from files given by the user: a trusted root, a signing config, or a client
//! trust config (both in one JSON), each falling back to the embedded material of production
//! or staging where no file is given.
//!
//! Files are read up to [`MAX_TRUST_FILE`] bytes; every error names the file.

use std::fs::File;
use std::path::{Path, PathBuf};

use sigstore_types::{ClientTrustConfig, SigningConfig, TrustedRoot};

use crate::{Embedded, Error, PRODUCTION, STAGING};

/// Largest trusted root, signing config or client trust config file read, in bytes.
pub const MAX_TRUST_FILE: u64 = 32 * 1024 * 1024;

/// The trust material embedded in this build: staging's, or production's.
pub fn embedded(staging: bool) -> &'static Embedded {
    if staging {
        &STAGING
    } else {
        &PRODUCTION
    }
}

/// Reads a file of at most [`MAX_TRUST_FILE`] bytes.
fn read(path: &Path) -> Result<Vec<u8>, Error> {
    let file = File::open(path).map_err(|source| Error::FileOpen {
        path: path.to_owned(),
        source,
    })?;
    sigstore_types::io::read_limited(file, MAX_TRUST_FILE)
        .map_err(|source| Error::FileRead {
            path: path.to_owned(),
            source,
        })?
        .ok_or_else(|| Error::FileTooLarge {
            path: path.to_owned(),
            limit: MAX_TRUST_FILE,
        })
}

/// Reads and parses `path` with `parse`; `what` names the content in errors.
fn parse<T>(
    path: &Path,
    what: &'static str,
    parse: fn(&[u8]) -> Result<T, sigstore_types::Error>,
) -> Result<T, Error> {
    parse(&read(path)?).map_err(|source| Error::InvalidFile {
        path: path.to_owned(),
        what,
        source,
    })
}

/// The trusted root in `path`, else the embedded staging or production one.
pub fn load_trusted_root(path: Option<&Path>, staging: bool) -> Result<TrustedRoot, Error> {
    match path {
        Some(path) => parse(path, "trusted root", TrustedRoot::from_json),
        None => embedded(staging).trusted_root(),
    }
}

/// Where the trust material for signing comes from.
#[derive(Debug, Clone, Default)]
pub struct TrustFiles {
    /// A `ClientTrustConfig` JSON (trusted root and signing config together).
    pub trust_config: Option<PathBuf>,
    /// A trusted root JSON.
    pub trusted_root: Option<PathBuf>,
    /// A signing config v0.2 JSON.
    pub signing_config: Option<PathBuf>,
    /// Use the staging instance's embedded material where no file is given.
    pub staging: bool,
}

impl TrustFiles {
    /// The trusted root and signing config: the trust config, else the files given, else the
    /// embedded production (or staging) material for whichever is missing.
    pub fn load(&self) -> Result<(TrustedRoot, SigningConfig), Error> {
        if let Some(path) = &self.trust_config {
            let config = parse(path, "client trust config", ClientTrustConfig::from_json)?;
            return Ok((config.trusted_root, config.signing_config));
        }
        let root = load_trusted_root(self.trusted_root.as_deref(), self.staging)?;
        let config = match &self.signing_config {
            Some(path) => parse(path, "signing config", SigningConfig::from_json)?,
            None => embedded(self.staging).signing_config()?,
        };
        Ok((root, config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(error: &dyn std::error::Error) -> String {
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            text = format!("{text}: {cause}");
            source = cause.source();
        }
        text
    }

    #[test]
    fn embedded_material_where_no_file_is_given() {
        let Ok((root, config)) = TrustFiles::default().load() else {
            panic!("embedded production material");
        };
        assert!(!root.tlogs.is_empty());
        assert!(config.ca_urls[0].url.contains("fulcio.sigstore.dev"));
        let staging = TrustFiles {
            staging: true,
            ..TrustFiles::default()
        };
        let Ok((_, config)) = staging.load() else {
            panic!("embedded staging material");
        };
        assert!(config.ca_urls[0].url.contains("sigstage.dev"));
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = sigstore_test_support::TempDir::new("sigstore-trust-files");
        let missing = dir.join("missing.json");
        let error = load_trusted_root(Some(&missing), false).err();
        assert!(matches!(error, Some(Error::FileOpen { .. })), "{error:?}");
        let bad = dir.join("bad.json");
        assert!(std::fs::write(&bad, b"{").is_ok());
        let files = TrustFiles {
            trusted_root: Some(missing.clone()),
            signing_config: Some(bad.clone()),
            ..TrustFiles::default()
        };
        assert!(matches!(files.load(), Err(Error::FileOpen { .. })));
        let files = TrustFiles {
            signing_config: Some(bad.clone()),
            ..TrustFiles::default()
        };
        match files.load() {
            Err(error @ Error::InvalidFile { .. }) => assert!(
                chain(&error).starts_with(&format!("{}: invalid signing config: ", bad.display())),
                "{}",
                chain(&error)
            ),
            other => panic!("{other:?}"),
        }
        let files = TrustFiles {
            trust_config: Some(bad.clone()),
            ..TrustFiles::default()
        };
        let error = files.load().err().map(|e| e.to_string());
        assert_eq!(
            error,
            Some(format!("{}: invalid client trust config", bad.display()))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
