//! X.509 for Sigstore: certificate parsing, path validation at a given time, Fulcio extensions and identity policies.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
