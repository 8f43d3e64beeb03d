//! Review: a log entry named by the trusted root's checkpointKeyId alias.
//!
//! Spec §11 pitfall 11: dedupe log entries by (logId, logIndex) and count each operator once.
//! The bundle parser rejects a literal duplicate, but the verifier resolves an entry's log by
//! either `logId` or the trusted root's `checkpointKeyId`, so the same Rekor v1 entry can be
//! listed under both names. It must count once: towards the log threshold and as a verified
//! time (else `time_threshold = 2` would be met by a single SET).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a test failure

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::Case;
use serde_json::Value;
use sigstore_types::{Bundle, TrustedRoot};
use sigstore_verify::{Verifier, VerifierConfig};

/// An alias `checkpointKeyId` for the production Rekor v1 log (any 32 bytes the trusted root
/// names; Rekor v2 roots carry such IDs).
const ALIAS: [u8; 32] = [0x5a; 32];

fn root_with_alias(case: &Case) -> TrustedRoot {
    let mut root: Value = serde_json::from_slice(&case.trusted_root_json).unwrap();
    let tlogs = root["tlogs"].as_array_mut().unwrap();
    let rekor_v1 = tlogs
        .iter_mut()
        .find(|t| t["baseUrl"] == "https://rekor.sigstore.dev")
        .unwrap();
    rekor_v1["checkpointKeyId"] = serde_json::json!({ "keyId": STANDARD.encode(ALIAS) });
    TrustedRoot::from_json(&serde_json::to_vec(&root).unwrap()).unwrap()
}

fn doubled_bundle(case: &Case) -> Bundle {
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let entries = json["verificationMaterial"]["tlogEntries"]
        .as_array_mut()
        .unwrap();
    let mut copy = entries[0].clone();
    copy["logId"]["keyId"] = STANDARD.encode(ALIAS).into();
    entries.push(copy);
    Bundle::from_json(&serde_json::to_vec(&json).unwrap())
        .expect("the parser only dedupes literal (logId, logIndex) pairs")
}

#[test]
fn the_alias_alone_resolves_to_the_trusted_log() {
    // Sanity check of the setup: the entry under its alias verifies on its own, so the
    // doubled bundle below really presents one entry twice.
    let case = Case::named("happy-path-v0.3");
    let root = root_with_alias(&case);
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    json["verificationMaterial"]["tlogEntries"][0]["logId"]["keyId"] =
        STANDARD.encode(ALIAS).into();
    let bundle = Bundle::from_json(&serde_json::to_vec(&json).unwrap()).unwrap();
    let verifier = Verifier::new(&root, VerifierConfig::default()).unwrap();
    case.verify_bundle_with(&verifier, &bundle).unwrap();
}

#[test]
fn a_literal_duplicate_entry_is_rejected_at_parse_time() {
    let case = Case::named("happy-path-v0.3");
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let entries = json["verificationMaterial"]["tlogEntries"]
        .as_array_mut()
        .unwrap();
    let copy = entries[0].clone();
    entries.push(copy);
    assert!(Bundle::from_json(&serde_json::to_vec(&json).unwrap()).is_err());
}

#[test]
fn one_log_counts_once_towards_the_log_threshold_even_under_an_alias() {
    let case = Case::named("happy-path-v0.3");
    let root = root_with_alias(&case);
    let bundle = doubled_bundle(&case);
    let mut config = VerifierConfig::default();
    config.tlog_threshold = 2;
    let err = case
        .verify_bundle_with(&Verifier::new(&root, config).unwrap(), &bundle)
        .unwrap_err();
    // The second name for the same entry is refused outright.
    assert!(
        matches!(
            err,
            sigstore_verify::Error::LogEntryInvalid { index: 1, .. }
                | sigstore_verify::Error::NotEnoughLogEntries { found: 1, .. }
        ),
        "{err}"
    );
}

fn two_times() -> VerifierConfig {
    let mut config = VerifierConfig::default();
    config.time_threshold = 2;
    config
}

// The same Rekor v1 entry listed once under its logId and once under the trusted root's
// checkpointKeyId passes the bundle's literal duplicate check; it must not contribute its SET
// time twice.
#[test]
fn one_entry_under_two_log_names_is_one_verified_time() {
    let case = Case::named("happy-path-v0.3");
    let root = root_with_alias(&case);
    let bundle = doubled_bundle(&case);
    let verifier = Verifier::new(&root, two_times()).unwrap();
    let outcome = case.verify_bundle_with(&verifier, &bundle);
    match outcome {
        Err(_) => {}
        Ok(result) => panic!(
            "one SET counted as {} verified times: {:?}",
            result.verified_times.len(),
            result.verified_times
        ),
    }
}
