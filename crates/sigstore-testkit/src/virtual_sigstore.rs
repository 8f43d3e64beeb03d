//! [`VirtualSigstore`]: every Sigstore authority in one process, with fresh keys.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use const_oid::ObjectIdentifier;
use der::asn1::{Any, GeneralizedTime, IntRef, OctetString, SetOfVec, Uint, Utf8StringRef};
use der::{Decode as _, Encode as _, Tag};
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};
use sigstore_crypto::{Digest, HashAlgorithm, KeyType, PublicKey, SignatureAlgorithm};
use sigstore_types::bundle::{InclusionProof, TransparencyLogEntry};
use sigstore_types::encoding::pem_encode;
use sigstore_types::trust::{CertificateAuthority, PublicKeyMaterial, TransparencyLogInstance};
use sigstore_types::{
    media_types, ClientTrustConfig, Envelope, PublicKeyDetails, Service, ServiceConfiguration,
    ServiceSelector, SigningConfig, Timestamp, TrustedRoot, ValidityPeriod,
};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;

use crate::jwt::Issuer;
use crate::keys::{EcKey, EdKey};
use crate::merkle::{self, Hash};
use crate::tsp;
use crate::x509::{self, Authority, CertTemplate};
use crate::{Error, ExternalIssuer, Identity, San};

/// Global log index of the first entry of the active Rekor v1 shard: entries' top-level
/// `logIndex` is this plus their index in the shard's tree (`inclusionProof.logIndex`), as on
/// the public instance, whose earlier shards are frozen.
pub const REKOR_V1_SHARD_OFFSET: i64 = 1_000_000;

/// The Sigstore TSA policy OID written into every TSTInfo.
const TSA_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.2");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const OID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const FULCIO_ARC: &str = "1.3.6.1.4.1.57264.1";

/// Base URLs of the services a [`VirtualSigstore`] stands for. They are written into the
/// trusted root and signing config; Rekor checkpoint origins are derived from their hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// Fulcio base URL (clients append `/api/v2/signingCert`).
    pub fulcio: String,
    /// Rekor v1 base URL (clients append `/api/v1/...`).
    pub rekor_v1: String,
    /// Rekor v2 base URL (clients append `/api/v2/...`); its host is the checkpoint origin.
    pub rekor_v2: String,
    /// The full URL timestamp requests are posted to.
    pub tsa: String,
    /// The OIDC issuer (the `iss` claim; discovery lives under it).
    pub oidc_issuer: String,
}

impl Default for Urls {
    fn default() -> Self {
        Self {
            fulcio: "https://fulcio.testkit.invalid".into(),
            rekor_v1: "https://rekor.testkit.invalid".into(),
            rekor_v2: "https://log2025-1.rekor.testkit.invalid".into(),
            tsa: "https://timestamp.testkit.invalid/api/v1/timestamp".into(),
            oidc_issuer: "https://oauth2.testkit.invalid/auth".into(),
        }
    }
}

/// Deliberate defects, for tests that a client or verifier rejects bad service output. The
/// default is no defect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tampering {
    /// Sign the embedded SCT with a CT log key the trusted root does not list.
    pub unknown_sct_log: bool,
    /// Issue the certificate from a CA the trusted root does not list.
    pub untrusted_ca: bool,
    /// Corrupt the inclusion proof's first hash (or add a bogus one).
    pub bad_inclusion_proof: bool,
    /// Sign the checkpoint with a key that is not the log's (same key name).
    pub wrong_checkpoint_key: bool,
    /// Put the timestamp's genTime before the TSA's `validFor` start (while its certificates
    /// are still valid).
    pub timestamp_outside_validity: bool,
    /// Issue the certificate for `mallory@example.com` instead of the token's identity.
    pub wrong_identity: bool,
}

impl Tampering {
    /// No defect.
    pub fn none() -> Self {
        Self::default()
    }

    /// Only [`Tampering::unknown_sct_log`].
    pub fn unknown_sct_log() -> Self {
        Self {
            unknown_sct_log: true,
            ..Self::default()
        }
    }

    /// Only [`Tampering::untrusted_ca`].
    pub fn untrusted_ca() -> Self {
        Self {
            untrusted_ca: true,
            ..Self::default()
        }
    }

    /// Only [`Tampering::bad_inclusion_proof`].
    pub fn bad_inclusion_proof() -> Self {
        Self {
            bad_inclusion_proof: true,
            ..Self::default()
        }
    }

    /// Only [`Tampering::wrong_checkpoint_key`].
    pub fn wrong_checkpoint_key() -> Self {
        Self {
            wrong_checkpoint_key: true,
            ..Self::default()
        }
    }

    /// Only [`Tampering::timestamp_outside_validity`].
    pub fn timestamp_outside_validity() -> Self {
        Self {
            timestamp_outside_validity: true,
            ..Self::default()
        }
    }
}

/// A certificate Fulcio issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificate {
    /// The leaf, DER.
    pub leaf: Vec<u8>,
    /// Leaf, intermediate and root, DER (what Fulcio returns).
    pub chain: Vec<Vec<u8>>,
}

/// The key material a log entry names.
#[derive(Debug, Clone, Copy)]
pub enum LogVerifier<'a> {
    /// A DER certificate (keyless signing).
    Certificate(&'a [u8]),
    /// A DER SubjectPublicKeyInfo (managed keys).
    PublicKey(&'a [u8]),
}

impl LogVerifier<'_> {
    fn public_key(&self) -> Result<PublicKey, Error> {
        match self {
            LogVerifier::Certificate(der) => {
                let cert = x509_cert::Certificate::from_der(der).map_err(|_| Error::Malformed {
                    what: "certificate",
                })?;
                let spki = cert.tbs_certificate.subject_public_key_info.to_der()?;
                PublicKey::from_spki_der(&spki).map_err(|_| Error::Malformed { what: "public key" })
            }
            LogVerifier::PublicKey(der) => {
                PublicKey::from_spki_der(der).map_err(|_| Error::Malformed { what: "public key" })
            }
        }
    }

    fn pem(&self) -> String {
        match self {
            LogVerifier::Certificate(der) => pem_encode(der, "CERTIFICATE"),
            LogVerifier::PublicKey(der) => pem_encode(der, "PUBLIC KEY"),
        }
    }
}

/// One Rekor v1 entry as stored.
#[derive(Debug, Clone)]
struct V1Entry {
    body: Vec<u8>,
    integrated_time: i64,
}

#[derive(Default)]
struct Tree {
    leaves: Vec<Hash>,
}

#[derive(Default)]
struct V1State {
    tree: Tree,
    entries: Vec<V1Entry>,
}

/// Everything Sigstore runs, in one process: a Fulcio CA (P-384 root and intermediate with
/// EKU codeSigning), a CT log (P-256), a Rekor v1 log (P-256, in-memory Merkle tree, origin
/// `<host> - <treeID>`), a Rekor v2 log (Ed25519 checkpoints, origin = host), a timestamp
/// authority (P-384 root, P-256 leaf with the sole critical EKU timeStamping) and an OIDC
/// issuer (ES256). Every key is fresh; nothing is shared between two instances.
///
/// Time is always a parameter: certificates and trust material are valid from one day before
/// `created` (timestamp authority certificates from 30 days before) for ten years.
pub struct VirtualSigstore {
    urls: Urls,
    created: Timestamp,
    fulcio_root: Authority,
    fulcio_intermediate: Authority,
    rogue_root: Authority,
    rogue_intermediate: Authority,
    ct_key: EcKey,
    rogue_ct_key: EcKey,
    rekor_v1_key: EcKey,
    rogue_v1_key: EcKey,
    tree_id: u64,
    rekor_v1: Mutex<V1State>,
    rekor_v2_key: EdKey,
    rogue_v2_key: EdKey,
    rekor_v2: Mutex<Tree>,
    tsa_root: Authority,
    tsa_leaf: Authority,
    tsa_serial: AtomicU64,
    issuer: Issuer,
    /// Other OpenID providers Fulcio trusts, by issuer URL.
    external: Mutex<Vec<Arc<ExternalIssuer>>>,
}

impl core::fmt::Debug for VirtualSigstore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualSigstore")
            .field("urls", &self.urls)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

/// Verified identity token claims.
type Claims = Map<String, Value>;

const DAY: i64 = 86_400;
const TEN_YEARS: i64 = 3_652 * DAY;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The host of a URL (no scheme, port or path).
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host_port.split(':').next().unwrap_or(host_port)
}

/// RFC 8785 canonical JSON for the values the testkit writes (integers, strings, objects,
/// arrays): object members sorted by key, no whitespace.
pub(crate) fn jcs(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            let members: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), jcs(&map[k.as_str()])))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(jcs).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

fn hash_name_v1(alg: HashAlgorithm) -> &'static str {
    alg.name()
}

fn hash_name_v2(alg: HashAlgorithm) -> &'static str {
    match alg {
        HashAlgorithm::Sha256 => "SHA2_256",
        HashAlgorithm::Sha384 => "SHA2_384",
        HashAlgorithm::Sha512 => "SHA2_512",
        _ => "HASH_ALGORITHM_UNSPECIFIED",
    }
}

/// The signature scheme of `key` over a digest made with `hash`.
fn scheme(key: &PublicKey, hash: HashAlgorithm) -> Result<SignatureAlgorithm, Error> {
    Ok(match (key.key_type(), hash) {
        (KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::EcdsaP521, HashAlgorithm::Sha256) => {
            SignatureAlgorithm::EcdsaSha256
        }
        (KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::EcdsaP521, HashAlgorithm::Sha384) => {
            SignatureAlgorithm::EcdsaSha384
        }
        (KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::EcdsaP521, HashAlgorithm::Sha512) => {
            SignatureAlgorithm::EcdsaSha512
        }
        (KeyType::Rsa { .. }, HashAlgorithm::Sha256) => SignatureAlgorithm::RsaPkcs1Sha256,
        (KeyType::Rsa { .. }, HashAlgorithm::Sha384) => SignatureAlgorithm::RsaPkcs1Sha384,
        (KeyType::Rsa { .. }, HashAlgorithm::Sha512) => SignatureAlgorithm::RsaPkcs1Sha512,
        // As Rekor: an Ed25519 key signs a digest as Ed25519ph over SHA-512.
        (KeyType::Ed25519, HashAlgorithm::Sha512) => SignatureAlgorithm::Ed25519Ph,
        _ => {
            return Err(Error::Unsupported {
                what: "Ed25519 signatures over a digest other than SHA-512",
            })
        }
    })
}

/// The Rekor v2 key details of `key` and the digest algorithm they imply.
fn v2_key_details(key: &PublicKey) -> Result<(PublicKeyDetails, HashAlgorithm), Error> {
    Ok(match key.key_type() {
        KeyType::EcdsaP256 => (PublicKeyDetails::PkixEcdsaP256Sha256, HashAlgorithm::Sha256),
        KeyType::EcdsaP384 => (PublicKeyDetails::PkixEcdsaP384Sha384, HashAlgorithm::Sha384),
        KeyType::EcdsaP521 => (PublicKeyDetails::PkixEcdsaP521Sha512, HashAlgorithm::Sha512),
        KeyType::Ed25519 => (PublicKeyDetails::PkixEd25519Ph, HashAlgorithm::Sha512),
        KeyType::Rsa { bits: 2048 } => (
            PublicKeyDetails::PkixRsaPkcs1v15_2048Sha256,
            HashAlgorithm::Sha256,
        ),
        KeyType::Rsa { bits: 3072 } => (
            PublicKeyDetails::PkixRsaPkcs1v15_3072Sha256,
            HashAlgorithm::Sha256,
        ),
        KeyType::Rsa { bits: 4096 } => (
            PublicKeyDetails::PkixRsaPkcs1v15_4096Sha256,
            HashAlgorithm::Sha256,
        ),
        _ => {
            return Err(Error::Unsupported {
                what: "this key type in a Rekor v2 hashedrekord",
            })
        }
    })
}

fn corrupt_proof(hashes: &mut Vec<Vec<u8>>) {
    match hashes.first_mut().and_then(|h| h.first_mut()) {
        Some(byte) => *byte ^= 0x01,
        None => hashes.push(vec![0x5a; 32]),
    }
}

impl VirtualSigstore {
    /// A fresh instance with the default `*.testkit.invalid` URLs, valid from a day before
    /// `created`.
    pub fn new(created: Timestamp) -> Result<Self, Error> {
        Self::with_urls(Urls::default(), created)
    }

    /// A fresh instance whose trust material names `urls`.
    pub fn with_urls(urls: Urls, created: Timestamp) -> Result<Self, Error> {
        let start = Timestamp::from_unix(created.unix_seconds().saturating_sub(DAY));
        let end = Timestamp::from_unix(created.unix_seconds().saturating_add(TEN_YEARS));
        let fulcio_root = x509::ca(
            EcKey::p384(),
            "CN=sigstore-testkit,O=sigstore-testkit.dev",
            None,
            start,
            end,
            None,
        )?;
        let fulcio_intermediate = x509::ca(
            EcKey::p384(),
            "CN=sigstore-testkit-intermediate,O=sigstore-testkit.dev",
            Some(&fulcio_root),
            start,
            end,
            Some(x509::CODE_SIGNING),
        )?;
        let rogue_root = x509::ca(
            EcKey::p384(),
            "CN=sigstore-testkit,O=sigstore-testkit.dev",
            None,
            start,
            end,
            None,
        )?;
        let rogue_intermediate = x509::ca(
            EcKey::p384(),
            "CN=sigstore-testkit-intermediate,O=sigstore-testkit.dev",
            Some(&rogue_root),
            start,
            end,
            Some(x509::CODE_SIGNING),
        )?;
        let tsa_start = Timestamp::from_unix(created.unix_seconds().saturating_sub(30 * DAY));
        let tsa_root = x509::ca(
            EcKey::p384(),
            "CN=sigstore-testkit-tsa-root,O=sigstore-testkit.dev",
            None,
            tsa_start,
            end,
            None,
        )?;
        let tsa_leaf = {
            let key = EcKey::p256();
            let spki = key.spki_der()?;
            let subject = x509::name("CN=sigstore-testkit-tsa,O=sigstore-testkit.dev")?;
            let template = CertTemplate {
                subject: subject.clone(),
                spki_der: &spki,
                not_before: tsa_start,
                not_after: end,
                extensions: vec![
                    x509::key_usage(false)?,
                    x509::basic_constraints(false, None)?,
                    x509::subject_key_id(&spki)?,
                    x509::authority_key_id(&tsa_root.spki)?,
                    x509::extended_key_usage(&[x509::TIME_STAMPING], true)?,
                ],
            };
            let der = x509::sign(
                x509::tbs(template, &tsa_root.subject, &tsa_root.key)?,
                &tsa_root.key,
            )?;
            Authority {
                key,
                der,
                subject,
                spki,
            }
        };
        let tree_id = u64::from_be_bytes(crate::keys::random_bytes::<8>()) >> 1;
        Ok(Self {
            issuer: Issuer::new(urls.oidc_issuer.clone()),
            external: Mutex::new(Vec::new()),
            urls,
            created,
            fulcio_root,
            fulcio_intermediate,
            rogue_root,
            rogue_intermediate,
            ct_key: EcKey::p256(),
            rogue_ct_key: EcKey::p256(),
            rekor_v1_key: EcKey::p256(),
            rogue_v1_key: EcKey::p256(),
            tree_id,
            rekor_v1: Mutex::new(V1State::default()),
            rekor_v2_key: EdKey::generate(),
            rogue_v2_key: EdKey::generate(),
            rekor_v2: Mutex::new(Tree::default()),
            tsa_root,
            tsa_leaf,
            tsa_serial: AtomicU64::new(1),
        })
    }

    /// The URLs this instance's trust material names.
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The start of every `validFor` in the trusted root (a day before creation).
    pub fn valid_from(&self) -> Timestamp {
        Timestamp::from_unix(self.created.unix_seconds().saturating_sub(DAY))
    }

    // ----- Trust material -----

    /// The Rekor v2 log ID: the C2SP key ID SHA-256(host || 0x0A || 0x01 || raw key).
    pub fn rekor_v2_log_id(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(host_of(&self.urls.rekor_v2).as_bytes());
        h.update([b'\n', 0x01]);
        h.update(self.rekor_v2_key.raw_public());
        h.finalize().into()
    }

    /// The Rekor v1 log ID: SHA-256 of the log key's SPKI.
    pub fn rekor_v1_log_id(&self) -> Result<[u8; 32], Error> {
        self.rekor_v1_key.key_hash()
    }

    /// The Rekor v1 log's public key, PEM (what `GET /api/v1/log/publicKey` serves).
    pub fn rekor_v1_public_key_pem(&self) -> Result<String, Error> {
        Ok(pem_encode(&self.rekor_v1_key.spki_der()?, "PUBLIC KEY"))
    }

    /// The Rekor v1 tree ID (the number in the checkpoint origin).
    pub fn rekor_v1_tree_id(&self) -> u64 {
        self.tree_id
    }

    /// The trusted root for this instance: one Rekor v1 and one Rekor v2 log, one CT log, the
    /// Fulcio CA `[intermediate, root]` and the TSA `[leaf, root]`, all valid from
    /// [`VirtualSigstore::valid_from`] with no end.
    pub fn trusted_root(&self) -> Result<TrustedRoot, Error> {
        let valid_for = ValidityPeriod {
            start: Some(self.valid_from()),
            end: None,
        };
        let operator = Some("sigstore-testkit.dev".to_owned());
        let v1_log_id = self.rekor_v1_log_id()?.to_vec();
        let v2_log_id = self.rekor_v2_log_id().to_vec();
        Ok(TrustedRoot {
            media_type: media_types::TRUSTED_ROOT_V0_1_LEGACY.to_owned(),
            tlogs: vec![
                TransparencyLogInstance {
                    base_url: self.urls.rekor_v1.clone(),
                    hash_algorithm: sigstore_types::HashAlgorithm::Sha2_256,
                    public_key: PublicKeyMaterial {
                        raw_bytes: Some(self.rekor_v1_key.spki_der()?),
                        key_details: self.rekor_v1_key.key_details(),
                        valid_for: Some(valid_for),
                    },
                    log_id: v1_log_id.clone(),
                    checkpoint_key_id: Some(v1_log_id),
                    operator: operator.clone(),
                },
                TransparencyLogInstance {
                    base_url: self.urls.rekor_v2.clone(),
                    hash_algorithm: sigstore_types::HashAlgorithm::Sha2_256,
                    public_key: PublicKeyMaterial {
                        raw_bytes: Some(self.rekor_v2_key.spki_der()),
                        key_details: PublicKeyDetails::PkixEd25519,
                        valid_for: Some(valid_for),
                    },
                    log_id: v2_log_id.clone(),
                    checkpoint_key_id: Some(v2_log_id),
                    operator: operator.clone(),
                },
            ],
            certificate_authorities: vec![CertificateAuthority {
                subject_organization: Some("sigstore-testkit.dev".into()),
                subject_common_name: Some("sigstore-testkit".into()),
                uri: self.urls.fulcio.clone(),
                cert_chain: vec![
                    self.fulcio_intermediate.der.clone(),
                    self.fulcio_root.der.clone(),
                ],
                valid_for: Some(valid_for),
                operator: operator.clone(),
            }],
            ctlogs: vec![TransparencyLogInstance {
                base_url: format!("{}/ct", self.urls.fulcio.trim_end_matches('/')),
                hash_algorithm: sigstore_types::HashAlgorithm::Sha2_256,
                public_key: PublicKeyMaterial {
                    raw_bytes: Some(self.ct_key.spki_der()?),
                    key_details: self.ct_key.key_details(),
                    valid_for: Some(valid_for),
                },
                log_id: self.ct_key.key_hash()?.to_vec(),
                checkpoint_key_id: None,
                operator: operator.clone(),
            }],
            timestamp_authorities: vec![CertificateAuthority {
                subject_organization: Some("sigstore-testkit.dev".into()),
                subject_common_name: Some("sigstore-testkit-tsa".into()),
                uri: self.urls.tsa.clone(),
                cert_chain: vec![self.tsa_leaf.der.clone(), self.tsa_root.der.clone()],
                valid_for: Some(valid_for),
                operator,
            }],
        })
    }

    /// A signing config v0.2 pointing at this instance: Fulcio, the OIDC issuer, the TSA, and
    /// Rekor v1 (`rekor_v2` false) or Rekor v2 (`rekor_v2` true), selector `ANY`.
    pub fn signing_config(&self, rekor_v2: bool) -> SigningConfig {
        let service = |url: &str, major: u32| Service {
            url: url.to_owned(),
            major_api_version: major,
            valid_for: ValidityPeriod {
                start: Some(self.valid_from()),
                end: None,
            },
            operator: "sigstore-testkit.dev".to_owned(),
        };
        let any = || ServiceConfiguration {
            selector: ServiceSelector::Any,
            count: None,
        };
        SigningConfig {
            media_type: media_types::SIGNING_CONFIG_V0_2.to_owned(),
            ca_urls: vec![service(&self.urls.fulcio, 1)],
            oidc_urls: vec![service(&self.urls.oidc_issuer, 1)],
            rekor_tlog_urls: vec![if rekor_v2 {
                service(&self.urls.rekor_v2, 2)
            } else {
                service(&self.urls.rekor_v1, 1)
            }],
            rekor_tlog_config: any(),
            tsa_urls: vec![service(&self.urls.tsa, 1)],
            tsa_config: any(),
        }
    }

    /// The trusted root and the signing config (Rekor v1 or v2) as one `ClientTrustConfig`.
    pub fn client_trust_config(&self, rekor_v2: bool) -> Result<ClientTrustConfig, Error> {
        Ok(ClientTrustConfig {
            media_type: media_types::CLIENT_TRUST_CONFIG_V0_1.to_owned(),
            trusted_root: self.trusted_root()?,
            signing_config: self.signing_config(rekor_v2),
        })
    }

    /// The Fulcio chain `[intermediate, root]`, DER.
    pub fn fulcio_chain(&self) -> Vec<Vec<u8>> {
        vec![
            self.fulcio_intermediate.der.clone(),
            self.fulcio_root.der.clone(),
        ]
    }

    /// The TSA chain `[leaf, root]`, DER.
    pub fn tsa_chain(&self) -> Vec<Vec<u8>> {
        vec![self.tsa_leaf.der.clone(), self.tsa_root.der.clone()]
    }

    // ----- OIDC -----

    /// The OIDC issuer URL (the `iss` of minted tokens).
    pub fn oidc_issuer(&self) -> &str {
        &self.issuer.url
    }

    /// The issuer's JWKS document (one ES256 key).
    pub fn jwks(&self) -> Value {
        self.issuer.jwks()
    }

    /// Mints an ES256 identity token with `claims`; `iss` (this issuer), `aud` (`sigstore`),
    /// `iat`, `nbf` (now) and `exp` (now + 10 minutes) are added unless `claims` sets them.
    pub fn mint_token(&self, claims: &Map<String, Value>, now: Timestamp) -> String {
        self.issuer.mint(claims, now)
    }

    /// A token for a verified email identity (`sub` and `email` = `email`).
    pub fn mint_email_token(&self, email: &str, now: Timestamp) -> String {
        let claims = json!({"sub": email, "email": email, "email_verified": true});
        self.mint_token(claims.as_object().unwrap_or(&Map::new()), now)
    }

    /// Verifies a token as Fulcio does and returns its claims: a token whose (unverified) `iss`
    /// names a trusted external issuer (see [`VirtualSigstore::trust_issuer`]) is checked
    /// against that issuer's keys, any other token against this issuer's JWKS; then `iss`,
    /// `aud` contains `sigstore`, and `exp`/`nbf` at `now`.
    pub fn verify_token(&self, token: &str, now: Timestamp) -> Result<Map<String, Value>, Error> {
        self.verify_with_issuer(token, now)
            .map(|(claims, _)| claims)
    }

    /// Trusts tokens from `issuer` besides this instance's own issuer (replacing an earlier
    /// issuer with the same URL). Certificates for its tokens name the `email` claim and
    /// `issuer`. This instance's own issuer URL always means its own keys.
    pub fn trust_issuer(&self, issuer: ExternalIssuer) {
        let mut external = self.external();
        external.retain(|known| known.issuer() != issuer.issuer());
        external.push(Arc::new(issuer));
    }

    /// The URLs of the trusted external issuers, in the order they were added.
    pub fn trusted_issuers(&self) -> Vec<String> {
        self.external()
            .iter()
            .map(|i| i.issuer().to_owned())
            .collect()
    }

    fn external(&self) -> MutexGuard<'_, Vec<Arc<ExternalIssuer>>> {
        lock(&self.external)
    }

    /// Verifies `token` (see [`VirtualSigstore::verify_token`]) and derives the identity Fulcio
    /// certifies: [`Identity::from_claims`] for this issuer, [`ExternalIssuer::identity`] for
    /// an external one. Returns the identity and the claims.
    pub(crate) fn verified_identity(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<(Identity, Map<String, Value>), Error> {
        let (claims, external) = self.verify_with_issuer(token, now)?;
        let identity = match external {
            Some(external) => external.identity(&claims)?,
            None => Identity::from_claims(&claims)?,
        };
        Ok((identity, claims))
    }

    /// The verified claims, and the external issuer that vouched for them (`None` for this
    /// instance's own issuer).
    fn verify_with_issuer(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<(Claims, Option<Arc<ExternalIssuer>>), Error> {
        // Route by the unverified `iss`; the chosen issuer then checks everything.
        let named = crate::jwt::Jwt::split(token)
            .and_then(|jwt| jwt.claims())
            .ok()
            .and_then(|claims| claims.get("iss").and_then(Value::as_str).map(str::to_owned));
        if let Some(named) = named.filter(|n| *n != self.issuer.url) {
            let external = self
                .external()
                .iter()
                .find(|i| i.issuer() == named)
                .cloned();
            if let Some(external) = external {
                let claims = external.verify(token, now)?;
                return Ok((claims, Some(external)));
            }
        }
        Ok((self.issuer.verify(token, now)?, None))
    }

    // ----- Fulcio -----

    /// Issues a Fulcio leaf for `identity` and the key `spki_der`, valid for 10 minutes from
    /// `now`, with an embedded SCT from the CT log.
    pub fn issue_certificate(
        &self,
        identity: &Identity,
        spki_der: &[u8],
        now: Timestamp,
    ) -> Result<IssuedCertificate, Error> {
        self.issue_certificate_with(identity, spki_der, now, Tampering::none())
    }

    /// Verifies `token` at `now` and issues a certificate for the identity it names.
    pub fn issue_certificate_for_token(
        &self,
        token: &str,
        spki_der: &[u8],
        now: Timestamp,
    ) -> Result<IssuedCertificate, Error> {
        let (identity, _) = self.verified_identity(token, now)?;
        self.issue_certificate(&identity, spki_der, now)
    }

    /// [`VirtualSigstore::issue_certificate`] with deliberate defects
    /// ([`Tampering::untrusted_ca`], [`Tampering::unknown_sct_log`]).
    ///
    /// The leaf has an empty subject, KU digitalSignature (critical), EKU codeSigning, SKI,
    /// AKI, one critical SAN, extensions 1.1 (raw issuer) and 1.8 (UTF8String issuer), GitHub
    /// claims as 1.2-1.6 and 1.9-1.22, and last the SCT list: the SCT signs the precertificate
    /// TBS, which is exactly the final TBS without that last extension.
    pub fn issue_certificate_with(
        &self,
        identity: &Identity,
        spki_der: &[u8],
        now: Timestamp,
        tampering: Tampering,
    ) -> Result<IssuedCertificate, Error> {
        PublicKey::from_spki_der(spki_der).map_err(|_| Error::Malformed { what: "public key" })?;
        let mallory;
        let identity = if tampering.wrong_identity {
            mallory = Identity {
                san: San::Email("mallory@example.com".into()),
                ..identity.clone()
            };
            &mallory
        } else {
            identity
        };
        let (ca, root) = if tampering.untrusted_ca {
            (&self.rogue_intermediate, &self.rogue_root)
        } else {
            (&self.fulcio_intermediate, &self.fulcio_root)
        };
        let ct = if tampering.unknown_sct_log {
            &self.rogue_ct_key
        } else {
            &self.ct_key
        };
        let fulcio = |arc: u32| -> Result<ObjectIdentifier, Error> {
            ObjectIdentifier::new(&format!("{FULCIO_ARC}.{arc}")).map_err(|_| Error::Unsupported {
                what: "extension arc",
            })
        };
        let utf8 = |s: &str| -> Result<Vec<u8>, Error> { Ok(Utf8StringRef::new(s)?.to_der()?) };
        let mut extensions = vec![
            x509::key_usage(false)?,
            x509::extended_key_usage(&[x509::CODE_SIGNING], false)?,
            x509::subject_key_id(spki_der)?,
            x509::authority_key_id(&ca.spki)?,
            x509::subject_alt_name(&identity.san)?,
            x509::extension(fulcio(1)?, false, identity.issuer.as_bytes().to_vec())?,
        ];
        let github = identity.github_extensions();
        for (arc, value, raw) in github.iter().filter(|(_, _, raw)| *raw) {
            let _ = raw;
            extensions.push(x509::extension(
                fulcio(*arc)?,
                false,
                value.as_bytes().to_vec(),
            )?);
        }
        extensions.push(x509::extension(fulcio(8)?, false, utf8(&identity.issuer)?)?);
        for (arc, value, _) in github.iter().filter(|(_, _, raw)| !*raw) {
            extensions.push(x509::extension(fulcio(*arc)?, false, utf8(value)?)?);
        }
        let not_before = Timestamp::from_unix(now.unix_seconds());
        let template = CertTemplate {
            subject: Name::default(),
            spki_der,
            not_before,
            not_after: Timestamp::from_unix(now.unix_seconds().saturating_add(600)),
            extensions,
        };
        let mut tbs = x509::tbs(template, &ca.subject, &ca.key)?;
        let precert_tbs = tbs.to_der()?;

        // RFC 6962 §3.2 digitally-signed struct for a precert entry.
        let timestamp_ms = u64::try_from(now.unix_seconds())
            .unwrap_or(0)
            .saturating_mul(1000)
            .saturating_add(u64::from(now.subsec_nanos() / 1_000_000));
        let tbs_len = u32::try_from(precert_tbs.len()).map_err(|_| Error::Unsupported {
            what: "huge certificates",
        })?;
        let mut signed = vec![0u8, 0u8];
        signed.extend_from_slice(&timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes());
        signed.extend_from_slice(&Sha256::digest(&ca.spki));
        signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
        signed.extend_from_slice(&precert_tbs);
        signed.extend_from_slice(&0u16.to_be_bytes());
        let signature = ct.sign(&signed);

        let mut sct = vec![0u8];
        sct.extend_from_slice(&ct.key_hash()?);
        sct.extend_from_slice(&timestamp_ms.to_be_bytes());
        sct.extend_from_slice(&0u16.to_be_bytes());
        sct.extend_from_slice(&[4, 3]);
        sct.extend_from_slice(&(signature.len() as u16).to_be_bytes());
        sct.extend_from_slice(&signature);
        let mut list = ((sct.len() + 2) as u16).to_be_bytes().to_vec();
        list.extend_from_slice(&(sct.len() as u16).to_be_bytes());
        list.extend_from_slice(&sct);
        let sct_ext =
            x509::extension(x509::OID_SCT_LIST, false, OctetString::new(list)?.to_der()?)?;
        if let Some(exts) = tbs.extensions.as_mut() {
            exts.push(sct_ext);
        }
        let leaf = x509::sign(tbs, &ca.key)?;
        Ok(IssuedCertificate {
            chain: vec![leaf.clone(), ca.der.clone(), root.der.clone()],
            leaf,
        })
    }

    // ----- Rekor v1 -----

    fn v1_checkpoint(
        &self,
        size: usize,
        root: &Hash,
        tampering: Tampering,
    ) -> Result<String, Error> {
        let host = host_of(&self.urls.rekor_v1);
        let text = format!(
            "{host} - {}\n{size}\n{}\n",
            self.tree_id,
            STANDARD.encode(root)
        );
        let key = if tampering.wrong_checkpoint_key {
            &self.rogue_v1_key
        } else {
            &self.rekor_v1_key
        };
        let mut sig = key.key_hash()?[..4].to_vec();
        sig.extend_from_slice(&key.sign(text.as_bytes()));
        Ok(format!(
            "{text}\n\u{2014} {host} {}\n",
            STANDARD.encode(sig)
        ))
    }

    fn v1_append(
        &self,
        body: Vec<u8>,
        now: Timestamp,
        tampering: Tampering,
    ) -> Result<TransparencyLogEntry, Error> {
        let index = {
            let mut state = lock(&self.rekor_v1);
            let leaf = merkle::leaf_hash(&body);
            if let Some(existing) = state.tree.leaves.iter().position(|h| *h == leaf) {
                return Err(Error::AlreadyExists {
                    log_index: REKOR_V1_SHARD_OFFSET.saturating_add(existing as i64),
                });
            }
            state.tree.leaves.push(leaf);
            state.entries.push(V1Entry {
                body,
                integrated_time: now.unix_seconds(),
            });
            state.entries.len() - 1
        };
        self.rekor_v1_entry_with(index, tampering)
    }

    /// The Rekor v1 entry at shard index `index` with a proof against the current tree.
    fn rekor_v1_entry_with(
        &self,
        index: usize,
        tampering: Tampering,
    ) -> Result<TransparencyLogEntry, Error> {
        let state = lock(&self.rekor_v1);
        let entry = state.entries.get(index).ok_or(Error::NotFound)?.clone();
        let leaves = &state.tree.leaves;
        let root = merkle::root(leaves);
        let mut hashes: Vec<Vec<u8>> = merkle::inclusion_proof(index, leaves)
            .into_iter()
            .map(|h| h.to_vec())
            .collect();
        if tampering.bad_inclusion_proof {
            corrupt_proof(&mut hashes);
        }
        let size = leaves.len();
        drop(state);
        let log_id = self.rekor_v1_log_id()?;
        let global = REKOR_V1_SHARD_OFFSET.saturating_add(index as i64);
        let set_payload = format!(
            "{{\"body\":\"{}\",\"integratedTime\":{},\"logID\":\"{}\",\"logIndex\":{}}}",
            STANDARD.encode(&entry.body),
            entry.integrated_time,
            hex::encode(log_id),
            global
        );
        let kind: Value = serde_json::from_slice(&entry.body).unwrap_or(Value::Null);
        Ok(TransparencyLogEntry {
            log_index: global,
            log_id: log_id.to_vec(),
            kind: kind["kind"].as_str().unwrap_or_default().to_owned(),
            kind_version: kind["apiVersion"].as_str().unwrap_or_default().to_owned(),
            integrated_time: entry.integrated_time,
            inclusion_promise: Some(self.rekor_v1_key.sign(set_payload.as_bytes())),
            inclusion_proof: Some(InclusionProof {
                log_index: index as i64,
                root_hash: root.to_vec(),
                tree_size: size as i64,
                hashes,
                checkpoint: Some(self.v1_checkpoint(size, &root, tampering)?),
            }),
            canonicalized_body: entry.body,
        })
    }

    /// The Rekor v1 entry with global index `log_index` (see [`REKOR_V1_SHARD_OFFSET`]), with
    /// an inclusion proof against the current tree.
    pub fn rekor_v1_entry(&self, log_index: i64) -> Result<TransparencyLogEntry, Error> {
        let index = log_index
            .checked_sub(REKOR_V1_SHARD_OFFSET)
            .and_then(|i| usize::try_from(i).ok())
            .ok_or(Error::NotFound)?;
        self.rekor_v1_entry_with(index, Tampering::none())
    }

    /// The global index of the Rekor v1 entry whose UUID (64 hex digits, or 80 with the tree
    /// ID in front) is `uuid`.
    pub fn rekor_v1_find_uuid(&self, uuid: &str) -> Option<i64> {
        let uuid = uuid.to_ascii_lowercase();
        let leaf = match (uuid.len(), uuid.get(..16), uuid.get(16..)) {
            (64, _, _) => uuid,
            (80, Some(tree), Some(leaf)) if tree == format!("{:016x}", self.tree_id) => {
                leaf.to_owned()
            }
            _ => return None,
        };
        let state = lock(&self.rekor_v1);
        let index = state
            .tree
            .leaves
            .iter()
            .position(|h| hex::encode(h) == leaf)?;
        Some(REKOR_V1_SHARD_OFFSET.saturating_add(index as i64))
    }

    /// The Rekor v1 entry ID (tree ID + leaf hash, 80 hex digits) of an entry body.
    pub fn rekor_v1_entry_id(&self, body: &[u8]) -> String {
        format!(
            "{:016x}{}",
            self.tree_id,
            hex::encode(merkle::leaf_hash(body))
        )
    }

    /// The current Rekor v1 tree: `(size, root hash, signed checkpoint)`.
    pub fn rekor_v1_tree_head(&self) -> Result<(u64, Hash, String), Error> {
        let (size, root) = {
            let state = lock(&self.rekor_v1);
            (state.tree.leaves.len(), merkle::root(&state.tree.leaves))
        };
        Ok((
            size as u64,
            root,
            self.v1_checkpoint(size, &root, Tampering::none())?,
        ))
    }

    /// A consistency proof from tree size `first` to `last` (both at most the current size):
    /// `(root hash at last, proof hashes)`.
    pub fn rekor_v1_consistency(&self, first: u64, last: u64) -> Result<(Hash, Vec<Hash>), Error> {
        let state = lock(&self.rekor_v1);
        let last = usize::try_from(last).map_err(|_| Error::NotFound)?;
        let first = usize::try_from(first).map_err(|_| Error::NotFound)?;
        let leaves = state.tree.leaves.get(..last).ok_or(Error::NotFound)?;
        if first > last {
            return Err(Error::Malformed {
                what: "firstSize > lastSize",
            });
        }
        Ok((
            merkle::root(leaves),
            merkle::consistency_proof(first, leaves),
        ))
    }

    /// Verifies `signature` over `digest` with `verifier`'s key and logs a `hashedrekord`
    /// 0.0.1 entry in Rekor v1, integrated at `now`. The entry carries a SET, an inclusion
    /// proof and a signed checkpoint.
    pub fn rekor_v1_add_hashedrekord(
        &self,
        verifier: LogVerifier<'_>,
        signature: &[u8],
        digest: &Digest,
        now: Timestamp,
    ) -> Result<TransparencyLogEntry, Error> {
        self.rekor_v1_add_hashedrekord_with(verifier, signature, digest, now, Tampering::none())
    }

    /// [`VirtualSigstore::rekor_v1_add_hashedrekord`] with deliberate defects
    /// ([`Tampering::bad_inclusion_proof`], [`Tampering::wrong_checkpoint_key`]).
    pub fn rekor_v1_add_hashedrekord_with(
        &self,
        verifier: LogVerifier<'_>,
        signature: &[u8],
        digest: &Digest,
        now: Timestamp,
        tampering: Tampering,
    ) -> Result<TransparencyLogEntry, Error> {
        let key = verifier.public_key()?;
        key.verify_digest(scheme(&key, digest.algorithm())?, digest, signature)
            .map_err(Error::Signature)?;
        let body = Self::rekor_v1_hashedrekord_body(verifier, signature, digest);
        self.v1_append(body, now, tampering)
    }

    /// The canonical body Rekor v1 stores for a `hashedrekord` 0.0.1 entry (what
    /// [`VirtualSigstore::rekor_v1_add_hashedrekord`] logs), without checking the signature.
    pub fn rekor_v1_hashedrekord_body(
        verifier: LogVerifier<'_>,
        signature: &[u8],
        digest: &Digest,
    ) -> Vec<u8> {
        let body = json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": hash_name_v1(digest.algorithm()), "value": digest.to_hex()}},
                "signature": {
                    "content": STANDARD.encode(signature),
                    "publicKey": {"content": STANDARD.encode(verifier.pem())}
                }
            }
        });
        jcs(&body).into_bytes()
    }

    /// The global index of the Rekor v1 entry whose canonical body is `body`, if logged.
    pub fn rekor_v1_find_body(&self, body: &[u8]) -> Option<i64> {
        let leaf = merkle::leaf_hash(body);
        let state = lock(&self.rekor_v1);
        let index = state.tree.leaves.iter().position(|h| *h == leaf)?;
        Some(REKOR_V1_SHARD_OFFSET.saturating_add(index as i64))
    }

    /// Verifies the envelope's single signature with `verifier`'s key and logs a `dsse`
    /// 0.0.1 entry in Rekor v1 (`envelopeHash` = SHA-256 of the envelope's JSON as
    /// [`Envelope::to_json`] writes it).
    pub fn rekor_v1_add_dsse(
        &self,
        envelope: &Envelope,
        verifier: LogVerifier<'_>,
        now: Timestamp,
    ) -> Result<TransparencyLogEntry, Error> {
        self.rekor_v1_add_dsse_json(&envelope.to_json(), verifier, now)
    }

    /// [`VirtualSigstore::rekor_v1_add_dsse`] for an envelope given as JSON text (hashed
    /// exactly as given, as Rekor does).
    pub fn rekor_v1_add_dsse_json(
        &self,
        envelope_json: &str,
        verifier: LogVerifier<'_>,
        now: Timestamp,
    ) -> Result<TransparencyLogEntry, Error> {
        let envelope =
            Envelope::from_json(envelope_json.as_bytes()).map_err(|_| Error::Malformed {
                what: "DSSE envelope",
            })?;
        let [signature] = envelope.signatures.as_slice() else {
            return Err(Error::Unsupported {
                what: "DSSE envelopes without exactly one signature",
            });
        };
        let key = verifier.public_key()?;
        key.verify(key.default_algorithm(), &envelope.pae(), &signature.sig)
            .map_err(Error::Signature)?;
        let body = json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(envelope_json.as_bytes()))},
                "payloadHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&envelope.payload))},
                "signatures": [{
                    "signature": STANDARD.encode(&signature.sig),
                    "verifier": STANDARD.encode(verifier.pem())
                }]
            }
        });
        self.v1_append(jcs(&body).into_bytes(), now, Tampering::none())
    }

    /// The Rekor v1 REST `LogEntry` map (`{"<entry ID>": {...}}`, spec §4.1) for `entry`
    /// (without `inclusionProof` when the entry has none).
    pub fn rekor_v1_log_entry_json(&self, entry: &TransparencyLogEntry) -> Value {
        let proof = entry.inclusion_proof.clone().unwrap_or_default();
        let mut value = json!({
            self.rekor_v1_entry_id(&entry.canonicalized_body): {
                "body": STANDARD.encode(&entry.canonicalized_body),
                "integratedTime": entry.integrated_time,
                "logID": hex::encode(&entry.log_id),
                "logIndex": entry.log_index,
                "verification": {
                    "signedEntryTimestamp": STANDARD.encode(entry.inclusion_promise.clone().unwrap_or_default()),
                    "inclusionProof": {
                        "logIndex": proof.log_index,
                        "rootHash": hex::encode(&proof.root_hash),
                        "treeSize": proof.tree_size,
                        "hashes": proof.hashes.iter().map(hex::encode).collect::<Vec<_>>(),
                        "checkpoint": proof.checkpoint.unwrap_or_default(),
                    }
                }
            }
        });
        if entry.inclusion_proof.is_none() {
            if let Some(verification) = value
                .as_object_mut()
                .and_then(|m| m.values_mut().next())
                .and_then(|e| e.get_mut("verification"))
                .and_then(Value::as_object_mut)
            {
                verification.remove("inclusionProof");
            }
        }
        value
    }

    // ----- Rekor v2 -----

    fn v2_checkpoint(&self, size: usize, root: &Hash, tampering: Tampering) -> String {
        let host = host_of(&self.urls.rekor_v2);
        let text = format!("{host}\n{size}\n{}\n", STANDARD.encode(root));
        let key = if tampering.wrong_checkpoint_key {
            &self.rogue_v2_key
        } else {
            &self.rekor_v2_key
        };
        let mut h = Sha256::new();
        h.update(host.as_bytes());
        h.update([b'\n', 0x01]);
        h.update(key.raw_public());
        let mut sig = h.finalize()[..4].to_vec();
        sig.extend_from_slice(&key.sign(text.as_bytes()));
        format!("{text}\n\u{2014} {host} {}\n", STANDARD.encode(sig))
    }

    /// The latest Rekor v2 checkpoint (signed note).
    pub fn rekor_v2_checkpoint(&self) -> String {
        let (size, root) = {
            let tree = lock(&self.rekor_v2);
            (tree.leaves.len(), merkle::root(&tree.leaves))
        };
        self.v2_checkpoint(size, &root, Tampering::none())
    }

    /// Verifies `signature` over `digest` and logs a `hashedrekord` 0.0.2 entry in Rekor v2.
    /// For a DSSE envelope pass the digest of its PAE and its signature. The digest algorithm
    /// must be the key's (SHA-256 for P-256 and RSA, SHA-384 for P-384).
    pub fn rekor_v2_add_hashedrekord(
        &self,
        verifier: LogVerifier<'_>,
        signature: &[u8],
        digest: &Digest,
    ) -> Result<TransparencyLogEntry, Error> {
        self.rekor_v2_add_hashedrekord_with(verifier, signature, digest, Tampering::none())
    }

    /// [`VirtualSigstore::rekor_v2_add_hashedrekord`] with deliberate defects
    /// ([`Tampering::bad_inclusion_proof`], [`Tampering::wrong_checkpoint_key`]).
    pub fn rekor_v2_add_hashedrekord_with(
        &self,
        verifier: LogVerifier<'_>,
        signature: &[u8],
        digest: &Digest,
        tampering: Tampering,
    ) -> Result<TransparencyLogEntry, Error> {
        let key = verifier.public_key()?;
        let (details, hash) = v2_key_details(&key)?;
        if digest.algorithm() != hash {
            return Err(Error::Unsupported {
                what: "a digest algorithm other than the key's",
            });
        }
        key.verify_digest(scheme(&key, hash)?, digest, signature)
            .map_err(Error::Signature)?;
        let verifier_json = match verifier {
            LogVerifier::Certificate(der) => {
                json!({"keyDetails": details.as_str(), "x509Certificate": {"rawBytes": STANDARD.encode(der)}})
            }
            LogVerifier::PublicKey(der) => {
                json!({"keyDetails": details.as_str(), "publicKey": {"rawBytes": STANDARD.encode(der)}})
            }
        };
        let body = json!({
            "apiVersion": "0.0.2",
            "kind": "hashedrekord",
            "spec": {"hashedRekordV002": {
                "data": {"algorithm": hash_name_v2(hash), "digest": STANDARD.encode(digest.as_bytes())},
                "signature": {"content": STANDARD.encode(signature), "verifier": verifier_json}
            }}
        });
        let body = jcs(&body).into_bytes();
        let (index, size, root, proof) = {
            let mut tree = lock(&self.rekor_v2);
            tree.leaves.push(merkle::leaf_hash(&body));
            let index = tree.leaves.len() - 1;
            (
                index,
                tree.leaves.len(),
                merkle::root(&tree.leaves),
                merkle::inclusion_proof(index, &tree.leaves),
            )
        };
        let mut hashes: Vec<Vec<u8>> = proof.into_iter().map(|h| h.to_vec()).collect();
        if tampering.bad_inclusion_proof {
            corrupt_proof(&mut hashes);
        }
        Ok(TransparencyLogEntry {
            log_index: index as i64,
            log_id: self.rekor_v2_log_id().to_vec(),
            kind: "hashedrekord".into(),
            kind_version: "0.0.2".into(),
            integrated_time: 0,
            inclusion_promise: None,
            inclusion_proof: Some(InclusionProof {
                log_index: index as i64,
                root_hash: root.to_vec(),
                tree_size: size as i64,
                hashes,
                checkpoint: Some(self.v2_checkpoint(size, &root, tampering)),
            }),
            canonicalized_body: body,
        })
    }

    // ----- Timestamp authority -----

    /// Timestamps `data` (SHA-256 imprint, the TSA certificate embedded) at `now`.
    pub fn timestamp(&self, data: &[u8], now: Timestamp) -> Result<Vec<u8>, Error> {
        let imprint = HashAlgorithm::Sha256.digest(data);
        let request = timestamp_request(&imprint, None, true)?;
        self.timestamp_request(&request, now)
    }

    /// Answers a DER `TimeStampReq` with a DER `TimeStampResp` (status granted).
    pub fn timestamp_request(&self, request: &[u8], now: Timestamp) -> Result<Vec<u8>, Error> {
        self.timestamp_request_with(request, now, Tampering::none())
    }

    /// [`VirtualSigstore::timestamp_request`] with a deliberate defect
    /// ([`Tampering::timestamp_outside_validity`]).
    ///
    /// The token is CMS SignedData over a TSTInfo (policy 1.3.6.1.4.1.57264.2, the request's
    /// imprint and nonce, genTime `now`), with signed attributes content-type,
    /// message-digest and signing-certificate-v2, signed with ECDSA P-256/SHA-256 over the DER
    /// SET of the attributes; the TSA certificate is embedded when the request asks.
    pub fn timestamp_request_with(
        &self,
        request: &[u8],
        now: Timestamp,
        tampering: Tampering,
    ) -> Result<Vec<u8>, Error> {
        let bad = |_| Error::Malformed {
            what: "TimeStampReq",
        };
        let req = tsp::TimeStampReq::from_der(request).map_err(bad)?;
        if req.version != 1 {
            return Err(Error::Malformed {
                what: "TimeStampReq",
            });
        }
        // The imprint's algorithm and length.
        let imprint = req.message_imprint;
        let expected_len = match imprint.hash_algorithm.oid {
            o if o == OID_SHA256 => 32,
            o if o == OID_SHA384 => 48,
            o if o == OID_SHA512 => 64,
            _ => {
                return Err(Error::Unsupported {
                    what: "imprint hash algorithm",
                })
            }
        };
        if imprint.hashed_message.as_bytes().len() != expected_len {
            return Err(Error::Malformed {
                what: "TimeStampReq",
            });
        }

        let gen_time = if tampering.timestamp_outside_validity {
            Timestamp::from_unix(self.valid_from().unix_seconds().saturating_sub(DAY))
        } else {
            now
        };
        let gen_secs = u64::try_from(gen_time.unix_seconds()).map_err(|_| Error::Malformed {
            what: "genTime before 1970",
        })?;
        let serial = self.tsa_serial.fetch_add(1, Ordering::Relaxed);
        let tst_info = tsp::TstInfo {
            version: 1,
            policy: TSA_POLICY,
            message_imprint: imprint,
            serial_number: serial.into(),
            gen_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(
                gen_secs,
            ))?,
            nonce: req.nonce,
        }
        .to_der()?;

        let leaf = x509_cert::Certificate::from_der(&self.tsa_leaf.der)?;
        let issuer = leaf.tbs_certificate.issuer.clone();
        let serial_number = leaf.tbs_certificate.serial_number.clone();
        let sha256_alg = AlgorithmIdentifierOwned {
            oid: OID_SHA256,
            parameters: None,
        };

        let signing_cert_v2 = tsp::SigningCertificateV2 {
            certs: vec![tsp::EssCertIdV2 {
                // hashAlgorithm omitted: SHA-256 is the default.
                cert_hash: OctetString::new(Sha256::digest(&self.tsa_leaf.der).to_vec())?,
                issuer_serial: tsp::IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(issuer.clone())],
                    serial_number: serial_number.clone(),
                },
            }],
        };
        let attribute = |oid: ObjectIdentifier, value: Any| -> Result<Attribute, Error> {
            Ok(Attribute {
                oid,
                values: SetOfVec::try_from(vec![value])?,
            })
        };
        // DER SET OF: `SetOfVec` keeps the attributes ascending by encoding.
        let signed_attrs = SetOfVec::try_from(vec![
            attribute(OID_CONTENT_TYPE, Any::encode_from(&OID_TST_INFO)?)?,
            attribute(
                OID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(Sha256::digest(&tst_info).to_vec())?)?,
            )?,
            attribute(
                OID_SIGNING_CERTIFICATE_V2,
                Any::encode_from(&signing_cert_v2)?,
            )?,
        ])?;
        // The signature covers the attributes' DER as a SET OF (RFC 5652 §5.4).
        let signature = self.tsa_leaf.key.sign(&signed_attrs.to_der()?);

        let signer_info = tsp::SignerInfo {
            version: 1,
            sid: tsp::IssuerAndSerialNumber {
                issuer,
                serial_number,
            },
            digest_algorithm: sha256_alg.clone(),
            signed_attrs,
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: self.tsa_leaf.key.signature_oid(),
                parameters: None,
            },
            signature: OctetString::new(signature)?,
        };
        let signed_data = tsp::SignedData {
            version: 3,
            digest_algorithms: SetOfVec::try_from(vec![sha256_alg])?,
            encap_content_info: tsp::EncapsulatedContentInfo {
                e_content_type: OID_TST_INFO,
                e_content: OctetString::new(tst_info)?,
            },
            certificates: if req.cert_req {
                Some(vec![Any::from_der(&self.tsa_leaf.der)?])
            } else {
                None
            },
            signer_infos: Any::new(Tag::Set, signer_info.to_der()?)?,
        };
        let response = tsp::TimeStampResp {
            status: tsp::PkiStatusInfo { status: 0 },
            time_stamp_token: Some(tsp::ContentInfo {
                content_type: OID_SIGNED_DATA,
                content: Any::encode_from(&signed_data)?,
            }),
        };
        Ok(response.to_der()?)
    }
}

/// A DER `TimeStampReq` for `imprint` with an optional nonce (big-endian unsigned) and the
/// `certReq` flag.
pub fn timestamp_request(
    imprint: &Digest,
    nonce: Option<&[u8]>,
    cert_req: bool,
) -> Result<Vec<u8>, Error> {
    let oid = match imprint.algorithm() {
        HashAlgorithm::Sha256 => OID_SHA256,
        HashAlgorithm::Sha384 => OID_SHA384,
        HashAlgorithm::Sha512 => OID_SHA512,
        _ => {
            return Err(Error::Unsupported {
                what: "imprint hash algorithm",
            })
        }
    };
    let nonce = nonce.map(Uint::new).transpose()?;
    let nonce = nonce
        .as_ref()
        .map(|n| IntRef::new(n.as_bytes()))
        .transpose()?;
    let request = tsp::TimeStampReq {
        version: 1,
        message_imprint: tsp::MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid,
                parameters: Some(Any::null()),
            },
            hashed_message: OctetString::new(imprint.as_bytes())?,
        },
        req_policy: None,
        nonce,
        cert_req,
        extensions: None,
    };
    Ok(request.to_der()?)
}
