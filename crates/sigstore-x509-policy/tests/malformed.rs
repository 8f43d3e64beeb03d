//! Malformed and altered certificates: errors, never panics.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use der::asn1::{Ia5String, OctetString, Utf8StringRef};
use der::Encode;
use sigstore_x509_policy::*;
use x509_cert::ext::pkix::name::{GeneralName, OtherName};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::Extension;

/// Every parse-level entry point on `bytes`; must not panic.
fn exercise(bytes: &[u8]) -> bool {
    let _ = Certificate::from_pem(bytes);
    match Certificate::from_der(bytes) {
        Ok(cert) => {
            let _ = FulcioExtensions::from_certificate(&cert);
            let _ = san(&cert);
            let _ = check_fulcio_leaf_profile(&cert);
            let _ = cert.signature_algorithm();
            let _ = cert.is_self_signed();
            let _ = Identity::new(HAPPY_IDENTITY, HAPPY_ISSUER).verify(&cert);
            true
        }
        Err(_) => false,
    }
}

#[test]
fn truncations_and_bit_flips_do_not_panic() {
    let leaf = happy_leaf();
    let der = leaf.der().to_vec();
    let mut parsed = 0;
    let mut rejected = 0;
    for len in 0..der.len() {
        assert!(!exercise(&der[..len]), "truncation to {len} parsed");
        rejected += 1;
    }
    let mut extended = der.clone();
    extended.push(0);
    assert!(!exercise(&extended), "trailing byte accepted");
    rejected += 1;
    let cas = fulcio_authorities(&production_root());
    let mut chain_checked = 0;
    for i in 0..der.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut m = der.clone();
            m[i] ^= mask;
            if !exercise(&m) {
                rejected += 1;
                continue;
            }
            parsed += 1;
            // Path validation is slow in debug builds: sample the flips.
            if mask != 0x01 || i % 7 != 0 {
                continue;
            }
            chain_checked += 1;
            let cert = Certificate::from_der(&m).unwrap();
            // A flip inside the signed TBS or the signature never verifies; elsewhere (outer
            // lengths cannot change and still parse) nothing else can change.
            assert!(
                verify_chain(&cert, &cas, leaf.not_before(), KeyPurpose::CodeSigning).is_err(),
                "flip at {i} still verified"
            );
        }
    }
    println!("malformed certificates: {rejected} rejected, {parsed} still parsed, {chain_checked} of those path-validated and rejected");
}

#[test]
fn garbage_inputs_error() {
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        vec![0x30],
        vec![0x30, 0x80],
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        vec![
            0x30, 0x89, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ],
        vec![0x30, 0x03, 0x02, 0x01, 0x01],
        vec![0xff; 64],
        vec![0x00; 4096],
        b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".to_vec(),
        b"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n".to_vec(),
        b"not pem at all".to_vec(),
    ];
    for input in &inputs {
        assert!(Certificate::from_der(input).is_err());
        assert!(Certificate::from_pem(input).is_err());
    }
    assert!(CertificateAuthority::new(&inputs, None).is_err());
    println!("garbage inputs: {} rejected, 0 accepted", inputs.len());
}

#[test]
fn pem_round_trip() {
    let leaf = happy_leaf();
    let pem = der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, leaf.der()).unwrap();
    assert_eq!(Certificate::from_pem(pem.as_bytes()).unwrap(), leaf);
    let key_pem =
        der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, leaf.der()).unwrap();
    assert_eq!(
        Certificate::from_pem(key_pem.as_bytes()).unwrap_err(),
        Error::MalformedPem("PEM label is not CERTIFICATE")
    );
}

/// Re-encodes the happy leaf after `edit` (the signature no longer matches).
fn altered(edit: impl FnOnce(&mut Vec<Extension>)) -> Certificate {
    let mut x509 = happy_leaf().x509().unwrap();
    edit(x509.tbs_certificate.extensions.as_mut().unwrap());
    Certificate::from_der(&x509.to_der().unwrap()).unwrap()
}

fn set(exts: &mut [Extension], oid: der::asn1::ObjectIdentifier, value: Vec<u8>) {
    let ext = exts.iter_mut().find(|e| e.extn_id == oid).unwrap();
    ext.extn_value = OctetString::new(value).unwrap();
}

fn san_value(names: Vec<GeneralName>) -> Vec<u8> {
    SubjectAltName(names).to_der().unwrap()
}

#[test]
fn altered_certificates_fail_verification() {
    let leaf = happy_leaf();
    let cas = fulcio_authorities(&production_root());
    let cert = altered(|exts| set(exts, oids::GITHUB_WORKFLOW_REF, b"refs/heads/evil".to_vec()));
    assert_eq!(
        GitHubWorkflowRef::new("refs/heads/evil").verify(&cert),
        Ok(())
    );
    assert!(matches!(
        verify_chain(&cert, &cas, leaf.not_before(), KeyPurpose::CodeSigning),
        Err(Error::BadSignature(_))
    ));
}

#[test]
fn san_kinds() {
    let email = altered(|e| {
        set(
            e,
            oids::SUBJECT_ALT_NAME,
            san_value(vec![GeneralName::Rfc822Name(
                Ia5String::new("a@example.com").unwrap(),
            )]),
        )
    });
    assert_eq!(
        san(&email).unwrap(),
        SubjectAlternativeName::Email("a@example.com".into())
    );
    Identity::new("a@example.com", HAPPY_ISSUER)
        .verify(&email)
        .unwrap();
    assert!(Identity::new("A@example.com", HAPPY_ISSUER)
        .verify(&email)
        .is_err());

    let username = altered(|e| {
        let value = der::Any::from(Utf8StringRef::new("octocat").unwrap());
        set(
            e,
            oids::SUBJECT_ALT_NAME,
            san_value(vec![GeneralName::OtherName(OtherName {
                type_id: oids::OTHERNAME_SAN,
                value,
            })]),
        )
    });
    assert_eq!(
        san(&username).unwrap(),
        SubjectAlternativeName::OtherNameUsername("octocat".into())
    );
    Identity::new("octocat", HAPPY_ISSUER)
        .verify(&username)
        .unwrap();

    let other_name = altered(|e| {
        let value = der::Any::from(Utf8StringRef::new("octocat").unwrap());
        set(
            e,
            oids::SUBJECT_ALT_NAME,
            san_value(vec![GeneralName::OtherName(OtherName {
                type_id: oids::FULCIO_ISSUER,
                value,
            })]),
        )
    });
    assert_eq!(san(&other_name).unwrap(), SubjectAlternativeName::Other);
    assert_eq!(
        Identity::new("octocat", HAPPY_ISSUER).verify(&other_name),
        Err(PolicyError::UnsupportedSan)
    );

    let username_wrong_type = altered(|e| {
        let value = der::Any::encode_from(&Ia5String::new("octocat").unwrap()).unwrap();
        set(
            e,
            oids::SUBJECT_ALT_NAME,
            san_value(vec![GeneralName::OtherName(OtherName {
                type_id: oids::OTHERNAME_SAN,
                value,
            })]),
        )
    });
    assert!(san(&username_wrong_type).is_err());

    let dns = altered(|e| {
        set(
            e,
            oids::SUBJECT_ALT_NAME,
            san_value(vec![GeneralName::DnsName(
                Ia5String::new("example.com").unwrap(),
            )]),
        )
    });
    assert_eq!(san(&dns).unwrap(), SubjectAlternativeName::Other);

    let two = altered(|e| {
        set(
            e,
            oids::SUBJECT_ALT_NAME,
            san_value(vec![
                GeneralName::UniformResourceIdentifier(Ia5String::new(HAPPY_IDENTITY).unwrap()),
                GeneralName::Rfc822Name(Ia5String::new("a@example.com").unwrap()),
            ]),
        )
    });
    assert_eq!(san(&two).unwrap_err(), Error::SanCount(2));
    assert!(Identity::new(HAPPY_IDENTITY, HAPPY_ISSUER)
        .verify(&two)
        .is_err());
    let zero = altered(|e| set(e, oids::SUBJECT_ALT_NAME, san_value(vec![])));
    assert_eq!(san(&zero).unwrap_err(), Error::SanCount(0));
    let garbage = altered(|e| set(e, oids::SUBJECT_ALT_NAME, vec![0x30, 0x05, 0x01]));
    assert!(san(&garbage).is_err());
}

#[test]
fn issuer_encodings() {
    // V2 issuer wins over the legacy one.
    let v2 = altered(|e| {
        set(
            e,
            oids::FULCIO_ISSUER_V2,
            Utf8StringRef::new("https://v2.example")
                .unwrap()
                .to_der()
                .unwrap(),
        )
    });
    assert_eq!(issuer(&v2).unwrap().as_deref(), Some("https://v2.example"));
    OIDCIssuer::new("https://v2.example").verify(&v2).unwrap();
    assert!(OIDCIssuer::new(HAPPY_ISSUER).verify(&v2).is_err());

    // Trailing bytes after the UTF8String are rejected.
    let trailing = altered(|e| {
        let mut value = Utf8StringRef::new(HAPPY_ISSUER).unwrap().to_der().unwrap();
        value.push(0);
        set(e, oids::FULCIO_ISSUER_V2, value)
    });
    assert_eq!(
        issuer(&trailing).unwrap_err(),
        Error::MalformedExtension(oids::FULCIO_ISSUER_V2)
    );
    assert!(FulcioExtensions::from_certificate(&trailing).is_err());
    assert!(OIDCIssuer::new(HAPPY_ISSUER).verify(&trailing).is_err());

    // A raw (unwrapped) value where a UTF8String belongs is rejected.
    let raw_v2 = altered(|e| set(e, oids::FULCIO_ISSUER_V2, HAPPY_ISSUER.as_bytes().to_vec()));
    assert!(issuer(&raw_v2).is_err());

    // Without .1.8 the legacy .1.1 is used.
    let legacy = altered(|e| {
        e.retain(|x| x.extn_id != oids::FULCIO_ISSUER_V2);
        set(e, oids::FULCIO_ISSUER, b"https://legacy.example".to_vec())
    });
    assert_eq!(
        issuer(&legacy).unwrap().as_deref(),
        Some("https://legacy.example")
    );
    OIDCIssuer::new("https://legacy.example")
        .verify(&legacy)
        .unwrap();

    // Neither: the issuer policy fails.
    let none = altered(|e| {
        e.retain(|x| x.extn_id != oids::FULCIO_ISSUER_V2 && x.extn_id != oids::FULCIO_ISSUER)
    });
    assert_eq!(issuer(&none).unwrap(), None);
    assert!(matches!(
        Identity::new(HAPPY_IDENTITY, HAPPY_ISSUER).verify(&none),
        Err(PolicyError::MissingExtension { .. })
    ));

    // Non-UTF-8 legacy bytes are an error.
    let bad_utf8 = altered(|e| {
        e.retain(|x| x.extn_id != oids::FULCIO_ISSUER_V2);
        set(e, oids::FULCIO_ISSUER, vec![0xff, 0xfe])
    });
    assert_eq!(
        issuer(&bad_utf8).unwrap_err(),
        Error::NotUtf8(oids::FULCIO_ISSUER)
    );
}

#[test]
fn legacy_workflow_policies_fall_back_to_v2() {
    let cert = altered(|e| {
        e.retain(|x| {
            x.extn_id != oids::GITHUB_WORKFLOW_TRIGGER
                && x.extn_id != oids::GITHUB_WORKFLOW_SHA
                && x.extn_id != oids::GITHUB_WORKFLOW_REF
                && x.extn_id != oids::GITHUB_WORKFLOW_NAME
        })
    });
    GitHubWorkflowTrigger::new("workflow_dispatch")
        .verify(&cert)
        .unwrap();
    GitHubWorkflowSHA::new("c7b3dfb335f051e1c86bda4c716fac97df62ad81")
        .verify(&cert)
        .unwrap();
    GitHubWorkflowRef::new("refs/heads/main")
        .verify(&cert)
        .unwrap();
    assert!(matches!(
        GitHubWorkflowName::new("Extremely dangerous OIDC beacon").verify(&cert),
        Err(PolicyError::MissingExtension { .. })
    ));
}

#[test]
fn structural_rejections() {
    // Duplicate extensions.
    let dup = {
        let mut x509 = happy_leaf().x509().unwrap();
        let exts = x509.tbs_certificate.extensions.as_mut().unwrap();
        let first = exts[0].clone();
        exts.push(first);
        x509.to_der().unwrap()
    };
    assert!(matches!(
        Certificate::from_der(&dup),
        Err(Error::DuplicateExtension(_))
    ));
    // Every extension, duplicated at the end, is found; an OID that only shares its last
    // byte with one present is not a duplicate; a duplicate whose value is malformed is
    // reported as a duplicate.
    let leaf = happy_leaf().x509().unwrap();
    let count = leaf.tbs_certificate.extensions.as_ref().unwrap().len();
    for i in 0..count {
        let mut x509 = leaf.clone();
        let exts = x509.tbs_certificate.extensions.as_mut().unwrap();
        let mut copy = exts[i].clone();
        copy.extn_value = OctetString::new(vec![0x05]).unwrap();
        exts.push(copy.clone());
        assert_eq!(
            Certificate::from_der(&x509.to_der().unwrap()).unwrap_err(),
            Error::DuplicateExtension(copy.extn_id),
            "extension {i}"
        );
        let exts = x509.tbs_certificate.extensions.as_mut().unwrap();
        let mut sibling = exts.pop().unwrap();
        let mut arcs = sibling.extn_id.as_bytes().to_vec();
        arcs.insert(arcs.len() - 1, 0x01);
        sibling.extn_id = der::asn1::ObjectIdentifier::from_bytes(&arcs).unwrap();
        sibling.critical = false;
        exts.push(sibling);
        assert_eq!(
            Certificate::from_der(&x509.to_der().unwrap()).map(|_| ()),
            Ok(()),
            "extension {i}: an OID ending in the same byte"
        );
    }

    // Malformed key usage.
    let bad_ku = {
        let mut x509 = happy_leaf().x509().unwrap();
        set(
            x509.tbs_certificate.extensions.as_mut().unwrap(),
            oids::KEY_USAGE,
            vec![0x04, 0x00],
        );
        x509.to_der().unwrap()
    };
    assert_eq!(
        Certificate::from_der(&bad_ku).unwrap_err(),
        Error::MalformedExtension(oids::KEY_USAGE)
    );

    // Unsupported signature algorithm.
    let mut x509 = happy_leaf().x509().unwrap();
    let md5 = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4");
    x509.signature_algorithm.oid = md5;
    x509.tbs_certificate.signature.oid = md5;
    let cert = Certificate::from_der(&x509.to_der().unwrap()).unwrap();
    assert_eq!(
        cert.signature_algorithm().unwrap_err(),
        Error::UnsupportedSignatureAlgorithm(md5)
    );

    // Inner and outer signature algorithms must agree (checked at parse time, so a trust
    // anchor, whose own signature is never verified, is held to it too).
    let mut x509 = happy_leaf().x509().unwrap();
    x509.signature_algorithm.oid = oids::ECDSA_WITH_SHA256;
    assert_eq!(
        Certificate::from_der(&x509.to_der().unwrap()).unwrap_err(),
        Error::SignatureAlgorithmMismatch
    );
}

/// The certificate parser reads borrowed fields with the same ASN.1 rules as
/// `x509_cert::Certificate`. On the happy-path leaf and the production Fulcio certificates,
/// and on every truncation and single-byte change of them, both must reject the same
/// encodings, and where both accept, every field this crate keeps must equal the decoded one.
#[test]
fn parse_agrees_with_x509_cert_on_every_mutation() {
    use der::Decode;

    fn compare(bytes: &[u8]) -> bool {
        let reference = x509_cert::Certificate::from_der(bytes);
        let ours = Certificate::from_der(bytes);
        match (&reference, &ours) {
            (Err(_), Err(Error::MalformedCertificate(_))) => false,
            (Err(_), other) => panic!("x509_cert rejects, we return {:?}", other.as_ref().err()),
            (Ok(_), Err(Error::MalformedCertificate(e))) => {
                panic!("x509_cert accepts, we reject: {e}")
            }
            (Ok(_), Err(_)) => false,
            (Ok(reference), Ok(ours)) => {
                let tbs = &reference.tbs_certificate;
                // (The TBS itself is not compared: `der` accepts an explicit DEFAULT value
                // such as `critical FALSE` and leaves it out when re-encoding.)
                assert!(
                    ours.serial_number() == tbs.serial_number.as_bytes(),
                    "serial"
                );
                assert!(ours.issuer_der() == tbs.issuer.to_der().unwrap(), "issuer");
                assert!(
                    ours.subject_der() == tbs.subject.to_der().unwrap(),
                    "subject"
                );
                assert_eq!(ours.subject_is_empty(), tbs.subject.0.is_empty());
                let spki = tbs.subject_public_key_info.to_der().unwrap();
                assert!(ours.spki_der() == spki, "spki");
                let expected: Vec<_> = tbs
                    .extensions
                    .iter()
                    .flatten()
                    .map(|e| (e.extn_id, e.critical, e.extn_value.as_bytes().to_vec()))
                    .collect();
                let found: Vec<_> = ours
                    .extensions()
                    .map(|e| (e.oid, e.critical, e.value.to_vec()))
                    .collect();
                assert!(found == expected, "extensions");
                true
            }
        }
    }

    let mut inputs = vec![happy_leaf().der().to_vec()];
    for ca in fulcio_authorities(&production_root()) {
        inputs.extend(ca.certificates().iter().map(|c| c.der().to_vec()));
    }
    let (mut accepted, mut rejected) = (0usize, 0usize);
    for der in &inputs {
        let mut count = |ok: bool| if ok { accepted += 1 } else { rejected += 1 };
        count(compare(der));
        for len in 0..der.len() {
            count(compare(&der[..len]));
        }
        for i in 0..der.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut m = der.clone();
                m[i] ^= mask;
                count(compare(&m));
            }
        }
    }
    println!(
        "{} certificates: {accepted} encodings accepted by both, {rejected} rejected by both",
        inputs.len()
    );
    assert!(accepted > inputs.len() && rejected > 0);
}
