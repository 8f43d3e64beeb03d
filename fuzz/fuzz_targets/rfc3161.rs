//! RFC 3161 timestamp responses and tokens: parsing, and verification over the signature of
//! `rekor2-happy-path` (the bytes its timestamp covers) against the production TSA and that
//! case's own TSA (which signed the seed tokens, so a well-formed token gets to the CMS
//! signature and the TSA chain checks).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_fuzz::{production_trust, rekor2_trust, CASES};
use sigstore_tsa::{verify_token, TimeStampToken, TimestampAuthority};
use sigstore_types::Bundle;

/// The timestamped signature and the authorities.
fn fixture() -> &'static (Vec<u8>, Vec<TimestampAuthority>) {
    static FIXTURE: OnceLock<(Vec<u8>, Vec<TimestampAuthority>)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let bundle = Bundle::from_json(CASES[6].bundle.as_bytes()).expect("the case parses");
        let parsed = |trust: &'static sigstore_verify::TrustMaterial| {
            trust
                .timestamp_authorities()
                .expect("the timestamp authorities parse")
        };
        let mut authorities = parsed(production_trust()).to_vec();
        authorities.extend_from_slice(parsed(rekor2_trust()));
        (bundle.signature_bytes().to_vec(), authorities)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = TimeStampToken::from_der(data) else {
        return;
    };
    let _ = token.embedded_certificates().len();
    let (signature, authorities) = fixture();
    if let Ok(verified) = verify_token(&token, signature, authorities) {
        assert!(verified.authority_index < authorities.len());
        assert_eq!(verified.time, token.tst_info().gen_time);
        let _ = verified.check_nonce(&[1, 2, 3]);
    }
    // Over the input itself, which the imprint will rarely match.
    let _ = verify_token(&token, data, authorities);
});
