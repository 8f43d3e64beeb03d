//! Parsing of `TimeStampResp`, the CMS `SignedData` timestamp token and `TSTInfo`
//! (RFC 3161 §2.4.2, RFC 5652 §5).

use const_oid::ObjectIdentifier;
use sigstore_types::Timestamp;

use crate::asn1::{
    algorithm_identifier, boolean, generalized_time, integer_bytes, read_algorithm_identifier,
    read_oid, read_small_unsigned, single, small_unsigned, DerReader, Tlv, TAG_BIT_STRING,
    TAG_BOOLEAN, TAG_CTX0, TAG_CTX0_PRIM, TAG_CTX1, TAG_CTX1_PRIM, TAG_CTX4, TAG_GENERALIZED_TIME,
    TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, TAG_SET,
};
use crate::Error;

/// `id-signedData` (RFC 5652 §5.1).
pub const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// `id-ct-TSTInfo` (RFC 3161 §2.4.2).
pub const OID_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// `id-contentType` signed attribute (RFC 5652 §11.1).
pub const OID_ATTR_CONTENT_TYPE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// `id-messageDigest` signed attribute (RFC 5652 §11.2).
pub const OID_ATTR_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// `id-aa-signingCertificate` (RFC 2634 §5.4).
pub const OID_ATTR_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// `id-aa-signingCertificateV2` (RFC 5035 §3).
pub const OID_ATTR_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// The most certificates read from a token's `certificates` field.
const MAX_EMBEDDED_CERTS: usize = 16;
/// The most signed attributes read from a SignerInfo.
const MAX_SIGNED_ATTRS: usize = 32;

/// `Accuracy` (RFC 3161 §2.4.2): the maximum deviation of `genTime` from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Accuracy {
    /// Whole seconds.
    pub seconds: u64,
    /// Milliseconds (1..=999 when present).
    pub millis: u16,
    /// Microseconds (1..=999 when present).
    pub micros: u16,
}

/// `TSTInfo` (RFC 3161 §2.4.2): what the TSA attests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TstInfo {
    /// The TSA policy under which the token was issued.
    pub policy: ObjectIdentifier,
    /// The hash algorithm of the message imprint (not yet checked against an allow-list).
    pub imprint_algorithm: ObjectIdentifier,
    /// The hashed message of the imprint.
    pub hashed_message: Vec<u8>,
    /// The serial number: the INTEGER's content bytes (two's complement; some TSAs issue
    /// negative serials).
    pub serial: Vec<u8>,
    /// The time the token was generated (`genTime`, fractional seconds kept).
    pub gen_time: Timestamp,
    /// The accuracy of `genTime`, if given.
    pub accuracy: Option<Accuracy>,
    /// The `ordering` flag.
    pub ordering: bool,
    /// The nonce echoed from the request: the INTEGER's content bytes (two's complement).
    pub nonce: Option<Vec<u8>>,
    /// The DER `GeneralName` naming the TSA, if given.
    pub tsa_name: Option<Vec<u8>>,
    /// The OIDs of the (non-critical) extensions, if any.
    pub extensions: Vec<ObjectIdentifier>,
}

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignerId {
    /// `issuerAndSerialNumber`: the DER issuer `Name` and the serial's content bytes.
    IssuerAndSerial { issuer: Vec<u8>, serial: Vec<u8> },
    /// `subjectKeyIdentifier`.
    SubjectKeyId(Vec<u8>),
}

/// One `ESSCertID` / `ESSCertIDv2` (the first one names the signer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EssCertId {
    /// `None` for v1 (SHA-1 by definition).
    pub(crate) hash_algorithm: Option<ObjectIdentifier>,
    pub(crate) cert_hash: Vec<u8>,
    /// The directoryName issuers (DER `Name`) and the serial's content bytes.
    pub(crate) issuer_serial: Option<(Vec<Vec<u8>>, Vec<u8>)>,
}

/// The parts of the single SignerInfo that verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignerInfo {
    pub(crate) sid: SignerId,
    pub(crate) digest_algorithm: ObjectIdentifier,
    pub(crate) digest_algorithm_params_ok: bool,
    /// The signed attributes re-tagged as `SET OF` (`0x31`): the signed message.
    pub(crate) signed_attrs_der: Vec<u8>,
    pub(crate) content_type: ObjectIdentifier,
    pub(crate) message_digest: Vec<u8>,
    pub(crate) signing_certificate: Option<EssCertId>,
    pub(crate) signing_certificate_v2: Option<EssCertId>,
    pub(crate) signature_algorithm: ObjectIdentifier,
    pub(crate) signature_params_ok: bool,
    pub(crate) signature: Vec<u8>,
}

/// A parsed RFC 3161 timestamp token (CMS `SignedData` over a `TSTInfo`), not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStampToken {
    tst_info: TstInfo,
    tst_info_der: Vec<u8>,
    signer: SignerInfo,
    certificates: Vec<Vec<u8>>,
}

impl TimeStampToken {
    /// Parses a DER `TimeStampResp` (whose status must be granted or grantedWithMods and which
    /// must carry a token) or a bare `ContentInfo` token.
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        let outer = single(bytes, TAG_SEQUENCE, "token is not a DER SEQUENCE")?;
        let mut r = DerReader::new(outer.value);
        match r.peek_tag() {
            Some(TAG_OID) => parse_content_info(outer.value),
            Some(TAG_SEQUENCE) => {
                let status = r.expect(TAG_SEQUENCE, "PKIStatusInfo")?;
                check_status(status.value)?;
                let token = r.optional(TAG_SEQUENCE, "timeStampToken")?;
                r.finish("trailing data in TimeStampResp")?;
                let token = token.ok_or(Error::MissingToken)?;
                parse_content_info(token.value)
            }
            _ => Err(Error::Malformed("neither TimeStampResp nor ContentInfo")),
        }
    }

    /// The attested `TSTInfo`.
    pub fn tst_info(&self) -> &TstInfo {
        &self.tst_info
    }

    /// The DER `TSTInfo` (the encapsulated content the signature covers through the
    /// message-digest attribute).
    pub fn tst_info_der(&self) -> &[u8] {
        &self.tst_info_der
    }

    /// The DER certificates embedded in the token. They are untrusted and play no part in
    /// verification.
    pub fn embedded_certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    pub(crate) fn signer(&self) -> &SignerInfo {
        &self.signer
    }
}

/// `PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
/// failInfo PKIFailureInfo OPTIONAL }`.
fn check_status(value: &[u8]) -> Result<(), Error> {
    let mut r = DerReader::new(value);
    let status = read_small_unsigned(&mut r, "PKIStatus")?;
    r.optional(TAG_SEQUENCE, "statusString")?;
    r.optional(TAG_BIT_STRING, "failInfo")?;
    r.finish("trailing data in PKIStatusInfo")?;
    match status {
        0 | 1 => Ok(()),
        status => Err(Error::StatusNotGranted { status }),
    }
}

/// `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }` (the content of the
/// outer SEQUENCE).
fn parse_content_info(value: &[u8]) -> Result<TimeStampToken, Error> {
    let mut r = DerReader::new(value);
    let content_type = read_oid(&mut r, "ContentInfo contentType")?;
    if content_type != OID_SIGNED_DATA {
        return Err(Error::UnexpectedContentType(content_type));
    }
    let content = r.expect(TAG_CTX0, "ContentInfo content")?;
    r.finish("trailing data in ContentInfo")?;
    let signed_data = single(content.value, TAG_SEQUENCE, "SignedData")?;
    parse_signed_data(signed_data.value)
}

/// ```text
/// SignedData ::= SEQUENCE {
///   version CMSVersion,
///   digestAlgorithms SET OF DigestAlgorithmIdentifier,
///   encapContentInfo EncapsulatedContentInfo,
///   certificates [0] IMPLICIT CertificateSet OPTIONAL,
///   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///   signerInfos SET OF SignerInfo }
/// ```
fn parse_signed_data(value: &[u8]) -> Result<TimeStampToken, Error> {
    let mut r = DerReader::new(value);
    let version = read_small_unsigned(&mut r, "SignedData version")?;
    if !matches!(version, 1 | 3) {
        return Err(Error::UnsupportedVersion {
            what: "SignedData",
            version,
        });
    }
    let digest_algorithms = r.expect(TAG_SET, "SignedData digestAlgorithms")?;
    let mut algs = DerReader::new(digest_algorithms.value);
    while !algs.is_empty() {
        read_algorithm_identifier(&mut algs, "SignedData digestAlgorithms")?;
    }

    let encap = r.expect(TAG_SEQUENCE, "EncapsulatedContentInfo")?;
    let mut e = DerReader::new(encap.value);
    let econtent_type = read_oid(&mut e, "eContentType")?;
    if econtent_type != OID_TST_INFO {
        return Err(Error::UnexpectedContentType(econtent_type));
    }
    let econtent = e.expect(TAG_CTX0, "eContent")?;
    e.finish("trailing data in EncapsulatedContentInfo")?;
    let tst_info_der = single(econtent.value, TAG_OCTET_STRING, "eContent OCTET STRING")?.value;

    let mut certificates = Vec::new();
    if let Some(certs) = r.optional(TAG_CTX0, "certificates")? {
        let mut c = DerReader::new(certs.value);
        while !c.is_empty() {
            let cert = c.read("certificates")?;
            // Only plain X.509 certificates; attribute or other certificate choices are refused.
            if cert.tag != TAG_SEQUENCE {
                return Err(Error::Malformed("an embedded certificate is not X.509"));
            }
            if certificates.len() == MAX_EMBEDDED_CERTS {
                return Err(Error::Malformed("too many embedded certificates"));
            }
            certificates.push(cert.raw.to_vec());
        }
    }
    r.optional(TAG_CTX1, "crls")?;
    let signer_infos = r.expect(TAG_SET, "signerInfos")?;
    r.finish("trailing data in SignedData")?;

    let mut s = DerReader::new(signer_infos.value);
    let mut infos = Vec::new();
    while !s.is_empty() {
        infos.push(s.expect(TAG_SEQUENCE, "SignerInfo")?);
        if infos.len() > 1 {
            break;
        }
    }
    let signer = match infos.as_slice() {
        [one] => parse_signer_info(one.value)?,
        _ => return Err(Error::SignerInfoCount { count: infos.len() }),
    };
    let tst_info = parse_tst_info(tst_info_der)?;
    Ok(TimeStampToken {
        tst_info,
        tst_info_der: tst_info_der.to_vec(),
        signer,
        certificates,
    })
}

/// ```text
/// SignerInfo ::= SEQUENCE {
///   version CMSVersion,
///   sid SignerIdentifier,
///   digestAlgorithm DigestAlgorithmIdentifier,
///   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
///   signatureAlgorithm SignatureAlgorithmIdentifier,
///   signature SignatureValue,
///   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// ```
fn parse_signer_info(value: &[u8]) -> Result<SignerInfo, Error> {
    let mut r = DerReader::new(value);
    let version = read_small_unsigned(&mut r, "SignerInfo version")?;
    let sid_tlv = r.read("SignerInfo sid")?;
    let sid = match (version, sid_tlv.tag) {
        (1, TAG_SEQUENCE) => {
            let mut i = DerReader::new(sid_tlv.value);
            let issuer = i.expect(TAG_SEQUENCE, "sid issuer")?;
            let serial = i.expect(TAG_INTEGER, "sid serialNumber")?;
            i.finish("trailing data in IssuerAndSerialNumber")?;
            SignerId::IssuerAndSerial {
                issuer: issuer.raw.to_vec(),
                serial: integer_bytes(serial.value, "sid serialNumber")?,
            }
        }
        (3, TAG_CTX0_PRIM) => SignerId::SubjectKeyId(sid_tlv.value.to_vec()),
        (1 | 3, _) => return Err(Error::Malformed("SignerInfo sid")),
        (version, _) => {
            return Err(Error::UnsupportedVersion {
                what: "SignerInfo",
                version,
            })
        }
    };
    let digest_algorithm = read_algorithm_identifier(&mut r, "SignerInfo digestAlgorithm")?;
    let signed_attrs = r
        .optional(TAG_CTX0, "signedAttrs")?
        .ok_or(Error::MissingSignedAttribute("signedAttrs"))?;
    let signature_algorithm = read_algorithm_identifier(&mut r, "SignerInfo signatureAlgorithm")?;
    let signature = r.expect(TAG_OCTET_STRING, "SignerInfo signature")?;
    r.optional(TAG_CTX1, "unsignedAttrs")?;
    r.finish("trailing data in SignerInfo")?;

    let attrs = parse_signed_attrs(signed_attrs.value)?;
    // The signature covers the DER of the attributes with the SET OF tag (RFC 5652 §5.4).
    let mut signed_attrs_der = signed_attrs.raw.to_vec();
    if let Some(tag) = signed_attrs_der.first_mut() {
        *tag = TAG_SET;
    }
    Ok(SignerInfo {
        sid,
        digest_algorithm: digest_algorithm.oid,
        digest_algorithm_params_ok: digest_algorithm.has_null_or_no_parameters(),
        signed_attrs_der,
        content_type: attrs.content_type,
        message_digest: attrs.message_digest,
        signing_certificate: attrs.signing_certificate,
        signing_certificate_v2: attrs.signing_certificate_v2,
        signature_algorithm: signature_algorithm.oid,
        signature_params_ok: signature_algorithm.has_null_or_no_parameters(),
        signature: signature.value.to_vec(),
    })
}

struct SignedAttrs {
    content_type: ObjectIdentifier,
    message_digest: Vec<u8>,
    signing_certificate: Option<EssCertId>,
    signing_certificate_v2: Option<EssCertId>,
}

/// The single value of an attribute whose `attrValues` must hold exactly one element.
fn single_value<'a>(values: &'a [u8], what: &'static str) -> Result<Tlv<'a>, Error> {
    let mut r = DerReader::new(values);
    let value = r.read(what)?;
    r.finish(what)?;
    Ok(value)
}

fn parse_signed_attrs(value: &[u8]) -> Result<SignedAttrs, Error> {
    let mut r = DerReader::new(value);
    let mut content_type = None;
    let mut message_digest = None;
    let mut signing_certificate = None;
    let mut signing_certificate_v2 = None;
    let mut seen: Vec<ObjectIdentifier> = Vec::new();
    while !r.is_empty() {
        if seen.len() == MAX_SIGNED_ATTRS {
            return Err(Error::Malformed("too many signed attributes"));
        }
        let attr = r.expect(TAG_SEQUENCE, "Attribute")?;
        let mut a = DerReader::new(attr.value);
        let attr_type = read_oid(&mut a, "Attribute attrType")?;
        let values = a.expect(TAG_SET, "Attribute attrValues")?;
        a.finish("trailing data in Attribute")?;
        if seen.contains(&attr_type) {
            return Err(Error::DuplicateSignedAttribute(attr_type));
        }
        seen.push(attr_type);
        match attr_type {
            o if o == OID_ATTR_CONTENT_TYPE => {
                let v = single_value(values.value, "content-type attribute")?;
                if v.tag != TAG_OID {
                    return Err(Error::Malformed("content-type attribute"));
                }
                content_type = Some(
                    ObjectIdentifier::from_bytes(v.value)
                        .map_err(|_| Error::Malformed("content-type attribute"))?,
                );
            }
            o if o == OID_ATTR_MESSAGE_DIGEST => {
                let v = single_value(values.value, "message-digest attribute")?;
                if v.tag != TAG_OCTET_STRING {
                    return Err(Error::Malformed("message-digest attribute"));
                }
                message_digest = Some(v.value.to_vec());
            }
            o if o == OID_ATTR_SIGNING_CERTIFICATE => {
                let v = single_value(values.value, "signing-certificate attribute")?;
                signing_certificate = Some(parse_signing_certificate(v, false)?);
            }
            o if o == OID_ATTR_SIGNING_CERTIFICATE_V2 => {
                let v = single_value(values.value, "signing-certificate-v2 attribute")?;
                signing_certificate_v2 = Some(parse_signing_certificate(v, true)?);
            }
            _ => {}
        }
    }
    Ok(SignedAttrs {
        content_type: content_type.ok_or(Error::MissingSignedAttribute("content-type"))?,
        message_digest: message_digest.ok_or(Error::MissingSignedAttribute("message-digest"))?,
        signing_certificate,
        signing_certificate_v2,
    })
}

/// ```text
/// SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies ... OPTIONAL }
/// ESSCertID   ::= SEQUENCE { certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
/// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT id-sha256,
///                            certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
/// ```
/// Only the first `ESSCertID`, which names the signer, is returned.
fn parse_signing_certificate(value: Tlv<'_>, v2: bool) -> Result<EssCertId, Error> {
    const WHAT: &str = "signing-certificate attribute";
    if value.tag != TAG_SEQUENCE {
        return Err(Error::Malformed(WHAT));
    }
    let mut r = DerReader::new(value.value);
    let certs = r.expect(TAG_SEQUENCE, WHAT)?;
    r.optional(TAG_SEQUENCE, WHAT)?;
    r.finish(WHAT)?;
    let mut c = DerReader::new(certs.value);
    let first = c.expect(TAG_SEQUENCE, WHAT)?;
    let mut e = DerReader::new(first.value);
    let hash_algorithm = if v2 {
        match e.peek_tag() {
            Some(TAG_SEQUENCE) => {
                let alg = algorithm_identifier(e.read(WHAT)?, WHAT)?;
                Some(alg.oid)
            }
            _ => Some(crate::asn1::OID_SHA256),
        }
    } else {
        None
    };
    let cert_hash = e.expect(TAG_OCTET_STRING, WHAT)?.value.to_vec();
    let issuer_serial = match e.optional(TAG_SEQUENCE, WHAT)? {
        None => None,
        Some(is) => {
            let mut i = DerReader::new(is.value);
            let names = i.expect(TAG_SEQUENCE, WHAT)?;
            let serial = i.expect(TAG_INTEGER, WHAT)?;
            i.finish(WHAT)?;
            let mut n = DerReader::new(names.value);
            let mut directory_names = Vec::new();
            while !n.is_empty() {
                let name = n.read(WHAT)?;
                if name.tag == TAG_CTX4 {
                    directory_names.push(single(name.value, TAG_SEQUENCE, WHAT)?.raw.to_vec());
                }
            }
            Some((directory_names, integer_bytes(serial.value, WHAT)?))
        }
    };
    e.finish(WHAT)?;
    Ok(EssCertId {
        hash_algorithm,
        cert_hash,
        issuer_serial,
    })
}

/// ```text
/// TSTInfo ::= SEQUENCE {
///   version INTEGER { v1(1) },
///   policy TSAPolicyId,
///   messageImprint MessageImprint,
///   serialNumber INTEGER,
///   genTime GeneralizedTime,
///   accuracy Accuracy OPTIONAL,
///   ordering BOOLEAN DEFAULT FALSE,
///   nonce INTEGER OPTIONAL,
///   tsa [0] GeneralName OPTIONAL,
///   extensions [1] IMPLICIT Extensions OPTIONAL }
/// ```
pub(crate) fn parse_tst_info(der: &[u8]) -> Result<TstInfo, Error> {
    let outer = single(der, TAG_SEQUENCE, "TSTInfo")?;
    let mut r = DerReader::new(outer.value);
    let version = read_small_unsigned(&mut r, "TSTInfo version")?;
    if version != 1 {
        return Err(Error::UnsupportedVersion {
            what: "TSTInfo",
            version,
        });
    }
    let policy = read_oid(&mut r, "TSTInfo policy")?;
    let imprint = r.expect(TAG_SEQUENCE, "messageImprint")?;
    let mut m = DerReader::new(imprint.value);
    let imprint_algorithm = read_algorithm_identifier(&mut m, "messageImprint hashAlgorithm")?;
    if !imprint_algorithm.has_null_or_no_parameters() {
        return Err(Error::Malformed("messageImprint hashAlgorithm parameters"));
    }
    let hashed_message = m.expect(TAG_OCTET_STRING, "messageImprint hashedMessage")?;
    m.finish("trailing data in messageImprint")?;
    let serial = r.expect(TAG_INTEGER, "TSTInfo serialNumber")?;
    let serial = integer_bytes(serial.value, "TSTInfo serialNumber")?;
    let gen_time = generalized_time(r.expect(TAG_GENERALIZED_TIME, "genTime")?.value)?;
    let accuracy = match r.optional(TAG_SEQUENCE, "accuracy")? {
        Some(acc) => Some(parse_accuracy(acc.value)?),
        None => None,
    };
    let ordering = match r.optional(TAG_BOOLEAN, "ordering")? {
        Some(b) => boolean(b.value, "ordering")?,
        None => false,
    };
    let nonce = match r.optional(TAG_INTEGER, "nonce")? {
        Some(n) => Some(integer_bytes(n.value, "nonce")?),
        None => None,
    };
    let tsa_name = match r.optional(TAG_CTX0, "tsa")? {
        Some(name) => {
            let mut n = DerReader::new(name.value);
            let general_name = n.read("tsa GeneralName")?;
            n.finish("tsa GeneralName")?;
            Some(general_name.raw.to_vec())
        }
        None => None,
    };
    let extensions = match r.optional(TAG_CTX1, "TSTInfo extensions")? {
        Some(exts) => parse_extensions(exts.value)?,
        None => Vec::new(),
    };
    r.finish("trailing data in TSTInfo")?;
    Ok(TstInfo {
        policy,
        imprint_algorithm: imprint_algorithm.oid,
        hashed_message: hashed_message.value.to_vec(),
        serial,
        gen_time,
        accuracy,
        ordering,
        nonce,
        tsa_name,
        extensions,
    })
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
/// micros [1] INTEGER (1..999) OPTIONAL }`.
fn parse_accuracy(value: &[u8]) -> Result<Accuracy, Error> {
    let mut r = DerReader::new(value);
    let mut accuracy = Accuracy::default();
    if let Some(s) = r.optional(TAG_INTEGER, "accuracy seconds")? {
        accuracy.seconds = small_unsigned(s.value, "accuracy seconds")?;
    }
    let sub_second = |tlv: Option<Tlv<'_>>, what: &'static str| -> Result<u16, Error> {
        match tlv {
            None => Ok(0),
            Some(t) => match small_unsigned(t.value, what)? {
                v @ 1..=999 => Ok(v as u16),
                _ => Err(Error::Malformed(what)),
            },
        }
    };
    accuracy.millis = sub_second(
        r.optional(TAG_CTX0_PRIM, "accuracy millis")?,
        "accuracy millis",
    )?;
    accuracy.micros = sub_second(
        r.optional(TAG_CTX1_PRIM, "accuracy micros")?,
        "accuracy micros",
    )?;
    r.finish("trailing data in accuracy")?;
    Ok(accuracy)
}

/// `Extensions ::= SEQUENCE OF Extension`; critical extensions are not understood and rejected.
fn parse_extensions(value: &[u8]) -> Result<Vec<ObjectIdentifier>, Error> {
    let mut r = DerReader::new(value);
    let mut oids = Vec::new();
    while !r.is_empty() {
        let ext = r.expect(TAG_SEQUENCE, "Extension")?;
        let mut e = DerReader::new(ext.value);
        let oid = read_oid(&mut e, "Extension extnID")?;
        let critical = match e.optional(TAG_BOOLEAN, "Extension critical")? {
            Some(b) => boolean(b.value, "Extension critical")?,
            None => false,
        };
        e.expect(TAG_OCTET_STRING, "Extension extnValue")?;
        e.finish("trailing data in Extension")?;
        if critical {
            return Err(Error::UnsupportedCriticalExtension(oid));
        }
        if oids.len() == MAX_SIGNED_ATTRS {
            return Err(Error::Malformed("too many TSTInfo extensions"));
        }
        oids.push(oid);
    }
    Ok(oids)
}
