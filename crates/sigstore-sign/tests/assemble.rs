//! Bundle assembly: v0.3 media type, leaf-only certificate, structural checks.
#![allow(clippy::unwrap_used)]

use sigstore_sign::{assemble_bundle, Error};
use sigstore_types::bundle::{BundleContent, MessageSignature, VerificationMaterialContent};
use sigstore_types::Bundle;

fn entry() -> sigstore_types::TransparencyLogEntry {
    let b = Bundle::from_json(
        &std::fs::read(
            sigstore_test_support::conformance_cases().join("happy-path-v0.3/bundle.sigstore.json"),
        )
        .unwrap(),
    )
    .unwrap();
    b.verification_material.tlog_entries[0].clone()
}

#[test]
fn assembles_v03_with_leaf_only() {
    let content = BundleContent::MessageSignature(MessageSignature {
        message_digest: None,
        signature: vec![1, 2, 3],
    });
    let bundle = assemble_bundle(
        vec![0x30, 0x00],
        content.clone(),
        vec![entry()],
        vec![vec![9]],
    )
    .unwrap();
    assert_eq!(
        bundle.media_type,
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert!(matches!(
        bundle.verification_material.content,
        VerificationMaterialContent::Certificate(ref der) if der == &[0x30, 0x00]
    ));
    let json = bundle.to_json();
    assert_eq!(Bundle::from_json(json.as_bytes()).unwrap(), bundle);

    // Structural errors surface: empty signature, duplicate timestamps, entry without proof.
    let empty = BundleContent::MessageSignature(MessageSignature {
        message_digest: None,
        signature: vec![],
    });
    assert!(matches!(
        assemble_bundle(vec![1], empty, vec![entry()], vec![]),
        Err(Error::Bundle(_))
    ));
    assert!(matches!(
        assemble_bundle(
            vec![1],
            content.clone(),
            vec![entry()],
            vec![vec![9], vec![9]]
        ),
        Err(Error::Bundle(_))
    ));
    let mut no_proof = entry();
    no_proof.inclusion_proof = None;
    assert!(matches!(
        assemble_bundle(vec![1], content, vec![no_proof], vec![]),
        Err(Error::Bundle(_))
    ));
}
