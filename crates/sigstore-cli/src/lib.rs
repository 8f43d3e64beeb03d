//! Shared plumbing of the `sigstore` and `sigstore-conformance` binaries: finding the bundle
//! for an input, reading artifacts and trust material, and (in [`sign`]) planning and writing
//! signing outputs. All verification logic lives in `sigstore-verify` and all signing logic in
//! `sigstore-sign`; this crate only turns command-line inputs into their arguments.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sigstore_crypto::KeyType;
use sigstore_crypto::{Digest, HashAlgorithm};
use sigstore_types::Bundle;
use sigstore_verify::{Artifact, Error as VerifyError, Policy, VerificationResult, Verifier};

pub mod sign;
pub mod trust;

/// Largest bundle or trust file read, in bytes.
pub const MAX_JSON_FILE: u64 = 32 * 1024 * 1024;

/// An artifact named on the command line: a file, or a `sha256:HEX`, `sha384:HEX` or
/// `sha512:HEX` digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file path.
    File(PathBuf),
    /// A digest given as `sha256:HEX`, `sha384:HEX` or `sha512:HEX`.
    Digest(Digest),
}

impl Input {
    /// Parses an argument: `sha256:`, `sha384:` or `sha512:` followed by 64, 96 or 128 hex
    /// digits is a digest, anything else a path.
    pub fn parse(arg: &str) -> Result<Self> {
        match Digest::parse_prefixed(arg) {
            Some(digest) => Ok(Self::Digest(digest.with_context(|| arg.to_owned())?)),
            None => Ok(Self::File(PathBuf::from(arg))),
        }
    }

    /// How the input is shown in messages.
    pub fn display(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Digest(digest) => format!("{}:{}", digest.algorithm().name(), digest.to_hex()),
        }
    }
}

/// Reads a file of at most `limit` bytes, with the path in every error.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    read_limited_sized(path, limit, None)
}

/// [`read_limited`] with the file's size as metadata read earlier gave it (`None`: ask the
/// system once the file is open). The size only sizes the first buffer; the file is read to
/// its end whatever it holds now, within the limit.
fn read_limited_sized(path: &Path, limit: u64, size_hint: Option<u64>) -> Result<Vec<u8>> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let read = match size_hint {
        Some(size) => sigstore_types::io::read_limited_sized(file, limit, size),
        None => sigstore_types::io::read_limited(file, limit),
    };
    match read {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => bail!("{}: larger than {limit} bytes", path.display()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("{}: cannot read", path.display()))),
    }
}

/// Reads and parses a Sigstore bundle file.
pub fn read_bundle(path: &Path) -> Result<Bundle> {
    read_bundle_sized(path, None)
}

/// [`read_bundle`] for a file whose size metadata read earlier gave (see
/// [`read_limited`]): one system call fewer when the caller has just looked the file up.
pub fn read_bundle_sized(path: &Path, size_hint: Option<u64>) -> Result<Bundle> {
    let bytes = read_limited_sized(path, MAX_JSON_FILE, size_hint)?;
    Bundle::from_json(&bytes).with_context(|| format!("{}: invalid bundle", path.display()))
}

/// The trusted root from `--trusted-root FILE`, else the embedded staging or production one
/// (the `sigstore-conformance` adapter's rule; `sigstore` itself fetches it over TUF, see
/// [`trust`]); the trust material embedded in this build.
pub use sigstore_trust::files::{embedded, load_trusted_root};

/// Streams a file through `algorithm`.
pub fn hash_file(path: &Path, algorithm: HashAlgorithm) -> Result<Digest> {
    let mut file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    algorithm
        .digest_reader(&mut file)
        .with_context(|| format!("{}: cannot read", path.display()))
}

/// Verifies `bundle` for `input`: a digest as given, a file streamed through
/// [`Verifier::verify_reader`] (read whole only for pure Ed25519 keys). Verification
/// failures name `bundle_path` when given; unreadable files name the file.
pub fn verify_input(
    verifier: &Verifier,
    bundle: &Bundle,
    bundle_path: Option<&Path>,
    input: &Input,
    policy: &Policy,
) -> Result<VerificationResult> {
    let result = match input {
        Input::Digest(digest) => verifier.verify(bundle, Artifact::Digest(*digest), policy),
        Input::File(path) => {
            let whole = matches!(policy.signer(), Policy::PublicKey(key) if key.key_type() == KeyType::Ed25519);
            let unreadable = |verb: &str| format!("{}: cannot {verb}", path.display());
            let mut file = File::open(path)
                .with_context(|| unreadable(if whole { "read" } else { "open" }))?;
            match verifier.verify_reader(bundle, &mut file, policy) {
                Err(VerifyError::ArtifactRead(io)) if whole => {
                    return Err(anyhow::Error::new(io).context(unreadable("read")))
                }
                Err(error @ VerifyError::ArtifactRead(_)) => {
                    return Err(anyhow::Error::new(error).context(unreadable("read")))
                }
                result => result,
            }
        }
    };
    match bundle_path {
        Some(path) => result.with_context(|| format!("{}", path.display())),
        None => Ok(result?),
    }
}

/// Writes `line` and a newline to stderr in one write, so that a line reaches a pipe whole
/// (and wakes its reader once). A stderr that cannot be written to is not an error here:
/// there is nowhere left to report it.
pub fn eprint_line(line: &str) {
    use std::io::Write;
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// An error and its causes on one line, `outer: inner: ...`, each cause once: errors that
/// already end with their source's message (`"{context}: {source}"`) do not repeat it.
pub fn error_chain(error: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if text.is_empty() || out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

pub use sigstore_types::encoding::escape_controls;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chain_drops_repeated_sources() {
        #[derive(Debug)]
        struct Inner;
        impl std::fmt::Display for Inner {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("signature does not verify")
            }
        }
        impl std::error::Error for Inner {}
        #[derive(Debug)]
        struct Outer(Inner);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "entry #0: {}", self.0)
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let error = anyhow::Error::new(Outer(Inner)).context("b.json");
        assert_eq!(
            error_chain(&error),
            "b.json: entry #0: signature does not verify"
        );
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_chain(&plain), "outer: inner");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("plain: text"), "plain: text");
        assert_eq!(escape_controls("a\nOK: b"), "a\\nOK: b");
        assert_eq!(escape_controls("x\u{1b}[31my\r"), "x\\u{1b}[31my\\r");
        assert_eq!(escape_controls("\u{202E}cba"), "\\u{202e}cba");
        assert!(!escape_controls("\u{0}\u{7f}\u{85}\t")
            .chars()
            .any(char::is_control));
        assert_eq!(escape_controls("caf\u{e9} \u{2014}"), "caf\u{e9} \u{2014}");
    }

    #[test]
    fn digest_inputs() {
        let hex = "a".repeat(64);
        assert!(matches!(
            Input::parse(&format!("sha256:{hex}")),
            Ok(Input::Digest(_))
        ));
        assert!(Input::parse("sha256:abc").is_err());
        for (name, len) in [("sha384", 96), ("sha512", 128)] {
            let arg = format!("{name}:{}", "B".repeat(len));
            match Input::parse(&arg).unwrap() {
                Input::Digest(d) => {
                    assert_eq!(d.algorithm().name(), name);
                    assert_eq!(Input::Digest(d).display(), arg.to_lowercase());
                }
                other => panic!("{arg}: {other:?}"),
            }
            assert!(Input::parse(&format!("{name}:{}", "b".repeat(64))).is_err());
        }
        assert!(Input::parse(&format!("sha512:{}", "b".repeat(96))).is_err());
        assert!(Input::parse(&format!("sha256:{}", "z".repeat(64))).is_err());
        assert_eq!(
            Input::parse("file.txt").unwrap(),
            Input::File(PathBuf::from("file.txt"))
        );
    }
}

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
