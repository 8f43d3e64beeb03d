//! Untrusted certificates in a bundle's `x509CertificateChain` cost bounded work: the chain is
//! capped at parse time, and a certificate posing as a root (issuer == subject) is rejected
//! without a signature check.
#![allow(clippy::unwrap_used)]

mod common;

use common::Case;
use serde_json::Value;
use sigstore_types::Bundle;
use sigstore_verify::Error;

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
    let err = case
        .verify_bundle_with(&case.verifier(), &bundle)
        .unwrap_err();
    assert!(matches!(err, Error::RootCertificateInBundle), "{err}");
}

/// The bundle of `case` with `extra` (base64 DER) appended to its certificate chain.
fn with_extra(case: &Case, extra: &[String]) -> Bundle {
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let certs = json["verificationMaterial"]["x509CertificateChain"]["certificates"]
        .as_array_mut()
        .unwrap();
    for der in extra {
        certs.push(serde_json::json!({ "rawBytes": der }));
    }
    Bundle::from_json(&serde_json::to_vec(&json).unwrap()).unwrap()
}

#[test]
fn a_bundled_root_identical_to_a_trust_anchor_is_ignored() {
    // npm's 2023 bundles carry [leaf, intermediate, root]; the root is the trusted root's own
    // anchor, byte for byte, so it is ignored (and noted), and the path is built from the
    // trusted root as always.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    for name in ["happy-path-v0.1", "happy-path-v0.2"] {
        let case = Case::named(name);
        let root_json: Value = serde_json::from_slice(&case.trusted_root_json).unwrap();
        let mut anchors = Vec::new();
        let mut intermediates = Vec::new();
        for ca in root_json["certificateAuthorities"].as_array().unwrap() {
            let chain = ca["certChain"]["certificates"].as_array().unwrap();
            let der = |c: &Value| c["rawBytes"].as_str().unwrap().to_owned();
            anchors.push(der(chain.last().unwrap()));
            if chain.len() > 1 {
                intermediates.push(der(&chain[0]));
            }
        }
        let verifier = case.verifier();
        let policy = case.policy().unwrap();
        let mut found = 0;
        for anchor in &anchors {
            let mut extra = intermediates.clone();
            extra.push(anchor.clone());
            let bundle = with_extra(&case, &extra);
            let result = verifier.verify(&bundle, case.artifact(), &policy).unwrap();
            assert_eq!(result.notes.len(), 1, "{name}: {:?}", result.notes);
            found += 1;
        }
        assert!(found > 0);

        // The same root with one byte changed is no anchor: refused as a root.
        let mut tampered = b64.decode(&anchors[0]).unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let bundle = with_extra(&case, &[b64.encode(&tampered)]);
        let err = verifier
            .verify(&bundle, case.artifact(), &policy)
            .unwrap_err();
        assert!(
            matches!(err, Error::RootCertificateInBundle),
            "{name}: {err}"
        );
    }
    // The conformance case still fails for that reason: its root is no anchor.
    let case = Case::named("bundle-with-root-cert_fail");
    let err = case.verify_with(&case.verifier()).unwrap_err();
    assert!(matches!(err, Error::RootCertificateInBundle), "{err}");
}
