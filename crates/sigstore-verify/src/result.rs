use serde::Serialize;
use sigstore_types::Timestamp;
use sigstore_x509_policy::FulcioExtensions;

/// What a successful verification established. Serializes to JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VerificationResult {
    /// The bundle's media type.
    pub media_type: String,
    /// Who signed: the certificate identity, or the managed key.
    pub signer: SignerInfo,
    /// The artifact digest the signature covers, as `sha256:HEX`.
    pub artifact_digest: String,
    /// For DSSE bundles: the in-toto statement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementInfo>,
    /// Every verified signing time and where it came from.
    pub verified_times: Vec<VerifiedTime>,
    /// RFC 3161 timestamps that did not verify and were not counted, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_timestamps: Vec<SkippedTimestamp>,
    /// Every verified transparency log entry.
    pub log_entries: Vec<VerifiedLogEntry>,
    /// Number of embedded SCTs verified against trusted CT logs.
    pub verified_scts: usize,
    /// Things worth knowing that did not affect the outcome (for example a bundled root
    /// certificate identical to a trust anchor, which was ignored).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// An RFC 3161 timestamp that did not verify: skipped, never counted toward the threshold.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SkippedTimestamp {
    /// Position of the timestamp in the bundle.
    pub index: usize,
    /// Why it did not verify.
    pub reason: String,
}

/// The signer of a verified bundle.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
#[non_exhaustive]
pub enum SignerInfo {
    /// A Fulcio certificate.
    Certificate {
        /// The certificate's subject alternative name (email, URI or username).
        identity: String,
        /// The OIDC issuer (extension 1.3.6.1.4.1.57264.1.8, else 1.1).
        issuer: Option<String>,
        /// All Fulcio extensions.
        extensions: Box<FulcioExtensions>,
        /// Start of the certificate's validity.
        not_before: Timestamp,
        /// End of the certificate's validity.
        not_after: Timestamp,
        /// Serial number, hex.
        serial: String,
    },
    /// A managed key given by the caller.
    PublicKey {
        /// The bundle's unauthenticated key hint.
        hint: String,
    },
}

/// The in-toto statement of a DSSE bundle.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatementInfo {
    /// `predicateType`.
    pub predicate_type: String,
    /// The subject whose digest matched the artifact.
    pub subject: String,
    /// The statement's `_type`.
    pub statement_type: String,
    /// The whole verified statement, predicate included, when the verifier was configured
    /// with `include_statement`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<serde_json::Value>,
}

/// A signing time that verified.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedTime {
    /// The time.
    pub time: Timestamp,
    /// Where it came from.
    pub source: TimeSource,
}

/// A source of verified time.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
#[non_exhaustive]
pub enum TimeSource {
    /// An RFC 3161 timestamp from a trusted timestamp authority.
    Rfc3161 {
        /// The authority's URI from the trusted root.
        authority: String,
    },
    /// A Rekor v1 signed entry timestamp (integrated time).
    TransparencyLog {
        /// The log's base URL.
        log: String,
    },
}

/// A transparency log entry that verified.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VerifiedLogEntry {
    /// The log's base URL.
    pub log: String,
    /// The log ID, hex.
    pub log_id: String,
    /// The entry's index, as verified: the bundle's `logIndex` when a signed entry timestamp
    /// signs it (or, for Rekor v2, the inclusion proof carries it); for a Rekor v1 entry
    /// verified by its inclusion proof alone, the proof's index in its tree.
    pub log_index: i64,
    /// The bundle's `logIndex` when nothing verified binds it and it differs from
    /// [`VerifiedLogEntry::log_index`] (a Rekor v1 entry without a signed entry timestamp):
    /// a claim of the bundle, not a verified value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unverified_log_index: Option<i64>,
    /// Entry kind (`hashedrekord`, `dsse`, `intoto`).
    pub kind: String,
    /// Entry kind version.
    pub version: String,
    /// Integrated time, when a signed entry timestamp vouched for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrated_time: Option<Timestamp>,
    /// Whether an inclusion proof against a signed checkpoint verified.
    pub inclusion_proof: bool,
    /// Whether a signed entry timestamp verified.
    pub inclusion_promise: bool,
    /// Cosignatures of the entry's checkpoint by the witnesses the caller trusts (empty
    /// unless the verifier was given witness keys).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cosignatures: Vec<WitnessCosignature>,
}

/// A verified witness cosignature of a log checkpoint.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WitnessCosignature {
    /// The witness key name.
    pub witness: String,
    /// When the witness says it cosigned.
    pub time: Timestamp,
}
