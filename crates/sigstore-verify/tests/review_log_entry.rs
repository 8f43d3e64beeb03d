//! Review: log entry index/size handling, SET scope, Rekor v1 vs v2 rules, and hostile numbers.
//! Every test here asserts safe behaviour that the verifier already has.
#![allow(clippy::unwrap_used)]

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::Case;
use serde_json::Value;
use sigstore_types::Bundle;
use sigstore_verify::Error;

fn edited(case: &Case, edit: impl FnOnce(&mut Value)) -> Result<Bundle, sigstore_types::Error> {
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    edit(&mut json);
    Bundle::from_json(&serde_json::to_vec(&json).unwrap())
}

fn entry(json: &mut Value) -> &mut Value {
    &mut json["verificationMaterial"]["tlogEntries"][0]
}

/// Verifies with the default configuration; `None` when the bundle did not even parse.
fn outcome(
    case: &Case,
    bundle: Result<Bundle, sigstore_types::Error>,
) -> Option<Result<(), Error>> {
    let bundle = bundle.ok()?;
    Some(
        case.verify_bundle_with(&case.verifier(), &bundle)
            .map(|_| ()),
    )
}

fn assert_rejected(case: &Case, what: &str, edit: impl FnOnce(&mut Value)) {
    match outcome(case, edited(case, edit)) {
        None | Some(Err(_)) => {}
        Some(Ok(())) => panic!("{}: accepted after {what}", case.name),
    }
}

fn as_i64(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        other => other.as_i64().unwrap(),
    }
}

#[test]
fn baseline_cases_verify() {
    for name in ["happy-path-v0.3", "happy-path-v0.2", "rekor2-happy-path"] {
        let case = Case::named(name);
        outcome(&case, case.bundle()).unwrap().unwrap();
    }
}

#[test]
fn rekor_v1_indices_are_not_interchangeable() {
    // v1: the SET covers the global (top-level) logIndex, the proof uses the shard-local
    // inclusionProof.logIndex. Neither may stand in for the other.
    let case = Case::named("happy-path-v0.3");
    let json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let global = as_i64(&json["verificationMaterial"]["tlogEntries"][0]["logIndex"]);
    let local =
        as_i64(&json["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["logIndex"]);
    assert_ne!(global, local, "test needs a sharded entry");

    assert_rejected(&case, "global index used for the proof", |b| {
        entry(b)["inclusionProof"]["logIndex"] = global.to_string().into();
    });
    assert_rejected(&case, "shard index used for the SET", |b| {
        entry(b)["logIndex"] = local.to_string().into();
    });
    assert_rejected(&case, "top-level index + 1", |b| {
        entry(b)["logIndex"] = (global + 1).to_string().into();
    });
    assert_rejected(&case, "proof index - 1", |b| {
        entry(b)["inclusionProof"]["logIndex"] = (local - 1).to_string().into();
    });
}

#[test]
fn rekor_v1_proof_tree_must_be_the_checkpoint_tree() {
    let case = Case::named("happy-path-v0.3");
    assert_rejected(&case, "tree size + 1", |b| {
        let size = as_i64(&entry(b)["inclusionProof"]["treeSize"]);
        entry(b)["inclusionProof"]["treeSize"] = (size + 1).to_string().into();
    });
    assert_rejected(&case, "root hash replaced", |b| {
        entry(b)["inclusionProof"]["rootHash"] = STANDARD.encode([7u8; 32]).into();
    });
    assert_rejected(&case, "checkpoint removed", |b| {
        entry(b)["inclusionProof"]
            .as_object_mut()
            .unwrap()
            .remove("checkpoint");
    });
    assert_rejected(&case, "extra proof hash", |b| {
        entry(b)["inclusionProof"]["hashes"]
            .as_array_mut()
            .unwrap()
            .push(STANDARD.encode([0u8; 32]).into());
    });
    assert_rejected(&case, "last proof hash dropped", |b| {
        entry(b)["inclusionProof"]["hashes"]
            .as_array_mut()
            .unwrap()
            .pop();
    });
}

#[test]
fn rekor_v1_set_covers_time_and_log() {
    let case = Case::named("happy-path-v0.3");
    assert_rejected(&case, "integratedTime - 1", |b| {
        let t = as_i64(&entry(b)["integratedTime"]);
        entry(b)["integratedTime"] = (t - 1).to_string().into();
    });
    assert_rejected(
        &case,
        "logId truncated to the 4-byte checkpoint hint",
        |b| {
            let id = STANDARD
                .decode(entry(b)["logId"]["keyId"].as_str().unwrap())
                .unwrap();
            entry(b)["logId"]["keyId"] = STANDARD.encode(&id[..4]).into();
        },
    );
}

#[test]
fn rekor_v2_uses_the_top_level_index_and_the_checkpoint_tree() {
    let case = Case::named("rekor2-happy-path");
    assert_rejected(&case, "top-level index + 1", |b| {
        let i = as_i64(&entry(b)["logIndex"]);
        entry(b)["logIndex"] = (i + 1).to_string().into();
    });
    assert_rejected(&case, "a signed entry timestamp on a v2 entry", |b| {
        entry(b)["inclusionPromise"] =
            serde_json::json!({ "signedEntryTimestamp": STANDARD.encode([0x30, 0x00]) });
    });
    assert_rejected(&case, "kindVersion relabelled 0.0.1", |b| {
        entry(b)["kindVersion"]["version"] = "0.0.1".into();
    });
    assert_rejected(&case, "timestamp removed", |b| {
        b["verificationMaterial"]
            .as_object_mut()
            .unwrap()
            .remove("timestampVerificationData");
    });
    // integratedTime is never a time source for v2 (no SET), whatever value it carries.
    assert_rejected(&case, "timestamp removed, integratedTime set", |b| {
        b["verificationMaterial"]
            .as_object_mut()
            .unwrap()
            .remove("timestampVerificationData");
        entry(b)["integratedTime"] = "1760000000".into();
    });
}

#[test]
fn rekor_v2_proof_fields_must_agree_with_the_checkpoint_and_entry() {
    // The proof's logIndex/treeSize/rootHash are present, so they are checked: each must equal
    // the entry's index and the signed checkpoint's size and root (see also
    // tests/rekor2_proof_fields.rs, which mutates every conformance happy path).
    let case = Case::named("rekor2-happy-path");
    assert_rejected(&case, "proof treeSize 1", |b| {
        entry(b)["inclusionProof"]["treeSize"] = "1".into();
    });
    assert_rejected(&case, "proof logIndex 0", |b| {
        entry(b)["inclusionProof"]["logIndex"] = "0".into();
    });
    assert_rejected(&case, "proof rootHash other", |b| {
        entry(b)["inclusionProof"]["rootHash"] = STANDARD.encode([9u8; 32]).into();
    });
}

/// A named bundle edit.
type Edit = Box<dyn Fn(&mut Value)>;

#[test]
fn hostile_numbers_fail_without_panicking() {
    let case = Case::named("happy-path-v0.3");
    let edits: Vec<(&str, Edit)> = vec![
        (
            "huge proof index",
            Box::new(|b| entry(b)["inclusionProof"]["logIndex"] = i64::MAX.to_string().into()),
        ),
        (
            "huge tree size",
            Box::new(|b| entry(b)["inclusionProof"]["treeSize"] = i64::MAX.to_string().into()),
        ),
        (
            "index == size",
            Box::new(|b| {
                let size = entry(b)["inclusionProof"]["treeSize"].clone();
                entry(b)["inclusionProof"]["logIndex"] = size;
            }),
        ),
        (
            "zero tree size",
            Box::new(|b| entry(b)["inclusionProof"]["treeSize"] = "0".into()),
        ),
        (
            "huge global index",
            Box::new(|b| entry(b)["logIndex"] = i64::MAX.to_string().into()),
        ),
        (
            "huge integratedTime",
            Box::new(|b| entry(b)["integratedTime"] = i64::MAX.to_string().into()),
        ),
        (
            "negative integratedTime",
            Box::new(|b| entry(b)["integratedTime"] = i64::MIN.to_string().into()),
        ),
        (
            "u64 overflow",
            Box::new(|b| entry(b)["logIndex"] = "18446744073709551616".into()),
        ),
        (
            "float index",
            Box::new(|b| entry(b)["logIndex"] = Value::from(1.5)),
        ),
        (
            "1000 proof hashes",
            Box::new(|b| {
                entry(b)["inclusionProof"]["hashes"] =
                    Value::Array(vec![STANDARD.encode([1u8; 32]).into(); 1000]);
            }),
        ),
        (
            "short proof hash",
            Box::new(|b| {
                entry(b)["inclusionProof"]["hashes"][0] = STANDARD.encode([1u8; 31]).into()
            }),
        ),
        (
            "short root hash",
            Box::new(|b| {
                entry(b)["inclusionProof"]["rootHash"] = STANDARD.encode([1u8; 31]).into()
            }),
        ),
        (
            "empty SET",
            Box::new(|b| entry(b)["inclusionPromise"]["signedEntryTimestamp"] = "".into()),
        ),
        (
            "garbage SET",
            Box::new(|b| {
                entry(b)["inclusionPromise"]["signedEntryTimestamp"] =
                    STANDARD.encode([0xffu8; 200]).into()
            }),
        ),
        (
            "body not JSON",
            Box::new(|b| entry(b)["canonicalizedBody"] = STANDARD.encode(b"\xff\xfe{").into()),
        ),
        (
            "body deeply nested",
            Box::new(|b| {
                let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
                entry(b)["canonicalizedBody"] = STANDARD.encode(deep).into();
            }),
        ),
    ];
    for (what, edit) in edits {
        assert_rejected(&case, what, |b| edit(b));
    }
}

#[test]
fn hostile_checkpoints_fail_without_panicking() {
    let case = Case::named("happy-path-v0.3");
    let json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let note = json["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]
        ["envelope"]
        .as_str()
        .unwrap()
        .to_owned();
    let (text, sigs) = note.rsplit_once("\n\n").unwrap();
    let first_sig = sigs.lines().next().unwrap().to_owned();
    let variants = vec![
        (
            "200 copies of the log's signature line",
            format!("{text}\n\n{}", format!("{first_sig}\n").repeat(200)),
        ),
        ("no signature lines", format!("{text}\n\n")),
        ("text only", format!("{text}\n")),
        (
            "signature line without dash",
            format!("{text}\n\n{}\n", first_sig.trim_start_matches('\u{2014}')),
        ),
        ("empty", String::new()),
        ("tree size with leading zero", note.replacen("\n", "\n0", 1)),
        ("NUL in text", note.replacen("\n", "\0\n", 1)),
        ("1 MiB origin", format!("{}{note}", "a".repeat(1 << 20))),
    ];
    for (what, replacement) in variants {
        assert_rejected(&case, what, |b| {
            entry(b)["inclusionProof"]["checkpoint"]["envelope"] = replacement.clone().into();
        });
    }
}

#[test]
fn hostile_timestamps_fail_without_panicking() {
    let case = Case::named("rekor2-happy-path");
    let json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let token = STANDARD
        .decode(
            json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                ["signedTimestamp"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let mut variants: Vec<Vec<u8>> = vec![
        vec![0x30],
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        vec![0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        vec![0x30, 0x80, 0x00, 0x00],
        vec![0x1f, 0xff, 0xff, 0x01, 0x00],
    ];
    for cut in [1, 2, 10, token.len() / 2, token.len() - 1] {
        variants.push(token[..cut].to_vec());
    }
    // Every bit that the signature, imprint, chain or signer identity depends on. Left out:
    // the SignedData digestAlgorithms set (bytes 35..50), which CMS leaves informational, and
    // the embedded certificate set (247..782), which is untrusted (its rule is tested in
    // review_tsa_embedded.rs).
    assert_eq!(token.len(), 1262, "offsets below are for this fixture");
    let mut flipped = token.clone();
    for i in
        (0..flipped.len()).filter(|i| !(35..50).contains(i) && !(247..782).contains(i) && *i != 8)
    {
        flipped[i] ^= 0x01;
        variants.push(flipped.clone());
        flipped[i] ^= 0x01;
    }
    let mut trailing = token.clone();
    trailing.push(0);
    variants.push(trailing);
    for bytes in variants {
        assert_rejected(&case, "mangled RFC 3161 token", |b| {
            b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                ["signedTimestamp"] = STANDARD.encode(&bytes).into();
        });
    }
}

#[test]
fn entry_and_timestamp_counts_are_capped() {
    let case = Case::named("happy-path-v0.3");
    let bundle = edited(&case, |b| {
        let e = entry(b).clone();
        let entries = (0..33)
            .map(|i| {
                let mut e = e.clone();
                e["logIndex"] = (i + 1).to_string().into();
                e
            })
            .collect();
        b["verificationMaterial"]["tlogEntries"] = Value::Array(entries);
    });
    assert!(bundle.is_err(), "33 log entries parsed");

    let case = Case::named("rekor2-happy-path");
    let bundle = edited(&case, |b| {
        let list = (0..33u8)
            .map(|i| serde_json::json!({ "signedTimestamp": STANDARD.encode([0x30, 0x01, i]) }))
            .collect();
        b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] =
            Value::Array(list);
    });
    assert!(bundle.is_err(), "33 timestamps parsed");
}
