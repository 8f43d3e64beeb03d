//! Verification throughput on real bundles: a Rekor v1 message signature (happy-path-v0.3), a
//! Rekor v2 entry with an RFC 3161 timestamp (rekor2-happy-path) and a DSSE envelope
//! (happy-path-intoto-in-dsse-v3). Run with `cargo bench -p sigstore-verify --bench verify`
//! (add `--features aws-lc` for the aws-lc backend).
#![allow(missing_docs)] // criterion_group! generates undocumented items

#[path = "../tests/common/mod.rs"]
mod common;

use common::Case;
use criterion::{criterion_group, criterion_main, Criterion};
use sigstore_verify::{Verifier, VerifierConfig};

fn bench_verify(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("verify/{}", sigstore_crypto::BACKEND));
    for name in [
        "happy-path-v0.3",
        "rekor2-happy-path",
        "happy-path-intoto-in-dsse-v3",
    ] {
        let case = Case::named(name);
        let root = case.trusted_root().expect("trusted root");
        let verifier = Verifier::new(&root, VerifierConfig::default()).expect("verifier");
        let policy = case.policy().expect("policy");
        let bundle = case.bundle().expect("bundle");
        verifier
            .verify(&bundle, case.artifact_digest(), &policy)
            .expect("the benchmark case verifies");
        group.bench_function(format!("{name}/parsed"), |b| {
            b.iter(|| verifier.verify(&bundle, case.artifact_digest(), &policy))
        });
        group.bench_function(format!("{name}/from-json"), |b| {
            b.iter(|| {
                let bundle = sigstore_types::Bundle::from_json(&case.bundle_json).expect("bundle");
                verifier.verify(&bundle, case.artifact_digest(), &policy)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);
