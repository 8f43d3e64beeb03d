//! A readable summary of what a certificate claims, for display: nothing in it is verified.

use std::fmt::Write as _;

use sigstore_types::encoding::escape_controls as clean;

use crate::{san, Certificate, FulcioExtensions};

/// The lines describing the DER certificate `der`: its identity (SAN), validity, OIDC issuer
/// and every other Fulcio extension it carries, or why it cannot be read. Text taken from the
/// certificate has control characters escaped.
pub fn describe_certificate(der: &[u8]) -> String {
    let mut out = String::new();
    let cert = match Certificate::from_der(der) {
        Ok(cert) => cert,
        Err(e) => {
            let _ = writeln!(
                out,
                "Certificate:     unreadable ({})",
                clean(&e.to_string())
            );
            return out;
        }
    };
    match san(&cert) {
        Ok(san) => {
            let identity = san.as_str().unwrap_or("(not an email, URI or username)");
            let _ = writeln!(out, "Identity:        {}", clean(identity));
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
                    if let (serde_json::Value::String(v), true) = (&value, name != "issuer") {
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_certificates_are_described() {
        let text = describe_certificate(b"\x30\x03\x02\x01\x00");
        assert!(text.starts_with("Certificate:     unreadable ("), "{text}");
        assert_eq!(text.lines().count(), 1);
    }
}
