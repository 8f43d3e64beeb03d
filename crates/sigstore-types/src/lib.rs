//! Sigstore data model: bundles, trusted roots, signing configs, DSSE and in-toto, legacy materials.
//!
//! Every document is read from and written to the protobuf-JSON form Sigstore uses
//! (lowerCamelCase keys, standard padded base64 for bytes, int64 as strings, enums by name).
//! Input is parsed leniently where proto3 JSON parsers are (URL-safe or unpadded base64,
//! integers as numbers or strings, unknown fields ignored, unknown enum names kept as
//! `Unknown`), and output is canonical. Parsing enforces structure only; no cryptographic
//! check happens in this crate.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod io;
mod wire;

pub mod bundle;
pub mod common;
pub mod dsse;
pub mod encoding;
pub mod intoto;
pub mod legacy;
pub mod media_types;
mod repair;
pub mod signing_config;
pub mod summary;
pub mod time;
pub mod trust;

pub use bundle::{
    Bundle, BundleContent, BundleVersion, InclusionProof, MessageDigest, MessageSignature,
    TransparencyLogEntry, VerificationMaterial, VerificationMaterialContent,
};
pub use common::{HashAlgorithm, PublicKeyDetails};
pub use dsse::{DsseSignature, Envelope};
pub use error::Error;
pub use intoto::{Statement, Subject};
pub use signing_config::{
    ClientTrustConfig, Service, ServiceConfiguration, ServiceSelector, SigningConfig,
};
pub use time::{Timestamp, ValidityPeriod};
pub use trust::{CertificateAuthority, PublicKeyMaterial, TransparencyLogInstance, TrustedRoot};
pub use wire::MAX_JSON_SIZE;

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
