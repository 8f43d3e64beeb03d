//! Signing configuration v0.2 (`dev.sigstore.trustroot.v1.SigningConfig`) and the client trust
//! config that pairs it with a trusted root.

use serde::{Deserialize, Serialize};

use crate::media_types;
use crate::trust::{TrustedRoot, TrustedRootWire};
use crate::wire::{self, EnumValue, Uint32};
use crate::{Error, ValidityPeriod};

/// Where to find the signing services (Fulcio, OIDC, Rekor, TSA) and how many to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningConfig {
    /// The media type (`application/vnd.dev.sigstore.signingconfig.v0.2+json`).
    pub media_type: String,
    /// Fulcio instances.
    pub ca_urls: Vec<Service>,
    /// OIDC issuers.
    pub oidc_urls: Vec<Service>,
    /// Rekor logs.
    pub rekor_tlog_urls: Vec<Service>,
    /// How many Rekor logs to use.
    pub rekor_tlog_config: ServiceConfiguration,
    /// Timestamp authorities (full URL to POST requests to).
    pub tsa_urls: Vec<Service>,
    /// How many TSAs to use.
    pub tsa_config: ServiceConfiguration,
}

/// One service endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The URL.
    pub url: String,
    /// The service API major version (0 when absent).
    pub major_api_version: u32,
    /// When the service may be used; absent = a period without start (contains nothing).
    pub valid_for: ValidityPeriod,
    /// Operator name (empty when absent).
    pub operator: String,
}

/// How many of the listed services to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfiguration {
    /// The selection rule.
    pub selector: ServiceSelector,
    /// The count for [`ServiceSelector::Exact`] (`None` when absent or 0).
    pub count: Option<u32>,
}

/// Service selection rule (`ServiceSelector`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServiceSelector {
    /// `SERVICE_SELECTOR_UNDEFINED`: absent; using it is an error.
    Undefined,
    /// `ALL`: use every service.
    All,
    /// `ANY`: use exactly one.
    Any,
    /// `EXACT`: use `count` services.
    Exact,
    /// An unknown name (or number); fails where it is used.
    Unknown(String),
}

impl ServiceSelector {
    /// The protobuf-JSON name (the original text for `Unknown`).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Undefined => "SERVICE_SELECTOR_UNDEFINED",
            Self::All => "ALL",
            Self::Any => "ANY",
            Self::Exact => "EXACT",
            Self::Unknown(s) => s,
        }
    }

    /// Parses a protobuf-JSON name; unknown names give `Unknown`.
    pub fn parse(name: &str) -> Self {
        match name {
            "SERVICE_SELECTOR_UNDEFINED" => Self::Undefined,
            "ALL" => Self::All,
            "ANY" => Self::Any,
            "EXACT" => Self::Exact,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The value with protobuf enum number `number`.
    pub fn from_number(number: i64) -> Self {
        match number {
            0 => Self::Undefined,
            1 => Self::All,
            2 => Self::Any,
            3 => Self::Exact,
            other => Self::Unknown(other.to_string()),
        }
    }

    fn from_wire(value: &Option<EnumValue>) -> Self {
        match value {
            None => Self::Undefined,
            Some(EnumValue::Name(n)) => Self::parse(n),
            Some(EnumValue::Number(n)) => Self::from_number(*n),
        }
    }
}

/// A trusted root and a signing config together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTrustConfig {
    /// The media type (`application/vnd.dev.sigstore.clienttrustconfig.v0.1+json`).
    pub media_type: String,
    /// Verification trust material.
    pub trusted_root: TrustedRoot,
    /// Signing services.
    pub signing_config: SigningConfig,
}

impl SigningConfig {
    /// Parses a v0.2 signing config; other media types are rejected. Every service needs a
    /// non-empty `url`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let w: SigningConfigWire = wire::parse(bytes)?;
        Self::from_wire(&w)
    }

    /// Serializes to compact protobuf JSON.
    pub fn to_json(&self) -> String {
        wire::to_string(&self.to_wire())
    }

    fn from_wire(w: &SigningConfigWire) -> Result<Self, Error> {
        let media_type = w
            .media_type
            .clone()
            .filter(|m| !m.is_empty())
            .ok_or(Error::MissingField("mediaType"))?;
        if media_type != media_types::SIGNING_CONFIG_V0_2 {
            return Err(Error::UnsupportedMediaType {
                document: "signing config",
                media_type: media_type.chars().take(128).collect(),
            });
        }
        let services = |list: &Option<Vec<ServiceWire>>| {
            list.iter()
                .flatten()
                .map(Service::from_wire)
                .collect::<Result<Vec<_>, Error>>()
        };
        Ok(Self {
            media_type,
            ca_urls: services(&w.ca_urls)?,
            oidc_urls: services(&w.oidc_urls)?,
            rekor_tlog_urls: services(&w.rekor_tlog_urls)?,
            rekor_tlog_config: ServiceConfiguration::from_wire(&w.rekor_tlog_config)?,
            tsa_urls: services(&w.tsa_urls)?,
            tsa_config: ServiceConfiguration::from_wire(&w.tsa_config)?,
        })
    }

    fn to_wire(&self) -> SigningConfigWire {
        let services =
            |list: &[Service]| wire::non_empty_vec(list.iter().map(Service::to_wire).collect());
        SigningConfigWire {
            media_type: Some(self.media_type.clone()),
            ca_urls: services(&self.ca_urls),
            oidc_urls: services(&self.oidc_urls),
            rekor_tlog_urls: services(&self.rekor_tlog_urls),
            rekor_tlog_config: self.rekor_tlog_config.to_wire(),
            tsa_urls: services(&self.tsa_urls),
            tsa_config: self.tsa_config.to_wire(),
        }
    }
}

impl Service {
    fn from_wire(w: &ServiceWire) -> Result<Self, Error> {
        let url = w.url.clone().unwrap_or_default();
        if url.is_empty() {
            return Err(Error::MissingField("service.url"));
        }
        Ok(Self {
            url,
            major_api_version: wire::opt_u32(&w.major_api_version, "service.majorApiVersion")?,
            valid_for: w.valid_for.unwrap_or(ValidityPeriod {
                start: None,
                end: None,
            }),
            operator: w.operator.clone().unwrap_or_default(),
        })
    }

    fn to_wire(&self) -> ServiceWire {
        let vf = self.valid_for;
        ServiceWire {
            url: Some(self.url.clone()),
            major_api_version: (self.major_api_version != 0)
                .then(|| Uint32::new(self.major_api_version)),
            valid_for: (vf.start.is_some() || vf.end.is_some()).then_some(vf),
            operator: wire::non_empty_str(&self.operator),
        }
    }
}

impl ServiceConfiguration {
    fn from_wire(w: &Option<ServiceConfigurationWire>) -> Result<Self, Error> {
        let Some(w) = w else {
            return Ok(Self {
                selector: ServiceSelector::Undefined,
                count: None,
            });
        };
        let count = wire::opt_u32(&w.count, "serviceConfiguration.count")?;
        Ok(Self {
            selector: ServiceSelector::from_wire(&w.selector),
            count: (count != 0).then_some(count),
        })
    }

    fn to_wire(&self) -> Option<ServiceConfigurationWire> {
        let selector = (self.selector != ServiceSelector::Undefined)
            .then(|| EnumValue::Name(self.selector.as_str().to_owned()));
        let count = self.count.filter(|c| *c != 0).map(Uint32::new);
        (selector.is_some() || count.is_some())
            .then_some(ServiceConfigurationWire { selector, count })
    }
}

impl ClientTrustConfig {
    /// Parses a client trust config: its media type, then the embedded trusted root and
    /// signing config with their own rules. Both are required.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let w: ClientTrustConfigWire = wire::parse(bytes)?;
        let media_type = w
            .media_type
            .clone()
            .filter(|m| !m.is_empty())
            .ok_or(Error::MissingField("mediaType"))?;
        if media_type != media_types::CLIENT_TRUST_CONFIG_V0_1 {
            return Err(Error::UnsupportedMediaType {
                document: "client trust config",
                media_type: media_type.chars().take(128).collect(),
            });
        }
        let trusted_root = w
            .trusted_root
            .as_ref()
            .ok_or(Error::MissingField("trustedRoot"))?;
        let signing_config = w
            .signing_config
            .as_ref()
            .ok_or(Error::MissingField("signingConfig"))?;
        Ok(Self {
            media_type,
            trusted_root: TrustedRoot::from_wire(trusted_root)?,
            signing_config: SigningConfig::from_wire(signing_config)?,
        })
    }

    /// Serializes to compact protobuf JSON.
    pub fn to_json(&self) -> String {
        wire::to_string(&ClientTrustConfigWire {
            media_type: Some(self.media_type.clone()),
            trusted_root: Some(self.trusted_root.to_wire()),
            signing_config: Some(self.signing_config.to_wire()),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SigningConfigWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_urls: Option<Vec<ServiceWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    oidc_urls: Option<Vec<ServiceWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rekor_tlog_urls: Option<Vec<ServiceWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rekor_tlog_config: Option<ServiceConfigurationWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tsa_urls: Option<Vec<ServiceWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tsa_config: Option<ServiceConfigurationWire>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    major_api_version: Option<Uint32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_for: Option<ValidityPeriod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    operator: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ServiceConfigurationWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    selector: Option<EnumValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<Uint32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientTrustConfigWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trusted_root: Option<TrustedRootWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signing_config: Option<SigningConfigWire>,
}
