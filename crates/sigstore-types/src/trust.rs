//! The trusted root (`dev.sigstore.trustroot.v1.TrustedRoot`): log keys, CAs, CT logs, TSAs.

use serde::{Deserialize, Serialize};

use crate::common::{HashAlgorithm, PublicKeyDetails};
use crate::media_types;
use crate::wire::{self, Bytes, CertChain, EnumValue, KeyId};
use crate::{Error, ValidityPeriod};

/// Trust material for verification, normally delivered by TUF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRoot {
    /// The media type exactly as given (one of the three trusted root media types).
    pub media_type: String,
    /// Rekor logs (v1 and v2), including historical ones.
    pub tlogs: Vec<TransparencyLogInstance>,
    /// Fulcio certificate authorities.
    pub certificate_authorities: Vec<CertificateAuthority>,
    /// Certificate Transparency logs (for SCTs).
    pub ctlogs: Vec<TransparencyLogInstance>,
    /// RFC 3161 timestamp authorities.
    pub timestamp_authorities: Vec<CertificateAuthority>,
}

/// A transparency log (Rekor or CT) and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransparencyLogInstance {
    /// Base URL, e.g. `https://rekor.sigstore.dev`.
    pub base_url: String,
    /// The Merkle tree hash algorithm.
    pub hash_algorithm: HashAlgorithm,
    /// The log's public key and its validity.
    pub public_key: PublicKeyMaterial,
    /// `logId.keyId`: opaque identifier matched against bundle entries.
    pub log_id: Vec<u8>,
    /// `checkpointKeyId.keyId` (trusted root v0.2), if any.
    pub checkpoint_key_id: Option<Vec<u8>>,
    /// Operator name (trusted root v0.2), if any.
    pub operator: Option<String>,
}

/// A public key with its algorithm and validity (`PublicKey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyMaterial {
    /// SPKI DER bytes, if present.
    pub raw_bytes: Option<Vec<u8>>,
    /// Key type and signature algorithm.
    pub key_details: PublicKeyDetails,
    /// When the key may be used (closed interval), if given.
    pub valid_for: Option<ValidityPeriod>,
}

/// A certificate authority or timestamp authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateAuthority {
    /// `subject.organization`, if any.
    pub subject_organization: Option<String>,
    /// `subject.commonName`, if any.
    pub subject_common_name: Option<String>,
    /// The authority's URI.
    pub uri: String,
    /// DER certificates; the last one is the trust anchor.
    pub cert_chain: Vec<Vec<u8>>,
    /// When the authority may be used (closed interval), if given.
    pub valid_for: Option<ValidityPeriod>,
    /// Operator name (trusted root v0.2), if any.
    pub operator: Option<String>,
}

const TRUSTED_ROOT_MEDIA_TYPES: [&str; 3] = [
    media_types::TRUSTED_ROOT_V0_1_LEGACY,
    media_types::TRUSTED_ROOT_V0_1,
    media_types::TRUSTED_ROOT_V0_2,
];

impl TrustedRoot {
    /// Parses a trusted root. The media type must be a known trusted root media type; every
    /// log needs a `logId.keyId` and every certificate a non-empty `rawBytes`. Validity
    /// periods are not judged here (a log key without a start is rejected where it is used).
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let w: TrustedRootWire = wire::parse(bytes)?;
        Self::from_wire(&w)
    }

    /// Serializes to compact protobuf JSON.
    pub fn to_json(&self) -> String {
        wire::to_string(&self.to_wire())
    }

    pub(crate) fn from_wire(w: &TrustedRootWire) -> Result<Self, Error> {
        let media_type = w
            .media_type
            .clone()
            .filter(|m| !m.is_empty())
            .ok_or(Error::MissingField("mediaType"))?;
        if !TRUSTED_ROOT_MEDIA_TYPES.contains(&media_type.as_str()) {
            return Err(Error::UnsupportedMediaType {
                document: "trusted root",
                media_type: media_type.chars().take(128).collect(),
            });
        }
        let logs = |list: &Option<Vec<TlogWire>>| {
            list.iter()
                .flatten()
                .map(TransparencyLogInstance::from_wire)
                .collect::<Result<Vec<_>, Error>>()
        };
        let cas = |list: &Option<Vec<CaWire>>| {
            list.iter()
                .flatten()
                .map(CertificateAuthority::from_wire)
                .collect::<Result<Vec<_>, Error>>()
        };
        Ok(Self {
            media_type,
            tlogs: logs(&w.tlogs)?,
            certificate_authorities: cas(&w.certificate_authorities)?,
            ctlogs: logs(&w.ctlogs)?,
            timestamp_authorities: cas(&w.timestamp_authorities)?,
        })
    }

    pub(crate) fn to_wire(&self) -> TrustedRootWire {
        TrustedRootWire {
            media_type: Some(self.media_type.clone()),
            tlogs: wire::non_empty_vec(self.tlogs.iter().map(|t| t.to_wire()).collect()),
            certificate_authorities: wire::non_empty_vec(
                self.certificate_authorities
                    .iter()
                    .map(|c| c.to_wire())
                    .collect(),
            ),
            ctlogs: wire::non_empty_vec(self.ctlogs.iter().map(|t| t.to_wire()).collect()),
            timestamp_authorities: wire::non_empty_vec(
                self.timestamp_authorities
                    .iter()
                    .map(|c| c.to_wire())
                    .collect(),
            ),
        }
    }
}

impl TransparencyLogInstance {
    fn from_wire(w: &TlogWire) -> Result<Self, Error> {
        let pk = w.public_key.as_ref();
        let log_id = w
            .log_id
            .as_ref()
            .map(|id| wire::opt_bytes(&id.key_id, "transparencyLogInstance.logId.keyId"))
            .transpose()?
            .unwrap_or_default();
        if log_id.is_empty() {
            return Err(Error::MissingField("transparencyLogInstance.logId.keyId"));
        }
        let checkpoint_key_id = w
            .checkpoint_key_id
            .as_ref()
            .map(|id| wire::opt_bytes(&id.key_id, "transparencyLogInstance.checkpointKeyId.keyId"))
            .transpose()?
            .filter(|id| !id.is_empty());
        Ok(Self {
            base_url: w.base_url.clone().unwrap_or_default(),
            hash_algorithm: HashAlgorithm::from_wire(&w.hash_algorithm),
            public_key: PublicKeyMaterial {
                raw_bytes: pk
                    .map(|k| {
                        wire::opt_bytes(&k.raw_bytes, "transparencyLogInstance.publicKey.rawBytes")
                    })
                    .transpose()?
                    .filter(|k| !k.is_empty()),
                key_details: PublicKeyDetails::from_wire(&pk.and_then(|k| k.key_details.clone())),
                valid_for: pk.and_then(|k| k.valid_for),
            },
            log_id,
            checkpoint_key_id,
            operator: w.operator.clone().filter(|o| !o.is_empty()),
        })
    }

    fn to_wire(&self) -> TlogWire {
        let pk = &self.public_key;
        TlogWire {
            base_url: wire::non_empty_str(&self.base_url),
            hash_algorithm: self.hash_algorithm.to_wire(),
            public_key: Some(PublicKeyWire {
                raw_bytes: pk.raw_bytes.as_deref().and_then(Bytes::non_empty),
                key_details: pk.key_details.to_wire(),
                valid_for: pk.valid_for,
            }),
            log_id: Some(KeyId::encode(&self.log_id)),
            checkpoint_key_id: self
                .checkpoint_key_id
                .as_deref()
                .filter(|id| !id.is_empty())
                .map(KeyId::encode),
            operator: self.operator.clone().filter(|o| !o.is_empty()),
        }
    }
}

impl CertificateAuthority {
    fn from_wire(w: &CaWire) -> Result<Self, Error> {
        let subject = w.subject.as_ref();
        Ok(Self {
            subject_organization: subject
                .and_then(|s| s.organization.clone())
                .filter(|s| !s.is_empty()),
            subject_common_name: subject
                .and_then(|s| s.common_name.clone())
                .filter(|s| !s.is_empty()),
            uri: w.uri.clone().unwrap_or_default(),
            cert_chain: w
                .cert_chain
                .as_ref()
                .map(|c| c.decode("certificateAuthority.certChain.certificates.rawBytes"))
                .transpose()?
                .unwrap_or_default(),
            valid_for: w.valid_for,
            operator: w.operator.clone().filter(|o| !o.is_empty()),
        })
    }

    fn to_wire(&self) -> CaWire {
        let subject = (self.subject_organization.is_some() || self.subject_common_name.is_some())
            .then(|| SubjectWire {
                organization: self.subject_organization.clone().filter(|s| !s.is_empty()),
                common_name: self.subject_common_name.clone().filter(|s| !s.is_empty()),
            });
        CaWire {
            subject,
            uri: wire::non_empty_str(&self.uri),
            cert_chain: (!self.cert_chain.is_empty()).then(|| CertChain::encode(&self.cert_chain)),
            valid_for: self.valid_for,
            operator: self.operator.clone().filter(|o| !o.is_empty()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TrustedRootWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tlogs: Option<Vec<TlogWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    certificate_authorities: Option<Vec<CaWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ctlogs: Option<Vec<TlogWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp_authorities: Option<Vec<CaWire>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TlogWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hash_algorithm: Option<EnumValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public_key: Option<PublicKeyWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log_id: Option<KeyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    checkpoint_key_id: Option<KeyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    operator: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublicKeyWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    raw_bytes: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_details: Option<EnumValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_for: Option<ValidityPeriod>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<SubjectWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cert_chain: Option<CertChain>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_for: Option<ValidityPeriod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    operator: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubjectWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    common_name: Option<String>,
}
