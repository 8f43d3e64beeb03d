//! Configuration thresholds and tampering that the conformance suite does not cover: requirements
//! come from the verifier's configuration and the trusted root, never from the bundle.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a test failure

mod common;

use common::Case;
use serde_json::Value;
use sigstore_types::Bundle;
use sigstore_verify::{Error, Verifier, VerifierConfig};

fn mutate(case: &Case, edit: impl FnOnce(&mut Value)) -> Result<Bundle, sigstore_types::Error> {
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    edit(&mut json);
    Bundle::from_json(&serde_json::to_vec(&json).unwrap())
}

fn config(edit: impl FnOnce(&mut VerifierConfig)) -> VerifierConfig {
    let mut config = VerifierConfig::default();
    edit(&mut config);
    config
}

#[test]
fn thresholds_come_from_the_configuration() {
    let case = Case::named("happy-path-v0.3");
    let bundle = case.bundle().unwrap();
    let policy = case.policy().unwrap();

    let two_logs = case.verifier_with(config(|c| c.tlog_threshold = 2));
    let err = two_logs
        .verify(&bundle, case.artifact(), &policy)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotEnoughLogEntries {
                found: 1,
                required: 2
            }
        ),
        "{err}"
    );

    let two_times = case.verifier_with(config(|c| c.time_threshold = 2));
    let err = two_times
        .verify(&bundle, case.artifact(), &policy)
        .unwrap_err();
    assert!(
        matches!(err, Error::NotEnoughVerifiedTimes { found: 1, .. }),
        "{err}"
    );

    let two_scts = case.verifier_with(config(|c| c.sct_threshold = 2));
    let err = two_scts
        .verify(&bundle, case.artifact(), &policy)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotEnoughScts {
                found: 1,
                required: 2
            }
        ),
        "{err}"
    );

    // Thresholds of zero never waive the need for a verified signing time.
    let lax = case.verifier_with(config(|c| {
        c.time_threshold = 0;
        c.tlog_threshold = 0;
    }));
    let stripped = mutate(&case, |b| {
        b["verificationMaterial"]["tlogEntries"] = Value::Array(vec![]);
    })
    .unwrap();
    let err = lax.verify(&stripped, case.artifact(), &policy).unwrap_err();
    assert!(
        matches!(err, Error::NotEnoughVerifiedTimes { found: 0, .. }),
        "{err}"
    );
}

#[test]
fn v0_1_entries_may_rest_on_the_signed_entry_timestamp() {
    // The v0.1 format makes the inclusion proof optional next to a signed entry timestamp, so
    // a v0.1 bundle without a proof verifies on its SET alone (reported as promise-only). The
    // media type is unsigned: a v0.3 bundle rewritten to v0.1 is no stronger than its SET,
    // and `require_inclusion_proof_in_v0_1` refuses such bundles for callers that want that.
    let case = Case::named("happy-path-v0.3");
    let downgrade = |keep_set: bool| {
        mutate(&case, |b| {
            b["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.1".into();
            let leaf = b["verificationMaterial"]["certificate"].take();
            b["verificationMaterial"]
                .as_object_mut()
                .unwrap()
                .remove("certificate");
            b["verificationMaterial"]["x509CertificateChain"] =
                serde_json::json!({ "certificates": [leaf] });
            let entry = b["verificationMaterial"]["tlogEntries"][0]
                .as_object_mut()
                .unwrap();
            entry.remove("inclusionProof");
            if !keep_set {
                entry.remove("inclusionPromise");
            }
        })
    };
    let downgraded = downgrade(true).expect("structurally a valid v0.1 bundle");
    let policy = case.policy().unwrap();
    let result = case
        .verifier()
        .verify(&downgraded, case.artifact(), &policy)
        .unwrap();
    assert!(!result.log_entries[0].inclusion_proof);
    assert!(result.log_entries[0].inclusion_promise);

    let strict = case.verifier_with(config(|c| c.require_inclusion_proof_in_v0_1 = true));
    let err = strict
        .verify(&downgraded, case.artifact(), &policy)
        .unwrap_err();
    assert!(matches!(err, Error::LogEntryInvalid { .. }), "{err}");

    // Without the SET there is nothing left: refused (at parse time, or by the verifier).
    if let Ok(bare) = downgrade(false) {
        assert!(case
            .verifier()
            .verify(&bare, case.artifact(), &policy)
            .is_err());
    }

    // A v0.2 bundle still needs the proof.
    let v02 = mutate(&case, |b| {
        b["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.2".into();
        b["verificationMaterial"]["tlogEntries"][0]
            .as_object_mut()
            .unwrap()
            .remove("inclusionProof");
    });
    if let Ok(v02) = v02 {
        let err = case
            .verifier()
            .verify(&v02, case.artifact(), &policy)
            .unwrap_err();
        assert!(matches!(err, Error::LogEntryInvalid { .. }), "{err}");
    }
}

#[test]
fn integrated_time_without_a_set_is_not_a_time_source() {
    let case = Case::named("happy-path-v0.3");
    let no_set = mutate(&case, |b| {
        b["verificationMaterial"]["tlogEntries"][0]
            .as_object_mut()
            .unwrap()
            .remove("inclusionPromise");
    })
    .unwrap();
    let err = case
        .verify_bundle_with(&case.verifier(), &no_set)
        .unwrap_err();
    assert!(
        matches!(err, Error::NotEnoughVerifiedTimes { found: 0, .. }),
        "{err}"
    );
}

#[test]
fn timestamps_that_do_not_verify_are_skipped_and_never_counted() {
    // A second timestamp taken over other data is skipped (and reported); the good one counts.
    let case = Case::named("rekor2-happy-path");
    let other = Case::named("rekor2-timestamp-payload-mismatch_fail");
    let other_json: Value = serde_json::from_slice(&other.bundle_json).unwrap();
    let foreign = other_json["verificationMaterial"]["timestampVerificationData"]
        ["rfc3161Timestamps"][0]
        .clone();
    let doubled = mutate(&case, |b| {
        b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array_mut()
            .unwrap()
            .push(foreign.clone());
    })
    .unwrap();
    let result = case.verify_bundle_with(&case.verifier(), &doubled).unwrap();
    assert_eq!(result.verified_times.len(), 1);
    assert_eq!(result.skipped_timestamps.len(), 1);
    assert_eq!(result.skipped_timestamps[0].index, 1);
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["skippedTimestamps"][0]["index"], 1);
    assert!(
        json["skippedTimestamps"][0]["reason"]
            .as_str()
            .unwrap()
            .len()
            > 3
    );

    // The skipped token is not counted: two required, one verified.
    let err = case
        .verify_bundle_with(
            &case.verifier_with(config(|c| c.time_threshold = 2)),
            &doubled,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::TimestampsSkipped {
                found: 1,
                required: 2,
                skipped: 1,
                first_index: 1,
                ..
            }
        ),
        "{err}"
    );

    // With only the foreign token, no time verifies at all.
    let only_foreign = mutate(&case, |b| {
        b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] =
            serde_json::json!([foreign.clone()]);
    })
    .unwrap();
    let err = case
        .verify_bundle_with(&case.verifier(), &only_foreign)
        .unwrap_err();
    assert!(
        matches!(err, Error::TimestampsSkipped { found: 0, .. }),
        "{err}"
    );
}

#[test]
fn policy_kind_must_fit_the_material() {
    let keyless = Case::named("happy-path-v0.3");
    let managed = Case::named("managed-key-happy-path");
    let key_policy = managed.policy().unwrap();
    let err = keyless
        .verifier()
        .verify(&keyless.bundle().unwrap(), keyless.artifact(), &key_policy)
        .unwrap_err();
    assert!(matches!(err, Error::Material(_)), "{err}");
    let identity = keyless.policy().unwrap();
    let err = managed
        .verifier()
        .verify(&managed.bundle().unwrap(), managed.artifact(), &identity)
        .unwrap_err();
    assert!(matches!(err, Error::Material(_)), "{err}");
}

#[test]
fn a_log_entry_from_an_untrusted_log_is_rejected() {
    // The staging root knows nothing of the production log, whatever the bundle says.
    let case = Case::named("happy-path-v0.3");
    let staging = sigstore_trust::STAGING.trusted_root().unwrap();
    let verifier = Verifier::new(&staging, VerifierConfig::default()).unwrap();
    let err = case.verify_with(&verifier).unwrap_err();
    assert!(matches!(err, Error::UnknownLog { .. }), "{err}");
}

#[test]
fn result_reports_what_was_verified() {
    let case = Case::named("rekor2-happy-path");
    let result = case.verify_with(&case.verifier()).unwrap();
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["signer"]["identity"], common::DEFAULT_IDENTITY);
    assert_eq!(json["signer"]["issuer"], common::DEFAULT_ISSUER);
    assert_eq!(json["verifiedTimes"][0]["source"]["type"], "rfc3161");
    assert_eq!(json["logEntries"][0]["kind"], "hashedrekord");
    assert_eq!(json["logEntries"][0]["inclusionProof"], true);
    assert_eq!(json["verifiedScts"], 1);
    assert!(json["artifactDigest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
}

#[test]
fn a_retired_log_key_does_not_vouch_for_later_entries() {
    // End the Rekor v2 log key's validity before the bundle's RFC 3161 time.
    let case = Case::named("rekor2-happy-path");
    let mut root: Value = serde_json::from_slice(&case.trusted_root_json).unwrap();
    for tlog in root["tlogs"].as_array_mut().unwrap() {
        if tlog["baseUrl"].as_str().unwrap().contains("log2025-alpha1") {
            tlog["publicKey"]["validFor"]["end"] = "2025-06-01T00:00:00Z".into();
        }
    }
    let root = sigstore_types::TrustedRoot::from_json(&serde_json::to_vec(&root).unwrap()).unwrap();
    let err = case
        .verify_with(&Verifier::new(&root, VerifierConfig::default()).unwrap())
        .unwrap_err();
    assert!(
        matches!(err, Error::LogKeyNotValidAt { index: 0, .. }),
        "{err}"
    );
}
