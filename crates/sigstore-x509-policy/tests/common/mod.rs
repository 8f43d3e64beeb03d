//! Helpers shared by the integration tests: reading conformance bundles and trusted roots
//! from the shared directory at run time.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use sigstore_types::{Timestamp, ValidityPeriod};
use sigstore_x509_policy::{Certificate, CertificateAuthority};

pub fn conformance_dir() -> PathBuf {
    sigstore_test_support::conformance_cases()
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

pub fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

/// All case directory names, sorted.
pub fn cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(conformance_dir())
        .expect("conformance dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The DER certificates of a bundle's verification material (leaf first), or `None` when the
/// bundle does not parse or holds a public key.
pub fn bundle_certificates(case: &str) -> Option<Vec<Vec<u8>>> {
    let text =
        std::fs::read_to_string(conformance_dir().join(case).join("bundle.sigstore.json")).ok()?;
    let bundle: serde_json::Value = serde_json::from_str(&text).ok()?;
    let vm = &bundle["verificationMaterial"];
    if let Some(raw) = vm["certificate"]["rawBytes"].as_str() {
        return Some(vec![b64(raw)]);
    }
    let certs = vm["x509CertificateChain"]["certificates"].as_array()?;
    Some(
        certs
            .iter()
            .filter_map(|c| c["rawBytes"].as_str())
            .map(b64)
            .collect(),
    )
}

pub fn bundle_leaf(case: &str) -> Option<Certificate> {
    let certs = bundle_certificates(case)?;
    let first = certs.first()?;
    Some(Certificate::from_der(first).expect("leaf parses"))
}

pub fn production_root() -> PathBuf {
    sigstore_test_support::trust_file("production", "trusted_root.json")
}

pub fn staging_root() -> PathBuf {
    sigstore_test_support::trust_file("staging", "trusted_root.json")
}

/// The trusted root a case uses: its own, else production.
pub fn case_root(case: &str) -> PathBuf {
    let own = conformance_dir().join(case).join("trusted_root.json");
    if own.exists() {
        own
    } else {
        production_root()
    }
}

fn validity(value: &serde_json::Value) -> Option<ValidityPeriod> {
    if value.is_null() {
        return None;
    }
    let parse = |v: &serde_json::Value| {
        v.as_str()
            .map(|s| Timestamp::parse_rfc3339(s).expect("validFor timestamp"))
    };
    Some(ValidityPeriod {
        start: parse(&value["start"]),
        end: parse(&value["end"]),
    })
}

/// `certificateAuthorities` or `timestampAuthorities` of a trusted root.
pub fn authorities(path: &Path, kind: &str) -> Vec<CertificateAuthority> {
    let root = read_json(path);
    root[kind]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|ca| {
                    let chain: Vec<Vec<u8>> = ca["certChain"]["certificates"]
                        .as_array()
                        .expect("certChain")
                        .iter()
                        .map(|c| b64(c["rawBytes"].as_str().expect("rawBytes")))
                        .collect();
                    CertificateAuthority::new(&chain, validity(&ca["validFor"]))
                        .expect("trusted CA parses")
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn fulcio_authorities(path: &Path) -> Vec<CertificateAuthority> {
    authorities(path, "certificateAuthorities")
}

pub fn tsa_authorities(path: &Path) -> Vec<CertificateAuthority> {
    authorities(path, "timestampAuthorities")
}

pub fn happy_leaf() -> Certificate {
    bundle_leaf("happy-path-v0.3").expect("happy-path-v0.3 has a certificate")
}

pub const HAPPY_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
pub const HAPPY_ISSUER: &str = "https://token.actions.githubusercontent.com";

pub fn secs(t: Timestamp, delta: i64) -> Timestamp {
    Timestamp::from_unix(t.unix_seconds() + delta)
}
