//! Both crypto backends against Project Wycheproof's signature verification vectors
//! (`testdata/wycheproof`, from C2SP/wycheproof): ECDSA P-256/P-384/P-521 with DER signatures,
//! Ed25519, RSASSA-PKCS1-v1_5 and RSASSA-PSS. Every `valid` vector must verify, every `invalid`
//! one must be refused; `acceptable` ones (legacy encodings a verifier may take) are counted
//! either way. Run with `--features aws-lc` for the aws-lc backend. Groups this crate cannot
//! express (none today) would be listed in `testdata/wycheproof/EXCEPTIONS.md` with a reason;
//! the test fails if a group is skipped without an entry there.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use sigstore_crypto::{PublicKey, SignatureAlgorithm, BACKEND};

fn algorithm(group: &Value) -> Result<SignatureAlgorithm, String> {
    let sha = group["sha"].as_str().unwrap_or_default();
    let kind = group["type"].as_str().unwrap_or_default();
    Ok(match (kind, sha) {
        ("EcdsaVerify", "SHA-256") => SignatureAlgorithm::EcdsaSha256,
        ("EcdsaVerify", "SHA-384") => SignatureAlgorithm::EcdsaSha384,
        ("EcdsaVerify", "SHA-512") => SignatureAlgorithm::EcdsaSha512,
        ("EddsaVerify", _) => SignatureAlgorithm::Ed25519,
        ("RsassaPkcs1Verify", "SHA-256") => SignatureAlgorithm::RsaPkcs1Sha256,
        ("RsassaPkcs1Verify", "SHA-384") => SignatureAlgorithm::RsaPkcs1Sha384,
        ("RsassaPkcs1Verify", "SHA-512") => SignatureAlgorithm::RsaPkcs1Sha512,
        ("RsassaPssVerify", _) => {
            // This crate's PSS schemes use MGF1 with the message hash and a salt as long as
            // the hash.
            let (alg, salt) = match sha {
                "SHA-256" => (SignatureAlgorithm::RsaPssSha256, 32),
                "SHA-384" => (SignatureAlgorithm::RsaPssSha384, 48),
                "SHA-512" => (SignatureAlgorithm::RsaPssSha512, 64),
                _ => return Err(format!("PSS with {sha}")),
            };
            if group["mgf"] != "MGF1" || group["mgfSha"] != sha || group["sLen"] != salt {
                return Err(format!(
                    "PSS with {} {} and salt {}",
                    group["mgf"], group["mgfSha"], group["sLen"]
                ));
            }
            alg
        }
        _ => return Err(format!("{kind} with {sha}")),
    })
}

#[test]
fn wycheproof_signature_vectors() {
    let dir = sigstore_test_support::testdata().join("wycheproof");
    let exceptions = std::fs::read_to_string(dir.join("EXCEPTIONS.md")).unwrap_or_default();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "Wycheproof vectors missing in {}",
        dir.display()
    );
    let (mut passed, mut acceptable, mut skipped) = (0usize, 0usize, 0usize);
    let mut failed = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        for (g, group) in doc["testGroups"].as_array().unwrap().iter().enumerate() {
            let tests = group["tests"].as_array().unwrap();
            let algorithm = match algorithm(group) {
                Ok(algorithm) => algorithm,
                Err(why) => {
                    let id = format!("{name} group {g}");
                    assert!(
                        exceptions.contains(&id),
                        "{id} ({why}) is skipped without an entry in EXCEPTIONS.md"
                    );
                    skipped += tests.len();
                    continue;
                }
            };
            let der = hex::decode(group["publicKeyDer"].as_str().unwrap()).unwrap();
            let key = PublicKey::from_spki_der(&der);
            for test in tests {
                let id = test["tcId"].as_u64().unwrap();
                let expected = test["result"].as_str().unwrap();
                let msg = hex::decode(test["msg"].as_str().unwrap()).unwrap();
                let sig = hex::decode(test["sig"].as_str().unwrap()).unwrap();
                let ok = match &key {
                    Ok(key) => key.verify(algorithm, &msg, &sig).is_ok(),
                    Err(_) => false,
                };
                match (expected, ok) {
                    ("valid", true) | ("invalid", false) => passed += 1,
                    ("acceptable", _) => acceptable += 1,
                    _ => failed.push(format!(
                        "{name} tcId {id} ({}): expected {expected}, got {}{}",
                        test["comment"].as_str().unwrap_or_default(),
                        if ok { "accepted" } else { "refused" },
                        match &key {
                            Err(e) => format!(" (key refused: {e})"),
                            Ok(_) => String::new(),
                        }
                    )),
                }
            }
        }
    }
    println!(
        "wycheproof ({BACKEND}, {} files): {passed} passed, {} failed ({acceptable} acceptable \
         either way, {skipped} skipped by EXCEPTIONS.md)",
        files.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "{failed:#?}");
}
