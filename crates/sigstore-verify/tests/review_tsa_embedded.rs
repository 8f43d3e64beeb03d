//! Review: RFC 3161 token fields the verifier never looks at.
//!
//! Certificates embedded in a
//! timestamp token are collected and then ignored, so a token whose embedded signing
//! certificate differs from the trusted TSA certificate still verifies. Spec §6.3 step 4:
//! "if the token embeds a cert, it must equal that one". No trust is placed in the embedded
//! certificate (the trusted `certChain[0]` verifies the signature), so this is a conformance gap,
//! not a forgery. Safe behaviour: reject a token whose embedded certificates do not include the
//! trusted signing certificate (byte-equal), or that embeds certificates that fail to parse.
#![allow(clippy::unwrap_used)]

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::Case;
use serde_json::Value;
use sigstore_types::Bundle;
use sigstore_verify::{Verifier, VerifierConfig};

const TOKEN: &str =
    "/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0/signedTimestamp";

#[test]
fn a_token_embedding_a_different_signing_certificate_is_rejected() {
    let case = Case::named("rekor2-happy-path");
    let json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let mut token = STANDARD
        .decode(json.pointer(TOKEN).unwrap().as_str().unwrap())
        .unwrap();
    assert_eq!(token.len(), 1262, "offsets below are for this fixture");
    // Byte 332.. is the embedded certificate's issuer commonName `sigstore-tsa-selfsigned`.
    assert_eq!(&token[334..346], b"sigstore-tsa");
    token[334] = b'S';
    let mut edited = json.clone();
    *edited.pointer_mut(TOKEN).unwrap() = STANDARD.encode(&token).into();
    let bundle = Bundle::from_json(&serde_json::to_vec(&edited).unwrap()).unwrap();
    let verifier = Verifier::new(&case.trusted_root().unwrap(), VerifierConfig::default()).unwrap();
    let outcome = verifier.verify(&bundle, case.artifact(), &case.policy().unwrap());
    assert!(
        outcome.is_err(),
        "token whose embedded certificate is not the trusted TSA certificate verified"
    );
}
