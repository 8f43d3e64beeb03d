//! A readable summary of what a bundle claims, for display: nothing in it is verified.

use std::fmt::Write as _;

use crate::bundle::{Bundle, BundleContent, VerificationMaterialContent};
use crate::encoding::{base64_encode, escape_controls as clean, hex_encode};
use crate::intoto::Statement;
use crate::Timestamp;

/// The lines describing `bundle`'s claims: media type, signer, content (message digest, or
/// the DSSE payload type and in-toto predicate and subjects) and log entries. The leaf
/// certificate, if any, is described by `certificate` (its lines are inserted after the
/// media type). Text taken from the bundle has control characters escaped.
pub fn describe(bundle: &Bundle, certificate: impl Fn(&[u8]) -> String) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Media type:      {}", clean(&bundle.media_type));
    let leaf = match &bundle.verification_material.content {
        VerificationMaterialContent::Certificate(der) => Some(der),
        VerificationMaterialContent::X509CertificateChain(chain) => chain.first(),
        VerificationMaterialContent::PublicKey { hint } => {
            let _ = writeln!(out, "Signer:          managed key (hint {hint:?})");
            None
        }
    };
    if let Some(der) = leaf {
        out.push_str(&certificate(der));
    }
    match &bundle.content {
        BundleContent::MessageSignature(ms) => {
            let _ = writeln!(out, "Content:         message signature");
            if let Some(md) = &ms.message_digest {
                let _ = writeln!(
                    out,
                    "  digest:        {} {}",
                    md.algorithm.as_str(),
                    hex_encode(&md.digest)
                );
            }
        }
        BundleContent::DsseEnvelope(env) => {
            let _ = writeln!(
                out,
                "Content:         DSSE envelope ({})",
                clean(&env.payload_type)
            );
            if let Ok(statement) = Statement::from_json(&env.payload) {
                let _ = writeln!(out, "  predicate:     {}", clean(&statement.predicate_type));
                for subject in &statement.subjects {
                    let digests: Vec<String> = subject
                        .digest
                        .iter()
                        .map(|(k, v)| format!("{k}:{v}"))
                        .collect();
                    let _ = writeln!(
                        out,
                        "  subject:       {} {}",
                        clean(&subject.name),
                        clean(&digests.join(" "))
                    );
                }
            }
        }
    }
    for (i, entry) in bundle.verification_material.tlog_entries.iter().enumerate() {
        let _ = writeln!(
            out,
            "Log entry #{i}:    {} {} index {} log {}",
            clean(&entry.kind),
            clean(&entry.kind_version),
            entry.log_index,
            base64_encode(&entry.log_id)
        );
        if entry.integrated_time != 0 {
            let _ = writeln!(
                out,
                "  integrated:    {}",
                Timestamp::from_unix(entry.integrated_time)
            );
        }
        if let Some(proof) = &entry.inclusion_proof {
            let _ = writeln!(
                out,
                "  proof:         index {} of tree size {}",
                proof.log_index, proof.tree_size
            );
        }
        let promise = if entry.inclusion_promise.is_some() {
            "present"
        } else {
            "absent"
        };
        let _ = writeln!(out, "  promise (SET): {promise}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{
        BundleVersion, MessageDigest, MessageSignature, TransparencyLogEntry, VerificationMaterial,
    };
    use crate::common::HashAlgorithm;

    fn bundle(content: VerificationMaterialContent) -> Bundle {
        Bundle {
            media_type: BundleVersion::V0_3.media_type().to_owned(),
            version: BundleVersion::V0_3,
            verification_material: VerificationMaterial {
                content,
                tlog_entries: vec![TransparencyLogEntry {
                    log_index: 7,
                    log_id: vec![0; 3],
                    kind: "hashed\nrekord".into(),
                    kind_version: "0.0.1".into(),
                    integrated_time: 0,
                    inclusion_promise: Some(vec![1]),
                    inclusion_proof: None,
                    canonicalized_body: Vec::new(),
                }],
                rfc3161_timestamps: Vec::new(),
            },
            content: BundleContent::MessageSignature(MessageSignature {
                message_digest: Some(MessageDigest {
                    algorithm: HashAlgorithm::Sha2_256,
                    digest: vec![0xab; 2],
                }),
                signature: vec![1],
            }),
        }
    }

    #[test]
    fn describes_key_content_and_entries() {
        let key = bundle(VerificationMaterialContent::PublicKey { hint: "k".into() });
        let text = describe(&key, |_| panic!("no certificate to describe"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "Media type:      application/vnd.dev.sigstore.bundle.v0.3+json",
                "Signer:          managed key (hint \"k\")",
                "Content:         message signature",
                "  digest:        SHA2_256 abab",
                // Text from the bundle cannot start a line of its own.
                "Log entry #0:    hashed\\nrekord 0.0.1 index 7 log AAAA",
                "  promise (SET): present",
            ]
        );
        let cert = bundle(VerificationMaterialContent::Certificate(vec![0x30]));
        let text = describe(&cert, |der| format!("CERT {der:?}\n"));
        assert_eq!(text.lines().nth(1), Some("CERT [48]"));
    }
}
