//! The signing context parses the trusted root once, under the verifier's rules.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use sigstore_sign::{Error, HttpConfig, SigningContext};
use sigstore_types::{SigningConfig, TrustedRoot};

fn production() -> (Value, SigningConfig) {
    let root: Value = serde_json::from_slice(sigstore_trust::PRODUCTION.trusted_root_json).unwrap();
    (root, sigstore_trust::PRODUCTION.signing_config().unwrap())
}

#[test]
fn the_embedded_production_material_makes_a_context() {
    let (root, config) = production();
    let root = TrustedRoot::from_json(root.to_string().as_bytes()).unwrap();
    SigningContext::new(config, root, HttpConfig::default()).unwrap();
}

/// An authority whose certificate does not parse used to be dropped silently while signing
/// (and refused while verifying); now both refuse the root.
#[test]
fn an_unparsable_authority_makes_the_root_unusable() {
    let mut refused = 0;
    for list in ["certificateAuthorities", "timestampAuthorities"] {
        let (mut root, config) = production();
        let Some(first) = root[list].as_array_mut().and_then(|a| a.first_mut()) else {
            continue;
        };
        // Valid base64, not a certificate.
        first["certChain"]["certificates"][0]["rawBytes"] = Value::from("MIIBAA==");
        let root = TrustedRoot::from_json(root.to_string().as_bytes()).unwrap();
        let e = SigningContext::new(config, root, HttpConfig::default()).unwrap_err();
        assert!(matches!(e, Error::TrustedRoot(_)), "{list}: {e}");
        refused += 1;
    }
    assert_eq!(refused, 2);
}
