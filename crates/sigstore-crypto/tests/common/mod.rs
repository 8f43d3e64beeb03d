//! Keys and signatures made with the RustCrypto signing APIs, shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)] // test fixtures: failing loudly is the point

use ecdsa::signature::hazmat::PrehashSigner;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::Digest as _;
use sigstore_crypto::{HashAlgorithm, PublicKey, SignatureAlgorithm};

pub const RSA_2048: &str = include_str!("../keys/rsa2048.pem");
pub const RSA_3072_E3: &str = include_str!("../keys/rsa3072-e3.pem");
pub const RSA_1024_PUB: &str = include_str!("../keys/rsa1024.pub.pem");
pub const RSA_4104_PUB: &str = include_str!("../keys/rsa4104.pub.pem");
pub const SECP256K1_PUB: &str = include_str!("../keys/secp256k1.pub.pem");
pub const BRAINPOOL_PUB: &str = include_str!("../keys/brainpool.pub.pem");

pub const ECDSA_ALGS: [SignatureAlgorithm; 3] = [
    SignatureAlgorithm::EcdsaSha256,
    SignatureAlgorithm::EcdsaSha384,
    SignatureAlgorithm::EcdsaSha512,
];

pub const RSA_ALGS: [SignatureAlgorithm; 6] = [
    SignatureAlgorithm::RsaPkcs1Sha256,
    SignatureAlgorithm::RsaPkcs1Sha384,
    SignatureAlgorithm::RsaPkcs1Sha512,
    SignatureAlgorithm::RsaPssSha256,
    SignatureAlgorithm::RsaPssSha384,
    SignatureAlgorithm::RsaPssSha512,
];

pub const ALL_ALGS: [SignatureAlgorithm; 11] = [
    SignatureAlgorithm::EcdsaSha256,
    SignatureAlgorithm::EcdsaSha384,
    SignatureAlgorithm::EcdsaSha512,
    SignatureAlgorithm::Ed25519,
    SignatureAlgorithm::Ed25519Ph,
    SignatureAlgorithm::RsaPkcs1Sha256,
    SignatureAlgorithm::RsaPkcs1Sha384,
    SignatureAlgorithm::RsaPkcs1Sha512,
    SignatureAlgorithm::RsaPssSha256,
    SignatureAlgorithm::RsaPssSha384,
    SignatureAlgorithm::RsaPssSha512,
];

/// A signing key of one of the supported kinds.
pub enum Signer {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl Signer {
    pub fn p256(seed: u8) -> Self {
        Self::P256(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
    }
    pub fn p384(seed: u8) -> Self {
        Self::P384(p384::ecdsa::SigningKey::from_slice(&[seed; 48]).unwrap())
    }
    pub fn p521(seed: u8) -> Self {
        let mut bytes = [seed; 66];
        bytes[0] = 0;
        Self::P521(p521::ecdsa::SigningKey::from_slice(&bytes).unwrap())
    }
    pub fn ed25519(seed: u8) -> Self {
        Self::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }
    pub fn rsa(pem: &str) -> Self {
        Self::Rsa(Box::new(rsa::RsaPrivateKey::from_pkcs8_pem(pem).unwrap()))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::P256(_) => "P-256",
            Self::P384(_) => "P-384",
            Self::P521(_) => "P-521",
            Self::Ed25519(_) => "Ed25519",
            Self::Rsa(_) => "RSA",
        }
    }

    pub fn spki_der(&self) -> Vec<u8> {
        let doc = match self {
            Self::P256(k) => p256::PublicKey::from(k.verifying_key()).to_public_key_der(),
            Self::P384(k) => p384::PublicKey::from(k.verifying_key()).to_public_key_der(),
            Self::P521(k) => {
                let point = p521::ecdsa::VerifyingKey::from(k).to_encoded_point(false);
                p521::PublicKey::from_sec1_bytes(point.as_bytes())
                    .unwrap()
                    .to_public_key_der()
            }
            Self::Ed25519(k) => k.verifying_key().to_public_key_der(),
            Self::Rsa(k) => k.to_public_key().to_public_key_der(),
        };
        doc.unwrap().into_vec()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_spki_der(&self.spki_der()).unwrap()
    }

    /// The algorithms this key can sign with.
    pub fn algorithms(&self) -> &'static [SignatureAlgorithm] {
        match self {
            Self::P256(_) | Self::P384(_) | Self::P521(_) => &ECDSA_ALGS,
            Self::Ed25519(_) => &[SignatureAlgorithm::Ed25519, SignatureAlgorithm::Ed25519Ph],
            Self::Rsa(_) => &RSA_ALGS,
        }
    }

    /// Signs `message` with `algorithm`.
    pub fn sign(&self, algorithm: SignatureAlgorithm, message: &[u8]) -> Vec<u8> {
        if let Self::Ed25519(k) = self {
            return match algorithm {
                SignatureAlgorithm::Ed25519 => {
                    ed25519_dalek::Signer::sign(k, message).to_bytes().to_vec()
                }
                SignatureAlgorithm::Ed25519Ph => k
                    .sign_prehashed(sha2::Sha512::new_with_prefix(message), None)
                    .unwrap()
                    .to_bytes()
                    .to_vec(),
                _ => panic!("{algorithm:?} is not an Ed25519 algorithm"),
            };
        }
        let digest = algorithm.hash().unwrap().digest(message);
        self.sign_digest(algorithm, digest.as_bytes())
    }

    /// Signs a prehash with `algorithm` (ECDSA or RSA).
    pub fn sign_digest(&self, algorithm: SignatureAlgorithm, prehash: &[u8]) -> Vec<u8> {
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(prehash).unwrap();
                sig.to_der().as_bytes().to_vec()
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign_prehash(prehash).unwrap();
                sig.to_der().as_bytes().to_vec()
            }
            Self::P521(k) => {
                // `ecdsa` wants at least half the field; zero padding keeps the integer value.
                // (p521 0.13 signs with a random nonce, so P-521 signatures vary per run.)
                let mut padded = vec![0u8; 66usize.saturating_sub(prehash.len())];
                padded.extend_from_slice(prehash);
                let sig: p521::ecdsa::Signature = k.sign_prehash(&padded).unwrap();
                sig.to_der().as_bytes().to_vec()
            }
            Self::Rsa(k) => {
                let mut rng = rand_core::OsRng;
                match algorithm {
                    SignatureAlgorithm::RsaPkcs1Sha256 => {
                        k.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), prehash)
                    }
                    SignatureAlgorithm::RsaPkcs1Sha384 => {
                        k.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha384>(), prehash)
                    }
                    SignatureAlgorithm::RsaPkcs1Sha512 => {
                        k.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha512>(), prehash)
                    }
                    SignatureAlgorithm::RsaPssSha256 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::new::<sha2::Sha256>(), prehash)
                    }
                    SignatureAlgorithm::RsaPssSha384 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::new::<sha2::Sha384>(), prehash)
                    }
                    SignatureAlgorithm::RsaPssSha512 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::new::<sha2::Sha512>(), prehash)
                    }
                    _ => panic!("{algorithm:?} is not an RSA algorithm"),
                }
                .unwrap()
            }
            Self::Ed25519(_) => panic!("Ed25519 does not sign digests"),
        }
    }
}

/// `data` with bit `bit` flipped.
pub fn flip(data: &[u8], bit: usize) -> Vec<u8> {
    let mut out = data.to_vec();
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

/// Digest of `data` with bit `bit` flipped.
pub fn flip_digest(digest: &sigstore_crypto::Digest, bit: usize) -> sigstore_crypto::Digest {
    sigstore_crypto::Digest::new(digest.algorithm(), &flip(digest.as_bytes(), bit)).unwrap()
}

/// A small deterministic generator for corpus inputs (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Any hash algorithm other than `hash`.
pub fn other_hash(hash: HashAlgorithm) -> HashAlgorithm {
    match hash {
        HashAlgorithm::Sha256 => HashAlgorithm::Sha384,
        _ => HashAlgorithm::Sha256,
    }
}
