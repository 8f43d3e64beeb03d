//! Checks this crate's pieces against the real sigstore-conformance bundles in
//! `testdata/conformance/bundle-verify`.
//!
//! Each test runs one step of bundle verification over every case and compares the set of
//! cases that fail that step with the cases known to be broken in exactly that step.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use sigstore_crypto::{HashAlgorithm, PublicKey};
use sigstore_rekor::body::{dsse_pae, rebuild_hashedrekord_v002, EntryBody, Verifier};
use sigstore_rekor::checkpoint::{
    verify_rekor_v1_checkpoint, verify_rekor_v2_checkpoint, Checkpoint, NoteVerifier, SignedNote,
};
use sigstore_rekor::merkle::{leaf_hash, verify_inclusion, Hash};
use sigstore_rekor::set::verify_set;
use sigstore_rekor::Error;

fn cases_dir() -> PathBuf {
    sigstore_test_support::conformance_cases()
}

struct Case {
    name: String,
    dir: PathBuf,
    bundle: Value,
    trusted_root: Value,
}

impl Case {
    fn entry(&self) -> &Value {
        &self.bundle["verificationMaterial"]["tlogEntries"][0]
    }

    fn is_rekor_v2(&self) -> bool {
        let kv = &self.entry()["kindVersion"];
        kv["kind"] == "hashedrekord" && kv["version"] == "0.0.2"
    }

    fn body(&self) -> Vec<u8> {
        b64(self.entry()["canonicalizedBody"].as_str().unwrap())
    }

    /// The trusted root's tlog whose logId equals the entry's.
    fn tlog(&self) -> Option<&Value> {
        let id = self.entry()["logId"]["keyId"].as_str()?;
        self.trusted_root["tlogs"]
            .as_array()?
            .iter()
            .find(|t| t["logId"]["keyId"].as_str() == Some(id))
    }

    fn log_key(&self) -> Option<PublicKey> {
        let raw = self.tlog()?["publicKey"]["rawBytes"].as_str()?;
        Some(PublicKey::from_spki_der(&b64(raw)).unwrap())
    }

    fn log_host(&self) -> Option<String> {
        let url = self.tlog()?["baseUrl"].as_str()?;
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        Some(rest.split(['/', ':']).next()?.to_owned())
    }

    fn artifact_digest(&self) -> sigstore_crypto::Digest {
        let own = self.dir.join("artifact");
        let path = if own.exists() {
            own
        } else {
            cases_dir().join("a.txt")
        };
        HashAlgorithm::Sha256.digest(&std::fs::read(path).unwrap())
    }

    /// The signing certificate (DER) or, for managed-key cases, the caller's key (SPKI DER).
    fn verifier_der(&self) -> Option<(bool, Vec<u8>)> {
        let vm = &self.bundle["verificationMaterial"];
        if let Some(c) = vm["certificate"]["rawBytes"].as_str() {
            return Some((true, b64(c)));
        }
        if let Some(c) = vm["x509CertificateChain"]["certificates"][0]["rawBytes"].as_str() {
            return Some((true, b64(c)));
        }
        // managed-key-wrong-key_fail ships an unparsable key: treat it as no key.
        let pem = std::fs::read(self.dir.join("key.pub")).ok()?;
        Some((false, PublicKey::from_pem(&pem).ok()?.spki_der().to_vec()))
    }
}

fn b64(s: &str) -> Vec<u8> {
    STANDARD.decode(s).unwrap()
}

fn hash32(s: &str) -> Hash {
    b64(s).try_into().unwrap()
}

fn load_cases() -> Vec<Case> {
    let prod: Value = serde_json::from_str(
        &std::fs::read_to_string(sigstore_test_support::trust_file(
            "production",
            "trusted_root.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let mut cases = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(dir.join("bundle.sigstore.json")) else {
            continue;
        };
        let Ok(bundle) = serde_json::from_str::<Value>(&text) else {
            continue; // bundle-malformed-json_fail: nothing for this crate to see.
        };
        let trusted_root = match std::fs::read_to_string(dir.join("trusted_root.json")) {
            Ok(t) => serde_json::from_str(&t).unwrap(),
            Err(_) => prod.clone(),
        };
        cases.push(Case {
            name,
            dir,
            bundle,
            trusted_root,
        });
    }
    assert!(cases.len() > 60, "conformance cases not found");
    cases
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn report(step: &str, ran: usize, failed: &BTreeSet<String>, expected: &BTreeSet<String>) {
    let wrong: Vec<_> = failed.symmetric_difference(expected).collect();
    println!(
        "{step}: {} passed, {} failed ({ran} cases, {} rejected as expected)",
        ran - wrong.len(),
        wrong.len(),
        expected.len()
    );
    assert!(
        wrong.is_empty(),
        "{step}: unexpected outcome for {wrong:?}\nfailed: {failed:?}"
    );
}

/// Checkpoint + root + inclusion proof for one case.
fn check_proof(case: &Case) -> Result<(), String> {
    let entry = case.entry();
    let proof = &entry["inclusionProof"];
    let note = proof["checkpoint"]["envelope"]
        .as_str()
        .ok_or("no checkpoint")?;
    let key = case.log_key().ok_or("log not in trusted root")?;
    let logged_id = hash32(entry["logId"]["keyId"].as_str().unwrap());
    let hashes: Vec<Hash> = proof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hash32(h.as_str().unwrap()))
        .collect();
    let num = |v: &Value| v.as_str().unwrap().parse::<u64>().unwrap();
    if case.is_rekor_v2() {
        let host = case.log_host().ok_or("no baseUrl")?;
        let verifier = NoteVerifier::rekor_v2(&host, key).map_err(|e| e.to_string())?;
        // The C2SP key hash is the Rekor v2 log ID.
        assert_eq!(verifier.key_hash(), &logged_id, "{}", case.name);
        let cp = verify_rekor_v2_checkpoint(note, &verifier).map_err(|e| e.to_string())?;
        verify_inclusion(
            num(&entry["logIndex"]),
            cp.tree_size,
            &leaf_hash(&case.body()),
            &hashes,
            &cp.root_hash,
        )
        .map_err(|e| e.to_string())
    } else {
        let cp = verify_rekor_v1_checkpoint(note, &key).map_err(|e| e.to_string())?;
        let host = cp.rekor_v1_host().unwrap();
        let verifier = NoteVerifier::rekor_v1(host, key).unwrap();
        assert_eq!(verifier.key_hash(), &logged_id, "{}", case.name);
        let proof_root = hash32(proof["rootHash"].as_str().unwrap());
        if proof_root != cp.root_hash {
            return Err("checkpoint root differs from proof root".into());
        }
        verify_inclusion(
            num(&proof["logIndex"]),
            num(&proof["treeSize"]),
            &leaf_hash(&case.body()),
            &hashes,
            &cp.root_hash,
        )
        .map_err(|e| e.to_string())
    }
}

#[test]
fn conformance_checkpoints_and_inclusion_proofs() {
    let mut ran = 0;
    let mut failed = BTreeSet::new();
    for case in load_cases() {
        if case.entry()["inclusionProof"]["checkpoint"]["envelope"].is_null() {
            continue;
        }
        ran += 1;
        if let Err(e) = check_proof(&case) {
            println!("  {}: {e}", case.name);
            failed.insert(case.name.clone());
        }
    }
    let expected = set(&[
        // Staging bundle, production trusted root: the log is unknown.
        "bundle-from-wrong-instance_fail",
        // The body was edited after logging, so its leaf is not in the tree.
        "bundle-invalid-base64-signature_fail",
        "incorrect-public-key_fail",
        "checkpoint-bad-keyhint_fail",
        "checkpoint-wrong-roothash_fail",
        "inclusion-proof-corrupted-hash_fail",
        "invalid-checkpoint-signature_fail",
        "rekor2-checkpoint-missing-log-signature_fail",
        "rekor2-checkpoint-missing-origin_fail",
        "rekor2-checkpoint-missing-root-hash_fail",
        "rekor2-checkpoint-missing-size_fail",
        "rekor2-checkpoint-no-matching-signature_fail",
    ]);
    report("conformance checkpoints+inclusion", ran, &failed, &expected);
}

#[test]
fn conformance_checkpoint_errors_are_typed() {
    let cases = load_cases();
    let get = |name: &str| cases.iter().find(|c| c.name == name).unwrap();
    let note = |c: &Case| {
        c.entry()["inclusionProof"]["checkpoint"]["envelope"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let v2 =
        |c: &Case| NoteVerifier::rekor_v2(&c.log_host().unwrap(), c.log_key().unwrap()).unwrap();

    // The whole signature block was removed.
    let c = get("rekor2-checkpoint-missing-log-signature_fail");
    assert_eq!(
        verify_rekor_v2_checkpoint(&note(c), &v2(c)),
        Err(Error::MalformedNote(
            sigstore_rekor::NoteFormat::NoSignatures
        ))
    );
    let c = get("rekor2-checkpoint-no-matching-signature_fail");
    assert_eq!(
        verify_rekor_v2_checkpoint(&note(c), &v2(c)),
        Err(Error::NoMatchingSignature)
    );
    for name in [
        "rekor2-checkpoint-missing-origin_fail",
        "rekor2-checkpoint-missing-root-hash_fail",
        "rekor2-checkpoint-missing-size_fail",
    ] {
        let c = get(name);
        let r = verify_rekor_v2_checkpoint(&note(c), &v2(c));
        assert!(
            matches!(
                r,
                Err(Error::MalformedCheckpoint(_) | Error::NoteSignatureInvalid { .. })
            ),
            "{name}: {r:?}"
        );
    }
    let c = get("invalid-checkpoint-signature_fail");
    assert!(matches!(
        verify_rekor_v1_checkpoint(&note(c), &c.log_key().unwrap()),
        Err(Error::NoteSignatureInvalid { .. })
    ));
    // Witness lines are ignored; the log line may come anywhere.
    for name in [
        "rekor2-checkpoint-cosigned",
        "rekor2-checkpoint-multiple-cosigs",
        "rekor2-checkpoint-origin-not-first",
        "rekor2-checkpoint-two-sigs-cosigned",
        "rekor2-checkpoint-two-sigs-from-origin",
        "rekor2-dsse-happy-path",
    ] {
        let c = get(name);
        let n = note(c);
        let parsed = SignedNote::parse(&n).unwrap();
        assert!(parsed.signatures.len() >= 2, "{name}");
        let verifier = v2(c);
        let line = parsed.verify(std::slice::from_ref(&verifier)).unwrap();
        assert_eq!(line.name, verifier.name());
        assert_eq!(line.key_id, verifier.key_id());
        let cp = Checkpoint::parse(&parsed.text).unwrap();
        assert_eq!(cp.origin, verifier.name());
    }
    // A Rekor v1 checkpoint with the old Timestamp extension line.
    let c = get("intoto-with-custom-trust-root");
    let cp = verify_rekor_v1_checkpoint(&note(c), &c.log_key().unwrap()).unwrap();
    assert_eq!(cp.extensions.len(), 1);
    assert!(cp.extensions[0].starts_with("Timestamp: "));
    // The wrong generation's key never matches.
    let c = get("happy-path-v0.3");
    let key = c.log_key().unwrap();
    assert!(NoteVerifier::ed25519("rekor.sigstore.dev", key.clone()).is_err());
    let as_v2 = NoteVerifier::ecdsa_c2sp("rekor.sigstore.dev", key).unwrap();
    // Same key ID rule for ECDSA, but the origin is not the key name.
    assert!(matches!(
        verify_rekor_v2_checkpoint(&note(c), &as_v2),
        Err(Error::OriginMismatch { .. })
    ));
}

#[test]
fn conformance_sets() {
    let mut ran = 0;
    let mut failed = BTreeSet::new();
    for case in load_cases() {
        let entry = case.entry();
        let Some(promise) = entry["inclusionPromise"]["signedEntryTimestamp"].as_str() else {
            continue;
        };
        ran += 1;
        let result = (|| {
            let key = case.log_key().ok_or("log not in trusted root".to_owned())?;
            let int = |v: &Value| v.as_str().unwrap().parse::<i64>().unwrap();
            verify_set(
                &case.body(),
                int(&entry["integratedTime"]),
                &b64(entry["logId"]["keyId"].as_str().unwrap()),
                int(&entry["logIndex"]),
                &b64(promise),
                &key,
            )
            .map_err(|e| e.to_string())
        })();
        if let Err(e) = result {
            println!("  {}: {e}", case.name);
            failed.insert(case.name.clone());
        }
    }
    let expected = set(&[
        "bundle-from-wrong-instance_fail",
        "bundle-negative-log-index_fail",
        "set-invalid-signature_fail",
        // The body was edited after the log signed the SET.
        "bundle-empty-certificate-chain_fail",
        "bundle-invalid-base64-signature_fail",
        "bundle-unknown-version_fail",
        "incorrect-public-key_fail",
    ]);
    report("conformance SETs", ran, &failed, &expected);
}

fn check_binding(case: &Case) -> Result<(), Error> {
    let entry = case.entry();
    let kind = entry["kindVersion"]["kind"].as_str().unwrap();
    let version = entry["kindVersion"]["version"].as_str().unwrap();
    let body = EntryBody::parse(kind, version, &case.body())?;
    let Some((is_cert, der)) = case.verifier_der() else {
        // managed-key-no-key_fail: nothing to bind the entry to.
        return Err(Error::MalformedBody("test case has no key"));
    };
    let verifier = if is_cert {
        Verifier::Certificate(&der)
    } else {
        Verifier::PublicKey(&der)
    };
    if let Some(ms) = case.bundle.get("messageSignature") {
        let sig = STANDARD
            .decode(ms["signature"].as_str().unwrap())
            .map_err(|_| Error::MalformedBody("bundle signature is not base64"))?;
        body.check_message_signature(&sig, verifier, &case.artifact_digest())
    } else {
        let env = &case.bundle["dsseEnvelope"];
        let sigs = env["signatures"].as_array().unwrap();
        assert_eq!(sigs.len(), 1);
        body.check_dsse(
            env["payloadType"].as_str().unwrap(),
            &b64(env["payload"].as_str().unwrap()),
            &b64(sigs[0]["sig"].as_str().unwrap()),
            verifier,
        )
    }
}

#[test]
fn conformance_body_binding() {
    let mut ran = 0;
    let mut failed = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    for case in load_cases() {
        if case.entry()["canonicalizedBody"].is_null() {
            continue;
        }
        ran += 1;
        let kv = &case.entry()["kindVersion"];
        kinds.insert(format!("{} {}", kv["kind"], kv["version"]));
        if let Err(e) = check_binding(&case) {
            println!("  {}: {e}", case.name);
            failed.insert(case.name.clone());
        }
    }
    println!("  entry types seen: {kinds:?}");
    let expected = set(&[
        // Bodies reduced to `{"apiVersion","kind"}` (no spec) or edited to invalid base64.
        "bundle-empty-certificate-chain_fail",
        "bundle-negative-log-index_fail",
        "bundle-unknown-version_fail",
        "bundle-invalid-base64-signature_fail",
        "dsse-invalid-sig_fail",
        "dsse-mismatch-envelope_fail",
        "dsse-mismatch-sig_fail",
        "incorrect-public-key_fail",
        "intoto-log-entry-mismatch_fail",
        "managed-key-no-key_fail",
        "managed-key-wrong-key_fail",
        // The envelope signature was replaced: it is not the logged one.
        "rekor2-dsse-invalid-sig_fail",
        "rekor2-dsse-mismatch-envelope_fail",
        "rekor2-dsse-mismatch-sig_fail",
        "signature-mismatch_fail",
        "wrong-hashedrekord-artifact_fail",
        "wrong-hashedrekord-cert-and-sig_fail",
        "wrong-hashedrekord-entry_fail",
        "wrong-material_fail",
    ]);
    report("conformance body binding", ran, &failed, &expected);
}

fn rebuilt_v2_body(case: &Case) -> Vec<u8> {
    let (is_cert, der) = case.verifier_der().unwrap();
    assert!(is_cert);
    let (digest, sig) = if let Some(ms) = case.bundle.get("messageSignature") {
        let md = &ms["messageDigest"];
        assert_eq!(md["algorithm"], "SHA2_256");
        let digest = sigstore_crypto::Digest::new(
            HashAlgorithm::Sha256,
            &b64(md["digest"].as_str().unwrap()),
        )
        .unwrap();
        (digest, b64(ms["signature"].as_str().unwrap()))
    } else {
        let env = &case.bundle["dsseEnvelope"];
        let pae = dsse_pae(
            env["payloadType"].as_str().unwrap(),
            &b64(env["payload"].as_str().unwrap()),
        );
        (
            HashAlgorithm::Sha256.digest(&pae),
            b64(env["signatures"][0]["sig"].as_str().unwrap()),
        )
    };
    rebuild_hashedrekord_v002(
        &digest,
        &sig,
        Verifier::Certificate(&der),
        "PKIX_ECDSA_P256_SHA_256",
    )
}

#[test]
fn conformance_rekor_v2_body_rebuild() {
    let mut ran = 0;
    let mut failed = BTreeSet::new();
    for case in load_cases() {
        if !case.is_rekor_v2() || case.entry()["canonicalizedBody"].is_null() {
            continue;
        }
        ran += 1;
        if rebuilt_v2_body(&case) != case.body() {
            failed.insert(case.name.clone());
        }
    }
    // The envelope or its signature was swapped after logging: the rebuilt body (and so the
    // leaf hash) differs from the logged one.
    let expected = set(&[
        "rekor2-dsse-invalid-sig_fail",
        "rekor2-dsse-mismatch-envelope_fail",
        "rekor2-dsse-mismatch-sig_fail",
    ]);
    report("conformance Rekor v2 body rebuild", ran, &failed, &expected);
}

#[test]
fn dir_exists() {
    assert!(Path::new(&cases_dir()).is_dir());
}

#[test]
fn truncated_real_inputs_are_rejected() {
    let cases = load_cases();
    let mut checked = 0;
    for name in [
        "happy-path-v0.3",
        "rekor2-happy-path",
        "rekor2-dsse-happy-path",
    ] {
        let c = cases.iter().find(|c| c.name == name).unwrap();
        let note = c.entry()["inclusionProof"]["checkpoint"]["envelope"]
            .as_str()
            .unwrap();
        let key = c.log_key().unwrap();
        let v2 = c.is_rekor_v2();
        let verifier = NoteVerifier::rekor_v2(&c.log_host().unwrap(), key.clone()).unwrap();
        let check = |n: &str| {
            if v2 {
                verify_rekor_v2_checkpoint(n, &verifier)
            } else {
                verify_rekor_v1_checkpoint(n, &key)
            }
        };
        let full = check(note).unwrap();
        for end in (0..note.len()).filter(|&i| note.is_char_boundary(i)) {
            match check(&note[..end]) {
                Err(_) => {}
                // Dropping whole witness lines after the log's line leaves a valid note.
                Ok(cp) => {
                    assert!(note[..end].ends_with('\n'), "{name} truncated at {end}");
                    assert_eq!(cp, full);
                }
            }
            checked += 1;
        }
        let body = c.body();
        let kv = &c.entry()["kindVersion"];
        let (kind, version) = (
            kv["kind"].as_str().unwrap(),
            kv["version"].as_str().unwrap(),
        );
        assert!(EntryBody::parse(kind, version, &body).is_ok());
        for end in (0..body.len()).step_by(7) {
            assert!(EntryBody::parse(kind, version, &body[..end]).is_err());
            checked += 1;
        }
    }
    println!("truncated real inputs: {checked} passed, 0 failed");
}
