//! Path validation against the conformance trusted roots.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use sigstore_types::{Timestamp, ValidityPeriod};
use sigstore_x509_policy::{
    check_fulcio_leaf_profile, oids, verify_chain, verify_tsa_chain, Certificate,
    CertificateAuthority, Error, KeyPurpose,
};

#[test]
fn conformance_leaves_chain_at_their_signing_window() {
    let (mut passed, mut failed) = (0, 0);
    for case in cases() {
        let Some(leaf) = bundle_leaf(&case) else {
            continue;
        };
        let cas = fulcio_authorities(&case_root(&case));
        let at_start = verify_chain(&leaf, &cas, leaf.not_before(), KeyPurpose::CodeSigning);
        if case.ends_with("_fail") {
            // Most failing cases fail for reasons other than the chain; only report.
            println!("{case}: chain at notBefore: {:?}", at_start.as_ref().err());
            continue;
        }
        let ok = match &at_start {
            Ok(chain) => {
                chain.certificates().len() >= 2
                    && chain.certificates()[0] == leaf
                    && chain.issuer() == &chain.certificates()[1]
                    && leaf.verify_signed_by(chain.issuer()).is_ok()
                    && check_fulcio_leaf_profile(&leaf).is_ok()
                    && verify_chain(&leaf, &cas, leaf.not_after(), KeyPurpose::CodeSigning)
                        .is_ok()
                    && matches!(
                        verify_chain(&leaf, &cas, secs(leaf.not_after(), 1), KeyPurpose::CodeSigning),
                        Err(Error::Expired { depth: 0, .. })
                    )
                    && matches!(
                        verify_chain(&leaf, &cas, secs(leaf.not_before(), -1), KeyPurpose::CodeSigning),
                        Err(Error::NotYetValid { depth: 0, .. })
                    )
                    // A Fulcio leaf is no timestamping certificate.
                    && verify_chain(&leaf, &cas, leaf.not_before(), KeyPurpose::TimeStamping)
                        .is_err()
            }
            Err(_) => false,
        };
        if ok {
            passed += 1;
        } else {
            failed += 1;
            println!("FAILED {case}: {at_start:?}");
        }
    }
    println!("fulcio chain cases: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    assert!(passed >= 15, "too few cases ran: {passed}");
}

#[test]
fn wrong_instance_fails_against_production_and_chains_to_staging() {
    let leaf = bundle_leaf("bundle-from-wrong-instance_fail").expect("leaf");
    let production = fulcio_authorities(&production_root());
    let err = verify_chain(
        &leaf,
        &production,
        leaf.not_before(),
        KeyPurpose::CodeSigning,
    )
    .expect_err("staging leaf must not chain to production");
    // Same issuer name as the production intermediate, different key.
    assert!(matches!(err, Error::BadSignature(_)), "{err:?}");
    let staging = fulcio_authorities(&staging_root());
    verify_chain(&leaf, &staging, leaf.not_before(), KeyPurpose::CodeSigning)
        .expect("staging leaf chains to staging");
}

#[test]
fn production_happy_leaf_details() {
    let leaf = happy_leaf();
    let cas = fulcio_authorities(&production_root());
    let chain = verify_chain(&leaf, &cas, leaf.not_before(), KeyPurpose::CodeSigning).unwrap();
    assert_eq!(chain.certificates().len(), 3);
    let anchor = chain.certificates().last().unwrap();
    assert!(anchor.is_self_signed());
    assert!(anchor.is_ca());
    assert!(!leaf.is_self_signed());
    assert!(!leaf.is_ca());
    assert!(chain.issuer().is_ca());
    assert!(leaf.has_eku(&oids::CODE_SIGNING));
    assert!(!leaf.has_eku(&oids::TIME_STAMPING));
    let (critical, _) = leaf.extension(&oids::SUBJECT_ALT_NAME).unwrap();
    assert!(critical);
    assert!(leaf.extension(&oids::CT_SCT_LIST).is_some());
    // The TBS bytes are inside the DER and re-verify.
    let tbs = leaf.tbs_der();
    assert!(leaf.der().windows(tbs.len()).any(|w| w == tbs));
    assert_eq!(leaf.spki_der(), leaf.public_key().spki_der());
    assert_eq!(leaf.issuer_der(), chain.issuer().subject_der());
    assert!(!leaf.serial_number().is_empty());

    // Only the matching authority: without it, the leaf is rejected.
    let others: Vec<CertificateAuthority> = cas
        .iter()
        .filter(|ca| ca.certificates()[0] != *chain.issuer())
        .cloned()
        .collect();
    assert_eq!(
        verify_chain(&leaf, &others, leaf.not_before(), KeyPurpose::CodeSigning).unwrap_err(),
        Error::UnknownIssuer
    );
    assert_eq!(
        verify_chain(&leaf, &[], leaf.not_before(), KeyPurpose::CodeSigning).unwrap_err(),
        Error::NoAuthorities
    );
}

#[test]
fn authority_valid_for_is_enforced_inclusively() {
    let leaf = happy_leaf();
    let cas = fulcio_authorities(&production_root());
    let chain = verify_chain(&leaf, &cas, leaf.not_before(), KeyPurpose::CodeSigning).unwrap();
    let ders: Vec<Vec<u8>> = chain.certificates()[1..]
        .iter()
        .map(|c| c.der().to_vec())
        .collect();
    let t = leaf.not_before();
    let window = |start: Timestamp, end: Option<Timestamp>| ValidityPeriod {
        start: Some(start),
        end,
    };
    // Ends exactly at t: inclusive.
    let ca = CertificateAuthority::new(&ders, Some(window(secs(t, -100), Some(t)))).unwrap();
    assert!(verify_chain(&leaf, &[ca], t, KeyPurpose::CodeSigning).is_ok());
    // Ended one second before t.
    let ca =
        CertificateAuthority::new(&ders, Some(window(secs(t, -100), Some(secs(t, -1))))).unwrap();
    assert_eq!(
        verify_chain(&leaf, &[ca], t, KeyPurpose::CodeSigning).unwrap_err(),
        Error::AuthorityNotValidAt { time: t }
    );
    // Starts after t.
    let ca = CertificateAuthority::new(&ders, Some(window(secs(t, 1), None))).unwrap();
    assert!(verify_chain(&leaf, &[ca], t, KeyPurpose::CodeSigning).is_err());
    // A window without a start contains nothing.
    let ca = CertificateAuthority::new(
        &ders,
        Some(ValidityPeriod {
            start: None,
            end: None,
        }),
    )
    .unwrap();
    assert!(verify_chain(&leaf, &[ca], t, KeyPurpose::CodeSigning).is_err());
    // No window at all: only the certificates' own validity counts.
    let ca = CertificateAuthority::new(&ders, None).unwrap();
    assert!(verify_chain(&leaf, &[ca], t, KeyPurpose::CodeSigning).is_ok());
}

#[test]
fn anchors_come_only_from_the_authorities() {
    let leaf = happy_leaf();
    let cas = fulcio_authorities(&production_root());
    let chain = verify_chain(&leaf, &cas, leaf.not_before(), KeyPurpose::CodeSigning).unwrap();
    let intermediate = chain.issuer().clone();
    let root = chain.certificates()[2].clone();

    // The intermediate alone as an anchor is allowed (the anchor may be an intermediate).
    let ca = CertificateAuthority::from_certificates(vec![intermediate.clone()], None).unwrap();
    assert!(verify_chain(&leaf, &[ca], leaf.not_before(), KeyPurpose::CodeSigning).is_ok());
    // The root alone did not sign the leaf.
    let ca = CertificateAuthority::from_certificates(vec![root.clone()], None).unwrap();
    assert_eq!(
        verify_chain(&leaf, &[ca], leaf.not_before(), KeyPurpose::CodeSigning).unwrap_err(),
        Error::UnknownIssuer
    );
    // A chain whose order is wrong fails the cached intra-chain check.
    let ca = CertificateAuthority::from_certificates(vec![intermediate, leaf.clone(), root], None)
        .unwrap();
    assert!(verify_chain(&leaf, &[ca], leaf.not_before(), KeyPurpose::CodeSigning).is_err());
    assert_eq!(
        CertificateAuthority::new(&[], None).unwrap_err(),
        Error::EmptyChain
    );
}

#[test]
fn bundle_with_root_cert_carries_a_self_signed_root() {
    let certs = bundle_certificates("bundle-with-root-cert_fail").unwrap();
    assert_eq!(certs.len(), 3);
    let parsed: Vec<Certificate> = certs
        .iter()
        .map(|d| Certificate::from_der(d).unwrap())
        .collect();
    assert!(!parsed[0].is_self_signed());
    assert!(parsed[1].is_self_signed());
    assert!(!parsed[2].is_self_signed());
    assert!(parsed[2].verify_signed_by(&parsed[1]).is_ok());
    // Trusting the bundle's own chain is not something verify_chain can be made to do: the
    // leaf still needs a trusted authority, and an unrelated one fails.
    let leaf = &parsed[0];
    let cas = fulcio_authorities(&production_root());
    println!(
        "bundle-with-root-cert leaf vs production: {:?}",
        verify_chain(leaf, &cas, leaf.not_before(), KeyPurpose::CodeSigning).map(|_| ())
    );
}

#[test]
fn tsa_chains_from_conformance_roots() {
    let (mut passed, mut failed) = (0, 0);
    let mut roots = vec![production_root()];
    roots.extend(
        cases()
            .into_iter()
            .filter(|c| c.starts_with("rekor2-timestamp") || c.contains("tsa"))
            .map(|c| case_root(&c)),
    );
    for path in roots {
        for tsa in tsa_authorities(&path) {
            let certs = tsa.certificates();
            let start = tsa.valid_for().and_then(|v| v.start).unwrap();
            let latest_not_before = certs.iter().map(|c| c.not_before()).max().unwrap();
            let earliest_not_after = certs.iter().map(|c| c.not_after()).min().unwrap();
            let t = start.max(latest_not_before);
            let name = path.display().to_string();
            if t > earliest_not_after || tsa.valid_for().and_then(|v| v.end).is_some_and(|e| e < t)
            {
                println!("{name}: TSA has no usable window");
                continue;
            }
            let ok = match verify_tsa_chain(&tsa, t) {
                Ok(chain) => {
                    let end = tsa
                        .valid_for()
                        .and_then(|v| v.end)
                        .map_or(earliest_not_after, |e| e.min(earliest_not_after));
                    let checks = [
                        chain.certificates().len() == certs.len(),
                        chain.issuer() == &certs[1],
                        // Cached: a second call gives the same result.
                        verify_tsa_chain(&tsa, t).is_ok(),
                        verify_tsa_chain(&tsa, end).is_ok(),
                        matches!(
                            verify_tsa_chain(&tsa, secs(end, 1)),
                            Err(Error::Expired { .. } | Error::AuthorityNotValidAt { .. })
                        ),
                        matches!(
                            verify_tsa_chain(&tsa, secs(t, -1)),
                            Err(Error::AuthorityNotValidAt { .. } | Error::NotYetValid { .. })
                        ),
                        // The TSA leaf is not a code-signing certificate.
                        verify_chain(
                            &certs[0],
                            std::slice::from_ref(&tsa),
                            t,
                            KeyPurpose::CodeSigning,
                        )
                        .is_err(),
                    ];
                    if checks.iter().all(|c| *c) {
                        true
                    } else {
                        println!("{name}: checks {checks:?}");
                        false
                    }
                }
                Err(e) => {
                    println!("{name}: {e:?}");
                    false
                }
            };
            if ok {
                passed += 1;
            } else {
                failed += 1;
            }
        }
    }
    println!("tsa chains: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    assert!(passed >= 3);
}

#[test]
fn tsa_chain_rules() {
    let tsa = tsa_authorities(&production_root()).remove(0);
    let certs = tsa.certificates().to_vec();
    let t = tsa.valid_for().unwrap().start.unwrap();
    assert!(verify_tsa_chain(&tsa, t).is_ok());
    assert!(certs[0].has_eku(&oids::TIME_STAMPING));
    assert!(certs[0].extended_key_usage_critical());
    assert_eq!(
        certs[0].extended_key_usages().unwrap(),
        &[oids::TIME_STAMPING][..]
    );

    // Only the root: too short.
    let short =
        CertificateAuthority::from_certificates(vec![certs[1].clone()], tsa.valid_for().copied())
            .unwrap();
    assert_eq!(
        verify_tsa_chain(&short, t).unwrap_err(),
        Error::TsaChainTooShort(1)
    );

    // Before the TSA's validFor start.
    assert_eq!(
        verify_tsa_chain(&tsa, secs(t, -1)).unwrap_err(),
        Error::AuthorityNotValidAt { time: secs(t, -1) }
    );

    // The Fulcio intermediate + root as a "TSA": the leaf's EKU is codeSigning.
    let fulcio = fulcio_authorities(&production_root());
    let ca = fulcio
        .iter()
        .find(|ca| ca.certificates().len() == 2)
        .unwrap();
    let fake = CertificateAuthority::from_certificates(ca.certificates().to_vec(), None).unwrap();
    let at = ca.certificates()[0].not_before();
    assert!(matches!(
        verify_tsa_chain(&fake, at).unwrap_err(),
        Error::MissingDigitalSignature | Error::TimeStampingEkuNotSole
    ));

    // A TSA leaf under the wrong root: the cached signature check fails.
    let mixed = CertificateAuthority::from_certificates(
        vec![certs[0].clone(), ca.certificates()[1].clone()],
        None,
    )
    .unwrap();
    assert!(verify_tsa_chain(&mixed, t).is_err());
    assert!(verify_tsa_chain(&mixed, t).is_err());
}
