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
//! Figures, each the median of alternating runs (ours, peer, ours, peer, ...):
//! - one core: bundles/s over the whole corpus in one process pinned to CPU 0 (`taskset`);
//! - two cores: the same on CPUs 0 and 1 (ours uses its worker pool, the peer program two
//!   threads);
//! - cold: wall time of one process verifying one bundle.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{cargo, workspace_root};

/// The sigstore-rust release compared against.
pub(crate) const PEER_VERSION: &str = "0.15.1";
/// Bundles in the corpus.
const CORPUS_SIZE: usize = 1000;
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
    fn command(&self, tool: Tool, cpus: &str, threads: usize, files: &[PathBuf]) -> Command {
        let mut cmd = Command::new("taskset");
        cmd.args(["-c", cpus]);
        match tool {
            Tool::Ours => {
                cmd.arg(&self.ours)
                    .args(["verify", "identity", "--offline"])
                    .args(["--cert-identity", crate::bench::IDENTITY])
                    .args(["--cert-oidc-issuer", crate::bench::ISSUER]);
            }
            Tool::Peer => {
                cmd.arg(&self.peer)
                    .arg(&self.trusted_root)
                    .arg(crate::bench::IDENTITY)
                    .arg(crate::bench::ISSUER)
                    .arg(threads.to_string());
            }
        }
        cmd.args(files).stdout(Stdio::null()).stderr(Stdio::piped());
        cmd
    }

    fn time(&self, tool: Tool, cpus: &str, threads: usize, files: &[PathBuf]) -> Result<Duration> {
        let mut cmd = self.command(tool, cpus, threads, files);
        let start = Instant::now();
        let output = cmd.output().context("running a verifier under taskset")?;
        let elapsed = start.elapsed();
        if !output.status.success() {
            let name = match tool {
                Tool::Ours => "sigstore",
                Tool::Peer => "the sigstore-rust program",
            };
            let stderr = String::from_utf8_lossy(&output.stderr);
            bail!(
                "{name} failed ({}): {}",
                output.status,
                stderr.lines().take(5).collect::<Vec<_>>().join("\n")
            );
        }
        Ok(elapsed)
    }

    /// Median durations of `rounds` alternating runs of both tools.
    fn alternate(
        &self,
        rounds: usize,
        cpus: &str,
        threads: usize,
        files: &[PathBuf],
    ) -> Result<(Duration, Duration)> {
        let (mut ours, mut peer) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            ours.push(self.time(Tool::Ours, cpus, threads, files)?);
            peer.push(self.time(Tool::Peer, cpus, threads, files)?);
        }
        Ok((median(&mut ours), median(&mut peer)))
    }
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
    eprintln!("==> one core: {rounds} alternating rounds each");
    let (ours1, peer1) = tools.alternate(rounds, "0", 1, &files)?;
    eprintln!("==> two cores: {rounds} alternating rounds each");
    let (ours2, peer2) = tools.alternate(rounds, "0,1", 2, &files)?;
    eprintln!("==> cold: {cold_runs} alternating single-bundle runs each");
    let one = &files[2..3]; // a v0.3 bundle
    for _ in 0..3 {
        tools.time(Tool::Ours, "0", 1, one)?;
        tools.time(Tool::Peer, "0", 1, one)?;
    }
    let (ours_cold, peer_cold) = tools.alternate(cold_runs, "0", 1, one)?;

    let (o1, p1, o2, p2) = (
        per_second(ours1),
        per_second(peer1),
        per_second(ours2),
        per_second(peer2),
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let one_core = o1 / p1;
    let cold = ms(ours_cold) / ms(peer_cold);
    let scaling = o2 / o1;
    let mut lines = vec![
        format!(
            "side by side with sigstore-rust {PEER_VERSION} ({} bundles, medians of {rounds} \
             alternating rounds; cold: {cold_runs} runs)",
            files.len()
        ),
        format!(
            "{:<24} {:>12} {:>14} {:>8}",
            "", "ours", "sigstore-rust", "ratio"
        ),
        format!(
            "{:<24} {o1:>12.0} {p1:>14.0} {one_core:>7.2}x",
            "one core, bundles/s"
        ),
        format!(
            "{:<24} {o2:>12.0} {p2:>14.0} {:>7.2}x",
            "two cores, bundles/s",
            o2 / p2
        ),
        format!(
            "{:<24} {:>12.2} {:>14.2} {cold:>7.2}x",
            "cold verify, ms",
            ms(ours_cold),
            ms(peer_cold)
        ),
        format!("two cores / one core (ours): {scaling:.2}x"),
    ];
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
