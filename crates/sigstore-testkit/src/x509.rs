//! Certificates built with `x509-cert` structures and signed with the testkit's keys.

use std::str::FromStr as _;
use std::time::Duration;

use const_oid::ObjectIdentifier;
use der::asn1::{BitString, GeneralizedTime, Ia5String, OctetString, UtcTime};
use der::{Decode as _, Encode as _};
use sha2::{Digest as _, Sha256};
use sigstore_types::Timestamp;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::keys::{random_bytes, EcKey};
use crate::Error;

pub(crate) const OID_SCT_LIST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
pub(crate) const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
pub(crate) const TIME_STAMPING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// A certificate with its signing key.
pub(crate) struct Authority {
    pub(crate) key: EcKey,
    pub(crate) der: Vec<u8>,
    pub(crate) subject: Name,
    pub(crate) spki: Vec<u8>,
}

/// The key identifier written into SKI/AKI: the first 20 bytes of SHA-256(SPKI).
pub(crate) fn key_id(spki: &[u8]) -> Vec<u8> {
    Sha256::digest(spki)[..20].to_vec()
}

pub(crate) fn name(text: &str) -> Result<Name, Error> {
    Name::from_str(text).map_err(Error::Der)
}

fn time(t: Timestamp) -> Result<Time, Error> {
    let secs = u64::try_from(t.unix_seconds()).map_err(|_| Error::Unsupported {
        what: "times before 1970",
    })?;
    let d = Duration::from_secs(secs);
    // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
    if t.to_utc().0 < 2050 {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(d)?))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_unix_duration(d)?))
    }
}

pub(crate) fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value_der: Vec<u8>,
) -> Result<Extension, Error> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value_der)?,
    })
}

pub(crate) fn basic_constraints(ca: bool, path_len: Option<u8>) -> Result<Extension, Error> {
    let bc = BasicConstraints {
        ca,
        path_len_constraint: path_len,
    };
    extension(
        const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS,
        true,
        bc.to_der()?,
    )
}

pub(crate) fn key_usage(ca: bool) -> Result<Extension, Error> {
    let ku = if ca {
        KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)
    } else {
        KeyUsage(KeyUsages::DigitalSignature.into())
    };
    extension(const_oid::db::rfc5280::ID_CE_KEY_USAGE, true, ku.to_der()?)
}

pub(crate) fn extended_key_usage(
    oids: &[ObjectIdentifier],
    critical: bool,
) -> Result<Extension, Error> {
    let eku = ExtendedKeyUsage(oids.to_vec());
    extension(
        const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE,
        critical,
        eku.to_der()?,
    )
}

pub(crate) fn subject_key_id(spki: &[u8]) -> Result<Extension, Error> {
    let ski = SubjectKeyIdentifier(OctetString::new(key_id(spki))?);
    extension(
        const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
        false,
        ski.to_der()?,
    )
}

pub(crate) fn authority_key_id(issuer_spki: &[u8]) -> Result<Extension, Error> {
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(key_id(issuer_spki))?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    extension(
        const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        false,
        aki.to_der()?,
    )
}

/// A subject alternative name of a Fulcio leaf.
pub(crate) fn subject_alt_name(san: &crate::San) -> Result<Extension, Error> {
    let name = match san {
        crate::San::Email(email) => GeneralName::Rfc822Name(Ia5String::new(email)?),
        crate::San::Uri(uri) => GeneralName::UniformResourceIdentifier(Ia5String::new(uri)?),
    };
    let san = SubjectAltName(vec![name]);
    extension(
        const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME,
        true,
        san.to_der()?,
    )
}

/// Everything of a TBSCertificate but the signature algorithm, which the issuer's key decides.
pub(crate) struct CertTemplate<'a> {
    pub(crate) subject: Name,
    pub(crate) spki_der: &'a [u8],
    pub(crate) not_before: Timestamp,
    pub(crate) not_after: Timestamp,
    pub(crate) extensions: Vec<Extension>,
}

/// Builds the TBSCertificate (random positive 16-byte serial) issued by `issuer`.
pub(crate) fn tbs(
    template: CertTemplate<'_>,
    issuer_name: &Name,
    issuer_key: &EcKey,
) -> Result<TbsCertificate, Error> {
    let mut serial = random_bytes::<16>();
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    Ok(TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial)?,
        signature: AlgorithmIdentifierOwned {
            oid: issuer_key.signature_oid(),
            parameters: None,
        },
        issuer: issuer_name.clone(),
        validity: Validity {
            not_before: time(template.not_before)?,
            not_after: time(template.not_after)?,
        },
        subject: template.subject,
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(template.spki_der)
            .map_err(|_| Error::Malformed { what: "public key" })?,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: if template.extensions.is_empty() {
            None
        } else {
            Some(template.extensions)
        },
    })
}

/// Signs `tbs` with `issuer_key`, returning the certificate DER.
pub(crate) fn sign(tbs: TbsCertificate, issuer_key: &EcKey) -> Result<Vec<u8>, Error> {
    let tbs_der = tbs.to_der()?;
    let signature = issuer_key.sign(&tbs_der);
    let cert = Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(cert.to_der()?)
}

/// A CA certificate: self-signed root (`issuer` = None) or an intermediate.
pub(crate) fn ca(
    key: EcKey,
    subject: &str,
    issuer: Option<&Authority>,
    not_before: Timestamp,
    not_after: Timestamp,
    eku: Option<ObjectIdentifier>,
) -> Result<Authority, Error> {
    let spki = key.spki_der()?;
    let subject = name(subject)?;
    let mut extensions = vec![
        key_usage(true)?,
        basic_constraints(true, issuer.map(|_| 0))?,
        subject_key_id(&spki)?,
    ];
    if let Some(issuer) = issuer {
        extensions.push(authority_key_id(&issuer.spki)?);
    }
    if let Some(eku) = eku {
        extensions.push(extended_key_usage(&[eku], false)?);
    }
    let template = CertTemplate {
        subject: subject.clone(),
        spki_der: &spki,
        not_before,
        not_after,
        extensions,
    };
    let der = match issuer {
        Some(issuer) => sign(tbs(template, &issuer.subject, &issuer.key)?, &issuer.key)?,
        None => sign(tbs(template, &subject, &key)?, &key)?,
    };
    Ok(Authority {
        key,
        der,
        subject,
        spki,
    })
}
