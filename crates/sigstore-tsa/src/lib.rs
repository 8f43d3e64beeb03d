//! RFC 3161 timestamp token verification for Sigstore bundles (client to follow).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
