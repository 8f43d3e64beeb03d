//! Signing outputs: where each input's bundle (and legacy detached materials) go
//! ([`OutputOptions::plan`]), their bytes ([`Outputs::render`]), and writing them all or
//! nothing: every file goes to a temporary name beside its target first, and only when all
//! are written are they moved into place ([`write_all_atomic`]).

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sigstore_types::{legacy, Bundle};

use crate::Error;

/// Where one input's results go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outputs {
    /// The bundle.
    pub bundle: Option<PathBuf>,
    /// Legacy detached signature (base64 and a newline).
    pub signature: Option<PathBuf>,
    /// Legacy detached PEM leaf certificate.
    pub certificate: Option<PathBuf>,
    /// Legacy offline Rekor entry (Rekor v1 only).
    pub rekor_bundle: Option<PathBuf>,
}

impl Outputs {
    /// Every path, in a fixed order.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        [
            &self.bundle,
            &self.signature,
            &self.certificate,
            &self.rekor_bundle,
        ]
        .into_iter()
        .flatten()
    }

    /// The bytes of each requested output for `bundle`: the bundle JSON, the base64
    /// signature, the PEM certificate, the `.rekor` file ([`sigstore_types::legacy`]).
    pub fn render(&self, bundle: &Bundle) -> Result<Vec<(PathBuf, Vec<u8>)>, Error> {
        let mut files = Vec::new();
        if let Some(path) = &self.bundle {
            files.push((path.clone(), bundle.to_json().into_bytes()));
        }
        let detached: [(_, fn(&Bundle) -> _); 3] = [
            (&self.signature, legacy::detached_signature),
            (&self.certificate, legacy::certificate_pem),
            (&self.rekor_bundle, legacy::rekor_bundle_json),
        ];
        for (path, render) in detached {
            if let Some(path) = path {
                let text = render(bundle).map_err(Error::LegacyOutput)?;
                files.push((path.clone(), text.into_bytes()));
            }
        }
        Ok(files)
    }
}

/// Where the outputs of a signing run go.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// The bundle path (one input only).
    pub bundle: Option<PathBuf>,
    /// Write `DIR/<file name>.sigstore.json` instead of `FILE.sigstore.json`.
    pub output_directory: Option<PathBuf>,
    /// Legacy `.sig` path (one input only).
    pub signature: Option<PathBuf>,
    /// Legacy `.crt` path (one input only).
    pub certificate: Option<PathBuf>,
    /// Legacy `.rekor` path (one input only).
    pub rekor_bundle: Option<PathBuf>,
    /// Replace existing outputs.
    pub overwrite: bool,
    /// Do not write the default bundle (`FILE.sigstore.json` or `DIR/NAME.sigstore.json`);
    /// excludes `bundle`.
    pub no_default_files: bool,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl OutputOptions {
    /// Whether any legacy detached output is asked for.
    pub fn wants_detached(&self) -> bool {
        self.signature.is_some() || self.certificate.is_some() || self.rekor_bundle.is_some()
    }

    /// The outputs of every input, as sigstore-python plans them: `bundle`, else (unless
    /// `no_default_files`) `FILE.sigstore.json` or `DIR/<file name>.sigstore.json`, and the
    /// detached outputs asked for. No output may be named twice or be an input; `bundle` and
    /// detached outputs need exactly one input and exclude `output_directory`; `bundle`
    /// excludes `no_default_files`.
    pub fn plan(&self, inputs: &[PathBuf]) -> Result<Vec<Outputs>, Error> {
        if inputs.is_empty() {
            return Err(Error::NoInputs);
        }
        if inputs.len() != 1 && (self.bundle.is_some() || self.wants_detached()) {
            return Err(Error::OutputNeedsOneInput);
        }
        if (self.bundle.is_some() || self.wants_detached()) && self.output_directory.is_some() {
            return Err(Error::BundleWithOutputDirectory);
        }
        if self.bundle.is_some() && self.no_default_files {
            return Err(Error::BundleWithNoDefaultFiles);
        }
        let mut plans = Vec::with_capacity(inputs.len());
        for input in inputs {
            let bundle = match (&self.bundle, self.no_default_files, &self.output_directory) {
                (Some(path), _, _) => Some(path.clone()),
                (None, true, _) => None,
                (None, false, Some(dir)) => {
                    let name = input.file_name().ok_or_else(|| Error::NotAFileName {
                        path: input.clone(),
                    })?;
                    Some(with_suffix(&dir.join(name), ".sigstore.json"))
                }
                (None, false, None) => Some(with_suffix(input, ".sigstore.json")),
            };
            plans.push(Outputs {
                bundle,
                signature: self.signature.clone(),
                certificate: self.certificate.clone(),
                rekor_bundle: self.rekor_bundle.clone(),
            });
        }
        let mut seen: Vec<&PathBuf> = Vec::new();
        for path in plans.iter().flat_map(Outputs::paths) {
            if seen.contains(&path) {
                return Err(Error::OutputTwice { path: path.clone() });
            }
            if inputs.contains(path) {
                return Err(Error::OutputIsInput { path: path.clone() });
            }
            seen.push(path);
        }
        Ok(plans)
    }
}

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

    /// A fresh `sigstore-sign-output-<tag>-…` directory, removed when the guard is dropped.
    fn temp_dir(tag: &str) -> sigstore_test_support::TempDir {
        sigstore_test_support::TempDir::new(&format!("sigstore-sign-output-{tag}"))
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
    fn plans_and_renders_outputs() {
        let inputs = vec![PathBuf::from("a.txt"), PathBuf::from("dir/b.txt")];
        let plans = OutputOptions::default().plan(&inputs).unwrap();
        assert_eq!(plans[0].bundle, Some(PathBuf::from("a.txt.sigstore.json")));
        assert_eq!(
            plans[1].bundle,
            Some(PathBuf::from("dir/b.txt.sigstore.json"))
        );
        let to_dir = OutputOptions {
            output_directory: Some(PathBuf::from("out")),
            ..OutputOptions::default()
        };
        let plans = to_dir.plan(&inputs).unwrap();
        assert_eq!(
            plans[1].bundle,
            Some(PathBuf::from("out/b.txt.sigstore.json"))
        );
        let clash = [PathBuf::from("x/a.txt"), PathBuf::from("y/a.txt")];
        assert!(matches!(
            to_dir.plan(&clash),
            Err(Error::OutputTwice { .. })
        ));
        assert!(matches!(
            to_dir.plan(&[PathBuf::from("..")]),
            Err(Error::NotAFileName { .. })
        ));
        let bundle = OutputOptions {
            bundle: Some(PathBuf::from("o.json")),
            ..OutputOptions::default()
        };
        assert!(matches!(
            bundle.plan(&inputs),
            Err(Error::OutputNeedsOneInput)
        ));
        assert!(matches!(bundle.plan(&[]), Err(Error::NoInputs)));
        let both = OutputOptions {
            output_directory: Some(PathBuf::from("out")),
            ..bundle.clone()
        };
        assert!(matches!(
            both.plan(&inputs[..1]),
            Err(Error::BundleWithOutputDirectory)
        ));
        let onto_input = OutputOptions {
            bundle: Some(PathBuf::from("a.txt")),
            ..OutputOptions::default()
        };
        assert!(matches!(
            onto_input.plan(&inputs[..1]),
            Err(Error::OutputIsInput { .. })
        ));
        // Detached outputs come with the default bundle, unless no_default_files.
        let detached = OutputOptions {
            signature: Some(PathBuf::from("a.sig")),
            rekor_bundle: Some(PathBuf::from("a.rekor")),
            ..OutputOptions::default()
        };
        let plans = detached.plan(&inputs[..1]).unwrap();
        assert_eq!(plans[0].bundle, Some(PathBuf::from("a.txt.sigstore.json")));
        assert_eq!(plans[0].paths().count(), 3);
        let only_detached = OutputOptions {
            no_default_files: true,
            ..detached.clone()
        };
        let plans = only_detached.plan(&inputs[..1]).unwrap();
        assert_eq!(plans[0].bundle, None);
        assert_eq!(plans[0].paths().count(), 2);
        let nothing = OutputOptions {
            no_default_files: true,
            ..OutputOptions::default()
        };
        assert_eq!(nothing.plan(&inputs).unwrap()[1].paths().count(), 0);
        assert!(matches!(
            OutputOptions {
                output_directory: Some(PathBuf::from("out")),
                ..detached.clone()
            }
            .plan(&inputs[..1]),
            Err(Error::BundleWithOutputDirectory)
        ));
        assert!(matches!(
            OutputOptions {
                bundle: Some(PathBuf::from("o.json")),
                ..nothing
            }
            .plan(&inputs[..1]),
            Err(Error::BundleWithNoDefaultFiles)
        ));
        // A bundle without a log entry renders its signature but no .rekor file.
        let bundle = Bundle {
            media_type: sigstore_types::BundleVersion::V0_3.media_type().to_owned(),
            version: sigstore_types::BundleVersion::V0_3,
            verification_material: sigstore_types::VerificationMaterial {
                content: sigstore_types::VerificationMaterialContent::Certificate(vec![0x30]),
                tlog_entries: Vec::new(),
                rfc3161_timestamps: Vec::new(),
            },
            content: sigstore_types::BundleContent::MessageSignature(
                sigstore_types::MessageSignature {
                    message_digest: None,
                    signature: vec![1, 2, 3],
                },
            ),
        };
        let sig_only = Outputs {
            signature: Some(PathBuf::from("a.sig")),
            ..Outputs::default()
        };
        assert_eq!(
            sig_only.render(&bundle).unwrap(),
            vec![(PathBuf::from("a.sig"), b"AQID\n".to_vec())]
        );
        assert!(matches!(
            plans[0].render(&bundle),
            Err(Error::LegacyOutput(_))
        ));
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
            check_outputs([&dir.to_path_buf()], true),
            Err(Error::OutputIsDirectory { .. })
        ));
        let missing = dir.join("nope/x.json");
        let e = check_outputs([&missing], true).unwrap_err();
        assert!(e.to_string().ends_with("/nope does not exist"), "{e}");
    }
}
