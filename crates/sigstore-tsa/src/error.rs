use const_oid::ObjectIdentifier;
use sigstore_types::Timestamp;

/// Everything that can go wrong when parsing or verifying an RFC 3161 timestamp.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not the DER structure expected at this point.
    #[error("malformed timestamp: {0}")]
    Malformed(&'static str),
    /// The DER decoder refused the bytes at this point (bad length, trailing data, a
    /// non-canonical INTEGER, BOOLEAN or OID, ...).
    #[error("malformed timestamp: {what}: {reason}")]
    Der {
        /// The structure being read.
        what: &'static str,
        /// What the DER decoder refused.
        reason: der::Error,
    },
    /// The response's status is neither granted (0) nor grantedWithMods (1).
    #[error("timestamp response status {status} is not granted")]
    StatusNotGranted {
        /// The PKIStatus value.
        status: u64,
    },
    /// The response carries no token.
    #[error("timestamp response carries no token")]
    MissingToken,
    /// A content type is not the one RFC 3161 requires (id-signedData, id-ct-TSTInfo).
    #[error("unexpected content type {0}")]
    UnexpectedContentType(ObjectIdentifier),
    /// The SignedData does not hold exactly one SignerInfo.
    #[error("timestamp token has {count} SignerInfo(s) (counted up to 2), exactly one is needed")]
    SignerInfoCount {
        /// How many were found, counting stops at 2.
        count: usize,
    },
    /// A structure has a version this crate does not handle.
    #[error("unsupported {what} version {version}")]
    UnsupportedVersion {
        /// The structure.
        what: &'static str,
        /// Its version.
        version: u64,
    },
    /// A hash algorithm other than SHA-256/384/512 (SHA-1 included).
    #[error("unsupported hash algorithm {0}")]
    UnsupportedHashAlgorithm(ObjectIdentifier),
    /// A signature algorithm this crate does not verify.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(ObjectIdentifier),
    /// `TSTInfo` carries a critical extension.
    #[error("unsupported critical TSTInfo extension {0}")]
    UnsupportedCriticalExtension(ObjectIdentifier),
    /// The message imprint is not the hash of the timestamped data.
    #[error("message imprint does not match the timestamped data")]
    ImprintMismatch,
    /// A signed attribute CMS requires is absent.
    #[error("missing signed attribute {0}")]
    MissingSignedAttribute(&'static str),
    /// A signed attribute appears twice.
    #[error("signed attribute {0} appears more than once")]
    DuplicateSignedAttribute(ObjectIdentifier),
    /// The content-type signed attribute is not id-ct-TSTInfo.
    #[error("content-type attribute {0} is not id-ct-TSTInfo")]
    ContentTypeMismatch(ObjectIdentifier),
    /// The message-digest signed attribute is not the hash of the TSTInfo.
    #[error("message-digest attribute does not match the TSTInfo")]
    MessageDigestMismatch,
    /// The SignerInfo's signer identifier does not name the trusted TSA certificate.
    #[error("SignerInfo does not identify the trusted TSA certificate")]
    SignerIdentifierMismatch,
    /// The token embeds certificates, none of which is the trusted TSA signing certificate.
    #[error("the token's embedded certificates do not include the trusted TSA certificate")]
    EmbeddedCertificateMismatch,
    /// The ESS signing-certificate attribute does not name the trusted TSA certificate.
    #[error("ESS signing-certificate attribute does not match the trusted TSA certificate")]
    SigningCertificateMismatch,
    /// A v1 ESS signing-certificate attribute without issuerSerial cannot be checked (its
    /// hash is SHA-1).
    #[error("ESS signing-certificate v1 attribute without issuerSerial cannot be checked")]
    UncheckableSigningCertificate,
    /// The signature over the signed attributes does not verify with the trusted TSA key.
    #[error("timestamp signature does not verify: {0}")]
    BadSignature(sigstore_crypto::Error),
    /// genTime lies outside the TSA's validity period in the trusted root.
    #[error("timestamp time {time} is outside the TSA's validity period")]
    OutsideAuthorityValidity {
        /// The token's genTime.
        time: Timestamp,
    },
    /// The TSA certificate chain does not validate at genTime.
    #[error("TSA certificate chain: {0}")]
    Chain(sigstore_x509_policy::Error),
    /// A trusted-root TSA entry does not parse.
    #[error("invalid timestamp authority: {0}")]
    InvalidAuthority(sigstore_x509_policy::Error),
    /// No timestamp authorities were given.
    #[error("no trusted timestamp authorities")]
    NoAuthorities,
    /// The token carries no nonce, but one was sent.
    #[error("timestamp carries no nonce")]
    MissingNonce,
    /// The token's nonce is not the one sent.
    #[error("timestamp nonce does not match the request")]
    NonceMismatch,
}

impl Error {
    /// How far verification got against one authority: a later failure says more about why
    /// the token was rejected than an earlier one.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Self::Chain(_) | Self::OutsideAuthorityValidity { .. } => 3,
            Self::SignerIdentifierMismatch
            | Self::SigningCertificateMismatch
            | Self::EmbeddedCertificateMismatch
            | Self::UncheckableSigningCertificate => 2,
            Self::BadSignature(_) | Self::UnsupportedSignatureAlgorithm(_) => 1,
            _ => 0,
        }
    }
}
