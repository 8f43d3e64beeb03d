//! Repository-wide checks live in `tests/`; this library only locates the workspace.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The offline mirror of upstream material, `$SIGSTORE_SHARED_DIR` or else `../shared` beside
/// the workspace, when it is there (a clone of the project alone has none).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SIGSTORE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared"));
    dir.is_dir().then_some(dir)
}
