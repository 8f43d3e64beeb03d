/// Everything that can go wrong when parsing or converting Sigstore data.
///
/// Each structural rule has its own variant so callers can report exactly what was wrong.
/// Field names in `field` payloads are protobuf-JSON paths such as
/// `"verificationMaterial.tlogEntries.logId.keyId"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A time is not an RFC 3339 date-time.
    #[error("invalid RFC 3339 timestamp {0:?}")]
    InvalidTimestamp(String),

    /// The input is larger than the accepted maximum.
    #[error("input of {size} bytes exceeds the limit of {limit} bytes")]
    InputTooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The maximum accepted size in bytes.
        limit: usize,
    },

    /// The input is not well-formed JSON, or a value has the wrong JSON type.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// 1-based column of the problem (0 when unknown).
        column: usize,
        /// The parser's description.
        message: String,
    },

    /// A bundle has a member the bundle format does not define (protobuf JSON names, in
    /// lowerCamelCase). Nothing in a bundle is ignored: an unknown member is refused.
    #[error("unknown member {path} in the bundle")]
    UnknownMember {
        /// Where: a path such as `verificationMaterial.tlogEntries.0.extra` (at most 200
        /// characters, control characters escaped).
        path: String,
    },

    /// A bundle `mediaType` is not a supported bundle media type (0.1, 0.2 or 0.3).
    #[error("unsupported bundle media type {0:?}")]
    UnsupportedBundleMediaType(String),

    /// A trusted root, signing config or client trust config has an unsupported `mediaType`.
    #[error("unsupported {document} media type {media_type:?}")]
    UnsupportedMediaType {
        /// Which kind of document was being parsed.
        document: &'static str,
        /// The media type found.
        media_type: String,
    },

    /// A required field is absent (or has its empty default value).
    #[error("missing required field {0}")]
    MissingField(&'static str),

    /// A `bytes` field is not valid base64.
    #[error("invalid base64 in {field}")]
    InvalidBase64 {
        /// The field holding the bad value.
        field: &'static str,
    },

    /// A hex field is not valid hexadecimal.
    #[error("invalid hex in {field}")]
    InvalidHex {
        /// The field holding the bad value.
        field: &'static str,
    },

    /// An integer field is not an integer, or is out of range for its type.
    #[error("invalid integer {value:?} in {field}")]
    InvalidInteger {
        /// The field holding the bad value.
        field: &'static str,
        /// The offending text (truncated).
        value: String,
    },

    /// The bundle has neither `messageSignature` nor `dsseEnvelope`.
    #[error("bundle has neither messageSignature nor dsseEnvelope")]
    MissingBundleContent,

    /// The bundle has both `messageSignature` and `dsseEnvelope`.
    #[error("bundle has both messageSignature and dsseEnvelope")]
    AmbiguousBundleContent,

    /// The verification material has none of `publicKey`, `x509CertificateChain`,
    /// `certificate`.
    #[error("verification material has no key or certificate")]
    MissingVerificationMaterialContent,

    /// The verification material has more than one of `publicKey`, `x509CertificateChain`,
    /// `certificate`.
    #[error("verification material has more than one key or certificate form")]
    AmbiguousVerificationMaterialContent,

    /// The message signature or DSSE signature is empty.
    #[error("signature is empty")]
    EmptySignature,

    /// A bundle's DSSE envelope does not carry exactly one signature.
    #[error("DSSE envelope has {0} signatures, exactly one is required")]
    DsseSignatureCount(usize),

    /// An `x509CertificateChain` has no certificates.
    #[error("certificate chain is empty")]
    EmptyCertificateChain,

    /// A v0.3 bundle uses `x509CertificateChain`; v0.3 requires `certificate`.
    #[error("v0.3 bundles must use certificate, not x509CertificateChain")]
    CertificateChainInV03,

    /// A v0.1 bundle's tlog entry lacks an inclusion promise (SET).
    #[error("tlog entry {entry} has no inclusion promise (required for v0.1 bundles)")]
    MissingInclusionPromise {
        /// Index of the entry in `tlogEntries`.
        entry: usize,
    },

    /// A v0.2+ bundle's tlog entry lacks an inclusion proof.
    #[error("tlog entry {entry} has no inclusion proof (required for v0.2+ bundles)")]
    MissingInclusionProof {
        /// Index of the entry in `tlogEntries`.
        entry: usize,
    },

    /// A bundle cannot be repaired (`fix-bundle`): it does not have exactly one log entry, or
    /// the replacement entry is not the same entry.
    #[error("unfixable bundle: {0}")]
    Unfixable(&'static str),

    /// A v0.2+ bundle's inclusion proof lacks a checkpoint.
    #[error("tlog entry {entry} inclusion proof has no checkpoint")]
    MissingCheckpoint {
        /// Index of the entry in `tlogEntries`.
        entry: usize,
    },

    /// More certificates in an `x509CertificateChain` than accepted.
    #[error("{count} chain certificates exceed the limit of {max}")]
    TooManyCertificates {
        /// Number found.
        count: usize,
        /// Maximum accepted.
        max: usize,
    },
    /// More transparency log entries than accepted.
    #[error("{count} tlog entries exceed the limit of {max}")]
    TooManyTlogEntries {
        /// Number found.
        count: usize,
        /// Maximum accepted.
        max: usize,
    },

    /// Two tlog entries share the same (logId, logIndex).
    #[error("duplicate tlog entry for log index {log_index}")]
    DuplicateTlogEntry {
        /// The duplicated log index.
        log_index: i64,
    },

    /// More RFC 3161 timestamps than accepted.
    #[error("{count} RFC 3161 timestamps exceed the limit of {max}")]
    TooManyTimestamps {
        /// Number found.
        count: usize,
        /// Maximum accepted.
        max: usize,
    },

    /// Two RFC 3161 timestamps are byte-identical.
    #[error("duplicate RFC 3161 timestamp at index {index}")]
    DuplicateTimestamp {
        /// Index of the second occurrence.
        index: usize,
    },

    /// A tlog entry's `logIndex` is negative.
    #[error("tlog entry {entry} has negative log index {value}")]
    NegativeLogIndex {
        /// Index of the entry in `tlogEntries`.
        entry: usize,
        /// The negative value.
        value: i64,
    },

    /// An inclusion proof's `logIndex` is negative.
    #[error("tlog entry {entry} inclusion proof has negative log index {value}")]
    NegativeProofLogIndex {
        /// Index of the entry in `tlogEntries`.
        entry: usize,
        /// The negative value.
        value: i64,
    },

    /// An inclusion proof's `treeSize` is negative.
    #[error("tlog entry {entry} inclusion proof has negative tree size {value}")]
    NegativeTreeSize {
        /// Index of the entry in `tlogEntries`.
        entry: usize,
        /// The negative value.
        value: i64,
    },

    /// No PEM block with a BEGIN line was found.
    #[error("no PEM block found (expected {expected:?})")]
    PemMissing {
        /// The label that was expected.
        expected: String,
    },

    /// A PEM block has a different label than expected.
    #[error("PEM label {found:?} where {expected:?} was expected")]
    PemLabelMismatch {
        /// The label that was expected.
        expected: String,
        /// The label found.
        found: String,
    },

    /// A PEM block is malformed (no matching END line, headers, bad characters).
    #[error("malformed PEM block")]
    PemMalformed,

    /// An in-toto statement `_type` is not a supported Statement version.
    #[error("unsupported in-toto statement type {0:?}")]
    UnsupportedStatementType(String),

    /// An in-toto statement has no subjects.
    #[error("in-toto statement has no subjects")]
    NoSubjects,

    /// An in-toto statement has too many subjects.
    #[error("in-toto statement has {count} subjects, limit {max}")]
    TooManySubjects {
        /// Number found.
        count: usize,
        /// Maximum accepted.
        max: usize,
    },

    /// An in-toto subject has too many digests.
    #[error("in-toto subject {subject} has {count} digests, limit {max}")]
    TooManyDigests {
        /// Index of the subject.
        subject: usize,
        /// Number found.
        count: usize,
        /// Maximum accepted.
        max: usize,
    },
    /// An in-toto predicate does not have the shape its predicate type requires (SLSA
    /// provenance), is not a JSON object, or has an empty predicate type.
    #[error("{0}")]
    InvalidPredicate(String),

    /// A bundle cannot be written as the legacy detached material asked for (the message
    /// says which and why).
    #[error("{0}")]
    LegacyOutput(&'static str),

    /// A legacy `.rekor` file needs a Rekor v1 log entry with a signed entry timestamp, and
    /// the bundle's first entry has none.
    #[error("a .rekor file needs a Rekor v1 entry with a signed entry timestamp")]
    RekorBundleNeedsPromise,
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        let (line, column) = (err.line(), err.column());
        let mut message = err.to_string();
        let suffix = format!(" at line {line} column {column}");
        if message.ends_with(&suffix) {
            message.truncate(message.len() - suffix.len());
        }
        Error::Json {
            line,
            column,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_error_keeps_position_once() {
        let err: Error = serde_json::from_str::<u8>("\n  x").unwrap_err().into();
        match &err {
            Error::Json {
                line,
                column,
                message,
            } => {
                assert_eq!((*line, *column), (2, 3));
                assert!(!message.contains("line"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(err
            .to_string()
            .starts_with("invalid JSON at line 2, column 3: "));
    }
}
