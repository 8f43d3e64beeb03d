//! Conversion of legacy sigstore-python (<= 1.0) / cosign detached materials into a bundle:
//! `FILE.sig` (base64 signature), `FILE.crt` (PEM certificate) and optionally `FILE.rekor`
//! (the "offline Rekor bundle"), and the writers of the same files from a bundle
//! ([`detached_signature`], [`certificate_pem`], [`rekor_bundle_json`]).

use serde::Deserialize;

use crate::bundle::{
    Bundle, BundleContent, BundleVersion, MessageDigest, MessageSignature, TransparencyLogEntry,
    VerificationMaterial, VerificationMaterialContent,
};
use crate::common::HashAlgorithm;
use crate::encoding::{
    base64_encode, decode_field, hex_decode_field, hex_encode, pem_decode, pem_encode,
};
use crate::wire::{self, Int64};
use crate::Error;

/// Builds a v0.1 bundle from legacy detached materials.
///
/// - `signature_b64`: the `.sig` file, base64 text (surrounding whitespace ignored).
/// - `certificate_pem`: the `.crt` file, a PEM `CERTIFICATE` (base64 of the PEM is also
///   accepted, as some tools wrote it).
/// - `rekor_bundle_json`: the `.rekor` file
///   `{"SignedEntryTimestamp": b64, "Payload": {"body": b64, "integratedTime": n,
///   "logIndex": n, "logID": hex}}`; it becomes the single tlog entry with an inclusion
///   promise and no inclusion proof. Without it the bundle has no tlog entries and can only
///   be completed by looking the entry up online.
/// - `artifact_sha256`: becomes `messageDigest` (SHA2_256).
///
/// The result passes [`Bundle::validate`] when a `.rekor` file is given.
pub fn bundle_from_legacy(
    signature_b64: &[u8],
    certificate_pem: &[u8],
    rekor_bundle_json: Option<&[u8]>,
    artifact_sha256: &[u8; 32],
) -> Result<Bundle, Error> {
    let signature = decode_field(signature_b64.trim_ascii(), "signature")?;
    if signature.is_empty() {
        return Err(Error::EmptySignature);
    }
    let certificate = decode_certificate(certificate_pem)?;
    let tlog_entries = match rekor_bundle_json {
        Some(json) => vec![entry_from_rekor_bundle(json)?],
        None => Vec::new(),
    };
    let bundle = Bundle {
        media_type: BundleVersion::V0_1.media_type().to_owned(),
        version: BundleVersion::V0_1,
        verification_material: VerificationMaterial {
            content: VerificationMaterialContent::X509CertificateChain(vec![certificate]),
            tlog_entries,
            rfc3161_timestamps: Vec::new(),
        },
        content: BundleContent::MessageSignature(MessageSignature {
            message_digest: Some(MessageDigest {
                algorithm: HashAlgorithm::Sha2_256,
                digest: artifact_sha256.to_vec(),
            }),
            signature,
        }),
    };
    bundle.validate()?;
    Ok(bundle)
}

fn decode_certificate(text: &[u8]) -> Result<Vec<u8>, Error> {
    const LABEL: &str = "CERTIFICATE";
    if text.windows(11).any(|w| w == b"-----BEGIN ") {
        return pem_decode(text, LABEL);
    }
    // base64 of the PEM text
    let inner = decode_field(text.trim_ascii(), "certificate")?;
    pem_decode(&inner, LABEL)
}

/// Parses a `.rekor` offline bundle into a transparency log entry.
pub fn entry_from_rekor_bundle(json: &[u8]) -> Result<TransparencyLogEntry, Error> {
    let w: RekorBundleWire = wire::parse(json)?;
    let set = wire::req_bytes(&w.signed_entry_timestamp, "SignedEntryTimestamp")?;
    let payload = w.payload.ok_or(Error::MissingField("Payload"))?;
    let body = wire::req_bytes(&payload.body, "Payload.body")?;
    let log_id_hex = payload
        .log_id
        .filter(|id| !id.is_empty())
        .ok_or(Error::MissingField("Payload.logID"))?;
    let log_id = hex_decode_field(log_id_hex.as_bytes(), "Payload.logID")?;
    let log_index = payload
        .log_index
        .ok_or(Error::MissingField("Payload.logIndex"))?
        .0
        .to_i64("Payload.logIndex")?;
    let integrated_time = payload
        .integrated_time
        .ok_or(Error::MissingField("Payload.integratedTime"))?
        .0
        .to_i64("Payload.integratedTime")?;
    let kind: BodyKind = serde_json::from_slice(&body)?;
    Ok(TransparencyLogEntry {
        log_index,
        log_id,
        kind: kind
            .kind
            .filter(|k| !k.is_empty())
            .ok_or(Error::MissingField("Payload.body.kind"))?,
        kind_version: kind
            .api_version
            .filter(|v| !v.is_empty())
            .ok_or(Error::MissingField("Payload.body.apiVersion"))?,
        integrated_time,
        inclusion_promise: Some(set),
        inclusion_proof: None,
        canonicalized_body: body,
    })
}

/// The legacy detached signature (`.sig`) of a message-signature bundle: the base64
/// signature and a newline.
pub fn detached_signature(bundle: &Bundle) -> Result<String, Error> {
    let BundleContent::MessageSignature(message) = &bundle.content else {
        return Err(Error::LegacyOutput(
            "a detached signature needs a message signature",
        ));
    };
    Ok(format!("{}\n", base64_encode(&message.signature)))
}

/// The legacy detached certificate (`.crt`): the bundle's leaf certificate as PEM.
pub fn certificate_pem(bundle: &Bundle) -> Result<String, Error> {
    let leaf = bundle
        .verification_material
        .leaf_certificate()
        .ok_or(Error::LegacyOutput("the bundle has no certificate"))?;
    Ok(pem_encode(leaf, "CERTIFICATE"))
}

/// The legacy offline Rekor bundle (`.rekor`, JSON and a newline) of the bundle's first log
/// entry, which must be a Rekor v1 entry with a signed entry timestamp. What
/// [`entry_from_rekor_bundle`] reads back.
pub fn rekor_bundle_json(bundle: &Bundle) -> Result<String, Error> {
    let entry = bundle
        .verification_material
        .tlog_entries
        .first()
        .ok_or(Error::LegacyOutput("the bundle has no log entry"))?;
    let set = entry
        .inclusion_promise
        .as_deref()
        .ok_or(Error::RekorBundleNeedsPromise)?;
    let json = serde_json::json!({
        "SignedEntryTimestamp": base64_encode(set),
        "Payload": {
            "body": base64_encode(&entry.canonicalized_body),
            "integratedTime": entry.integrated_time,
            "logIndex": entry.log_index,
            "logID": hex_encode(&entry.log_id),
        }
    });
    Ok(format!("{json}\n"))
}

#[derive(Deserialize)]
struct RekorBundleWire {
    #[serde(rename = "SignedEntryTimestamp", default)]
    signed_entry_timestamp: Option<wire::Bytes>,
    #[serde(rename = "Payload", default)]
    payload: Option<RekorPayloadWire>,
}

#[derive(Deserialize)]
struct RekorPayloadWire {
    #[serde(default)]
    body: Option<wire::Bytes>,
    #[serde(rename = "integratedTime", default)]
    integrated_time: Option<Int64>,
    #[serde(rename = "logIndex", default)]
    log_index: Option<Int64>,
    #[serde(rename = "logID", default)]
    log_id: Option<String>,
}

#[derive(Deserialize)]
struct BodyKind {
    #[serde(default)]
    kind: Option<String>,
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rekor_file() -> String {
        let body = br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#;
        serde_json::json!({
            "SignedEntryTimestamp": base64_encode(b"set bytes"),
            "Payload": {
                "body": base64_encode(body),
                "integratedTime": 1_700_000_000,
                "logIndex": 42,
                "logID": hex_encode(&[7; 32]),
            }
        })
        .to_string()
    }

    fn legacy_bundle() -> Bundle {
        let pem = pem_encode(b"not really DER", "CERTIFICATE");
        bundle_from_legacy(
            base64_encode(b"signature").as_bytes(),
            pem.as_bytes(),
            Some(rekor_file().as_bytes()),
            &[9; 32],
        )
        .unwrap()
    }

    #[test]
    fn written_materials_read_back() {
        let bundle = legacy_bundle();
        let rekor = rekor_bundle_json(&bundle).unwrap();
        assert!(rekor.ends_with('\n'));
        let entry = entry_from_rekor_bundle(rekor.as_bytes()).unwrap();
        assert_eq!(&entry, &bundle.verification_material.tlog_entries[0]);
        assert_eq!(entry.log_index, 42);
        assert_eq!(entry.kind, "hashedrekord");

        let signature = detached_signature(&bundle).unwrap();
        assert_eq!(signature, format!("{}\n", base64_encode(b"signature")));
        let certificate = certificate_pem(&bundle).unwrap();
        let again = bundle_from_legacy(
            signature.as_bytes(),
            certificate.as_bytes(),
            Some(rekor.as_bytes()),
            &[9; 32],
        )
        .unwrap();
        assert_eq!(again, bundle);
    }

    #[test]
    fn rekor_file_fields() {
        let json: serde_json::Value =
            serde_json::from_str(&rekor_bundle_json(&legacy_bundle()).unwrap()).unwrap();
        assert_eq!(json["SignedEntryTimestamp"], base64_encode(b"set bytes"));
        assert_eq!(json["Payload"]["logIndex"], 42);
        assert_eq!(json["Payload"]["integratedTime"], 1_700_000_000);
        assert_eq!(json["Payload"]["logID"], "07".repeat(32));
    }

    #[test]
    fn writers_refuse_what_they_cannot_write() {
        let mut bundle = legacy_bundle();
        bundle.verification_material.tlog_entries[0].inclusion_promise = None;
        assert_eq!(
            rekor_bundle_json(&bundle),
            Err(Error::RekorBundleNeedsPromise)
        );
        bundle.verification_material.tlog_entries.clear();
        assert_eq!(
            rekor_bundle_json(&bundle).unwrap_err().to_string(),
            "the bundle has no log entry"
        );
        bundle.verification_material.content = VerificationMaterialContent::PublicKey {
            hint: String::new(),
        };
        assert_eq!(
            certificate_pem(&bundle).unwrap_err().to_string(),
            "the bundle has no certificate"
        );
        bundle.content = BundleContent::DsseEnvelope(crate::dsse::Envelope {
            payload: Vec::new(),
            payload_type: String::new(),
            signatures: Vec::new(),
        });
        assert_eq!(
            detached_signature(&bundle).unwrap_err().to_string(),
            "a detached signature needs a message signature"
        );
    }
}
