//! Trust material for `sign`, `attest` and `verify`, fetched over TUF.
//!
//! An [`Instance`] is a TUF repository: Sigstore's production one (the default), staging
//! (`--staging`), or a private deployment (`--instance URL`, trusted first with
//! `sigstore trust-instance ROOT.json --instance URL`). Its targets give the trusted root
//! ([`TRUSTED_ROOT_TARGET`]) and the signing config: [`SIGNING_CONFIG_TARGET`] by default,
//! [`SIGNING_CONFIG_REKOR_V2_TARGET`] when Rekor v2 is asked for (`--rekor-version 2`) and the
//! repository publishes it, as the specification makes Rekor v2 an opt-in.
//!
//! Every run refreshes the repository (root rotation, timestamp, snapshot, targets; see
//! `sigstore-tuf`) with the real clock. A failure is an error, never a silent fallback. With
//! `offline`, nothing is fetched: the cache of the last refresh is used (signatures checked,
//! freshness not, and its age is reported); a signing config for Rekor v2 that was never
//! downloaded is replaced by the cached default one, and only what is not cached at all is
//! taken from the material embedded in this build (production and staging), each time with a
//! note naming the file used.
//!
//! The cache of an instance (see [`CacheDirs`]): its metadata, including the bootstrap root
//! stored by `trust-instance`, under the user's data directory
//! (`sigstore-rs/tuf/<escaped URL>/`), its target files under the user's cache directory (same
//! relative path). Every file is written to a temporary name and renamed into place.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sigstore_sign::{now, HttpConfig};
use sigstore_tuf::{HttpTransport, OfflineTuf, TrustedMetadata, Tuf};
use sigstore_types::{SigningConfig, Timestamp, TrustedRoot};

use crate::read_limited;
use crate::sign::usage;

pub use sigstore_trust::{
    Instance, SIGNING_CONFIG_REKOR_V2_TARGET, SIGNING_CONFIG_TARGET, TRUSTED_ROOT_TARGET,
};

/// The application directory below the user's data and cache directories.
pub const APP_DIR: &str = "sigstore-rs";
/// The file (in an instance's metadata directory) holding the root given to `trust-instance`.
pub const BOOTSTRAP_FILE: &str = "bootstrap_root.json";
/// Largest TUF root file read, in bytes.
pub const MAX_ROOT_FILE: u64 = 512 * 1024;

/// The instance the flags select: `--instance URL`, else `--staging`, else production.
/// An unusable URL is a usage error.
pub fn instance_from_flags(staging: bool, instance: Option<&str>) -> Result<Instance> {
    match instance {
        Some(url) => Instance::parse(url).map_err(|e| usage(e.into())),
        None if staging => Ok(Instance::Staging),
        None => Ok(Instance::Production),
    }
}

/// The name of an instance's cache directories: the URL with every byte outside
/// `[A-Za-z0-9._-]` (and a leading `.`) percent-encoded.
pub fn dir_name(instance: &Instance) -> String {
    sigstore_tuf::encode_name(instance.url())
}

/// The TUF root embedded in this build (production and staging only).
fn embedded_root(instance: &Instance) -> Option<&'static [u8]> {
    instance.embedded().map(|e| e.tuf_root)
}

/// The trusted root embedded in this build (production and staging only).
fn embedded_trusted_root(instance: &Instance) -> Result<Option<TrustedRoot>> {
    instance
        .embedded()
        .map(|e| e.trusted_root())
        .transpose()
        .map_err(Into::into)
}

/// The signing config embedded in this build (production and staging only).
fn embedded_signing_config(instance: &Instance) -> Result<Option<SigningConfig>> {
    instance
        .embedded()
        .map(|e| e.signing_config())
        .transpose()
        .map_err(Into::into)
}

/// The user's data and cache directories: on Linux and other Unix systems `$XDG_DATA_HOME`
/// (else `~/.local/share`) and `$XDG_CACHE_HOME` (else `~/.cache`), relative values being
/// ignored as the XDG specification says; on macOS `~/Library/Application Support` and
/// `~/Library/Caches`; on Windows `%APPDATA%` and `%LOCALAPPDATA%`. `env` looks up a variable.
pub fn user_dirs_from(env: impl Fn(&str) -> Option<OsString>) -> Result<(PathBuf, PathBuf)> {
    let absolute = |name: &str| env(name).map(PathBuf::from).filter(|p| p.is_absolute());
    if cfg!(windows) {
        let data = absolute("APPDATA").context("APPDATA is not set")?;
        let cache = absolute("LOCALAPPDATA").context("LOCALAPPDATA is not set")?;
        return Ok((data, cache));
    }
    let home = || {
        absolute("HOME").context(
            "cannot find the home directory for the TUF cache (set HOME, or XDG_DATA_HOME and \
             XDG_CACHE_HOME)",
        )
    };
    if cfg!(target_os = "macos") {
        let library = home()?.join("Library");
        return Ok((library.join("Application Support"), library.join("Caches")));
    }
    let data = match absolute("XDG_DATA_HOME") {
        Some(dir) => dir,
        None => home()?.join(".local").join("share"),
    };
    let cache = match absolute("XDG_CACHE_HOME") {
        Some(dir) => dir,
        None => home()?.join(".cache"),
    };
    Ok((data, cache))
}

/// Where an instance's TUF files are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDirs {
    /// Metadata (`root.json`, `timestamp.json`, ..., `refreshed_at`, [`BOOTSTRAP_FILE`]):
    /// `<data dir>/sigstore-rs/tuf/<escaped URL>`.
    pub metadata: PathBuf,
    /// Target files: `<cache dir>/sigstore-rs/tuf/<escaped URL>`.
    pub targets: PathBuf,
}

impl CacheDirs {
    /// The directories of `instance` below `data` and `cache`.
    pub fn under(data: &Path, cache: &Path, instance: &Instance) -> Self {
        let name = dir_name(instance);
        Self {
            metadata: data.join(APP_DIR).join("tuf").join(&name),
            targets: cache.join(APP_DIR).join("tuf").join(&name),
        }
    }

    /// The directories of `instance` for this user ([`user_dirs_from`] over the process
    /// environment).
    pub fn for_instance(instance: &Instance) -> Result<Self> {
        let (data, cache) = user_dirs_from(|name| std::env::var_os(name))?;
        Ok(Self::under(&data, &cache, instance))
    }

    /// The stored bootstrap root.
    pub fn bootstrap_path(&self) -> PathBuf {
        self.metadata.join(BOOTSTRAP_FILE)
    }
}

/// What a command needs from the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The trusted root (verification).
    TrustedRoot,
    /// The trusted root and a signing config (signing); `rekor_v2` prefers
    /// [`SIGNING_CONFIG_REKOR_V2_TARGET`].
    Signing {
        /// Whether Rekor v2 was asked for.
        rekor_v2: bool,
    },
}

/// Trust material and what was said about where it came from.
#[derive(Debug)]
pub struct Loaded {
    /// The trusted root.
    pub trusted_root: TrustedRoot,
    /// The signing config ([`Need::Signing`] only).
    pub signing_config: Option<SigningConfig>,
    /// Messages for standard error (offline mode: which cache and how old, or that the
    /// embedded material is used).
    pub notes: Vec<String>,
}

/// The bootstrap root of `instance`: the one stored by `trust-instance`, else the embedded
/// one (production and staging). A private instance without one is an error that says how
/// to trust it.
pub fn bootstrap_root(instance: &Instance, dirs: Option<&CacheDirs>) -> Result<Vec<u8>> {
    if let Some(dirs) = dirs {
        let path = dirs.bootstrap_path();
        if !path.exists() {
            if let Some(restored) = restore_interrupted_swap(&dirs.metadata)? {
                eprintln!(
                    "note: restored the stored TUF metadata of {} from {} (left by an \
                     interrupted trust-instance)",
                    instance.describe(),
                    restored.display()
                );
            }
        }
        if path.is_file() {
            return read_limited(&path, MAX_ROOT_FILE);
        }
    }
    match embedded_root(instance) {
        Some(root) => Ok(root.to_vec()),
        None => bail!(
            "the TUF repository {url} is not trusted yet: run `sigstore trust-instance ROOT.json \
             --instance {url}` with its root.json first",
            url = instance.url()
        ),
    }
}

/// HTTP settings for TUF downloads: `http`'s timeouts and retries, with a response cap
/// fitting the largest TUF download.
fn tuf_http(http: &HttpConfig) -> HttpConfig {
    http.clone().with_max_response_bytes(
        usize::try_from(sigstore_tuf::Limits::default().largest()).unwrap_or(usize::MAX),
    )
}

fn client(
    instance: &Instance,
    bootstrap: &[u8],
    dirs: &CacheDirs,
    http: &HttpConfig,
) -> Result<Tuf<HttpTransport>> {
    let transport = HttpTransport::new(instance.url(), tuf_http(http))
        .with_context(|| format!("cannot set up HTTP for {}", instance.url()))?;
    Tuf::with_cache_dirs(bootstrap, &dirs.metadata, &dirs.targets, transport)
        .with_context(|| format!("the TUF root of {} is unusable", instance.url()))
}

/// Wraps a refresh or download failure: network failures suggest `--offline`; everything
/// else (expired or badly signed metadata, tampered targets) names what failed.
fn tuf_error(instance: &Instance, error: sigstore_tuf::Error) -> anyhow::Error {
    let network = matches!(error, sigstore_tuf::Error::Transport { .. });
    let error = anyhow::Error::new(error);
    if network {
        let fallback = if embedded_root(instance).is_some() {
            "cached or embedded"
        } else {
            "cached"
        };
        error.context(format!(
            "cannot update the trust material from the TUF repository {} (check the network, or \
             pass --offline to use the {fallback} trust material)",
            instance.url()
        ))
    } else {
        error.context(format!(
            "the TUF repository {} failed verification",
            instance.url()
        ))
    }
}

/// The signing config target to use: the Rekor v2 one when asked for and listed.
fn signing_target(trusted: &TrustedMetadata, rekor_v2: bool) -> &'static str {
    if rekor_v2 && trusted.target(SIGNING_CONFIG_REKOR_V2_TARGET).is_ok() {
        SIGNING_CONFIG_REKOR_V2_TARGET
    } else {
        SIGNING_CONFIG_TARGET
    }
}

fn parse_root(bytes: &[u8], origin: &str) -> Result<TrustedRoot> {
    TrustedRoot::from_json(bytes).with_context(|| format!("{origin}: invalid trusted root"))
}

fn parse_config(bytes: &[u8], origin: &str) -> Result<SigningConfig> {
    SigningConfig::from_json(bytes).with_context(|| format!("{origin}: invalid signing config"))
}

/// The trust material `need`s from `instance`: refreshed over TUF now, or with `offline`
/// from the cache (else the embedded material of production and staging).
pub fn load(instance: &Instance, offline: bool, need: Need, http: &HttpConfig) -> Result<Loaded> {
    if offline {
        load_offline(instance, need)
    } else {
        load_online(instance, need, http)
    }
}

fn load_online(instance: &Instance, need: Need, http: &HttpConfig) -> Result<Loaded> {
    let dirs = CacheDirs::for_instance(instance)?;
    let bootstrap = bootstrap_root(instance, Some(&dirs))?;
    let runtime = crate::sign::runtime()?;
    let (root_bytes, config) = runtime.block_on(async {
        let mut tuf = client(instance, &bootstrap, &dirs, http)?;
        tuf.refresh(now())
            .await
            .map_err(|e| tuf_error(instance, e))?;
        let root = tuf
            .get_target(TRUSTED_ROOT_TARGET)
            .await
            .map_err(|e| tuf_error(instance, e))?;
        let config = match need {
            Need::TrustedRoot => None,
            Need::Signing { rekor_v2 } => {
                let name = signing_target(tuf.trusted(), rekor_v2);
                let bytes = tuf
                    .get_target(name)
                    .await
                    .map_err(|e| tuf_error(instance, e))?;
                Some((name, bytes))
            }
        };
        Ok::<_, anyhow::Error>((root, config))
    })?;
    let origin = |name: &str| format!("{} target {name}", instance.url());
    let trusted_root = parse_root(&root_bytes, &origin(TRUSTED_ROOT_TARGET))?;
    let signing_config = match config {
        Some((name, bytes)) => Some(parse_config(&bytes, &origin(name))?),
        None => None,
    };
    Ok(Loaded {
        trusted_root,
        signing_config,
        notes: Vec::new(),
    })
}

/// `seconds` as a rough human duration ("45 seconds", "3 hours", "12 days").
pub fn human_age(seconds: i64) -> String {
    let s = seconds.max(0);
    let (n, unit) = match s {
        0..=119 => (s, "second"),
        120..=7_199 => (s / 60, "minute"),
        7_200..=172_799 => (s / 3_600, "hour"),
        _ => (s / 86_400, "day"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

fn load_offline(instance: &Instance, need: Need) -> Result<Loaded> {
    let dirs = match CacheDirs::for_instance(instance) {
        Ok(dirs) => Some(dirs),
        // No home directory: there can be no cache; the embedded material may still do.
        Err(_) if embedded_root(instance).is_some() => None,
        Err(e) => return Err(e),
    };
    let bootstrap = bootstrap_root(instance, dirs.as_ref())?;
    let tuf = match &dirs {
        None => None,
        Some(dirs) => {
            match OfflineTuf::load_with_cache_dirs(&bootstrap, &dirs.metadata, &dirs.targets, now())
            {
                Ok(tuf) => Some(tuf),
                Err(sigstore_tuf::Error::CacheMissing { .. }) => None,
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "offline: the TUF cache of {} in {} is unusable (run without --offline to \
                     refresh it)",
                        instance.url(),
                        dirs.metadata.display()
                    )))
                }
            }
        }
    };
    let mut notes = Vec::new();
    let Some(tuf) = tuf else {
        return embedded(instance, need, notes);
    };
    let mut note = format!(
        "offline: using the cached trust material of {instance}, last refreshed {} ({} ago)",
        tuf.refreshed_at(),
        human_age(tuf.age_seconds())
    );
    if tuf.is_expired() {
        note.push_str("; its TUF metadata has expired since, so it may be out of date");
    }
    notes.push(note);
    let cached = |name: &str| -> Result<Option<Vec<u8>>> {
        match tuf.get_target(name) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(sigstore_tuf::Error::CacheMissing { .. }) => Ok(None),
            Err(e) => Err(anyhow::Error::new(e).context(format!(
                "offline: the cached target {name} of {} is unusable",
                instance.url()
            ))),
        }
    };
    let origin = |name: &str| format!("cached {} target {name}", instance.url());
    let trusted_root = match cached(TRUSTED_ROOT_TARGET)? {
        Some(bytes) => parse_root(&bytes, &origin(TRUSTED_ROOT_TARGET))?,
        None => embedded_trusted_root_part(instance, &mut notes)?.context("no trusted root")?,
    };
    let signing_config = match need {
        Need::TrustedRoot => None,
        Need::Signing { rekor_v2 } => {
            let preferred = signing_target(tuf.trusted(), rekor_v2);
            // The Rekor v2 config when asked for and listed, else (or when it was never
            // downloaded) the default one; the note names the file used.
            let mut candidates = vec![preferred];
            if preferred != SIGNING_CONFIG_TARGET {
                candidates.push(SIGNING_CONFIG_TARGET);
            }
            let mut missing: Vec<&str> = Vec::new();
            let mut found = None;
            for name in candidates {
                if let Some(bytes) = cached(name)? {
                    found = Some(parse_config(&bytes, &origin(name))?);
                    if !missing.is_empty() {
                        notes.push(format!(
                            "offline: {} is not cached; using the cached {name} instead",
                            missing.join(" and ")
                        ));
                    }
                    break;
                }
                missing.push(name);
            }
            match found {
                Some(config) => Some(config),
                None => embedded_signing_part(instance, &missing, &mut notes)?,
            }
        }
    };
    Ok(Loaded {
        trusted_root,
        signing_config,
        notes,
    })
}

/// No cached signing config (`missing` names the targets looked for): the one embedded in
/// this build (production and staging; it is their [`SIGNING_CONFIG_TARGET`]), or an error
/// for a private instance.
fn embedded_signing_part(
    instance: &Instance,
    missing: &[&str],
    notes: &mut Vec<String>,
) -> Result<Option<SigningConfig>> {
    let names = missing.join(" and ");
    let verb = if missing.len() == 1 { "is" } else { "are" };
    if embedded_root(instance).is_none() {
        bail!(
            "offline: {names} of {url} {verb} not cached; run `sigstore plumbing \
             update-trust-root --instance {url}` while online",
            url = instance.url()
        );
    }
    notes.push(format!(
        "offline: {names} {verb} not cached; using the {SIGNING_CONFIG_TARGET} embedded in this \
         build, which may be out of date"
    ));
    embedded_signing_config(instance)
}

/// A missing cached trusted root replaced by the embedded one (production and staging), or an
/// error for a private instance.
fn embedded_trusted_root_part(
    instance: &Instance,
    notes: &mut Vec<String>,
) -> Result<Option<TrustedRoot>> {
    if embedded_root(instance).is_none() {
        bail!(
            "offline: {TRUSTED_ROOT_TARGET} of {url} is not cached; run `sigstore plumbing \
             update-trust-root --instance {url}` while online",
            url = instance.url()
        );
    }
    notes.push(format!(
        "offline: {TRUSTED_ROOT_TARGET} is not cached; using the {TRUSTED_ROOT_TARGET} embedded \
         in this build, which may be out of date"
    ));
    embedded_trusted_root(instance)
}

/// No cache: the embedded material of production and staging, or an error.
fn embedded(instance: &Instance, need: Need, mut notes: Vec<String>) -> Result<Loaded> {
    let Some(trusted_root) = embedded_trusted_root(instance)? else {
        bail!(
            "offline: there is no cached trust material for {url}; run `sigstore plumbing \
             update-trust-root --instance {url}` while online",
            url = instance.url()
        );
    };
    let signing_config = match need {
        Need::TrustedRoot => None,
        Need::Signing { .. } => embedded_signing_config(instance)?,
    };
    notes.push(format!(
        "offline: no cached trust material for {instance}; using the trusted root{} embedded in \
         this build, which may be out of date",
        if signing_config.is_some() {
            " and signing config"
        } else {
            ""
        }
    ));
    Ok(Loaded {
        trusted_root,
        signing_config,
        notes,
    })
}

/// What a refresh found, for `trust-instance` and `plumbing update-trust-root`.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The instance.
    pub instance: Instance,
    /// The trusted TUF root's version.
    pub root_version: u64,
    /// Its expiry.
    pub root_expires: Timestamp,
    /// The targets metadata version.
    pub targets_version: Option<u64>,
    /// Its expiry.
    pub targets_expires: Option<Timestamp>,
    /// Every target: name, length, SHA-256 (hex) if listed.
    pub targets: Vec<(String, u64, Option<String>)>,
    /// The targets now in the cache.
    pub fetched: Vec<String>,
    /// Where the files are.
    pub dirs: CacheDirs,
    /// Whether the repository was contacted.
    pub refreshed: bool,
}

impl Summary {
    fn new(instance: &Instance, trusted: &TrustedMetadata, dirs: &CacheDirs) -> Self {
        let targets = trusted
            .target_names()
            .into_iter()
            .map(|name| {
                let (length, sha256) = trusted
                    .target(&name)
                    .map(|info| (info.length, info.sha256().map(str::to_owned)))
                    .unwrap_or((0, None));
                (name, length, sha256)
            })
            .collect();
        Self {
            instance: instance.clone(),
            root_version: trusted.root_version(),
            root_expires: trusted.root_expires(),
            targets_version: trusted.targets_version(),
            targets_expires: trusted.targets_expires(),
            targets,
            fetched: Vec::new(),
            dirs: dirs.clone(),
            refreshed: false,
        }
    }

    /// The summary as printed, one fact a line (target names escaped).
    pub fn render(&self) -> String {
        let mut out = format!("TUF repository: {}\n", self.instance);
        out.push_str(&format!(
            "root: version {}, expires {}\n",
            self.root_version, self.root_expires
        ));
        if let (Some(version), Some(expires)) = (self.targets_version, self.targets_expires) {
            let count = self.targets.len();
            let plural = if count == 1 { "" } else { "s" };
            out.push_str(&format!(
                "targets: version {version}, expires {expires}, {count} file{plural}\n"
            ));
        }
        for (name, length, sha256) in &self.targets {
            let fetched = if self.fetched.contains(name) {
                " (cached)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {} {length} bytes sha256:{}{fetched}\n",
                crate::escape_controls(name),
                sha256.as_deref().unwrap_or("-")
            ));
        }
        if !self.refreshed {
            out.push_str("not refreshed (--offline): the repository was not contacted\n");
        }
        out.push_str(&format!(
            "metadata: {}\ntargets cache: {}\n",
            self.dirs.metadata.display(),
            self.dirs.targets.display()
        ));
        out
    }
}

/// Refreshes `instance` now and caches its trusted root and signing configs (so that
/// `--offline` has them later).
pub fn update(instance: &Instance, http: &HttpConfig) -> Result<Summary> {
    let dirs = CacheDirs::for_instance(instance)?;
    let bootstrap = bootstrap_root(instance, Some(&dirs))?;
    refresh_into(instance, &bootstrap, &dirs, http, true)
}

/// Refreshes into `dirs` and fetches the trusted root (required) and the signing configs
/// (`all`: those listed).
fn refresh_into(
    instance: &Instance,
    bootstrap: &[u8],
    dirs: &CacheDirs,
    http: &HttpConfig,
    all: bool,
) -> Result<Summary> {
    crate::sign::runtime()?.block_on(async {
        let mut tuf = client(instance, bootstrap, dirs, http)?;
        tuf.refresh(now())
            .await
            .map_err(|e| tuf_error(instance, e))?;
        let mut summary = Summary::new(instance, tuf.trusted(), dirs);
        summary.refreshed = true;
        let root = tuf
            .get_target(TRUSTED_ROOT_TARGET)
            .await
            .map_err(|e| tuf_error(instance, e))?;
        parse_root(
            &root,
            &format!("{} target {TRUSTED_ROOT_TARGET}", instance.url()),
        )?;
        summary.fetched.push(TRUSTED_ROOT_TARGET.to_owned());
        if all {
            for name in [SIGNING_CONFIG_TARGET, SIGNING_CONFIG_REKOR_V2_TARGET] {
                if tuf.trusted().target(name).is_err() {
                    continue;
                }
                let bytes = tuf
                    .get_target(name)
                    .await
                    .map_err(|e| tuf_error(instance, e))?;
                parse_config(&bytes, &format!("{} target {name}", instance.url()))?;
                summary.fetched.push(name.to_owned());
            }
        }
        Ok(summary)
    })
}

/// `trust-instance`: checks that `root_path` is a TUF root signed by its own root keys, and
/// (unless `offline`) that the repository at `url` refreshes from it and serves a trusted
/// root, then stores it as the instance's bootstrap root, replacing anything cached for the
/// instance. Nothing is stored when a check fails.
pub fn trust_instance(
    root_path: &Path,
    url: &str,
    offline: bool,
    http: &HttpConfig,
) -> Result<Summary> {
    let instance = Instance::parse(url).map_err(|e| usage(e.into()))?;
    let bytes = read_limited(root_path, MAX_ROOT_FILE)?;
    let trusted = TrustedMetadata::new(&bytes).with_context(|| {
        format!(
            "{}: not a TUF root signed by its own root keys",
            root_path.display()
        )
    })?;
    let dirs = CacheDirs::for_instance(&instance)?;
    // Fresh sibling directories, swapped in only when everything worked.
    let staging = CacheDirs {
        metadata: sibling(&dirs.metadata)?,
        targets: sibling(&dirs.targets)?,
    };
    let result = (|| {
        let summary = if offline {
            Summary::new(&instance, &trusted, &dirs)
        } else {
            let mut summary = refresh_into(&instance, &bytes, &staging, http, false)?;
            summary.dirs = dirs.clone();
            summary
        };
        write_atomic(&staging.bootstrap_path(), &bytes)?;
        Ok::<_, anyhow::Error>(summary)
    })();
    // Targets first: should the metadata swap fail (and its undoing with it), the old
    // metadata, with the bootstrap root, stays in place.
    let outcome = result.and_then(|summary| {
        swap_dirs(
            &[
                (&staging.targets, &dirs.targets),
                (&staging.metadata, &dirs.metadata),
            ],
            |from, to| std::fs::rename(from, to),
        )?;
        Ok(summary)
    });
    remove_dir_if_present(&staging.metadata);
    remove_dir_if_present(&staging.targets);
    outcome
}

/// A path next to `dir` that does not exist yet: `.<name>.<kind>-<pid>-<nanos>-<n>` (a
/// leading `.`, which escaped instance names never have).
fn sibling_path(dir: &Path, kind: &str) -> Result<PathBuf> {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let parent = dir
        .parent()
        .with_context(|| format!("{}: no parent directory", dir.display()))?;
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(parent.join(format!(".{name}.{kind}-{}-{nanos}-{n}", std::process::id())))
}

/// When `dir` is missing but a previous [`swap_dirs`] moved it aside (`.<name>.old-...`, with a
/// stored bootstrap root) and died before moving the new one in, renames the newest such
/// folder back to `dir` and returns where it was. `Ok(None)` when there is nothing to restore.
fn restore_interrupted_swap(dir: &Path) -> Result<Option<PathBuf>> {
    if std::fs::symlink_metadata(dir).is_ok() {
        return Ok(None);
    }
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return Ok(None);
    };
    let prefix = format!(".{}.old-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(None);
    };
    let newest = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|entry| entry.path().join(BOOTSTRAP_FILE).is_file())
        .filter_map(|entry| {
            let modified = entry.metadata().and_then(|m| m.modified()).ok()?;
            Some((modified, entry.path()))
        })
        .max_by_key(|(modified, _)| *modified);
    let Some((_, aside)) = newest else {
        return Ok(None);
    };
    std::fs::rename(&aside, dir).with_context(|| {
        format!(
            "cannot restore {} from {} (left by an interrupted trust-instance)",
            dir.display(),
            aside.display()
        )
    })?;
    Ok(Some(aside))
}

/// A fresh temporary directory next to `dir`.
fn sibling(dir: &Path) -> Result<PathBuf> {
    let tmp = sibling_path(dir, "new")?;
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    Ok(tmp)
}

/// Replaces each `(new, dst)` pair's `dst` (if any) by `new`, in order, all or nothing: each
/// old `dst` is renamed aside, `new` renamed in, and the old ones deleted only once every pair
/// is in place. When a rename fails, the pairs done so far are undone (their `new` renamed
/// back, the old `dst` restored) and the failed rename is the error; should undoing fail too,
/// the error also says what was not undone and where the old directory was kept. `rename` is
/// [`std::fs::rename`] (tests inject failures).
fn swap_dirs(
    pairs: &[(&Path, &Path)],
    rename: impl Fn(&Path, &Path) -> std::io::Result<()>,
) -> Result<()> {
    let mut done: Vec<(&Path, &Path, Option<PathBuf>)> = Vec::new();
    for &(new, dst) in pairs {
        match swap_one(new, dst, &rename) {
            Ok(aside) => done.push((new, dst, aside)),
            Err(error) => {
                let mut error = error;
                for (new, dst, aside) in done.into_iter().rev() {
                    if let Err(undo) = unswap(new, dst, aside.as_deref(), &rename) {
                        error = error.context(undo);
                    }
                }
                return Err(error);
            }
        }
    }
    for (_, _, aside) in done {
        if let Some(aside) = aside {
            remove_dir_if_present(&aside);
        }
    }
    Ok(())
}

/// Renames `dst` (if present) aside and `new` into its place; returns where the old `dst`
/// went. On failure nothing has changed (or the error names where the old `dst` is).
fn swap_one(
    new: &Path,
    dst: &Path,
    rename: &impl Fn(&Path, &Path) -> std::io::Result<()>,
) -> Result<Option<PathBuf>> {
    let aside = match std::fs::symlink_metadata(dst) {
        Ok(_) => {
            let aside = sibling_path(dst, "old")?;
            rename(dst, &aside).with_context(|| {
                format!("cannot move {} aside to {}", dst.display(), aside.display())
            })?;
            Some(aside)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dst.display())),
    };
    if let Err(e) = rename(new, dst) {
        let error = anyhow::Error::new(e).context(format!(
            "cannot move {} to {}",
            new.display(),
            dst.display()
        ));
        if let Some(aside) = &aside {
            if let Err(undo) = rename(aside, dst) {
                return Err(error.context(format!(
                    "cannot restore {} from {} ({undo}); the old directory is kept there",
                    dst.display(),
                    aside.display()
                )));
            }
        }
        return Err(error);
    }
    Ok(aside)
}

/// Undoes [`swap_one`]: `dst` back to `new`, the old one (if any) back to `dst`. The error
/// says what could not be undone and where the old directory is.
fn unswap(
    new: &Path,
    dst: &Path,
    aside: Option<&Path>,
    rename: &impl Fn(&Path, &Path) -> std::io::Result<()>,
) -> std::result::Result<(), String> {
    rename(dst, new).map_err(|e| {
        let kept = aside.map_or(String::new(), |a| {
            format!("; the old directory is kept at {}", a.display())
        });
        format!(
            "cannot undo the replacement of {} ({e}){kept}",
            dst.display()
        )
    })?;
    if let Some(aside) = aside {
        rename(aside, dst).map_err(|e| {
            format!(
                "cannot restore {} from {} ({e}); the old directory is kept there",
                dst.display(),
                aside.display()
            )
        })?;
    }
    Ok(())
}

fn remove_dir_if_present(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let parent = path
        .parent()
        .with_context(|| format!("{}: no parent directory", path.display()))?;
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    if let Err(e) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_flags() {
        assert!(instance_from_flags(false, Some("http://example.com"))
            .unwrap_err()
            .is::<crate::sign::UsageError>());
        assert_eq!(instance_from_flags(true, None).unwrap(), Instance::Staging);
        assert_eq!(
            instance_from_flags(false, None).unwrap(),
            Instance::Production
        );
        assert_eq!(
            instance_from_flags(true, Some("https://tuf.example.com/")).unwrap(),
            Instance::Custom("https://tuf.example.com".into())
        );
    }

    #[test]
    fn directory_names() {
        assert_eq!(
            dir_name(&Instance::Production),
            "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
        );
        let instance = Instance::parse("http://127.0.0.1:8080/a/b").unwrap();
        assert_eq!(dir_name(&instance), "http%3A%2F%2F127.0.0.1%3A8080%2Fa%2Fb");
        assert_eq!(sigstore_tuf::encode_name(".x"), "%2Ex");
        let dirs = CacheDirs::under(Path::new("/d"), Path::new("/c"), &Instance::Staging);
        assert_eq!(
            dirs.metadata,
            Path::new("/d/sigstore-rs/tuf/https%3A%2F%2Ftuf-repo-cdn.sigstage.dev")
        );
        assert_eq!(
            dirs.targets,
            Path::new("/c/sigstore-rs/tuf/https%3A%2F%2Ftuf-repo-cdn.sigstage.dev")
        );
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn xdg_directories() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let (data, cache) = user_dirs_from(env(&[("HOME", "/home/u")])).unwrap();
        assert_eq!(data, Path::new("/home/u/.local/share"));
        assert_eq!(cache, Path::new("/home/u/.cache"));
        let (data, cache) = user_dirs_from(env(&[
            ("HOME", "/home/u"),
            ("XDG_DATA_HOME", "/x/data"),
            ("XDG_CACHE_HOME", "relative"),
        ]))
        .unwrap();
        assert_eq!(data, Path::new("/x/data"));
        assert_eq!(cache, Path::new("/home/u/.cache"));
        let (data, cache) = user_dirs_from(env(&[
            ("XDG_DATA_HOME", "/x/data"),
            ("XDG_CACHE_HOME", "/x/cache"),
        ]))
        .unwrap();
        assert_eq!(
            (data.as_path(), cache.as_path()),
            (Path::new("/x/data"), Path::new("/x/cache"))
        );
        assert!(user_dirs_from(env(&[])).is_err());
        assert!(user_dirs_from(env(&[("HOME", "")])).is_err());
    }

    #[test]
    fn ages() {
        assert_eq!(human_age(-5), "0 seconds");
        assert_eq!(human_age(1), "1 second");
        assert_eq!(human_age(119), "119 seconds");
        assert_eq!(human_age(120), "2 minutes");
        assert_eq!(human_age(7_200), "2 hours");
        assert_eq!(human_age(86_400 * 3 + 5), "3 days");
    }

    /// A directory holding one file, `marker`, whose content is `content`.
    fn marked_dir(dir: &Path, content: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("marker"), content).unwrap();
    }

    fn marker(dir: &Path) -> String {
        std::fs::read_to_string(dir.join("marker")).unwrap_or_else(|_| "<missing>".to_owned())
    }

    /// Names in `dir` of directories moved aside and not cleaned up.
    fn asides(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".old-"))
            .collect()
    }

    #[test]
    fn an_interrupted_swap_is_restored() {
        let base = std::env::temp_dir().join(format!(
            "sigstore-cli-restore-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ));
        let dir = base.join("instance");
        std::fs::create_dir_all(&base).unwrap();
        // Nothing to restore: no folder, no leftovers.
        assert!(restore_interrupted_swap(&dir).unwrap().is_none());
        // A leftover without a stored root is not taken for the instance.
        let junk = base.join(".instance.old-1-1-0");
        std::fs::create_dir_all(&junk).unwrap();
        assert!(restore_interrupted_swap(&dir).unwrap().is_none());
        // The folder moved aside by a swap that died half-way comes back.
        let aside = base.join(".instance.old-2-2-1");
        std::fs::create_dir_all(&aside).unwrap();
        std::fs::write(aside.join(BOOTSTRAP_FILE), b"root").unwrap();
        assert_eq!(restore_interrupted_swap(&dir).unwrap(), Some(aside.clone()));
        assert_eq!(std::fs::read(dir.join(BOOTSTRAP_FILE)).unwrap(), b"root");
        assert!(!aside.exists());
        // With the folder present, leftovers are left alone.
        std::fs::create_dir_all(base.join(".instance.old-3-3-2")).unwrap();
        std::fs::write(base.join(".instance.old-3-3-2").join(BOOTSTRAP_FILE), b"x").unwrap();
        assert!(restore_interrupted_swap(&dir).unwrap().is_none());
        assert_eq!(std::fs::read(dir.join(BOOTSTRAP_FILE)).unwrap(), b"root");
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn swap_dirs_is_all_or_nothing() {
        type Fail = fn(&Path, &Path, &Layout) -> bool;
        struct Layout {
            t: PathBuf,
            m: PathBuf,
            nt: PathBuf,
            nm: PathBuf,
        }
        let mut passed = 0;
        let base = std::env::temp_dir().join(format!(
            "sigstore-cli-swap-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ));
        // (what fails, whether old directories exist)
        let failing: [(&str, Fail); 4] = [
            ("moving the old targets aside", |f, _, l| f == l.t),
            ("moving the new targets in", |f, t, l| f == l.nt && t == l.t),
            ("moving the old metadata aside", |f, _, l| f == l.m),
            ("moving the new metadata in", |f, t, l| {
                f == l.nm && t == l.m
            }),
        ];
        for (i, (what, fail)) in failing.iter().enumerate() {
            for old_exists in [true, false] {
                let dir = base.join(format!("{i}-{old_exists}"));
                let l = Layout {
                    t: dir.join("t"),
                    m: dir.join("m"),
                    nt: dir.join("nt"),
                    nm: dir.join("nm"),
                };
                if old_exists {
                    marked_dir(&l.t, "old t");
                    marked_dir(&l.m, "old m");
                } else if i == 0 || i == 2 {
                    // Nothing to move aside.
                    continue;
                }
                marked_dir(&l.nt, "new t");
                marked_dir(&l.nm, "new m");
                let result = swap_dirs(&[(&l.nt, &l.t), (&l.nm, &l.m)], |from, to| {
                    if fail(from, to, &l) {
                        Err(std::io::Error::other("injected failure"))
                    } else {
                        std::fs::rename(from, to)
                    }
                });
                let e = result.expect_err(what);
                assert!(
                    format!("{e:#}").contains("injected failure"),
                    "{what}: {e:#}"
                );
                let (old_t, old_m) = if old_exists {
                    ("old t", "old m")
                } else {
                    ("<missing>", "<missing>")
                };
                assert_eq!(
                    (marker(&l.t), marker(&l.m)),
                    (old_t.to_owned(), old_m.to_owned()),
                    "{what}"
                );
                assert_eq!(
                    (marker(&l.nt), marker(&l.nm)),
                    ("new t".to_owned(), "new m".to_owned()),
                    "{what}"
                );
                assert!(asides(&dir).is_empty(), "{what}: {:?}", asides(&dir));
                passed += 1;
            }
        }

        // Undoing fails too: the error says where the old targets are, and they are kept.
        let dir = base.join("undo");
        let l = Layout {
            t: dir.join("t"),
            m: dir.join("m"),
            nt: dir.join("nt"),
            nm: dir.join("nm"),
        };
        for (d, content) in [
            (&l.t, "old t"),
            (&l.m, "old m"),
            (&l.nt, "new t"),
            (&l.nm, "new m"),
        ] {
            marked_dir(d, content);
        }
        let e = swap_dirs(&[(&l.nt, &l.t), (&l.nm, &l.m)], |from, to| {
            if (from == l.nm && to == l.m) || (from == l.t && to == l.nt) {
                Err(std::io::Error::other("injected failure"))
            } else {
                std::fs::rename(from, to)
            }
        })
        .unwrap_err();
        let message = format!("{e:#}");
        let kept = asides(&dir);
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert!(message.contains(&kept[0]), "{message}");
        assert_eq!(marker(&dir.join(&kept[0])), "old t");
        assert_eq!(marker(&l.m), "old m");
        passed += 1;

        // Success, with and without old directories: the new ones in place, nothing aside.
        for old_exists in [true, false] {
            let dir = base.join(format!("ok-{old_exists}"));
            let l = Layout {
                t: dir.join("t"),
                m: dir.join("m"),
                nt: dir.join("nt"),
                nm: dir.join("nm"),
            };
            if old_exists {
                marked_dir(&l.t, "old t");
                marked_dir(&l.m, "old m");
            }
            marked_dir(&l.nt, "new t");
            marked_dir(&l.nm, "new m");
            swap_dirs(&[(&l.nt, &l.t), (&l.nm, &l.m)], |from, to| {
                std::fs::rename(from, to)
            })
            .unwrap();
            assert_eq!(
                (marker(&l.t), marker(&l.m)),
                ("new t".into(), "new m".into())
            );
            assert!(!l.nt.exists() && !l.nm.exists());
            assert!(asides(&dir).is_empty());
            passed += 1;
        }
        let _ = std::fs::remove_dir_all(&base);
        println!("directory swaps: {passed} passed, 0 failed");
        assert_eq!(passed, 9);
    }

    #[test]
    fn private_instances_need_a_stored_root() {
        let instance = Instance::parse("https://tuf.example.com").unwrap();
        let dirs = CacheDirs::under(
            Path::new("/nonexistent-sigstore-rs-test/d"),
            Path::new("/nonexistent-sigstore-rs-test/c"),
            &instance,
        );
        let e = bootstrap_root(&instance, Some(&dirs)).unwrap_err();
        assert!(e.to_string().contains("trust-instance"), "{e}");
        assert_eq!(
            bootstrap_root(&Instance::Production, Some(&dirs)).unwrap(),
            sigstore_trust::PRODUCTION.tuf_root
        );
    }
}
