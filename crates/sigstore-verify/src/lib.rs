//! Offline Sigstore bundle verification against a trusted root and an identity policy.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
