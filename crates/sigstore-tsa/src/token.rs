//! Parsing of `TimeStampResp`, the CMS `SignedData` timestamp token and `TSTInfo`
//! (RFC 3161 §2.4.2, RFC 5652 §5).

use const_oid::ObjectIdentifier;
use sigstore_types::Timestamp;

use der::asn1::{AnyRef, OctetStringRef};
use der::{Decode, Reader, Tag, Tagged};

use crate::der_io::{
    algorithm_identifier, element, generalized_time, integer_bytes, next, optional_element,
    raw_element, single, walk, AlgorithmIdentifier, MessageImprint, CTX0, CTX0_PRIM, CTX1,
    CTX1_PRIM, CTX4, OID_SHA256,
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
        let outer = single(bytes, Tag::Sequence, "token is not a DER SEQUENCE")?;
        let first = match outer.value().first() {
            Some(&octet) => Tag::try_from(octet).ok(),
            None => None,
        };
        match first {
            Some(Tag::ObjectIdentifier) => parse_content_info(outer.value()),
            Some(Tag::Sequence) => {
                let token = walk(outer.value(), "trailing data in TimeStampResp", |r| {
                    let status = element(r, Tag::Sequence, "PKIStatusInfo")?;
                    check_status(status.value())?;
                    optional_element(r, Tag::Sequence, "timeStampToken")
                })?;
                let token = token.ok_or(Error::MissingToken)?;
                parse_content_info(token.value())
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
    let status = walk(value, "trailing data in PKIStatusInfo", |r| {
        let status: u64 = next(r, "PKIStatus")?;
        optional_element(r, Tag::Sequence, "statusString")?;
        optional_element(r, Tag::BitString, "failInfo")?;
        Ok(status)
    })?;
    match status {
        0 | 1 => Ok(()),
        status => Err(Error::StatusNotGranted { status }),
    }
}

/// `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }` (the content of the
/// outer SEQUENCE).
fn parse_content_info(value: &[u8]) -> Result<TimeStampToken, Error> {
    let content = walk(value, "trailing data in ContentInfo", |r| {
        let content_type: ObjectIdentifier = next(r, "ContentInfo contentType")?;
        if content_type != OID_SIGNED_DATA {
            return Err(Error::UnexpectedContentType(content_type));
        }
        element(r, CTX0, "ContentInfo content")
    })?;
    let signed_data = single(content.value(), Tag::Sequence, "SignedData")?;
    parse_signed_data(signed_data.value())
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
    let (tst_info_der, certificates, signer_infos) =
        walk(value, "trailing data in SignedData", |r| {
            let version: u64 = next(r, "SignedData version")?;
            if !matches!(version, 1 | 3) {
                return Err(Error::UnsupportedVersion {
                    what: "SignedData",
                    version,
                });
            }
            let digest_algorithms = element(r, Tag::Set, "SignedData digestAlgorithms")?;
            walk(
                digest_algorithms.value(),
                "SignedData digestAlgorithms",
                |a| {
                    while !a.is_finished() {
                        algorithm_identifier(a, "SignedData digestAlgorithms")?;
                    }
                    Ok(())
                },
            )?;

            let encap = element(r, Tag::Sequence, "EncapsulatedContentInfo")?;
            let econtent = walk(
                encap.value(),
                "trailing data in EncapsulatedContentInfo",
                |e| {
                    let econtent_type: ObjectIdentifier = next(e, "eContentType")?;
                    if econtent_type != OID_TST_INFO {
                        return Err(Error::UnexpectedContentType(econtent_type));
                    }
                    element(e, CTX0, "eContent")
                },
            )?;
            let tst_info_der = OctetStringRef::from_der(econtent.value())
                .map_err(crate::der_io::der_error("eContent OCTET STRING"))?
                .as_bytes();

            let mut certificates = Vec::new();
            if let Some(certs) = optional_element(r, CTX0, "certificates")? {
                walk(certs.value(), "certificates", |c| {
                    while !c.is_finished() {
                        let (cert, raw) = raw_element(c, "certificates")?;
                        // Only plain X.509 certificates; attribute or other certificate
                        // choices are refused.
                        if cert.tag() != Tag::Sequence {
                            return Err(Error::Malformed("an embedded certificate is not X.509"));
                        }
                        if certificates.len() == MAX_EMBEDDED_CERTS {
                            return Err(Error::Malformed("too many embedded certificates"));
                        }
                        certificates.push(raw.to_vec());
                    }
                    Ok(())
                })?;
            }
            optional_element(r, CTX1, "crls")?;
            let signer_infos = element(r, Tag::Set, "signerInfos")?;
            Ok((tst_info_der, certificates, signer_infos))
        })?;

    // At most two SignerInfos are read: one more than the one allowed.
    let mut reader = der::SliceReader::new(signer_infos.value())
        .map_err(crate::der_io::der_error("signerInfos"))?;
    let mut infos = Vec::new();
    while !reader.is_finished() {
        infos.push(element(&mut reader, Tag::Sequence, "SignerInfo")?);
        if infos.len() > 1 {
            break;
        }
    }
    let signer = match infos.as_slice() {
        [one] => parse_signer_info(one.value())?,
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
    struct Fields<'a> {
        sid: SignerId,
        digest_algorithm: AlgorithmIdentifier<'a>,
        signed_attrs: (AnyRef<'a>, &'a [u8]),
        signature_algorithm: AlgorithmIdentifier<'a>,
        signature: OctetStringRef<'a>,
    }
    let fields = walk(value, "trailing data in SignerInfo", |r| {
        let version: u64 = next(r, "SignerInfo version")?;
        let sid_element: AnyRef<'_> = next(r, "SignerInfo sid")?;
        let sid = match (version, sid_element.tag()) {
            (1, Tag::Sequence) => walk(
                sid_element.value(),
                "trailing data in IssuerAndSerialNumber",
                |i| {
                    let (issuer, issuer_raw) = raw_element(i, "sid issuer")?;
                    if issuer.tag() != Tag::Sequence {
                        return Err(Error::Malformed("sid issuer"));
                    }
                    let serial = element(i, Tag::Integer, "sid serialNumber")?;
                    Ok(SignerId::IssuerAndSerial {
                        issuer: issuer_raw.to_vec(),
                        serial: integer_bytes(serial, "sid serialNumber")?,
                    })
                },
            )?,
            (3, CTX0_PRIM) => SignerId::SubjectKeyId(sid_element.value().to_vec()),
            (1 | 3, _) => return Err(Error::Malformed("SignerInfo sid")),
            (version, _) => {
                return Err(Error::UnsupportedVersion {
                    what: "SignerInfo",
                    version,
                })
            }
        };
        let digest_algorithm = algorithm_identifier(r, "SignerInfo digestAlgorithm")?;
        if r.is_finished() || r.peek_tag().ok() != Some(CTX0) {
            return Err(Error::MissingSignedAttribute("signedAttrs"));
        }
        let signed_attrs = raw_element(r, "signedAttrs")?;
        let signature_algorithm = algorithm_identifier(r, "SignerInfo signatureAlgorithm")?;
        let signature: OctetStringRef<'_> = next(r, "SignerInfo signature")?;
        optional_element(r, CTX1, "unsignedAttrs")?;
        Ok(Fields {
            sid,
            digest_algorithm,
            signed_attrs,
            signature_algorithm,
            signature,
        })
    })?;

    let (attrs_element, attrs_raw) = fields.signed_attrs;
    let attrs = parse_signed_attrs(attrs_element.value())?;
    // The signature covers the DER of the attributes with the SET OF tag (RFC 5652 §5.4): the
    // bytes as they were encoded, the [0] IMPLICIT tag replaced by SET (0x31).
    let mut signed_attrs_der = attrs_raw.to_vec();
    if let Some(tag) = signed_attrs_der.first_mut() {
        *tag = u8::from(Tag::Set);
    }
    Ok(SignerInfo {
        sid: fields.sid,
        digest_algorithm: fields.digest_algorithm.oid,
        digest_algorithm_params_ok: fields.digest_algorithm.has_null_or_no_parameters(),
        signed_attrs_der,
        content_type: attrs.content_type,
        message_digest: attrs.message_digest,
        signing_certificate: attrs.signing_certificate,
        signing_certificate_v2: attrs.signing_certificate_v2,
        signature_algorithm: fields.signature_algorithm.oid,
        signature_params_ok: fields.signature_algorithm.has_null_or_no_parameters(),
        signature: fields.signature.as_bytes().to_vec(),
    })
}

struct SignedAttrs {
    content_type: ObjectIdentifier,
    message_digest: Vec<u8>,
    signing_certificate: Option<EssCertId>,
    signing_certificate_v2: Option<EssCertId>,
}

/// The single value of an attribute whose `attrValues` must hold exactly one element.
fn single_value<'a>(values: &'a [u8], what: &'static str) -> Result<AnyRef<'a>, Error> {
    walk(values, what, |r| next(r, what))
}

fn parse_signed_attrs(value: &[u8]) -> Result<SignedAttrs, Error> {
    let mut content_type = None;
    let mut message_digest = None;
    let mut signing_certificate = None;
    let mut signing_certificate_v2 = None;
    let mut seen: Vec<ObjectIdentifier> = Vec::new();
    walk(value, "signedAttrs", |r| {
        while !r.is_finished() {
            if seen.len() == MAX_SIGNED_ATTRS {
                return Err(Error::Malformed("too many signed attributes"));
            }
            let attr = element(r, Tag::Sequence, "Attribute")?;
            let (attr_type, values) = walk(attr.value(), "trailing data in Attribute", |a| {
                let attr_type: ObjectIdentifier = next(a, "Attribute attrType")?;
                let values = element(a, Tag::Set, "Attribute attrValues")?;
                Ok((attr_type, values))
            })?;
            if seen.contains(&attr_type) {
                return Err(Error::DuplicateSignedAttribute(attr_type));
            }
            seen.push(attr_type);
            match attr_type {
                o if o == OID_ATTR_CONTENT_TYPE => {
                    const WHAT: &str = "content-type attribute";
                    let v = single_value(values.value(), WHAT)?;
                    if v.tag() != Tag::ObjectIdentifier {
                        return Err(Error::Malformed(WHAT));
                    }
                    content_type = Some(
                        v.decode_as::<ObjectIdentifier>()
                            .map_err(crate::der_io::der_error(WHAT))?,
                    );
                }
                o if o == OID_ATTR_MESSAGE_DIGEST => {
                    const WHAT: &str = "message-digest attribute";
                    let v = single_value(values.value(), WHAT)?;
                    if v.tag() != Tag::OctetString {
                        return Err(Error::Malformed(WHAT));
                    }
                    message_digest = Some(v.value().to_vec());
                }
                o if o == OID_ATTR_SIGNING_CERTIFICATE => {
                    let v = single_value(values.value(), "signing-certificate attribute")?;
                    signing_certificate = Some(parse_signing_certificate(v, false)?);
                }
                o if o == OID_ATTR_SIGNING_CERTIFICATE_V2 => {
                    let v = single_value(values.value(), "signing-certificate-v2 attribute")?;
                    signing_certificate_v2 = Some(parse_signing_certificate(v, true)?);
                }
                _ => {}
            }
        }
        Ok(())
    })?;
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
fn parse_signing_certificate(value: AnyRef<'_>, v2: bool) -> Result<EssCertId, Error> {
    const WHAT: &str = "signing-certificate attribute";
    if value.tag() != Tag::Sequence {
        return Err(Error::Malformed(WHAT));
    }
    let certs = walk(value.value(), WHAT, |r| {
        let certs = element(r, Tag::Sequence, WHAT)?;
        optional_element(r, Tag::Sequence, WHAT)?;
        Ok(certs)
    })?;
    let mut c = der::SliceReader::new(certs.value()).map_err(crate::der_io::der_error(WHAT))?;
    let first = element(&mut c, Tag::Sequence, WHAT)?;
    walk(first.value(), WHAT, |e| {
        let hash_algorithm = if v2 {
            if !e.is_finished() && e.peek_tag().ok() == Some(Tag::Sequence) {
                Some(algorithm_identifier(e, WHAT)?.oid)
            } else {
                Some(OID_SHA256)
            }
        } else {
            None
        };
        let cert_hash = element(e, Tag::OctetString, WHAT)?.value().to_vec();
        let issuer_serial = match optional_element(e, Tag::Sequence, WHAT)? {
            None => None,
            Some(is) => Some(walk(is.value(), WHAT, |i| {
                let names = element(i, Tag::Sequence, WHAT)?;
                let serial = element(i, Tag::Integer, WHAT)?;
                let directory_names = walk(names.value(), WHAT, |n| {
                    let mut directory_names = Vec::new();
                    while !n.is_finished() {
                        let name: AnyRef<'_> = next(n, WHAT)?;
                        if name.tag() == CTX4 {
                            directory_names.push(
                                walk(name.value(), WHAT, |d| raw_element(d, WHAT)).and_then(
                                    |(inner, raw)| {
                                        if inner.tag() == Tag::Sequence {
                                            Ok(raw.to_vec())
                                        } else {
                                            Err(Error::Malformed(WHAT))
                                        }
                                    },
                                )?,
                            );
                        }
                    }
                    Ok(directory_names)
                })?;
                Ok((directory_names, integer_bytes(serial, WHAT)?))
            })?),
        };
        Ok(EssCertId {
            hash_algorithm,
            cert_hash,
            issuer_serial,
        })
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
    let outer = single(der, Tag::Sequence, "TSTInfo")?;
    walk(outer.value(), "trailing data in TSTInfo", |r| {
        let version: u64 = next(r, "TSTInfo version")?;
        if version != 1 {
            return Err(Error::UnsupportedVersion {
                what: "TSTInfo",
                version,
            });
        }
        let policy: ObjectIdentifier = next(r, "TSTInfo policy")?;
        let imprint: MessageImprint<'_> = next(r, "messageImprint")?;
        if !imprint.hash_algorithm.has_null_or_no_parameters() {
            return Err(Error::Malformed("messageImprint hashAlgorithm parameters"));
        }
        let serial = element(r, Tag::Integer, "TSTInfo serialNumber")?;
        let serial = integer_bytes(serial, "TSTInfo serialNumber")?;
        let gen_time = generalized_time(element(r, Tag::GeneralizedTime, "genTime")?.value())?;
        let accuracy = match optional_element(r, Tag::Sequence, "accuracy")? {
            Some(acc) => Some(parse_accuracy(acc.value())?),
            None => None,
        };
        let ordering = match optional_element(r, Tag::Boolean, "ordering")? {
            Some(b) => b
                .decode_as::<bool>()
                .map_err(crate::der_io::der_error("ordering"))?,
            None => false,
        };
        let nonce = match optional_element(r, Tag::Integer, "nonce")? {
            Some(n) => Some(integer_bytes(n, "nonce")?),
            None => None,
        };
        let tsa_name = match optional_element(r, CTX0, "tsa")? {
            Some(name) => Some(
                walk(name.value(), "tsa GeneralName", |n| {
                    raw_element(n, "tsa GeneralName")
                })?
                .1
                .to_vec(),
            ),
            None => None,
        };
        let extensions = match optional_element(r, CTX1, "TSTInfo extensions")? {
            Some(exts) => parse_extensions(exts.value())?,
            None => Vec::new(),
        };
        Ok(TstInfo {
            policy,
            imprint_algorithm: imprint.hash_algorithm.oid,
            hashed_message: imprint.hashed_message.as_bytes().to_vec(),
            serial,
            gen_time,
            accuracy,
            ordering,
            nonce,
            tsa_name,
            extensions,
        })
    })
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
/// micros [1] INTEGER (1..999) OPTIONAL }`.
fn parse_accuracy(value: &[u8]) -> Result<Accuracy, Error> {
    walk(value, "trailing data in accuracy", |r| {
        let mut accuracy = Accuracy::default();
        if let Some(s) = optional_element(r, Tag::Integer, "accuracy seconds")? {
            accuracy.seconds = s
                .decode_as::<u64>()
                .map_err(crate::der_io::der_error("accuracy seconds"))?;
        }
        // `[0]`/`[1]` IMPLICIT INTEGER: the content read as an INTEGER's.
        let sub_second = |element: Option<AnyRef<'_>>, what: &'static str| -> Result<u16, Error> {
            match element {
                None => Ok(0),
                Some(e) => {
                    let value = AnyRef::new(Tag::Integer, e.value())
                        .and_then(|integer| integer.decode_as::<u64>())
                        .map_err(crate::der_io::der_error(what))?;
                    match value {
                        v @ 1..=999 => Ok(v as u16),
                        _ => Err(Error::Malformed(what)),
                    }
                }
            }
        };
        accuracy.millis = sub_second(
            optional_element(r, CTX0_PRIM, "accuracy millis")?,
            "accuracy millis",
        )?;
        accuracy.micros = sub_second(
            optional_element(r, CTX1_PRIM, "accuracy micros")?,
            "accuracy micros",
        )?;
        Ok(accuracy)
    })
}

/// `Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET
/// STRING }`.
#[derive(der::Sequence)]
struct Extension<'a> {
    extn_id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    critical: bool,
    extn_value: OctetStringRef<'a>,
}

/// `Extensions ::= SEQUENCE OF Extension`; critical extensions are not understood and rejected.
fn parse_extensions(value: &[u8]) -> Result<Vec<ObjectIdentifier>, Error> {
    walk(value, "TSTInfo extensions", |r| {
        let mut oids = Vec::new();
        while !r.is_finished() {
            let ext: Extension<'_> = next(r, "Extension")?;
            let _ = ext.extn_value;
            if ext.critical {
                return Err(Error::UnsupportedCriticalExtension(ext.extn_id));
            }
            if oids.len() == MAX_SIGNED_ATTRS {
                return Err(Error::Malformed("too many TSTInfo extensions"));
            }
            oids.push(ext.extn_id);
        }
        Ok(oids)
    })
}
