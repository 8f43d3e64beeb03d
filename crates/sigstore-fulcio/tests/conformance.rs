//! Embedded SCT verification over the Fulcio leaves of the sigstore-conformance bundles.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::Value;
use sigstore_crypto::HashAlgorithm;
use sigstore_fulcio::{
    embedded_scts, parse_sct_extension, precert_tbs, verify_embedded_scts, verify_scts, CtLog,
    Error, OID_SCT_LIST,
};
use sigstore_types::ValidityPeriod;
use sigstore_x509_policy::{
    verify_chain, Certificate, CertificateAuthority, KeyPurpose, VerifiedChain,
};

fn cases_dir() -> PathBuf {
    sigstore_test_support::conformance_cases()
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

fn b64(value: &Value) -> Option<Vec<u8>> {
    let text: String = value
        .as_str()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    B64.decode(text).ok()
}

fn trusted_root(case: &str) -> Value {
    read_json(&cases_dir().join(case).join("trusted_root.json")).unwrap_or_else(|| {
        read_json(&sigstore_test_support::trust_file(
            "production",
            "trusted_root.json",
        ))
        .unwrap()
    })
}

fn validity(value: &Value) -> Option<ValidityPeriod> {
    serde_json::from_value(value.clone()).ok()
}

fn fulcio_authorities(root: &Value) -> Vec<CertificateAuthority> {
    root["certificateAuthorities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|ca| {
            let chain: Vec<Vec<u8>> = ca["certChain"]["certificates"]
                .as_array()?
                .iter()
                .map(|c| b64(&c["rawBytes"]).unwrap())
                .collect();
            CertificateAuthority::new(&chain, validity(&ca["validFor"])).ok()
        })
        .collect()
}

/// The trusted root's CT logs; entries whose key does not parse are skipped (and counted).
fn ct_logs(root: &Value) -> (Vec<CtLog>, usize) {
    let mut skipped = 0;
    let logs = root["ctlogs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|log| {
            let key = b64(&log["publicKey"]["rawBytes"])?;
            let id = b64(&log["logId"]["keyId"])?;
            let made = CtLog::new(&key, &id, validity(&log["publicKey"]["validFor"])).ok();
            if made.is_none() {
                skipped += 1;
            }
            made
        })
        .collect();
    (logs, skipped)
}

/// The Fulcio leaf of a case's bundle, if it has one.
fn case_leaf(case: &str) -> Option<Certificate> {
    let bundle = read_json(&cases_dir().join(case).join("bundle.sigstore.json"))?;
    let material = &bundle["verificationMaterial"];
    let der = b64(&material["certificate"]["rawBytes"])
        .or_else(|| b64(&material["x509CertificateChain"]["certificates"][0]["rawBytes"]))?;
    Certificate::from_der(&der).ok()
}

/// The leaf's chain to a trusted Fulcio CA at its notBefore.
fn chain(case: &str, leaf: &Certificate) -> Option<VerifiedChain> {
    let cas = fulcio_authorities(&trusted_root(case));
    verify_chain(leaf, &cas, leaf.not_before(), KeyPurpose::CodeSigning).ok()
}

fn verify_case(case: &str) -> Result<Vec<sigstore_fulcio::VerifiedSct>, Error> {
    let leaf = case_leaf(case).unwrap();
    let chain = chain(case, &leaf).unwrap();
    let (logs, _) = ct_logs(&trusted_root(case));
    verify_embedded_scts(&leaf, &chain, &logs)
}

#[test]
fn named_cases() {
    let v = verify_case("happy-path-v0.3").unwrap();
    assert_eq!(v.len(), 1);
    let (logs, _) = ct_logs(&trusted_root("happy-path-v0.3"));
    assert_eq!(&v[0].sct.log_id, logs[v[0].log_index].log_id());

    let v = verify_case("bundle-with-sct-with-extensions").unwrap();
    assert!(!v[0].sct.extensions.is_empty());

    let (logs, skipped) = ct_logs(&trusted_root("invalid-ct-key_fail"));
    assert!(skipped > 0 || !logs.is_empty());
    let err = verify_case("invalid-ct-key_fail").unwrap_err();
    println!("invalid-ct-key_fail: {err}");
    assert!(
        matches!(err, Error::NoVerifiedSct | Error::BadSctSignature { .. }),
        "{err:?}"
    );
}

#[test]
fn all_cases_with_fulcio_leaves() {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for name in &names {
        let Some(leaf) = case_leaf(name) else {
            continue;
        };
        let Some(chain) = chain(name, &leaf) else {
            // No chain to a trusted CA (wrong instance, bad chain): not an SCT question.
            skipped += 1;
            continue;
        };
        let (logs, _) = ct_logs(&trusted_root(name));
        let result = verify_embedded_scts(&leaf, &chain, &logs);
        let expect_ok = name != "invalid-ct-key_fail";
        if result.is_ok() == expect_ok {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("FAIL {name}: {result:?}");
        }
    }
    println!("embedded SCT conformance leaves: {passed} passed, {failed} failed, {skipped} without a trusted chain");
    assert_eq!(failed, 0);
    assert!(passed >= 20, "{passed}");
}

#[test]
fn tampering_fails() {
    let case = "happy-path-v0.3";
    let leaf = case_leaf(case).unwrap();
    let chain = chain(case, &leaf).unwrap();
    let (logs, _) = ct_logs(&trusted_root(case));
    let scts = embedded_scts(&leaf).unwrap();
    let issuer_hash: [u8; 32] = HashAlgorithm::Sha256
        .digest(chain.certificates()[1].spki_der())
        .as_bytes()
        .try_into()
        .unwrap();
    let tbs = precert_tbs(&leaf).unwrap();
    assert!(verify_scts(&scts, &issuer_hash, &tbs, &logs).is_ok());
    // The precertificate TBS is shorter than the leaf's by the extension.
    assert!(tbs.len() < leaf.tbs_der().len());

    // A flipped bit anywhere in the precertificate TBS.
    for i in [0, 10, tbs.len() / 2, tbs.len() - 1] {
        let mut bad = tbs.clone();
        bad[i] ^= 0x04;
        assert!(
            matches!(
                verify_scts(&scts, &issuer_hash, &bad, &logs),
                Err(Error::BadSctSignature { .. })
            ),
            "flip at {i}"
        );
    }
    // The wrong issuer key hash (the root's instead of the intermediate's).
    let root_hash: [u8; 32] = HashAlgorithm::Sha256
        .digest(chain.certificates().last().unwrap().spki_der())
        .as_bytes()
        .try_into()
        .unwrap();
    assert!(verify_scts(&scts, &root_hash, &tbs, &logs).is_err());
    // A different SCT timestamp or extension.
    let mut moved = scts.clone();
    moved[0].timestamp_ms += 1;
    assert!(verify_scts(&moved, &issuer_hash, &tbs, &logs).is_err());
    let mut ext = scts.clone();
    ext[0].extensions.push(0);
    assert!(verify_scts(&ext, &issuer_hash, &tbs, &logs).is_err());
    // Unsupported hash / signature algorithms from a trusted log are errors.
    let mut alg = scts.clone();
    alg[0].hash_alg = 2;
    assert_eq!(
        verify_scts(&alg, &issuer_hash, &tbs, &logs),
        Err(Error::UnsupportedHashAlgorithm(2))
    );
    let mut alg = scts.clone();
    alg[0].sig_alg = 1;
    assert!(matches!(
        verify_scts(&alg, &issuer_hash, &tbs, &logs),
        Err(Error::SignatureAlgorithmMismatch { .. })
    ));
    // An SCT from an unknown log is ignored; with nothing else left, no SCT verifies.
    let mut unknown = scts.clone();
    unknown[0].log_id[0] ^= 1;
    assert_eq!(
        verify_scts(&unknown, &issuer_hash, &tbs, &logs),
        Err(Error::NoVerifiedSct)
    );
    let mixed: Vec<_> = unknown.iter().chain(scts.iter()).cloned().collect();
    assert_eq!(
        verify_scts(&mixed, &issuer_hash, &tbs, &logs)
            .unwrap()
            .len(),
        1
    );
    // Two SCTs from the same log count once.
    let doubled: Vec<_> = scts.iter().chain(scts.iter()).cloned().collect();
    assert_eq!(
        verify_scts(&doubled, &issuer_hash, &tbs, &logs)
            .unwrap()
            .len(),
        1
    );
    // No trusted logs.
    assert_eq!(
        verify_scts(&scts, &issuer_hash, &tbs, &[]),
        Err(Error::NoVerifiedSct)
    );

    // The CT key's validity window must contain the SCT time.
    let root = trusted_root(case);
    let entry = root["ctlogs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| b64(&l["logId"]["keyId"]).unwrap() == scts[0].log_id)
        .unwrap();
    let key = b64(&entry["publicKey"]["rawBytes"]).unwrap();
    let early = ValidityPeriod {
        start: Some(sigstore_types::Timestamp::from_unix(0)),
        end: Some(sigstore_types::Timestamp::from_unix(1)),
    };
    let expired = [CtLog::from_spki_der(&key, Some(early)).unwrap()];
    assert!(matches!(
        verify_scts(&scts, &issuer_hash, &tbs, &expired),
        Err(Error::SctOutsideLogValidity { .. })
    ));
    let open = [CtLog::from_spki_der(&key, None).unwrap()];
    assert!(verify_scts(&scts, &issuer_hash, &tbs, &open).is_ok());

    // A leaf that is not the chain's leaf.
    let other = case_leaf("bundle-with-sct-with-extensions").unwrap();
    assert_eq!(
        verify_embedded_scts(&other, &chain, &logs),
        Err(Error::ChainMismatch)
    );

    // A leaf with a flipped bit in its TBS (parsed without checking its signature).
    let mut der = leaf.der().to_vec();
    let serial_at = der
        .windows(leaf.serial_number().len())
        .position(|w| w == leaf.serial_number())
        .unwrap();
    der[serial_at + 2] ^= 0x01;
    let forged = Certificate::from_der(&der).unwrap();
    let forged_tbs = precert_tbs(&forged).unwrap();
    assert!(matches!(
        verify_scts(&scts, &issuer_hash, &forged_tbs, &logs),
        Err(Error::BadSctSignature { .. })
    ));
}

#[test]
fn ct_log_constructor() {
    let root = trusted_root("happy-path-v0.3");
    let entry = &root["ctlogs"][1];
    let key = b64(&entry["publicKey"]["rawBytes"]).unwrap();
    let id = b64(&entry["logId"]["keyId"]).unwrap();
    // The trusted root's logId is SHA-256 of the SPKI.
    assert_eq!(
        CtLog::from_spki_der(&key, None)
            .unwrap()
            .log_id()
            .as_slice(),
        id.as_slice()
    );
    assert!(matches!(
        CtLog::new(&key, &id[..31], None),
        Err(Error::InvalidLogId { len: 31 })
    ));
    assert!(matches!(
        CtLog::new(&key[..key.len() - 1], &id, None),
        Err(Error::InvalidLogKey(_))
    ));
    // From a key parsed elsewhere: the same log, and the same log ID check.
    let parsed = sigstore_crypto::PublicKey::from_spki_der(&key).unwrap();
    let log = CtLog::with_key(parsed.clone(), &id, None).unwrap();
    assert_eq!(log.log_id().as_slice(), id.as_slice());
    assert_eq!(log.key().spki_der(), key.as_slice());
    assert!(matches!(
        CtLog::with_key(parsed, &id[..31], None),
        Err(Error::InvalidLogId { len: 31 })
    ));
}

#[test]
fn malformed_sct_extension_corpus() {
    let cert = case_leaf("bundle-with-sct-with-extensions").unwrap();
    let (_, value) = cert.extension(&OID_SCT_LIST).unwrap();
    let value = value.to_vec();
    assert_eq!(parse_sct_extension(&value).unwrap().len(), 1);
    let mut rejected = 0;
    for n in 0..value.len() {
        assert!(
            parse_sct_extension(&value[..n]).is_err(),
            "truncated at {n}"
        );
        rejected += 1;
    }
    // Flip every bit of the length fields and header bytes: no panic; most are rejected.
    for i in 0..value.len().min(64) {
        for bit in 0..8 {
            let mut bad = value.clone();
            bad[i] ^= 1 << bit;
            if parse_sct_extension(&bad).is_err() {
                rejected += 1;
            }
        }
    }
    // Extra byte inside the OCTET STRING, and after it.
    let mut longer = value.clone();
    longer.push(0);
    assert!(parse_sct_extension(&longer).is_err());
    println!("malformed SCT extension corpus: {rejected} rejected");
    assert!(rejected > value.len());
}
