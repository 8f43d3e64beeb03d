//! Trust material prepared once from a trusted root: parsed keys, CA chains, note verifiers.

use std::sync::OnceLock;

use sigstore_crypto::PublicKey;
use sigstore_fulcio::CtLog;
use sigstore_rekor::checkpoint::{is_note_key_name, NoteVerifier};
use sigstore_tsa::TimestampAuthority;
use sigstore_types::common::PublicKeyDetails;
use sigstore_types::trust::TransparencyLogInstance;
use sigstore_types::{TrustedRoot, ValidityPeriod};
use sigstore_x509_policy::{Certificate, CertificateAuthority};

use crate::Error;

/// A Rekor log of the trusted root, found by its IDs; its key is parsed when a bundle first
/// names the log (a bundle uses one log of the several a trusted root lists, and an Ed25519
/// key costs a curve point decompression to parse).
#[derive(Debug)]
pub(crate) struct LazyLog {
    log: TransparencyLogInstance,
    valid_for: ValidityPeriod,
    /// `None` once parsed: a key this build cannot use leaves the log out.
    parsed: OnceLock<Option<TrustedLog>>,
}

impl LazyLog {
    /// Whether `log_id` (a bundle entry's `logId.keyId`) names this log.
    fn is_named_by(&self, log_id: &[u8]) -> bool {
        self.log.log_id == log_id || self.log.checkpoint_key_id.as_deref() == Some(log_id)
    }

    /// The log with its parsed key, or `None` when this build cannot use the key.
    fn get(&self) -> Option<&TrustedLog> {
        self.parsed
            .get_or_init(|| trusted_log(&self.log, self.valid_for))
            .as_ref()
    }
}

/// A Rekor log the trusted root vouches for.
#[derive(Debug)]
pub(crate) struct TrustedLog {
    pub(crate) base_url: String,
    pub(crate) log_id: Vec<u8>,
    pub(crate) key: PublicKey,
    pub(crate) valid_for: ValidityPeriod,
    pub(crate) note_verifier: NoteVerifier,
}

/// Everything a [`crate::Verifier`] trusts, parsed from a [`TrustedRoot`] once.
///
/// Building it checks the trusted root: a transparency log key without a validity start, or a
/// Fulcio certificate authority whose chain does not parse, makes the whole root unusable.
/// The timestamp authorities are parsed when first needed (most bundles carry no RFC 3161
/// timestamp, and a one-shot verification should not pay for them); a chain of theirs that
/// does not parse then fails whatever needed it, never counts as a pass.
#[derive(Debug)]
pub struct TrustMaterial {
    pub(crate) logs: Vec<LazyLog>,
    pub(crate) certificate_authorities: Vec<CertificateAuthority>,
    pub(crate) ct_logs: Vec<CtLog>,
    pub(crate) timestamp_authorities: LazyTimestampAuthorities,
}

/// The trusted root's timestamp authorities, parsed on first use.
#[derive(Debug)]
pub(crate) struct LazyTimestampAuthorities {
    chains: Vec<(Vec<Vec<u8>>, Option<ValidityPeriod>)>,
    parsed: std::sync::OnceLock<Result<Vec<TimestampAuthority>, sigstore_x509_policy::Error>>,
}

impl LazyTimestampAuthorities {
    fn new(root: &TrustedRoot) -> Self {
        Self {
            chains: root
                .timestamp_authorities
                .iter()
                .map(|tsa| (tsa.cert_chain.clone(), tsa.valid_for))
                .collect(),
            parsed: std::sync::OnceLock::new(),
        }
    }

    /// The parsed authorities (parsing them the first time), or the first parse error.
    pub(crate) fn get(&self) -> Result<&[TimestampAuthority], Error> {
        self.parsed
            .get_or_init(|| {
                self.chains
                    .iter()
                    .map(|(chain, valid_for)| {
                        CertificateAuthority::new(chain, *valid_for)
                            .map(|ca| {
                                ca.with_checked_chains(sigstore_trust::embedded_chain_digests())
                            })
                            .map(TimestampAuthority::from_authority)
                    })
                    .collect()
            })
            .as_deref()
            .map_err(|source| Error::TrustedRootCertificate {
                source: source.clone(),
            })
    }
}

impl TrustMaterial {
    /// Parses and checks every key and certificate of `root` (the Rekor log keys when a
    /// bundle first names their log, the timestamp authorities' when first used).
    pub fn new(root: &TrustedRoot) -> Result<Self, Error> {
        // A key this build cannot use (a future algorithm, PKCS#1 RSA of old CT logs) is left
        // out: a bundle that relies on it then fails as naming an unknown log. A key whose
        // validity has no start, or a log whose host cannot name a checkpoint key, makes the
        // whole root invalid. Rekor keys are parsed when a bundle first names their log.
        let logs = root
            .tlogs
            .iter()
            .map(|log| {
                let valid_for = log_validity(log)?;
                if !is_note_key_name(host_of(&log.base_url)) {
                    return Err(Error::InvalidTrustedRoot {
                        what: "log key cannot sign checkpoints",
                        log: log.base_url.clone(),
                    });
                }
                Ok(LazyLog {
                    log: log.clone(),
                    valid_for,
                    parsed: OnceLock::new(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let certificate_authorities = root
            .certificate_authorities
            .iter()
            .map(|ca| {
                CertificateAuthority::new(&ca.cert_chain, ca.valid_for)
                    .map(|ca| ca.with_checked_chains(sigstore_trust::embedded_chain_digests()))
                    .map_err(|source| Error::TrustedRootCertificate { source })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let ct_logs = root
            .ctlogs
            .iter()
            .filter_map(|log| {
                let (key, valid_for) = match log_key(log) {
                    Ok(Some(found)) => found,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                };
                Some(
                    CtLog::with_key(key, &log.log_id, Some(valid_for)).map_err(|_| {
                        Error::InvalidTrustedRoot {
                            what: "CT log ID is malformed",
                            log: log.base_url.clone(),
                        }
                    }),
                )
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let timestamp_authorities = LazyTimestampAuthorities::new(root);
        Ok(Self {
            logs,
            certificate_authorities,
            ct_logs,
            timestamp_authorities,
        })
    }

    /// Whether `der` is byte-identical to the trust anchor (last certificate) of one of the
    /// trusted Fulcio certificate authorities.
    pub(crate) fn is_fulcio_anchor(&self, der: &[u8]) -> bool {
        self.certificate_authorities
            .iter()
            .filter_map(|ca| ca.certificates().last())
            .any(|anchor| anchor.der() == der)
    }

    /// The certificate of a trusted Fulcio certificate authority that is byte-identical to
    /// `der`, already parsed (bundled chains usually repeat the trusted intermediates).
    pub(crate) fn fulcio_certificate(&self, der: &[u8]) -> Option<&Certificate> {
        self.certificate_authorities
            .iter()
            .flat_map(CertificateAuthority::certificates)
            .find(|cert| cert.der() == der)
    }

    pub(crate) fn log_named_by(&self, log_id: &[u8]) -> Option<&TrustedLog> {
        self.logs
            .iter()
            .filter(|log| log.is_named_by(log_id))
            .find_map(LazyLog::get)
    }
}

/// The validity of a log's key, which must be given and have a start.
fn log_validity(log: &TransparencyLogInstance) -> Result<ValidityPeriod, Error> {
    let invalid = |what| Error::InvalidTrustedRoot {
        what,
        log: log.base_url.clone(),
    };
    let valid_for = log
        .public_key
        .valid_for
        .ok_or_else(|| invalid("log key has no validFor"))?;
    if valid_for.start.is_none() {
        return Err(invalid("log key validFor has no start"));
    }
    Ok(valid_for)
}

/// The key and validity of a log; `None` for a key this build cannot parse.
fn log_key(log: &TransparencyLogInstance) -> Result<Option<(PublicKey, ValidityPeriod)>, Error> {
    let valid_for = log_validity(log)?;
    Ok(parse_log_key(log).map(|key| (key, valid_for)))
}

/// The log's key, or `None` when it is absent or this build cannot parse it.
fn parse_log_key(log: &TransparencyLogInstance) -> Option<PublicKey> {
    let raw = log.public_key.raw_bytes.as_deref()?;
    // Old CT logs publish bare PKCS#1 RSA keys, flagged by their key details.
    let key = match log.public_key.key_details {
        PublicKeyDetails::Pkcs1RsaPkcs1v5 | PublicKeyDetails::Pkcs1RsaPss => {
            PublicKey::from_pkcs1_rsa_der(raw)
        }
        _ => PublicKey::from_spki_der(raw),
    };
    key.ok()
}

/// A Rekor log with its parsed key; `None` when this build cannot use the key (its host was
/// checked as a key name when the trusted root was loaded).
fn trusted_log(log: &TransparencyLogInstance, valid_for: ValidityPeriod) -> Option<TrustedLog> {
    let key = parse_log_key(log)?;
    // Used for Rekor v2 checkpoints (origin == key name == host); Rekor v1 checkpoints name
    // their key after the origin's host and are checked with the key alone.
    let note_verifier = NoteVerifier::rekor_v2(host_of(&log.base_url), key.clone()).ok()?;
    Some(TrustedLog {
        base_url: log.base_url.clone(),
        log_id: log.log_id.clone(),
        key,
        valid_for,
        note_verifier,
    })
}

/// The host name of a URL: no scheme, user info, port or path (`https://a.b:8080/x` -> `a.b`).
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(stripped) = host_port.strip_prefix('[') {
        return stripped.split(']').next().unwrap_or(stripped);
    }
    host_port.split(':').next().unwrap_or(host_port)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://rekor.sigstore.dev"), "rekor.sigstore.dev");
        assert_eq!(
            host_of("https://log2025-1.rekor.sigstore.dev/"),
            "log2025-1.rekor.sigstore.dev"
        );
        assert_eq!(host_of("http://127.0.0.1:3000/api"), "127.0.0.1");
        assert_eq!(host_of("https://u@[::1]:80"), "::1");
        assert_eq!(host_of("rekor.example"), "rekor.example");
    }
}
