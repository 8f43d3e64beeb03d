//! Embedded SCT lists: the TLS list and the extension's OCTET STRING, single SCTs, and
//! verification of what parsed against the production CT logs over the precertificate of the
//! `happy-path-v0.3` leaf (so a well-formed list reaches the signature check).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_fulcio::{parse_sct_extension, parse_sct_list, precert_tbs, verify_scts, Sct};
use sigstore_fuzz::{at, production_trust, CASES, CERT_TIME};
use sigstore_types::Bundle;
use sigstore_x509_policy::{verify_chain, Certificate, KeyPurpose};

/// The issuer key hash and precertificate TBS of the happy-path v0.3 leaf.
fn precert() -> &'static ([u8; 32], Vec<u8>) {
    static PRECERT: OnceLock<([u8; 32], Vec<u8>)> = OnceLock::new();
    PRECERT.get_or_init(|| {
        let bundle = Bundle::from_json(CASES[2].bundle.as_bytes()).expect("the case parses");
        let der = bundle
            .verification_material
            .leaf_certificate()
            .expect("a leaf");
        let leaf = Certificate::from_der(der).expect("the leaf parses");
        let chain = verify_chain(
            &leaf,
            production_trust().certificate_authorities(),
            at(CERT_TIME),
            KeyPurpose::CodeSigning,
        )
        .expect("the leaf chains to production");
        let spki = chain.issuer().spki_der();
        let hash = sigstore_crypto::HashAlgorithm::Sha256.digest(spki);
        let hash: [u8; 32] = hash.as_bytes().try_into().expect("32 bytes");
        let tbs = precert_tbs(&leaf).expect("a precert");
        (hash, tbs)
    })
}

fuzz_target!(|data: &[u8]| {
    let (issuer_key_hash, tbs) = precert();
    let ct_logs = production_trust().ct_logs();
    for scts in [parse_sct_extension(data), parse_sct_list(data)]
        .into_iter()
        .flatten()
    {
        assert!(!scts.is_empty());
        let _ = verify_scts(&scts, issuer_key_hash, tbs, ct_logs);
        // Over the input itself as the precertificate too.
        let _ = verify_scts(&scts, issuer_key_hash, data, ct_logs);
    }
    if let Ok(sct) = Sct::from_tls(data) {
        let _ = verify_scts(std::slice::from_ref(&sct), issuer_key_hash, tbs, ct_logs);
    }
});
