//! The Sigstore bundle (`dev.sigstore.bundle.v1.Bundle`), versions 0.1 to 0.3.
//!
//! [`Bundle::from_json`] parses the protobuf-JSON form and enforces the structural rules of
//! each version; it does not verify any signature or proof.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::common::HashAlgorithm;
use crate::dsse::{Envelope, EnvelopeWire};
use crate::media_types;
use crate::wire::{self, Bytes, CertChain, EnumValue, Int64, KeyId, RawBytes};
use crate::Error;

/// Most transparency log entries accepted in one bundle (sigstore-go's limit).
pub const MAX_TLOG_ENTRIES: usize = 32;
/// Most certificates accepted in an `x509CertificateChain` (leaf plus intermediates). Fulcio
/// chains have two or three; the cap bounds the work spent on untrusted certificates.
pub const MAX_CHAIN_CERTIFICATES: usize = 10;
/// Most RFC 3161 timestamps accepted in one bundle.
pub const MAX_RFC3161_TIMESTAMPS: usize = 32;

/// The bundle format version, derived from the media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BundleVersion {
    /// v0.1: inclusion promise (SET) required; certificate chain form.
    V0_1,
    /// v0.2: inclusion proof with checkpoint required.
    V0_2,
    /// v0.3: as v0.2, and keyless bundles carry a single `certificate`.
    V0_3,
}

impl BundleVersion {
    /// The media type signers emit for this version.
    pub fn media_type(self) -> &'static str {
        match self {
            BundleVersion::V0_1 => media_types::BUNDLE_V0_1,
            BundleVersion::V0_2 => media_types::BUNDLE_V0_2,
            BundleVersion::V0_3 => media_types::BUNDLE_V0_3,
        }
    }

    /// The version named by a bundle media type: the three `+json;version=0.X` spellings,
    /// or the generic `application/vnd.dev.sigstore.bundle.v<X.Y[.Z]>+json` form with
    /// `0.1 <= version < 0.4`.
    pub fn from_media_type(media_type: &str) -> Result<Self, Error> {
        let unsupported =
            || Error::UnsupportedBundleMediaType(media_type.chars().take(128).collect());
        match media_type {
            media_types::BUNDLE_V0_1 => return Ok(Self::V0_1),
            media_types::BUNDLE_V0_2 => return Ok(Self::V0_2),
            media_types::BUNDLE_V0_3_LEGACY => return Ok(Self::V0_3),
            _ => {}
        }
        let version = media_type
            .strip_prefix(media_types::BUNDLE_GENERIC_PREFIX)
            .and_then(|rest| rest.strip_suffix(media_types::BUNDLE_GENERIC_SUFFIX))
            .ok_or_else(unsupported)?;
        let mut parts = [0u64; 3];
        let mut count = 0usize;
        for part in version.split('.') {
            let slot = parts.get_mut(count).ok_or_else(unsupported)?;
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unsupported());
            }
            *slot = part.parse().map_err(|_| unsupported())?;
            count += 1;
        }
        if count < 2 {
            return Err(unsupported());
        }
        match parts {
            [0, 1, _] => Ok(Self::V0_1),
            [0, 2, _] => Ok(Self::V0_2),
            [0, 3, _] => Ok(Self::V0_3),
            _ => Err(unsupported()),
        }
    }
}

/// A parsed Sigstore bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The media type exactly as given.
    pub media_type: String,
    /// The version the media type names.
    pub version: BundleVersion,
    /// Key or certificate, log entries, timestamps.
    pub verification_material: VerificationMaterial,
    /// What was signed: a message signature or a DSSE envelope.
    pub content: BundleContent,
}

/// The signed content of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleContent {
    /// A signature over an artifact (hashedrekord).
    MessageSignature(MessageSignature),
    /// A DSSE envelope (attestations).
    DsseEnvelope(Envelope),
}

/// A plain signature over an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSignature {
    /// The artifact digest as an identifier; never verify the signature against it.
    pub message_digest: Option<MessageDigest>,
    /// The raw signature bytes (DER for ECDSA).
    pub signature: Vec<u8>,
}

/// A digest with its algorithm (`HashOutput`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDigest {
    /// The hash algorithm.
    pub algorithm: HashAlgorithm,
    /// The raw digest bytes.
    pub digest: Vec<u8>,
}

/// The material needed to verify a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationMaterial {
    /// The key hint, certificate chain or certificate.
    pub content: VerificationMaterialContent,
    /// Transparency log entries.
    pub tlog_entries: Vec<TransparencyLogEntry>,
    /// RFC 3161 `TimeStampResp` DER blobs (`signedTimestamp`).
    pub rfc3161_timestamps: Vec<Vec<u8>>,
}

/// How the signing key is conveyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationMaterialContent {
    /// A managed key delivered out of band; the hint is unauthenticated.
    PublicKey {
        /// Unauthenticated key hint (may be empty).
        hint: String,
    },
    /// DER certificates, leaf first (v0.1/v0.2 keyless).
    X509CertificateChain(Vec<Vec<u8>>),
    /// The DER leaf certificate (v0.3 keyless).
    Certificate(Vec<u8>),
}

impl VerificationMaterial {
    /// The DER leaf certificate, if the material is a certificate or chain.
    pub fn leaf_certificate(&self) -> Option<&[u8]> {
        match &self.content {
            VerificationMaterialContent::PublicKey { .. } => None,
            VerificationMaterialContent::X509CertificateChain(chain) => {
                chain.first().map(Vec::as_slice)
            }
            VerificationMaterialContent::Certificate(der) => Some(der),
        }
    }
}

/// One transparency log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransparencyLogEntry {
    /// Global log index (Rekor v1) or index (Rekor v2).
    pub log_index: i64,
    /// `logId.keyId`: the log's identifier (32 bytes in practice).
    pub log_id: Vec<u8>,
    /// Entry kind, e.g. `hashedrekord`.
    pub kind: String,
    /// Entry kind version, e.g. `0.0.1`.
    pub kind_version: String,
    /// Unix seconds of integration (0 for Rekor v2).
    pub integrated_time: i64,
    /// The signed entry timestamp (SET) bytes, if any.
    pub inclusion_promise: Option<Vec<u8>>,
    /// The Merkle inclusion proof, if any.
    pub inclusion_proof: Option<InclusionProof>,
    /// The exact bytes of the log leaf.
    pub canonicalized_body: Vec<u8>,
}

/// A Merkle inclusion proof with its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InclusionProof {
    /// Index of the leaf in the tree the proof is for.
    pub log_index: i64,
    /// Root hash of that tree.
    pub root_hash: Vec<u8>,
    /// Size of that tree.
    pub tree_size: i64,
    /// Sibling hashes, leaf to root.
    pub hashes: Vec<Vec<u8>>,
    /// The signed-note checkpoint text (`checkpoint.envelope`).
    pub checkpoint: Option<String>,
}

impl Bundle {
    /// Parses a bundle and enforces the structural rules (see [`Bundle::validate`]).
    /// No cryptographic verification happens here. A member the bundle format does not define
    /// is refused ([`Error::UnknownMember`]), as sigstore-go does: nothing a bundle carries is
    /// ignored.
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, Error> {
        let w: BundleWire = wire::parse_strict(bytes)?;
        let bundle = Self::from_wire(w)?;
        bundle.validate()?;
        Ok(bundle)
    }

    /// Serializes to compact protobuf JSON (lowerCamelCase keys, padded standard base64,
    /// int64 as strings, default values omitted). `from_json(to_json(b)) == b` for every
    /// bundle `from_json` accepts.
    pub fn to_json(&self) -> String {
        wire::to_string(&self.to_wire())
    }

    /// The signature bytes: `messageSignature.signature` or the DSSE envelope's single
    /// signature (empty if the envelope has none, which `from_json` rejects).
    pub fn signature_bytes(&self) -> &[u8] {
        match &self.content {
            BundleContent::MessageSignature(m) => &m.signature,
            BundleContent::DsseEnvelope(e) => e.signatures.first().map_or(&[], |s| &s.sig),
        }
    }

    /// Checks the structural rules that do not need cryptography:
    /// non-empty signature, exactly one DSSE signature, a non-empty certificate chain (and
    /// no chain in v0.3), per-entry required fields, non-negative indices and sizes, an
    /// inclusion promise on every v0.1 entry, an inclusion proof with a checkpoint on every
    /// v0.2+ entry, at most [`MAX_TLOG_ENTRIES`] entries without duplicate (logId, logIndex),
    /// at most [`MAX_RFC3161_TIMESTAMPS`] distinct, non-empty timestamps.
    pub fn validate(&self) -> Result<(), Error> {
        match &self.content {
            BundleContent::MessageSignature(m) => {
                if m.signature.is_empty() {
                    return Err(Error::EmptySignature);
                }
            }
            BundleContent::DsseEnvelope(e) => {
                if e.signatures.len() != 1 {
                    return Err(Error::DsseSignatureCount(e.signatures.len()));
                }
                if e.signatures.iter().any(|s| s.sig.is_empty()) {
                    return Err(Error::EmptySignature);
                }
                if e.payload_type.is_empty() {
                    return Err(Error::MissingField("dsseEnvelope.payloadType"));
                }
            }
        }

        let vm = &self.verification_material;
        match &vm.content {
            VerificationMaterialContent::PublicKey { .. } => {}
            VerificationMaterialContent::X509CertificateChain(chain) => {
                if self.version == BundleVersion::V0_3 {
                    return Err(Error::CertificateChainInV03);
                }
                if chain.is_empty() {
                    return Err(Error::EmptyCertificateChain);
                }
                if chain.len() > MAX_CHAIN_CERTIFICATES {
                    return Err(Error::TooManyCertificates {
                        count: chain.len(),
                        max: MAX_CHAIN_CERTIFICATES,
                    });
                }
                if chain.iter().any(Vec::is_empty) {
                    return Err(Error::MissingField(
                        "verificationMaterial.x509CertificateChain.certificates.rawBytes",
                    ));
                }
            }
            VerificationMaterialContent::Certificate(der) => {
                if der.is_empty() {
                    return Err(Error::MissingField(
                        "verificationMaterial.certificate.rawBytes",
                    ));
                }
            }
        }

        if vm.tlog_entries.len() > MAX_TLOG_ENTRIES {
            return Err(Error::TooManyTlogEntries {
                count: vm.tlog_entries.len(),
                max: MAX_TLOG_ENTRIES,
            });
        }
        let mut seen = BTreeSet::new();
        for (entry, tle) in vm.tlog_entries.iter().enumerate() {
            tle.validate(entry, self.version)?;
            if !seen.insert((tle.log_id.as_slice(), tle.log_index)) {
                return Err(Error::DuplicateTlogEntry {
                    log_index: tle.log_index,
                });
            }
        }

        if vm.rfc3161_timestamps.len() > MAX_RFC3161_TIMESTAMPS {
            return Err(Error::TooManyTimestamps {
                count: vm.rfc3161_timestamps.len(),
                max: MAX_RFC3161_TIMESTAMPS,
            });
        }
        let mut seen = BTreeSet::new();
        for (index, ts) in vm.rfc3161_timestamps.iter().enumerate() {
            if ts.is_empty() {
                return Err(Error::MissingField(
                    "verificationMaterial.timestampVerificationData.rfc3161Timestamps.signedTimestamp",
                ));
            }
            if !seen.insert(ts.as_slice()) {
                return Err(Error::DuplicateTimestamp { index });
            }
        }
        Ok(())
    }

    pub(crate) fn from_wire(w: BundleWire) -> Result<Self, Error> {
        let media_type = w
            .media_type
            .filter(|m| !m.is_empty())
            .ok_or(Error::MissingField("mediaType"))?;
        let version = BundleVersion::from_media_type(&media_type)?;
        let vm = w
            .verification_material
            .ok_or(Error::MissingField("verificationMaterial"))?;
        let verification_material = VerificationMaterial::from_wire(vm)?;
        let content = match (w.message_signature, w.dsse_envelope) {
            (Some(_), Some(_)) => return Err(Error::AmbiguousBundleContent),
            (None, None) => return Err(Error::MissingBundleContent),
            (Some(m), None) => BundleContent::MessageSignature(MessageSignature {
                message_digest: m
                    .message_digest
                    .map(|d| -> Result<MessageDigest, Error> {
                        Ok(MessageDigest {
                            algorithm: HashAlgorithm::from_wire(&d.algorithm),
                            digest: wire::take_bytes(
                                d.digest,
                                "messageSignature.messageDigest.digest",
                            )?,
                        })
                    })
                    .transpose()?,
                signature: wire::take_bytes(m.signature, "messageSignature.signature")?,
            }),
            (None, Some(e)) => BundleContent::DsseEnvelope(Envelope::from_wire(e)?),
        };
        Ok(Self {
            media_type,
            version,
            verification_material,
            content,
        })
    }

    fn to_wire(&self) -> BundleWire {
        let (message_signature, dsse_envelope) = match &self.content {
            BundleContent::MessageSignature(m) => (
                Some(MessageSignatureWire {
                    message_digest: m.message_digest.as_ref().map(|d| DigestWire {
                        algorithm: d.algorithm.to_wire(),
                        digest: Bytes::non_empty(&d.digest),
                    }),
                    signature: Bytes::non_empty(&m.signature),
                }),
                None,
            ),
            BundleContent::DsseEnvelope(e) => (None, Some(e.to_wire())),
        };
        BundleWire {
            media_type: Some(self.media_type.clone()),
            verification_material: Some(self.verification_material.to_wire()),
            message_signature,
            dsse_envelope,
        }
    }
}

impl VerificationMaterial {
    fn from_wire(w: VerificationMaterialWire) -> Result<Self, Error> {
        let forms = usize::from(w.public_key.is_some())
            + usize::from(w.x509_certificate_chain.is_some())
            + usize::from(w.certificate.is_some());
        if forms > 1 {
            return Err(Error::AmbiguousVerificationMaterialContent);
        }
        let content =
            if let Some(pk) = w.public_key {
                VerificationMaterialContent::PublicKey {
                    hint: pk.hint.unwrap_or_default(),
                }
            } else if let Some(chain) = w.x509_certificate_chain {
                VerificationMaterialContent::X509CertificateChain(chain.into_decoded(
                    "verificationMaterial.x509CertificateChain.certificates.rawBytes",
                )?)
            } else if let Some(cert) = w.certificate {
                VerificationMaterialContent::Certificate(wire::take_req_bytes(
                    cert.raw_bytes,
                    "verificationMaterial.certificate.rawBytes",
                )?)
            } else {
                return Err(Error::MissingVerificationMaterialContent);
            };
        let tlog_entries = w
            .tlog_entries
            .into_iter()
            .flatten()
            .map(TransparencyLogEntry::from_wire)
            .collect::<Result<Vec<_>, Error>>()?;
        let rfc3161_timestamps = w
            .timestamp_verification_data
            .into_iter()
            .flat_map(|t| t.rfc3161_timestamps.into_iter().flatten())
            .map(|t| {
                wire::take_req_bytes(
                    t.signed_timestamp,
                    "verificationMaterial.timestampVerificationData.rfc3161Timestamps.signedTimestamp",
                )
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Self {
            content,
            tlog_entries,
            rfc3161_timestamps,
        })
    }

    fn to_wire(&self) -> VerificationMaterialWire {
        let mut w = VerificationMaterialWire {
            public_key: None,
            x509_certificate_chain: None,
            certificate: None,
            tlog_entries: wire::non_empty_vec(
                self.tlog_entries
                    .iter()
                    .map(TransparencyLogEntry::to_wire)
                    .collect(),
            ),
            timestamp_verification_data: (!self.rfc3161_timestamps.is_empty()).then(|| {
                TimestampVerificationDataWire {
                    rfc3161_timestamps: Some(
                        self.rfc3161_timestamps
                            .iter()
                            .map(|t| SignedTimestampWire {
                                signed_timestamp: Bytes::non_empty(t),
                            })
                            .collect(),
                    ),
                }
            }),
        };
        match &self.content {
            VerificationMaterialContent::PublicKey { hint } => {
                w.public_key = Some(PublicKeyIdentifierWire {
                    hint: wire::non_empty_str(hint),
                });
            }
            VerificationMaterialContent::X509CertificateChain(chain) => {
                w.x509_certificate_chain = Some(CertChain::encode(chain));
            }
            VerificationMaterialContent::Certificate(der) => {
                w.certificate = Some(RawBytes {
                    raw_bytes: Bytes::non_empty(der),
                });
            }
        }
        w
    }
}

impl TransparencyLogEntry {
    fn validate(&self, entry: usize, version: BundleVersion) -> Result<(), Error> {
        if self.log_index < 0 {
            return Err(Error::NegativeLogIndex {
                entry,
                value: self.log_index,
            });
        }
        if self.log_id.is_empty() {
            return Err(Error::MissingField(
                "verificationMaterial.tlogEntries.logId.keyId",
            ));
        }
        if self.kind.is_empty() {
            return Err(Error::MissingField(
                "verificationMaterial.tlogEntries.kindVersion.kind",
            ));
        }
        if self.kind_version.is_empty() {
            return Err(Error::MissingField(
                "verificationMaterial.tlogEntries.kindVersion.version",
            ));
        }
        if self.canonicalized_body.is_empty() {
            return Err(Error::MissingField(
                "verificationMaterial.tlogEntries.canonicalizedBody",
            ));
        }
        if let Some(proof) = &self.inclusion_proof {
            if proof.log_index < 0 {
                return Err(Error::NegativeProofLogIndex {
                    entry,
                    value: proof.log_index,
                });
            }
            if proof.tree_size < 0 {
                return Err(Error::NegativeTreeSize {
                    entry,
                    value: proof.tree_size,
                });
            }
        }
        match version {
            BundleVersion::V0_1 => {
                if self.inclusion_promise.as_ref().is_none_or(Vec::is_empty) {
                    return Err(Error::MissingInclusionPromise { entry });
                }
            }
            BundleVersion::V0_2 | BundleVersion::V0_3 => {
                let proof = self
                    .inclusion_proof
                    .as_ref()
                    .ok_or(Error::MissingInclusionProof { entry })?;
                if proof.checkpoint.as_ref().is_none_or(String::is_empty) {
                    return Err(Error::MissingCheckpoint { entry });
                }
            }
        }
        Ok(())
    }

    fn from_wire(w: TlogEntryWire) -> Result<Self, Error> {
        let kind_version = w.kind_version.ok_or(Error::MissingField(
            "verificationMaterial.tlogEntries.kindVersion",
        ))?;
        let inclusion_promise = match w.inclusion_promise {
            None => None,
            Some(p) => Some(wire::take_bytes(
                p.signed_entry_timestamp,
                "verificationMaterial.tlogEntries.inclusionPromise.signedEntryTimestamp",
            )?)
            .filter(|set| !set.is_empty()),
        };
        let inclusion_proof = w
            .inclusion_proof
            .map(|p| -> Result<InclusionProof, Error> {
                Ok(InclusionProof {
                    log_index: wire::opt_i64(
                        &p.log_index,
                        "verificationMaterial.tlogEntries.inclusionProof.logIndex",
                    )?,
                    root_hash: wire::take_bytes(
                        p.root_hash,
                        "verificationMaterial.tlogEntries.inclusionProof.rootHash",
                    )?,
                    tree_size: wire::opt_i64(
                        &p.tree_size,
                        "verificationMaterial.tlogEntries.inclusionProof.treeSize",
                    )?,
                    hashes: p
                        .hashes
                        .into_iter()
                        .flatten()
                        .map(|h| {
                            h.into_decoded("verificationMaterial.tlogEntries.inclusionProof.hashes")
                        })
                        .collect::<Result<Vec<_>, Error>>()?,
                    checkpoint: p
                        .checkpoint
                        .and_then(|c| c.envelope)
                        .filter(|e| !e.is_empty()),
                })
            })
            .transpose()?;
        Ok(Self {
            log_index: wire::opt_i64(&w.log_index, "verificationMaterial.tlogEntries.logIndex")?,
            log_id: match w.log_id {
                Some(id) => {
                    wire::take_bytes(id.key_id, "verificationMaterial.tlogEntries.logId.keyId")?
                }
                None => Vec::new(),
            },
            kind: kind_version.kind.unwrap_or_default(),
            kind_version: kind_version.version.unwrap_or_default(),
            integrated_time: wire::opt_i64(
                &w.integrated_time,
                "verificationMaterial.tlogEntries.integratedTime",
            )?,
            inclusion_promise,
            inclusion_proof,
            canonicalized_body: wire::take_bytes(
                w.canonicalized_body,
                "verificationMaterial.tlogEntries.canonicalizedBody",
            )?,
        })
    }

    fn to_wire(&self) -> TlogEntryWire {
        // `logIndex`, the proof's `logIndex`, `treeSize` and `hashes` are written even when
        // zero or empty (the first entry of a log): proto3 would omit them, but clients such as
        // sigstore-python require them.
        TlogEntryWire {
            log_index: Some(Int64::new(self.log_index)),
            log_id: Some(KeyId::encode(&self.log_id)),
            kind_version: Some(KindVersionWire {
                kind: wire::non_empty_str(&self.kind),
                version: wire::non_empty_str(&self.kind_version),
            }),
            integrated_time: Int64::non_zero(self.integrated_time),
            inclusion_promise: self
                .inclusion_promise
                .as_ref()
                .filter(|set| !set.is_empty())
                .map(|set| InclusionPromiseWire {
                    signed_entry_timestamp: Bytes::non_empty(set),
                }),
            inclusion_proof: self.inclusion_proof.as_ref().map(|p| InclusionProofWire {
                log_index: Some(Int64::new(p.log_index)),
                root_hash: Bytes::non_empty(&p.root_hash),
                tree_size: Some(Int64::new(p.tree_size)),
                hashes: Some(p.hashes.iter().map(|h| Bytes::encode(h)).collect()),
                checkpoint: p.checkpoint.as_ref().filter(|c| !c.is_empty()).map(|c| {
                    CheckpointWire {
                        envelope: Some(c.clone()),
                    }
                }),
            }),
            canonicalized_body: Bytes::non_empty(&self.canonicalized_body),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Wire structs: protobuf JSON, every field optional so presence can be checked explicitly.

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BundleWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verification_material: Option<VerificationMaterialWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_signature: Option<MessageSignatureWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dsse_envelope: Option<EnvelopeWire>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerificationMaterialWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public_key: Option<PublicKeyIdentifierWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x509_certificate_chain: Option<CertChain>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    certificate: Option<RawBytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tlog_entries: Option<Vec<TlogEntryWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp_verification_data: Option<TimestampVerificationDataWire>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PublicKeyIdentifierWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimestampVerificationDataWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rfc3161_timestamps: Option<Vec<SignedTimestampWire>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignedTimestampWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signed_timestamp: Option<Bytes>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TlogEntryWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log_index: Option<Int64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log_id: Option<KeyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind_version: Option<KindVersionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    integrated_time: Option<Int64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inclusion_promise: Option<InclusionPromiseWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inclusion_proof: Option<InclusionProofWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    canonicalized_body: Option<Bytes>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KindVersionWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InclusionPromiseWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signed_entry_timestamp: Option<Bytes>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InclusionProofWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log_index: Option<Int64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    root_hash: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tree_size: Option<Int64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hashes: Option<Vec<Bytes>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    checkpoint: Option<CheckpointWire>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CheckpointWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    envelope: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageSignatureWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_digest: Option<DigestWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature: Option<Bytes>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DigestWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    algorithm: Option<EnumValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digest: Option<Bytes>,
}

#[cfg(test)]
mod first_entry_tests {
    use super::*;

    #[test]
    fn zero_indexes_and_empty_proofs_are_written_out() {
        let bundle = Bundle {
            media_type: BundleVersion::V0_3.media_type().to_owned(),
            version: BundleVersion::V0_3,
            verification_material: VerificationMaterial {
                content: VerificationMaterialContent::Certificate(vec![0x30, 0x00]),
                tlog_entries: vec![TransparencyLogEntry {
                    log_index: 0,
                    log_id: vec![1; 32],
                    kind: "hashedrekord".to_owned(),
                    kind_version: "0.0.2".to_owned(),
                    integrated_time: 0,
                    inclusion_promise: None,
                    inclusion_proof: Some(InclusionProof {
                        log_index: 0,
                        root_hash: vec![2; 32],
                        tree_size: 1,
                        hashes: vec![],
                        checkpoint: Some("origin\n1\nAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\n\n— origin AAAAAA==\n".to_owned()),
                    }),
                    canonicalized_body: b"{}".to_vec(),
                }],
                rfc3161_timestamps: vec![],
            },
            content: BundleContent::MessageSignature(MessageSignature {
                message_digest: None,
                signature: vec![3; 8],
            }),
        };
        let json: serde_json::Value = serde_json::from_str(&bundle.to_json()).unwrap();
        let entry = &json["verificationMaterial"]["tlogEntries"][0];
        assert_eq!(entry["logIndex"], "0");
        assert_eq!(entry["inclusionProof"]["logIndex"], "0");
        assert_eq!(entry["inclusionProof"]["treeSize"], "1");
        assert_eq!(entry["inclusionProof"]["hashes"], serde_json::json!([]));
    }
}
