//! Signed notes and checkpoints: parsing, and verification with the production Rekor v1 key
//! (`rekor.sigstore.dev`) and the production Rekor v2 key (`log2025-1.rekor.sigstore.dev`).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_crypto::PublicKey;
use sigstore_rekor::checkpoint::{
    verify_checkpoint, verify_rekor_v1_checkpoint, verify_rekor_v2_checkpoint, Checkpoint,
    NoteVerifier, SignedNote,
};

/// The production Rekor v1 key and the Rekor v2 note verifier.
fn keys() -> &'static (PublicKey, NoteVerifier) {
    static KEYS: OnceLock<(PublicKey, NoteVerifier)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let root = sigstore_fuzz::production_root();
        let key = |url: &str| {
            let log = root
                .tlogs
                .iter()
                .find(|log| log.base_url == url)
                .expect("the production root has the log");
            let der = log.public_key.raw_bytes.as_deref().expect("a log key");
            PublicKey::from_spki_der(der).expect("the log key parses")
        };
        let v1 = key("https://rekor.sigstore.dev");
        let v2 = NoteVerifier::rekor_v2(
            "log2025-1.rekor.sigstore.dev",
            key("https://log2025-1.rekor.sigstore.dev"),
        )
        .expect("a Rekor v2 note verifier");
        (v1, v2)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (v1_key, v2) = keys();
    if let Ok(note) = SignedNote::parse(text) {
        // The signed text is a prefix of the note.
        assert!(text.starts_with(&note.text));
        let _ = note.verify(std::slice::from_ref(v2));
        let _ = Checkpoint::parse(&note.text).map(|cp| cp.rekor_v1_host().map(str::len));
    }
    let _ = Checkpoint::parse(text);
    let _ = verify_checkpoint(text, v2);
    let _ = verify_rekor_v1_checkpoint(text, v1_key);
    let _ = verify_rekor_v2_checkpoint(text, v2);
});
