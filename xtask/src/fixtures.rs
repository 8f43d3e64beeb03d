//! `cargo xtask fixtures check|refresh|limbo`: the project's pinned upstream data.
//!
//! Every folder of upstream data (the trust material embedded by `sigstore-trust`, and each
//! folder of `testdata/` but the hand-written `malformed/`) carries a `SOURCE.md` and a
//! `SHA256SUMS` listing every file.
//!
//! - `check`: every fixture folder matches its `SHA256SUMS` exactly (no missing, extra or
//!   changed file); `testdata/x509-limbo/cases.json` is exactly what its generator writes;
//!   the embedded trusted roots and signing configs parse; and the embedded
//!   production TUF root, trusted root and signing config are exactly what the production TUF
//!   repository served, proved by running this project's TUF client from the embedded root
//!   over the pinned snapshot in `testdata/tuf/production-repo` at 2026-08-22.
//! - `refresh`: rewrites the embedded material of an instance from its TUF repository (the
//!   public one by default; `--from DIR|URL` for a mirror, `--at TIME` for its validity
//!   window), verified by the TUF client bootstrapped from the currently embedded root; and,
//!   when asked, the conformance cases and Merkle vectors from an upstream checkout or the
//!   offline mirror. `SHA256SUMS` is rewritten; `SOURCE.md` is for a person to update.
//! - `limbo`: regenerates `testdata/x509-limbo/cases.json` from the x509-limbo case
//!   definitions as rebuilt in `limbo.rs`, and its `SHA256SUMS`.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use clap::{Args, Subcommand};
use sigstore_trust::{Embedded, SIGNING_CONFIG_TARGET, TRUSTED_ROOT_TARGET};
use sigstore_tuf::{FsTransport, HttpTransport, Transport, Tuf};
use sigstore_types::{SigningConfig, Timestamp, TrustedRoot};

/// When the pinned production TUF snapshot is valid.
const SNAPSHOT_TIME: &str = "2026-08-22T00:00:00Z";

/// `cargo xtask fixtures`.
#[derive(Debug, Subcommand)]
pub enum Fixtures {
    /// Check every fixture folder against its SHA256SUMS, the x509-limbo cases against their
    /// generator, and the embedded production trust material against the pinned TUF snapshot.
    #[command(after_help = "Examples:\n  cargo xtask fixtures check")]
    Check,
    /// Rewrite fixtures from upstream: the embedded trust material of an instance over TUF,
    /// and optionally the conformance cases and Merkle vectors.
    #[command(after_help = "Examples:
  cargo xtask fixtures refresh --instance staging
  cargo xtask fixtures refresh --skip-trust --conformance ../shared/conformance
  cargo xtask fixtures refresh --from ./tuf-mirror --at 2026-08-22T00:00:00Z")]
    Refresh(Refresh),
    /// Rebuild `testdata/x509-limbo/cases.json` from the x509-limbo case definitions (see
    /// `testdata/x509-limbo/SOURCE.md`) and rewrite its SHA256SUMS.
    #[command(after_help = "Examples:\n  cargo xtask fixtures limbo")]
    Limbo,
}

/// `cargo xtask fixtures refresh`.
#[derive(Debug, Args)]
pub struct Refresh {
    /// The instance whose embedded material is rewritten.
    #[arg(long, default_value = "production", value_parser = ["production", "staging"])]
    instance: String,
    /// The TUF repository: a directory (with `metadata/` and `targets/`) or a URL; default
    /// the instance's public repository.
    #[arg(long, value_name = "DIR|URL")]
    from: Option<String>,
    /// The time the repository's metadata must be valid at (RFC 3339); default now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Leave the embedded trust material alone.
    #[arg(long)]
    skip_trust: bool,
    /// Refresh `testdata/conformance` from a sigstore-conformance checkout (its `test/assets`
    /// is used) or from a folder holding `bundle-verify/` (such as `../shared/conformance`).
    #[arg(long, value_name = "DIR")]
    conformance: Option<PathBuf>,
    /// Refresh `testdata/merkle` from a transparency-dev/merkle checkout (its `testdata`) or a
    /// folder holding `inclusion/` and `consistency/`.
    #[arg(long, value_name = "DIR")]
    merkle: Option<PathBuf>,
    /// Refresh the vector files in `testdata/wycheproof` (the same file names) from a
    /// C2SP/wycheproof checkout (its `testvectors_v1`).
    #[arg(long, value_name = "DIR")]
    wycheproof: Option<PathBuf>,
}

/// Runs `cargo xtask fixtures ...`.
pub fn run(command: Fixtures) -> Result<()> {
    match command {
        Fixtures::Check => check(),
        Fixtures::Refresh(refresh) => run_refresh(&refresh),
        Fixtures::Limbo => {
            let dir = sigstore_test_support::testdata().join("x509-limbo");
            let count = crate::limbo::write(&dir)?;
            write_sums(&dir)?;
            eprintln!("==> testdata/x509-limbo: {count} cases written");
            Ok(())
        }
    }
}

fn trust_dir() -> PathBuf {
    sigstore_test_support::workspace_root().join("crates/sigstore-trust/data")
}

fn check() -> Result<()> {
    let mut failed = Vec::new();
    let mut passed = 0;
    for dir in sigstore_test_support::fixture_folders() {
        match sigstore_test_support::check_fixture_folder(&dir) {
            Ok(n) => {
                eprintln!("    {}: {n} files match SHA256SUMS", relative(&dir));
                passed += n;
            }
            Err(problems) => failed.extend(problems),
        }
    }
    let limbo = sigstore_test_support::testdata().join("x509-limbo/cases.json");
    match (crate::limbo::render(), std::fs::read(&limbo)) {
        (Ok((text, count)), Ok(stored)) if text.as_bytes() == stored.as_slice() => {
            eprintln!(
                "    {}: {count} cases, identical when regenerated",
                relative(&limbo)
            );
            passed += 1;
        }
        (Ok(_), Ok(_)) => failed.push(format!(
            "{}: differs from what `cargo xtask fixtures limbo` generates",
            relative(&limbo)
        )),
        (Err(e), _) => failed.push(format!("x509-limbo generator: {e:#}")),
        (_, Err(e)) => failed.push(format!("{}: {e}", relative(&limbo))),
    }
    for embedded in [&sigstore_trust::PRODUCTION, &sigstore_trust::STAGING] {
        match parse_embedded(embedded) {
            Ok(()) => passed += 1,
            Err(e) => failed.push(format!("{}: {e:#}", embedded.name)),
        }
    }
    let at = Timestamp::parse_rfc3339(SNAPSHOT_TIME)?;
    let repo = sigstore_test_support::tuf_production_repo();
    match served(&sigstore_trust::PRODUCTION, FsTransport::new(&repo), at) {
        Ok(served) => {
            let embedded = &sigstore_trust::PRODUCTION;
            for (name, ours, theirs) in [
                ("root.json", embedded.tuf_root, &served.root),
                (
                    TRUSTED_ROOT_TARGET,
                    embedded.trusted_root_json,
                    &served.trusted_root,
                ),
                (
                    SIGNING_CONFIG_TARGET,
                    embedded.signing_config_json,
                    &served.signing_config,
                ),
            ] {
                if ours == theirs.as_slice() {
                    eprintln!("    production {name}: identical to what the TUF snapshot served");
                    passed += 1;
                } else {
                    failed.push(format!(
                        "production {name}: differs from what the TUF repository at {} served \
                         (cargo xtask fixtures refresh --from {} --at {SNAPSHOT_TIME})",
                        relative(&repo),
                        relative(&repo)
                    ));
                }
            }
        }
        Err(e) => failed.push(format!("production TUF snapshot: {e:#}")),
    }
    eprintln!("fixtures: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        for problem in &failed {
            eprintln!("    FAIL: {problem}");
        }
        bail!("{} fixture problems", failed.len())
    }
}

fn parse_embedded(embedded: &Embedded) -> Result<()> {
    embedded.trusted_root()?;
    embedded.signing_config()?;
    sigstore_tuf::TrustedMetadata::new(embedded.tuf_root)
        .with_context(|| format!("{} root.json", embedded.name))?;
    Ok(())
}

/// What a TUF repository serves, verified from an instance's embedded root.
struct Served {
    root: Vec<u8>,
    trusted_root: Vec<u8>,
    signing_config: Vec<u8>,
}

fn served<T: Transport>(embedded: &Embedded, transport: T, at: Timestamp) -> Result<Served> {
    let cache = tempdir("tuf-cache")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let mut tuf = Tuf::new(embedded.tuf_root, &cache, transport)?;
        tuf.refresh(at).await?;
        let trusted_root = tuf.get_target(TRUSTED_ROOT_TARGET).await?;
        let signing_config = tuf.get_target(SIGNING_CONFIG_TARGET).await?;
        Ok::<_, sigstore_tuf::Error>(Served {
            root: tuf.trusted().root_bytes().to_vec(),
            trusted_root,
            signing_config,
        })
    });
    let _ = std::fs::remove_dir_all(&cache);
    let served = result.with_context(|| format!("refreshing the {} repository", embedded.name))?;
    TrustedRoot::from_json(&served.trusted_root).context("the served trusted root")?;
    SigningConfig::from_json(&served.signing_config).context("the served signing config")?;
    Ok(served)
}

fn run_refresh(args: &Refresh) -> Result<()> {
    if !args.skip_trust {
        let embedded = match args.instance.as_str() {
            "staging" => &sigstore_trust::STAGING,
            _ => &sigstore_trust::PRODUCTION,
        };
        let at = match &args.at {
            Some(text) => Timestamp::parse_rfc3339(text)
                .with_context(|| format!("--at {text:?}: not an RFC 3339 time"))?,
            None => now()?,
        };
        let from = args.from.clone().unwrap_or_else(|| embedded.url.to_owned());
        let served = if from.starts_with("https://") || from.starts_with("http://") {
            let transport = HttpTransport::new(&from, HttpTransport::default_config())?;
            served(embedded, transport, at)?
        } else {
            let dir = PathBuf::from(&from);
            ensure!(dir.join("metadata").is_dir(), "{from}: no metadata/ folder");
            served(embedded, FsTransport::new(&dir), at)?
        };
        let dir = trust_dir().join(embedded.name);
        for (name, bytes) in [
            ("root.json", &served.root),
            (TRUSTED_ROOT_TARGET, &served.trusted_root),
            (SIGNING_CONFIG_TARGET, &served.signing_config),
        ] {
            let path = dir.join(name);
            let old = std::fs::read(&path).unwrap_or_default();
            if &old == bytes {
                eprintln!("    {}: unchanged", relative(&path));
            } else {
                write_atomic(&path, bytes)?;
                eprintln!("    {}: updated", relative(&path));
            }
        }
        write_sums(&trust_dir())?;
        eprintln!(
            "==> {} trust material refreshed from {from} at {}; update data/SOURCE.md if it \
             changed",
            embedded.name, at
        );
    }
    if let Some(source) = &args.conformance {
        let assets = source.join("test/assets");
        let source = if assets.is_dir() {
            assets
        } else {
            source.clone()
        };
        ensure!(
            source.join("bundle-verify").is_dir(),
            "{}: no bundle-verify/ folder",
            source.display()
        );
        let dest = sigstore_test_support::testdata().join("conformance");
        replace_entries(
            &source,
            &dest,
            &["bundle-verify", "a.txt", "statement.json"],
        )?;
        write_sums(&dest)?;
        eprintln!(
            "==> testdata/conformance refreshed from {}",
            source.display()
        );
    }
    if let Some(source) = &args.merkle {
        let nested = source.join("testdata");
        let source = if nested.join("inclusion").is_dir() {
            nested
        } else {
            source.clone()
        };
        ensure!(
            source.join("inclusion").is_dir() && source.join("consistency").is_dir(),
            "{}: no inclusion/ and consistency/ folders",
            source.display()
        );
        let dest = sigstore_test_support::merkle_vectors();
        replace_entries(
            &source,
            &dest,
            &[
                "inclusion",
                "consistency",
                "subtreeinclusion",
                "subtreeconsistency",
            ],
        )?;
        write_sums(&dest)?;
        eprintln!("==> testdata/merkle refreshed from {}", source.display());
    }
    if let Some(source) = &args.wycheproof {
        let vectors = source.join("testvectors_v1");
        let dest = sigstore_test_support::testdata().join("wycheproof");
        let names: Vec<String> = sigstore_test_support::files_below(&dest)?
            .into_iter()
            .filter(|name| name.ends_with("_test.json"))
            .collect();
        ensure!(
            !names.is_empty(),
            "{}: no vector files to refresh",
            dest.display()
        );
        for name in &names {
            let bytes = std::fs::read(vectors.join(name))
                .with_context(|| format!("{}/{name}", vectors.display()))?;
            write_atomic(&dest.join(name), &bytes)?;
        }
        write_sums(&dest)?;
        eprintln!(
            "==> testdata/wycheproof: {} files refreshed from {}",
            names.len(),
            vectors.display()
        );
    }
    Ok(())
}

/// Replaces each of `names` in `dest` by the copy in `source` (entries absent from `source`
/// are left alone), each via a temporary copy renamed into place.
fn replace_entries(source: &Path, dest: &Path, names: &[&str]) -> Result<()> {
    for name in names {
        let from = source.join(name);
        if !from.exists() {
            continue;
        }
        let to = dest.join(name);
        let staged = dest.join(format!(".{name}.new"));
        let _ = remove(&staged);
        copy_tree(&from, &staged).with_context(|| format!("copying {}", from.display()))?;
        remove(&to).with_context(|| format!("removing {}", to.display()))?;
        std::fs::rename(&staged, &to).with_context(|| format!("renaming into {}", to.display()))?;
    }
    Ok(())
}

fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

/// Rewrites `dir/SHA256SUMS` over every file below `dir` but itself and `SOURCE.md`.
fn write_sums(dir: &Path) -> Result<()> {
    let mut text = String::new();
    for file in sigstore_test_support::files_below(dir)? {
        if file == "SHA256SUMS" || file == "SOURCE.md" {
            continue;
        }
        let bytes = std::fs::read(dir.join(&file))?;
        text.push_str(&format!(
            "{}  {file}\n",
            sigstore_test_support::sha256_hex(&bytes)
        ));
    }
    write_atomic(&dir.join("SHA256SUMS"), text.as_bytes())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

fn tempdir(tag: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("xtask-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn now() -> Result<Timestamp> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("clock before 1970")?
        .as_secs();
    Ok(Timestamp::from_unix(i64::try_from(secs)?))
}

fn relative(path: &Path) -> String {
    let root = sigstore_test_support::workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}
