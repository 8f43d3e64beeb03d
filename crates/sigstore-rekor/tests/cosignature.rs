//! Witness cosignatures (C2SP tlog-cosignature v1, Ed25519) over signed notes.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::Signer as _;
use rand_core::OsRng;
use sha2::{Digest as _, Sha256};
use sigstore_rekor::checkpoint::{CosignatureVerifier, SignedNote};
use sigstore_rekor::Error;

/// A checkpoint cosigned by a witness, made by another implementation (a public C2SP
/// tlog-witness client's test vector), with the witness's public key.
const FOREIGN_NOTE: &str = "nucleoledger.com/recibos\n5\nzskn84s97pizKDh6YIJ2cWTOUA4zcWUxL7zmlh7Rt4g=\n\n\u{2014} nucleoledger.com/recibos O0zkALS6PItaJH+VC289ZBzrYsb7xePmn2CAJpRBButDQwxCBimslaUmSOWqzRv4Drj4t4xCsAjXOpWJoCu/xCCcAwc=\n\u{2014} witness.example/w1 D3og2AAAAABqnX/wMYluZnTcuCWSNUsNysjhUbHMvyxQ7zy/t65M0+g9n9OOyfCkY9zImJxJteSvTnWG0muRW0PRoEpn/s+PK4daCg==\n";
const FOREIGN_WITNESS_KEY: &str =
    "1e985ffbe45a77ee58253c6b392ae9272442cee842cec49dbf88fbb0fffd16a8";

fn vkey(name: &str, raw: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', 0x04]);
    h.update(raw);
    let id = &h.finalize()[..4];
    let mut typed = vec![0x04];
    typed.extend_from_slice(raw);
    format!("{name}+{}+{}", hex::encode(id), STANDARD.encode(typed))
}

fn cosign(sk: &ed25519_dalek::SigningKey, name: &str, text: &str, time: u64) -> String {
    let raw = sk.verifying_key().to_bytes();
    let witness = CosignatureVerifier::new(name, &raw).unwrap();
    let message = format!("cosignature/v1\ntime {time}\n{text}");
    let sig = sk.sign(message.as_bytes());
    let mut bytes = witness.key_id().to_vec();
    bytes.extend_from_slice(&time.to_be_bytes());
    bytes.extend_from_slice(&sig.to_bytes());
    format!("\u{2014} {name} {}\n", STANDARD.encode(bytes))
}

const TEXT: &str = "log.example\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

#[test]
fn a_cosignature_from_another_implementation_verifies() {
    let key = hex::decode(FOREIGN_WITNESS_KEY).unwrap();
    let witness = CosignatureVerifier::new("witness.example/w1", &key).unwrap();
    let note = SignedNote::parse(FOREIGN_NOTE).unwrap();
    let found = note.verify_cosignatures(&[witness]).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "witness.example/w1");
    assert_eq!(found[0].witness, 0);
    // 0x6a9d7ff0 = 2026-09-06T15:00:00Z, the time the witness attested.
    assert_eq!(found[0].timestamp, 0x6a9d_7ff0);
    // The same key under another name has another key ID: nothing matches.
    let renamed = CosignatureVerifier::new("witness.example/w2", &key).unwrap();
    assert!(note.verify_cosignatures(&[renamed]).unwrap().is_empty());
    // One flipped bit of the checkpoint text: the cosignature no longer verifies.
    let tampered = FOREIGN_NOTE.replacen("\n5\n", "\n6\n", 1);
    let note = SignedNote::parse(&tampered).unwrap();
    let witness = CosignatureVerifier::new("witness.example/w1", &key).unwrap();
    assert!(matches!(
        note.verify_cosignatures(&[witness]),
        Err(Error::NoteSignatureInvalid { .. })
    ));
}

#[test]
fn generated_witnesses() {
    let w1 = ed25519_dalek::SigningKey::generate(&mut OsRng);
    let w2 = ed25519_dalek::SigningKey::generate(&mut OsRng);
    let v1 = CosignatureVerifier::from_vkey(&vkey("w1.example", &w1.verifying_key().to_bytes()))
        .unwrap();
    let v2 = CosignatureVerifier::from_vkey(&format!(
        "  {}\n",
        vkey("w2.example/x", &w2.verifying_key().to_bytes())
    ))
    .unwrap();
    let log_line = "\u{2014} log.example AAAAAAE=\n";
    let note = format!(
        "{TEXT}\n{log_line}{}{}",
        cosign(&w1, "w1.example", TEXT, 1_700_000_000),
        cosign(&w2, "w2.example/x", TEXT, 1_700_000_001)
    );
    let parsed = SignedNote::parse(&note).unwrap();
    let found = parsed
        .verify_cosignatures(&[v1.clone(), v2.clone()])
        .unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].timestamp, 1_700_000_001);
    // Only the witnesses given count.
    assert_eq!(
        parsed
            .verify_cosignatures(std::slice::from_ref(&v2))
            .unwrap()
            .len(),
        1
    );
    assert!(parsed.verify_cosignatures(&[]).unwrap().is_empty());
    // The same witness twice (two lines, or its key given twice) counts once.
    let doubled = format!("{note}{}", cosign(&w1, "w1.example", TEXT, 1_700_000_002));
    let parsed = SignedNote::parse(&doubled).unwrap();
    assert_eq!(
        parsed
            .verify_cosignatures(&[v1.clone(), v1.clone()])
            .unwrap()
            .len(),
        1
    );
    // A witness line over other text (or signed by another key) is rejected outright.
    let other = TEXT.replace("42", "43");
    let bad = format!("{TEXT}\n{log_line}{}", cosign(&w1, "w1.example", &other, 1));
    assert!(matches!(
        SignedNote::parse(&bad)
            .unwrap()
            .verify_cosignatures(std::slice::from_ref(&v1)),
        Err(Error::NoteSignatureInvalid { .. })
    ));
    // A plain Ed25519 note signature (type 0x01, no timestamp) by the witness key does not
    // count as a cosignature: its key ID differs, so the line is ignored.
    let plain_sig = w1.sign(TEXT.as_bytes());
    let mut h = Sha256::new();
    h.update(b"w1.example\n\x01");
    h.update(w1.verifying_key().to_bytes());
    let mut raw = h.finalize()[..4].to_vec();
    raw.extend_from_slice(&plain_sig.to_bytes());
    let plain = format!("{TEXT}\n\u{2014} w1.example {}\n", STANDARD.encode(raw));
    assert!(SignedNote::parse(&plain)
        .unwrap()
        .verify_cosignatures(&[v1])
        .unwrap()
        .is_empty());
}

#[test]
fn witness_keys_are_checked() {
    let raw = ed25519_dalek::SigningKey::generate(&mut OsRng)
        .verifying_key()
        .to_bytes();
    let good = vkey("w.example", &raw);
    assert!(CosignatureVerifier::from_vkey(&good).is_ok());
    let wrong_id = {
        let mut parts: Vec<&str> = good.split('+').collect();
        parts[1] = "00000000";
        parts.join("+")
    };
    let type01 = {
        let mut typed = vec![0x01];
        typed.extend_from_slice(&raw);
        let parts: Vec<&str> = good.split('+').collect();
        format!("{}+{}+{}", parts[0], parts[1], STANDARD.encode(typed))
    };
    for bad in [
        "",
        "w.example",
        "w.example+abcd+AAAA",
        wrong_id.as_str(),
        type01.as_str(),
        "w example+00000000+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH",
    ] {
        assert!(
            matches!(
                CosignatureVerifier::from_vkey(bad),
                Err(Error::InvalidWitnessKey(_))
            ),
            "{bad:?}"
        );
    }
    assert!(CosignatureVerifier::new("w", &[1u8; 31]).is_err());
}

#[test]
fn vkey_files_skip_comments_and_blank_lines() {
    let raw = || {
        ed25519_dalek::SigningKey::generate(&mut OsRng)
            .verifying_key()
            .to_bytes()
    };
    let a = vkey("a.example", &raw());
    let b = vkey("b.example", &raw());
    let text = format!("# witnesses\n\n  {a}  \n#{b}\n{b}\n");
    let keys = CosignatureVerifier::from_vkey_lines(&text).unwrap();
    assert_eq!(keys.len(), 2);
    assert!(CosignatureVerifier::from_vkey_lines("# nothing\n\n")
        .unwrap()
        .is_empty());
    assert!(CosignatureVerifier::from_vkey_lines(&format!("{a}\nnot a key\n")).is_err());
}
