use crate::{KeyType, SignatureAlgorithm};

/// Everything that can go wrong when parsing a key or checking a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `sha256:`/`sha384:`/`sha512:` digest's value is not hexadecimal.
    #[error("not a hex digest")]
    DigestNotHex,
    /// A `sha256:`/`sha384:`/`sha512:` digest has the wrong number of hex digits.
    #[error("a {} digest has {} hex digits", .algorithm.name(), .algorithm.output_len() * 2)]
    DigestLength {
        /// The algorithm named.
        algorithm: crate::HashAlgorithm,
    },
    /// The bytes are not a DER `SubjectPublicKeyInfo` (or PEM `PUBLIC KEY` block).
    #[error("malformed public key: {0}")]
    MalformedKey(&'static str),
    /// The key is well formed but of a type or size this crate does not accept.
    #[error("unsupported public key: {0}")]
    UnsupportedKey(&'static str),
    /// The signature algorithm cannot be used with this key.
    #[error("signature algorithm {algorithm:?} cannot be used with a {key:?} key")]
    AlgorithmMismatch {
        /// The algorithm asked for.
        algorithm: SignatureAlgorithm,
        /// The key's type.
        key: KeyType,
    },
    /// The algorithm cannot verify a precomputed digest (pure Ed25519 needs the whole message).
    #[error("signature algorithm {0:?} needs the whole message, not a digest")]
    DigestNotSupported(SignatureAlgorithm),
    /// The digest does not have the algorithm or length the signature algorithm hashes with.
    #[error("digest does not match the signature algorithm's hash")]
    DigestMismatch,
    /// The signature bytes are not a well-formed signature for this key type.
    #[error("malformed signature")]
    MalformedSignature,
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The bytes are not a private key this crate reads (PEM `PRIVATE KEY`, `ENCRYPTED PRIVATE
    /// KEY` or `EC PRIVATE KEY`, or their DER).
    #[error("malformed private key: {0}")]
    MalformedPrivateKey(&'static str),
    /// The private key is well formed but of a type, curve or encryption this crate does not
    /// sign with (the message names what is supported).
    #[error("unsupported private key: {0}")]
    UnsupportedPrivateKey(&'static str),
    /// The private key is encrypted and no passphrase was given.
    #[error("the private key is encrypted and needs a passphrase")]
    PassphraseRequired,
    /// The encrypted private key did not decrypt: the passphrase is wrong or the key is
    /// damaged (the two cannot be told apart).
    #[error("wrong passphrase or corrupt key")]
    WrongPassphrase,
    /// Making a key or a signature failed: the operating system's random number generator or
    /// the signing backend reported an error.
    #[error("signing failed")]
    SigningFailed,
}
