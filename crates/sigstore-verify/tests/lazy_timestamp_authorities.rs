//! The timestamp authorities of a trusted root are parsed when a bundle first needs them:
//! a root whose authority does not parse still verifies bundles without RFC 3161 timestamps,
//! and fails (never skips) any bundle that carries one.
#![allow(clippy::unwrap_used)]

mod common;

use common::Case;
use serde_json::Value;
use sigstore_types::TrustedRoot;
use sigstore_verify::{Error, Verifier, VerifierConfig};

/// `case`'s trusted root with the first timestamp authority's signing certificate replaced
/// by valid base64 that is not a certificate.
fn broken_tsa_root(case: &Case) -> TrustedRoot {
    let mut root: Value = serde_json::from_slice(&case.trusted_root_json).unwrap();
    let authorities = root["timestampAuthorities"].as_array_mut().unwrap();
    assert!(
        !authorities.is_empty(),
        "{}: no timestamp authority",
        case.name
    );
    authorities[0]["certChain"]["certificates"][0]["rawBytes"] = Value::from("MIIBAA==");
    TrustedRoot::from_json(root.to_string().as_bytes()).unwrap()
}

#[test]
fn an_unparsable_timestamp_authority_fails_only_bundles_with_timestamps() {
    let with_timestamp = Case::named("rekor2-happy-path");
    let bundle = with_timestamp.bundle().unwrap();
    assert!(
        !bundle.verification_material.rfc3161_timestamps.is_empty(),
        "the fixture carries a timestamp"
    );
    let policy = with_timestamp.policy().unwrap();

    // The intact root verifies it; the broken one builds a verifier, then refuses the bundle
    // naming the trusted root, and keeps refusing it (the parse result is kept).
    let intact = Verifier::new(
        &with_timestamp.trusted_root().unwrap(),
        VerifierConfig::default(),
    );
    intact
        .unwrap()
        .verify(&bundle, with_timestamp.artifact(), &policy)
        .unwrap();
    let verifier = Verifier::new(&broken_tsa_root(&with_timestamp), VerifierConfig::default())
        .expect("the verifier is built; the authority is parsed on first use");
    for _ in 0..2 {
        let error = verifier
            .verify(&bundle, with_timestamp.artifact(), &policy)
            .unwrap_err();
        assert!(
            matches!(error, Error::TrustedRootCertificate { .. }),
            "{error}"
        );
    }
    assert!(verifier.trust_material().timestamp_authorities().is_err());

    // A bundle without timestamps (Rekor v1, its time from the log) never touches them.
    let without = Case::named("happy-path-v0.3");
    let root = broken_tsa_root(&without);
    let verifier = Verifier::new(&root, VerifierConfig::default()).unwrap();
    verifier
        .verify(
            &without.bundle().unwrap(),
            without.artifact(),
            &without.policy().unwrap(),
        )
        .unwrap();
}
