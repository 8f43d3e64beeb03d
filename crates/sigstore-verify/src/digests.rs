//! An artifact's digests under several hash algorithms, computed in one pass.
//!
//! In-toto statements may name their subjects by any digest algorithm (npm provenance carries
//! only `sha512`), so a verifier that streams a file hashes it with every algorithm the
//! bundle's subjects name, once, and matches each subject on the strongest algorithm both sides
//! have.

use sigstore_crypto::{Digest, HashAlgorithm, Hasher};
use sigstore_types::bundle::BundleContent;
use sigstore_types::{intoto, Bundle};

use crate::verifier::artifact_digest_algorithm;
use crate::Error;

/// The hash algorithms Sigstore artifacts are digested with, strongest first.
pub(crate) const STRONGEST_FIRST: [HashAlgorithm; 3] = [
    HashAlgorithm::Sha512,
    HashAlgorithm::Sha384,
    HashAlgorithm::Sha256,
];

fn slot(algorithm: HashAlgorithm) -> usize {
    match algorithm {
        HashAlgorithm::Sha256 => 0,
        HashAlgorithm::Sha384 => 1,
        _ => 2,
    }
}

/// A set of hash algorithms (SHA-256, SHA-384, SHA-512).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestAlgorithms([bool; 3]);

impl DigestAlgorithms {
    /// The empty set.
    pub const fn new() -> Self {
        Self([false; 3])
    }

    /// The set holding only `algorithm`.
    pub fn only(algorithm: HashAlgorithm) -> Self {
        let mut set = Self::new();
        set.insert(algorithm);
        set
    }

    /// Adds `algorithm`.
    pub fn insert(&mut self, algorithm: HashAlgorithm) {
        self.0[slot(algorithm)] = true;
    }

    /// Whether `algorithm` is in the set.
    pub fn contains(&self, algorithm: HashAlgorithm) -> bool {
        self.0[slot(algorithm)]
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        !self.0.iter().any(|&b| b)
    }

    /// The algorithms in the set, strongest first.
    pub fn iter(&self) -> impl Iterator<Item = HashAlgorithm> + '_ {
        STRONGEST_FIRST
            .into_iter()
            .filter(move |alg| self.contains(*alg))
    }
}

/// Digests of one artifact, at most one per algorithm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArtifactDigests([Option<Digest>; 3]);

impl ArtifactDigests {
    /// No digests yet.
    pub const fn new() -> Self {
        Self([None; 3])
    }

    /// Adds (or replaces) the digest for its algorithm.
    pub fn insert(&mut self, digest: Digest) {
        self.0[slot(digest.algorithm())] = Some(digest);
    }

    /// The digest for `algorithm`, if present.
    pub fn get(&self, algorithm: HashAlgorithm) -> Option<&Digest> {
        self.0[slot(algorithm)].as_ref()
    }

    /// The algorithms present.
    pub fn algorithms(&self) -> DigestAlgorithms {
        let mut set = DigestAlgorithms::new();
        for digest in self.0.iter().flatten() {
            set.insert(digest.algorithm());
        }
        set
    }

    /// Hashes everything `reader` yields with every algorithm of `algorithms`, in one pass.
    pub fn from_reader(
        reader: &mut dyn std::io::Read,
        algorithms: DigestAlgorithms,
    ) -> Result<Self, Error> {
        let mut hashers: Vec<Hasher> = algorithms.iter().map(HashAlgorithm::hasher).collect();
        sigstore_crypto::read_chunks(reader, |chunk| {
            for hasher in &mut hashers {
                hasher.update(chunk);
            }
        })
        .map_err(Error::ArtifactRead)?;
        let mut out = Self::new();
        for hasher in hashers {
            out.insert(hasher.finalize());
        }
        Ok(out)
    }
}

/// The hash algorithms a bundle's artifact must be digested with: the message digest's
/// algorithm for a message signature; for a DSSE envelope, every algorithm (SHA-256, SHA-384,
/// SHA-512) that the statement's subjects name, or SHA-256 when the payload is not a statement
/// naming any (verification then fails on the statement itself).
///
/// The statement is read unverified here, only to choose algorithms.
pub fn artifact_digest_algorithms(bundle: &Bundle) -> DigestAlgorithms {
    match &bundle.content {
        BundleContent::MessageSignature(_) => {
            DigestAlgorithms::only(artifact_digest_algorithm(bundle))
        }
        BundleContent::DsseEnvelope(envelope) => {
            let mut set = DigestAlgorithms::new();
            if let Ok(statement) =
                intoto::Statement::from_json_skipping_predicate(&envelope.payload)
            {
                for subject in &statement.subjects {
                    for name in subject.digest.keys() {
                        if let Some(algorithm) = HashAlgorithm::from_name(name) {
                            set.insert(algorithm);
                        }
                    }
                }
            }
            if set.is_empty() {
                set.insert(HashAlgorithm::Sha256);
            }
            set
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_matches_one_shot() {
        let data = vec![7u8; 300 * 1024 + 5];
        let mut all = DigestAlgorithms::new();
        for alg in STRONGEST_FIRST {
            all.insert(alg);
        }
        let digests = ArtifactDigests::from_reader(&mut data.as_slice(), all).unwrap();
        for alg in STRONGEST_FIRST {
            assert_eq!(digests.get(alg), Some(&alg.digest(&data)));
        }
        let only = ArtifactDigests::from_reader(
            &mut data.as_slice(),
            DigestAlgorithms::only(HashAlgorithm::Sha512),
        )
        .unwrap();
        assert_eq!(only.get(HashAlgorithm::Sha256), None);
        assert_eq!(
            only.algorithms().iter().collect::<Vec<_>>(),
            vec![HashAlgorithm::Sha512]
        );
    }
}
