//! Untrusted certificates in a bundle's `x509CertificateChain` cost bounded work: the chain is
//! capped at parse time, and a certificate posing as a root (issuer == subject) is rejected
//! without a signature check.
#![allow(clippy::unwrap_used)]

mod common;

use common::Case;
use serde_json::Value;
use sigstore_types::Bundle;
use sigstore_verify::{Error, Verifier, VerifierConfig};

/// A P-384 certificate whose issuer equals its subject (`CN=self-issued`) and whose signature
/// is corrupted: anyone can mint it, and checking it costs one ECDSA verification.
const SELF_ISSUED_BAD_SIGNATURE: &str = "MIIBvjCCAUSgAwIBAgIUH7K84yZkH/hExjy7vLacDODG2oswCgYIKoZIzj0EAwIwFjEUMBIGA1UEAwwLc2VsZi1pc3N1ZWQwHhcNMjYxMTI1MTYxMDU1WhcNMzYxMTIyMTYxMDU1WjAWMRQwEgYDVQQDDAtzZWxmLWlzc3VlZDB2MBAGByqGSM49AgEGBSuBBAAiA2IABLXh35yPUT7YtE7I6bS+Swa2j3Ck9Vuq4afNNn1titxewETbym/1E7EyQzFffa9OQ+2Ncc41y8iHAfKvBY/d4hpBhMx2WpBCqaR+9MlhyKo2ZTN2rc2eOmoLPMsqoYA1FqNTMFEwHQYDVR0OBBYEFNbOQkIZsraHZ/dVk47Z6G6wbFXYMB8GA1UdIwQYMBaAFNbOQkIZsraHZ/dVk47Z6G6wbFXYMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDaAAwZQIwLZtN6EWcTisadPu+WKBC8q1mvdLe+ev/nn7V6tDvRyoYcMNjr1THWiMLdj/vEMfqAjEAvNViJAQqjljNxRETNWwTTBCCTm4Zk52Vj9v83Es6KRqOyeTYiBJzsBab5pzkhU6j";

fn padded(case: &Case, junk: usize) -> Vec<u8> {
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let certs = json["verificationMaterial"]["x509CertificateChain"]["certificates"]
        .as_array_mut()
        .unwrap();
    for _ in 0..junk {
        certs.push(serde_json::json!({ "rawBytes": SELF_ISSUED_BAD_SIGNATURE }));
    }
    serde_json::to_vec(&json).unwrap()
}

#[test]
fn long_chains_are_rejected_at_parse_time() {
    let case = Case::named("happy-path-v0.2");
    let err = Bundle::from_json(&padded(&case, 1000)).unwrap_err();
    assert!(
        matches!(
            err,
            sigstore_types::Error::TooManyCertificates { count: 1001, .. }
        ),
        "{err}"
    );
}

#[test]
fn a_self_issued_certificate_in_the_chain_is_rejected_as_a_root() {
    // Its signature is broken, so a check that relied on verifying it would miss it.
    let case = Case::named("happy-path-v0.2");
    let bundle = Bundle::from_json(&padded(&case, 1)).unwrap();
    let verifier = Verifier::new(&case.trusted_root().unwrap(), VerifierConfig::default()).unwrap();
    let err = verifier
        .verify(&bundle, case.artifact(), &case.policy().unwrap())
        .unwrap_err();
    assert!(matches!(err, Error::RootCertificateInBundle), "{err}");
}
