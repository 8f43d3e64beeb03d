use crate::backend::SigningInner;
use crate::{Digest, Error, HashAlgorithm, PublicKey, SignatureAlgorithm};

/// DER `SubjectPublicKeyInfo` header for an uncompressed P-256 point: `id-ecPublicKey`,
/// `prime256v1`, and a 66-byte BIT STRING (one byte of unused bits, 65 of point).
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// An ephemeral ECDSA P-256 signing key, for example for a short-lived Fulcio certificate.
///
/// The private key lives only in memory and cannot be exported. Signatures are ASN.1 DER
/// `Ecdsa-Sig-Value`s over SHA-256 ([`SignatureAlgorithm::EcdsaSha256`]), which
/// [`PublicKey::verify`] checks. The RustCrypto backend signs deterministically (RFC 6979);
/// aws-lc draws a fresh random nonce per signature. Both kinds verify the same way.
pub struct SigningKey {
    inner: SigningInner,
    public: PublicKey,
}

impl SigningKey {
    /// Generates a fresh key from the operating system's random number generator.
    pub fn generate() -> Result<Self, Error> {
        let inner = SigningInner::generate()?;
        let point = inner.public_point();
        let mut spki = Vec::with_capacity(P256_SPKI_PREFIX.len() + point.len());
        spki.extend_from_slice(&P256_SPKI_PREFIX);
        spki.extend_from_slice(&point);
        let public = PublicKey::from_spki_der(&spki).map_err(|_| Error::SigningFailed)?;
        Ok(Self { inner, public })
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// The scheme this key signs with: [`SignatureAlgorithm::EcdsaSha256`].
    pub fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaSha256
    }

    /// Signs `message` (hashed with SHA-256), returning a DER ECDSA signature.
    ///
    /// The RustCrypto backend cannot fail here. Should the aws-lc backend report an internal
    /// error (it does not for a key made by [`SigningKey::generate`]), the result is empty, which
    /// no verifier accepts; use [`SigningKey::try_sign`] to see that error.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.try_sign(message).unwrap_or_default()
    }

    /// Signs `message` (hashed with SHA-256), returning a DER ECDSA signature or
    /// [`Error::SigningFailed`].
    pub fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.inner.sign(message)
    }

    /// Signs a precomputed SHA-256 `digest`, returning a DER ECDSA signature.
    /// A digest of another algorithm gives [`Error::DigestMismatch`].
    pub fn sign_digest(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        if digest.algorithm() != HashAlgorithm::Sha256 {
            return Err(Error::DigestMismatch);
        }
        self.inner.sign_sha256_digest(digest.as_bytes())
    }
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spki_prefix_is_p256() {
        let key = SigningKey::generate().unwrap();
        let public = key.public_key();
        assert_eq!(public.key_type(), crate::KeyType::EcdsaP256);
        assert_eq!(public.spki_der().len(), 91);
        assert_eq!(&public.spki_der()[..26], &P256_SPKI_PREFIX);
    }
}
