use const_oid::ObjectIdentifier;
use der::asn1::Utf8StringRef;
use der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

use crate::{oids, Certificate, Error};

/// The Fulcio extensions of a signing certificate, decoded to text.
///
/// `.1.1`-`.1.6` hold raw UTF-8 bytes; `.1.8`-`.1.24` hold a DER UTF8String.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulcioExtensions {
    /// OIDC issuer: `.1.8` when present, else the legacy `.1.1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// GitHub Workflow Trigger (`.1.2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github_workflow_trigger: Option<String>,
    /// GitHub Workflow SHA (`.1.3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github_workflow_sha: Option<String>,
    /// GitHub Workflow Name (`.1.4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github_workflow_name: Option<String>,
    /// GitHub Workflow Repository (`.1.5`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github_workflow_repository: Option<String>,
    /// GitHub Workflow Ref (`.1.6`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github_workflow_ref: Option<String>,
    /// Build Signer URI (`.1.9`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_signer_uri: Option<String>,
    /// Build Signer Digest (`.1.10`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_signer_digest: Option<String>,
    /// Runner Environment (`.1.11`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_environment: Option<String>,
    /// Source Repository URI (`.1.12`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_uri: Option<String>,
    /// Source Repository Digest (`.1.13`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_digest: Option<String>,
    /// Source Repository Ref (`.1.14`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_ref: Option<String>,
    /// Source Repository Identifier (`.1.15`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_identifier: Option<String>,
    /// Source Repository Owner URI (`.1.16`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_owner_uri: Option<String>,
    /// Source Repository Owner Identifier (`.1.17`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_owner_identifier: Option<String>,
    /// Build Config URI (`.1.18`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_config_uri: Option<String>,
    /// Build Config Digest (`.1.19`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_config_digest: Option<String>,
    /// Build Trigger (`.1.20`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_trigger: Option<String>,
    /// Run Invocation URI (`.1.21`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_invocation_uri: Option<String>,
    /// Source Repository Visibility At Signing (`.1.22`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_visibility_at_signing: Option<String>,
    /// Deployment Environment (`.1.23`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_environment: Option<String>,
    /// Token Subject (`.1.24`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_subject: Option<String>,
}

impl FulcioExtensions {
    /// Decodes every Fulcio extension present in `cert`. A present but malformed extension is
    /// an error.
    pub fn from_certificate(cert: &Certificate) -> Result<Self, Error> {
        // One pass over the extensions: the value of each `1.3.6.1.4.1.57264.1.N` by N (the
        // extensions are unique, checked when the certificate was parsed).
        let prefix = oids::FULCIO_ISSUER
            .as_bytes()
            .split_last()
            .map_or(&[][..], |(_, prefix)| prefix);
        let mut values: [Option<&[u8]>; 32] = [None; 32];
        for ext in cert.extensions() {
            if let Some([arc]) = ext.oid.as_bytes().strip_prefix(prefix) {
                if let Some(slot) = values.get_mut(usize::from(*arc)) {
                    *slot = Some(ext.value);
                }
            }
        }
        Self::from_values(|oid| {
            let arc = oid.as_bytes().last().copied().unwrap_or(0);
            values.get(usize::from(arc)).copied().flatten()
        })
    }

    /// Decodes the extensions `value` finds, by OID (raw bytes for `.1.1`-`.1.6`, a DER
    /// UTF8String for the rest; the issuer from `.1.8`, else `.1.1`).
    fn from_values<'a>(
        value: impl Fn(ObjectIdentifier) -> Option<&'a [u8]>,
    ) -> Result<Self, Error> {
        let raw = |oid| raw_value(oid, value(oid));
        let utf8 = |oid| utf8_value(oid, value(oid));
        let issuer = match utf8(oids::FULCIO_ISSUER_V2)? {
            Some(issuer) => Some(issuer),
            None => raw(oids::FULCIO_ISSUER)?,
        };
        Ok(Self {
            issuer,
            github_workflow_trigger: raw(oids::GITHUB_WORKFLOW_TRIGGER)?,
            github_workflow_sha: raw(oids::GITHUB_WORKFLOW_SHA)?,
            github_workflow_name: raw(oids::GITHUB_WORKFLOW_NAME)?,
            github_workflow_repository: raw(oids::GITHUB_WORKFLOW_REPOSITORY)?,
            github_workflow_ref: raw(oids::GITHUB_WORKFLOW_REF)?,
            build_signer_uri: utf8(oids::BUILD_SIGNER_URI)?,
            build_signer_digest: utf8(oids::BUILD_SIGNER_DIGEST)?,
            runner_environment: utf8(oids::RUNNER_ENVIRONMENT)?,
            source_repository_uri: utf8(oids::SOURCE_REPOSITORY_URI)?,
            source_repository_digest: utf8(oids::SOURCE_REPOSITORY_DIGEST)?,
            source_repository_ref: utf8(oids::SOURCE_REPOSITORY_REF)?,
            source_repository_identifier: utf8(oids::SOURCE_REPOSITORY_IDENTIFIER)?,
            source_repository_owner_uri: utf8(oids::SOURCE_REPOSITORY_OWNER_URI)?,
            source_repository_owner_identifier: utf8(oids::SOURCE_REPOSITORY_OWNER_IDENTIFIER)?,
            build_config_uri: utf8(oids::BUILD_CONFIG_URI)?,
            build_config_digest: utf8(oids::BUILD_CONFIG_DIGEST)?,
            build_trigger: utf8(oids::BUILD_TRIGGER)?,
            run_invocation_uri: utf8(oids::RUN_INVOCATION_URI)?,
            source_repository_visibility_at_signing: utf8(
                oids::SOURCE_REPOSITORY_VISIBILITY_AT_SIGNING,
            )?,
            deployment_environment: utf8(oids::DEPLOYMENT_ENVIRONMENT)?,
            token_subject: utf8(oids::TOKEN_SUBJECT)?,
        })
    }
}

/// The OIDC issuer of a Fulcio certificate: the `.1.8` DER UTF8String when present, else the
/// legacy `.1.1` raw bytes; `None` when neither is present.
pub fn issuer(cert: &Certificate) -> Result<Option<String>, Error> {
    match utf8_extension(cert, oids::FULCIO_ISSUER_V2)? {
        Some(issuer) => Ok(Some(issuer)),
        None => raw_extension(cert, oids::FULCIO_ISSUER),
    }
}

/// Decodes an extension whose value is raw UTF-8 bytes (Fulcio `.1.1`-`.1.6`).
pub fn raw_extension(cert: &Certificate, oid: ObjectIdentifier) -> Result<Option<String>, Error> {
    raw_value(oid, cert.extension(&oid).map(|(_, value)| value))
}

fn raw_value(oid: ObjectIdentifier, value: Option<&[u8]>) -> Result<Option<String>, Error> {
    value
        .map(|value| {
            core::str::from_utf8(value)
                .map(str::to_owned)
                .map_err(|_| Error::NotUtf8(oid))
        })
        .transpose()
}

/// Decodes an extension whose value is a DER UTF8String (Fulcio `.1.8`-`.1.24`), rejecting
/// any other tag and trailing bytes.
pub fn utf8_extension(cert: &Certificate, oid: ObjectIdentifier) -> Result<Option<String>, Error> {
    utf8_value(oid, cert.extension(&oid).map(|(_, value)| value))
}

fn utf8_value(oid: ObjectIdentifier, value: Option<&[u8]>) -> Result<Option<String>, Error> {
    value
        .map(|value| {
            Utf8StringRef::from_der(value)
                .map(|s| s.as_str().to_owned())
                .map_err(|_| Error::MalformedExtension(oid))
        })
        .transpose()
}

/// The identity in a Fulcio certificate's subject alternative name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubjectAlternativeName {
    /// `rfc822Name`: an email identity.
    Email(String),
    /// `uniformResourceIdentifier`: CI workloads, SPIFFE IDs.
    Uri(String),
    /// `otherName` with type-id `1.3.6.1.4.1.57264.1.7` and a `[0] EXPLICIT UTF8String`
    /// value: a username identity.
    OtherNameUsername(String),
    /// Any other kind of name; never matches an identity policy.
    Other,
}

impl SubjectAlternativeName {
    /// The identity text, or `None` for [`SubjectAlternativeName::Other`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Email(s) | Self::Uri(s) | Self::OtherNameUsername(s) => Some(s),
            Self::Other => None,
        }
    }
}

/// The single subject alternative name of a Fulcio certificate. The SAN extension must be
/// present and hold exactly one name.
pub fn san(cert: &Certificate) -> Result<SubjectAlternativeName, Error> {
    let (_, value) = cert
        .extension(&oids::SUBJECT_ALT_NAME)
        .ok_or(Error::MissingSan)?;
    let names = SubjectAltName::from_der(value)
        .map_err(|_| Error::MalformedExtension(oids::SUBJECT_ALT_NAME))?;
    let name = match names.0.as_slice() {
        [name] => name,
        names => return Err(Error::SanCount(names.len())),
    };
    Ok(match name {
        GeneralName::Rfc822Name(email) => SubjectAlternativeName::Email(email.to_string()),
        GeneralName::UniformResourceIdentifier(uri) => SubjectAlternativeName::Uri(uri.to_string()),
        GeneralName::OtherName(other) if other.type_id == oids::OTHERNAME_SAN => {
            let text: Utf8StringRef<'_> = other
                .value
                .decode_as()
                .map_err(|_| Error::MalformedExtension(oids::SUBJECT_ALT_NAME))?;
            SubjectAlternativeName::OtherNameUsername(text.as_str().to_owned())
        }
        _ => SubjectAlternativeName::Other,
    })
}

/// Checks the Fulcio signing-certificate profile: key usage digitalSignature, extended key
/// usage codeSigning, and not a CA.
pub fn check_fulcio_leaf_profile(cert: &Certificate) -> Result<(), Error> {
    if cert.is_ca() {
        return Err(Error::LeafIsCa);
    }
    if !cert.key_usage().is_some_and(|ku| ku.digital_signature()) {
        return Err(Error::MissingDigitalSignature);
    }
    if !cert.has_eku(&oids::CODE_SIGNING) {
        return Err(Error::MissingExtendedKeyUsage {
            expected: oids::CODE_SIGNING,
        });
    }
    Ok(())
}

#[cfg(test)]
mod single_pass_tests {
    use super::*;

    /// The extensions looked up one OID at a time (`Certificate::extension`), as before the
    /// single pass.
    fn by_lookup(cert: &Certificate) -> Result<FulcioExtensions, Error> {
        FulcioExtensions::from_values(|oid| cert.extension(&oid).map(|(_, value)| value))
    }

    /// On the happy-path leaf and every single-byte change of it that parses, the single pass
    /// finds what the lookups find, and fails where they fail.
    #[test]
    fn single_pass_equals_lookups() {
        let bundle = std::fs::read_to_string(
            sigstore_test_support::conformance_cases().join("happy-path-v0.3/bundle.sigstore.json"),
        )
        .expect("conformance case happy-path-v0.3");
        let value: serde_json::Value = serde_json::from_str(&bundle).expect("JSON");
        let raw = value["verificationMaterial"]["certificate"]["rawBytes"]
            .as_str()
            .expect("rawBytes");
        let der = sigstore_types::encoding::base64_decode(raw.as_bytes()).expect("base64");
        let (mut same, mut failed) = (0, 0);
        for i in 0..der.len() {
            for mask in [0x01u8, 0x80] {
                let mut m = der.clone();
                if let Some(byte) = m.get_mut(i) {
                    *byte ^= mask;
                }
                let Ok(cert) = Certificate::from_der(&m) else {
                    continue;
                };
                let fast = FulcioExtensions::from_certificate(&cert);
                let slow = by_lookup(&cert);
                match (fast, slow) {
                    (Ok(fast), Ok(slow)) => {
                        assert_eq!(fast, slow, "byte {i} ^ {mask:#x}");
                        same += 1;
                    }
                    (Err(_), Err(_)) => failed += 1,
                    (fast, slow) => panic!("byte {i} ^ {mask:#x}: {fast:?} vs {slow:?}"),
                }
            }
        }
        assert!(
            same > 1000 && failed > 10,
            "{same} equal, {failed} failed alike"
        );
    }
}
