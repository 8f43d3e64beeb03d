//! Signature checks for every supported (key type, algorithm), on whichever backend the build
//! selects. Signatures come from the RustCrypto signing APIs, so under `--features aws-lc` these
//! are cross-implementation checks.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap fixtures too

mod common;

use common::*;
use sigstore_crypto::{Error, HashAlgorithm, KeyType, SignatureAlgorithm, BACKEND};

const MESSAGE: &[u8] = b"The quick brown fox jumps over the lazy dog";

fn signers() -> Vec<Signer> {
    vec![
        Signer::p256(1),
        Signer::p384(2),
        Signer::p521(3),
        Signer::ed25519(4),
        Signer::rsa(RSA_2048),
        Signer::rsa(RSA_3072_E3),
    ]
}

/// What a backend must answer for a tampered ECDSA signature: malformed exactly when the
/// RustCrypto DER decoder (strict DER, 0 < r, s < n) refuses it.
fn ecdsa_tamper_expectation(signer: &Signer, sig: &[u8]) -> Error {
    let well_formed = match signer {
        Signer::P256(_) => p256::ecdsa::Signature::from_der(sig).is_ok(),
        Signer::P384(_) => p384::ecdsa::Signature::from_der(sig).is_ok(),
        Signer::P521(_) => p521::ecdsa::Signature::from_der(sig).is_ok(),
        _ => true,
    };
    if well_formed {
        Error::BadSignature
    } else {
        Error::MalformedSignature
    }
}

#[test]
fn every_supported_combination() {
    let mut checked = 0;
    let mut tampered = 0;
    for signer in signers() {
        let key = signer.public_key();
        for &alg in signer.algorithms() {
            let sig = signer.sign(alg, MESSAGE);
            let what = format!("{} {alg:?} on {BACKEND}", signer.name());

            // The valid signature verifies, over the message and (where possible) the digest.
            assert_eq!(key.verify(alg, MESSAGE, &sig), Ok(()), "{what}");
            let digest = alg.hash().map(|h| h.digest(MESSAGE));
            match (alg, digest) {
                (SignatureAlgorithm::Ed25519Ph, Some(d)) => {
                    // Ed25519ph checks from the SHA-512 digest alone; another digest fails.
                    assert_eq!(key.verify_digest(alg, &d, &sig), Ok(()), "{what}");
                    assert_eq!(
                        key.verify_digest(alg, &flip_digest(&d, 3), &sig),
                        Err(Error::BadSignature),
                        "{what}"
                    );
                    assert_eq!(
                        key.verify_digest(alg, &HashAlgorithm::Sha256.digest(MESSAGE), &sig),
                        Err(Error::DigestMismatch),
                        "{what}"
                    );
                }
                (SignatureAlgorithm::Ed25519, None) => {
                    let d = HashAlgorithm::Sha512.digest(MESSAGE);
                    assert_eq!(
                        key.verify_digest(alg, &d, &sig),
                        Err(Error::DigestNotSupported(alg)),
                        "{what}"
                    );
                }
                (_, Some(d)) => {
                    assert_eq!(key.verify_digest(alg, &d, &sig), Ok(()), "{what}");
                    // A flipped digest bit fails. (ECDSA uses only the leftmost bits of a
                    // hash longer than the group order, so stay within the first 256 bits.)
                    for bit in [0, 7, 100, 255] {
                        assert_eq!(
                            key.verify_digest(alg, &flip_digest(&d, bit), &sig),
                            Err(Error::BadSignature),
                            "{what}: digest bit {bit}"
                        );
                    }
                    // A digest from another hash is refused before any math.
                    let other = other_hash(d.algorithm()).digest(MESSAGE);
                    assert_eq!(
                        key.verify_digest(alg, &other, &sig),
                        Err(Error::DigestMismatch),
                        "{what}"
                    );
                }
                (_, None) => unreachable!(),
            }

            // A flipped message bit fails.
            for bit in [0, 9, MESSAGE.len() * 8 - 1] {
                assert_eq!(
                    key.verify(alg, &flip(MESSAGE, bit), &sig),
                    Err(Error::BadSignature),
                    "{what}: message bit {bit}"
                );
            }

            // Flipped signature bits fail, with the same variant on both backends: every bit
            // of the DER framing (SEQUENCE and INTEGER headers) and a spread over the rest
            // (debug builds of P-384, P-521 and RSA are slow).
            for bit in tamper_bits(&signer, &sig) {
                let bad = flip(&sig, bit);
                let expected = ecdsa_tamper_expectation(&signer, &bad);
                assert_eq!(
                    key.verify(alg, MESSAGE, &bad),
                    Err(expected.clone()),
                    "{what}: signature bit {bit}"
                );
                tampered += 1;
            }

            // Truncated and extended signatures fail.
            for cut in [0, 1, sig.len() / 2, sig.len() - 1] {
                let expected = match signer {
                    Signer::Rsa(_) => Error::BadSignature,
                    _ => Error::MalformedSignature,
                };
                assert_eq!(
                    key.verify(alg, MESSAGE, &sig[..cut]),
                    Err(expected),
                    "{what}: cut to {cut}"
                );
            }
            let mut long = sig.clone();
            long.push(0);
            assert!(key.verify(alg, MESSAGE, &long).is_err(), "{what}: extended");

            // Every algorithm that does not fit the key is refused as a mismatch.
            for other in ALL_ALGS {
                if signer.algorithms().contains(&other) {
                    continue;
                }
                let mismatch = Err(Error::AlgorithmMismatch {
                    algorithm: other,
                    key: key.key_type(),
                });
                assert_eq!(
                    key.verify(other, MESSAGE, &sig),
                    mismatch,
                    "{what}: {other:?}"
                );
                let d = other
                    .hash()
                    .unwrap_or(HashAlgorithm::Sha512)
                    .digest(MESSAGE);
                assert_eq!(
                    key.verify_digest(other, &d, &sig),
                    mismatch,
                    "{what}: {other:?}"
                );
            }

            // A signature of one scheme does not pass as another scheme of the same key.
            for &other in signer.algorithms() {
                if other != alg {
                    assert!(
                        key.verify(other, MESSAGE, &sig).is_err(),
                        "{what} accepted as {other:?}"
                    );
                }
            }
            checked += 1;
        }
    }
    println!(
        "signature combinations on {BACKEND}: {checked} passed, 0 failed ({tampered} tampered signatures rejected)"
    );
    // 3 curves x 3 hashes + 2 Ed25519 schemes + 2 RSA keys x 6 schemes.
    assert_eq!(checked, 9 + 2 + 12);
}

/// Which signature bits to flip.
fn tamper_bits(signer: &Signer, sig: &[u8]) -> Vec<usize> {
    let mut bits: Vec<usize> = match signer {
        Signer::Rsa(_) => (0..sig.len() * 8).step_by(61).collect(),
        Signer::Ed25519(_) => (0..sig.len() * 8).step_by(3).collect(),
        _ => (0..sig.len() * 8).step_by(23).collect(),
    };
    if !matches!(signer, Signer::Rsa(_) | Signer::Ed25519(_)) {
        // SEQUENCE tag and length, r's tag and length (long-form lengths only for P-521).
        let header = if sig.get(1) == Some(&0x81) { 3 } else { 2 };
        bits.extend(0..(header + 2) * 8);
        // s's tag and length.
        let r_len = usize::from(sig[header + 1]);
        let s_at = header + 2 + r_len;
        bits.extend(s_at * 8..(s_at + 2) * 8);
        bits.push(sig.len() * 8 - 1);
    }
    bits.sort_unstable();
    bits.dedup();
    bits
}

#[test]
fn key_types_and_default_algorithms() {
    let expect = [
        (
            Signer::p256(5),
            KeyType::EcdsaP256,
            SignatureAlgorithm::EcdsaSha256,
        ),
        (
            Signer::p384(5),
            KeyType::EcdsaP384,
            SignatureAlgorithm::EcdsaSha384,
        ),
        (
            Signer::p521(5),
            KeyType::EcdsaP521,
            SignatureAlgorithm::EcdsaSha512,
        ),
        (
            Signer::ed25519(5),
            KeyType::Ed25519,
            SignatureAlgorithm::Ed25519,
        ),
        (
            Signer::rsa(RSA_2048),
            KeyType::Rsa { bits: 2048 },
            SignatureAlgorithm::RsaPkcs1Sha256,
        ),
        (
            Signer::rsa(RSA_3072_E3),
            KeyType::Rsa { bits: 3072 },
            SignatureAlgorithm::RsaPkcs1Sha256,
        ),
    ];
    for (signer, key_type, alg) in expect {
        let key = signer.public_key();
        assert_eq!(key.key_type(), key_type);
        assert_eq!(key.default_algorithm(), alg);
        assert_eq!(key.spki_der(), signer.spki_der().as_slice());
        assert_eq!(key, signer.public_key());
    }
}

#[test]
fn ecdsa_hash_is_part_of_the_signature() {
    // A SHA-256 ECDSA signature over the message does not verify as SHA-384 or SHA-512.
    let signer = Signer::p384(9);
    let key = signer.public_key();
    let sig = signer.sign(SignatureAlgorithm::EcdsaSha256, MESSAGE);
    assert_eq!(
        key.verify(SignatureAlgorithm::EcdsaSha256, MESSAGE, &sig),
        Ok(())
    );
    assert_eq!(
        key.verify(SignatureAlgorithm::EcdsaSha384, MESSAGE, &sig),
        Err(Error::BadSignature)
    );
    assert_eq!(
        key.verify(SignatureAlgorithm::EcdsaSha512, MESSAGE, &sig),
        Err(Error::BadSignature)
    );
}

#[test]
fn ecdsa_signature_encoding_edge_cases() {
    let signer = Signer::p256(11);
    let key = signer.public_key();
    let alg = SignatureAlgorithm::EcdsaSha256;
    let sig = signer.sign(alg, MESSAGE);
    let sig_der = p256::ecdsa::Signature::from_der(&sig).unwrap();
    // Raw r || s (the PKCS#11 form) is not DER.
    assert_eq!(
        key.verify(alg, MESSAGE, &sig_der.to_bytes()),
        Err(Error::MalformedSignature)
    );
    // Trailing bytes after the DER SEQUENCE.
    let mut trailing = sig.clone();
    trailing.extend_from_slice(&[0, 0]);
    assert_eq!(
        key.verify(alg, MESSAGE, &trailing),
        Err(Error::MalformedSignature)
    );
    // r = 0 and s = 0, r = n (out of range).
    let zero = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
    assert_eq!(
        key.verify(alg, MESSAGE, &zero),
        Err(Error::MalformedSignature)
    );
    let n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let mut r_is_n = vec![0x30, 0x26, 0x02, 0x21, 0x00];
    r_is_n.extend_from_slice(&n);
    r_is_n.extend_from_slice(&[0x02, 0x01, 0x01]);
    assert_eq!(
        key.verify(alg, MESSAGE, &r_is_n),
        Err(Error::MalformedSignature)
    );
    // BER long-form length where DER needs the short form.
    let mut ber = vec![0x30, 0x81, sig[1]];
    ber.extend_from_slice(&sig[2..]);
    assert_eq!(
        key.verify(alg, MESSAGE, &ber),
        Err(Error::MalformedSignature)
    );
    // The high-s twin (n - s) of a valid signature is still valid ECDSA (no low-s rule).
    let (r, s) = (sig_der.r(), sig_der.s());
    let high = p256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
    assert_eq!(
        key.verify(alg, MESSAGE, high.to_der().as_bytes()),
        Ok(()),
        "high-s twin"
    );
}

#[test]
fn p521_with_short_hashes() {
    // P-521 with SHA-256 and SHA-384: the hash is shorter than the group order.
    let signer = Signer::p521(13);
    let key = signer.public_key();
    for alg in ECDSA_ALGS {
        let sig = signer.sign(alg, MESSAGE);
        assert_eq!(key.verify(alg, MESSAGE, &sig), Ok(()), "{alg:?}");
    }
}

#[test]
fn rsa_pss_salt_length_must_equal_hash_length() {
    let signer = Signer::rsa(RSA_2048);
    let Signer::Rsa(sk) = &signer else {
        unreachable!()
    };
    let key = signer.public_key();
    let digest = HashAlgorithm::Sha256.digest(MESSAGE);
    let sig = sk
        .sign_with_rng(
            &mut rand_core::OsRng,
            rsa::Pss::new_with_salt::<sha2::Sha256>(20),
            digest.as_bytes(),
        )
        .unwrap();
    assert_eq!(
        key.verify_digest(SignatureAlgorithm::RsaPssSha256, &digest, &sig),
        Err(Error::BadSignature)
    );
    // PKCS#1 v1.5 signature offered as PSS and the reverse.
    let pkcs1 = signer.sign(SignatureAlgorithm::RsaPkcs1Sha256, MESSAGE);
    assert_eq!(
        key.verify(SignatureAlgorithm::RsaPssSha256, MESSAGE, &pkcs1),
        Err(Error::BadSignature)
    );
    let pss = signer.sign(SignatureAlgorithm::RsaPssSha256, MESSAGE);
    assert_eq!(
        key.verify(SignatureAlgorithm::RsaPkcs1Sha256, MESSAGE, &pss),
        Err(Error::BadSignature)
    );
    // A signature as long as the modulus but numerically above it.
    assert_eq!(
        key.verify(SignatureAlgorithm::RsaPkcs1Sha256, MESSAGE, &[0xff; 256]),
        Err(Error::BadSignature)
    );
}

#[test]
fn ed25519_strict_rules() {
    let alg = SignatureAlgorithm::Ed25519;
    // A small-order (here: identity) public key with R = identity and s = 0 satisfies the
    // cofactorless equation for every message; strict verification refuses it.
    let identity = {
        let mut b = [0u8; 32];
        b[0] = 1;
        b
    };
    let weak = sigstore_crypto::PublicKey::from_spki_der(&ed25519_spki(&identity)).unwrap();
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&identity);
    assert_eq!(weak.verify(alg, MESSAGE, &sig), Err(Error::BadSignature));
    assert_eq!(weak.verify(alg, b"", &sig), Err(Error::BadSignature));
    // Same weak key, R = rB of full order and s = r: also valid for every message under the
    // cofactorless equation (hA is the identity), refused for the weak key alone.
    let r = curve25519_dalek::Scalar::from_bytes_mod_order([42u8; 32]);
    let big_r = (curve25519_dalek::constants::ED25519_BASEPOINT_POINT * r).compress();
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(big_r.as_bytes());
    sig[32..].copy_from_slice(r.as_bytes());
    assert_eq!(weak.verify(alg, MESSAGE, &sig), Err(Error::BadSignature));

    // A proper key, and a signature whose R is the identity: s = h * a makes the cofactorless
    // equation hold, but R has small order.
    let signer = ed25519_dalek::SigningKey::from_bytes(&[21u8; 32]);
    let key =
        sigstore_crypto::PublicKey::from_spki_der(&ed25519_spki(signer.verifying_key().as_bytes()))
            .unwrap();
    let a = {
        use sha2::Digest as _;
        let h = sha2::Sha512::digest(signer.to_bytes());
        let mut a = [0u8; 32];
        a.copy_from_slice(&h[..32]);
        a[0] &= 248;
        a[31] &= 127;
        a[31] |= 64;
        curve25519_dalek::Scalar::from_bytes_mod_order(a)
    };
    let h = {
        use sha2::Digest as _;
        let mut hasher = sha2::Sha512::new();
        hasher.update(identity);
        hasher.update(signer.verifying_key().as_bytes());
        hasher.update(MESSAGE);
        let mut wide = [0u8; 64];
        wide.copy_from_slice(&hasher.finalize());
        curve25519_dalek::Scalar::from_bytes_mod_order_wide(&wide)
    };
    let mut forged = [0u8; 64];
    forged[..32].copy_from_slice(&identity);
    forged[32..].copy_from_slice((h * a).as_bytes());
    // Sanity: the construction is right, since a normal signature with the same key passes.
    let good = ed25519_dalek::Signer::sign(&signer, MESSAGE).to_bytes();
    assert_eq!(key.verify(alg, MESSAGE, &good), Ok(()));
    assert_eq!(key.verify(alg, MESSAGE, &forged), Err(Error::BadSignature));

    // s not reduced modulo L (s + L) is refused.
    let mut s_plus_l = good;
    let l = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(s_plus_l[32 + i]) + u16::from(l[i]) + carry;
        s_plus_l[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    if carry == 0 {
        assert_eq!(
            key.verify(alg, MESSAGE, &s_plus_l),
            Err(Error::BadSignature)
        );
    }
}

fn ed25519_spki(raw: &[u8; 32]) -> Vec<u8> {
    let mut spki = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    spki.extend_from_slice(raw);
    spki
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
