//! Trust material for `sign`, `attest` and `verify`: `sigstore_trust::tuf` with the command
//! line's wording.
//!
//! The library does the work (TUF refresh with the per-user cache, offline from the cache
//! else the embedded material, `trust-instance`); this module picks the instance from the
//! flags, adds the command to run to the library's errors, and renders summaries.

use std::path::Path;

use anyhow::Result;
use sigstore_http::HttpConfig;
use sigstore_trust::tuf::{self, LoadOptions};
pub use sigstore_trust::tuf::{CacheDirs, Loaded, Need, Summary};
use sigstore_trust::Error;
pub use sigstore_trust::Instance;

use crate::sign::usage;

/// The library's error with what to run about it.
fn explain(error: Error) -> anyhow::Error {
    let hint = match &error {
        Error::NotTrusted { url } => Some(format!(
            "run `sigstore trust-instance ROOT.json --instance {url}` with its root.json first"
        )),
        Error::NotCached { url, .. } => Some(format!(
            "run `sigstore plumbing update-trust-root --instance {url}` while online"
        )),
        Error::Unreachable { embedded, .. } => Some(format!(
            "check the network, or pass --offline to use the {} trust material",
            if *embedded {
                "cached or embedded"
            } else {
                "cached"
            }
        )),
        Error::CacheUnusable { .. } => Some("run without --offline to refresh it".to_owned()),
        _ => None,
    };
    let error = anyhow::Error::new(error);
    match hint {
        Some(hint) => error.context(hint),
        None => error,
    }
}

/// The trust material `need`s from `instance`: refreshed over TUF now, or with `offline`
/// from the cache (else the embedded material of production and staging).
pub fn load(instance: &Instance, offline: bool, need: Need, http: &HttpConfig) -> Result<Loaded> {
    let options = LoadOptions {
        offline,
        http: http.clone(),
        dirs: None,
    };
    tuf::load(instance, need, &options).map_err(explain)
}

/// Refreshes `instance` now and caches its trusted root and signing configs (so that
/// `--offline` has them later).
pub fn update(instance: &Instance, http: &HttpConfig) -> Result<Summary> {
    tuf::update(instance, http, None).map_err(explain)
}

/// `trust-instance`: see [`sigstore_trust::tuf::trust_instance`].
pub fn trust_instance(
    root_path: &Path,
    url: &str,
    offline: bool,
    http: &HttpConfig,
) -> Result<Summary> {
    let instance = Instance::parse(url).map_err(|e| usage(e.into()))?;
    tuf::trust_instance(root_path, &instance, offline, http, None).map_err(explain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_to_run() {
        let instance = Instance::parse("https://tuf.example.com").unwrap();
        let dirs = CacheDirs::under(
            Path::new("/nonexistent-sigstore-cli-test/d"),
            Path::new("/nonexistent-sigstore-cli-test/c"),
            &instance,
        );
        let options = LoadOptions {
            offline: true,
            dirs: Some(dirs),
            ..LoadOptions::default()
        };
        let e = explain(tuf::load(&instance, Need::TrustedRoot, &options).unwrap_err());
        let text = crate::error_chain(&e);
        assert!(
            text.contains("sigstore trust-instance ROOT.json --instance https://tuf.example.com"),
            "{text}"
        );
    }
}
