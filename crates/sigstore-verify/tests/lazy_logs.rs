//! The trusted root's Rekor log keys are parsed when a bundle first names their log: a log
//! whose key does not parse is left out (a bundle naming it fails as naming an unknown log)
//! while the other logs keep working, and a log whose host cannot name a checkpoint key makes
//! the whole root invalid whether or not its key parses.
#![allow(clippy::unwrap_used)]

mod common;

use common::Case;
use serde_json::Value;
use sigstore_types::TrustedRoot;
use sigstore_verify::{Error, Verifier, VerifierConfig};

/// Valid base64 that is no SubjectPublicKeyInfo.
const NOT_A_KEY: &str = "MIIBAA==";

fn root_json(case: &Case) -> Value {
    serde_json::from_slice(&case.trusted_root_json).unwrap()
}

fn root(json: &Value) -> TrustedRoot {
    TrustedRoot::from_json(json.to_string().as_bytes()).unwrap()
}

/// The index of the tlog whose key is Ed25519 (the Rekor v2 log the fixture's entry names).
fn ed25519_log(json: &Value) -> usize {
    json["tlogs"]
        .as_array()
        .unwrap()
        .iter()
        .position(|log| log["publicKey"]["keyDetails"] == "PKIX_ED25519")
        .expect("the fixture's root lists a Rekor v2 (Ed25519) log")
}

fn verify(case: &Case, root: &TrustedRoot) -> Result<(), Error> {
    case.verify_with(&Verifier::new(root, VerifierConfig::default())?)
        .map(|_| ())
}

#[test]
fn a_log_whose_key_does_not_parse_is_left_out_alone() {
    let case = Case::named("rekor2-happy-path");
    let intact = root_json(&case);
    verify(&case, &root(&intact)).unwrap();
    let v2 = ed25519_log(&intact);

    // Another log's key broken: the bundle's own log still verifies it.
    let mut other = intact.clone();
    let other_index = usize::from(v2 == 0);
    other["tlogs"][other_index]["publicKey"]["rawBytes"] = Value::from(NOT_A_KEY);
    verify(&case, &root(&other)).unwrap();

    // Its own log's key broken: the verifier is built, the bundle names an unknown log, on
    // every attempt (the parse result is kept).
    let mut own = intact.clone();
    own["tlogs"][v2]["publicKey"]["rawBytes"] = Value::from(NOT_A_KEY);
    let verifier = Verifier::new(&root(&own), VerifierConfig::default())
        .expect("log keys are parsed when a bundle names the log");
    for _ in 0..2 {
        let error = case.verify_with(&verifier).unwrap_err();
        assert!(matches!(error, Error::UnknownLog { .. }), "{error}");
    }
}

#[test]
fn a_later_log_with_the_same_id_stands_in_for_one_whose_key_does_not_parse() {
    let case = Case::named("rekor2-happy-path");
    let mut json = root_json(&case);
    let v2 = ed25519_log(&json);
    let mut broken = json["tlogs"][v2].clone();
    broken["publicKey"]["rawBytes"] = Value::from(NOT_A_KEY);
    json["tlogs"].as_array_mut().unwrap().insert(v2, broken);
    verify(&case, &root(&json)).unwrap();
}

#[test]
fn a_log_host_that_cannot_name_a_key_invalidates_the_root() {
    let case = Case::named("rekor2-happy-path");
    for key in [None, Some(NOT_A_KEY)] {
        let mut json = root_json(&case);
        let v2 = ed25519_log(&json);
        json["tlogs"][v2]["baseUrl"] = Value::from("https://log+2025.example");
        if let Some(key) = key {
            json["tlogs"][v2]["publicKey"]["rawBytes"] = Value::from(key);
        }
        let error = Verifier::new(&root(&json), VerifierConfig::default()).unwrap_err();
        assert!(matches!(error, Error::InvalidTrustedRoot { .. }), "{error}");
    }
}
