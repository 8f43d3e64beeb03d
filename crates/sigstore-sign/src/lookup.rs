//! Online Rekor v1 lookup for legacy detached signatures: a `.sig` and a `.crt` without the
//! `.rekor` file that would carry their log entry.
//!
//! The entry is looked up by content (`POST /api/v1/log/entries/retrieve` with the proposed
//! `hashedrekord` of the artifact digest, signature and certificate) and then verified exactly
//! as one read from a `.rekor` file: the body must bind the digest, signature and certificate,
//! the signed entry timestamp and the inclusion proof (against a checkpoint signed by the
//! log's key) must verify with the key of the trusted root. The log is not trusted: an entry
//! that is missing, for another artifact or altered fails, and nothing the log says is used
//! before it has verified.

use sigstore_crypto::{Digest, HashAlgorithm};
use sigstore_http::{HttpClient, HttpConfig};
use sigstore_rekor::client::{ProposedEntry, RekorV1Client};
use sigstore_types::bundle::{BundleContent, TransparencyLogEntry};
use sigstore_types::encoding::{escape_controls, pem_encode};
use sigstore_types::{Bundle, Timestamp, TrustedRoot};
use sigstore_verify::{Artifact, Policy, VerificationResult, Verifier};

use crate::Error;

/// The Rekor v1 log of `root` to look detached signatures up in, at `now`.
///
/// sigstore-python asks the first log its trusted root lists. This picks, among the logs whose
/// log ID is the SHA-256 of their public key (the Rekor v1 log ID; Rekor v2 logs are named by
/// their checkpoint key instead and have no search API) and whose key is valid at `now`, the
/// one whose key became valid last: the instance's current Rekor v1 log
/// (`https://rekor.sigstore.dev` for production). Its URL must be https, or http to a
/// loopback host.
pub fn rekor_v1_log_url(root: &TrustedRoot, now: Timestamp) -> Result<String, Error> {
    let log =
        root.tlogs
            .iter()
            .filter(|log| {
                let is_v1 = log.public_key.raw_bytes.as_deref().is_some_and(|spki| {
                    HashAlgorithm::Sha256.digest(spki).as_bytes() == log.log_id
                });
                let valid = log
                    .public_key
                    .valid_for
                    .as_ref()
                    .is_some_and(|period| period.contains(now));
                is_v1 && valid
            })
            .max_by_key(|log| log.public_key.valid_for.as_ref().and_then(|p| p.start))
            .ok_or(Error::NoRekorV1Log)?;
    if !sigstore_trust::is_secure_service_url(&log.base_url) {
        return Err(Error::InsecureService {
            kind: "Rekor",
            url: log.base_url.chars().take(200).collect(),
        });
    }
    Ok(log.base_url.clone())
}

/// How a legacy detached signature (`.sig` + `.crt`) that has no `.rekor` file gets its log
/// entry: from a Rekor v1 log (one given, else the trusted root's current Rekor v1 log), unless
/// offline. The errors say what is missing in the library's terms; a command line names its
/// own options for them (`sigstore verify` does: `--rekor-url`, `--rekor-bundle`, `--offline`).
#[derive(Debug, Clone)]
pub enum DetachedLookup {
    /// Offline: no lookup; such signatures fail with [`Error::DetachedOffline`].
    Offline,
    /// Look the entry up online.
    Online {
        /// The log's base URL, or why the trusted root names none.
        url: Result<String, String>,
        /// The HTTP settings (timeouts, retries, response size limit).
        http: HttpConfig,
    },
}

impl DetachedLookup {
    /// The lookup for `root` at `now`: `rekor_url` when given (https, or http to a loopback
    /// host), else [`rekor_v1_log_url`]; the default HTTP settings ([`Self::with_http`]).
    /// `rekor_url` together with `offline` is [`Error::LookupUrlOffline`]; an insecure one
    /// [`Error::InsecureLookupUrl`].
    pub fn new(
        root: &TrustedRoot,
        rekor_url: Option<&str>,
        offline: bool,
        now: Timestamp,
    ) -> Result<Self, Error> {
        if offline {
            return match rekor_url {
                Some(_) => Err(Error::LookupUrlOffline),
                None => Ok(Self::Offline),
            };
        }
        let url = match rekor_url {
            Some(url) if sigstore_trust::is_secure_service_url(url) => Ok(url.to_owned()),
            Some(url) => {
                return Err(Error::InsecureLookupUrl {
                    url: escape_controls(url),
                })
            }
            None => rekor_v1_log_url(root, now).map_err(|e| e.to_string()),
        };
        Ok(Self::Online {
            url,
            http: HttpConfig::default(),
        })
    }

    /// The same lookup with the HTTP settings `config` (no effect offline).
    pub fn with_http(self, config: HttpConfig) -> Self {
        match self {
            Self::Online { url, .. } => Self::Online { url, http: config },
            Self::Offline => Self::Offline,
        }
    }

    /// Verifies `bundle` (made from a `.sig` and a `.crt`, without a log entry) for the
    /// artifact `digest` with the log entry looked up online ([`verify_detached_online`]).
    pub async fn verify(
        &self,
        verifier: &Verifier,
        bundle: &Bundle,
        digest: Digest,
        policy: &Policy,
    ) -> Result<VerificationResult, Error> {
        let (url, config) = match self {
            Self::Offline => return Err(Error::DetachedOffline),
            Self::Online { url, http } => (url, http),
        };
        let url = url.as_deref().map_err(|reason| Error::NoLookupLog {
            reason: reason.to_owned(),
        })?;
        let http = HttpClient::new(config.clone())?;
        verify_detached_online(verifier, &http, url, bundle, digest, policy).await
    }
}

/// The log entries the Rekor v1 log at `url` holds for the detached signature in `bundle` (a
/// bundle made from `.sig` and `.crt`, with a SHA-256 message digest and no log entry), oldest
/// first. Unverified: see [`verify_detached_online`].
pub async fn lookup_detached_entries(
    http: &HttpClient,
    url: &str,
    bundle: &Bundle,
) -> Result<Vec<TransparencyLogEntry>, Error> {
    let proposed = proposed_entry(bundle)?;
    RekorV1Client::new(url, http.clone())
        .retrieve_entries(&proposed)
        .await
        .map_err(|source| Error::LogLookup {
            url: url.to_owned(),
            source,
        })
}

/// Looks up the log entry of the detached signature in `bundle` at the Rekor v1 log at `url`
/// and verifies the bundle with it against `artifact` under `policy`: each entry the log
/// returns is tried, oldest first, and the first that verifies wins.
///
/// `verifier` should be the one used for `.rekor` materials. Every candidate must carry a
/// signed entry timestamp and an inclusion proof with a checkpoint, and both must verify.
pub async fn verify_detached_online(
    verifier: &Verifier,
    http: &HttpClient,
    url: &str,
    bundle: &Bundle,
    artifact: Digest,
    policy: &Policy,
) -> Result<VerificationResult, Error> {
    let entries = lookup_detached_entries(http, url, bundle).await?;
    verify_with_entries(verifier, url, bundle, entries, artifact, policy)
}

/// The verification half of [`verify_detached_online`], for entries already retrieved from
/// the log at `url` (only named in errors).
pub fn verify_with_entries(
    verifier: &Verifier,
    url: &str,
    bundle: &Bundle,
    entries: Vec<TransparencyLogEntry>,
    artifact: Digest,
    policy: &Policy,
) -> Result<VerificationResult, Error> {
    if entries.is_empty() {
        return Err(Error::NoLogEntry {
            url: url.to_owned(),
        });
    }
    let count = entries.len();
    let mut reasons = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let mut candidate = bundle.clone();
        candidate.verification_material.tlog_entries = vec![entry];
        match verify_candidate(verifier, &candidate, artifact, policy) {
            Ok(result) => return Ok(result),
            Err(reason) => {
                let reason = if count == 1 {
                    reason
                } else {
                    format!("entry {} of {count}: {reason}", i + 1)
                };
                reasons.push(reason);
            }
        }
    }
    Err(Error::LogEntryUnverified {
        url: url.to_owned(),
        count,
        reasons: reasons.join("; "),
    })
}

/// Verifies one candidate, with the entry's completeness checked first and again in the
/// result (an entry from a search must prove its inclusion, not only promise it).
fn verify_candidate(
    verifier: &Verifier,
    candidate: &Bundle,
    artifact: Digest,
    policy: &Policy,
) -> Result<VerificationResult, String> {
    let entry = candidate
        .verification_material
        .tlog_entries
        .first()
        .ok_or("no entry")?;
    if entry.inclusion_promise.is_none() {
        return Err("the entry has no signed entry timestamp".to_owned());
    }
    if entry
        .inclusion_proof
        .as_ref()
        .is_none_or(|p| p.checkpoint.is_none())
    {
        return Err("the entry has no inclusion proof with a checkpoint".to_owned());
    }
    let result = verifier
        .verify(candidate, Artifact::Digest(artifact), policy)
        .map_err(|e| error_chain(&e))?;
    let proven = result
        .log_entries
        .iter()
        .all(|e| e.inclusion_proof && e.inclusion_promise && e.integrated_time.is_some());
    if result.log_entries.is_empty() || !proven {
        return Err("the entry's inclusion proof or signed entry timestamp did not verify".into());
    }
    Ok(result)
}

/// An error and its causes on one line, each cause once (a message that already ends with
/// its source's text does not repeat it).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// The proposed `hashedrekord` 0.0.1 entry of a detached-signature bundle.
fn proposed_entry(bundle: &Bundle) -> Result<ProposedEntry, Error> {
    let BundleContent::MessageSignature(message) = &bundle.content else {
        return Err(Error::UnsupportedInput(
            "only a detached message signature can be looked up",
        ));
    };
    let digest = message
        .message_digest
        .as_ref()
        .and_then(|d| Digest::new(HashAlgorithm::Sha256, &d.digest))
        .ok_or(Error::UnsupportedInput(
            "a detached signature lookup needs the artifact's SHA-256 digest",
        ))?;
    let leaf = bundle
        .verification_material
        .leaf_certificate()
        .ok_or(Error::UnsupportedInput(
            "a detached signature lookup needs the signing certificate",
        ))?;
    Ok(ProposedEntry::hashed_rekord(
        &message.signature,
        &pem_encode(leaf, "CERTIFICATE"),
        &digest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap_or(Timestamp::from_unix(0))
    }

    #[test]
    fn detached_lookup_options() {
        let now = at("2026-01-01T00:00:00Z");
        let Ok(root) = sigstore_trust::PRODUCTION.trusted_root() else {
            panic!("embedded production trusted root");
        };
        assert!(matches!(
            DetachedLookup::new(&root, Some("https://rekor.example"), true, now),
            Err(Error::LookupUrlOffline)
        ));
        assert!(matches!(
            DetachedLookup::new(&root, None, true, now),
            Ok(DetachedLookup::Offline)
        ));
        match DetachedLookup::new(&root, Some("http://rekor.example/\n"), false, now) {
            Err(error @ Error::InsecureLookupUrl { .. }) => assert_eq!(
                error.to_string(),
                "log URL http://rekor.example/\\n: not https (plain http only for loopback hosts)"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            DetachedLookup::new(&root, Some("http://127.0.0.1:3000"), false, now),
            Ok(DetachedLookup::Online { url: Ok(u), .. }) if u == "http://127.0.0.1:3000"
        ));
        assert!(matches!(
            DetachedLookup::new(&root, None, false, now),
            Ok(DetachedLookup::Online { url: Ok(u), .. }) if u == "https://rekor.sigstore.dev"
        ));
        // A root without a Rekor v1 log: the lookup fails only when used, saying what to pass.
        let mut empty = root.clone();
        empty.tlogs.clear();
        let lookup = DetachedLookup::new(&empty, None, false, now)
            .map(|l| l.with_http(HttpConfig::default()));
        assert!(matches!(
            lookup,
            Ok(DetachedLookup::Online { url: Err(_), .. })
        ));
    }

    #[tokio::test]
    async fn detached_lookup_refusals() {
        let now = at("2026-01-01T00:00:00Z");
        let (Ok(root), Ok(bundle)) = (
            sigstore_trust::PRODUCTION.trusted_root(),
            Bundle::from_json(include_bytes!(
                "../../../testdata/conformance/bundle-verify/happy-path-v0.2/bundle.sigstore.json"
            )),
        ) else {
            panic!("embedded trusted root and test bundle");
        };
        let Ok(verifier) = Verifier::new(&root, Default::default()) else {
            panic!("verifier");
        };
        let digest = HashAlgorithm::Sha256.digest(b"artifact");
        let policy = Policy::identity(sigstore_x509_policy::Identity::new(
            "a@example.com",
            "https://issuer.example",
        ));
        let offline = DetachedLookup::Offline;
        let error = offline.verify(&verifier, &bundle, digest, &policy).await;
        assert!(matches!(error, Err(Error::DetachedOffline)), "{error:?}");
        let mut empty = root.clone();
        empty.tlogs.clear();
        let lookup = DetachedLookup::new(&empty, None, false, now)
            .map(|l| l.with_http(HttpConfig::default()));
        let Ok(lookup) = lookup else {
            panic!("{lookup:?}");
        };
        match lookup.verify(&verifier, &bundle, digest, &policy).await {
            Err(error @ Error::NoLookupLog { .. }) => assert_eq!(
                error.to_string(),
                format!(
                    "{}; give a log URL to look the entry up in, or the entry itself (a .rekor \
                     file)",
                    Error::NoRekorV1Log
                )
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_current_rekor_v1_log_of_the_trusted_root() {
        let now = at("2026-01-01T00:00:00Z");
        let production = sigstore_trust::PRODUCTION.trusted_root().ok();
        let staging = sigstore_trust::STAGING.trusted_root().ok();
        // Both list Rekor v2 logs too; those are never chosen.
        assert_eq!(
            production.as_ref().map(|r| rekor_v1_log_url(r, now).ok()),
            Some(Some("https://rekor.sigstore.dev".to_owned()))
        );
        assert_eq!(
            staging.as_ref().map(|r| rekor_v1_log_url(r, now).ok()),
            Some(Some("https://rekor.sigstage.dev".to_owned()))
        );
        let Some(mut root) = production else {
            panic!("the embedded production trusted root parses");
        };
        // Before the log's key was valid: none.
        assert!(matches!(
            rekor_v1_log_url(&root, at("2020-01-01T00:00:00Z")),
            Err(Error::NoRekorV1Log)
        ));
        // A log ID that is not the key's SHA-256 is not a Rekor v1 log.
        let mut renamed = root.clone();
        for log in &mut renamed.tlogs {
            log.log_id = vec![0; 32];
        }
        assert!(matches!(
            rekor_v1_log_url(&renamed, now),
            Err(Error::NoRekorV1Log)
        ));
        // Plain http to another host is refused; loopback is allowed.
        for log in &mut root.tlogs {
            log.base_url = log.base_url.replace("https://", "http://");
        }
        assert!(matches!(
            rekor_v1_log_url(&root, now),
            Err(Error::InsecureService { .. })
        ));
        for log in &mut root.tlogs {
            log.base_url = "http://127.0.0.1:3000".to_owned();
        }
        assert_eq!(
            rekor_v1_log_url(&root, now).ok().as_deref(),
            Some("http://127.0.0.1:3000")
        );
    }

    #[test]
    fn no_entries_is_a_clear_error() {
        let Ok(root) = sigstore_trust::PRODUCTION.trusted_root() else {
            panic!("the embedded production trusted root parses");
        };
        let Ok(verifier) = Verifier::new(&root, sigstore_verify::VerifierConfig::default()) else {
            panic!("verifier");
        };
        let Some(digest) = Digest::new(HashAlgorithm::Sha256, &[0; 32]) else {
            panic!("digest");
        };
        let Ok(key) = sigstore_crypto::SigningKey::generate() else {
            panic!("key");
        };
        let policy = Policy::key(key.public_key());
        // The bundle is not looked at when the log returned nothing.
        let Ok(bundle) = Bundle::from_json(
            br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
                "verificationMaterial":{"publicKey":{"hint":""},"tlogEntries":[]},
                "messageSignature":{"signature":"AA=="}}"#,
        ) else {
            panic!("bundle");
        };
        let error = verify_with_entries(&verifier, "https://log", &bundle, vec![], digest, &policy)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "the log at https://log has no entry for this signature, certificate and artifact \
                 (it was never logged there, or the artifact differs)"
            )
        );
    }
}
