//! Computes the digests of the certificate chains of the embedded trusted roots
//! (`EMBEDDED_CA_CHAINS`): see `src/lib.rs`.

use std::fmt::Write as _;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

fn main() {
    let mut digests = Vec::new();
    for instance in ["production", "staging"] {
        let path = Path::new("data").join(instance).join("trusted_root.json");
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read(&path).expect("an embedded trusted root");
        let root: serde_json::Value = serde_json::from_slice(&text).expect("trusted root JSON");
        for list in ["certificateAuthorities", "timestampAuthorities"] {
            for authority in root[list].as_array().into_iter().flatten() {
                let certificates = authority["certChain"]["certificates"]
                    .as_array()
                    .expect("certChain.certificates");
                let ders = certificates
                    .iter()
                    .map(|c| {
                        STANDARD
                            .decode(c["rawBytes"].as_str().expect("rawBytes"))
                            .expect("base64 rawBytes")
                    })
                    .collect::<Vec<_>>();
                digests.push(chain_digest(&ders));
            }
        }
    }
    digests.sort();
    digests.dedup();
    let mut out = String::from(
        "/// SHA-256 chain digests of the embedded trusted roots' authorities.\n\
         pub(crate) const EMBEDDED_CHAIN_DIGESTS: &[[u8; 32]] = &[\n",
    );
    for digest in digests {
        let bytes = digest
            .iter()
            .map(|b| format!("{b:#04x}"))
            .collect::<Vec<_>>();
        let _ = writeln!(out, "    [{}],", bytes.join(", "));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("chains.rs");
    std::fs::write(dest, out).expect("writing chains.rs");
}

/// The digest `sigstore_x509_policy::CertificateAuthority::chain_digest` computes: SHA-256
/// over each certificate's DER, each preceded by its length (4 bytes, big-endian).
fn chain_digest(ders: &[Vec<u8>]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for der in ders {
        let len = u32::try_from(der.len()).expect("certificate size");
        hasher.update(len.to_be_bytes());
        hasher.update(der);
    }
    hasher.finalize().into()
}
