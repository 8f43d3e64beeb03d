//! Rekor v1 `dsse` 0.0.1 and `intoto` 0.0.2 bodies are bound to the envelope: the payload hash,
//! the one signature and the key (certificate or public key) must all be the bundle's.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_core::OsRng;
use sigstore_crypto::HashAlgorithm;
use sigstore_rekor::body::{dsse_pae, EntryBody, Verifier};
use sigstore_rekor::{BodyField, Error};

const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

struct Signer {
    sk: p256::ecdsa::SigningKey,
    spki: Vec<u8>,
}

fn signer() -> Signer {
    let sk = p256::ecdsa::SigningKey::random(&mut OsRng);
    let spki = p256::pkcs8::EncodePublicKey::to_public_key_der(sk.verifying_key())
        .unwrap()
        .as_bytes()
        .to_vec();
    Signer { sk, spki }
}

impl Signer {
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::Signature = self.sk.sign(msg);
        sig.to_der().as_bytes().to_vec()
    }

    /// base64 of the PEM public key, as Rekor records verifiers.
    fn pem_b64(&self) -> String {
        let body = STANDARD.encode(&self.spki);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        );
        STANDARD.encode(pem)
    }
}

fn hex_sha256(data: &[u8]) -> String {
    HashAlgorithm::Sha256.digest(data).to_hex()
}

fn dsse_body(payload: &[u8], sigs: &[(&[u8], &Signer)]) -> Vec<u8> {
    let signatures: Vec<serde_json::Value> = sigs
        .iter()
        .map(|(sig, s)| serde_json::json!({"signature": STANDARD.encode(sig), "verifier": s.pem_b64()}))
        .collect();
    serde_json::json!({
        "apiVersion": "0.0.1", "kind": "dsse",
        "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": hex_sha256(b"envelope as submitted")},
            "payloadHash": {"algorithm": "sha256", "value": hex_sha256(payload)},
            "signatures": signatures,
        }
    })
    .to_string()
    .into_bytes()
}

fn intoto_body(
    payload_type: &str,
    payload: &[u8],
    sigs: &[(&[u8], &Signer)],
    double: bool,
) -> Vec<u8> {
    let signatures: Vec<serde_json::Value> = sigs
        .iter()
        .map(|(sig, s)| {
            let once = STANDARD.encode(sig);
            let sig = if double { STANDARD.encode(once) } else { once };
            serde_json::json!({"sig": sig, "publicKey": s.pem_b64()})
        })
        .collect();
    serde_json::json!({
        "apiVersion": "0.0.2", "kind": "intoto",
        "spec": {"content": {
            "envelope": {"payloadType": payload_type, "signatures": signatures},
            "hash": {"algorithm": "sha256", "value": hex_sha256(b"envelope")},
            "payloadHash": {"algorithm": "sha256", "value": hex_sha256(payload)},
        }}
    })
    .to_string()
    .into_bytes()
}

#[test]
fn dsse_and_intoto_bodies_bind_payload_signature_and_key() {
    let alice = signer();
    let mallory = signer();
    let payload = br#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"a","digest":{"sha512":"00"}}],"predicateType":"p","predicate":{}}"#;
    let sig = alice.sign(&dsse_pae(PAYLOAD_TYPE, payload));
    let other_sig = alice.sign(&dsse_pae(PAYLOAD_TYPE, b"{}"));
    let alice_key = Verifier::PublicKey(&alice.spki);

    let bodies = [
        ("dsse", "0.0.1", dsse_body(payload, &[(&sig, &alice)])),
        (
            "intoto",
            "0.0.2",
            intoto_body(PAYLOAD_TYPE, payload, &[(&sig, &alice)], true),
        ),
        (
            "intoto",
            "0.0.2",
            intoto_body(PAYLOAD_TYPE, payload, &[(&sig, &alice)], false),
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    let mut tally = |ok: bool| if ok { passed += 1 } else { failed += 1 };
    for (kind, version, body) in &bodies {
        let parsed = EntryBody::parse(kind, version, body).unwrap();
        tally(
            parsed
                .check_dsse(PAYLOAD_TYPE, payload, &sig, alice_key)
                .is_ok(),
        );
        // Another payload.
        tally(
            parsed.check_dsse(PAYLOAD_TYPE, b"{}", &sig, alice_key)
                == Err(Error::BodyMismatch(BodyField::PayloadHash)),
        );
        // Another signature.
        tally(
            parsed.check_dsse(PAYLOAD_TYPE, payload, &other_sig, alice_key)
                == Err(Error::BodyMismatch(BodyField::Signature)),
        );
        // Another key.
        tally(
            parsed.check_dsse(
                PAYLOAD_TYPE,
                payload,
                &sig,
                Verifier::PublicKey(&mallory.spki),
            ) == Err(Error::BodyMismatch(BodyField::Verifier)),
        );
        // The key presented as a certificate is not the logged public key.
        tally(
            parsed
                .check_dsse(
                    PAYLOAD_TYPE,
                    payload,
                    &sig,
                    Verifier::Certificate(&alice.spki),
                )
                .is_err(),
        );
        // A message signature cannot use a DSSE entry.
        tally(
            parsed
                .check_message_signature(&sig, alice_key, &HashAlgorithm::Sha256.digest(payload))
                .is_err(),
        );
    }
    // intoto records the payload type: another type is refused.
    let parsed = EntryBody::parse("intoto", "0.0.2", &bodies[1].2).unwrap();
    tally(
        parsed.check_dsse("text/plain", payload, &sig, alice_key)
            == Err(Error::BodyMismatch(BodyField::PayloadType)),
    );
    // A body with two signatures does not bind a one-signature envelope.
    for (kind, version, body) in [
        (
            "dsse",
            "0.0.1",
            dsse_body(payload, &[(&sig, &alice), (&sig, &mallory)]),
        ),
        (
            "intoto",
            "0.0.2",
            intoto_body(
                PAYLOAD_TYPE,
                payload,
                &[(&sig, &alice), (&sig, &mallory)],
                true,
            ),
        ),
    ] {
        let parsed = EntryBody::parse(kind, version, &body).unwrap();
        tally(
            parsed.check_dsse(PAYLOAD_TYPE, payload, &sig, alice_key)
                == Err(Error::BodyMismatch(BodyField::SignatureCount)),
        );
    }
    // Kind and version must match the entry's kindVersion.
    tally(EntryBody::parse("intoto", "0.0.2", &bodies[0].2).is_err());
    tally(EntryBody::parse("dsse", "0.0.1", &bodies[1].2).is_err());
    println!("dsse/intoto body binding: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}
