//! The RFC 3161 and CMS structures the testkit's TSA reads and writes, as `der` types:
//! `TimeStampReq` is decoded and `TimeStampResp` (CMS `SignedData` over a `TSTInfo`) encoded
//! with the `der` crate's derive macros.

use const_oid::ObjectIdentifier;
use der::asn1::{Any, GeneralizedTime, IntRef, OctetString, SetOfVec};
use der::{Sequence, ValueOrd};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct MessageImprint {
    pub(crate) hash_algorithm: AlgorithmIdentifierOwned,
    pub(crate) hashed_message: OctetString,
}

/// `TimeStampReq` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TimeStampReq<'a> {
    pub(crate) version: u8,
    pub(crate) message_imprint: MessageImprint,
    pub(crate) req_policy: Option<ObjectIdentifier>,
    pub(crate) nonce: Option<IntRef<'a>>,
    #[asn1(default = "Default::default")]
    pub(crate) cert_req: bool,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub(crate) extensions: Option<Vec<Extension>>,
}

/// `TSTInfo` (RFC 3161 §2.4.2), the fields the testkit writes.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TstInfo<'a> {
    pub(crate) version: u8,
    pub(crate) policy: ObjectIdentifier,
    pub(crate) message_imprint: MessageImprint,
    pub(crate) serial_number: SerialNumber,
    pub(crate) gen_time: GeneralizedTime,
    pub(crate) nonce: Option<IntRef<'a>>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub(crate) issuer: Vec<GeneralName>,
    pub(crate) serial_number: SerialNumber,
}

/// `ESSCertIDv2` with the default hash algorithm (SHA-256) omitted.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    pub(crate) cert_hash: OctetString,
    pub(crate) issuer_serial: IssuerSerial,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }` (no policies).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub(crate) certs: Vec<EssCertIdV2>,
}

/// `IssuerAndSerialNumber` (RFC 5652 §10.2.4).
#[derive(Clone, Debug, Eq, PartialEq, Sequence, ValueOrd)]
pub(crate) struct IssuerAndSerialNumber {
    pub(crate) issuer: Name,
    pub(crate) serial_number: SerialNumber,
}

/// `SignerInfo` (RFC 5652 §5.3) with an `issuerAndSerialNumber` signer identifier.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SignerInfo {
    pub(crate) version: u8,
    pub(crate) sid: IssuerAndSerialNumber,
    pub(crate) digest_algorithm: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    pub(crate) signed_attrs: SetOfVec<Attribute>,
    pub(crate) signature_algorithm: AlgorithmIdentifierOwned,
    pub(crate) signature: OctetString,
}

/// `EncapsulatedContentInfo` (RFC 5652 §5.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EncapsulatedContentInfo {
    pub(crate) e_content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub(crate) e_content: OctetString,
}

/// `SignedData` (RFC 5652 §5.1) with one SignerInfo and no CRLs.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SignedData {
    pub(crate) version: u8,
    pub(crate) digest_algorithms: SetOfVec<AlgorithmIdentifierOwned>,
    pub(crate) encap_content_info: EncapsulatedContentInfo,
    /// `[0] IMPLICIT CertificateSet`: the DER certificates, in order.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub(crate) certificates: Option<Vec<Any>>,
    /// `SET OF SignerInfo` (one element, so already in DER order).
    pub(crate) signer_infos: Any,
}

/// `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct ContentInfo {
    pub(crate) content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub(crate) content: Any,
}

/// `PKIStatusInfo` with only the status.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PkiStatusInfo {
    pub(crate) status: u8,
}

/// `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TimeStampResp {
    pub(crate) status: PkiStatusInfo,
    pub(crate) time_stamp_token: Option<ContentInfo>,
}
