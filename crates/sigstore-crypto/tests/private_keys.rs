//! Managed private keys: PKCS#8 (plain and encrypted), SEC1, refused types and garbage, and
//! signatures that the public key checks. The keys are OpenSSL's (see `keys/README.md`).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap fixtures too

use sigstore_crypto::{
    Error, HashAlgorithm, KeyType, PrivateKey, PublicKey, SignatureAlgorithm, BACKEND,
};

const PASSPHRASE: &[u8] = b"correct-horse";

macro_rules! key {
    ($name:literal) => {
        include_bytes!(concat!("keys/managed-", $name, ".pem")).as_slice()
    };
}

/// A readable key: name, private PEM, the public PEM `openssl pkey -pubout` gives, type and
/// whether it is encrypted.
type Case = (&'static str, &'static [u8], &'static [u8], KeyType, bool);

fn readable() -> Vec<Case> {
    vec![
        (
            "p256",
            key!("p256"),
            key!("p256.pub"),
            KeyType::EcdsaP256,
            false,
        ),
        (
            "p384",
            key!("p384"),
            key!("p384.pub"),
            KeyType::EcdsaP384,
            false,
        ),
        (
            "ed25519",
            key!("ed25519"),
            key!("ed25519.pub"),
            KeyType::Ed25519,
            false,
        ),
        (
            "p256-sec1",
            key!("p256-sec1"),
            key!("p256-sec1.pub"),
            KeyType::EcdsaP256,
            false,
        ),
        (
            "p384-sec1",
            key!("p384-sec1"),
            key!("p384-sec1.pub"),
            KeyType::EcdsaP384,
            false,
        ),
        (
            "p256-pbkdf2",
            key!("p256-pbkdf2"),
            key!("p256.pub"),
            KeyType::EcdsaP256,
            true,
        ),
        (
            "p384-pbkdf2",
            key!("p384-pbkdf2"),
            key!("p384.pub"),
            KeyType::EcdsaP384,
            true,
        ),
        (
            "ed25519-scrypt",
            key!("ed25519-scrypt"),
            key!("ed25519.pub"),
            KeyType::Ed25519,
            true,
        ),
    ]
}

fn load(pem: &[u8], encrypted: bool) -> Result<PrivateKey, Error> {
    if encrypted {
        PrivateKey::from_encrypted_pem(pem, PASSPHRASE)
    } else {
        PrivateKey::from_pem(pem)
    }
}

#[test]
fn reads_every_supported_encoding_and_signs() {
    let mut passed = 0;
    for (name, pem, public_pem, key_type, encrypted) in readable() {
        assert_eq!(PrivateKey::is_encrypted_pem(pem), encrypted, "{name}");
        let key = load(pem, encrypted).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.key_type(), key_type, "{name}");
        // The public key is the one OpenSSL derives.
        let public = PublicKey::from_pem(public_pem).unwrap();
        assert_eq!(key.public_key(), &public, "{name}");
        // The Debug output never shows the secret.
        assert_eq!(
            format!("{key:?}"),
            format!("PrivateKey {{ key_type: {key_type:?}, .. }}")
        );

        let message = b"managed key message";
        let sig = key.sign(message).unwrap();
        assert_eq!(
            public.verify(key.message_scheme(), message, &sig),
            Ok(()),
            "{name}"
        );
        assert_eq!(
            public.verify(key.message_scheme(), b"other", &sig),
            Err(Error::BadSignature),
            "{name}"
        );

        let digest = key.digest_algorithm().digest(message);
        let sig = key.sign_digest(&digest).unwrap();
        assert_eq!(
            public.verify_digest(key.digest_scheme(), &digest, &sig),
            Ok(()),
            "{name}"
        );
        assert_eq!(
            public.verify(key.digest_scheme(), message, &sig),
            Ok(()),
            "{name}"
        );
        // A digest of another hash is refused before signing.
        let other = match key.digest_algorithm() {
            HashAlgorithm::Sha256 => HashAlgorithm::Sha384,
            _ => HashAlgorithm::Sha256,
        };
        assert_eq!(
            key.sign_digest(&other.digest(message)),
            Err(Error::DigestMismatch),
            "{name}"
        );
        passed += 1;
    }
    println!("managed keys on {BACKEND}: {passed} passed, 0 failed");
}

#[test]
fn schemes_follow_sigstore_key_details() {
    let p256 = PrivateKey::from_pem(key!("p256")).unwrap();
    let p384 = PrivateKey::from_pem(key!("p384")).unwrap();
    let ed = PrivateKey::from_pem(key!("ed25519")).unwrap();
    assert_eq!(p256.digest_algorithm(), HashAlgorithm::Sha256);
    assert_eq!(p256.digest_scheme(), SignatureAlgorithm::EcdsaSha256);
    assert_eq!(p384.digest_algorithm(), HashAlgorithm::Sha384);
    assert_eq!(p384.message_scheme(), SignatureAlgorithm::EcdsaSha384);
    assert_eq!(ed.digest_algorithm(), HashAlgorithm::Sha512);
    assert_eq!(ed.digest_scheme(), SignatureAlgorithm::Ed25519Ph);
    assert_eq!(ed.message_scheme(), SignatureAlgorithm::Ed25519);
    // Ed25519ph and pure Ed25519 are not interchangeable.
    let digest = HashAlgorithm::Sha512.digest(b"m");
    let ph = ed.sign_digest(&digest).unwrap();
    assert_eq!(
        ed.public_key()
            .verify(SignatureAlgorithm::Ed25519, b"m", &ph),
        Err(Error::BadSignature)
    );
}

#[test]
fn encrypted_keys_need_the_right_passphrase() {
    for pem in [
        key!("p256-pbkdf2"),
        key!("p384-pbkdf2"),
        key!("ed25519-scrypt"),
    ] {
        assert_eq!(
            PrivateKey::from_pem(pem).unwrap_err(),
            Error::PassphraseRequired
        );
        for wrong in [&b"correct-horsE"[..], b"", b"correct-horse ", &[0xff; 300]] {
            let err = PrivateKey::from_encrypted_pem(pem, wrong).unwrap_err();
            assert_eq!(err, Error::WrongPassphrase);
            assert_eq!(err.to_string(), "wrong passphrase or corrupt key");
        }
    }
    // A damaged ciphertext is reported the same way (the last base64 line of the body).
    let text = std::str::from_utf8(key!("p256-pbkdf2")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let body_last = lines.len() - 2;
    let flipped: String = lines[body_last]
        .chars()
        .enumerate()
        .map(|(i, c)| match (i, c) {
            (2, 'A') => 'B',
            (2, _) => 'A',
            (_, c) => c,
        })
        .collect();
    lines[body_last] = flipped;
    let damaged = lines.join("\n");
    assert_eq!(
        PrivateKey::from_encrypted_pem(damaged.as_bytes(), PASSPHRASE).unwrap_err(),
        Error::WrongPassphrase
    );
    // A plain key ignores a passphrase.
    assert!(PrivateKey::from_encrypted_pem(key!("p256"), b"anything").is_ok());
}

#[test]
fn refuses_unsupported_types_with_what_is_supported() {
    let cases: [(&str, &[u8]); 3] = [
        ("p521", key!("p521")),
        ("secp256k1", key!("secp256k1")),
        ("rsa", include_bytes!("keys/rsa2048.pem")),
    ];
    for (name, pem) in cases {
        let err = PrivateKey::from_pem(pem).unwrap_err();
        assert!(
            matches!(err, Error::UnsupportedPrivateKey(_)),
            "{name}: {err:?}"
        );
        assert!(
            err.to_string()
                .contains("supported: ECDSA P-256, ECDSA P-384 and Ed25519"),
            "{name}: {err}"
        );
    }
    let rsa_pkcs1 = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    assert!(matches!(
        PrivateKey::from_pem(rsa_pkcs1.as_bytes()),
        Err(Error::UnsupportedPrivateKey(_))
    ));
    let legacy = PrivateKey::from_encrypted_pem(key!("p256-sec1-legacy-enc"), PASSPHRASE);
    assert!(
        matches!(&legacy, Err(Error::UnsupportedPrivateKey(m)) if m.contains("openssl pkcs8")),
        "{legacy:?}"
    );
}

#[test]
fn garbage_is_malformed_never_a_panic() {
    let public = include_bytes!("keys/managed-p256.pub.pem").as_slice();
    let mut cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"not a key".to_vec(),
        public.to_vec(),
        b"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"
            .to_vec(),
        b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n".to_vec(),
    ];
    // Every truncation of a real key.
    let real = key!("p256");
    cases.extend((0..real.len()).step_by(7).map(|n| real[..n].to_vec()));
    let mut refused = 0;
    for case in &cases {
        let plain = PrivateKey::from_pem(case);
        let encrypted = PrivateKey::from_encrypted_pem(case, PASSPHRASE);
        for result in [plain, encrypted] {
            match result {
                Err(
                    Error::MalformedPrivateKey(_)
                    | Error::WrongPassphrase
                    | Error::PassphraseRequired,
                ) => {}
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(case)),
            }
        }
        refused += 1;
    }
    // DER entry points refuse noise too.
    for junk in [
        &[][..],
        &[0x30, 0x00],
        &[0x30, 0x82, 0xff, 0xff],
        &[0xa5; 64],
    ] {
        assert!(PrivateKey::from_pkcs8_der(junk).is_err());
        assert!(PrivateKey::from_sec1_der(junk).is_err());
    }
    println!("malformed private keys: {refused} passed, 0 failed");
}
