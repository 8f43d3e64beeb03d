//! Verification throughput against the crypto floor, on real conformance bundles.
//!
//! For happy-path-v0.3 (Rekor v1 hashedrekord), rekor2-happy-path (Rekor v2 with an RFC 3161
//! timestamp), happy-path-intoto-in-dsse-v3 (DSSE) and all three in turn ("overall"), prints:
//!
//! - single-thread bundles/s: parse the bundle JSON and verify it, with one reused `Verifier`
//!   and the artifact given as a precomputed digest;
//! - the same split in parse and verify time;
//! - batch bundles/s over all cores (`std::thread::scope`, one shared `Verifier`), the speedup
//!   over one thread, the same speedup computed from the threads' CPU time ("cpu-norm": what
//!   it would be with every thread on its own core) and the share of the wall time the threads
//!   got a CPU ("share"; well below 1.0 means other processes competed for the cores and the
//!   wall-clock batch figures understate the scaling);
//! - the crypto floor: the time of just the signature checks one verification performs,
//!   recorded with `sigstore_crypto::probe` and replayed;
//! - the ratio of verification time (parse + verify) to the crypto floor.
//!
//! Run with `cargo bench -p sigstore-verify --bench throughput [--features aws-lc] --
//! [--seconds S] [--case NAME] [--loop]`, or through `cargo xtask bench`, which runs both backends and
//! reads the `RESULT` lines this prints. `--loop` only runs parse + verify for the given time
//! (for a profiler such as `perf record`).
//!
//! Each figure is the best of several equal time slices, so that bursts of load from other
//! processes do not drag it down; batch figures still need an otherwise idle machine.
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
    /// Signature checks of the first verification, caches cold.
    first_checks: usize,
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
        // Warm the verifier's caches (counting the checks that takes), then record the checks
        // of a steady-state verification.
        let bundle = Bundle::from_json(&case.bundle_json).expect("bundle");
        let (outcome, first) = probe::record(|| verifier.verify(&bundle, artifact(), &policy));
        outcome.expect("the benchmark case verifies");
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
            first_checks: first.len(),
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

/// On-CPU time of the calling thread so far (Linux `/proc/thread-self/schedstat`; the kernel
/// updates it at scheduler ticks, so use it over spans of a second or more), or `None`.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// A throughput figure.
#[derive(Clone, Copy)]
struct Rate {
    /// Calls per wall-clock second: the best of [`SLICES`] equal slices, so that a burst of
    /// load from other processes does not drag it down.
    wall: f64,
    /// Calls per second of this thread's own CPU time, over the whole budget (NaN if unknown).
    per_cpu: f64,
}

const SLICES: u32 = 10;

/// Runs `step` (which handles one bundle per call) for about `budget`. At least 8 calls per
/// slice.
fn rate(budget: Duration, mut step: impl FnMut(usize)) -> Rate {
    let slice = budget / SLICES;
    let mut n = 0usize;
    let mut best = 0f64;
    let cpu_start = thread_cpu();
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
    let per_cpu = match (cpu_start, thread_cpu()) {
        (Some(a), Some(b)) if b > a => n as f64 / (b - a).as_secs_f64(),
        _ => f64::NAN,
    };
    Rate {
        wall: best,
        per_cpu,
    }
}

/// A batch figure over several threads.
struct Batch {
    /// Bundles per wall-clock second over all threads: the best of five equal slices.
    wall: f64,
    /// Bundles per second if every thread had a core to itself: calls per second of the
    /// threads' own CPU time, times the number of threads (NaN if unknown).
    per_cpu: f64,
    /// Share of the wall time the threads actually spent on a CPU (1.0 on an idle machine).
    cpu_share: f64,
}

/// Bundles per second over `threads` threads sharing the subjects (and their verifiers).
fn batch_rate(budget: Duration, threads: usize, subjects: &[&Subject]) -> Batch {
    let slice = budget / 5;
    let mut best = 0f64;
    let (mut calls, mut cpu, mut wall) = (0usize, Duration::ZERO, Duration::ZERO);
    for _ in 0..5 {
        let start = Instant::now();
        let per_thread: Vec<(usize, Option<Duration>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    scope.spawn(move || {
                        let cpu_start = thread_cpu();
                        let mut n = 0usize;
                        let mut i = t;
                        while start.elapsed() < slice {
                            for _ in 0..8 {
                                subjects[i % subjects.len()].parse_and_verify();
                                i += 1;
                                n += 1;
                            }
                        }
                        let cpu = match (cpu_start, thread_cpu()) {
                            (Some(a), Some(b)) => Some(b.saturating_sub(a)),
                            _ => None,
                        };
                        (n, cpu)
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        let elapsed = start.elapsed();
        let n: usize = per_thread.iter().map(|(n, _)| n).sum();
        best = best.max(n as f64 / elapsed.as_secs_f64());
        calls += n;
        wall += elapsed;
        match per_thread.iter().map(|(_, c)| *c).sum::<Option<Duration>>() {
            Some(c) => cpu += c,
            None => cpu = Duration::MAX,
        }
    }
    let known = cpu != Duration::MAX && !cpu.is_zero();
    Batch {
        wall: best,
        per_cpu: if known {
            calls as f64 / cpu.as_secs_f64() * threads as f64
        } else {
            f64::NAN
        },
        cpu_share: if known {
            cpu.as_secs_f64() / (wall.as_secs_f64() * threads as f64)
        } else {
            f64::NAN
        },
    }
}

struct Figures {
    single: Rate,
    parse_us: f64,
    verify_us: f64,
    batch: Batch,
    floor_us: f64,
    /// The floor from CPU time rather than wall time.
    floor_us_cpu: f64,
    checks: usize,
}

impl Figures {
    fn bundle_us(&self) -> f64 {
        1e6 / self.single.wall
    }

    fn ratio(&self) -> f64 {
        self.bundle_us() / self.floor_us
    }

    /// The ratio from CPU time, insensitive to other processes taking the core.
    fn ratio_cpu(&self) -> f64 {
        1e6 / self.single.per_cpu / self.floor_us_cpu
    }

    /// Batch over single-thread throughput, wall clock.
    fn speedup(&self) -> f64 {
        self.batch.wall / self.single.wall
    }

    /// The same from CPU time: what the speedup would be with every thread on its own core.
    fn speedup_cpu(&self) -> f64 {
        self.batch.per_cpu / self.single.per_cpu
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
        parse_us: 1e6 / parse.wall,
        verify_us: 1e6 / verify.wall,
        batch,
        floor_us: 1e6 / floor.wall,
        floor_us_cpu: 1e6 / floor.per_cpu,
        checks: subjects.iter().map(|s| s.checks.len()).sum::<usize>() / k,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = 2.0f64;
    let mut only: Option<String> = None;
    let mut profile_loop = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => seconds = it.next().and_then(|s| s.parse().ok()).expect("--seconds S"),
            "--case" => only = it.next().cloned(),
            "--loop" => profile_loop = true,
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
    if profile_loop {
        // For profilers: nothing but parse + verify, round robin, for the budget.
        let group: Vec<&Subject> = subjects.iter().collect();
        let start = Instant::now();
        let mut n = 0usize;
        while start.elapsed() < budget {
            group[n % group.len()].parse_and_verify();
            n += 1;
        }
        println!("{n} bundles in {seconds} s");
        return;
    }
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
            "  {}: {} signature checks per verification ({} on the first, caches cold): {}",
            s.name,
            s.checks.len(),
            s.first_checks,
            kinds.join(", ")
        );
    }
    println!(
        "{:<30} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8} {:>6} {:>8} {:>6}",
        "case",
        "bundles/s",
        "µs/bndl",
        "parse µs",
        "verify µs",
        "floor µs",
        "ratio",
        "batch/s",
        "speedup",
        "cpu-norm",
        "share"
    );
    let mut rows: Vec<(String, Vec<&Subject>)> =
        subjects.iter().map(|s| (s.name.clone(), vec![s])).collect();
    if subjects.len() > 1 {
        rows.push(("overall".to_owned(), subjects.iter().collect()));
    }
    for (name, group) in rows {
        let f = measure(&group, budget, threads);
        println!(
            "{:<30} {:>9.0} {:>8.1} {:>8.1} {:>9.1} {:>8.1} {:>8.3} {:>8.0} {:>5.2}x {:>7.2}x {:>6.2}",
            name,
            f.single.wall,
            f.bundle_us(),
            f.parse_us,
            f.verify_us,
            f.floor_us,
            f.ratio(),
            f.batch.wall,
            f.speedup(),
            f.speedup_cpu(),
            f.batch.cpu_share,
        );
        println!(
            "RESULT backend={backend} case={name} threads={threads} single={:.1} batch={:.1} \
             bundle_us={:.2} parse_us={:.2} verify_us={:.2} floor_us={:.2} checks={} ratio={:.4} \
             speedup={:.3} speedup_cpu={:.3} cpu_share={:.3} single_cpu={:.1} \
             floor_us_cpu={:.2} ratio_cpu={:.4}",
            f.single.wall,
            f.batch.wall,
            f.bundle_us(),
            f.parse_us,
            f.verify_us,
            f.floor_us,
            f.checks,
            f.ratio(),
            f.speedup(),
            f.speedup_cpu(),
            f.batch.cpu_share,
            f.single.per_cpu,
            f.floor_us_cpu,
            f.ratio_cpu(),
        );
    }
}
