//! Trusted roots of the public Sigstore instances, compiled in at build time.
//!
//! These are the copies that shipped with this build. Clients that can reach the network should
//! prefer a trusted root refreshed through TUF; these serve offline use and bootstrapping.

use sigstore_types::TrustedRoot;

/// The production (public-good) instance's trusted root, as JSON.
pub const PRODUCTION_TRUSTED_ROOT_JSON: &str =
    include_str!(concat!(env!("OUT_DIR"), "/production_trusted_root.json"));

/// The staging instance's trusted root, as JSON.
pub const STAGING_TRUSTED_ROOT_JSON: &str =
    include_str!(concat!(env!("OUT_DIR"), "/staging_trusted_root.json"));

/// The production trusted root, parsed.
pub fn production_trusted_root() -> Result<TrustedRoot, sigstore_types::Error> {
    TrustedRoot::from_json(PRODUCTION_TRUSTED_ROOT_JSON.as_bytes())
}

/// The staging trusted root, parsed.
pub fn staging_trusted_root() -> Result<TrustedRoot, sigstore_types::Error> {
    TrustedRoot::from_json(STAGING_TRUSTED_ROOT_JSON.as_bytes())
}
