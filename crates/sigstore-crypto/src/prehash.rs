//! A SHA-512 digest computed elsewhere, in the shape `ed25519-dalek`'s Ed25519ph functions take.
//!
//! `ed25519-dalek` signs and checks Ed25519ph (RFC 8032 §5.1) over a hasher object, which it
//! finalizes once and never updates. Sigstore hands over the SHA-512 digest itself (a Rekor
//! `hashedrekord` records only the digest), so this type carries those 64 bytes through the
//! `digest` traits unchanged.

use sha2::digest::consts::U64;
use sha2::digest::{FixedOutput, HashMarker, Output, OutputSizeUser, Update};

use crate::{Digest, Error, HashAlgorithm};

/// The output of a SHA-512 hash already computed. Its `Update` ignores input: the value is
/// fixed at construction, and `ed25519-dalek` only ever finalizes it.
#[derive(Clone)]
pub(crate) struct Sha512Prehash([u8; 64]);

impl Sha512Prehash {
    /// Wraps a SHA-512 [`Digest`]; any other algorithm is [`Error::DigestMismatch`].
    pub(crate) fn new(digest: &Digest) -> Result<Self, Error> {
        if digest.algorithm() != HashAlgorithm::Sha512 {
            return Err(Error::DigestMismatch);
        }
        let bytes: [u8; 64] = digest
            .as_bytes()
            .try_into()
            .map_err(|_| Error::DigestMismatch)?;
        Ok(Self(bytes))
    }
}

impl Default for Sha512Prehash {
    fn default() -> Self {
        Self([0; 64])
    }
}

impl HashMarker for Sha512Prehash {}

impl OutputSizeUser for Sha512Prehash {
    type OutputSize = U64;
}

impl Update for Sha512Prehash {
    fn update(&mut self, _data: &[u8]) {}
}

impl FixedOutput for Sha512Prehash {
    fn finalize_into(self, out: &mut Output<Self>) {
        out.copy_from_slice(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    #[test]
    fn matches_streaming_sha512() {
        let message = b"ed25519ph over a digest";
        let digest = HashAlgorithm::Sha512.digest(message);
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let streamed = key
            .sign_prehashed(sha2::Sha512::new_with_prefix(message), None)
            .unwrap();
        let precomputed = key
            .sign_prehashed(Sha512Prehash::new(&digest).unwrap(), None)
            .unwrap();
        assert_eq!(streamed, precomputed);
        assert_eq!(
            Sha512Prehash::new(&HashAlgorithm::Sha256.digest(message)).err(),
            Some(Error::DigestMismatch)
        );
    }
}
