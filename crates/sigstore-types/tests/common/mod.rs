#![allow(dead_code, clippy::unwrap_used)] // Shared test helpers; a panic is a test failure.

use std::path::PathBuf;

pub fn conformance_cases() -> Vec<(String, PathBuf)> {
    let dir = sigstore_test_support::conformance_cases();
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    cases
}
