use const_oid::ObjectIdentifier;
use sigstore_types::Timestamp;

/// Everything that can go wrong when parsing certificates, validating chains or applying
/// identity policies.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a DER X.509 certificate.
    #[error("malformed certificate: {0}")]
    MalformedCertificate(der::Error),
    /// The PEM text is not exactly one `CERTIFICATE` block.
    #[error("malformed PEM certificate: {0}")]
    MalformedPem(&'static str),
    /// The certificate's public key cannot be parsed or is of an unsupported type.
    #[error("certificate public key: {0}")]
    PublicKey(sigstore_crypto::Error),
    /// The certificate carries the same extension more than once (RFC 5280 §4.2).
    #[error("extension {0} appears more than once")]
    DuplicateExtension(ObjectIdentifier),
    /// An extension's value does not decode as its type requires.
    #[error("malformed extension {0}")]
    MalformedExtension(ObjectIdentifier),
    /// The signature algorithm is not one this crate verifies.
    #[error("unsupported certificate signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(ObjectIdentifier),
    /// The signature algorithm's parameters are malformed or not the ones the algorithm needs.
    #[error("malformed or unsupported parameters for signature algorithm {0}")]
    SignatureAlgorithmParameters(ObjectIdentifier),
    /// The TBSCertificate's signature algorithm differs from the outer `signatureAlgorithm`.
    #[error(
        "TBSCertificate signature algorithm differs from the certificate's signatureAlgorithm"
    )]
    SignatureAlgorithmMismatch,
    /// The certificate's issuer name is not the candidate issuer's subject name.
    #[error("certificate issuer name does not match the issuer's subject name")]
    IssuerNameMismatch,
    /// The certificate's signature does not verify with the issuer's key.
    #[error("certificate signature does not verify: {0}")]
    BadSignature(sigstore_crypto::Error),
    /// A certificate of the path is not yet valid at the verification time.
    #[error("certificate at depth {depth} is not valid before {not_before} (time {time})")]
    NotYetValid {
        /// Position in the path: 0 is the leaf, 1 its issuer, and so on.
        depth: usize,
        /// The certificate's notBefore.
        not_before: Timestamp,
        /// The verification time.
        time: Timestamp,
    },
    /// A certificate of the path has expired at the verification time.
    #[error("certificate at depth {depth} expired at {not_after} (time {time})")]
    Expired {
        /// Position in the path: 0 is the leaf, 1 its issuer, and so on.
        depth: usize,
        /// The certificate's notAfter.
        not_after: Timestamp,
        /// The verification time.
        time: Timestamp,
    },
    /// The certificate authority's `validFor` window does not contain the verification time.
    #[error("certificate authority is not valid at {time}")]
    AuthorityNotValidAt {
        /// The verification time.
        time: Timestamp,
    },
    /// No certificate authority was given to verify against.
    #[error("no certificate authorities to verify against")]
    NoAuthorities,
    /// A certificate authority has an empty chain.
    #[error("certificate authority chain is empty")]
    EmptyChain,
    /// A timestamp authority chain needs the TSA certificate plus at least one issuer.
    #[error("timestamp authority chain has {0} certificate(s), at least 2 are needed")]
    TsaChainTooShort(usize),
    /// No trusted certificate authority has a certificate whose subject is the leaf's issuer.
    #[error("certificate was not issued by any trusted certificate authority")]
    UnknownIssuer,
    /// An issuing certificate is not a CA (basicConstraints cA is not set).
    #[error("certificate at depth {depth} is not a CA")]
    NotCa {
        /// Position in the path (1 is the leaf's issuer).
        depth: usize,
    },
    /// An issuing certificate's key usage does not include keyCertSign.
    #[error("certificate at depth {depth} is not allowed to sign certificates (keyCertSign)")]
    MissingKeyCertSign {
        /// Position in the path (1 is the leaf's issuer).
        depth: usize,
    },
    /// An issuing certificate's pathLenConstraint is exceeded.
    #[error("certificate at depth {depth} allows {path_len} intermediate(s) below it")]
    PathLenExceeded {
        /// Position in the path (1 is the leaf's issuer).
        depth: usize,
        /// Its pathLenConstraint.
        path_len: u8,
    },
    /// The leaf's key usage does not include digitalSignature.
    #[error("leaf certificate key usage does not include digitalSignature")]
    MissingDigitalSignature,
    /// The leaf does not carry the extended key usage the purpose needs.
    #[error("leaf certificate lacks extended key usage {expected}")]
    MissingExtendedKeyUsage {
        /// The extended key usage needed.
        expected: ObjectIdentifier,
    },
    /// An issuing certificate restricts extended key usages and the purpose is not among them.
    #[error("certificate at depth {depth} does not allow extended key usage {purpose}")]
    ExtendedKeyUsageNotAllowed {
        /// Position in the path (1 is the leaf's issuer).
        depth: usize,
        /// The purpose's extended key usage.
        purpose: ObjectIdentifier,
    },
    /// A timestamping certificate's extended key usage is not exactly timeStamping.
    #[error("timestamping certificate must have timeStamping as its only extended key usage")]
    TimeStampingEkuNotSole,
    /// A timestamping certificate's extended key usage extension is not critical.
    #[error("timestamping certificate's extended key usage extension must be critical")]
    TimeStampingEkuNotCritical,
    /// A certificate carries a critical extension this crate does not process.
    #[error("certificate at depth {depth} has unhandled critical extension {oid}")]
    UnhandledCriticalExtension {
        /// Position in the path: 0 is the leaf.
        depth: usize,
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// A leaf certificate that must be an end-entity certificate is a CA.
    #[error("leaf certificate is a CA")]
    LeafIsCa,
    /// The leaf's key usage asserts keyCertSign but it is not a CA (RFC 5280 4.2.1.9).
    #[error("leaf certificate asserts keyCertSign without basicConstraints cA")]
    KeyCertSignWithoutCa,
    /// An issuing certificate has an empty subject name (RFC 5280 4.1.2.4, 4.1.2.6).
    #[error("certificate at depth {depth} is a CA with an empty subject name")]
    EmptyCaSubject {
        /// Position in the path (1 is the leaf's issuer).
        depth: usize,
    },
    /// The certificate has no subject alternative name extension.
    #[error("certificate has no subject alternative name")]
    MissingSan,
    /// The certificate's SAN extension does not hold exactly one name.
    #[error("certificate SAN holds {0} names, exactly one is needed")]
    SanCount(usize),
    /// A Fulcio extension or SAN value is not valid UTF-8 text.
    #[error("extension {0} is not UTF-8 text")]
    NotUtf8(ObjectIdentifier),
    /// A regular expression of a policy does not compile.
    #[error("invalid regular expression {pattern:?}: {reason}")]
    InvalidRegex {
        /// The pattern as given (before anchoring).
        pattern: String,
        /// Why it was refused: the parser's or compiler's message.
        reason: String,
    },
    /// A [`crate::GitHubPolicy`] names neither an identity nor a repository, so it would
    /// accept any GitHub Actions workflow.
    #[error("a GitHub policy needs an identity or a repository (or both)")]
    GitHubPolicyUnconstrained,
    /// An identity policy rejected the certificate.
    #[error("policy: {0}")]
    Policy(#[from] crate::PolicyError),
}
