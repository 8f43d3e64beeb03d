//! What the workspace's tests share: where the project's data lives, the rule every fixture
//! folder follows, and where the optional local-stack tools are.
//!
//! Everything a test needs ships with the repository: the conformance cases, Merkle vectors
//! and a TUF repository snapshot under `testdata/`, the embedded trust material under
//! `crates/sigstore-trust/data/`. Each fixture folder carries a `SOURCE.md` (where and when
//! the data were taken) and a `SHA256SUMS` listing every file; [`check_fixture_folder`]
//! enforces that. Only the local-stack tools (a real OpenID provider, service mocks) live
//! outside the project; the CI runner names them in `SIGSTORE_STACK_TOOLS`, and tests that
//! need them skip when they are absent.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `testdata/` at the workspace root.
pub fn testdata() -> PathBuf {
    workspace_root().join("testdata")
}

/// The sigstore-conformance verification cases: `$SIGSTORE_CONFORMANCE_CASES` when set, else
/// `testdata/conformance/bundle-verify`.
pub fn conformance_cases() -> PathBuf {
    std::env::var_os("SIGSTORE_CONFORMANCE_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| testdata().join("conformance/bundle-verify"))
}

/// The default artifact of the conformance cases (`a.txt`).
pub fn conformance_artifact() -> PathBuf {
    testdata().join("conformance/a.txt")
}

/// The case folders of the real-world corpus (`testdata/real-world/<case>/`, each with a
/// `case.json`), sorted; empty when the corpus is missing.
pub fn real_world_cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(testdata().join("real-world"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// RFC 6962/9162 Merkle proof vectors (`testdata/merkle`).
pub fn merkle_vectors() -> PathBuf {
    testdata().join("merkle")
}

/// The production TUF repository snapshot of 2026-08-21 (`testdata/tuf/production-repo`),
/// laid out as a client fetches it; valid with the clock at 2026-08-22.
pub fn tuf_production_repo() -> PathBuf {
    testdata().join("tuf/production-repo")
}

/// An embedded trust file of a public instance: `instance` is `production` or `staging`,
/// `file` one of `root.json`, `trusted_root.json`, `signing_config.v0.2.json`.
pub fn trust_file(instance: &str, file: &str) -> PathBuf {
    workspace_root()
        .join("crates/sigstore-trust/data")
        .join(instance)
        .join(file)
}

/// The local-stack tools (a real OpenID provider's login script, the TUF repository maker),
/// from `$SIGSTORE_STACK_TOOLS`, which the CI runner sets next to `SIGSTORE_STACK_DIR`; `None`
/// when it is not set or not a folder. Only tests that need the running stack use them, and
/// they skip without it.
pub fn local_stack_tools() -> Option<PathBuf> {
    let tools = PathBuf::from(std::env::var_os("SIGSTORE_STACK_TOOLS")?);
    tools.is_dir().then_some(tools)
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The entries of a `SHA256SUMS` file (`HEX  PATH` lines, as `sha256sum` writes them), by
/// path; a malformed line is an error naming it.
pub fn parse_sums(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut sums = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (hash, path) = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .ok_or_else(|| format!("line {}: not `HEX  PATH`", n + 1))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("line {}: not a SHA-256", n + 1));
        }
        let path = path.strip_prefix("./").unwrap_or(path);
        if sums
            .insert(path.to_owned(), hash.to_ascii_lowercase())
            .is_some()
        {
            return Err(format!("line {}: {path} listed twice", n + 1));
        }
    }
    Ok(sums)
}

/// Every file below `dir` (relative paths with `/`), sorted; hidden names are skipped.
pub fn files_below(dir: &Path) -> std::io::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// The fixture rule for one folder: it has a `SOURCE.md` and a `SHA256SUMS`; every file below
/// it other than those two is listed, and every listed file exists with that hash. Returns the
/// number of files checked, or every problem found.
pub fn check_fixture_folder(dir: &Path) -> Result<usize, Vec<String>> {
    let mut problems = Vec::new();
    if !dir.join("SOURCE.md").is_file() {
        problems.push(format!("{}: no SOURCE.md", dir.display()));
    }
    let sums = match std::fs::read_to_string(dir.join("SHA256SUMS")) {
        Ok(text) => parse_sums(&text).unwrap_or_else(|e| {
            problems.push(format!("{}/SHA256SUMS: {e}", dir.display()));
            BTreeMap::new()
        }),
        Err(e) => {
            problems.push(format!("{}/SHA256SUMS: {e}", dir.display()));
            BTreeMap::new()
        }
    };
    let files = match files_below(dir) {
        Ok(files) => files,
        Err(e) => return Err(vec![format!("{}: {e}", dir.display())]),
    };
    let mut checked = 0;
    for file in &files {
        if file == "SHA256SUMS" || file == "SOURCE.md" {
            continue;
        }
        match sums.get(file) {
            None => problems.push(format!("{}/{file}: not in SHA256SUMS", dir.display())),
            Some(want) => match std::fs::read(dir.join(file)) {
                Ok(bytes) if &sha256_hex(&bytes) == want => checked += 1,
                Ok(_) => problems.push(format!(
                    "{}/{file}: content differs from SHA256SUMS",
                    dir.display()
                )),
                Err(e) => problems.push(format!("{}/{file}: {e}", dir.display())),
            },
        }
    }
    for listed in sums.keys() {
        if files.binary_search(listed).is_err() {
            problems.push(format!(
                "{}/{listed}: listed in SHA256SUMS but missing",
                dir.display()
            ));
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}

/// Every folder of upstream data in the project: the embedded trust material and each folder
/// directly below `testdata/` except `testdata/malformed` (the project's own hand-written
/// corpus, documented in its README, where every file is a case).
pub fn fixture_folders() -> Vec<PathBuf> {
    let mut dirs = vec![workspace_root().join("crates/sigstore-trust/data")];
    if let Ok(entries) = std::fs::read_dir(testdata()) {
        let mut below: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && !p.ends_with("malformed"))
            .collect();
        below.sort();
        dirs.extend(below);
    }
    dirs
}

/// A fresh directory below the system temp directory, removed with everything in it when the
/// guard is dropped: at the end of the test, and also when the test fails or panics.
///
/// The name is `<prefix>-<process id>-<counter>`, so directories of concurrent tests and of
/// concurrent test processes never collide, and a leftover (after a killed run) still says
/// which test made it. Set `SIGSTORE_KEEP_TEST_DIRS=1` to keep the directories for a look.
///
/// The guard dereferences to [`Path`]: `dir.join("x")`, `&dir` where a `&Path` is expected,
/// `dir.to_path_buf()` where an owned path is.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates a new, empty directory `<temp>/<prefix>-<pid>-<n>`.
    ///
    /// # Panics
    /// When the directory cannot be created (a test helper: the test cannot run without it).
    pub fn new(prefix: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let base = std::env::temp_dir();
        loop {
            let path = base.join(format!(
                "{prefix}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            match std::fs::create_dir(&path) {
                Ok(()) => return TempDir { path },
                // A leftover of an earlier process with the same id: take the next number.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create {}: {e}", path.display()),
            }
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.path.as_os_str()
    }
}

/// Whether `SIGSTORE_KEEP_TEST_DIRS` asks to keep the [`TempDir`]s.
fn keep_test_dirs() -> bool {
    std::env::var_os("SIGSTORE_KEEP_TEST_DIRS").is_some_and(|v| !v.is_empty() && v != "0")
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if keep_test_dirs() {
            return;
        }
        // Best effort: a failure to clean up must not turn a passing test into a failing one.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_parse() {
        let h = "a".repeat(64);
        let sums = parse_sums(&format!("{h}  ./x/y.json\n{h} *z\n\n")).unwrap();
        assert_eq!(sums.len(), 2);
        assert!(sums.contains_key("x/y.json") && sums.contains_key("z"));
        assert!(parse_sums("abc  x").is_err());
        assert!(parse_sums(&format!("{h}  x\n{h}  x")).is_err());
        assert!(parse_sums(&format!("{h}x")).is_err());
    }

    #[test]
    fn temp_dir_is_removed_on_drop_and_on_panic() {
        if keep_test_dirs() {
            return;
        }
        let a = TempDir::new("sigstore-test-support-guard");
        let b = TempDir::new("sigstore-test-support-guard");
        assert_ne!(a.path(), b.path());
        assert!(a.is_dir() && b.is_dir());
        std::fs::create_dir_all(a.join("x/y")).unwrap();
        std::fs::write(a.join("x/y/z"), b"z").unwrap();
        let (pa, pb) = (a.to_path_buf(), b.to_path_buf());
        drop(a);
        assert!(!pa.exists());
        let moved = b;
        let panicked = std::panic::catch_unwind(move || {
            let _keep = moved;
            panic!("a failing test");
        });
        assert!(panicked.is_err());
        assert!(!pb.exists());
    }
}
