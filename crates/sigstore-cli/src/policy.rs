//! Turns command-line options into `sigstore-x509-policy` policies, and describes bundles for
//! `inspect`.

use std::fmt::Write as _;

use anyhow::{bail, Result};
use base64::Engine as _;
use sigstore_types::bundle::{BundleContent, VerificationMaterialContent};
use sigstore_types::Bundle;
use sigstore_verify::Policy;
use sigstore_x509_policy::{Certificate, FulcioExtensions, GitHubPolicy, Identity, Matcher};

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

/// Text from the bundle, safe to print on one line.
fn clean(text: &str) -> String {
    sigstore_cli::escape_controls(text)
}

/// A readable summary of what a bundle claims (nothing verified).
pub fn describe(bundle: &Bundle) -> String {
    let mut out = String::new();
    let b64 = base64::engine::general_purpose::STANDARD;
    let _ = writeln!(out, "Media type:      {}", clean(&bundle.media_type));
    let leaf = match &bundle.verification_material.content {
        VerificationMaterialContent::Certificate(der) => Some(der),
        VerificationMaterialContent::X509CertificateChain(chain) => chain.first(),
        VerificationMaterialContent::PublicKey { hint } => {
            let _ = writeln!(out, "Signer:          managed key (hint {hint:?})");
            None
        }
    };
    if let Some(der) = leaf {
        match Certificate::from_der(der) {
            Ok(cert) => {
                match sigstore_x509_policy::san(&cert) {
                    Ok(san) => {
                        let _ = writeln!(
                            out,
                            "Identity:        {}",
                            clean(san.as_str().unwrap_or("(not an email, URI or username)"))
                        );
                    }
                    Err(e) => {
                        let _ = writeln!(
                            out,
                            "Identity:        unreadable ({})",
                            clean(&e.to_string())
                        );
                    }
                }
                let _ = writeln!(
                    out,
                    "Certificate:     valid {} .. {}",
                    cert.not_before(),
                    cert.not_after()
                );
                match FulcioExtensions::from_certificate(&cert) {
                    Ok(ext) => {
                        if let Some(issuer) = &ext.issuer {
                            let _ = writeln!(out, "Issuer:          {}", clean(issuer));
                        }
                        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(&ext) {
                            for (name, value) in map {
                                if let (serde_json::Value::String(v), true) =
                                    (&value, name != "issuer")
                                {
                                    let _ = writeln!(out, "  {name}: {}", clean(v));
                                }
                            }
                        }
                    }
                    Err(e) => {
                        let _ = writeln!(
                            out,
                            "Extensions:      unreadable ({})",
                            clean(&e.to_string())
                        );
                    }
                }
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "Certificate:     unreadable ({})",
                    clean(&e.to_string())
                );
            }
        }
    }
    match &bundle.content {
        BundleContent::MessageSignature(ms) => {
            let _ = writeln!(out, "Content:         message signature");
            if let Some(md) = &ms.message_digest {
                let _ = writeln!(
                    out,
                    "  digest:        {} {}",
                    md.algorithm.as_str(),
                    hex::encode(&md.digest)
                );
            }
        }
        BundleContent::DsseEnvelope(env) => {
            let _ = writeln!(
                out,
                "Content:         DSSE envelope ({})",
                clean(&env.payload_type)
            );
            if let Ok(statement) = sigstore_types::intoto::Statement::from_json(&env.payload) {
                let _ = writeln!(out, "  predicate:     {}", clean(&statement.predicate_type));
                for subject in &statement.subjects {
                    let digests: Vec<String> = subject
                        .digest
                        .iter()
                        .map(|(k, v)| format!("{k}:{v}"))
                        .collect();
                    let _ = writeln!(
                        out,
                        "  subject:       {} {}",
                        clean(&subject.name),
                        clean(&digests.join(" "))
                    );
                }
            }
        }
    }
    for (i, entry) in bundle.verification_material.tlog_entries.iter().enumerate() {
        let _ = writeln!(
            out,
            "Log entry #{i}:    {} {} index {} log {}",
            clean(&entry.kind),
            clean(&entry.kind_version),
            entry.log_index,
            b64.encode(&entry.log_id)
        );
        if entry.integrated_time != 0 {
            let _ = writeln!(
                out,
                "  integrated:    {}",
                sigstore_types::Timestamp::from_unix(entry.integrated_time)
            );
        }
        if let Some(proof) = &entry.inclusion_proof {
            let _ = writeln!(
                out,
                "  proof:         index {} of tree size {}",
                proof.log_index, proof.tree_size
            );
        }
        let _ = writeln!(
            out,
            "  promise (SET): {}",
            if entry.inclusion_promise.is_some() {
                "present"
            } else {
                "absent"
            }
        );
    }
    for (i, token) in bundle
        .verification_material
        .rfc3161_timestamps
        .iter()
        .enumerate()
    {
        match sigstore_tsa::TimeStampToken::from_der(token) {
            Ok(parsed) => {
                let _ = writeln!(
                    out,
                    "Timestamp #{i}:    {} (RFC 3161)",
                    parsed.tst_info().gen_time
                );
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "Timestamp #{i}:    unreadable ({})",
                    clean(&e.to_string())
                );
            }
        }
    }
    out
}
