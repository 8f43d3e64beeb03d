use sigstore_types::Timestamp;

/// Why a bundle did not verify, or why a verifier could not be built.
///
/// Each variant names the check that failed; wrapped errors from the lower crates say why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The trusted root is unusable (for example a log key without a validity start).
    #[error("trusted root: {what} (log {log})")]
    InvalidTrustedRoot {
        /// What is wrong.
        what: &'static str,
        /// The log's base URL.
        log: String,
    },
    /// A certificate in the trusted root does not parse.
    #[error("trusted root: certificate authority: {source}")]
    TrustedRootCertificate {
        /// The parse error.
        source: sigstore_x509_policy::Error,
    },
    /// The bundle is malformed.
    #[error("bundle: {0}")]
    Bundle(#[from] sigstore_types::Error),
    /// The instance's trust material could not be loaded.
    #[error("trust material: {0}")]
    Trust(#[from] sigstore_trust::Error),
    /// The bundle's verification material does not fit the policy (a key policy for a
    /// certificate bundle, or the reverse), or is missing.
    #[error("verification material: {0}")]
    Material(&'static str),
    /// The bundle carries a self-signed (root) certificate; trust anchors come only from the
    /// trusted root.
    #[error("verification material: the bundle contains a root certificate")]
    RootCertificateInBundle,
    /// The signing certificate does not parse.
    #[error("signing certificate: {0}")]
    Certificate(sigstore_x509_policy::Error),
    /// The signing certificate does not chain to a trusted Fulcio CA at a verified time.
    #[error("certificate chain at {time}: {source}")]
    Chain {
        /// The verified signing time the chain was checked at.
        time: Timestamp,
        /// Why path validation failed.
        source: sigstore_x509_policy::Error,
    },
    /// The signing certificate's embedded SCTs do not verify against the trusted CT logs.
    #[error("SCT: {0}")]
    Sct(#[from] sigstore_fulcio::Error),
    /// Fewer verified SCTs than the configuration requires.
    #[error("SCT: {found} verified, {required} required")]
    NotEnoughScts {
        /// Distinct CT logs whose SCTs verified.
        found: usize,
        /// The configured threshold.
        required: usize,
    },
    /// The certificate does not satisfy the identity policy.
    #[error("policy: {0}")]
    Policy(sigstore_x509_policy::PolicyError),
    /// An RFC 3161 timestamp does not verify. [`crate::Verifier::verify`] no longer returns
    /// it: a token that does not verify is skipped and reported
    /// ([`crate::VerificationResult::skipped_timestamps`], [`Error::TimestampsSkipped`]).
    #[error("RFC 3161 timestamp #{index}: {source}")]
    Timestamp {
        /// Position of the timestamp in the bundle.
        index: usize,
        /// Why it failed.
        source: sigstore_tsa::Error,
    },
    /// A transparency log entry does not verify.
    #[error("transparency log entry #{index}: {source}")]
    LogEntry {
        /// Position of the entry in the bundle.
        index: usize,
        /// Why it failed.
        source: sigstore_rekor::Error,
    },
    /// A transparency log entry names a log the trusted root does not contain.
    #[error(
        "transparency log entry #{index}: the trusted root has no usable key for log {log_id}"
    )]
    UnknownLog {
        /// Position of the entry in the bundle.
        index: usize,
        /// The entry's log ID, hex.
        log_id: String,
    },
    /// A transparency log entry lacks what the configuration requires or is inconsistent.
    #[error("transparency log entry #{index}: {what}")]
    LogEntryInvalid {
        /// Position of the entry in the bundle.
        index: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// A verified time (the entry's integrated time, or an RFC 3161 time for an entry without
    /// a signed entry timestamp) lies outside the log key's validity.
    #[error("transparency log entry #{index}: the log key was not valid at {time}")]
    LogKeyNotValidAt {
        /// Position of the entry in the bundle.
        index: usize,
        /// The integrated time.
        time: Timestamp,
    },
    /// Fewer verified transparency log entries than the configuration requires.
    #[error("transparency log: {found} verified entries, {required} required")]
    NotEnoughLogEntries {
        /// Distinct logs with a verified entry.
        found: usize,
        /// The configured threshold.
        required: usize,
    },
    /// Fewer verified signing times than the configuration requires.
    #[error("signing time: {found} verified time sources, {required} required (a Rekor v2 entry needs an RFC 3161 timestamp)")]
    NotEnoughVerifiedTimes {
        /// Verified time sources.
        found: usize,
        /// The configured threshold.
        required: usize,
    },
    /// Too few verified signing times, and some RFC 3161 timestamps were skipped because they
    /// did not verify.
    #[error("signing time: {found} verified time sources, {required} required; {skipped} RFC 3161 timestamp(s) did not verify (#{first_index}: {first_reason})")]
    TimestampsSkipped {
        /// Verified time sources.
        found: usize,
        /// The configured threshold.
        required: usize,
        /// How many timestamps were skipped.
        skipped: usize,
        /// Position of the first skipped timestamp.
        first_index: usize,
        /// Why it did not verify.
        first_reason: String,
    },
    /// The artifact's digest was given with an algorithm the bundle's signature does not use.
    #[error("artifact: {0}")]
    Artifact(&'static str),
    /// Reading the artifact failed.
    #[error("artifact: cannot read: {0}")]
    ArtifactRead(std::io::Error),
    /// The bundle's `messageDigest` differs from the artifact's digest.
    #[error("artifact: the bundle's message digest does not match the artifact")]
    MessageDigestMismatch,
    /// The artifact signature does not verify.
    #[error("artifact signature: {0}")]
    Signature(sigstore_crypto::Error),
    /// The DSSE envelope is not an in-toto statement about this artifact.
    #[error("DSSE: {0}")]
    Dsse(&'static str),
    /// The policy requires an in-toto predicate type the bundle does not carry.
    #[error("policy: the predicate type is {}, not the required {required}", found.as_deref().unwrap_or("absent (no in-toto statement)"))]
    PredicateType {
        /// The predicate type the policy requires.
        required: String,
        /// The statement's predicate type, if the bundle carries a statement.
        found: Option<String>,
    },
    /// Fewer witnesses cosigned a log entry's checkpoint than the verifier requires.
    #[error("transparency log entry #{index}: {found} witness cosignature(s) verified, {required} required")]
    NotEnoughCosignatures {
        /// Position of the entry in the bundle.
        index: usize,
        /// Distinct trusted witnesses whose cosignature verified.
        found: usize,
        /// The configured threshold.
        required: usize,
    },
    /// The witness configuration is unusable (no keys, or a threshold of 0 or above the
    /// number of keys).
    #[error("witnesses: {0}")]
    WitnessConfig(&'static str),
    /// The in-toto statement is malformed.
    #[error("DSSE: statement: {0}")]
    Statement(sigstore_types::Error),
}
