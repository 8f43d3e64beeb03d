//! Writing signing outputs all or nothing: every file goes to a temporary name beside its
//! target first, and only when all are written are they moved into place.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Error;

/// Fails if any of `paths` exists (unless `overwrite`), is a directory, or is in a directory
/// that does not exist: the checks to make before signing, so that a signature is not made
/// only to find it cannot be written.
pub fn check_outputs<'a>(
    paths: impl IntoIterator<Item = &'a PathBuf>,
    overwrite: bool,
) -> Result<(), Error> {
    for path in paths {
        if !overwrite && std::fs::symlink_metadata(path).is_ok() {
            return Err(Error::OutputExists { path: path.clone() });
        }
        if path.is_dir() {
            return Err(Error::OutputIsDirectory { path: path.clone() });
        }
        let dir = parent_dir(path);
        if !dir.is_dir() {
            return Err(Error::OutputDirectoryMissing {
                path: path.clone(),
                dir,
            });
        }
    }
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes every `(path, bytes)` or none: each goes to a temporary file beside its target
/// first (written and synced); only when all are written are they moved into place. Without
/// `overwrite` an existing target is [`Error::OutputExists`], also when it appears between a
/// [`check_outputs`] and the write, and the files this call already put in place are removed
/// again.
pub fn write_all_atomic(files: &[(PathBuf, Vec<u8>)], overwrite: bool) -> Result<(), Error> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    let cleanup = |temps: &[PathBuf]| {
        for temp in temps {
            let _ = std::fs::remove_file(temp);
        }
    };
    for (path, bytes) in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = parent_dir(path).join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut file| {
                file.write_all(bytes)?;
                file.sync_all()
            });
        if let Err(source) = written {
            let _ = std::fs::remove_file(&temp);
            cleanup(&temps);
            return Err(Error::OutputWrite {
                path: path.clone(),
                source,
            });
        }
        temps.push(temp);
    }
    for (i, ((path, _), temp)) in files.iter().zip(&temps).enumerate() {
        if let Err(e) = install(temp, path, overwrite) {
            cleanup(temps.get(i..).unwrap_or_default());
            if !overwrite {
                // Files this call created are removed again: all or nothing.
                for (created, _) in files.iter().take(i) {
                    let _ = std::fs::remove_file(created);
                }
            }
            return Err(e);
        }
    }
    Ok(())
}

fn install(temp: &Path, path: &Path, overwrite: bool) -> Result<(), Error> {
    let write_error = |source| Error::OutputWrite {
        path: path.to_path_buf(),
        source,
    };
    if overwrite {
        return std::fs::rename(temp, path).map_err(write_error);
    }
    // A hard link never replaces an existing file; fall back to a checked rename where the
    // file system has no hard links.
    match std::fs::hard_link(temp, path) {
        Ok(()) => {
            let _ = std::fs::remove_file(temp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::OutputExists {
            path: path.to_path_buf(),
        }),
        Err(_) => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(Error::OutputExists {
                    path: path.to_path_buf(),
                });
            }
            std::fs::rename(temp, path).map_err(write_error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sigstore-sign-output-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn atomic_writes_are_all_or_nothing() {
        let dir = temp_dir("atomic");
        let a = dir.join("a.json");
        let b = dir.join("b.json");
        write_all_atomic(
            &[(a.clone(), b"1".to_vec()), (b.clone(), b"2".to_vec())],
            false,
        )
        .unwrap();
        assert_eq!(names(&dir), vec!["a.json", "b.json"]);
        // b exists: without overwrite, c is not left behind and b is unchanged.
        let c = dir.join("c.json");
        let e = write_all_atomic(
            &[(c.clone(), b"3".to_vec()), (b.clone(), b"x".to_vec())],
            false,
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::OutputExists { path } if *path == b),
            "{e}"
        );
        assert_eq!(names(&dir), vec!["a.json", "b.json"]);
        assert_eq!(std::fs::read(&b).unwrap(), b"2");
        // A target in a missing directory: nothing written, no temporary file.
        let e = write_all_atomic(
            &[
                (c.clone(), b"3".to_vec()),
                (dir.join("missing/d.json"), b"4".to_vec()),
            ],
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("cannot write"), "{e}");
        assert_eq!(names(&dir), vec!["a.json", "b.json"]);
        // With overwrite the content is replaced.
        write_all_atomic(&[(b.clone(), b"new".to_vec())], true).unwrap();
        assert_eq!(std::fs::read(&b).unwrap(), b"new");
        assert_eq!(names(&dir), vec!["a.json", "b.json"]);
        // check_outputs sees existing files, directories and missing directories.
        assert!(matches!(
            check_outputs([&b], false),
            Err(Error::OutputExists { .. })
        ));
        assert!(check_outputs([&b], true).is_ok());
        assert!(check_outputs([&c], false).is_ok());
        assert!(matches!(
            check_outputs([&dir], true),
            Err(Error::OutputIsDirectory { .. })
        ));
        let missing = dir.join("nope/x.json");
        let e = check_outputs([&missing], true).unwrap_err();
        assert!(e.to_string().ends_with("/nope does not exist"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
