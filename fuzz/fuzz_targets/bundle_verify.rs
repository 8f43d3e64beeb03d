//! Arbitrary bytes as bundle JSON, through parsing and the whole verification procedure
//! against the production trusted root, with the happy paths' identity policy and artifact
//! digest. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigstore_fuzz::{artifact_digest, identity_policy, production_verifier};
use sigstore_verify::{Artifact, Bundle};

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = Bundle::from_json(data) else {
        return;
    };
    // What parsed must serialize back to itself.
    assert_eq!(
        Bundle::from_json(bundle.to_json().as_bytes()).as_ref(),
        Ok(&bundle),
        "to_json does not round-trip"
    );
    let _ = production_verifier().verify(
        &bundle,
        Artifact::Digest(artifact_digest()),
        &identity_policy(),
    );
});
