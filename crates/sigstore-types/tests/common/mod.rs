#![allow(dead_code, clippy::unwrap_used)] // Shared test helpers; a panic is a test failure.

use std::path::PathBuf;

pub fn shared_dir() -> PathBuf {
    std::env::var_os("SIGSTORE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

pub fn conformance_cases() -> Vec<(String, PathBuf)> {
    let dir = shared_dir().join("conformance/bundle-verify");
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    cases
}
