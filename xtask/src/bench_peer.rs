//! The side-by-side part of `cargo xtask bench`: this project's `sigstore` binary against a
//! small program over sigstore-rust's published `sigstore-verify` crate, on the same corpus of
//! production conformance bundles, in one run.
//!
//! The peer program is generated under `target/bench-peer/` (its own Cargo project, not a
//! member of the workspace and not a dependency of any crate) and fetched from the crate
//! registry at a pinned version. Both tools read each artifact and its bundle from disk, parse
//! the bundle and verify it against the same embedded production trusted root and the same
//! identity policy; both build their verifier once per process.
//!
//! Figures, from paired rounds (each round runs ours and the peer back to back, ours first in
//! every other round: see `ours_first`):
//! - one core: bundles/s over the whole corpus in one process pinned to CPU 0 (`taskset`);
//! - two cores: the same on CPUs 0 and 1 (ours uses its worker pool, the peer program two
//!   threads);
//! - cold: wall time of one process verifying one bundle.
//!
//! Before each timed run the harness reads everything that run will read (the tool's program,
//! the inputs, their bundles), so both tools start from the page cache (see `Tools::warm`).
//!
//! Rates and times are medians over the rounds. Each ratio is the median of the ratios taken
//! within a round (ours against the peer, or our two-core run against our one-core run of the
//! same round), so that a machine whose speed drifts over the run (a shared virtual machine)
//! compares runs made seconds apart rather than medians from different minutes; the spread
//! of the per-round ratios is printed with them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{cargo, workspace_root};

/// The sigstore-rust release compared against.
pub(crate) const PEER_VERSION: &str = "0.15.1";
/// Bundles in the corpus.
const CORPUS_SIZE: usize = 1000;
/// Bundles of the corpus counted under callgrind (a multiple of the four cases).
const INSTRUCTION_BUNDLES: usize = 40;
/// Production conformance cases over `a.txt` that make up the corpus, in turn.
const CASES: [&str; 4] = [
    "happy-path-v0.1",
    "happy-path-v0.2",
    "happy-path-v0.3",
    "happy-path-v0.3-new-mediaType",
];

/// Targets of the comparison (issue: performance round 2).
const TARGET_ONE_CORE: f64 = 1.3;
const TARGET_COLD: f64 = 1.0;
const TARGET_TWO_CORES: f64 = 1.9;

const PEER_MAIN: &str = r#"//! Reads each FILE and FILE.sigstore.json, parses the bundle and verifies it with
//! sigstore-verify against the trusted root given, for one identity and issuer.
//! Usage: peer TRUSTED_ROOT IDENTITY ISSUER THREADS FILE...
use std::sync::atomic::{AtomicUsize, Ordering};

use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::types::Bundle;
use sigstore_verify::{VerificationPolicy, Verifier};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (root, identity, issuer, threads) = (&args[0], &args[1], &args[2], &args[3]);
    let threads: usize = threads.parse().expect("THREADS");
    let files = &args[4..];
    let root = TrustedRoot::from_json(&std::fs::read_to_string(root).expect("trusted root"))
        .expect("trusted root parses");
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                let verifier = Verifier::new(&root).expect("verifier");
                let policy = VerificationPolicy::any_identity()
                    .require_identity(identity.as_str())
                    .require_issuer(issuer.as_str());
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let result = std::fs::read(file).map_err(|e| e.to_string()).and_then(|artifact| {
                        let json = std::fs::read_to_string(format!("{file}.sigstore.json"))
                            .map_err(|e| e.to_string())?;
                        let bundle = Bundle::from_json(&json).map_err(|e| e.to_string())?;
                        verifier
                            .verify(artifact.as_slice(), &bundle, &policy)
                            .map(|_| ())
                            .map_err(|e| e.to_string())
                    });
                    if let Err(error) = result {
                        eprintln!("FAIL {file}: {error}");
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    if failed.load(Ordering::Relaxed) > 0 {
        std::process::exit(1);
    }
}
"#;

/// Where the comparison lives.
fn base() -> PathBuf {
    workspace_root().join("target/bench-peer")
}

/// The workspace's `[profile.release]` table, verbatim, so both tools build alike.
fn release_profile() -> Result<String> {
    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml"))
        .context("reading the workspace Cargo.toml")?;
    let mut lines = manifest
        .lines()
        .skip_while(|line| line.trim() != "[profile.release]");
    let header = lines
        .next()
        .context("the workspace has no [profile.release]")?;
    let mut table = format!("{header}\n");
    for line in lines.take_while(|line| !line.trim().is_empty() && !line.starts_with('[')) {
        table.push_str(line);
        table.push('\n');
    }
    Ok(table)
}

/// Writes and builds the peer program; returns its binary.
fn build_peer() -> Result<PathBuf> {
    let dir = base().join("peer");
    std::fs::create_dir_all(dir.join("src")).context("creating target/bench-peer/peer")?;
    let manifest = format!(
        "[package]\nname = \"peer\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nsigstore-verify = \"={PEER_VERSION}\"\n\n\
         # The same release settings as this workspace's.\n\
         {}\n[workspace]\n",
        release_profile()?
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).context("writing the peer manifest")?;
    std::fs::write(dir.join("src/main.rs"), PEER_MAIN).context("writing the peer program")?;
    eprintln!("==> building the sigstore-rust {PEER_VERSION} program (target/bench-peer/peer)");
    let status = cargo()
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", base().join("target"))
        .args(["build", "--release", "--quiet"])
        .status()
        .context("building the peer program")?;
    if !status.success() {
        bail!("building the sigstore-rust {PEER_VERSION} program failed ({status})");
    }
    Ok(base().join("target/release/peer"))
}

/// Writes the corpus: `f{i}.txt` (the conformance artifact) with `f{i}.txt.sigstore.json`.
fn write_corpus() -> Result<Vec<PathBuf>> {
    let cases = sigstore_test_support::conformance_cases();
    let artifact = std::fs::read(cases.join("a.txt")).context("reading a.txt")?;
    let mut bundles = Vec::new();
    for case in CASES {
        let dir = cases.join(case);
        if dir.join("trusted_root.json").exists() {
            bail!("{case} is not a production case");
        }
        bundles.push(std::fs::read(dir.join("bundle.sigstore.json")).with_context(|| case)?);
    }
    let corpus = base().join("corpus");
    let _ = std::fs::remove_dir_all(&corpus);
    std::fs::create_dir_all(&corpus).context("creating the corpus directory")?;
    let mut files = Vec::with_capacity(CORPUS_SIZE);
    for i in 0..CORPUS_SIZE {
        let file = corpus.join(format!("f{i}.txt"));
        std::fs::write(&file, &artifact)?;
        std::fs::write(
            corpus.join(format!("f{i}.txt.sigstore.json")),
            &bundles[i % bundles.len()],
        )?;
        files.push(file);
    }
    Ok(files)
}

/// The two commands compared: this project's CLI and the peer program.
struct Tools {
    ours: PathBuf,
    peer: PathBuf,
    trusted_root: PathBuf,
}

#[derive(Clone, Copy)]
enum Tool {
    Ours,
    Peer,
}

impl Tools {
    /// The tool's command line: program first.
    fn argv(&self, tool: Tool, threads: usize, files: &[PathBuf]) -> Vec<std::ffi::OsString> {
        let mut argv: Vec<std::ffi::OsString> = match tool {
            Tool::Ours => vec![
                self.ours.clone().into(),
                "verify".into(),
                "identity".into(),
                "--offline".into(),
                "--cert-identity".into(),
                crate::bench::IDENTITY.into(),
                "--cert-oidc-issuer".into(),
                crate::bench::ISSUER.into(),
            ],
            Tool::Peer => vec![
                self.peer.clone().into(),
                self.trusted_root.clone().into(),
                crate::bench::IDENTITY.into(),
                crate::bench::ISSUER.into(),
                threads.to_string().into(),
            ],
        };
        argv.extend(files.iter().map(|f| f.clone().into_os_string()));
        argv
    }

    /// The timed command, with stdin, stdout and stderr on `/dev/null`: nothing of the
    /// harness runs while a tool does. (Reading a tool's stderr through a pipe wakes this
    /// process while the tool runs; on a two-core machine the reader can take the tool's
    /// pinned CPU, and the tool that prints a note, ours, was charged 0.3-0.4 ms of a 2.5 ms
    /// cold run for it in some orders of runs.) A failed run is repeated with its stderr
    /// captured, for the error message.
    fn command(&self, tool: Tool, cpus: &str, threads: usize, files: &[PathBuf]) -> Command {
        let mut cmd = Command::new("taskset");
        cmd.args(["-c", cpus])
            .args(self.argv(tool, threads, files))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    /// Instructions the tool's process executes on `files` under `valgrind --tool=callgrind`
    /// (one thread): a count that does not move with the machine's load. `None` when
    /// valgrind is not installed.
    fn instructions(&self, tool: Tool, files: &[PathBuf]) -> Result<Option<u64>> {
        let output = match Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .args(self.argv(tool, 1, files))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
        {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).context("running valgrind"),
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            bail!(
                "a verifier under callgrind failed ({}): {}",
                output.status,
                stderr.lines().take(5).collect::<Vec<_>>().join("\n")
            );
        }
        callgrind_total(&stderr)
            .map(Some)
            .context("callgrind printed no instruction total")
    }

    /// Reads everything the tool's run will read (its program, the inputs and their bundles,
    /// the peer's trusted root file) so that the timed run finds it in the page cache. This
    /// machine's kernel pages out memory it samples as idle (DAMON, a few seconds' age),
    /// page cache included: without this, a one-core run of either tool waited on the disk
    /// 15-220 times (`perf record -e sched:sched_switch`, state D in `filemap_read` and
    /// `filemap_fault`), a few milliseconds that landed on whichever tool ran after a pause.
    fn warm(&self, tool: Tool, files: &[PathBuf]) -> Result<()> {
        let read_all = |path: &Path| -> Result<()> {
            let mut file =
                std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
            std::io::copy(&mut file, &mut std::io::sink())
                .with_context(|| format!("reading {}", path.display()))?;
            Ok(())
        };
        match tool {
            Tool::Ours => read_all(&self.ours)?,
            Tool::Peer => {
                read_all(&self.peer)?;
                read_all(&self.trusted_root)?;
            }
        }
        for file in files {
            read_all(file)?;
            let mut bundle = file.clone().into_os_string();
            bundle.push(".sigstore.json");
            read_all(Path::new(&bundle))?;
        }
        Ok(())
    }

    fn time(&self, tool: Tool, cpus: &str, threads: usize, files: &[PathBuf]) -> Result<Duration> {
        self.warm(tool, files)?;
        let mut cmd = self.command(tool, cpus, threads, files);
        let start = Instant::now();
        let status = cmd.status().context("running a verifier under taskset")?;
        let elapsed = start.elapsed();
        if !status.success() {
            let name = match tool {
                Tool::Ours => "sigstore",
                Tool::Peer => "the sigstore-rust program",
            };
            let again = self
                .command(tool, cpus, threads, files)
                .stderr(Stdio::piped())
                .output()
                .context("running a failed verifier again")?;
            let stderr = String::from_utf8_lossy(&again.stderr);
            bail!(
                "{name} failed ({status}): {}",
                stderr.lines().take(5).collect::<Vec<_>>().join("\n")
            );
        }
        Ok(elapsed)
    }

    /// One run of each tool back to back on the same CPUs and files, as (ours, the peer's);
    /// `ours_first` says which runs first.
    fn pair(
        &self,
        ours_first: bool,
        cpus: &str,
        threads: usize,
        files: &[PathBuf],
    ) -> Result<(Duration, Duration)> {
        if ours_first {
            let ours = self.time(Tool::Ours, cpus, threads, files)?;
            Ok((ours, self.time(Tool::Peer, cpus, threads, files)?))
        } else {
            let peer = self.time(Tool::Peer, cpus, threads, files)?;
            Ok((self.time(Tool::Ours, cpus, threads, files)?, peer))
        }
    }

    /// `rounds` pairs of runs, alternating which tool runs first (see [`ours_first`]).
    fn pairs(
        &self,
        rounds: usize,
        cpus: &str,
        threads: usize,
        files: &[PathBuf],
    ) -> Result<Vec<(Duration, Duration)>> {
        (0..rounds)
            .map(|round| self.pair(ours_first(round), cpus, threads, files))
            .collect()
    }
}

/// Whether our tool runs first in round `round`: every other round. The order matters on
/// this kind of machine: the first two-core run after one-core runs (CPU 1 idle for a
/// second) was 4.5% slower than the next one (median of 12 rounds of one, one, two, two
/// runs of ours), and with ours always first the peer's two-core figure gained from it (its
/// two/one scaling 1.89 with ours first against 1.70 with it first, in 12 rounds). The
/// number of rounds is even (`--peer-rounds`), so each tool takes that place equally often.
fn ours_first(round: usize) -> bool {
    round.is_multiple_of(2)
}

/// One round of the throughput comparison: both tools on one core, then both on two.
struct Round {
    ours1: Duration,
    peer1: Duration,
    ours2: Duration,
    peer2: Duration,
}

/// The median and the range of a set of ratios.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ratio {
    median: f64,
    min: f64,
    max: f64,
}

impl Ratio {
    fn of(mut values: Vec<f64>) -> Self {
        values.retain(|v| v.is_finite());
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => f64::NAN,
            n if n % 2 == 1 => values[n / 2],
            n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        Self {
            median,
            min: values.first().copied().unwrap_or(f64::NAN),
            max: values.last().copied().unwrap_or(f64::NAN),
        }
    }

    fn spread(&self) -> String {
        format!("{:.2}-{:.2}", self.min, self.max)
    }
}

/// `a / b` as a ratio of durations.
fn over(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// The instruction total callgrind prints at exit (`==pid== Collected : 123`).
fn callgrind_total(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|line| {
        let (_, count) = line.split_once("Collected :")?;
        count.trim().parse().ok()
    })
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    match times.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => times[n / 2],
        n => (times[n / 2 - 1] + times[n / 2]) / 2,
    }
}

/// The comparison's figures.
pub(crate) struct PeerFigures {
    pub(crate) lines: Vec<String>,
    pub(crate) missed: Vec<String>,
}

/// Builds both tools, writes the corpus, checks both accept all of it, and measures.
pub(crate) fn run(ours: &Path, rounds: usize, cold_runs: usize) -> Result<PeerFigures> {
    if Command::new("taskset").arg("-V").output().is_err() {
        bail!("the comparison pins processes with taskset (util-linux), which is not installed");
    }
    let peer = crate::bench::installed_copy(&build_peer()?)?;
    let files = write_corpus()?;
    let trusted_root =
        workspace_root().join("crates/sigstore-trust/data/production/trusted_root.json");
    if !trusted_root.is_file() {
        bail!("{} is missing", trusted_root.display());
    }
    let tools = Tools {
        ours: ours.to_owned(),
        peer,
        trusted_root,
    };
    eprintln!(
        "==> both tools on {} bundles ({}), production trusted root: checking that each accepts all",
        files.len(),
        CASES.join(", ")
    );
    tools.time(Tool::Ours, "0,1", 2, &files)?;
    tools.time(Tool::Peer, "0,1", 2, &files)?;

    let per_second = |d: Duration| files.len() as f64 / d.as_secs_f64();
    eprintln!(
        "==> {rounds} rounds, each: both tools on one core, then both on two cores \
         (which tool runs first alternates by round)"
    );
    let mut rounds_run = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (ours1, peer1) = tools.pair(ours_first(round), "0", 1, &files)?;
        let (ours2, peer2) = tools.pair(ours_first(round), "0,1", 2, &files)?;
        rounds_run.push(Round {
            ours1,
            peer1,
            ours2,
            peer2,
        });
    }
    eprintln!("==> cold: {cold_runs} pairs of single-bundle runs");
    let one = &files[2..3]; // a v0.3 bundle
    tools.pairs(3, "0", 1, one)?;
    let cold_pairs = tools.pairs(cold_runs, "0", 1, one)?;

    eprintln!("==> instructions under callgrind: {INSTRUCTION_BUNDLES} bundles, and one");
    let some = &files[..INSTRUCTION_BUNDLES.min(files.len())];
    let counts = match (
        tools.instructions(Tool::Ours, some)?,
        tools.instructions(Tool::Peer, some)?,
        tools.instructions(Tool::Ours, one)?,
        tools.instructions(Tool::Peer, one)?,
    ) {
        (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
        _ => None,
    };

    let med =
        |pick: fn(&Round) -> Duration| median(&mut rounds_run.iter().map(pick).collect::<Vec<_>>());
    let (o1, p1, o2, p2) = (
        per_second(med(|r| r.ours1)),
        per_second(med(|r| r.peer1)),
        per_second(med(|r| r.ours2)),
        per_second(med(|r| r.peer2)),
    );
    let one_core = Ratio::of(rounds_run.iter().map(|r| over(r.peer1, r.ours1)).collect());
    let two_cores = Ratio::of(rounds_run.iter().map(|r| over(r.peer2, r.ours2)).collect());
    let scaling = Ratio::of(rounds_run.iter().map(|r| over(r.ours1, r.ours2)).collect());
    // The peer's own speedup, for context: what the machine gave a second core in this run.
    let peer_scaling = Ratio::of(rounds_run.iter().map(|r| over(r.peer1, r.peer2)).collect());
    let cold = Ratio::of(cold_pairs.iter().map(|(o, p)| over(*o, *p)).collect());
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let ours_cold = median(&mut cold_pairs.iter().map(|(o, _)| *o).collect::<Vec<_>>());
    let peer_cold = median(&mut cold_pairs.iter().map(|(_, p)| *p).collect::<Vec<_>>());
    let (one_core_m, cold_m, scaling_m) = (one_core.median, cold.median, scaling.median);
    let mut lines = vec![
        format!(
            "side by side with sigstore-rust {PEER_VERSION} ({} bundles; {rounds} paired rounds, \
             cold: {cold_runs} pairs; medians, ratio = median of the per-round ratios)",
            files.len()
        ),
        format!(
            "{:<24} {:>12} {:>14} {:>8}  {}",
            "", "ours", "sigstore-rust", "ratio", "per-round range"
        ),
        format!(
            "{:<24} {o1:>12.0} {p1:>14.0} {one_core_m:>7.2}x  {}",
            "one core, bundles/s",
            one_core.spread()
        ),
        format!(
            "{:<24} {o2:>12.0} {p2:>14.0} {:>7.2}x  {}",
            "two cores, bundles/s",
            two_cores.median,
            two_cores.spread()
        ),
        format!(
            "{:<24} {:>12.2} {:>14.2} {cold_m:>7.2}x  {}",
            "cold verify, ms",
            ms(ours_cold),
            ms(peer_cold),
            cold.spread()
        ),
        format!(
            "two cores / one core (ours): {scaling_m:.2}x (per-round range {}); \
             sigstore-rust's own: {:.2}x ({})",
            scaling.spread(),
            peer_scaling.median,
            peer_scaling.spread()
        ),
    ];
    match counts {
        Some([batch_ours, batch_peer, cold_ours, cold_peer]) => {
            let millions = |n: u64| n as f64 / 1e6;
            lines.push(format!(
                "instructions (callgrind; not a target, steady under load): {} bundles \
                 {:.1} M vs {:.1} M ({:.2}x fewer); one bundle cold {:.2} M vs {:.2} M \
                 ({:.2}x fewer)",
                some.len(),
                millions(batch_ours),
                millions(batch_peer),
                batch_peer as f64 / batch_ours as f64,
                millions(cold_ours),
                millions(cold_peer),
                cold_peer as f64 / cold_ours as f64,
            ));
        }
        None => lines.push("instructions: not counted (valgrind is not installed)".to_owned()),
    }
    let (one_core, cold, scaling) = (one_core_m, cold_m, scaling_m);
    let mut missed = Vec::new();
    for (what, ok) in [
        (
            format!("one core {one_core:.2}x sigstore-rust >= {TARGET_ONE_CORE}x"),
            one_core >= TARGET_ONE_CORE,
        ),
        (
            format!("cold verify {cold:.2}x sigstore-rust's time <= {TARGET_COLD}x"),
            cold <= TARGET_COLD,
        ),
        (
            format!("two cores {scaling:.2}x our one core >= {TARGET_TWO_CORES}x"),
            scaling >= TARGET_TWO_CORES,
        ),
    ] {
        lines.push(format!(
            "target {}: {what}",
            if ok { "met" } else { "MISSED" }
        ));
        if !ok {
            missed.push(what);
        }
    }
    Ok(PeerFigures { lines, missed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_callgrind_totals() {
        let stderr = "==12== Callgrind, a call-graph generating cache profiler\n==12== \n\
                      ==12== Events    : Ir\n==12== Collected : 7490570\n==12== \n\
                      ==12== I   refs:      7,490,570\n";
        assert_eq!(callgrind_total(stderr), Some(7_490_570));
        assert_eq!(callgrind_total("==1== Collected : x\n"), None);
        assert_eq!(callgrind_total(""), None);
    }

    #[test]
    fn each_tool_runs_first_in_every_other_round() {
        let firsts: Vec<bool> = (0..11).map(ours_first).collect();
        assert!(firsts.windows(2).all(|w| w[0] != w[1]), "{firsts:?}");
        assert_eq!(firsts.iter().filter(|&&ours| ours).count(), 6);
    }

    #[test]
    fn ratios_are_medians_of_pairs_with_their_range() {
        let r = Ratio::of(vec![1.4, 1.2, f64::NAN, 1.3]);
        assert_eq!((r.median, r.min, r.max), (1.3, 1.2, 1.4));
        let r = Ratio::of(vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(r.median, 2.5);
        assert_eq!(r.spread(), "1.00-4.00");
        assert!(Ratio::of(Vec::new()).median.is_nan());
        let ms = Duration::from_millis;
        assert!((over(ms(300), ms(200)) - 1.5).abs() < 1e-9);
    }

    #[test]
    fn the_peer_gets_the_workspace_release_profile() {
        let table = release_profile().expect("profile");
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        assert!(table.starts_with("[profile.release]\n"), "{table}");
        let settings: Vec<&str> = table.lines().skip(1).collect();
        assert!(!settings.is_empty(), "{table}");
        for line in &settings {
            assert!(!line.starts_with('['), "{table}");
            assert!(manifest.contains(&format!("\n{line}\n")), "{line}");
        }
        assert!(
            settings.iter().any(|line| line.starts_with("lto")),
            "{table}"
        );
    }
}
