//! X.509 certificates and chains: DER (and PEM) parsing, every Fulcio extension read, the
//! Fulcio leaf profile, path validation against the production Fulcio CAs at a fixed time, and
//! a chain carried by the input itself (consecutive DER certificates, leaf first) as an
//! authority of its own, for Fulcio and TSA path validation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigstore_fuzz::{at, production_trust, split_der, CERT_TIME, TUF_TIME};
use sigstore_x509_policy::{
    check_fulcio_leaf_profile, issuer, san, verify_chain, verify_tsa_chain, Certificate,
    CertificateAuthority, FulcioExtensions, KeyPurpose,
};

fn read_everything(cert: &Certificate) {
    let _ = FulcioExtensions::from_certificate(cert);
    let _ = issuer(cert);
    let _ = san(cert).map(|s| s.as_str().map(str::len));
    let _ = check_fulcio_leaf_profile(cert);
    let _ = (cert.is_ca(), cert.path_len_constraint(), cert.key_usage());
    let _ = (cert.extended_key_usages(), cert.serial_number().len());
    assert!(cert.not_before() <= cert.not_after() || !cert.is_valid_at(cert.not_before()));
}

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = Certificate::from_pem(data) {
        read_everything(&cert);
    }
    let ders = split_der(data);
    let Ok(chain) = ders
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
    else {
        return;
    };
    let Some(leaf) = chain.first() else {
        return;
    };
    for cert in &chain {
        read_everything(cert);
    }
    let cas = production_trust().certificate_authorities();
    for time in [CERT_TIME, TUF_TIME] {
        if let Ok(verified) = verify_chain(leaf, cas, at(time), KeyPurpose::CodeSigning) {
            assert_eq!(verified.certificates()[0].der(), leaf.der());
            let _ = sigstore_fulcio::verify_embedded_scts(
                leaf,
                &verified,
                production_trust().ct_logs(),
            );
        }
    }
    // The input's own chain as a trusted authority.
    if chain.len() >= 2 {
        let issuers = chain[1..].to_vec();
        if let Ok(own) = CertificateAuthority::from_certificates(issuers, None) {
            let _ = verify_chain(leaf, &[own], at(CERT_TIME), KeyPurpose::CodeSigning);
        }
    }
    if let Ok(tsa) = CertificateAuthority::from_certificates(chain.clone(), None) {
        let _ = verify_tsa_chain(&tsa, at(CERT_TIME));
        let _ = verify_tsa_chain(&tsa, leaf.not_before());
    }
});
