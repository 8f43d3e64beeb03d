//! Review: certificates embedded in an RFC 3161 token.
//!
//! Embedded certificates are never trusted (the trusted `certChain[0]` verifies the
//! signature), but spec §6.3 step 4 says an embedded signing certificate must equal the trusted
//! one: a token whose embedded certificates do not include the trusted signing certificate
//! (byte-equal), or that embeds something other than certificates, is rejected.
#![allow(clippy::unwrap_used)]

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::Case;
use serde_json::Value;
use sigstore_types::Bundle;

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
    let outcome = case.verify_bundle_with(&case.verifier(), &bundle);
    assert!(
        outcome.is_err(),
        "token whose embedded certificate is not the trusted TSA certificate verified"
    );
}
