//! Verification throughput against the crypto floor, on real conformance bundles.
//!
//! For happy-path-v0.3 (Rekor v1 hashedrekord), rekor2-happy-path (Rekor v2 with an RFC 3161
//! timestamp), happy-path-intoto-in-dsse-v3 (DSSE) and all three in turn ("overall"), prints:
//!
//! - single-thread bundles/s: parse the bundle JSON and verify it, with one reused `Verifier`
//!   and the artifact given as a precomputed digest;
//! - the same split in parse and verify time;
//! - batch bundles/s over all cores (`std::thread::scope`, one shared `Verifier`);
//! - the crypto floor: the time of just the signature checks one verification performs,
//!   recorded with `sigstore_crypto::probe` and replayed;
//! - the ratio of verification time (parse + verify) to the crypto floor.
//!
//! Run with `cargo bench -p sigstore-verify --bench throughput [--features aws-lc] --
//! [--seconds S] [--case NAME]`, or through `cargo xtask bench`, which runs both backends and
//! reads the `RESULT` lines this prints.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::Case;
use sigstore_crypto::probe::{self, RecordedCheck};
use sigstore_crypto::{Digest, HashAlgorithm};
use sigstore_types::Bundle;
use sigstore_verify::{Artifact, Policy, Verifier, VerifierConfig};

const CASES: [&str; 3] = [
    "happy-path-v0.3",
    "rekor2-happy-path",
    "happy-path-intoto-in-dsse-v3",
];

/// One benchmark subject, prepared once.
struct Subject {
    name: String,
    bundle_json: Vec<u8>,
    verifier: Verifier,
    policy: Policy,
    digest: Digest,
    checks: Vec<RecordedCheck>,
}

impl Subject {
    fn load(name: &str) -> Subject {
        let case = Case::named(name);
        let root = case.trusted_root().expect("trusted root");
        let verifier = Verifier::new(&root, VerifierConfig::default()).expect("verifier");
        let policy = case.policy().expect("policy");
        let digest = HashAlgorithm::Sha256.digest(&case.artifact);
        let artifact = || Artifact::Digest(digest);
        // Warm the verifier's caches, then record the checks of a steady-state verification.
        let bundle = Bundle::from_json(&case.bundle_json).expect("bundle");
        verifier
            .verify(&bundle, artifact(), &policy)
            .expect("the benchmark case verifies");
        let (outcome, checks) = probe::record(|| verifier.verify(&bundle, artifact(), &policy));
        outcome.expect("the benchmark case verifies");
        for check in &checks {
            check.replay().expect("a recorded check replays");
        }
        Subject {
            name: name.to_owned(),
            bundle_json: case.bundle_json,
            verifier,
            policy,
            digest,
            checks,
        }
    }

    fn parse(&self) -> Bundle {
        Bundle::from_json(&self.bundle_json).expect("bundle")
    }

    fn parse_and_verify(&self) {
        let bundle = self.parse();
        black_box(
            self.verifier
                .verify(&bundle, Artifact::Digest(self.digest), &self.policy)
                .expect("verifies"),
        );
    }
}

/// Runs `step` (which handles one bundle per call) for about `budget` and returns calls per
/// second: the best of ten equal slices, so that a burst of load from other processes on the
/// machine does not drag the figure down. At least 8 calls per slice.
fn rate(budget: Duration, mut step: impl FnMut(usize)) -> f64 {
    let slice = budget / SLICES;
    let mut n = 0usize;
    let mut best = 0f64;
    for _ in 0..SLICES {
        let start = Instant::now();
        let mut calls = 0usize;
        loop {
            for _ in 0..8 {
                step(n);
                n += 1;
            }
            calls += 8;
            let elapsed = start.elapsed();
            if elapsed >= slice {
                best = best.max(calls as f64 / elapsed.as_secs_f64());
                break;
            }
        }
    }
    best
}

const SLICES: u32 = 10;

/// Bundles per second over `threads` threads sharing the subjects (and their verifiers): the
/// best of five equal slices.
fn batch_rate(budget: Duration, threads: usize, subjects: &[&Subject]) -> f64 {
    let slice = budget / 5;
    (0..5)
        .map(|_| batch_slice(slice, threads, subjects))
        .fold(0f64, f64::max)
}

fn batch_slice(budget: Duration, threads: usize, subjects: &[&Subject]) -> f64 {
    let start = Instant::now();
    let total: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut n = 0usize;
                    let mut i = t;
                    while start.elapsed() < budget {
                        for _ in 0..8 {
                            subjects[i % subjects.len()].parse_and_verify();
                            i += 1;
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    total as f64 / start.elapsed().as_secs_f64()
}

struct Figures {
    single: f64,
    parse_us: f64,
    verify_us: f64,
    batch: f64,
    floor_us: f64,
    checks: usize,
}

impl Figures {
    fn bundle_us(&self) -> f64 {
        1e6 / self.single
    }

    fn ratio(&self) -> f64 {
        self.bundle_us() / self.floor_us
    }
}

fn measure(subjects: &[&Subject], budget: Duration, threads: usize) -> Figures {
    let k = subjects.len();
    let single = rate(budget, |i| subjects[i % k].parse_and_verify());
    let parse = rate(budget / 2, |i| {
        black_box(subjects[i % k].parse());
    });
    let parsed: Vec<Bundle> = subjects.iter().map(|s| s.parse()).collect();
    let verify = rate(budget / 2, |i| {
        let s = subjects[i % k];
        black_box(
            s.verifier
                .verify(&parsed[i % k], Artifact::Digest(s.digest), &s.policy)
                .expect("verifies"),
        );
    });
    let floor = rate(budget, |i| {
        for check in &subjects[i % k].checks {
            black_box(check.replay()).expect("replays");
        }
    });
    let batch = batch_rate(budget, threads, subjects);
    Figures {
        single,
        parse_us: 1e6 / parse,
        verify_us: 1e6 / verify,
        batch,
        floor_us: 1e6 / floor,
        checks: subjects.iter().map(|s| s.checks.len()).sum::<usize>() / k,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = 2.0f64;
    let mut only: Option<String> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => seconds = it.next().and_then(|s| s.parse().ok()).expect("--seconds S"),
            "--case" => only = it.next().cloned(),
            // `cargo bench` passes `--bench`; anything else is ignored too.
            _ => {}
        }
    }
    let budget = Duration::from_secs_f64(seconds);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let backend = sigstore_crypto::BACKEND;

    let subjects: Vec<Subject> = CASES
        .iter()
        .filter(|name| only.as_deref().is_none_or(|o| o == **name))
        .map(|name| Subject::load(name))
        .collect();
    println!("throughput ({backend} backend, {threads} threads, {seconds} s per figure)");
    for s in &subjects {
        let kinds: Vec<String> = s
            .checks
            .iter()
            .map(|c| match c.message_len() {
                Some(len) => format!("{:?}/{:?} over {len} B", c.key_type(), c.algorithm()),
                None => format!("{:?}/{:?} over a digest", c.key_type(), c.algorithm()),
            })
            .collect();
        println!(
            "  {}: {} signature checks: {}",
            s.name,
            s.checks.len(),
            kinds.join(", ")
        );
    }
    println!(
        "{:<30} {:>10} {:>9} {:>9} {:>9} {:>10} {:>8} {:>9} {:>6}",
        "case",
        "bundles/s",
        "µs/bndl",
        "parse µs",
        "verify µs",
        "batch/s",
        "speedup",
        "floor µs",
        "ratio"
    );
    let mut rows: Vec<(String, Vec<&Subject>)> =
        subjects.iter().map(|s| (s.name.clone(), vec![s])).collect();
    if subjects.len() > 1 {
        rows.push(("overall".to_owned(), subjects.iter().collect()));
    }
    for (name, group) in rows {
        let f = measure(&group, budget, threads);
        println!(
            "{:<30} {:>10.0} {:>9.1} {:>9.1} {:>9.1} {:>10.0} {:>7.2}x {:>9.1} {:>6.3}",
            name,
            f.single,
            f.bundle_us(),
            f.parse_us,
            f.verify_us,
            f.batch,
            f.batch / f.single,
            f.floor_us,
            f.ratio()
        );
        println!(
            "RESULT backend={backend} case={name} threads={threads} single={:.1} batch={:.1} \
             bundle_us={:.2} parse_us={:.2} verify_us={:.2} floor_us={:.2} checks={} ratio={:.4}",
            f.single,
            f.batch,
            f.bundle_us(),
            f.parse_us,
            f.verify_us,
            f.floor_us,
            f.checks,
            f.ratio()
        );
    }
}
