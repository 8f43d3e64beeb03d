//! Signed notes, SETs and bodies made with freshly generated keys.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::pkcs8::EncodePublicKey as _;
use ed25519_dalek::Signer as _;
use rand_core::OsRng;
use sigstore_crypto::{HashAlgorithm, PublicKey};
use sigstore_rekor::body::{rebuild_hashedrekord_v002, EntryBody, Verifier};
use sigstore_rekor::checkpoint::{
    verify_checkpoint, verify_rekor_v1_checkpoint, verify_rekor_v2_checkpoint, NoteVerifier,
    SignedNote,
};
use sigstore_rekor::merkle::{leaf_hash, node_hash, verify_inclusion};
use sigstore_rekor::set::{set_payload, verify_set};
use sigstore_rekor::{BodyField, Error};

struct Ed {
    sk: ed25519_dalek::SigningKey,
    key: PublicKey,
}

fn ed() -> Ed {
    let sk = ed25519_dalek::SigningKey::generate(&mut OsRng);
    let der = sk.verifying_key().to_public_key_der().unwrap();
    Ed {
        key: PublicKey::from_spki_der(der.as_bytes()).unwrap(),
        sk,
    }
}

struct Ec {
    sk: p256::ecdsa::SigningKey,
    key: PublicKey,
}

fn ec() -> Ec {
    let sk = p256::ecdsa::SigningKey::random(&mut OsRng);
    let der = p256::pkcs8::EncodePublicKey::to_public_key_der(sk.verifying_key()).unwrap();
    Ec {
        key: PublicKey::from_spki_der(der.as_bytes()).unwrap(),
        sk,
    }
}

fn ec_sign(sk: &p256::ecdsa::SigningKey, msg: &[u8]) -> Vec<u8> {
    let sig: p256::ecdsa::Signature = sk.sign(msg);
    sig.to_der().as_bytes().to_vec()
}

fn line(name: &str, key_id: [u8; 4], sig: &[u8]) -> String {
    let mut raw = key_id.to_vec();
    raw.extend_from_slice(sig);
    format!("\u{2014} {name} {}\n", STANDARD.encode(raw))
}

const ROOT: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

#[test]
fn ed25519_checkpoint_with_cosignatures() {
    let log = ed();
    let witness = ed();
    let name = "log.example.dev";
    let v = NoteVerifier::ed25519(name, log.key.clone()).unwrap();
    let text = format!("{name}\n42\n{ROOT}\n");
    let good = log.sk.sign(text.as_bytes()).to_bytes();
    let wv = NoteVerifier::ed25519("witness.example", witness.key.clone()).unwrap();
    let wsig = witness.sk.sign(text.as_bytes()).to_bytes();

    // Witness line first, unknown line (grease) in between: both ignored.
    let note = format!(
        "{text}\n{}{}{}",
        line("witness.example", wv.key_id(), &wsig),
        line("grease", [1, 2, 3, 4], &[9; 70]),
        line(name, v.key_id(), &good)
    );
    let cp = verify_rekor_v2_checkpoint(&note, &v).unwrap();
    assert_eq!(cp.tree_size, 42);
    assert_eq!(cp.origin, name);
    // Both trusted: the first verified line is returned.
    let parsed = SignedNote::parse(&note).unwrap();
    let first = parsed.verify(&[v.clone(), wv.clone()]).unwrap();
    assert_eq!(first.name, "witness.example");

    // A line that matches the trusted key but does not verify rejects the whole note, even
    // when another line verifies.
    let mut bad = good;
    bad[0] ^= 1;
    let note_bad = format!(
        "{text}\n{}{}",
        line(name, v.key_id(), &good),
        line(name, v.key_id(), &bad)
    );
    assert!(matches!(
        verify_checkpoint(&note_bad, &v),
        Err(Error::NoteSignatureInvalid { .. })
    ));

    // Right key ID under another name, or another key ID: no match.
    let renamed = format!("{text}\n{}", line("other.example", v.key_id(), &good));
    assert_eq!(
        verify_checkpoint(&renamed, &v),
        Err(Error::NoMatchingSignature)
    );
    let rekeyed = format!("{text}\n{}", line(name, [0; 4], &good));
    assert_eq!(
        verify_checkpoint(&rekeyed, &v),
        Err(Error::NoMatchingSignature)
    );

    // Changed text: the signature no longer verifies.
    let changed = format!("{name}\n43\n{ROOT}\n\n{}", line(name, v.key_id(), &good));
    assert!(matches!(
        verify_checkpoint(&changed, &v),
        Err(Error::NoteSignatureInvalid { .. })
    ));

    // Origin must equal the key name for Rekor v2.
    let other_origin = format!("elsewhere\n42\n{ROOT}\n");
    let sig = log.sk.sign(other_origin.as_bytes()).to_bytes();
    let note = format!("{other_origin}\n{}", line(name, v.key_id(), &sig));
    assert!(verify_checkpoint(&note, &v).is_ok());
    assert!(matches!(
        verify_rekor_v2_checkpoint(&note, &v),
        Err(Error::OriginMismatch { .. })
    ));
}

#[test]
fn ed25519_key_id_rule() {
    let k = ed();
    let v = NoteVerifier::ed25519("n", k.key.clone()).unwrap();
    let mut msg = b"n\n\x01".to_vec();
    msg.extend_from_slice(k.sk.verifying_key().as_bytes());
    let h = HashAlgorithm::Sha256.digest(&msg);
    assert_eq!(v.key_hash().as_slice(), h.as_bytes());
    assert_eq!(v.key_id().as_slice(), &h.as_bytes()[..4]);
    assert_eq!(NoteVerifier::rekor_v2("n", k.key.clone()).unwrap(), v);
    assert!(NoteVerifier::ed25519("bad name", k.key.clone()).is_err());
    assert!(NoteVerifier::ed25519("", k.key).is_err());
    assert!(matches!(
        NoteVerifier::ed25519("n", ec().key),
        Err(Error::UnsupportedNoteKey(_))
    ));
}

#[test]
fn ecdsa_checkpoints_v1_and_c2sp() {
    let log = ec();
    let spki_hash = HashAlgorithm::Sha256.digest(log.key.spki_der());
    for v in [
        NoteVerifier::rekor_v1("rekor.example", log.key.clone()).unwrap(),
        NoteVerifier::ecdsa_c2sp("rekor.example", log.key.clone()).unwrap(),
    ] {
        assert_eq!(v.key_hash().as_slice(), spki_hash.as_bytes());
    }
    let origin = "rekor.example - 1234";
    let text = format!("{origin}\n7\n{ROOT}\nTimestamp: 1\n");
    let sig = ec_sign(&log.sk, text.as_bytes());
    let v1 = NoteVerifier::rekor_v1("rekor.example", log.key.clone()).unwrap();
    let note = format!("{text}\n{}", line("rekor.example", v1.key_id(), &sig));
    let cp = verify_rekor_v1_checkpoint(&note, &log.key).unwrap();
    assert_eq!(cp.origin, origin);
    assert_eq!(cp.extensions, vec!["Timestamp: 1".to_owned()]);
    // Another key with the same name does not verify it.
    assert_eq!(
        verify_rekor_v1_checkpoint(&note, &ec().key),
        Err(Error::NoMatchingSignature)
    );
    // A v1 origin is required for the v1 helper.
    let text2 = format!("rekor.example\n7\n{ROOT}\n");
    let sig2 = ec_sign(&log.sk, text2.as_bytes());
    let note2 = format!("{text2}\n{}", line("rekor.example", v1.key_id(), &sig2));
    assert!(verify_rekor_v1_checkpoint(&note2, &log.key).is_err());
    let c2sp = NoteVerifier::ecdsa_c2sp("rekor.example", log.key.clone()).unwrap();
    assert!(verify_rekor_v2_checkpoint(&note2, &c2sp).is_ok());
}

#[test]
fn set_with_generated_key() {
    let log = ec();
    let body = br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#;
    let log_id = HashAlgorithm::Sha256.digest(log.key.spki_der());
    let payload = set_payload(body, 1_700_000_000, log_id.as_bytes(), 99).unwrap();
    let sig = ec_sign(&log.sk, &payload);
    verify_set(body, 1_700_000_000, log_id.as_bytes(), 99, &sig, &log.key).unwrap();
    for (t, i) in [(1_700_000_001, 99), (1_700_000_000, 98)] {
        assert!(matches!(
            verify_set(body, t, log_id.as_bytes(), i, &sig, &log.key),
            Err(Error::SetInvalid(_))
        ));
    }
    assert!(verify_set(b"{}", 1_700_000_000, log_id.as_bytes(), 99, &sig, &log.key).is_err());
    assert!(verify_set(body, 1_700_000_000, log_id.as_bytes(), 99, &sig, &ec().key).is_err());
    assert!(verify_set(body, 1_700_000_000, log_id.as_bytes(), 99, &[], &log.key).is_err());
}

#[test]
fn rekor_v2_managed_key_entry_end_to_end() {
    let signer = ec();
    let artifact = b"hello";
    let digest = HashAlgorithm::Sha256.digest(artifact);
    let sig = ec_sign(&signer.sk, artifact);
    let spki = signer.key.spki_der().to_vec();
    let body = rebuild_hashedrekord_v002(
        &digest,
        &sig,
        Verifier::PublicKey(&spki),
        "PKIX_ECDSA_P256_SHA_256",
    );
    let text = std::str::from_utf8(&body).unwrap();
    assert!(text.contains(
        r#""verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":""#
    ));

    // The rebuilt body parses back and binds to exactly these inputs.
    let parsed = EntryBody::parse("hashedrekord", "0.0.2", &body).unwrap();
    parsed
        .check_message_signature(&sig, Verifier::PublicKey(&spki), &digest)
        .unwrap();
    let other = HashAlgorithm::Sha256.digest(b"other");
    assert_eq!(
        parsed.check_message_signature(&sig, Verifier::PublicKey(&spki), &other),
        Err(Error::BodyMismatch(BodyField::ArtifactDigest))
    );
    assert_eq!(
        parsed.check_message_signature(&sig, Verifier::Certificate(&spki), &digest),
        Err(Error::BodyMismatch(BodyField::Verifier))
    );
    assert_eq!(
        parsed.check_message_signature(&sig[1..], Verifier::PublicKey(&spki), &digest),
        Err(Error::BodyMismatch(BodyField::Signature))
    );
    assert!(matches!(
        parsed.check_dsse("t", b"p", &sig, Verifier::PublicKey(&spki)),
        Err(Error::BodyMismatch(_))
    ));
    assert!(matches!(
        EntryBody::parse("hashedrekord", "0.0.1", &body),
        Err(Error::KindVersionMismatch { .. })
    ));

    // A two-leaf log with this entry at index 1, checkpointed by an Ed25519 log key.
    let l0 = leaf_hash(b"previous entry");
    let l1 = leaf_hash(&body);
    let root = node_hash(&l0, &l1);
    let log = ed();
    let name = "log.example.dev";
    let v = NoteVerifier::rekor_v2(name, log.key.clone()).unwrap();
    let text = format!("{name}\n2\n{}\n", STANDARD.encode(root));
    let note = format!(
        "{text}\n{}",
        line(name, v.key_id(), &log.sk.sign(text.as_bytes()).to_bytes())
    );
    let cp = verify_rekor_v2_checkpoint(&note, &v).unwrap();
    verify_inclusion(1, cp.tree_size, &l1, &[l0], &cp.root_hash).unwrap();
    assert!(verify_inclusion(0, cp.tree_size, &l1, &[l0], &cp.root_hash).is_err());
}
