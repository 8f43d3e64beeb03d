//! Data-driven test over the transparency-dev Merkle vectors in `testdata/merkle`.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use sigstore_rekor::merkle::{
    verify_consistency, verify_inclusion, verify_subtree_inclusion, Hash,
};

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Why a vector cannot be expressed in this crate's typed API.
#[derive(Debug)]
enum Untyped {
    /// A hash field is not 32 bytes (the API takes `[u8; 32]`).
    HashLength,
}

fn hash(v: &Value) -> Result<Hash, Untyped> {
    let bytes = match v {
        Value::Null => Vec::new(),
        Value::String(s) => STANDARD.decode(s).expect("vector base64"),
        other => panic!("unexpected hash value {other}"),
    };
    bytes.try_into().map_err(|_| Untyped::HashLength)
}

fn proof(v: &Value) -> Result<Vec<Hash>, Untyped> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => a.iter().map(hash).collect(),
        other => panic!("unexpected proof value {other}"),
    }
}

fn num(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not a u64: {}", v[key]))
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<String>,
    /// wantErr=false vectors with non-32-byte hashes: not expressible in the typed API.
    skipped: Vec<String>,
}

impl Tally {
    fn record(
        &mut self,
        path: &Path,
        want_err: bool,
        outcome: Result<Result<(), String>, Untyped>,
    ) {
        let name = path.display().to_string();
        match outcome {
            // A hash that is not 32 bytes is rejected at the type boundary.
            Err(Untyped::HashLength) if want_err => self.passed += 1,
            Err(Untyped::HashLength) => self.skipped.push(name),
            Ok(result) => {
                if result.is_err() == want_err {
                    self.passed += 1;
                } else {
                    self.failed
                        .push(format!("{name}: wantErr={want_err}, got {result:?}"));
                }
            }
        }
    }
}

fn run_inclusion(v: &Value) -> Result<Result<(), String>, Untyped> {
    let leaf = hash(&v["leafHash"])?;
    let root = hash(&v["root"])?;
    let p = proof(&v["proof"])?;
    let r = if v.get("treeSize").is_some() {
        verify_inclusion(num(v, "leafIdx"), num(v, "treeSize"), &leaf, &p, &root)
    } else {
        verify_subtree_inclusion(
            num(v, "leafIdx"),
            num(v, "start"),
            num(v, "end"),
            &leaf,
            &p,
            &root,
        )
    };
    Ok(r.map_err(|e| e.to_string()))
}

fn run_consistency(v: &Value) -> Result<Result<(), String>, Untyped> {
    let root1 = hash(&v["root1"])?;
    let root2 = hash(&v["root2"])?;
    let p = proof(&v["proof"])?;
    Ok(
        verify_consistency(num(v, "size1"), num(v, "size2"), &p, &root1, &root2)
            .map_err(|e| e.to_string()),
    )
}

#[test]
fn merkle_vectors() {
    let base = sigstore_test_support::merkle_vectors();
    let mut tally = Tally::default();
    let mut subtree_consistency_skipped = 0;
    for (folder, kind) in [
        ("inclusion", "inclusion"),
        ("consistency", "consistency"),
        ("subtreeinclusion", "inclusion"),
        ("subtreeconsistency", "consistency"),
    ] {
        let mut files = Vec::new();
        json_files(&base.join(folder), &mut files);
        assert!(!files.is_empty(), "no vectors in {folder}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            let want_err = v["wantErr"].as_bool().expect("wantErr");
            if kind == "consistency" && v.get("start").is_some() {
                // Subtree consistency proofs (start/end/size) are a different algorithm.
                subtree_consistency_skipped += 1;
                continue;
            }
            let outcome = if kind == "inclusion" {
                run_inclusion(&v)
            } else {
                run_consistency(&v)
            };
            tally.record(&path, want_err, outcome);
        }
    }
    println!(
        "merkle vectors: {} passed, {} failed",
        tally.passed,
        tally.failed.len()
    );
    for s in &tally.skipped {
        println!("skipped (hash is not 32 bytes; the API takes [u8; 32]): {s}");
    }
    println!(
        "skipped {subtree_consistency_skipped} subtreeconsistency vectors with start/end/size: \
         subtree consistency proofs (Merkle Tree Certificates) are not a Rekor operation and \
         are not implemented"
    );
    for f in &tally.failed {
        println!("FAILED {f}");
    }
    assert!(tally.failed.is_empty());
    assert!(tally.passed >= 390, "too few vectors ran: {}", tally.passed);
}
