//! Legacy `.sig` / `.crt` / `.rekor` conversion, with materials synthesized from the
//! happy-path-v0.1 conformance bundle.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

mod common;

use sigstore_types::encoding::{base64_encode, hex_encode, pem_encode};
use sigstore_types::legacy::bundle_from_legacy;
use sigstore_types::{Bundle, BundleContent, BundleVersion, Error, VerificationMaterialContent};

struct Materials {
    original: Bundle,
    sig: Vec<u8>,
    crt: Vec<u8>,
    rekor: Vec<u8>,
    digest: [u8; 32],
}

fn materials() -> Materials {
    let path =
        sigstore_test_support::conformance_cases().join("happy-path-v0.1/bundle.sigstore.json");
    let original = Bundle::from_json(&std::fs::read(path).unwrap()).unwrap();
    let leaf = original
        .verification_material
        .leaf_certificate()
        .unwrap()
        .to_vec();
    let tle = original.verification_material.tlog_entries[0].clone();
    let BundleContent::MessageSignature(m) = &original.content else {
        panic!("expected message signature")
    };
    let digest: [u8; 32] = m
        .message_digest
        .as_ref()
        .unwrap()
        .digest
        .clone()
        .try_into()
        .unwrap();
    let sig = format!("{}\n", base64_encode(&m.signature)).into_bytes();
    let crt = pem_encode(&leaf, "CERTIFICATE").into_bytes();
    // Capitalized outer keys, JSON numbers and a hex log ID, as sigstore-python 1.0 wrote.
    let rekor = format!(
        r#"{{"SignedEntryTimestamp":"{}","Payload":{{"body":"{}","integratedTime":{},"logIndex":{},"logID":"{}"}}}}"#,
        base64_encode(tle.inclusion_promise.as_ref().unwrap()),
        base64_encode(&tle.canonicalized_body),
        tle.integrated_time,
        tle.log_index,
        hex_encode(&tle.log_id),
    )
    .into_bytes();
    Materials {
        original,
        sig,
        crt,
        rekor,
        digest,
    }
}

#[test]
fn converts_legacy_materials_to_v0_1_bundle() {
    let m = materials();
    let bundle = bundle_from_legacy(&m.sig, &m.crt, Some(&m.rekor), &m.digest).unwrap();
    assert_eq!(bundle.version, BundleVersion::V0_1);
    assert_eq!(
        bundle.media_type,
        "application/vnd.dev.sigstore.bundle+json;version=0.1"
    );
    assert_eq!(bundle.content, m.original.content);
    assert_eq!(
        bundle.verification_material.content,
        VerificationMaterialContent::X509CertificateChain(vec![m
            .original
            .verification_material
            .leaf_certificate()
            .unwrap()
            .to_vec()])
    );
    let mut expected_entry = m.original.verification_material.tlog_entries[0].clone();
    expected_entry.inclusion_proof = None;
    assert_eq!(
        bundle.verification_material.tlog_entries,
        vec![expected_entry]
    );
    assert!(bundle.verification_material.rfc3161_timestamps.is_empty());
    // The result is a valid bundle that round-trips.
    assert_eq!(
        Bundle::from_json(bundle.to_json().as_bytes()).unwrap(),
        bundle
    );
    println!("legacy conversion: 1 bundle converted and round-tripped");
}

#[test]
fn accepts_variants_of_the_inputs() {
    let m = materials();
    let reference = bundle_from_legacy(&m.sig, &m.crt, Some(&m.rekor), &m.digest).unwrap();

    // Base64 of the PEM (some tools wrote the certificate that way), CRLF PEM.
    let b64_pem = base64_encode(&m.crt).into_bytes();
    assert_eq!(
        bundle_from_legacy(&m.sig, &b64_pem, Some(&m.rekor), &m.digest).unwrap(),
        reference
    );
    let crlf = String::from_utf8(m.crt.clone())
        .unwrap()
        .replace('\n', "\r\n");
    assert_eq!(
        bundle_from_legacy(&m.sig, crlf.as_bytes(), Some(&m.rekor), &m.digest).unwrap(),
        reference
    );
    // Integers as strings in the .rekor file.
    let tle = &m.original.verification_material.tlog_entries[0];
    let rekor_strings = String::from_utf8(m.rekor.clone()).unwrap().replace(
        &format!(r#""logIndex":{}"#, tle.log_index),
        &format!(r#""logIndex":"{}""#, tle.log_index),
    );
    assert_eq!(
        bundle_from_legacy(&m.sig, &m.crt, Some(rekor_strings.as_bytes()), &m.digest).unwrap(),
        reference
    );
    // Without .rekor: no tlog entries.
    let bare = bundle_from_legacy(&m.sig, &m.crt, None, &m.digest).unwrap();
    assert!(bare.verification_material.tlog_entries.is_empty());
}

#[test]
fn rejects_bad_legacy_materials() {
    let m = materials();
    let rekor = String::from_utf8(m.rekor.clone()).unwrap();
    let tle = &m.original.verification_material.tlog_entries[0];
    let hex_id = hex_encode(&tle.log_id);

    let bad_sig = bundle_from_legacy(b"!!notbase64!!", &m.crt, Some(&m.rekor), &m.digest);
    assert!(matches!(
        bad_sig,
        Err(Error::InvalidBase64 { field: "signature" })
    ));
    assert_eq!(
        bundle_from_legacy(b"\n", &m.crt, Some(&m.rekor), &m.digest),
        Err(Error::EmptySignature)
    );

    let key_pem = pem_encode(b"\x30\x00", "PUBLIC KEY");
    assert!(matches!(
        bundle_from_legacy(&m.sig, key_pem.as_bytes(), Some(&m.rekor), &m.digest),
        Err(Error::PemLabelMismatch { .. })
    ));
    assert!(bundle_from_legacy(&m.sig, b"garbage", Some(&m.rekor), &m.digest).is_err());

    let cases: Vec<(String, Error)> = vec![
        (
            rekor.replace(&hex_id, "zz"),
            Error::InvalidHex {
                field: "Payload.logID",
            },
        ),
        (
            rekor.replace(&hex_id, ""),
            Error::MissingField("Payload.logID"),
        ),
        (
            rekor.replace("\"SignedEntryTimestamp\"", "\"signedEntryTimestamp\""),
            Error::MissingField("SignedEntryTimestamp"),
        ),
        (
            rekor.replace(
                &format!(r#""logIndex":{}"#, tle.log_index),
                r#""logIndex":99999999999999999999"#,
            ),
            Error::InvalidInteger {
                field: "Payload.logIndex",
                value: "1e20".into(),
            },
        ),
        (
            rekor.replace(
                &format!(r#""logIndex":{}"#, tle.log_index),
                r#""logIndex":-3"#,
            ),
            Error::NegativeLogIndex {
                entry: 0,
                value: -3,
            },
        ),
        (
            r#"{"SignedEntryTimestamp":"AQ=="}"#.to_owned(),
            Error::MissingField("Payload"),
        ),
        (
            format!(
                r#"{{"SignedEntryTimestamp":"AQ==","Payload":{{"body":"{}","integratedTime":1,"logIndex":1,"logID":"00"}}}}"#,
                base64_encode(br#"{"kind":"hashedrekord"}"#)
            ),
            Error::MissingField("Payload.body.apiVersion"),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            bundle_from_legacy(&m.sig, &m.crt, Some(input.as_bytes()), &m.digest),
            Err(expected),
            "{input}"
        );
    }
    assert!(matches!(
        bundle_from_legacy(
            &m.sig,
            &m.crt,
            Some(&m.rekor[..m.rekor.len() / 2]),
            &m.digest
        ),
        Err(Error::Json { .. })
    ));
}
