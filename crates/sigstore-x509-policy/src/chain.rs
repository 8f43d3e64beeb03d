use std::sync::OnceLock;

use const_oid::ObjectIdentifier;
use sigstore_types::{Timestamp, ValidityPeriod};

use crate::{oids, Certificate, Error};

/// What the leaf certificate of a path must be good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyPurpose {
    /// Fulcio signing certificates: leaf KU digitalSignature and EKU codeSigning, and not a CA.
    CodeSigning,
    /// Timestamp authority certificates: leaf EKU exactly timeStamping, marked critical.
    TimeStamping,
}

impl KeyPurpose {
    /// The extended key usage OID of the purpose.
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::CodeSigning => oids::CODE_SIGNING,
            Self::TimeStamping => oids::TIME_STAMPING,
        }
    }
}

/// A trusted certificate authority: a chain from the trusted root (`certificateAuthorities[i]`
/// or `timestampAuthorities[i]`), ordered child to anchor, and the window it may be used in.
///
/// The last certificate is the trust anchor (it may be an intermediate; its own signature is
/// never checked). Checks that do not involve the leaf (the signatures inside the chain) run
/// once, on first use, and are cached.
#[derive(Debug, Clone)]
pub struct CertificateAuthority {
    chain: Vec<Certificate>,
    valid_for: Option<ValidityPeriod>,
    internal: OnceLock<Result<(), Error>>,
    checked_chains: &'static [[u8; 32]],
}

impl CertificateAuthority {
    /// Parses a chain of DER certificates (child first, trust anchor last). A `valid_for` of
    /// `None` puts no time window on the authority (the chain's certificates still have
    /// theirs).
    pub fn new(chain_der: &[Vec<u8>], valid_for: Option<ValidityPeriod>) -> Result<Self, Error> {
        let chain = chain_der
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_certificates(chain, valid_for)
    }

    /// Builds an authority from parsed certificates (child first, trust anchor last).
    pub fn from_certificates(
        chain: Vec<Certificate>,
        valid_for: Option<ValidityPeriod>,
    ) -> Result<Self, Error> {
        if chain.is_empty() {
            return Err(Error::EmptyChain);
        }
        Ok(Self {
            chain,
            valid_for,
            internal: OnceLock::new(),
            checked_chains: &[],
        })
    }

    /// Chains whose internal signatures are known to verify, by [`Self::chain_digest`] (for
    /// example the embedded trusted roots' chains, checked by the tests of the crate that
    /// embeds them): when this authority's chain is one of them, its internal signatures are
    /// not checked again. Every other check (names, validity, constraints, the leaf's
    /// signature) still runs.
    pub fn with_checked_chains(mut self, digests: &'static [[u8; 32]]) -> Self {
        self.checked_chains = digests;
        self
    }

    /// SHA-256 over each certificate's DER, child first, each preceded by its length as 4
    /// big-endian bytes: the chain's identity for [`Self::with_checked_chains`].
    pub fn chain_digest(&self) -> [u8; 32] {
        let mut hasher = sigstore_crypto::HashAlgorithm::Sha256.hasher();
        for cert in &self.chain {
            // A certificate is at most 16 MiB (DER lengths are capped well below 4 GiB).
            let len = u32::try_from(cert.der().len()).unwrap_or(u32::MAX);
            hasher.update(&len.to_be_bytes());
            hasher.update(cert.der());
        }
        let digest = hasher.finalize();
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_bytes());
        out
    }

    /// The chain, child first, trust anchor last.
    pub fn certificates(&self) -> &[Certificate] {
        &self.chain
    }

    /// The window the authority may be used in, if one was given.
    pub fn valid_for(&self) -> Option<&ValidityPeriod> {
        self.valid_for.as_ref()
    }

    /// Whether the authority's window contains `time` (always true without a window).
    pub fn is_valid_at(&self, time: Timestamp) -> bool {
        self.valid_for.as_ref().is_none_or(|v| v.contains(time))
    }

    /// Each certificate of the chain is issued by the next one (names and signatures). Cached.
    fn check_internal_signatures(&self) -> Result<(), Error> {
        self.internal
            .get_or_init(|| {
                if self.chain.len() > 1
                    && !self.checked_chains.is_empty()
                    && self.checked_chains.contains(&self.chain_digest())
                {
                    return Ok(());
                }
                self.chain.windows(2).try_for_each(|pair| match pair {
                    [child, parent] => child.verify_signed_by(parent),
                    _ => Ok(()),
                })
            })
            .clone()
    }
}

/// A validated certification path: the leaf first, then its issuers up to the trust anchor.
#[derive(Debug, Clone)]
pub struct VerifiedChain {
    certificates: Vec<Certificate>,
    issuer: Certificate,
}

impl VerifiedChain {
    /// The path: leaf, its issuer, ..., trust anchor.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The certificate that signed the leaf.
    pub fn issuer(&self) -> &Certificate {
        &self.issuer
    }
}

/// Validates `leaf` against trusted `authorities` at `time` (the hybrid model Sigstore uses:
/// the time is a verified signing time, not the current time).
///
/// For some authority, all of these hold: its `validFor` contains `time`; the leaf's issuer
/// is the authority's first certificate and the signatures chain up to its last one (the
/// anchor); every certificate of the path, anchor included, has `notBefore <= time <=
/// notAfter`; every issuer has basicConstraints cA, key usage keyCertSign and a respected
/// pathLenConstraint; the leaf fits `purpose` and every issuer with an extended key usage
/// allows it; no certificate has a critical extension this crate does not process (the leaf
/// may have a critical SAN; subject and authority key identifiers must be non-critical, RFC 5280
/// 4.2.1.1 and 4.2.1.2); every issuer has a non-empty subject name (RFC 5280 4.1.2.4); a
/// leaf with keyCertSign is a CA (RFC 5280 4.2.1.9), and a code-signing leaf is not a CA.
///
/// Anchors come only from `authorities`. When none fits, the error comes from the most
/// specific failure: an authority whose key signed the leaf beats one with a matching name,
/// which beats the rest.
///
/// Timestamp authority chains start with the TSA signing certificate itself; validate those
/// with [`verify_tsa_chain`].
pub fn verify_chain(
    leaf: &Certificate,
    authorities: &[CertificateAuthority],
    time: Timestamp,
    purpose: KeyPurpose,
) -> Result<VerifiedChain, Error> {
    let mut best: Option<(u8, Error)> = None;
    for authority in authorities {
        match try_authority(leaf, authority, time, purpose) {
            Ok(chain) => return Ok(chain),
            Err((rank, error)) => {
                if best.as_ref().is_none_or(|(best_rank, _)| rank > *best_rank) {
                    best = Some((rank, error));
                }
            }
        }
    }
    Err(best.map_or(Error::NoAuthorities, |(_, error)| error))
}

fn try_authority(
    leaf: &Certificate,
    authority: &CertificateAuthority,
    time: Timestamp,
    purpose: KeyPurpose,
) -> Result<VerifiedChain, (u8, Error)> {
    let issuer = authority.chain.first().ok_or((0, Error::EmptyChain))?;
    if leaf.issuer_der() != issuer.subject_der() {
        return Err((0, Error::UnknownIssuer));
    }
    leaf.verify_signed_by(issuer).map_err(|e| (1, e))?;
    validate_path(leaf, &authority.chain, authority, time, purpose).map_err(|e| (2, e))
}

/// Validates the timestamp authority's own chain at `time`: `certChain[0]` (the TSA signing
/// certificate) up to the last certificate of the same chain, with purpose
/// [`KeyPurpose::TimeStamping`], inside the authority's `validFor`. The chain must hold at
/// least two certificates. Every check but the time comparisons is cached in `authority`.
pub fn verify_tsa_chain(
    authority: &CertificateAuthority,
    time: Timestamp,
) -> Result<VerifiedChain, Error> {
    match authority.chain.as_slice() {
        [leaf, issuers @ ..] if !issuers.is_empty() => {
            validate_path(leaf, issuers, authority, time, KeyPurpose::TimeStamping)
        }
        chain => Err(Error::TsaChainTooShort(chain.len())),
    }
}

/// Checks everything about the path `leaf, issuers...` except the leaf's own signature.
fn validate_path(
    leaf: &Certificate,
    issuers: &[Certificate],
    authority: &CertificateAuthority,
    time: Timestamp,
    purpose: KeyPurpose,
) -> Result<VerifiedChain, Error> {
    if !authority.is_valid_at(time) {
        return Err(Error::AuthorityNotValidAt { time });
    }
    check_time(leaf, 0, time)?;
    check_critical_extensions(leaf, 0, true)?;
    if leaf.key_usage().is_some_and(|ku| ku.key_cert_sign()) && !leaf.is_ca() {
        return Err(Error::KeyCertSignWithoutCa);
    }
    check_leaf_purpose(leaf, purpose)?;
    for (index, cert) in issuers.iter().enumerate() {
        let depth = index.saturating_add(1);
        check_time(cert, depth, time)?;
        check_critical_extensions(cert, depth, false)?;
        if !cert.is_ca() {
            return Err(Error::NotCa { depth });
        }
        if cert.subject_is_empty() {
            return Err(Error::EmptyCaSubject { depth });
        }
        if !cert.key_usage().is_some_and(|ku| ku.key_cert_sign()) {
            return Err(Error::MissingKeyCertSign { depth });
        }
        // `index` CA certificates lie between this one and the leaf.
        if let Some(path_len) = cert.path_len_constraint() {
            if index > usize::from(path_len) {
                return Err(Error::PathLenExceeded { depth, path_len });
            }
        }
        if let Some(usages) = cert.extended_key_usages() {
            let wanted = purpose.oid();
            if !usages
                .iter()
                .any(|u| *u == wanted || *u == oids::ANY_EXTENDED_KEY_USAGE)
            {
                return Err(Error::ExtendedKeyUsageNotAllowed {
                    depth,
                    purpose: wanted,
                });
            }
        }
    }
    authority.check_internal_signatures()?;

    let issuer = issuers.first().ok_or(Error::EmptyChain)?.clone();
    let mut certificates = Vec::with_capacity(issuers.len().saturating_add(1));
    certificates.push(leaf.clone());
    certificates.extend(issuers.iter().cloned());
    Ok(VerifiedChain {
        certificates,
        issuer,
    })
}

fn check_time(cert: &Certificate, depth: usize, time: Timestamp) -> Result<(), Error> {
    if time < cert.not_before() {
        return Err(Error::NotYetValid {
            depth,
            not_before: cert.not_before(),
            time,
        });
    }
    if time > cert.not_after() {
        return Err(Error::Expired {
            depth,
            not_after: cert.not_after(),
            time,
        });
    }
    Ok(())
}

/// Rejects critical extensions path validation does not process. Subject and authority key
/// identifiers are not processed (paths are fixed by the trust root and chained by name and
/// signature), and RFC 5280 requires them to be non-critical.
fn check_critical_extensions(cert: &Certificate, depth: usize, is_leaf: bool) -> Result<(), Error> {
    for ext in cert.extensions().filter(|ext| ext.critical) {
        let oid = ext.oid;
        let handled = oid == oids::BASIC_CONSTRAINTS
            || oid == oids::KEY_USAGE
            || oid == oids::EXTENDED_KEY_USAGE
            || (is_leaf && oid == oids::SUBJECT_ALT_NAME);
        if !handled {
            return Err(Error::UnhandledCriticalExtension { depth, oid });
        }
    }
    Ok(())
}

fn check_leaf_purpose(leaf: &Certificate, purpose: KeyPurpose) -> Result<(), Error> {
    match purpose {
        KeyPurpose::CodeSigning => {
            if leaf.is_ca() {
                return Err(Error::LeafIsCa);
            }
            if !leaf.key_usage().is_some_and(|ku| ku.digital_signature()) {
                return Err(Error::MissingDigitalSignature);
            }
            if !leaf.has_eku(&oids::CODE_SIGNING) {
                return Err(Error::MissingExtendedKeyUsage {
                    expected: oids::CODE_SIGNING,
                });
            }
        }
        KeyPurpose::TimeStamping => {
            if leaf.key_usage().is_some_and(|ku| !ku.digital_signature()) {
                return Err(Error::MissingDigitalSignature);
            }
            match leaf.extended_key_usages() {
                None => {
                    return Err(Error::MissingExtendedKeyUsage {
                        expected: oids::TIME_STAMPING,
                    })
                }
                Some([only]) if *only == oids::TIME_STAMPING => {}
                Some(_) => return Err(Error::TimeStampingEkuNotSole),
            }
            if !leaf.extended_key_usage_critical() {
                return Err(Error::TimeStampingEkuNotCritical);
            }
        }
    }
    Ok(())
}
