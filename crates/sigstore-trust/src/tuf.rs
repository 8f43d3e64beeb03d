//! Trust material over TUF, with a per-user cache (feature `tuf`).
//!
//! [`load`] gives an instance's trusted root (and, for signing, its signing config):
//!
//! - online (the default), the instance's TUF repository is refreshed now (root rotation,
//!   timestamp, snapshot, targets; see `sigstore-tuf`) and the targets are downloaded into the
//!   cache; any failure is an error, never a silent fallback;
//! - with [`LoadOptions::offline`], nothing is fetched: the cache of the last refresh is used
//!   (signatures checked, freshness not; its age is reported), a Rekor v2 signing config that
//!   was never downloaded is replaced by the cached default one, and only what is not cached
//!   at all is taken from the material embedded in this crate (production and staging).
//!
//! The result, [`Loaded`], says where each part came from ([`Origin`]) and how old the cache
//! was, and carries the same facts as sentences ([`Loaded::notes`]) for a program to show.
//!
//! The cache of an instance ([`CacheDirs`]): its metadata, including a bootstrap root stored by
//! [`trust_instance`], under the user's data directory (`sigstore-rs/tuf/<escaped URL>/`), its
//! target files under the user's cache directory (same relative path). Every file is written
//! to a temporary name and renamed into place.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use sigstore_http::HttpConfig;
use sigstore_tuf::{HttpTransport, OfflineTuf, TrustedMetadata, Tuf};
use sigstore_types::{SigningConfig, Timestamp, TrustedRoot};

use crate::{
    Error, Instance, SIGNING_CONFIG_REKOR_V2_TARGET, SIGNING_CONFIG_TARGET, TRUSTED_ROOT_TARGET,
};

/// The application directory below the user's data and cache directories.
pub const APP_DIR: &str = "sigstore-rs";
/// The file (in an instance's metadata directory) holding the root given to
/// [`trust_instance`].
pub const BOOTSTRAP_FILE: &str = "bootstrap_root.json";
/// Largest TUF root file read, in bytes.
pub const MAX_ROOT_FILE: u64 = 512 * 1024;

/// The name of an instance's cache directories: the URL with every byte outside
/// `[A-Za-z0-9._-]` (and a leading `.`) percent-encoded.
pub fn dir_name(instance: &Instance) -> String {
    sigstore_tuf::encode_name(instance.url())
}

/// The user's data and cache directories: on Linux and other Unix systems `$XDG_DATA_HOME`
/// (else `~/.local/share`) and `$XDG_CACHE_HOME` (else `~/.cache`), relative values being
/// ignored as the XDG specification says; on macOS `~/Library/Application Support` and
/// `~/Library/Caches`; on Windows `%APPDATA%` and `%LOCALAPPDATA%`. `env` looks up a variable.
pub fn user_dirs_from(env: impl Fn(&str) -> Option<OsString>) -> Result<(PathBuf, PathBuf), Error> {
    let absolute = |name: &str| env(name).map(PathBuf::from).filter(|p| p.is_absolute());
    if cfg!(windows) {
        let data = absolute("APPDATA").ok_or(Error::NoHome {
            variable: "APPDATA",
        })?;
        let cache = absolute("LOCALAPPDATA").ok_or(Error::NoHome {
            variable: "LOCALAPPDATA",
        })?;
        return Ok((data, cache));
    }
    let home = || absolute("HOME").ok_or(Error::NoHome { variable: "HOME" });
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
    pub fn for_instance(instance: &Instance) -> Result<Self, Error> {
        let (data, cache) = user_dirs_from(|name| std::env::var_os(name))?;
        Ok(Self::under(&data, &cache, instance))
    }

    /// The stored bootstrap root.
    pub fn bootstrap_path(&self) -> PathBuf {
        self.metadata.join(BOOTSTRAP_FILE)
    }
}

/// What the caller needs from the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The trusted root (verification).
    TrustedRoot,
    /// The trusted root and a signing config (signing); `rekor_v2` prefers
    /// [`SIGNING_CONFIG_REKOR_V2_TARGET`] where the repository publishes it.
    Signing {
        /// Whether Rekor v2 was asked for.
        rekor_v2: bool,
    },
}

/// How [`load`] works.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Use only the cache (else the embedded material); fetch nothing.
    pub offline: bool,
    /// HTTP settings (timeouts, retries, proxies) for the refresh; the response cap is raised
    /// to fit the largest TUF download.
    pub http: HttpConfig,
    /// The cache directories; `None`: the user's ([`CacheDirs::for_instance`]).
    pub dirs: Option<CacheDirs>,
}

impl LoadOptions {
    /// Offline: the cache of the last refresh, else the embedded material.
    pub fn offline() -> Self {
        Self {
            offline: true,
            ..Self::default()
        }
    }
}

/// Where one part of the trust material came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Downloaded (or confirmed current) by a refresh just now: the TUF target's name.
    Refreshed(&'static str),
    /// The cache of an earlier refresh: the TUF target's name.
    Cached(&'static str),
    /// The copy embedded in this build.
    Embedded,
}

/// The state of the cache an offline load used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheAge {
    /// When the cache was last refreshed.
    pub refreshed_at: Timestamp,
    /// Seconds since then.
    pub age_seconds: i64,
    /// Whether its TUF metadata has expired since.
    pub expired: bool,
}

/// Trust material, where it came from, and what a program should tell its user about that.
#[derive(Debug)]
pub struct Loaded {
    /// The instance.
    pub instance: Instance,
    /// The trusted root.
    pub trusted_root: TrustedRoot,
    /// Where the trusted root came from.
    pub trusted_root_origin: Origin,
    /// The signing config ([`Need::Signing`] only).
    pub signing_config: Option<SigningConfig>,
    /// Where the signing config came from ([`Need::Signing`] only).
    pub signing_config_origin: Option<Origin>,
    /// The cache used offline, with its age (`None` online, or offline without a cache).
    pub cache: Option<CacheAge>,
    /// The facts above as sentences, for material that is not freshly refreshed (offline:
    /// which cache and how old, what was not cached, that embedded copies are used).
    pub notes: Vec<String>,
}

/// The bootstrap root of `instance`: the one stored by [`trust_instance`] in `dirs`, else the
/// embedded one (production and staging). A private instance without one is
/// [`Error::NotTrusted`]. A folder that an interrupted [`trust_instance`] left moved aside is
/// first renamed back (and `restored` names it).
pub fn bootstrap_root(
    instance: &Instance,
    dirs: Option<&CacheDirs>,
    restored: &mut Option<PathBuf>,
) -> Result<Vec<u8>, Error> {
    if let Some(dirs) = dirs {
        let path = dirs.bootstrap_path();
        if !path.exists() {
            *restored = restore_interrupted_swap(&dirs.metadata)?;
        }
        if path.is_file() {
            return read_limited(&path, MAX_ROOT_FILE);
        }
    }
    match instance.embedded() {
        Some(embedded) => Ok(embedded.tuf_root.to_vec()),
        None => Err(Error::NotTrusted {
            url: instance.url().to_owned(),
        }),
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
) -> Result<Tuf<HttpTransport>, Error> {
    let url = instance.url().to_owned();
    let transport =
        HttpTransport::new(instance.url(), tuf_http(http)).map_err(|source| Error::Http {
            url: url.clone(),
            source: Box::new(source),
        })?;
    Tuf::with_cache_dirs(bootstrap, &dirs.metadata, &dirs.targets, transport).map_err(|source| {
        Error::BadRoot {
            origin: url,
            source: Box::new(source),
        }
    })
}

/// A refresh or download failure: unreachable (the network) or failed verification.
fn tuf_error(instance: &Instance, source: sigstore_tuf::Error) -> Error {
    let url = instance.url().to_owned();
    if matches!(source, sigstore_tuf::Error::Transport { .. }) {
        Error::Unreachable {
            url,
            embedded: instance.embedded().is_some(),
            source: Box::new(source),
        }
    } else {
        Error::Repository {
            url,
            source: Box::new(source),
        }
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

fn parse_root(bytes: &[u8], origin: String) -> Result<TrustedRoot, Error> {
    TrustedRoot::from_json(bytes).map_err(|source| Error::Invalid {
        origin,
        what: "trusted root",
        source,
    })
}

fn parse_config(bytes: &[u8], origin: String) -> Result<SigningConfig, Error> {
    SigningConfig::from_json(bytes).map_err(|source| Error::Invalid {
        origin,
        what: "signing config",
        source,
    })
}

/// The current time from the system clock.
fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

/// The trust material `need`s from `instance`, as [`LoadOptions`] say: refreshed over TUF
/// now, or offline from the cache (else the embedded material of production and staging).
/// Blocking: starts a small runtime of its own for the refresh; from async code use
/// [`load_async`].
pub fn load(instance: &Instance, need: Need, options: &LoadOptions) -> Result<Loaded, Error> {
    if options.offline {
        load_offline(instance, need, options)
    } else {
        runtime()?.block_on(load_online(instance, need, options))
    }
}

/// [`load`] for async callers.
pub async fn load_async(
    instance: &Instance,
    need: Need,
    options: &LoadOptions,
) -> Result<Loaded, Error> {
    if options.offline {
        load_offline(instance, need, options)
    } else {
        load_online(instance, need, options).await
    }
}

fn dirs_for(instance: &Instance, options: &LoadOptions) -> Result<CacheDirs, Error> {
    match &options.dirs {
        Some(dirs) => Ok(dirs.clone()),
        None => CacheDirs::for_instance(instance),
    }
}

fn restored_note(instance: &Instance, restored: Option<PathBuf>, notes: &mut Vec<String>) {
    if let Some(restored) = restored {
        notes.push(format!(
            "restored the stored TUF metadata of {} from {} (left by an interrupted \
             trust-instance)",
            instance.describe(),
            restored.display()
        ));
    }
}

async fn load_online(
    instance: &Instance,
    need: Need,
    options: &LoadOptions,
) -> Result<Loaded, Error> {
    let dirs = dirs_for(instance, options)?;
    let mut restored = None;
    let bootstrap = bootstrap_root(instance, Some(&dirs), &mut restored)?;
    let mut notes = Vec::new();
    restored_note(instance, restored, &mut notes);
    let mut tuf = client(instance, &bootstrap, &dirs, &options.http)?;
    tuf.refresh(now())
        .await
        .map_err(|e| tuf_error(instance, e))?;
    let root_bytes = tuf
        .get_target(TRUSTED_ROOT_TARGET)
        .await
        .map_err(|e| tuf_error(instance, e))?;
    let origin = |name: &str| format!("{} target {name}", instance.url());
    let trusted_root = parse_root(&root_bytes, origin(TRUSTED_ROOT_TARGET))?;
    let (signing_config, signing_config_origin) = match need {
        Need::TrustedRoot => (None, None),
        Need::Signing { rekor_v2 } => {
            let name = signing_target(tuf.trusted(), rekor_v2);
            let bytes = tuf
                .get_target(name)
                .await
                .map_err(|e| tuf_error(instance, e))?;
            (
                Some(parse_config(&bytes, origin(name))?),
                Some(Origin::Refreshed(name)),
            )
        }
    };
    Ok(Loaded {
        instance: instance.clone(),
        trusted_root,
        trusted_root_origin: Origin::Refreshed(TRUSTED_ROOT_TARGET),
        signing_config,
        signing_config_origin,
        cache: None,
        notes,
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

fn load_offline(instance: &Instance, need: Need, options: &LoadOptions) -> Result<Loaded, Error> {
    let dirs = match dirs_for(instance, options) {
        Ok(dirs) => Some(dirs),
        // No home directory: there can be no cache; the embedded material may still do.
        Err(_) if instance.embedded().is_some() => None,
        Err(e) => return Err(e),
    };
    let mut restored = None;
    let bootstrap = bootstrap_root(instance, dirs.as_ref(), &mut restored)?;
    let mut notes = Vec::new();
    restored_note(instance, restored, &mut notes);
    let tuf = match &dirs {
        None => None,
        Some(dirs) => {
            match OfflineTuf::load_with_cache_dirs(&bootstrap, &dirs.metadata, &dirs.targets, now())
            {
                Ok(tuf) => Some(tuf),
                Err(sigstore_tuf::Error::CacheMissing { .. }) => None,
                Err(source) => {
                    return Err(Error::CacheUnusable {
                        url: instance.url().to_owned(),
                        dir: dirs.metadata.clone(),
                        source: Box::new(source),
                    })
                }
            }
        }
    };
    let Some(tuf) = tuf else {
        return embedded(instance, need, notes);
    };
    let cache = CacheAge {
        refreshed_at: tuf.refreshed_at(),
        age_seconds: tuf.age_seconds(),
        expired: tuf.is_expired(),
    };
    let mut note = format!(
        "offline: using the cached trust material of {instance}, last refreshed {} ({} ago)",
        cache.refreshed_at,
        human_age(cache.age_seconds)
    );
    if cache.expired {
        note.push_str("; its TUF metadata has expired since, so it may be out of date");
    }
    notes.push(note);
    let cached = |name: &'static str| -> Result<Option<Vec<u8>>, Error> {
        match tuf.get_target(name) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(sigstore_tuf::Error::CacheMissing { .. }) => Ok(None),
            Err(source) => Err(Error::CachedTarget {
                url: instance.url().to_owned(),
                target: name,
                source: Box::new(source),
            }),
        }
    };
    let origin = |name: &str| format!("cached {} target {name}", instance.url());
    let (trusted_root, trusted_root_origin) = match cached(TRUSTED_ROOT_TARGET)? {
        Some(bytes) => (
            parse_root(&bytes, origin(TRUSTED_ROOT_TARGET))?,
            Origin::Cached(TRUSTED_ROOT_TARGET),
        ),
        None => (
            embedded_part(instance, &[TRUSTED_ROOT_TARGET], &mut notes)?.trusted_root()?,
            Origin::Embedded,
        ),
    };
    let (signing_config, signing_config_origin) = match need {
        Need::TrustedRoot => (None, None),
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
                    found = Some((parse_config(&bytes, origin(name))?, Origin::Cached(name)));
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
            let (config, origin) = match found {
                Some(found) => found,
                None => (
                    embedded_part(instance, &missing, &mut notes)?.signing_config()?,
                    Origin::Embedded,
                ),
            };
            (Some(config), Some(origin))
        }
    };
    Ok(Loaded {
        instance: instance.clone(),
        trusted_root,
        trusted_root_origin,
        signing_config,
        signing_config_origin,
        cache: Some(cache),
        notes,
    })
}

/// Targets that are not cached (`missing`) replaced by the embedded copies of production and
/// staging (a note says so), or [`Error::NotCached`] for a private instance.
fn embedded_part(
    instance: &Instance,
    missing: &[&str],
    notes: &mut Vec<String>,
) -> Result<&'static crate::Embedded, Error> {
    let names = missing.join(" and ");
    let Some(embedded) = instance.embedded() else {
        return Err(Error::NotCached {
            url: instance.url().to_owned(),
            what: names,
        });
    };
    let verb = if missing.len() == 1 { "is" } else { "are" };
    let file = if missing.contains(&TRUSTED_ROOT_TARGET) {
        TRUSTED_ROOT_TARGET
    } else {
        SIGNING_CONFIG_TARGET
    };
    notes.push(format!(
        "offline: {names} {verb} not cached; using the {file} embedded in this build, which may \
         be out of date"
    ));
    Ok(embedded)
}

/// No cache: the embedded material of production and staging, or an error.
fn embedded(instance: &Instance, need: Need, mut notes: Vec<String>) -> Result<Loaded, Error> {
    let Some(embedded) = instance.embedded() else {
        return Err(Error::NotCached {
            url: instance.url().to_owned(),
            what: "trust material".to_owned(),
        });
    };
    let trusted_root = embedded.trusted_root()?;
    let (signing_config, signing_config_origin) = match need {
        Need::TrustedRoot => (None, None),
        Need::Signing { .. } => (Some(embedded.signing_config()?), Some(Origin::Embedded)),
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
        instance: instance.clone(),
        trusted_root,
        trusted_root_origin: Origin::Embedded,
        signing_config,
        signing_config_origin,
        cache: None,
        notes,
    })
}

/// What a refresh found, for a `trust-instance` or `update-trust-root` report.
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
    /// Sentences for the user (a restored interrupted swap).
    pub notes: Vec<String>,
}

impl Summary {
    /// The summary as a report, one fact a line: its [`Display`](std::fmt::Display) output,
    /// then whether the repository was contacted (not offline) and where the cache is.
    pub fn report(&self) -> String {
        let mut out = self.to_string();
        if !self.refreshed {
            out.push_str("not refreshed (offline): the repository was not contacted\n");
        }
        out.push_str(&format!(
            "metadata: {}\ntargets cache: {}\n",
            self.dirs.metadata.display(),
            self.dirs.targets.display()
        ));
        out
    }
}

/// One fact a line: the notes, the repository, the root and targets versions and expiry, and
/// every target (name, length, SHA-256, whether it is cached). Target names are escaped.
impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        writeln!(f, "TUF repository: {}", self.instance)?;
        writeln!(
            f,
            "root: version {}, expires {}",
            self.root_version, self.root_expires
        )?;
        if let (Some(version), Some(expires)) = (self.targets_version, self.targets_expires) {
            let count = self.targets.len();
            let plural = if count == 1 { "" } else { "s" };
            writeln!(
                f,
                "targets: version {version}, expires {expires}, {count} file{plural}"
            )?;
        }
        for (name, length, sha256) in &self.targets {
            let cached = if self.fetched.contains(name) {
                " (cached)"
            } else {
                ""
            };
            writeln!(
                f,
                "  {} {length} bytes sha256:{}{cached}",
                sigstore_types::encoding::escape_controls(name),
                sha256.as_deref().unwrap_or("-")
            )?;
        }
        Ok(())
    }
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
            notes: Vec::new(),
        }
    }
}

/// Refreshes `instance` now and caches its trusted root and every signing config it
/// publishes, so that offline use has them later. `dirs`: `None` for the user's.
pub fn update(
    instance: &Instance,
    http: &HttpConfig,
    dirs: Option<&CacheDirs>,
) -> Result<Summary, Error> {
    let dirs = match dirs {
        Some(dirs) => dirs.clone(),
        None => CacheDirs::for_instance(instance)?,
    };
    let mut restored = None;
    let bootstrap = bootstrap_root(instance, Some(&dirs), &mut restored)?;
    let mut summary = runtime()?.block_on(refresh_into(instance, &bootstrap, &dirs, http))?;
    restored_note(instance, restored, &mut summary.notes);
    Ok(summary)
}

/// Refreshes into `dirs` and fetches the trusted root (required) and the signing configs that
/// are listed.
async fn refresh_into(
    instance: &Instance,
    bootstrap: &[u8],
    dirs: &CacheDirs,
    http: &HttpConfig,
) -> Result<Summary, Error> {
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
        format!("{} target {TRUSTED_ROOT_TARGET}", instance.url()),
    )?;
    summary.fetched.push(TRUSTED_ROOT_TARGET.to_owned());
    for name in [SIGNING_CONFIG_TARGET, SIGNING_CONFIG_REKOR_V2_TARGET] {
        if tuf.trusted().target(name).is_err() {
            continue;
        }
        let bytes = tuf
            .get_target(name)
            .await
            .map_err(|e| tuf_error(instance, e))?;
        parse_config(&bytes, format!("{} target {name}", instance.url()))?;
        summary.fetched.push(name.to_owned());
    }
    Ok(summary)
}

/// Trusts a private instance: checks that `root` (read from `root_path`, at most
/// [`MAX_ROOT_FILE`] bytes) is a TUF root signed by its own root keys, and (unless `offline`)
/// that the repository at `instance` refreshes from it and serves a trusted root (and every
/// signing config it lists, all cached for later offline use); then stores it as the
/// instance's bootstrap root, replacing anything cached for the instance. Nothing is stored
/// when a check fails; the old cache is replaced all or nothing. `dirs`: `None` for the
/// user's.
pub fn trust_instance(
    root_path: &Path,
    instance: &Instance,
    offline: bool,
    http: &HttpConfig,
    dirs: Option<&CacheDirs>,
) -> Result<Summary, Error> {
    let bytes = read_limited(root_path, MAX_ROOT_FILE)?;
    let trusted = TrustedMetadata::new(&bytes).map_err(|source| Error::BadRoot {
        origin: root_path.display().to_string(),
        source: Box::new(source),
    })?;
    let dirs = match dirs {
        Some(dirs) => dirs.clone(),
        None => CacheDirs::for_instance(instance)?,
    };
    // Fresh sibling directories, swapped in only when everything worked.
    let staging = CacheDirs {
        metadata: sibling(&dirs.metadata)?,
        targets: sibling(&dirs.targets)?,
    };
    let result = (|| {
        let summary = if offline {
            Summary::new(instance, &trusted, &dirs)
        } else {
            let mut summary =
                runtime()?.block_on(refresh_into(instance, &bytes, &staging, http))?;
            summary.dirs = dirs.clone();
            summary
        };
        write_atomic(&staging.bootstrap_path(), &bytes)?;
        Ok::<_, Error>(summary)
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

/// Reads at most `limit` bytes of `path`; a larger file is an error.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let io = |source| Error::Io {
        action: "read",
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    sigstore_types::io::read_limited(file, limit)
        .map_err(io)?
        .ok_or_else(|| Error::TooLarge {
            path: path.to_owned(),
            limit,
        })
}

/// A path next to `dir` that does not exist yet: `.<name>.<kind>-<pid>-<nanos>-<n>` (a
/// leading `.`, which escaped instance names never have).
fn sibling_path(dir: &Path, kind: &str) -> Result<PathBuf, Error> {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let parent = dir.parent().ok_or_else(|| Error::Io {
        action: "find the parent of",
        path: dir.to_owned(),
        source: std::io::ErrorKind::NotFound.into(),
    })?;
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
fn restore_interrupted_swap(dir: &Path) -> Result<Option<PathBuf>, Error> {
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
    std::fs::rename(&aside, dir).map_err(|source| Error::Swap {
        what: format!(
            "cannot restore {} from {} (left by an interrupted trust-instance)",
            dir.display(),
            aside.display()
        ),
        source,
    })?;
    Ok(Some(aside))
}

/// A fresh temporary directory next to `dir`.
fn sibling(dir: &Path) -> Result<PathBuf, Error> {
    let tmp = sibling_path(dir, "new")?;
    std::fs::create_dir_all(&tmp).map_err(|source| Error::Io {
        action: "create",
        path: tmp.clone(),
        source,
    })?;
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
) -> Result<(), Error> {
    let mut done: Vec<(&Path, &Path, Option<PathBuf>)> = Vec::new();
    for &(new, dst) in pairs {
        match swap_one(new, dst, &rename) {
            Ok(aside) => done.push((new, dst, aside)),
            Err(error) => {
                let mut error = error;
                for (new, dst, aside) in done.into_iter().rev() {
                    if let Err(undo) = unswap(new, dst, aside.as_deref(), &rename) {
                        error = error.also(undo);
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
) -> Result<Option<PathBuf>, Error> {
    let aside = match std::fs::symlink_metadata(dst) {
        Ok(_) => {
            let aside = sibling_path(dst, "old")?;
            rename(dst, &aside).map_err(|source| Error::Swap {
                what: format!("cannot move {} aside to {}", dst.display(), aside.display()),
                source,
            })?;
            Some(aside)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(Error::Io {
                action: "read",
                path: dst.to_owned(),
                source,
            })
        }
    };
    if let Err(source) = rename(new, dst) {
        let mut error = Error::Swap {
            what: format!("cannot move {} to {}", new.display(), dst.display()),
            source,
        };
        if let Some(aside) = &aside {
            if let Err(undo) = rename(aside, dst) {
                error = error.also(format!(
                    "cannot restore {} from {} ({undo}); the old directory is kept there",
                    dst.display(),
                    aside.display()
                ));
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
) -> Result<(), String> {
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
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |action, source| Error::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let parent = path
        .parent()
        .ok_or_else(|| io("find the parent of", std::io::ErrorKind::NotFound.into()))?;
    std::fs::create_dir_all(parent).map_err(|e| io("create the folder of", e))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    if let Err(e) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io("write", e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error and its sources, one after the other.
    fn chain(e: &dyn std::error::Error) -> String {
        let mut text = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
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
        let base = sigstore_test_support::TempDir::new("sigstore-trust-restore");
        let dir = base.join("instance");
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
        let base = sigstore_test_support::TempDir::new("sigstore-trust-swap");
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
                assert!(chain(&e).contains("injected failure"), "{what}: {e:#}");
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
        let message = chain(&e);
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
        let e = bootstrap_root(&instance, Some(&dirs), &mut None).unwrap_err();
        assert!(
            matches!(&e, Error::NotTrusted { url } if url == "https://tuf.example.com"),
            "{e}"
        );
        assert_eq!(
            bootstrap_root(&Instance::Production, Some(&dirs), &mut None).unwrap(),
            crate::PRODUCTION.tuf_root
        );
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let instance = Instance::Staging;
        let summary = Summary {
            dirs: CacheDirs::under(Path::new("/d"), Path::new("/c"), &instance),
            instance,
            root_version: 3,
            root_expires: Timestamp::from_unix(0),
            targets_version: Some(9),
            targets_expires: Some(Timestamp::from_unix(60)),
            targets: vec![
                ("a\nb.json".to_owned(), 12, Some("ff".to_owned())),
                ("c.json".to_owned(), 1, None),
            ],
            fetched: vec!["c.json".to_owned()],
            refreshed: true,
            notes: vec!["restored".to_owned()],
        };
        let text = summary.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "note: restored");
        assert!(lines[1].starts_with("TUF repository: "), "{text}");
        assert_eq!(lines[2], "root: version 3, expires 1970-01-01T00:00:00Z");
        assert_eq!(
            lines[3],
            "targets: version 9, expires 1970-01-01T00:01:00Z, 2 files"
        );
        assert_eq!(lines[4], "  a\\nb.json 12 bytes sha256:ff");
        assert_eq!(lines[5], "  c.json 1 bytes sha256:- (cached)");
        assert_eq!(lines.len(), 6);
    }
}
