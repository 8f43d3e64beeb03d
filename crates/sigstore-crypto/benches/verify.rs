//! Signature checks and hashing on whichever backend the build selects
//! (`cargo bench -p sigstore-crypto --bench verify`, add `--features aws-lc` for aws-lc-rs).
// Fixture setup: a failure here should stop the benchmark loudly.
#![allow(clippy::unwrap_used)]
// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ecdsa::signature::hazmat::PrehashSigner;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sigstore_crypto::{HashAlgorithm, PublicKey, SignatureAlgorithm, BACKEND};

const MESSAGE: &[u8] = b"sigstore-crypto benchmark message";
const RSA_2048: &str = include_str!("../tests/keys/rsa2048.pem");

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("verify/{BACKEND}"));

    let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let key = PublicKey::from_spki_der(
        p256::PublicKey::from(sk.verifying_key())
            .to_public_key_der()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let digest = HashAlgorithm::Sha256.digest(MESSAGE);
    let sig: p256::ecdsa::Signature = sk.sign_prehash(digest.as_bytes()).unwrap();
    let sig = sig.to_der();
    key.verify_digest(SignatureAlgorithm::EcdsaSha256, &digest, sig.as_bytes())
        .unwrap();
    group.bench_function("p256_verify_digest", |b| {
        b.iter(|| key.verify_digest(SignatureAlgorithm::EcdsaSha256, &digest, sig.as_bytes()))
    });

    let sk = p384::ecdsa::SigningKey::from_slice(&[7u8; 48]).unwrap();
    let key = PublicKey::from_spki_der(
        p384::PublicKey::from(sk.verifying_key())
            .to_public_key_der()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let digest = HashAlgorithm::Sha384.digest(MESSAGE);
    let sig: p384::ecdsa::Signature = sk.sign_prehash(digest.as_bytes()).unwrap();
    let sig = sig.to_der();
    key.verify_digest(SignatureAlgorithm::EcdsaSha384, &digest, sig.as_bytes())
        .unwrap();
    group.bench_function("p384_verify_digest", |b| {
        b.iter(|| key.verify_digest(SignatureAlgorithm::EcdsaSha384, &digest, sig.as_bytes()))
    });

    let sk = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let key = PublicKey::from_spki_der(sk.verifying_key().to_public_key_der().unwrap().as_bytes())
        .unwrap();
    let sig = ed25519_dalek::Signer::sign(&sk, MESSAGE).to_bytes();
    key.verify(SignatureAlgorithm::Ed25519, MESSAGE, &sig)
        .unwrap();
    group.bench_function("ed25519_verify", |b| {
        b.iter(|| key.verify(SignatureAlgorithm::Ed25519, MESSAGE, &sig))
    });

    let sk = rsa::RsaPrivateKey::from_pkcs8_pem(RSA_2048).unwrap();
    let key = PublicKey::from_spki_der(sk.to_public_key().to_public_key_der().unwrap().as_bytes())
        .unwrap();
    let digest = HashAlgorithm::Sha256.digest(MESSAGE);
    let sig = sk
        .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest.as_bytes())
        .unwrap();
    key.verify_digest(SignatureAlgorithm::RsaPkcs1Sha256, &digest, &sig)
        .unwrap();
    group.bench_function("rsa2048_pkcs1_verify_digest", |b| {
        b.iter(|| key.verify_digest(SignatureAlgorithm::RsaPkcs1Sha256, &digest, &sig))
    });
    group.finish();

    let mut group = c.benchmark_group(format!("hash/{BACKEND}"));
    let data = vec![0x5au8; 1 << 20];
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("sha256_1mib", |b| {
        b.iter(|| HashAlgorithm::Sha256.digest(&data))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
