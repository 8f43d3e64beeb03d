//! Every chain digest the verifier may take as already checked
//! (`sigstore_trust::embedded_chain_digests`) belongs to a chain of an embedded trusted root
//! whose certificates are each issued (names and signature) by the next one, and every chain
//! of the embedded trusted roots is listed.

use std::collections::BTreeSet;

use sigstore_trust::{PRODUCTION, STAGING};
use sigstore_x509_policy::CertificateAuthority;

#[test]
fn listed_chains_are_the_embedded_chains_and_verify() {
    let (mut passed, mut failed) = (0usize, Vec::new());
    let mut seen = BTreeSet::new();
    for embedded in [&PRODUCTION, &STAGING] {
        let root = embedded.trusted_root().expect("embedded trusted root");
        let chains = root
            .certificate_authorities
            .iter()
            .map(|ca| (&ca.cert_chain, ca.valid_for))
            .chain(
                root.timestamp_authorities
                    .iter()
                    .map(|tsa| (&tsa.cert_chain, tsa.valid_for)),
            );
        for (index, (chain, valid_for)) in chains.enumerate() {
            let authority = CertificateAuthority::new(chain, valid_for).expect("a chain");
            let certificates = authority.certificates();
            let problems = certificates
                .windows(2)
                .filter_map(|pair| match pair {
                    [child, parent] if child.issuer_der() != parent.subject_der() => {
                        Some("an issuer name is not the next subject".to_owned())
                    }
                    [child, parent] => child.verify_signed_by(parent).err().map(|e| e.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>();
            if problems.is_empty() {
                passed += 1;
            } else {
                failed.push(format!("{} chain #{index}: {problems:?}", embedded.name));
            }
            seen.insert(authority.chain_digest());
        }
    }
    let listed: BTreeSet<[u8; 32]> = sigstore_trust::embedded_chain_digests()
        .iter()
        .copied()
        .collect();
    println!("embedded chains: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(passed > 0, "no embedded chains");
    assert_eq!(
        listed, seen,
        "the listed digests are exactly the embedded chains'"
    );
}

#[test]
fn a_listed_chain_skips_only_its_internal_signatures() {
    // Another chain (not byte-identical) gets no pass from the list.
    let root = PRODUCTION.trusted_root().expect("embedded trusted root");
    let ca = root
        .certificate_authorities
        .iter()
        .find(|ca| ca.cert_chain.len() > 1)
        .expect("a production CA with an intermediate");
    let mut tampered = ca.cert_chain.clone();
    let last = tampered[0].len() - 20;
    tampered[0][last] ^= 0x01; // inside the intermediate's signature
    let authority = CertificateAuthority::new(&tampered, ca.valid_for)
        .expect("still parses")
        .with_checked_chains(sigstore_trust::embedded_chain_digests());
    assert!(!sigstore_trust::embedded_chain_digests().contains(&authority.chain_digest()));
}
