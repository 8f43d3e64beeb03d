//! Review finding (issue 11): a Rekor v1 entry verified by its inclusion proof alone (no
//! signed entry timestamp) reported the bundle's top-level `logIndex`, which nothing binds: a
//! bundle edited to say 424242424 verified and reported that index. A result reports only
//! verified values: the proof's index, with the bundle's claim apart and marked unverified.
#![allow(clippy::unwrap_used)]

mod common;

use common::Case;
use serde_json::Value;
use sigstore_types::Bundle;

const FORGED: i64 = 424_242_424;

fn edited(case: &Case, drop_set: bool, log_index: Option<i64>) -> Bundle {
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let entry = &mut json["verificationMaterial"]["tlogEntries"][0];
    if drop_set {
        entry.as_object_mut().unwrap().remove("inclusionPromise");
    }
    if let Some(index) = log_index {
        entry["logIndex"] = Value::from(index.to_string());
    }
    Bundle::from_json(&serde_json::to_vec(&json).unwrap()).unwrap()
}

#[test]
fn only_bound_log_indexes_are_reported() {
    // A Rekor v1 entry with a signed entry timestamp, an inclusion proof and an RFC 3161
    // timestamp, so that it verifies without the SET too.
    let case = Case::named("intoto-with-custom-trust-root");
    let verifier = case.verifier();
    let policy = case.policy().unwrap();
    let original: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let entry = &original["verificationMaterial"]["tlogEntries"][0];
    let global: i64 = entry["logIndex"].as_str().unwrap().parse().unwrap();
    let proof_index: i64 = entry["inclusionProof"]["logIndex"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(
        global, proof_index,
        "a sharded-log entry: the two indexes differ"
    );

    // With the SET: the SET signs the global index, which is reported as verified.
    let result = verifier
        .verify(&edited(&case, false, None), case.artifact(), &policy)
        .unwrap();
    assert_eq!(result.log_entries[0].log_index, global);
    assert_eq!(result.log_entries[0].unverified_log_index, None);
    // ...and an edited global index breaks the SET.
    assert!(verifier
        .verify(
            &edited(&case, false, Some(FORGED)),
            case.artifact(),
            &policy
        )
        .is_err());

    // Without the SET: the proof's index is what is verified; the bundle's claim is apart.
    for claimed in [global, FORGED] {
        let result = verifier
            .verify(
                &edited(&case, true, Some(claimed)),
                case.artifact(),
                &policy,
            )
            .unwrap();
        let entry = &result.log_entries[0];
        assert!(entry.inclusion_proof && !entry.inclusion_promise);
        assert_eq!(entry.log_index, proof_index);
        assert_eq!(entry.unverified_log_index, Some(claimed));
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(json["logEntries"][0]["logIndex"], proof_index);
        assert_eq!(json["logEntries"][0]["unverifiedLogIndex"], claimed);
    }
}
