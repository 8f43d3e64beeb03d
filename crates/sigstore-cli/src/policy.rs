//! Turns command-line options into `sigstore-x509-policy` policies, and describes bundles for
//! `inspect`.

use anyhow::{bail, Result};
use sigstore_cli::escape_controls;
use sigstore_types::{summary, Bundle};
use sigstore_verify::Policy;
use sigstore_x509_policy::{GitHubPolicy, Identity, Matcher};

/// `verify identity`: exact or regex identity and issuer.
pub fn identity(
    identity: Option<&str>,
    identity_regexp: Option<&str>,
    issuer: Option<&str>,
    issuer_regexp: Option<&str>,
) -> Result<Policy> {
    let identity = match (identity, identity_regexp) {
        (Some(exact), None) => Matcher::exact(exact),
        (None, Some(pattern)) => Matcher::regex(pattern)?,
        _ => bail!("give exactly one of --cert-identity and --cert-identity-regexp"),
    };
    let issuer = match (issuer, issuer_regexp) {
        (Some(exact), None) => Matcher::exact(exact),
        (None, Some(pattern)) => Matcher::regex(pattern)?,
        _ => bail!("give exactly one of --cert-oidc-issuer and --cert-oidc-issuer-regexp"),
    };
    Ok(Policy::identity(Identity::from_matchers(identity, issuer)))
}

/// `verify github`: the GitHub Actions issuer plus every constraint given.
pub fn github(policy: &GitHubPolicy) -> Result<Policy> {
    match policy.build() {
        Ok(policy) => Ok(Policy::identity(policy)),
        Err(sigstore_x509_policy::Error::GitHubPolicyUnconstrained) => {
            bail!("give --cert-identity or --repository (or both)")
        }
        Err(e) => Err(e.into()),
    }
}

/// A readable summary of what a bundle claims (nothing verified): the bundle, its
/// certificate and its RFC 3161 timestamps.
pub fn describe(bundle: &Bundle) -> String {
    let mut out = summary::describe(bundle, sigstore_x509_policy::describe_certificate);
    let timestamps = &bundle.verification_material.rfc3161_timestamps;
    for (i, token) in timestamps.iter().enumerate() {
        let line = match sigstore_tsa::TimeStampToken::from_der(token) {
            Ok(parsed) => format!("{} (RFC 3161)", parsed.tst_info().gen_time),
            Err(e) => format!("unreadable ({})", escape_controls(&e.to_string())),
        };
        out.push_str(&format!("Timestamp #{i}:    {line}\n"));
    }
    out
}
