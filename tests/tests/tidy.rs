//! Repository rules, checked on every test run.
#![allow(clippy::unwrap_used)] // a missing file is a test failure

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sigstore_workspace_tests::{shared_dir, workspace_root};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "target" || name.starts_with("target-") {
            continue;
        }
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn crate_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_library_forbids_unsafe_and_documents_its_api() {
    let (mut passed, mut failed) = (0, Vec::new());
    for dir in crate_dirs() {
        let lib = dir.join("src/lib.rs");
        if !lib.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&lib).unwrap();
        for rule in ["#![forbid(unsafe_code)]", "#![deny(missing_docs)]"] {
            if text.contains(rule) {
                passed += 1;
            } else {
                failed.push(format!("{} lacks {rule}", lib.display()));
            }
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        if manifest.contains("[lints]\nworkspace = true") {
            passed += 1;
        } else {
            failed.push(format!(
                "{} does not inherit the workspace lints",
                dir.display()
            ));
        }
    }
    println!("crate hygiene: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn every_publishable_crate_has_a_readme_run_as_a_doc_test() {
    let (mut passed, mut failed) = (0, Vec::new());
    for dir in crate_dirs() {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        if manifest.contains("publish = false") {
            continue;
        }
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap_or_default();
        let checks = [
            (readme.contains("```rust"), "a README with a Rust example"),
            (
                readme.contains("## Feature flags"),
                "a README section on feature flags",
            ),
            (
                readme.contains("## Errors"),
                "a README section on the error type",
            ),
            (
                manifest.contains("readme = \"README.md\""),
                "readme = \"README.md\"",
            ),
            (
                lib.contains("#[cfg(doctest)]")
                    && lib.contains("#[doc = include_str!(\"../README.md\")]"),
                "the README included as a doc test in lib.rs",
            ),
        ];
        for (ok, what) in checks {
            if ok {
                passed += 1;
            } else {
                failed.push(format!("{} lacks {what}", dir.display()));
            }
        }
    }
    println!("crate readmes: {passed} passed, {} failed", failed.len());
    assert!(passed >= 13 * 5, "only {passed} checks ran");
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn library_code_has_no_placeholders() {
    let mut files = Vec::new();
    for dir in crate_dirs() {
        files_under(&dir.join("src"), &mut files);
    }
    let markers = ["todo!(", "unimplemented!(", "TODO", "FIXME", "XXX"];
    let mut found = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if markers.iter().any(|m| line.contains(m)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    println!(
        "placeholder scan: {} files, {} placeholders",
        files.len(),
        found.len()
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn fixture_folders_list_every_file_with_its_hash() {
    let (mut passed, mut failed) = (0, Vec::new());
    let folders = sigstore_test_support::fixture_folders();
    assert!(folders.len() >= 4, "{folders:?}");
    for dir in &folders {
        match sigstore_test_support::check_fixture_folder(dir) {
            Ok(n) => passed += n,
            Err(problems) => failed.extend(problems),
        }
    }
    println!("fixture files: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Upstream data may be copied into the project only into a fixture folder (with its SOURCE.md
/// and SHA256SUMS), never anywhere else; fuzz seeds may repeat fixture files. Checked against
/// the offline mirror when it is there.
#[test]
fn upstream_data_is_copied_only_into_fixture_folders() {
    let Some(shared) = shared_dir().filter(|d| d.is_dir()) else {
        println!("skipped: no ../shared mirror beside the workspace");
        return;
    };
    let mut upstream = Vec::new();
    files_under(&shared, &mut upstream);
    assert!(
        !upstream.is_empty(),
        "no shared material at {}",
        shared.display()
    );
    let hash = |path: &Path| Sha256::digest(std::fs::read(path).unwrap_or_default()).to_vec();
    let upstream: HashSet<Vec<u8>> = upstream
        .iter()
        .filter(|p| std::fs::metadata(p).map(|m| m.len() > 200).unwrap_or(false))
        .map(|p| hash(p))
        .collect();
    let fixtures = sigstore_test_support::fixture_folders();
    let mut ours = Vec::new();
    files_under(&workspace_root(), &mut ours);
    // Fuzz seed corpora are taken from the fixture folders: a seed may repeat a fixture
    // file's bytes, never bring in upstream data of its own.
    let seeds = workspace_root().join("fuzz/corpus");
    let fixture_hashes: HashSet<Vec<u8>> = ours
        .iter()
        .filter(|p| fixtures.iter().any(|dir| p.starts_with(dir)))
        .map(|p| hash(p))
        .collect();
    let mut in_fixtures = 0;
    let mut copies = Vec::new();
    for path in &ours {
        let digest = hash(path);
        if !upstream.contains(&digest) {
            continue;
        }
        if fixtures.iter().any(|dir| path.starts_with(dir))
            || (path.starts_with(&seeds) && fixture_hashes.contains(&digest))
        {
            in_fixtures += 1;
        } else {
            copies.push(path.display().to_string());
        }
    }
    println!(
        "upstream copies: {in_fixtures} passed (in fixture folders), {} failed",
        copies.len()
    );
    assert!(in_fixtures > 0, "the fixture folders hold no upstream data");
    assert!(
        copies.is_empty(),
        "copies of ../shared files outside a fixture folder: {copies:#?}"
    );
}

#[test]
fn nothing_reads_the_shared_mirror_at_build_time() {
    let mut offenders = Vec::new();
    let mut files = Vec::new();
    // sigstore-test-support locates the local-stack tools at test run time, for tests only.
    for dir in crate_dirs()
        .into_iter()
        .filter(|d| !d.ends_with("sigstore-test-support"))
    {
        files_under(&dir, &mut files);
    }
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let in_src = file.components().any(|c| c.as_os_str() == "src");
        if name == "build.rs" || (in_src && name.ends_with(".rs")) {
            let text = std::fs::read_to_string(&file).unwrap();
            if text.contains("../shared") || text.contains("SIGSTORE_SHARED_DIR") {
                offenders.push(file.display().to_string());
            }
        }
    }
    println!("build-time reads of ../shared: {} found", offenders.len());
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn scratch_directories_go_through_the_removing_guard() {
    // Directories made directly under the system temp dir outlive a run (and a failing test);
    // `sigstore_test_support::TempDir` removes them on drop. It is the only caller allowed.
    let needle = format!("{}::{}()", "env", "temp_dir");
    let mut files = Vec::new();
    for dir in crate_dirs()
        .into_iter()
        .filter(|d| !d.ends_with("sigstore-test-support"))
    {
        files_under(&dir, &mut files);
    }
    files_under(&workspace_root().join("tests"), &mut files);
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        .collect();
    let mut offenders = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains(&needle) {
                offenders.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    println!(
        "temp-dir scan: {} files, {} direct uses of the system temp dir",
        files.len(),
        offenders.len()
    );
    assert!(files.len() > 50, "only {} Rust files scanned", files.len());
    assert!(offenders.is_empty(), "{offenders:#?}");
}
