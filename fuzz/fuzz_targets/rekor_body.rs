//! Rekor entry bodies (`canonicalizedBody`): parsing as every supported kind and version
//! (hashedrekord, dsse, intoto; 0.0.1 and 0.0.2), and binding what parsed to the signature,
//! certificate or key, and artifact or DSSE payload of each happy-path bundle (the seeds are
//! those bundles' bodies, so binding gets past its first comparisons).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_crypto::PublicKey;
use sigstore_fuzz::{artifact_digest, CASES};
use sigstore_rekor::body::{EntryBody, Verifier};
use sigstore_types::{Bundle, BundleContent};

const KINDS: [(&str, &str); 6] = [
    ("hashedrekord", "0.0.1"),
    ("hashedrekord", "0.0.2"),
    ("dsse", "0.0.1"),
    ("dsse", "0.0.2"),
    ("intoto", "0.0.1"),
    ("intoto", "0.0.2"),
];

/// What a bundle says a log entry must name.
struct Binding {
    signature: Vec<u8>,
    /// The leaf certificate DER, else the managed key's SPKI DER.
    certificate: Option<Vec<u8>>,
    key: Option<Vec<u8>>,
    /// The DSSE payload type and payload, for envelopes.
    dsse: Option<(String, Vec<u8>)>,
}

fn bindings() -> &'static [Binding] {
    static BINDINGS: OnceLock<Vec<Binding>> = OnceLock::new();
    BINDINGS.get_or_init(|| {
        CASES
            .iter()
            .map(|case| {
                let bundle = Bundle::from_json(case.bundle.as_bytes()).expect("the case parses");
                let key = case.key.map(|pem| {
                    PublicKey::from_pem(pem)
                        .expect("the key parses")
                        .spki_der()
                        .to_vec()
                });
                Binding {
                    signature: bundle.signature_bytes().to_vec(),
                    certificate: bundle
                        .verification_material
                        .leaf_certificate()
                        .map(<[u8]>::to_vec),
                    key,
                    dsse: match &bundle.content {
                        BundleContent::DsseEnvelope(e) => {
                            Some((e.payload_type.clone(), e.payload.clone()))
                        }
                        BundleContent::MessageSignature(_) => None,
                    },
                }
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let digest = artifact_digest();
    for (kind, version) in KINDS {
        let Ok(body) = EntryBody::parse(kind, version, data) else {
            continue;
        };
        assert_eq!(body.kind(), kind);
        for binding in bindings() {
            let verifier = match (&binding.certificate, &binding.key) {
                (Some(der), _) => Verifier::Certificate(der),
                (None, Some(der)) => Verifier::PublicKey(der),
                (None, None) => continue,
            };
            let _ = body.check_message_signature(&binding.signature, verifier, &digest);
            if let Some((payload_type, payload)) = &binding.dsse {
                let _ = body.check_dsse(payload_type, payload, &binding.signature, verifier);
            }
        }
    }
});
