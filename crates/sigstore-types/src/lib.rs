//! Sigstore data model: bundles, trusted roots, signing configs, DSSE and in-toto, legacy materials.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod time;

pub use error::Error;
pub use time::{Timestamp, ValidityPeriod};
