//! Path validation against x509-limbo (C2SP/x509-limbo): the cases of
//! `testdata/x509-limbo/cases.json` that apply to a code-signing chain checker, rebuilt from
//! the upstream definitions (see that folder's `SOURCE.md`).
//!
//! Each case gives trusted certificates, an unordered set of untrusted intermediates and a
//! peer certificate. Sigstore trust roots list fixed chains, so this runner turns the case into
//! [`CertificateAuthority`] chains: every path from the peer's issuer through distinct
//! intermediates (matched by name) to a trusted certificate, which is the anchor. The peer is
//! then checked by [`verify_chain`] with [`KeyPurpose::CodeSigning`] at the case's
//! `validation_time` (now when it has none); certificates that do not parse are left out of
//! the pool, as a path builder would. The result must be the case's `expected_result`.
//!
//! Cases listed in `testdata/x509-limbo/EXCEPTIONS.md` are ones this crate deliberately
//! decides otherwise; they still run and are reported as skipped with their reason. The test
//! fails on any other mismatch, on an exception whose case now matches upstream (stale), on
//! an exception naming no case, and when there are no cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use serde_json::Value;
use sigstore_types::Timestamp;
use sigstore_x509_policy::{verify_chain, Certificate, CertificateAuthority, Error, KeyPurpose};

/// Longest path tried: intermediates between the peer and its anchor.
const MAX_INTERMEDIATES: usize = 8;
/// Most candidate paths built for one case.
const MAX_PATHS: usize = 64;

/// `- \`id\`: reason` lines of EXCEPTIONS.md.
fn exceptions(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("- `")?;
            let (id, reason) = rest.split_once('`')?;
            let reason = reason.trim_start_matches(':').trim();
            Some((id.to_owned(), reason.to_owned()))
        })
        .collect()
}

fn parse_all(pems: &Value) -> Vec<Certificate> {
    pems.as_array()
        .map(|list| {
            list.iter()
                .filter_map(|pem| Certificate::from_pem(pem.as_str()?.as_bytes()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Every chain `issuer, ..., anchor` above `cert`: distinct untrusted intermediates, then a
/// trusted certificate.
fn paths(
    cert: &Certificate,
    trusted: &[Certificate],
    intermediates: &[Certificate],
    above: &mut Vec<Certificate>,
    out: &mut Vec<Vec<Certificate>>,
) {
    for anchor in trusted {
        if anchor.subject_der() == cert.issuer_der() && out.len() < MAX_PATHS {
            let mut path = above.clone();
            path.push(anchor.clone());
            out.push(path);
        }
    }
    if above.len() >= MAX_INTERMEDIATES {
        return;
    }
    for next in intermediates {
        if next.subject_der() == cert.issuer_der() && next != cert && !above.contains(next) {
            above.push(next.clone());
            paths(next, trusted, intermediates, above, out);
            above.pop();
        }
    }
}

/// Runs one case: `Ok` with the validator's verdict, or why the case cannot be run.
fn run(case: &Value, now: Timestamp) -> Result<Result<(), Error>, String> {
    let purposes: Vec<&str> = case["extended_key_usage"]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let purpose = match purposes.as_slice() {
        ["codeSigning"] => KeyPurpose::CodeSigning,
        ["timeStamping"] => KeyPurpose::TimeStamping,
        other => {
            return Err(format!(
                "extended key usage {other:?} is not a code-signing purpose"
            ))
        }
    };
    let time = match case["validation_time"].as_str() {
        Some(text) => Timestamp::parse_rfc3339(text).map_err(|e| format!("{text}: {e}"))?,
        None => now,
    };
    let peer = case["peer_certificate"]
        .as_str()
        .ok_or("no peer_certificate")?;
    let leaf = match Certificate::from_pem(peer.as_bytes()) {
        Ok(leaf) => leaf,
        Err(e) => return Ok(Err(e)),
    };
    let trusted = parse_all(&case["trusted_certs"]);
    let intermediates = parse_all(&case["untrusted_intermediates"]);
    let mut chains = Vec::new();
    paths(
        &leaf,
        &trusted,
        &intermediates,
        &mut Vec::new(),
        &mut chains,
    );
    let authorities: Vec<CertificateAuthority> = chains
        .into_iter()
        .map(|chain| CertificateAuthority::from_certificates(chain, None).unwrap())
        .collect();
    Ok(verify_chain(&leaf, &authorities, time, purpose).map(|_| ()))
}

#[test]
fn x509_limbo_cases() {
    let dir = sigstore_test_support::testdata().join("x509-limbo");
    let exceptions = exceptions(&std::fs::read_to_string(dir.join("EXCEPTIONS.md")).unwrap());
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    assert_eq!(doc["version"], 1, "limbo schema version");
    let cases = doc["testcases"].as_array().unwrap();
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = Timestamp::from_unix(i64::try_from(secs).unwrap());

    let (mut passed, mut skipped) = (0usize, 0usize);
    let mut failed = Vec::new();
    let mut seen = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        seen.push(id);
        let expected = match case["expected_result"].as_str() {
            Some("SUCCESS") => true,
            Some("FAILURE") => false,
            other => panic!("{id}: expected_result {other:?}"),
        };
        let outcome = run(case, now);
        let matches = outcome
            .as_ref()
            .is_ok_and(|verdict| verdict.is_ok() == expected);
        let got = match &outcome {
            Ok(Ok(())) => "accepted".to_owned(),
            Ok(Err(e)) => format!("rejected: {e}"),
            Err(why) => format!("not run: {why}"),
        };
        match (exceptions.get(id), matches) {
            (None, true) => passed += 1,
            (None, false) => failed.push(format!(
                "{id}: expected {}, {got}",
                if expected { "SUCCESS" } else { "FAILURE" }
            )),
            (Some(reason), false) => {
                println!("skipped {id} ({got}): {reason}");
                skipped += 1;
            }
            (Some(_), true) => failed.push(format!(
                "{id}: listed in EXCEPTIONS.md but matches upstream now; remove the entry"
            )),
        }
    }
    for id in exceptions.keys() {
        if !seen.contains(&id.as_str()) {
            failed.push(format!("{id}: in EXCEPTIONS.md but not a case"));
        }
    }
    println!(
        "x509-limbo: {passed} passed, {} failed, {skipped} skipped (exceptions)",
        failed.len()
    );
    assert!(
        !cases.is_empty(),
        "no x509-limbo cases in {}",
        dir.display()
    );
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The cases that found defects in path validation fail for the reason fixed, not another.
#[test]
fn x509_limbo_regressions() {
    let dir = sigstore_test_support::testdata().join("x509-limbo");
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let case = |id: &str| {
        let case = doc["testcases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id}: no such case"));
        run(case, Timestamp::from_unix(1_700_000_000)).unwrap()
    };
    fn unhandled(oid: &'static str) -> impl Fn(&Error) -> bool {
        move |e| matches!(e, Error::UnhandledCriticalExtension { depth: 1, oid: o } if o.to_string() == oid)
    }
    type Check<'a> = (&'a str, &'a dyn Fn(&Error) -> bool);
    let checks: [Check<'_>; 5] = [
        ("rfc5280::leaf-ku-keycertsign", &|e| {
            matches!(e, Error::KeyCertSignWithoutCa)
        }),
        ("webpki::ee-basicconstraints-ca", &|e| {
            matches!(e, Error::LeafIsCa)
        }),
        ("rfc5280::ca-empty-subject", &|e| {
            matches!(e, Error::EmptyCaSubject { depth: 1 })
        }),
        ("rfc5280::ski::critical-ski", &unhandled("2.5.29.14")),
        ("rfc5280::aki::critical-aki", &unhandled("2.5.29.35")),
    ];
    for (id, expected) in checks {
        match case(id) {
            Err(e) if expected(&e) => {}
            other => panic!("{id}: {other:?}"),
        }
    }
    // The trust anchor's own signature is never verified, so its algorithm mismatch must be
    // caught when it is parsed.
    let id = "rfc5280::mismatching-signature-algorithm";
    let root = doc["testcases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["trusted_certs"][0].as_str())
        .unwrap();
    assert_eq!(
        Certificate::from_pem(root.as_bytes()).unwrap_err(),
        Error::SignatureAlgorithmMismatch,
        "{id}"
    );
    assert!(case(id).is_err(), "{id}");
    println!(
        "x509-limbo regressions: {} passed, 0 failed",
        checks.len() + 1
    );
}
