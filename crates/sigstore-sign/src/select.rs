//! Service selection from a signing config (spec §2.2, steps 1-5).

use std::cmp::Reverse;

use sigstore_types::signing_config::{Service, ServiceConfiguration, ServiceSelector};
use sigstore_types::{SigningConfig, Timestamp};

use crate::Error;

/// The service API major versions this client implements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportedApiVersions {
    /// Fulcio (`majorApiVersion` 1, REST path `/api/v2`).
    pub ca: Vec<u32>,
    /// OIDC issuers.
    pub oidc: Vec<u32>,
    /// Rekor: 1 (`/api/v1`) and 2 (`/api/v2`, rekor-tiles).
    pub rekor: Vec<u32>,
    /// RFC 3161 timestamp authorities.
    pub tsa: Vec<u32>,
}

impl Default for SupportedApiVersions {
    fn default() -> Self {
        Self {
            ca: vec![1],
            oidc: vec![1],
            rekor: vec![1, 2],
            tsa: vec![1],
        }
    }
}

/// The services a signing operation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedServices {
    /// The Fulcio instance.
    pub ca: Service,
    /// The OIDC issuer, if the config lists a usable one.
    pub oidc: Option<Service>,
    /// The Rekor logs to upload to (all of one API version, at most one per operator).
    pub rekor: Vec<Service>,
    /// The timestamp authorities to ask (at most one per operator; may be empty).
    pub tsa: Vec<Service>,
}

impl SelectedServices {
    /// The Rekor API major version of the selected logs.
    pub fn rekor_api_version(&self) -> u32 {
        self.rekor.first().map_or(0, |s| s.major_api_version)
    }
}

/// Selects the services of `config` now ([`select_services`]) before any request, with a
/// clear error when no Rekor log (of version `rekor_version`, when given) is usable
/// ([`Error::NoUsableRekorLog`]); any other failure is [`Error::UnusableSigningConfig`].
/// Returns the Rekor API version that will be used.
pub fn check_services(
    config: &SigningConfig,
    supported: &SupportedApiVersions,
    rekor_version: Option<u32>,
) -> Result<u32, Error> {
    match select_services(config, crate::now(), supported) {
        Ok(selected) => Ok(selected.rekor_api_version()),
        Err(Error::NoValidService { kind: "Rekor" }) => Err(Error::NoUsableRekorLog {
            version: rekor_version.map(|v| format!(" v{v}")).unwrap_or_default(),
        }),
        Err(e) => Err(Error::UnusableSigningConfig(Box::new(e))),
    }
}

/// Selects services per spec §2.2 at `now`:
///
/// 1. drop services whose `majorApiVersion` is not in `supported`;
/// 2. drop services whose `validFor` does not contain `now` (both ends inclusive);
/// 3. CA and OIDC: the one with the highest API version, then the newest `validFor.start`;
/// 4. Rekor and TSA: at most one per operator (highest version, newest start), and only
///    services of the highest remaining API version;
/// 5. the selector: `ALL` keeps every one, `ANY` the first (the highest version, newest
///    start), `EXACT` the first `count` (an error when fewer are left or `count` is missing),
///    `SERVICE_SELECTOR_UNDEFINED` and unknown selectors are errors.
///
/// A config without any TSA URL selects no TSA whatever its `tsaConfig`. At least one CA and
/// one Rekor log must remain. Every selected service must be `https://`, or `http://` to a
/// loopback host ([`sigstore_trust::is_secure_service_url`]): an identity token never goes to
/// another host in clear text.
pub fn select_services(
    config: &SigningConfig,
    now: Timestamp,
    supported: &SupportedApiVersions,
) -> Result<SelectedServices, Error> {
    let ca = pick_one(&config.ca_urls, now, &supported.ca)
        .ok_or(Error::NoValidService { kind: "CA" })?;
    let oidc = pick_one(&config.oidc_urls, now, &supported.oidc);
    let rekor = pick_many(
        "Rekor",
        &config.rekor_tlog_urls,
        &config.rekor_tlog_config,
        now,
        &supported.rekor,
    )?;
    if rekor.is_empty() {
        return Err(Error::NoValidService { kind: "Rekor" });
    }
    let tsa = if config.tsa_urls.is_empty() {
        Vec::new()
    } else {
        pick_many(
            "TSA",
            &config.tsa_urls,
            &config.tsa_config,
            now,
            &supported.tsa,
        )?
    };
    // Identity tokens, signatures and artifacts' digests go to these services: https only,
    // plain http only to this machine (a test or development deployment).
    let named = [("CA", &ca)]
        .into_iter()
        .chain(oidc.iter().map(|s| ("OIDC", s)))
        .chain(rekor.iter().map(|s| ("Rekor", s)))
        .chain(tsa.iter().map(|s| ("TSA", s)));
    for (kind, service) in named {
        if !sigstore_trust::is_secure_service_url(&service.url) {
            return Err(Error::InsecureService {
                kind,
                url: service.url.chars().take(200).collect(),
            });
        }
    }
    Ok(SelectedServices {
        ca,
        oidc,
        rekor,
        tsa,
    })
}

/// Usable services, best first: highest API version, then newest start.
fn candidates<'a>(services: &'a [Service], now: Timestamp, supported: &[u32]) -> Vec<&'a Service> {
    let mut list: Vec<&Service> = services
        .iter()
        .filter(|s| supported.contains(&s.major_api_version))
        .filter(|s| s.valid_for.contains(now))
        .collect();
    // Stable: equal keys keep the config's order.
    list.sort_by_key(|s| (Reverse(s.major_api_version), Reverse(s.valid_for.start)));
    list
}

fn pick_one(services: &[Service], now: Timestamp, supported: &[u32]) -> Option<Service> {
    candidates(services, now, supported)
        .first()
        .map(|s| (*s).clone())
}

fn pick_many(
    kind: &'static str,
    services: &[Service],
    config: &ServiceConfiguration,
    now: Timestamp,
    supported: &[u32],
) -> Result<Vec<Service>, Error> {
    // Judge the selector first: a bad config is an error whatever the services.
    match &config.selector {
        ServiceSelector::All | ServiceSelector::Any | ServiceSelector::Exact => {}
        ServiceSelector::Undefined => return Err(Error::SelectorUndefined { kind }),
        ServiceSelector::Unknown(name) => {
            return Err(Error::UnknownSelector {
                kind,
                name: name.chars().take(64).collect(),
            })
        }
    }
    let mut seen_operators: Vec<&str> = Vec::new();
    let mut chosen: Vec<&Service> = Vec::new();
    for service in candidates(services, now, supported) {
        if seen_operators.contains(&service.operator.as_str()) {
            continue;
        }
        seen_operators.push(&service.operator);
        chosen.push(service);
    }
    // Do not mix API versions: keep the highest.
    if let Some(top) = chosen.first().map(|s| s.major_api_version) {
        chosen.retain(|s| s.major_api_version == top);
    }
    let chosen: Vec<Service> = chosen.into_iter().cloned().collect();
    match config.selector {
        ServiceSelector::All => Ok(chosen),
        ServiceSelector::Any => chosen
            .into_iter()
            .next()
            .map(|s| vec![s])
            .ok_or(Error::NoValidService { kind }),
        ServiceSelector::Exact => {
            let wanted = config.count.ok_or(Error::ExactCountMissing { kind })?;
            let wanted_len = usize::try_from(wanted).unwrap_or(usize::MAX);
            if chosen.len() < wanted_len {
                return Err(Error::NotEnoughServices {
                    kind,
                    wanted,
                    available: chosen.len(),
                });
            }
            Ok(chosen.into_iter().take(wanted_len).collect())
        }
        // Rejected above.
        ServiceSelector::Undefined | ServiceSelector::Unknown(_) => {
            Err(Error::SelectorUndefined { kind })
        }
    }
}
