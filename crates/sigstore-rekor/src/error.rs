//! The crate's single error type.

use sigstore_crypto::KeyType;

/// Everything that can go wrong when checking transparency log material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- Merkle proofs -----
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The leaf index given.
        index: u64,
        /// The tree size given.
        size: u64,
    },
    /// The proof does not have the number of hashes the tree shape requires.
    #[error("proof has {actual} hashes, the tree shape requires {expected}")]
    ProofLength {
        /// Hashes the (index, size) pair requires.
        expected: usize,
        /// Hashes supplied.
        actual: usize,
    },
    /// The root computed from the proof is not the expected root.
    #[error(
        "calculated root {} does not equal expected root {}",
        hex::encode(calculated),
        hex::encode(expected)
    )]
    RootMismatch {
        /// The root the proof leads to.
        calculated: [u8; 32],
        /// The root that was expected (from a checkpoint or the caller).
        expected: [u8; 32],
    },
    /// A consistency proof was asked for from a larger tree to a smaller one.
    #[error("consistency from size {size1} to smaller size {size2}")]
    ConsistencySizes {
        /// The older tree size.
        size1: u64,
        /// The newer tree size.
        size2: u64,
    },
    /// A subtree range `[start, end)` is not a valid subtree.
    #[error("[{start}, {end}) is not a valid subtree")]
    InvalidSubtree {
        /// First leaf of the range.
        start: u64,
        /// One past the last leaf of the range.
        end: u64,
    },

    // ----- Signed notes and checkpoints -----
    /// The note is larger than [`crate::checkpoint::MAX_NOTE_SIZE`].
    #[error("signed note is {len} bytes, more than the {max} byte limit")]
    NoteTooLarge {
        /// The note's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The note has more signature lines than [`crate::checkpoint::MAX_SIGNATURE_LINES`].
    #[error("signed note has more than {max} signature lines")]
    TooManySignatures {
        /// The limit.
        max: usize,
    },
    /// The note is not a well-formed C2SP signed note.
    #[error("malformed signed note: {0}")]
    MalformedNote(NoteFormat),
    /// The note text is not a well-formed checkpoint.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(CheckpointFormat),
    /// No signature line belongs to a trusted key (by key name and key ID).
    #[error("no signature line from a trusted key")]
    NoMatchingSignature,
    /// A signature line names a trusted key but its signature does not verify.
    #[error(
        "signature line from {name} (key ID {}) does not verify",
        hex::encode(key_id)
    )]
    NoteSignatureInvalid {
        /// The key name on the line.
        name: String,
        /// The 4-byte key ID on the line.
        key_id: [u8; 4],
    },
    /// The checkpoint's origin is not the one the log is known by.
    #[error("checkpoint origin {found:?} is not the expected {expected:?}")]
    OriginMismatch {
        /// The expected origin.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
    /// A witness (cosigner) key is not a usable C2SP tlog-cosignature/v1 verifier key.
    #[error("witness key: {0}")]
    InvalidWitnessKey(&'static str),
    /// A cosignature line names a trusted witness but is malformed (wrong length, timestamp
    /// beyond 2^63 - 1).
    #[error("cosignature from {name}: {what}")]
    MalformedCosignature {
        /// The witness key name on the line.
        name: String,
        /// What is wrong.
        what: &'static str,
    },
    /// The key cannot be used for this kind of note signature.
    #[error("a {0:?} key cannot be used for this note verifier")]
    UnsupportedNoteKey(KeyType),

    // ----- Signed entry timestamps -----
    /// A number that must be non-negative is negative.
    #[error("{field} is negative")]
    NegativeValue {
        /// Which input.
        field: &'static str,
    },
    /// A log ID is not a 32-byte SHA-256 value.
    #[error("log ID is {len} bytes, expected 32")]
    LogIdLength {
        /// The length given.
        len: usize,
    },
    /// The signed entry timestamp does not verify.
    #[error("signed entry timestamp does not verify: {0}")]
    SetInvalid(sigstore_crypto::Error),

    // ----- Entry bodies -----
    /// The body is larger than [`crate::body::MAX_BODY_SIZE`].
    #[error("entry body is {len} bytes, more than the {max} byte limit")]
    BodyTooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The body is not the JSON shape its kind and version require.
    #[error("malformed entry body: {0}")]
    MalformedBody(&'static str),
    /// The body's `kind`/`apiVersion` differ from the entry's `kindVersion`.
    #[error("entry body is {found_kind} {found_version}, the entry says {kind} {version}")]
    KindVersionMismatch {
        /// The kind the entry claims.
        kind: String,
        /// The version the entry claims.
        version: String,
        /// The kind inside the body.
        found_kind: String,
        /// The version inside the body.
        found_version: String,
    },
    /// This crate does not support the entry kind and version.
    #[error("unsupported entry type {kind} {version}")]
    UnsupportedEntry {
        /// The entry kind.
        kind: String,
        /// The entry version.
        version: String,
    },
    /// The check asked for does not apply to this entry kind (for example a DSSE check on a
    /// `hashedrekord` v0.0.1 entry).
    #[error("entry kind {kind} cannot bind {content}")]
    WrongEntryKind {
        /// The entry's kind.
        kind: &'static str,
        /// What the caller tried to bind (`"a message signature"`, `"a DSSE envelope"`).
        content: &'static str,
    },
    /// A field of the log entry does not match the bundle.
    #[error("log entry does not match the bundle: {0}")]
    BodyMismatch(BodyField),
}

/// What is wrong with a signed note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteFormat {
    /// A control character other than `\n` (or a non-character) appears.
    #[error("control character")]
    ControlCharacter,
    /// There is no blank line separating the text from the signatures.
    #[error("no blank line before the signatures")]
    MissingSeparator,
    /// The signature block is empty.
    #[error("no signature lines")]
    NoSignatures,
    /// The note does not end with a newline.
    #[error("does not end with a newline")]
    MissingFinalNewline,
    /// A signature line does not start with an em dash and a space.
    #[error("signature line does not start with an em dash")]
    MissingDash,
    /// A signature line has no space between the key name and the signature.
    #[error("signature line has no signature")]
    MissingSignature,
    /// A key name is empty or contains whitespace or `+`.
    #[error("invalid key name")]
    InvalidKeyName,
    /// A signature is not standard padded base64.
    #[error("signature is not base64")]
    SignatureNotBase64,
    /// A signature decodes to fewer than 5 bytes (4-byte key ID and at least one byte).
    #[error("signature shorter than 5 bytes")]
    SignatureTooShort,
}

/// What is wrong with a checkpoint body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointFormat {
    /// The origin line is missing or empty.
    #[error("missing origin line")]
    MissingOrigin,
    /// The tree size line is missing.
    #[error("missing tree size line")]
    MissingSize,
    /// The tree size is not a decimal number without leading zeros that fits 64 bits.
    #[error("tree size is not a canonical decimal number")]
    InvalidSize,
    /// The root hash line is missing.
    #[error("missing root hash line")]
    MissingRootHash,
    /// The root hash is not standard base64 of 32 bytes.
    #[error("root hash is not base64 of 32 bytes")]
    InvalidRootHash,
    /// An extension line is empty.
    #[error("empty extension line")]
    EmptyLine,
}

/// The log entry field that disagrees with the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyField {
    /// The artifact digest (or its algorithm).
    #[error("artifact digest")]
    ArtifactDigest,
    /// The signature bytes.
    #[error("signature")]
    Signature,
    /// The certificate or public key.
    #[error("verification key or certificate")]
    Verifier,
    /// The DSSE payload hash.
    #[error("DSSE payload hash")]
    PayloadHash,
    /// The DSSE payload type.
    #[error("DSSE payload type")]
    PayloadType,
    /// The number of signatures (the bundle carries exactly one).
    #[error("number of signatures")]
    SignatureCount,
}
