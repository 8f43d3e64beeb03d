//! Throughput check (run with `cargo test --release -p sigstore-x509-policy --test throughput -- --ignored --nocapture`).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use common::*;
use sigstore_x509_policy::*;

#[test]
#[ignore = "timing; run in release"]
fn throughput() {
    let leaf = happy_leaf();
    let der = leaf.der().to_vec();
    let cas = fulcio_authorities(&production_root());
    let t = leaf.not_before();
    let n = 2000;

    let start = Instant::now();
    for _ in 0..n {
        Certificate::from_der(&der).unwrap();
    }
    let parse = n as f64 / start.elapsed().as_secs_f64();

    verify_chain(&leaf, &cas, t, KeyPurpose::CodeSigning).unwrap();
    let start = Instant::now();
    for _ in 0..n {
        verify_chain(&leaf, &cas, t, KeyPurpose::CodeSigning).unwrap();
    }
    let chain = n as f64 / start.elapsed().as_secs_f64();

    let policy = Identity::new(HAPPY_IDENTITY, HAPPY_ISSUER);
    let start = Instant::now();
    for _ in 0..n {
        policy.verify(&leaf).unwrap();
    }
    let identity = n as f64 / start.elapsed().as_secs_f64();

    let tsa = tsa_authorities(&production_root()).remove(0);
    let tt = tsa.valid_for().unwrap().start.unwrap();
    let start = Instant::now();
    for _ in 0..n {
        verify_tsa_chain(&tsa, tt).unwrap();
    }
    let tsa_rate = n as f64 / start.elapsed().as_secs_f64();
    println!(
        "throughput ({}): parse {parse:.0}/s, verify_chain {chain:.0}/s, identity policy {identity:.0}/s, verify_tsa_chain {tsa_rate:.0}/s",
        sigstore_crypto::BACKEND
    );
}
