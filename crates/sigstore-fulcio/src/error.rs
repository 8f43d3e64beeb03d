use sigstore_crypto::KeyType;
use sigstore_types::Timestamp;

/// Everything that can go wrong when parsing or verifying embedded SCTs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The leaf has no SCT-list extension.
    #[error("certificate has no embedded SCT list extension")]
    MissingSctList,
    /// The leaf has more than one SCT-list extension.
    #[error("certificate has more than one SCT list extension")]
    DuplicateSctList,
    /// The SCT list is not well formed.
    #[error("malformed SCT list: {0}")]
    MalformedSctList(&'static str),
    /// The SCT list holds more than [`crate::MAX_SCTS`] entries.
    #[error("SCT list holds more than {} entries", crate::MAX_SCTS)]
    TooManyScts,
    /// An SCT has a version other than v1.
    #[error("unsupported SCT version {0}")]
    UnsupportedSctVersion(u8),
    /// An SCT from a trusted log uses a hash other than SHA-256.
    #[error("unsupported SCT hash algorithm {0}")]
    UnsupportedHashAlgorithm(u8),
    /// An SCT from a trusted log uses a signature algorithm other than ECDSA or RSA.
    #[error("unsupported SCT signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(u8),
    /// The SCT's signature algorithm does not fit the log key.
    #[error("SCT signature algorithm {sig_alg} does not fit a {key:?} log key")]
    SignatureAlgorithmMismatch {
        /// The SCT's `signature` algorithm byte.
        sig_alg: u8,
        /// The log key's type.
        key: KeyType,
    },
    /// The SCT timestamp does not fit a [`Timestamp`].
    #[error("SCT timestamp out of range")]
    SctTimeOutOfRange,
    /// The SCT timestamp lies outside the CT log key's validity period.
    #[error("SCT timestamp {time} is outside the CT log key's validity period")]
    SctOutsideLogValidity {
        /// The SCT timestamp.
        time: Timestamp,
    },
    /// An SCT from a trusted log does not verify.
    #[error("SCT signature from a trusted CT log does not verify: {source}")]
    BadSctSignature {
        /// The log ID of the SCT.
        log_id: [u8; 32],
        /// Why the signature check failed.
        source: sigstore_crypto::Error,
    },
    /// No SCT verified with a trusted CT log key.
    #[error("no embedded SCT verified with a trusted CT log")]
    NoVerifiedSct,
    /// The chain has no certificate above the leaf to serve as the precertificate issuer.
    #[error("the chain has no issuer for the precertificate")]
    MissingIssuer,
    /// The precertificate issuer is not a CA certificate.
    #[error("the precertificate issuer is not a CA")]
    IssuerNotCa,
    /// The verified chain does not start with the leaf.
    #[error("the verified chain does not start with this leaf")]
    ChainMismatch,
    /// The leaf's TBSCertificate does not round-trip through DER decoding and encoding.
    #[error("the leaf's TBSCertificate is not canonical DER")]
    NonCanonicalTbs,
    /// The certificate still carries the CT poison extension.
    #[error("the certificate carries the CT precertificate poison extension")]
    PoisonedCertificate,
    /// The rebuilt TBSCertificate is longer than 2^24 - 1 bytes.
    #[error("the precertificate TBSCertificate is too large")]
    TbsTooLarge,
    /// Re-encoding the precertificate TBSCertificate failed.
    #[error("cannot encode the precertificate TBSCertificate: {0}")]
    Encoding(der::Error),
    /// A CT log key from the trusted root does not parse.
    #[error("invalid CT log key: {0}")]
    InvalidLogKey(sigstore_crypto::Error),
    /// A CT log ID is not 32 bytes.
    #[error("CT log ID is {len} bytes, expected 32")]
    InvalidLogId {
        /// The length given.
        len: usize,
    },
}
