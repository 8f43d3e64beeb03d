//! Recording of signature checks, for measuring the "crypto floor" of a verification.
//!
//! Only compiled with the `probe` feature, which is off by default and meant for benchmarks:
//! with it off, [`PublicKey::verify`] and [`PublicKey::verify_digest`] contain no probe code at
//! all.
//!
//! [`record`] runs a closure with recording switched on for the current thread. Every signature
//! check made on this thread through [`PublicKey::verify`] or [`PublicKey::verify_digest`]
//! while the closure runs is captured, whatever its outcome, as a [`RecordedCheck`]: a clone of
//! the key, the algorithm, the message or digest and the signature. [`RecordedCheck::replay`]
//! re-runs exactly that check, so a benchmark can time the bare signature checks a whole
//! verification performs and compare them with the verification itself.
//!
//! ```
//! use sigstore_crypto::{probe, HashAlgorithm, PublicKey};
//!
//! let pem = "-----BEGIN PUBLIC KEY-----\n\
//! MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwr\n\
//! kBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\n\
//! -----END PUBLIC KEY-----\n";
//! let key = PublicKey::from_pem(pem.as_bytes()).unwrap();
//! let digest = HashAlgorithm::Sha256.digest(b"hello");
//! let (outcome, checks) =
//!     probe::record(|| key.verify_digest(key.default_algorithm(), &digest, b"bad"));
//! assert!(outcome.is_err());
//! assert_eq!(checks.len(), 1);
//! assert!(checks[0].replay().is_err());
//! ```
//!
//! [`PublicKey::verify`]: crate::PublicKey::verify
//! [`PublicKey::verify_digest`]: crate::PublicKey::verify_digest

use std::cell::RefCell;

use crate::{Digest, Error, KeyType, PublicKey, SignatureAlgorithm};

thread_local! {
    /// The checks recorded so far on this thread, or `None` when recording is off.
    static RECORDER: RefCell<Option<Vec<RecordedCheck>>> = const { RefCell::new(None) };
}

/// What a recorded check was computed over.
#[derive(Clone)]
enum Input {
    /// The whole message ([`PublicKey::verify`]).
    Message(Vec<u8>),
    /// A prehash ([`PublicKey::verify_digest`]).
    Digest(Digest),
}

/// One signature check captured by [`record`].
#[derive(Clone)]
pub struct RecordedCheck {
    key: PublicKey,
    algorithm: SignatureAlgorithm,
    input: Input,
    signature: Vec<u8>,
}

impl RecordedCheck {
    /// Runs the same check again, with the same key, algorithm, input and signature, and
    /// returns its outcome. A message check hashes the message again, as the original did.
    pub fn replay(&self) -> Result<(), Error> {
        match &self.input {
            Input::Message(message) => self.key.verify(self.algorithm, message, &self.signature),
            Input::Digest(digest) => {
                self.key
                    .verify_digest(self.algorithm, digest, &self.signature)
            }
        }
    }

    /// The algorithm the check used.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The type of the key that checked.
    pub fn key_type(&self) -> KeyType {
        self.key.key_type()
    }

    /// Length of the signed message, or `None` for a check over a digest.
    pub fn message_len(&self) -> Option<usize> {
        match &self.input {
            Input::Message(message) => Some(message.len()),
            Input::Digest(_) => None,
        }
    }
}

impl core::fmt::Debug for RecordedCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordedCheck")
            .field("key_type", &self.key.key_type())
            .field("algorithm", &self.algorithm)
            .field("message_len", &self.message_len())
            .finish_non_exhaustive()
    }
}

/// Restores the previous recorder when dropped, so recording ends even if the closure panics
/// and nested [`record`] calls each see only their own checks.
struct Restore(Option<Vec<RecordedCheck>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        RECORDER.with(|cell| *cell.borrow_mut() = previous);
    }
}

/// Runs `f` with recording on for the current thread and returns its result together with
/// every signature check it made through [`PublicKey`], in order.
pub fn record<R>(f: impl FnOnce() -> R) -> (R, Vec<RecordedCheck>) {
    let previous = RECORDER.with(|cell| cell.borrow_mut().replace(Vec::new()));
    let restore = Restore(previous);
    let result = f();
    let checks = RECORDER.with(|cell| cell.borrow_mut().take().unwrap_or_default());
    drop(restore);
    (result, checks)
}

fn push(make: impl FnOnce() -> RecordedCheck) {
    RECORDER.with(|cell| {
        if let Some(checks) = cell.borrow_mut().as_mut() {
            checks.push(make());
        }
    });
}

/// Called by [`PublicKey::verify`].
pub(crate) fn message(
    key: &PublicKey,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) {
    push(|| RecordedCheck {
        key: key.clone(),
        algorithm,
        input: Input::Message(message.to_vec()),
        signature: signature.to_vec(),
    });
}

/// Called by [`PublicKey::verify_digest`].
pub(crate) fn digest(
    key: &PublicKey,
    algorithm: SignatureAlgorithm,
    digest: &Digest,
    signature: &[u8],
) {
    push(|| RecordedCheck {
        key: key.clone(),
        algorithm,
        input: Input::Digest(*digest),
        signature: signature.to_vec(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HashAlgorithm;

    const PEM: &str = "-----BEGIN PUBLIC KEY-----\n\
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwr\n\
kBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\n\
-----END PUBLIC KEY-----\n";

    #[test]
    fn records_only_inside_and_nests() {
        let key = PublicKey::from_pem(PEM.as_bytes()).unwrap();
        let alg = key.default_algorithm();
        let digest = HashAlgorithm::Sha256.digest(b"x");
        // Outside record: nothing is kept.
        assert!(key.verify(alg, b"x", b"sig").is_err());
        let ((), outer) = record(|| {
            let _ = key.verify(alg, b"message", b"sig");
            let ((), inner) = record(|| {
                let _ = key.verify_digest(alg, &digest, b"sig");
            });
            assert_eq!(inner.len(), 1);
            assert_eq!(inner[0].message_len(), None);
            let _ = key.verify(SignatureAlgorithm::Ed25519, b"m", b"sig");
        });
        assert_eq!(outer.len(), 2);
        assert_eq!(outer[0].message_len(), Some(7));
        assert_eq!(outer[0].key_type(), KeyType::EcdsaP256);
        assert!(matches!(
            outer[1].replay(),
            Err(Error::AlgorithmMismatch { .. })
        ));
        assert!(outer[0].replay().is_err());
        let ((), after) = record(|| ());
        assert!(after.is_empty());
    }

    #[test]
    fn recording_ends_after_a_panic() {
        let key = PublicKey::from_pem(PEM.as_bytes()).unwrap();
        let caught = std::panic::catch_unwind(|| record(|| panic!("boom")));
        assert!(caught.is_err());
        let _ = key.verify(key.default_algorithm(), b"x", b"sig");
        assert!(RECORDER.with(|cell| cell.borrow().is_none()));
    }
}
