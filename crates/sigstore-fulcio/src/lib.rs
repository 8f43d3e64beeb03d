//! Fulcio: embedded SCT verification (client to follow).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
