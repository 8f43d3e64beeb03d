//! The verification procedure (Sigstore client specification §4, spec digest §3).

use std::collections::BTreeSet;

use sigstore_crypto::{Digest, HashAlgorithm, KeyType, PublicKey, SignatureAlgorithm};
use sigstore_rekor::body::{EntryBody, Verifier as BodyVerifier};
use sigstore_rekor::checkpoint::CosignatureVerifier;
use sigstore_rekor::{checkpoint, merkle, set};
use sigstore_types::bundle::{
    BundleContent, BundleVersion, TransparencyLogEntry, VerificationMaterialContent,
};
use sigstore_types::{common, dsse, intoto, Bundle, Timestamp, TrustedRoot};
use sigstore_x509_policy::{
    check_fulcio_leaf_profile, san, verify_chain, Certificate, FulcioExtensions, KeyPurpose,
    VerificationPolicy, VerifiedChain,
};

use crate::digests::{artifact_digest_algorithms, ArtifactDigests, STRONGEST_FIRST};
use crate::result::{
    SignerInfo, SkippedTimestamp, StatementInfo, TimeSource, VerificationResult, VerifiedLogEntry,
    VerifiedTime, WitnessCosignature,
};
use crate::trust::{TrustMaterial, TrustedLog};
use crate::Error;

/// How much evidence a bundle must carry. The defaults match the public-good instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifierConfig {
    /// Distinct transparency logs that must hold a verified entry for the signature.
    pub tlog_threshold: usize,
    /// Verified signing times (RFC 3161 timestamps from distinct authorities, plus Rekor v1
    /// signed entry timestamps) required.
    pub time_threshold: usize,
    /// Embedded SCTs from distinct trusted CT logs required (keyless bundles).
    pub sct_threshold: usize,
    /// Whether every log entry must carry an inclusion proof with a signed checkpoint. When
    /// false, an entry with only a signed entry timestamp (inclusion promise) is accepted, as
    /// legacy `.rekor` materials and early v0.1 bundles carry no proof.
    pub require_inclusion_proof: bool,
    /// Whether v0.1 bundles, too, must carry an inclusion proof. The v0.1 format makes the
    /// proof optional next to a signed entry timestamp, and by default such an entry verifies
    /// on its SET alone (the result reports `inclusionProof: false`). The media type is not
    /// signed, so set this to refuse entries that rest on a SET alone in any bundle.
    pub require_inclusion_proof_in_v0_1: bool,
    /// Whether the result of a DSSE bundle carries the whole verified in-toto statement
    /// ([`StatementInfo::statement`]), predicate included. Off by default: reading the
    /// predicate costs time the subject match does not need.
    pub include_statement: bool,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            tlog_threshold: 1,
            time_threshold: 1,
            sct_threshold: 1,
            require_inclusion_proof: true,
            require_inclusion_proof_in_v0_1: false,
            include_statement: false,
        }
    }
}

impl VerifierConfig {
    /// Accept log entries that carry only a signed entry timestamp (no inclusion proof), for
    /// legacy `.sig`/`.crt`/`.rekor` materials. The SET is still verified.
    pub fn allowing_promise_only_entries(mut self) -> Self {
        self.require_inclusion_proof = false;
        self
    }
}

/// The artifact a bundle's signature is checked against.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Artifact<'a> {
    /// The artifact's bytes.
    Bytes(&'a [u8]),
    /// The artifact's digest (for example from `sha256:HEX`, `sha384:HEX` or `sha512:HEX`).
    /// Pure Ed25519 signatures cannot be checked from a digest (Ed25519ph ones can, from the
    /// SHA-512 digest).
    Digest(Digest),
    /// The artifact's digests under several algorithms (see [`artifact_digest_algorithms`]):
    /// what a caller that streams a file computes, in one pass, for a DSSE bundle whose
    /// subjects name several algorithms.
    Digests(ArtifactDigests),
}

impl Artifact<'_> {
    fn digest(&self, algorithm: HashAlgorithm) -> Result<Digest, Error> {
        match self {
            Artifact::Bytes(bytes) => Ok(algorithm.digest(bytes)),
            Artifact::Digest(digest) if digest.algorithm() == algorithm => Ok(*digest),
            Artifact::Digests(digests) => digests.get(algorithm).copied().ok_or(Error::Artifact(
                "no artifact digest with the algorithm the signature uses",
            )),
            Artifact::Digest(_) => Err(Error::Artifact(
                "the artifact digest's algorithm differs from the one the signature uses",
            )),
        }
    }

    /// Whether a digest under `algorithm` can be had for the artifact.
    fn has(&self, algorithm: HashAlgorithm) -> bool {
        match self {
            Artifact::Bytes(_) => true,
            Artifact::Digest(digest) => digest.algorithm() == algorithm,
            Artifact::Digests(digests) => digests.get(algorithm).is_some(),
        }
    }
}

/// Who must have signed.
#[non_exhaustive]
pub enum Policy {
    /// A keyless (Fulcio certificate) bundle whose certificate satisfies this policy.
    Identity(Box<dyn VerificationPolicy>),
    /// A managed-key bundle signed by this key.
    PublicKey(Box<PublicKey>),
    /// `policy`, and the bundle must be a DSSE envelope whose in-toto statement has exactly
    /// this `predicateType` (for example `https://slsa.dev/provenance/v1`). Build it with
    /// [`Policy::with_predicate_type`].
    PredicateType {
        /// Who must have signed.
        policy: Box<Policy>,
        /// The required predicate type URI, compared exactly.
        predicate_type: String,
    },
}

impl Policy {
    /// A certificate identity policy.
    pub fn identity(policy: impl VerificationPolicy + 'static) -> Self {
        Self::Identity(Box::new(policy))
    }

    /// A managed key.
    pub fn key(key: PublicKey) -> Self {
        Self::PublicKey(Box::new(key))
    }

    /// This policy, and the bundle must carry an in-toto statement with exactly this
    /// `predicateType`. Applied more than once, every predicate type given must match (so
    /// only one value can ever pass).
    pub fn with_predicate_type(self, predicate_type: impl Into<String>) -> Self {
        Self::PredicateType {
            policy: Box::new(self),
            predicate_type: predicate_type.into(),
        }
    }

    /// The policy for who signed (an identity or a key), under any predicate-type
    /// requirements.
    pub fn signer(&self) -> &Policy {
        let mut policy = self;
        while let Policy::PredicateType { policy: inner, .. } = policy {
            policy = inner;
        }
        policy
    }

    /// Checks every predicate-type requirement against the verified statement.
    fn check_predicate_types(&self, statement: Option<&StatementInfo>) -> Result<(), Error> {
        let mut policy = self;
        while let Policy::PredicateType {
            policy: inner,
            predicate_type,
        } = policy
        {
            match statement {
                Some(s) if s.predicate_type == *predicate_type => {}
                found => {
                    return Err(Error::PredicateType {
                        required: predicate_type.clone(),
                        found: found.map(|s| s.predicate_type.clone()),
                    })
                }
            }
            policy = inner;
        }
        Ok(())
    }
}

impl core::fmt::Debug for Policy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Identity(_) => f.write_str("Policy::Identity(..)"),
            Self::PublicKey(key) => f.debug_tuple("Policy::PublicKey").field(key).finish(),
            Self::PredicateType {
                policy,
                predicate_type,
            } => f
                .debug_struct("Policy::PredicateType")
                .field("policy", policy)
                .field("predicate_type", predicate_type)
                .finish(),
        }
    }
}

/// The hash a message-signature bundle's artifact must be digested with (SHA-256 unless the
/// bundle's message digest names SHA-384 or SHA-512). Callers that stream large artifacts use
/// it to hash once with the right algorithm.
pub fn artifact_digest_algorithm(bundle: &Bundle) -> HashAlgorithm {
    match &bundle.content {
        BundleContent::MessageSignature(ms) => ms
            .message_digest
            .as_ref()
            .and_then(|md| hash_of(&md.algorithm))
            .unwrap_or(HashAlgorithm::Sha256),
        BundleContent::DsseEnvelope(_) => HashAlgorithm::Sha256,
    }
}

fn hash_of(algorithm: &common::HashAlgorithm) -> Option<HashAlgorithm> {
    match algorithm {
        common::HashAlgorithm::Sha2_256 => Some(HashAlgorithm::Sha256),
        common::HashAlgorithm::Sha2_384 => Some(HashAlgorithm::Sha384),
        common::HashAlgorithm::Sha2_512 => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}

/// The signature scheme for `key` over a digest of `hash`.
fn scheme(key: &PublicKey, hash: HashAlgorithm) -> SignatureAlgorithm {
    match (key.key_type(), hash) {
        (KeyType::Ed25519, _) => SignatureAlgorithm::Ed25519,
        (KeyType::Rsa { .. }, HashAlgorithm::Sha384) => SignatureAlgorithm::RsaPkcs1Sha384,
        (KeyType::Rsa { .. }, HashAlgorithm::Sha512) => SignatureAlgorithm::RsaPkcs1Sha512,
        (KeyType::Rsa { .. }, _) => SignatureAlgorithm::RsaPkcs1Sha256,
        (_, HashAlgorithm::Sha384) => SignatureAlgorithm::EcdsaSha384,
        (_, HashAlgorithm::Sha512) => SignatureAlgorithm::EcdsaSha512,
        (_, _) => SignatureAlgorithm::EcdsaSha256,
    }
}

/// Checks an Ed25519 message signature. Rekor logs an Ed25519 `hashedrekord` only as
/// Ed25519ph over a SHA-512 digest (Rekor v1 hashedrekord verifies Ed25519 keys as Ed25519ph;
/// Rekor v2 takes `PKIX_ED25519_PH` and refuses pure Ed25519), and sigstore-go verifies
/// Ed25519 message signatures as Ed25519ph (`pkg/verify/signature.go`). So a SHA-512 message
/// digest is checked as Ed25519ph first; pure Ed25519 over the artifact's bytes is accepted
/// too, when the bytes are at hand.
fn ed25519_message_signature(
    key: &PublicKey,
    hash: HashAlgorithm,
    digest: &Digest,
    artifact: &Artifact<'_>,
    signature: &[u8],
) -> Result<Result<(), sigstore_crypto::Error>, Error> {
    let prehashed = (hash == HashAlgorithm::Sha512)
        .then(|| key.verify_digest(SignatureAlgorithm::Ed25519Ph, digest, signature));
    Ok(match (prehashed, artifact) {
        (Some(Ok(())), _) => Ok(()),
        (_, Artifact::Bytes(bytes)) => key.verify(SignatureAlgorithm::Ed25519, bytes, signature),
        (Some(Err(e)), _) => Err(e),
        (None, _) => {
            return Err(Error::Artifact(
                "Ed25519 signatures can only be checked against the artifact itself",
            ))
        }
    })
}

/// Checks Sigstore bundles against one trusted root and configuration.
///
/// Build it once and reuse it: construction parses every key and certificate of the trusted
/// root, and per-authority chain work is cached across verifications. It is `Send + Sync`, so
/// one verifier serves many threads.
#[derive(Debug, Clone)]
pub struct Verifier {
    pub(crate) trust: std::sync::Arc<TrustMaterial>,
    tsa_uris: Vec<String>,
    config: VerifierConfig,
    witnesses: Option<Witnesses>,
}

/// Witness keys the caller trusts and how many must have cosigned each checkpoint.
#[derive(Debug, Clone)]
struct Witnesses {
    keys: Vec<CosignatureVerifier>,
    threshold: usize,
}

/// The key that signed, with what the result reports about it.
enum Signer<'a> {
    Certificate(Box<Certificate>),
    Key { key: &'a PublicKey, hint: &'a str },
}

impl Signer<'_> {
    fn key(&self) -> &PublicKey {
        match self {
            Signer::Certificate(cert) => cert.public_key(),
            Signer::Key { key, .. } => key,
        }
    }
}

impl Verifier {
    /// A verifier for `trusted_root`, checked and parsed once.
    pub fn new(trusted_root: &TrustedRoot, config: VerifierConfig) -> Result<Self, Error> {
        Ok(Self {
            trust: std::sync::Arc::new(TrustMaterial::new(trusted_root)?),
            tsa_uris: trusted_root
                .timestamp_authorities
                .iter()
                .map(|tsa| tsa.uri.clone())
                .collect(),
            config,
            witnesses: None,
        })
    }

    /// The same trust material (shared, not parsed again, with its caches) under another
    /// configuration; witness requirements are kept.
    pub fn with_config(&self, config: VerifierConfig) -> Self {
        Self {
            config,
            ..self.clone()
        }
    }

    /// Requires every log entry's checkpoint to be cosigned by at least `threshold` of these
    /// witnesses ([C2SP tlog-cosignature] v1), each counted once. Only these keys count;
    /// cosignatures from other keys are ignored, and a cosignature line that names one of
    /// these witnesses but does not verify fails the bundle. An entry without a checkpoint
    /// (a signed entry timestamp alone) cannot be witnessed and fails. Without this call,
    /// cosignatures are ignored.
    ///
    /// [C2SP tlog-cosignature]: https://c2sp.org/tlog-cosignature
    pub fn with_witnesses(
        mut self,
        keys: Vec<CosignatureVerifier>,
        threshold: usize,
    ) -> Result<Self, Error> {
        if keys.is_empty() {
            return Err(Error::WitnessConfig("no witness keys"));
        }
        if threshold == 0 {
            return Err(Error::WitnessConfig("the threshold must be at least 1"));
        }
        if threshold > keys.len() {
            return Err(Error::WitnessConfig(
                "the threshold is larger than the number of witness keys",
            ));
        }
        self.witnesses = Some(Witnesses { keys, threshold });
        Ok(self)
    }

    /// The configuration in force.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies `bundle` for `artifact` under `policy`.
    ///
    /// Steps, each of which must pass: the signing key material fits the policy; every RFC 3161
    /// timestamp verifies against a trusted TSA; every log entry is bound to this signature,
    /// key and artifact, names a trusted log, and verifies (inclusion proof against a signed
    /// checkpoint, signed entry timestamp when present); enough distinct verified times, logs
    /// and SCTs; the certificate chains to a trusted Fulcio CA at every verified time, carries
    /// the Fulcio leaf profile and satisfies the policy; the artifact signature verifies.
    pub fn verify(
        &self,
        bundle: &Bundle,
        artifact: Artifact<'_>,
        policy: &Policy,
    ) -> Result<VerificationResult, Error> {
        let requirements = policy;
        let policy = policy.signer();
        let material = &bundle.verification_material;
        let mut notes = Vec::new();

        // Signing key material, matched to the policy. Anchors never come from the bundle.
        let signer = match (&material.content, policy) {
            (VerificationMaterialContent::Certificate(der), Policy::Identity(_)) => {
                Signer::Certificate(Box::new(
                    Certificate::from_der(der).map_err(Error::Certificate)?,
                ))
            }
            (VerificationMaterialContent::X509CertificateChain(chain), Policy::Identity(_)) => {
                // Certificates beyond the leaf are untrusted hints, never used to build the
                // path. A root in the bundle (issuer == subject) is ignored only when it is
                // byte-identical to a trust anchor of the trusted root (v0.1/v0.2 bundles of
                // 2023 carry the Fulcio root); any other poses as an anchor: reject the bundle,
                // without spending a signature check on untrusted input.
                let (leaf_der, rest) = chain
                    .split_first()
                    .ok_or(Error::Material("the certificate chain is empty"))?;
                let leaf = Certificate::from_der(leaf_der).map_err(Error::Certificate)?;
                for der in rest {
                    // A copy of a trusted certificate needs no parse of its own.
                    let parsed;
                    let cert = match self.trust.fulcio_certificate(der) {
                        Some(trusted) => trusted,
                        None => {
                            parsed = Certificate::from_der(der).map_err(Error::Certificate)?;
                            &parsed
                        }
                    };
                    if cert.issuer_der() == cert.subject_der() {
                        if self.trust.is_fulcio_anchor(der) {
                            notes.push(
                                "ignored a bundled root certificate identical to a trust anchor of the trusted root"
                                    .to_owned(),
                            );
                        } else {
                            return Err(Error::RootCertificateInBundle);
                        }
                    }
                }
                if leaf.issuer_der() == leaf.subject_der() {
                    return Err(Error::RootCertificateInBundle);
                }
                Signer::Certificate(Box::new(leaf))
            }
            (VerificationMaterialContent::PublicKey { hint }, Policy::PublicKey(key)) => {
                Signer::Key { key, hint }
            }
            (VerificationMaterialContent::PublicKey { .. }, Policy::Identity(_)) => {
                return Err(Error::Material(
                    "the bundle is signed with a managed key; verify it with a public key",
                ))
            }
            (_, Policy::PublicKey(_)) => {
                return Err(Error::Material(
                    "the bundle carries a certificate; verify it with an identity policy",
                ))
            }
            (_, Policy::PredicateType { .. }) => {
                return Err(Error::Material("the policy names no signer"))
            }
        };
        let key = signer.key();

        // The artifact signature, and the digest the log entry must bind.
        let signed = self.verify_artifact_signature(bundle, key, &artifact)?;
        requirements.check_predicate_types(signed.statement.as_ref())?;

        // Verified times from RFC 3161 timestamps.
        let signature = bundle.signature_bytes();
        let mut times = Vec::new();
        let mut tsa_seen = BTreeSet::new();
        let mut skipped_timestamps = Vec::new();
        // A trusted root whose timestamp authorities do not parse fails any bundle that
        // carries a timestamp (they are parsed on first use).
        let authorities = if material.rfc3161_timestamps.is_empty() {
            &[][..]
        } else {
            self.trust.timestamp_authorities.get()?
        };
        for (index, token) in material.rfc3161_timestamps.iter().enumerate() {
            // A token that does not verify is skipped (and reported), never counted, as
            // sigstore-python and sigstore-go do; the threshold counts the ones that verify.
            let verified = match sigstore_tsa::verify_timestamp(token, signature, authorities) {
                Ok(verified) => verified,
                Err(source) => {
                    skipped_timestamps.push(SkippedTimestamp {
                        index,
                        reason: source.to_string(),
                    });
                    continue;
                }
            };
            if tsa_seen.insert(verified.authority_index) {
                times.push(VerifiedTime {
                    time: verified.time,
                    source: TimeSource::Rfc3161 {
                        authority: self
                            .tsa_uris
                            .get(verified.authority_index)
                            .cloned()
                            .unwrap_or_default(),
                    },
                });
            }
        }

        // Transparency log entries.
        let body_verifier = match &signer {
            Signer::Certificate(cert) => BodyVerifier::Certificate(cert.der()),
            Signer::Key { key, .. } => BodyVerifier::PublicKey(key.spki_der()),
        };
        // Each entry is counted once per log it resolves to (a log may be named by its logId
        // or its checkpoint key ID), and each log contributes at most one verified time.
        let mut log_entries = Vec::new();
        let mut logs_seen = BTreeSet::new();
        let mut entries_seen = BTreeSet::new();
        let mut used_logs = Vec::new();
        for (index, entry) in material.tlog_entries.iter().enumerate() {
            let (log, verified) =
                self.verify_log_entry(index, entry, bundle, &signed, body_verifier, key)?;
            if !entries_seen.insert((log.log_id.as_slice(), verified.log_index)) {
                return Err(Error::LogEntryInvalid {
                    index,
                    what: "the same log entry appears more than once",
                });
            }
            let first_from_log = logs_seen.insert(log.log_id.as_slice());
            if let (Some(time), true) = (verified.integrated_time, first_from_log) {
                times.push(VerifiedTime {
                    time,
                    source: TimeSource::TransparencyLog {
                        log: log.base_url.clone(),
                    },
                });
            }
            used_logs.push((index, log));
            log_entries.push(verified);
        }
        // Every log key must have been valid at every verified time, whichever source gave
        // it (an RFC 3161 token or another log's signed entry timestamp): a retired log key
        // cannot vouch for entries made after it was retired, and an entry without a signed
        // entry timestamp has no time of its own to be checked against.
        for (index, log) in used_logs {
            for verified in &times {
                if !log.valid_for.contains(verified.time) {
                    return Err(Error::LogKeyNotValidAt {
                        index,
                        time: verified.time,
                    });
                }
            }
        }
        if logs_seen.len() < self.config.tlog_threshold {
            return Err(Error::NotEnoughLogEntries {
                found: logs_seen.len(),
                required: self.config.tlog_threshold,
            });
        }
        if times.len() < self.config.time_threshold || times.is_empty() {
            // Say why the timestamps that could have counted did not.
            if let Some(skipped) = skipped_timestamps.first() {
                return Err(Error::TimestampsSkipped {
                    found: times.len(),
                    required: self.config.time_threshold.max(1),
                    skipped: skipped_timestamps.len(),
                    first_index: skipped.index,
                    first_reason: skipped.reason.clone(),
                });
            }
            return Err(Error::NotEnoughVerifiedTimes {
                found: times.len(),
                required: self.config.time_threshold.max(1),
            });
        }

        // The certificate at every verified time, its SCTs, profile and identity.
        let (signer_info, verified_scts) = match (&signer, policy) {
            (Signer::Certificate(leaf), Policy::Identity(identity)) => {
                let mut chain: Option<VerifiedChain> = None;
                for verified in &times {
                    let checked = verify_chain(
                        leaf,
                        &self.trust.certificate_authorities,
                        verified.time,
                        KeyPurpose::CodeSigning,
                    )
                    .map_err(|source| Error::Chain {
                        time: verified.time,
                        source,
                    })?;
                    chain.get_or_insert(checked);
                }
                let chain = chain.ok_or(Error::NotEnoughVerifiedTimes {
                    found: 0,
                    required: 1,
                })?;
                let scts = if self.config.sct_threshold > 0 {
                    let scts =
                        sigstore_fulcio::verify_embedded_scts(leaf, &chain, &self.trust.ct_logs)?;
                    if scts.len() < self.config.sct_threshold {
                        return Err(Error::NotEnoughScts {
                            found: scts.len(),
                            required: self.config.sct_threshold,
                        });
                    }
                    scts.len()
                } else {
                    0
                };
                check_fulcio_leaf_profile(leaf).map_err(Error::Certificate)?;
                identity.verify(leaf).map_err(Error::Policy)?;
                (signer_info(leaf)?, scts)
            }
            (Signer::Key { hint, .. }, _) => (
                SignerInfo::PublicKey {
                    hint: (*hint).to_owned(),
                },
                0,
            ),
            (Signer::Certificate(_), _) => {
                return Err(Error::Material(
                    "the bundle carries a certificate; verify it with an identity policy",
                ))
            }
        };

        Ok(VerificationResult {
            media_type: bundle.media_type.clone(),
            signer: signer_info,
            artifact_digest: format!(
                "{}:{}",
                signed.artifact_digest.algorithm().name(),
                signed.artifact_digest.to_hex()
            ),
            statement: signed.statement,
            verified_times: times,
            skipped_timestamps,
            log_entries,
            verified_scts,
            notes,
        })
    }

    /// Verifies `bundle` for the artifact read from `reader`, hashing it as it streams (it is
    /// read whole only for pure Ed25519 managed keys, which sign the message itself).
    pub fn verify_reader(
        &self,
        bundle: &Bundle,
        reader: &mut dyn std::io::Read,
        policy: &Policy,
    ) -> Result<VerificationResult, Error> {
        if matches!(policy.signer(), Policy::PublicKey(key) if key.key_type() == KeyType::Ed25519) {
            let mut bytes = Vec::new();
            reader
                .read_to_end(&mut bytes)
                .map_err(Error::ArtifactRead)?;
            return self.verify(bundle, Artifact::Bytes(&bytes), policy);
        }
        let digests = ArtifactDigests::from_reader(reader, artifact_digest_algorithms(bundle))?;
        self.verify(bundle, Artifact::Digests(digests), policy)
    }

    /// Checks the message signature or DSSE envelope against the artifact.
    fn verify_artifact_signature(
        &self,
        bundle: &Bundle,
        key: &PublicKey,
        artifact: &Artifact<'_>,
    ) -> Result<SignedContent, Error> {
        match &bundle.content {
            BundleContent::MessageSignature(ms) => {
                let hash = artifact_digest_algorithm(bundle);
                let digest = artifact.digest(hash)?;
                if let Some(md) = &ms.message_digest {
                    if hash_of(&md.algorithm) != Some(hash) || md.digest != digest.as_bytes() {
                        return Err(Error::MessageDigestMismatch);
                    }
                }
                let algorithm = scheme(key, hash);
                match algorithm {
                    SignatureAlgorithm::Ed25519 => {
                        ed25519_message_signature(key, hash, &digest, artifact, &ms.signature)?
                    }
                    _ => key.verify_digest(algorithm, &digest, &ms.signature),
                }
                .map_err(Error::Signature)?;
                Ok(SignedContent {
                    artifact_digest: digest,
                    statement: None,
                })
            }
            BundleContent::DsseEnvelope(envelope) => {
                let [signature] = envelope.signatures.as_slice() else {
                    return Err(Error::Dsse("the envelope must carry exactly one signature"));
                };
                let pae = dsse::pae(&envelope.payload_type, &envelope.payload);
                let algorithm = key.default_algorithm();
                key.verify(algorithm, &pae, &signature.sig)
                    .map_err(Error::Signature)?;
                if envelope.payload_type != intoto::PAYLOAD_TYPE {
                    // Not an attestation: the signed content is the payload itself, so the
                    // artifact must be exactly the payload.
                    return Ok(SignedContent {
                        artifact_digest: payload_as_artifact(&envelope.payload, artifact)?,
                        statement: None,
                    });
                }
                let statement = intoto::Statement::from_json_skipping_predicate(&envelope.payload)
                    .map_err(Error::Statement)?;
                let (subject, digest) = matching_subject(&statement, artifact)?;
                Ok(SignedContent {
                    artifact_digest: digest,
                    statement: Some(StatementInfo {
                        predicate_type: statement.predicate_type.clone(),
                        subject: subject.name.clone(),
                        statement_type: statement.type_.clone(),
                        statement: if self.config.include_statement {
                            Some(
                                serde_json::from_slice(&envelope.payload)
                                    .map_err(|_| Error::Dsse("the statement is not JSON"))?,
                            )
                        } else {
                            None
                        },
                    }),
                })
            }
        }
    }

    /// Verifies one log entry: binding, log identity, SET, inclusion proof and checkpoint.
    fn verify_log_entry<'t>(
        &'t self,
        index: usize,
        entry: &TransparencyLogEntry,
        bundle: &Bundle,
        signed: &SignedContent,
        verifier: BodyVerifier<'_>,
        signing_key: &PublicKey,
    ) -> Result<(&'t TrustedLog, VerifiedLogEntry), Error> {
        let rekor = |source| Error::LogEntry { index, source };
        let invalid = |what| Error::LogEntryInvalid { index, what };
        let log = self
            .trust
            .log_named_by(&entry.log_id)
            .ok_or_else(|| Error::UnknownLog {
                index,
                log_id: hex::encode(&entry.log_id),
            })?;

        // The entry body must describe this very signature, key and artifact.
        let body = EntryBody::parse(&entry.kind, &entry.kind_version, &entry.canonicalized_body)
            .map_err(rekor)?;
        let check = |verifier: BodyVerifier<'_>| match &bundle.content {
            BundleContent::MessageSignature(ms) => {
                body.check_message_signature(&ms.signature, verifier, &signed.artifact_digest)
            }
            BundleContent::DsseEnvelope(envelope) => match envelope.signatures.as_slice() {
                [signature] => body.check_dsse(
                    &envelope.payload_type,
                    &envelope.payload,
                    &signature.sig,
                    verifier,
                ),
                _ => Err(sigstore_rekor::Error::BodyMismatch(
                    sigstore_rekor::BodyField::SignatureCount,
                )),
            },
        };
        match check(verifier) {
            Ok(()) => {}
            // A Rekor v2 entry may record the certificate's public key instead of the
            // certificate (sigstore-js writes such entries; the certificate still ties that
            // key to the identity). It binds when it is exactly the certificate's key.
            Err(sigstore_rekor::Error::BodyMismatch(sigstore_rekor::BodyField::Verifier))
                if matches!(verifier, BodyVerifier::Certificate(_))
                    && matches!(body, EntryBody::HashedRekordV002 { .. }) =>
            {
                check(BodyVerifier::PublicKey(signing_key.spki_der())).map_err(rekor)?;
            }
            Err(e) => return Err(rekor(e)),
        }

        let rekor_v2 =
            entry.kind_version == "0.0.2" && matches!(entry.kind.as_str(), "hashedrekord" | "dsse");

        // Signed entry timestamp: the only way integratedTime becomes a verified time.
        let mut integrated_time = None;
        if let Some(promise) = &entry.inclusion_promise {
            if rekor_v2 {
                return Err(invalid(
                    "a Rekor v2 entry cannot carry a signed entry timestamp",
                ));
            }
            set::verify_set(
                &entry.canonicalized_body,
                entry.integrated_time,
                &log.log_id,
                entry.log_index,
                promise,
                &log.key,
            )
            .map_err(rekor)?;
            let time = Timestamp::from_unix(entry.integrated_time);
            if !log.valid_for.contains(time) {
                return Err(Error::LogKeyNotValidAt { index, time });
            }
            integrated_time = Some(time);
        }

        // Inclusion proof against a checkpoint signed by the same log.
        let mut proven = false;
        let mut cosignatures = Vec::new();
        if let Some(proof) = &entry.inclusion_proof {
            // A proof that is present must be complete, in every bundle version: a proof
            // without a checkpoint commits to an unsigned root and proves nothing (sigstore-go,
            // -python and -js refuse it too; `fix-bundle` can complete it from the log).
            let note = proof
                .checkpoint
                .as_deref()
                .ok_or_else(|| invalid("the inclusion proof has no checkpoint"))?;
            let hashes = proof
                .hashes
                .iter()
                .map(|h| <[u8; 32]>::try_from(h.as_slice()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| invalid("an inclusion proof hash is not 32 bytes"))?;
            let leaf = merkle::leaf_hash(&entry.canonicalized_body);
            if rekor_v2 {
                let checkpoint = checkpoint::verify_rekor_v2_checkpoint(note, &log.note_verifier)
                    .map_err(rekor)?;
                let index =
                    u64::try_from(entry.log_index).map_err(|_| invalid("negative log index"))?;
                // Every field of the proof must agree with what the log signed and with the
                // entry: a bundle with any of them edited is inconsistent.
                if proof.root_hash.as_slice() != checkpoint.root_hash.as_slice() {
                    return Err(invalid(
                        "the inclusion proof's rootHash differs from the signed checkpoint's root hash",
                    ));
                }
                if u64::try_from(proof.tree_size).ok() != Some(checkpoint.tree_size) {
                    return Err(invalid(
                        "the inclusion proof's treeSize differs from the signed checkpoint's tree size",
                    ));
                }
                if proof.log_index != entry.log_index {
                    return Err(invalid(
                        "the inclusion proof's logIndex differs from the entry's logIndex",
                    ));
                }
                merkle::verify_inclusion(
                    index,
                    checkpoint.tree_size,
                    &leaf,
                    &hashes,
                    &checkpoint.root_hash,
                )
                .map_err(rekor)?;
            } else {
                let root: [u8; 32] = proof
                    .root_hash
                    .as_slice()
                    .try_into()
                    .map_err(|_| invalid("the inclusion proof root is not 32 bytes"))?;
                let size =
                    u64::try_from(proof.tree_size).map_err(|_| invalid("negative tree size"))?;
                let index =
                    u64::try_from(proof.log_index).map_err(|_| invalid("negative log index"))?;
                let checkpoint =
                    checkpoint::verify_rekor_v1_checkpoint(note, &log.key).map_err(rekor)?;
                if checkpoint.root_hash != root || checkpoint.tree_size != size {
                    return Err(invalid(
                        "the checkpoint does not commit to the inclusion proof's tree",
                    ));
                }
                merkle::verify_inclusion(index, size, &leaf, &hashes, &root).map_err(rekor)?;
            }
            proven = true;
            if let Some(witnesses) = &self.witnesses {
                let found = checkpoint::SignedNote::parse(note)
                    .and_then(|n| n.verify_cosignatures(&witnesses.keys))
                    .map_err(rekor)?;
                if found.len() < witnesses.threshold {
                    return Err(Error::NotEnoughCosignatures {
                        index,
                        found: found.len(),
                        required: witnesses.threshold,
                    });
                }
                cosignatures = found
                    .into_iter()
                    .map(|c| WitnessCosignature {
                        witness: c.name,
                        time: Timestamp::from_unix(i64::try_from(c.timestamp).unwrap_or(i64::MAX)),
                    })
                    .collect();
            }
        } else if self.config.require_inclusion_proof
            && !(bundle.version == BundleVersion::V0_1
                && !self.config.require_inclusion_proof_in_v0_1
                && integrated_time.is_some())
        {
            // The v0.1 format makes the proof optional next to a signed entry timestamp
            // (which then has verified above); later versions require it.
            return Err(invalid("no inclusion proof"));
        }
        if let (Some(witnesses), false) = (&self.witnesses, proven) {
            return Err(Error::NotEnoughCosignatures {
                index,
                found: 0,
                required: witnesses.threshold,
            });
        }
        if !proven && integrated_time.is_none() {
            return Err(invalid(
                "neither an inclusion proof nor a signed entry timestamp",
            ));
        }

        // Report only what is bound: a signed entry timestamp signs the bundle's logIndex, and
        // a Rekor v2 proof was checked to carry it; a Rekor v1 entry verified by its inclusion
        // proof alone binds only the proof's (tree-local) index, and the bundle's global index
        // is reported apart, as unverified, when it differs.
        let (log_index, unverified_log_index) = match &entry.inclusion_proof {
            Some(proof) if integrated_time.is_none() && !rekor_v2 => (
                proof.log_index,
                (proof.log_index != entry.log_index).then_some(entry.log_index),
            ),
            _ => (entry.log_index, None),
        };
        Ok((
            log,
            VerifiedLogEntry {
                log: log.base_url.clone(),
                log_id: hex::encode(&log.log_id),
                log_index,
                unverified_log_index,
                kind: entry.kind.clone(),
                version: entry.kind_version.clone(),
                integrated_time,
                inclusion_proof: proven,
                inclusion_promise: entry.inclusion_promise.is_some(),
                cosignatures,
            },
        ))
    }
}

/// The first subject whose digest, on the strongest algorithm both the subject and the
/// artifact have (SHA-512, then SHA-384, then SHA-256), equals the artifact's, and that digest.
fn matching_subject<'s>(
    statement: &'s intoto::Statement,
    artifact: &Artifact<'_>,
) -> Result<(&'s intoto::Subject, Digest), Error> {
    // Digests of the artifact's bytes are computed once each, on first need.
    let mut computed: [Option<Digest>; 3] = [None; 3];
    let mut any_common = false;
    for subject in &statement.subjects {
        let strongest = STRONGEST_FIRST
            .into_iter()
            .enumerate()
            .find_map(|(i, alg)| {
                let value = subject
                    .digest
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(alg.name()))
                    .map(|(_, value)| value)?;
                artifact.has(alg).then_some((i, alg, value))
            });
        let Some((i, algorithm, value)) = strongest else {
            continue;
        };
        any_common = true;
        let digest = match computed.get(i).copied().flatten() {
            Some(d) => d,
            None => {
                let d = artifact.digest(algorithm)?;
                if let Some(cell) = computed.get_mut(i) {
                    *cell = Some(d);
                }
                d
            }
        };
        if sigstore_types::encoding::hex_matches(value, digest.as_bytes()) {
            return Ok((subject, digest));
        }
    }
    Err(Error::Dsse(if any_common {
        "no statement subject has the artifact's digest"
    } else {
        "no statement subject has a digest with an algorithm the artifact was hashed with"
    }))
}

/// For a DSSE envelope whose payload is not an in-toto statement: the artifact must be the
/// payload (its bytes, or its digest under the strongest algorithm given); that digest.
fn payload_as_artifact(payload: &[u8], artifact: &Artifact<'_>) -> Result<Digest, Error> {
    let not_payload = Error::Dsse(
        "the payload is not an in-toto statement, and the artifact is not the payload itself",
    );
    if let Artifact::Bytes(bytes) = artifact {
        return if *bytes == payload {
            Ok(HashAlgorithm::Sha256.digest(payload))
        } else {
            Err(not_payload)
        };
    }
    let algorithm = STRONGEST_FIRST
        .into_iter()
        .find(|alg| artifact.has(*alg))
        .ok_or(Error::Artifact("no artifact digest"))?;
    let digest = artifact.digest(algorithm)?;
    if algorithm.digest(payload) == digest {
        Ok(digest)
    } else {
        Err(not_payload)
    }
}

/// What the artifact signature check established.
struct SignedContent {
    artifact_digest: Digest,
    statement: Option<StatementInfo>,
}

fn signer_info(leaf: &Certificate) -> Result<SignerInfo, Error> {
    let extensions = FulcioExtensions::from_certificate(leaf).map_err(Error::Certificate)?;
    let identity = san(leaf)
        .map_err(Error::Certificate)?
        .as_str()
        .ok_or(Error::Material(
            "the certificate's SAN is not an email, URI or username",
        ))?
        .to_owned();
    Ok(SignerInfo::Certificate {
        identity,
        issuer: extensions.issuer.clone(),
        extensions: Box::new(extensions),
        not_before: leaf.not_before(),
        not_after: leaf.not_after(),
        serial: hex::encode(leaf.serial_number()),
    })
}

#[cfg(test)]
mod tests {
    use sigstore_types::encoding::hex_matches;

    #[test]
    fn hex_comparison() {
        let bytes = [0x00, 0xab, 0xff];
        assert!(hex_matches("00abff", &bytes));
        assert!(hex_matches("00ABFF", &bytes));
        assert!(hex_matches("00AbFf", &bytes));
        for wrong in [
            "00abfe", "00abf", "00abff00", "", "0gabff", "00ab+f", "é0abff",
        ] {
            assert!(!hex_matches(wrong, &bytes), "{wrong}");
        }
        assert!(hex_matches("", &[]));
    }
}
