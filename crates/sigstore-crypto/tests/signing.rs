//! The ephemeral P-256 signing key: round trips through the verifier.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap fixtures too

use sigstore_crypto::{Error, HashAlgorithm, KeyType, SignatureAlgorithm, SigningKey, BACKEND};

#[test]
fn sign_and_verify_round_trip() {
    let key = SigningKey::generate().unwrap();
    let public = key.public_key();
    assert_eq!(public.key_type(), KeyType::EcdsaP256);
    assert_eq!(key.algorithm(), SignatureAlgorithm::EcdsaSha256);
    assert_eq!(public.default_algorithm(), key.algorithm());

    for message in [&b""[..], b"hello", &[0xa5; 10_000]] {
        let sig = key.sign(message);
        assert!(!sig.is_empty());
        assert_eq!(
            public.verify(SignatureAlgorithm::EcdsaSha256, message, &sig),
            Ok(())
        );
        let digest = HashAlgorithm::Sha256.digest(message);
        assert_eq!(
            public.verify_digest(SignatureAlgorithm::EcdsaSha256, &digest, &sig),
            Ok(())
        );
        // The signature is a DER Ecdsa-Sig-Value that RustCrypto reads too.
        let parsed = p256::ecdsa::Signature::from_der(&sig).unwrap();
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&public.spki_der()[26..]).unwrap();
        ecdsa::signature::Verifier::verify(&vk, message, &parsed).unwrap();

        let try_sig = key.try_sign(message).unwrap();
        assert_eq!(
            public.verify(SignatureAlgorithm::EcdsaSha256, message, &try_sig),
            Ok(())
        );

        let digest_sig = key.sign_digest(&digest).unwrap();
        assert_eq!(
            public.verify(SignatureAlgorithm::EcdsaSha256, message, &digest_sig),
            Ok(())
        );
        assert_eq!(
            public.verify(SignatureAlgorithm::EcdsaSha256, b"other", &digest_sig),
            Err(Error::BadSignature)
        );
    }
    println!("signing round trips on {BACKEND}: passed");
}

#[test]
fn sign_digest_wants_sha256() {
    let key = SigningKey::generate().unwrap();
    for alg in [HashAlgorithm::Sha384, HashAlgorithm::Sha512] {
        assert_eq!(
            key.sign_digest(&alg.digest(b"x")),
            Err(Error::DigestMismatch)
        );
    }
}

#[test]
fn keys_are_fresh_and_independent() {
    let a = SigningKey::generate().unwrap();
    let b = SigningKey::generate().unwrap();
    assert_ne!(a.public_key(), b.public_key());
    let sig = a.sign(b"message");
    assert_eq!(
        b.public_key()
            .verify(SignatureAlgorithm::EcdsaSha256, b"message", &sig),
        Err(Error::BadSignature)
    );
    // Debug output does not leak the private key.
    let debug = format!("{a:?}");
    assert!(debug.starts_with("SigningKey"));
}
