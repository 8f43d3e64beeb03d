//! Every Rekor v2 happy path of the conformance data, with its inclusion proof's `rootHash`,
//! `treeSize` or `logIndex` edited in many ways: the original verifies, and every mutation is
//! rejected (the proof must agree with the signed checkpoint and the entry).
#![allow(clippy::unwrap_used)]

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::Case;
use serde_json::Value;
use sigstore_types::Bundle;
use sigstore_verify::{Verifier, VerifierConfig};

fn as_i64(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        other => other.as_i64().unwrap(),
    }
}

/// (description, edit of the inclusion proof object).
type Mutation = (String, Box<dyn Fn(&mut Value)>);

fn mutations(proof: &Value) -> Vec<Mutation> {
    let mut out: Vec<Mutation> = Vec::new();
    let size = as_i64(&proof["treeSize"]);
    let index = as_i64(&proof["logIndex"]);
    for delta in [-2i64, -1, 1, 2, 1000] {
        let s = size + delta;
        if s >= 0 {
            out.push((
                format!("treeSize {delta:+}"),
                Box::new(move |p: &mut Value| p["treeSize"] = s.to_string().into()),
            ));
        }
        let i = index + delta;
        if i >= 0 {
            out.push((
                format!("logIndex {delta:+}"),
                Box::new(move |p: &mut Value| p["logIndex"] = i.to_string().into()),
            ));
        }
    }
    out.push((
        "treeSize 0".into(),
        Box::new(|p: &mut Value| p["treeSize"] = "0".into()),
    ));
    out.push((
        "logIndex 0".into(),
        Box::new(|p: &mut Value| p["logIndex"] = "0".into()),
    ));
    let root = STANDARD
        .decode(proof["rootHash"].as_str().unwrap())
        .unwrap();
    for byte in [0usize, 15, 31] {
        let mut flipped = root.clone();
        flipped[byte] ^= 0x01;
        let b64 = STANDARD.encode(&flipped);
        out.push((
            format!("rootHash bit flip in byte {byte}"),
            Box::new(move |p: &mut Value| p["rootHash"] = b64.clone().into()),
        ));
    }
    let zeros = STANDARD.encode([0u8; 32]);
    out.push((
        "rootHash zeros".into(),
        Box::new(move |p: &mut Value| p["rootHash"] = zeros.clone().into()),
    ));
    let short = STANDARD.encode(&root[..31]);
    out.push((
        "rootHash truncated".into(),
        Box::new(move |p: &mut Value| p["rootHash"] = short.clone().into()),
    ));
    out.push((
        "rootHash removed".into(),
        Box::new(|p: &mut Value| {
            p.as_object_mut().unwrap().remove("rootHash");
        }),
    ));
    out.push((
        "treeSize removed".into(),
        Box::new(|p: &mut Value| {
            p.as_object_mut().unwrap().remove("treeSize");
        }),
    ));
    out.push((
        "logIndex removed".into(),
        Box::new(|p: &mut Value| {
            p.as_object_mut().unwrap().remove("logIndex");
        }),
    ));
    out
}

#[test]
fn rekor_v2_inclusion_proof_mutations_are_rejected() {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut report = Vec::new();
    let mut happy_paths = 0;
    for case in Case::all() {
        if case.should_fail {
            continue;
        }
        let json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
        let entries = json["verificationMaterial"]["tlogEntries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let v2_entries: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e["kindVersion"]["version"] == "0.0.2"
                    && e["kindVersion"]["kind"] == "hashedrekord"
                    && e.get("inclusionProof").is_some()
            })
            .map(|(i, _)| i)
            .collect();
        if v2_entries.is_empty() {
            continue;
        }
        happy_paths += 1;
        let root = case.trusted_root().unwrap();
        let verifier = Verifier::new(&root, VerifierConfig::default()).unwrap();
        let policy = case.policy().unwrap();
        // The unmodified bundle verifies.
        match verifier.verify(&case.bundle().unwrap(), case.artifact(), &policy) {
            Ok(_) => passed += 1,
            Err(e) => {
                failed += 1;
                report.push(format!("{}: happy path rejected: {e}", case.name));
            }
        }
        for &i in &v2_entries {
            for (what, edit) in mutations(&entries[i]["inclusionProof"]) {
                let mut mutated = json.clone();
                edit(&mut mutated["verificationMaterial"]["tlogEntries"][i]["inclusionProof"]);
                let accepted = Bundle::from_json(&serde_json::to_vec(&mutated).unwrap())
                    .ok()
                    .map(|bundle| verifier.verify(&bundle, case.artifact(), &policy));
                match accepted {
                    Some(Ok(_)) => {
                        failed += 1;
                        report.push(format!("{}: entry {i}: {what}: accepted", case.name));
                    }
                    _ => passed += 1,
                }
            }
        }
    }
    for line in &report {
        println!("UNEXPECTED {line}");
    }
    println!(
        "rekor v2 proof mutations ({happy_paths} happy paths): {passed} passed, {failed} failed"
    );
    assert!(happy_paths >= 5, "too few Rekor v2 happy paths found");
    assert_eq!(failed, 0, "{}", report.join("\n"));
}
