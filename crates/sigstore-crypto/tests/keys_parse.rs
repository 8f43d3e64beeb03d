//! Public key parsing: PEM and DER, unsupported and malformed keys, a no-panic corpus and the
//! real Sigstore trust roots.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap fixtures too

mod common;

use base64::Engine as _;
use common::*;
use der::asn1::AnyRef;
use der::{Encode as _, Tag};
use rsa::pkcs8::EncodePublicKey;
use sigstore_crypto::{Error, KeyType, PublicKey, SignatureAlgorithm, BACKEND};

fn pem_of(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str("-----END PUBLIC KEY-----\n");
    out
}

fn sample_spkis() -> Vec<(Vec<u8>, KeyType)> {
    vec![
        (Signer::p256(1).spki_der(), KeyType::EcdsaP256),
        (Signer::p384(1).spki_der(), KeyType::EcdsaP384),
        (Signer::p521(1).spki_der(), KeyType::EcdsaP521),
        (Signer::ed25519(1).spki_der(), KeyType::Ed25519),
        (
            Signer::rsa(RSA_2048).spki_der(),
            KeyType::Rsa { bits: 2048 },
        ),
    ]
}

#[test]
fn pem_lf_and_crlf() {
    for (der, key_type) in sample_spkis() {
        let pem = pem_of(&der);
        let key = PublicKey::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(key.key_type(), key_type);
        assert_eq!(key.spki_der(), der.as_slice());
        let crlf = pem.replace('\n', "\r\n");
        let key = PublicKey::from_pem(crlf.as_bytes()).unwrap();
        assert_eq!(key.key_type(), key_type);
        assert_eq!(key.spki_der(), der.as_slice());
        // One long base64 line (npm's registry key as published), with text around it.
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let one_line = format!(
            "registry key:\n-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\nend\n"
        );
        let key = PublicKey::from_pem(one_line.as_bytes()).unwrap();
        assert_eq!(key.spki_der(), der.as_slice());
    }
}

#[test]
fn pem_errors() {
    let der = Signer::p256(1).spki_der();
    let pem = pem_of(&der);
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        ("hello".into(), "not PEM"),
        (pem.replace("PUBLIC KEY", "CERTIFICATE"), "wrong label"),
        (pem.replace("PUBLIC KEY", "RSA PUBLIC KEY"), "PKCS#1 label"),
        (pem.replace("-----END PUBLIC KEY-----\n", ""), "no end line"),
        (pem.replacen('M', "!", 1), "bad base64"),
        (
            pem_of(&der[..der.len() - 1]),
            "truncated DER inside good PEM",
        ),
        (pem_of(b"\x30\x00"), "empty SEQUENCE"),
    ];
    for (input, what) in cases {
        match PublicKey::from_pem(input.as_bytes()) {
            Err(Error::MalformedKey(_)) => {}
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn openssl_keys() {
    let unsupported = [
        (SECP256K1_PUB, "secp256k1"),
        (BRAINPOOL_PUB, "brainpoolP256r1"),
        (RSA_1024_PUB, "RSA 1024"),
        (RSA_4104_PUB, "RSA 4104"),
    ];
    for (pem, what) in unsupported {
        match PublicKey::from_pem(pem.as_bytes()) {
            Err(Error::UnsupportedKey(_)) => {}
            other => panic!("{what}: {other:?}"),
        }
    }
    // The curve OID the secp256k1 key carries.
    let k1 = PublicKey::from_pem(SECP256K1_PUB.as_bytes()).unwrap_err();
    assert!(matches!(k1, Error::UnsupportedKey(_)));
    let der = der_of_pem(SECP256K1_PUB);
    let k1_oid = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a]; // 1.3.132.0.10
    assert!(der.windows(k1_oid.len()).any(|w| w == k1_oid));
}

fn der_of_pem(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

#[test]
fn handmade_unsupported_and_malformed_keys() {
    // X25519 (1.3.101.110) is a key-agreement key.
    let mut x25519 = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
    ];
    x25519.extend_from_slice(&[9u8; 32]);
    assert!(matches!(
        PublicKey::from_spki_der(&x25519),
        Err(Error::UnsupportedKey(_))
    ));

    // Ed25519 with a 31-byte key.
    let mut short = vec![
        0x30, 0x29, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x20, 0x00,
    ];
    short.extend_from_slice(&[9u8; 31]);
    assert!(matches!(
        PublicKey::from_spki_der(&short),
        Err(Error::MalformedKey(_))
    ));

    // P-256 point not on the curve, and the compressed form of a good point.
    let good = Signer::p256(1).spki_der();
    let mut off_curve = good.clone();
    let last = off_curve.len() - 1;
    off_curve[last] ^= 1;
    assert!(matches!(
        PublicKey::from_spki_der(&off_curve),
        Err(Error::MalformedKey(_))
    ));
    let Signer::P256(sk) = Signer::p256(1) else {
        unreachable!()
    };
    let compressed = sk.verifying_key().to_encoded_point(true);
    let mut spki = vec![
        0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
    ];
    spki.extend_from_slice(compressed.as_bytes());
    let key = PublicKey::from_spki_der(&spki).unwrap();
    assert_eq!(key.key_type(), KeyType::EcdsaP256);
    let sig = Signer::p256(1).sign(SignatureAlgorithm::EcdsaSha256, b"m");
    assert_eq!(
        key.verify(SignatureAlgorithm::EcdsaSha256, b"m", &sig),
        Ok(())
    );
    // Hybrid (06/07) and identity (00) encodings.
    for tag in [0x00, 0x05, 0x06, 0x07] {
        let mut odd = good.clone();
        odd[26] = tag;
        assert!(
            matches!(PublicKey::from_spki_der(&odd), Err(Error::MalformedKey(_))),
            "tag {tag:#x}"
        );
    }
    // A P-256 point under the P-384 curve OID.
    let mut wrong_curve = good.clone();
    let p256_oid = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let pos = wrong_curve.windows(10).position(|w| w == p256_oid).unwrap();
    // secp384r1 is 06 05 2b 81 04 00 22; rebuild rather than patch lengths by hand.
    let mut rebuilt = vec![
        0x30, 0x00, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    ];
    rebuilt.extend_from_slice(&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]);
    rebuilt.extend_from_slice(&wrong_curve[pos + 10..]);
    rebuilt[1] = (rebuilt.len() - 2) as u8;
    assert!(matches!(
        PublicKey::from_spki_der(&rebuilt),
        Err(Error::MalformedKey(_))
    ));
    wrong_curve.clear();

    // RSA public exponents: odd, 2 to 33 bits.
    let Signer::Rsa(sk) = Signer::rsa(RSA_2048) else {
        unreachable!()
    };
    let n = rsa::traits::PublicKeyParts::n(sk.as_ref()).to_bytes_be();
    let exponents: [(&[u8], bool); 9] = [
        (&[3], true),
        (&[1, 0, 1], true),
        (&[1, 0xff, 0xff, 0xff, 0xff], true), // 2^33 - 1
        (&[1], false),
        (&[4], false),
        (&[1, 0, 0], false),
        (&[2, 0, 0, 0, 1], false), // 2^33 + 1: 34 bits
        (&[0, 3], false),          // not minimal DER
        (&[], false),
    ];
    for (e, ok) in exponents {
        let parsed = PublicKey::from_pkcs1_rsa_der(&rsa_pkcs1(&n, e));
        if ok {
            assert_eq!(
                parsed.unwrap().key_type(),
                KeyType::Rsa { bits: 2048 },
                "e = {e:?}"
            );
        } else {
            assert!(parsed.is_err(), "e = {e:?}: {parsed:?}");
            if e.len() > 1 && e[0] != 0 || e == [1] || e == [4] {
                assert!(matches!(parsed, Err(Error::UnsupportedKey(_))), "e = {e:?}");
            }
        }
    }
    // rsaEncryption parameters must be NULL: absent or anything else is malformed.
    let good = sk.to_public_key().to_public_key_der().unwrap().into_vec();
    assert_eq!(&good[17..19], &[0x05, 0x00]);
    for params in [[0x01, 0x00], [0x04, 0x00], [0x30, 0x00]] {
        let mut odd = good.clone();
        odd[17..19].copy_from_slice(&params);
        assert!(
            matches!(PublicKey::from_spki_der(&odd), Err(Error::MalformedKey(_))),
            "parameters {params:x?}"
        );
    }
    let mut absent = good.clone();
    absent.drain(17..19);
    absent[3] -= 2; // outer SEQUENCE length (long form, low byte)
    absent[5] -= 2; // AlgorithmIdentifier length
    assert!(matches!(
        PublicKey::from_spki_der(&absent),
        Err(Error::MalformedKey(_))
    ));
    // An even modulus.
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    assert!(matches!(
        PublicKey::from_pkcs1_rsa_der(&rsa_pkcs1(&even, &[1, 0, 1])),
        Err(Error::MalformedKey(_))
    ));
    // The PKCS#1 form gives the same key as the SPKI form.
    let spki = sk.to_public_key().to_public_key_der().unwrap();
    let via_pkcs1 = PublicKey::from_pkcs1_rsa_der(&rsa_pkcs1(&n, &[1, 0, 1])).unwrap();
    assert_eq!(via_pkcs1.spki_der(), spki.as_bytes());
    assert!(matches!(
        PublicKey::from_pkcs1_rsa_der(b"\x30\x00"),
        Err(Error::MalformedKey(_))
    ));
}

/// A PKCS#1 `RSAPublicKey` from big-endian modulus and exponent bytes, written with `der`. The
/// exponent's bytes are the INTEGER's content as given (non-canonical ones included).
fn rsa_pkcs1(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut n_int = n.to_vec();
    if n_int.first().is_some_and(|b| b & 0x80 != 0) {
        n_int.insert(0, 0);
    }
    vec![
        AnyRef::new(Tag::Integer, &n_int).unwrap(),
        AnyRef::new(Tag::Integer, e).unwrap(),
    ]
    .to_der()
    .unwrap()
}

#[test]
fn truncations_and_trailing_data() {
    let mut count = 0;
    for (der, _) in sample_spkis() {
        for cut in 0..der.len() {
            let result = PublicKey::from_spki_der(&der[..cut]);
            assert!(
                matches!(result, Err(Error::MalformedKey(_))),
                "cut {cut}: {result:?}"
            );
            count += 1;
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(matches!(
            PublicKey::from_spki_der(&trailing),
            Err(Error::MalformedKey(_))
        ));
    }
    println!("truncated keys on {BACKEND}: {count} rejected, 0 accepted");
}

#[test]
fn no_panics_on_random_and_mutated_inputs() {
    let mut rng = Rng(0x5157_0123_4567_89ab);
    let mut accepted = 0;
    let mut rejected = 0;
    let mut tally = |r: &Result<PublicKey, Error>| {
        if r.is_ok() {
            accepted += 1
        } else {
            rejected += 1
        }
    };
    for _ in 0..2000 {
        let len = rng.below(600);
        let input = rng.bytes(len);
        tally(&PublicKey::from_spki_der(&input));
        tally(&PublicKey::from_pem(&input));
    }
    for (der, _) in sample_spkis() {
        // Single bit flips everywhere, and random multi-byte corruptions.
        for bit in 0..der.len() * 8 {
            let mutated = flip(&der, bit);
            let result = PublicKey::from_spki_der(&mutated);
            if let Ok(key) = &result {
                // Whatever parses must also survive checks without panicking.
                for alg in ALL_ALGS {
                    let _ =
                        key.verify(alg, b"m", &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]);
                }
            }
            tally(&result);
        }
        for _ in 0..300 {
            let mut mutated = der.clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(mutated.len());
                mutated[i] = rng.next_u64() as u8;
            }
            tally(&PublicKey::from_spki_der(&mutated));
        }
    }
    // Random signatures against every real key and algorithm.
    let keys: Vec<PublicKey> = sample_spkis()
        .iter()
        .map(|(d, _)| PublicKey::from_spki_der(d).unwrap())
        .collect();
    let mut sig_checks = 0;
    for key in &keys {
        for alg in ALL_ALGS {
            for _ in 0..20 {
                let len = rng.below(300);
                let sig = rng.bytes(len);
                assert!(key.verify(alg, b"message", &sig).is_err());
                sig_checks += 1;
            }
        }
    }
    println!(
        "random/mutated key inputs on {BACKEND}: {accepted} parsed, {rejected} rejected, \
         0 panics; {sig_checks} random signatures rejected"
    );
    // The corpus is fixed (seeded generator, fixed keys), so this count pins down that both
    // backends accept exactly the same inputs.
    assert_eq!((accepted, rejected), (2489, 8667));
}

#[test]
fn sigstore_trust_roots() {
    let mut passed = 0;
    let mut failed = 0;
    for env in ["production", "staging"] {
        let path = sigstore_test_support::trust_file(env, "trusted_root.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for list in ["tlogs", "ctlogs"] {
            for entry in json[list].as_array().unwrap() {
                let pk = &entry["publicKey"];
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(pk["rawBytes"].as_str().unwrap())
                    .unwrap();
                if pk["keyDetails"] == "PKCS1_RSA_PKCS1V5" {
                    // A bare PKCS#1 RSAPublicKey (the staging CT log's test key).
                    match PublicKey::from_pkcs1_rsa_der(&raw) {
                        Ok(key) if matches!(key.key_type(), KeyType::Rsa { .. }) => passed += 1,
                        other => {
                            eprintln!("{env} {list} {}: {other:?}", entry["baseUrl"]);
                            failed += 1;
                        }
                    }
                    continue;
                }
                let expected = match pk["keyDetails"].as_str().unwrap() {
                    "PKIX_ECDSA_P256_SHA_256" => KeyType::EcdsaP256,
                    "PKIX_ECDSA_P384_SHA_384" => KeyType::EcdsaP384,
                    "PKIX_ECDSA_P521_SHA_512" => KeyType::EcdsaP521,
                    "PKIX_ED25519" => KeyType::Ed25519,
                    other => panic!("unexpected keyDetails {other}"),
                };
                match PublicKey::from_spki_der(&raw) {
                    Ok(key) if key.key_type() == expected => passed += 1,
                    other => {
                        eprintln!("{env} {list} {}: {other:?}", entry["baseUrl"]);
                        failed += 1;
                    }
                }
            }
        }
        if env == "production" {
            let tlogs = json["tlogs"].as_array().unwrap();
            let rekor_v1 = base64::engine::general_purpose::STANDARD
                .decode(tlogs[0]["publicKey"]["rawBytes"].as_str().unwrap())
                .unwrap();
            let key = PublicKey::from_spki_der(&rekor_v1).unwrap();
            assert_eq!(key.key_type(), KeyType::EcdsaP256);
            let ed = tlogs
                .iter()
                .find(|t| t["publicKey"]["keyDetails"] == "PKIX_ED25519")
                .expect("production root has a Rekor v2 Ed25519 key");
            let raw = base64::engine::general_purpose::STANDARD
                .decode(ed["publicKey"]["rawBytes"].as_str().unwrap())
                .unwrap();
            assert_eq!(
                PublicKey::from_spki_der(&raw).unwrap().key_type(),
                KeyType::Ed25519
            );
        }
    }
    println!("trusted_root log keys on {BACKEND}: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    assert!(passed >= 6);
}
