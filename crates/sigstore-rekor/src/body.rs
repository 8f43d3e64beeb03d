//! Parsing a log entry's `canonicalizedBody` and binding it to what the bundle says.
//!
//! A log entry only proves something about an artifact when its body names the same
//! signature, key or certificate, and artifact (or DSSE payload) as the bundle. Parse the body
//! with [`EntryBody::parse`], then check it with [`EntryBody::check_message_signature`] (for
//! `messageSignature` bundles) or [`EntryBody::check_dsse`] (for `dsseEnvelope` bundles).
//!
//! For Rekor v2 prefer [`rebuild_hashedrekord_v002`]: build the body from the bundle's own
//! data, hash it with [`crate::merkle::leaf_hash`] and check the inclusion proof with that
//! leaf hash, so the stored body need not be trusted at all.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::value::RawValue;
use sigstore_crypto::{Digest, HashAlgorithm};

use crate::error::BodyField;
use crate::Error;

/// Largest `canonicalizedBody` accepted, in bytes. Real entries are kilobytes (in-toto
/// entries embed the envelope, still far below this); the bound stops a hostile body from
/// making us parse and decode arbitrarily much JSON.
pub const MAX_BODY_SIZE: usize = 32 << 20;

/// Most signatures read from a DSSE or in-toto entry body. Bundles carry exactly one; the cap
/// only bounds decoding work on hostile bodies.
pub const MAX_BODY_SIGNATURES: usize = 32;

/// The key or certificate a bundle says signed, as DER bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verifier<'a> {
    /// A DER X.509 certificate (the bundle's leaf certificate).
    Certificate(&'a [u8]),
    /// A DER `SubjectPublicKeyInfo` (a managed key).
    PublicKey(&'a [u8]),
}

/// The key or certificate recorded in a log entry, decoded to DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoggedVerifier {
    /// A DER X.509 certificate.
    Certificate(Vec<u8>),
    /// A DER `SubjectPublicKeyInfo`.
    PublicKey(Vec<u8>),
}

impl LoggedVerifier {
    fn matches(&self, verifier: Verifier<'_>) -> bool {
        match (self, verifier) {
            (Self::Certificate(a), Verifier::Certificate(b))
            | (Self::PublicKey(a), Verifier::PublicKey(b)) => a.as_slice() == b,
            _ => false,
        }
    }
}

/// One signature recorded in a DSSE or in-toto entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedSignature {
    /// The raw signature bytes.
    pub signature: Vec<u8>,
    /// Who made it.
    pub verifier: LoggedVerifier,
}

/// A parsed log entry body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryBody {
    /// Rekor v1 `hashedrekord` 0.0.1.
    HashedRekordV001 {
        /// The artifact digest.
        digest: Digest,
        /// The signature over the artifact.
        signature: Vec<u8>,
        /// The signing certificate or key.
        verifier: LoggedVerifier,
    },
    /// Rekor v1 `dsse` 0.0.1.
    DsseV001 {
        /// Hash of the envelope exactly as submitted; generally not recomputable, not checked.
        envelope_hash: Option<Digest>,
        /// Hash of the DSSE payload bytes.
        payload_hash: Digest,
        /// The envelope's signatures.
        signatures: Vec<LoggedSignature>,
    },
    /// Rekor v1 `intoto` 0.0.1 (no signature recorded, only the key and hashes).
    IntotoV001 {
        /// Hash of the DSSE payload bytes.
        payload_hash: Digest,
        /// The signing certificate or key.
        verifier: LoggedVerifier,
    },
    /// Rekor v1 `intoto` 0.0.2.
    IntotoV002 {
        /// The envelope's payload type.
        payload_type: String,
        /// Hash of the envelope; not checked.
        envelope_hash: Option<Digest>,
        /// Hash of the DSSE payload bytes.
        payload_hash: Digest,
        /// The envelope's signatures.
        signatures: Vec<LoggedSignature>,
    },
    /// Rekor v2 `hashedrekord` 0.0.2 (artifacts, and DSSE envelopes via their PAE digest).
    HashedRekordV002 {
        /// The artifact digest, or the digest of the DSSE PAE.
        digest: Digest,
        /// The signature.
        signature: Vec<u8>,
        /// The signing certificate or key.
        verifier: LoggedVerifier,
        /// The protobuf-specs `PublicKeyDetails` name, e.g. `PKIX_ECDSA_P256_SHA_256`.
        key_details: String,
    },
    /// Rekor v2 `dsse` 0.0.2 (deprecated; seen in early staging data).
    DsseV002 {
        /// Hash of the DSSE payload bytes.
        payload_hash: Digest,
        /// The envelope's signatures.
        signatures: Vec<LoggedSignature>,
    },
}

/// The body's outer object. `spec` must be present; its text is kept as it is and decoded
/// straight into the shape its kind and version call for (see [`from_spec`]), which is cheaper
/// than building a generic JSON tree and converting it.
#[derive(Deserialize)]
struct Envelope<'a> {
    kind: String,
    #[serde(rename = "apiVersion")]
    api_version: String,
    #[serde(borrow)]
    spec: &'a RawValue,
}

// ----- Rekor v1 shapes -----

#[derive(Deserialize)]
struct V1Hash {
    algorithm: String,
    value: String,
}

#[derive(Deserialize)]
struct HashedRekordV001Spec {
    data: HashedRekordV001Data,
    signature: HashedRekordV001Signature,
}

#[derive(Deserialize)]
struct HashedRekordV001Data {
    hash: V1Hash,
}

#[derive(Deserialize)]
struct HashedRekordV001Signature {
    content: String,
    #[serde(rename = "publicKey")]
    public_key: V1Content,
}

#[derive(Deserialize)]
struct V1Content {
    content: String,
}

#[derive(Deserialize)]
struct DsseV001Spec {
    #[serde(rename = "envelopeHash")]
    envelope_hash: Option<V1Hash>,
    #[serde(rename = "payloadHash")]
    payload_hash: V1Hash,
    signatures: Vec<DsseV001Signature>,
}

#[derive(Deserialize)]
struct DsseV001Signature {
    signature: String,
    verifier: String,
}

#[derive(Deserialize)]
struct IntotoV001Spec {
    content: IntotoV001Content,
    #[serde(rename = "publicKey")]
    public_key: String,
}

#[derive(Deserialize)]
struct IntotoV001Content {
    #[serde(rename = "payloadHash")]
    payload_hash: Option<V1Hash>,
}

#[derive(Deserialize)]
struct IntotoV002Spec {
    content: IntotoV002Content,
}

#[derive(Deserialize)]
struct IntotoV002Content {
    envelope: IntotoV002Envelope,
    hash: Option<V1Hash>,
    #[serde(rename = "payloadHash")]
    payload_hash: Option<V1Hash>,
}

#[derive(Deserialize)]
struct IntotoV002Envelope {
    #[serde(rename = "payloadType")]
    payload_type: String,
    signatures: Vec<IntotoV002Signature>,
}

#[derive(Deserialize)]
struct IntotoV002Signature {
    sig: String,
    #[serde(rename = "publicKey")]
    public_key: String,
}

// ----- Rekor v2 shapes -----

#[derive(Deserialize)]
struct HashedRekordV002Outer {
    #[serde(rename = "hashedRekordV002")]
    inner: HashedRekordV002Spec,
}

#[derive(Deserialize)]
struct HashedRekordV002Spec {
    data: V2Hash,
    signature: V2Signature,
}

#[derive(Deserialize)]
struct V2Hash {
    algorithm: String,
    digest: String,
}

#[derive(Deserialize)]
struct V2Signature {
    content: String,
    verifier: V2Verifier,
}

#[derive(Deserialize)]
struct V2Verifier {
    #[serde(rename = "keyDetails")]
    key_details: String,
    #[serde(rename = "x509Certificate")]
    x509_certificate: Option<V2RawBytes>,
    #[serde(rename = "publicKey")]
    public_key: Option<V2RawBytes>,
}

#[derive(Deserialize)]
struct V2RawBytes {
    #[serde(rename = "rawBytes")]
    raw_bytes: String,
}

#[derive(Deserialize)]
struct DsseV002Outer {
    #[serde(rename = "dsseV002")]
    inner: DsseV002Spec,
}

#[derive(Deserialize)]
struct DsseV002Spec {
    #[serde(rename = "payloadHash")]
    payload_hash: V2Hash,
    signatures: Vec<V2Signature>,
}

fn b64(s: &str, what: &'static str) -> Result<Vec<u8>, Error> {
    sigstore_types::encoding::base64_decode_strict(s.as_bytes())
        .map_err(|_| Error::MalformedBody(what))
}

fn v1_hash(h: &V1Hash) -> Result<Digest, Error> {
    let alg = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ]
    .into_iter()
    .find(|a| a.name() == h.algorithm)
    .ok_or(Error::MalformedBody("unknown hash algorithm"))?;
    let bytes = hex::decode(&h.value).map_err(|_| Error::MalformedBody("hash is not hex"))?;
    Digest::new(alg, &bytes).ok_or(Error::MalformedBody("hash has the wrong length"))
}

/// The protobuf-specs `HashAlgorithm` name used in Rekor v2 bodies.
fn v2_hash_name(alg: HashAlgorithm) -> &'static str {
    match alg {
        HashAlgorithm::Sha384 => "SHA2_384",
        HashAlgorithm::Sha512 => "SHA2_512",
        _ => "SHA2_256",
    }
}

fn v2_hash(h: &V2Hash) -> Result<Digest, Error> {
    let alg = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ]
    .into_iter()
    .find(|a| v2_hash_name(*a) == h.algorithm)
    .ok_or(Error::MalformedBody("unknown hash algorithm"))?;
    let bytes = b64(&h.digest, "digest is not base64")?;
    Digest::new(alg, &bytes).ok_or(Error::MalformedBody("digest has the wrong length"))
}

fn v2_verifier(v: &V2Verifier) -> Result<LoggedVerifier, Error> {
    match (&v.x509_certificate, &v.public_key) {
        (Some(c), None) => Ok(LoggedVerifier::Certificate(b64(
            &c.raw_bytes,
            "certificate is not base64",
        )?)),
        (None, Some(k)) => Ok(LoggedVerifier::PublicKey(b64(
            &k.raw_bytes,
            "public key is not base64",
        )?)),
        _ => Err(Error::MalformedBody(
            "verifier needs exactly one of x509Certificate and publicKey",
        )),
    }
}

/// Decodes Rekor v1's base64-of-PEM key or certificate field to DER.
fn v1_verifier(b64_pem: &str) -> Result<LoggedVerifier, Error> {
    let pem = b64(b64_pem, "key or certificate is not base64")?;
    let (label, der) = decode_pem(&pem)?;
    match label.as_str() {
        "CERTIFICATE" => Ok(LoggedVerifier::Certificate(der)),
        "PUBLIC KEY" => Ok(LoggedVerifier::PublicKey(der)),
        _ => Err(Error::MalformedBody(
            "PEM block is not a certificate or public key",
        )),
    }
}

/// Decodes the first PEM block of `pem` (LF or CRLF line endings) to its label and DER bytes.
/// The text must be UTF-8; lines are trimmed of ASCII whitespace, and the base64 lines between
/// the BEGIN and the matching END line are joined and decoded.
fn decode_pem(pem: &[u8]) -> Result<(String, Vec<u8>), Error> {
    if std::str::from_utf8(pem).is_err() {
        return Err(Error::MalformedBody("PEM is not UTF-8"));
    }
    let mut lines = pem.split(|b| *b == b'\n').map(<[u8]>::trim_ascii);
    let label = loop {
        match lines.next() {
            Some([]) => continue,
            Some(line) => {
                break line
                    .strip_prefix(b"-----BEGIN ")
                    .and_then(|l| l.strip_suffix(b"-----"))
                    .ok_or(Error::MalformedBody("no PEM BEGIN line"))?;
            }
            None => return Err(Error::MalformedBody("no PEM block")),
        }
    };
    let is_end = |line: &[u8]| {
        line.strip_prefix(b"-----END ")
            .and_then(|l| l.strip_suffix(b"-----"))
            == Some(label)
    };
    let mut b64_text = Vec::with_capacity(pem.len());
    loop {
        match lines.next() {
            Some(line) if is_end(line) => break,
            Some(line) => b64_text.extend_from_slice(line),
            None => return Err(Error::MalformedBody("no PEM END line")),
        }
    }
    let der = sigstore_types::encoding::base64_decode_strict(&b64_text)
        .map_err(|_| Error::MalformedBody("PEM body is not base64"))?;
    if der.is_empty() {
        return Err(Error::MalformedBody("empty PEM block"));
    }
    // The label is a slice of text checked as UTF-8 above, cut at ASCII bytes.
    let label = String::from_utf8_lossy(label).into_owned();
    Ok((label, der))
}

/// Decodes an `intoto` 0.0.2 `sig` field. Rekor stores base64 of the envelope's base64
/// signature text; some older entries hold the envelope's base64 directly. A DER or raw
/// signature is not base64 text, so when the first decoding yields base64 text it is the
/// double encoding.
fn intoto_signature(field: &str) -> Result<Vec<u8>, Error> {
    let once = b64(field, "sig is not base64")?;
    let inner = std::str::from_utf8(&once)
        .ok()
        .filter(|t| !t.is_empty())
        .and_then(|t| STANDARD.decode(t).ok());
    Ok(inner.unwrap_or(once))
}

fn signatures_capped<T>(sigs: &[T]) -> Result<&[T], Error> {
    if sigs.len() > MAX_BODY_SIGNATURES {
        Err(Error::MalformedBody("too many signatures"))
    } else {
        Ok(sigs)
    }
}

fn from_spec<T: for<'de> Deserialize<'de>>(spec: &RawValue) -> Result<T, Error> {
    serde_json::from_str::<T>(spec.get())
        .map_err(|_| Error::MalformedBody("spec does not match the entry type"))
}

/// `PAE(type, body)` from the DSSE spec: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`.
pub fn dsse_pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

impl EntryBody {
    /// Parses `body` (the `canonicalizedBody` bytes) as an entry of the given kind and
    /// version (the entry's `kindVersion`). The body's own `kind` and `apiVersion` must equal
    /// them.
    pub fn parse(kind: &str, version: &str, body: &[u8]) -> Result<Self, Error> {
        if body.len() > MAX_BODY_SIZE {
            return Err(Error::BodyTooLarge {
                len: body.len(),
                max: MAX_BODY_SIZE,
            });
        }
        let envelope: Envelope = serde_json::from_slice(body)
            .map_err(|_| Error::MalformedBody("not a JSON object with kind, apiVersion, spec"))?;
        if envelope.kind != kind || envelope.api_version != version {
            return Err(Error::KindVersionMismatch {
                kind: kind.to_owned(),
                version: version.to_owned(),
                found_kind: envelope.kind,
                found_version: envelope.api_version,
            });
        }
        match (kind, version) {
            ("hashedrekord", "0.0.1") => {
                let s: HashedRekordV001Spec = from_spec(envelope.spec)?;
                Ok(Self::HashedRekordV001 {
                    digest: v1_hash(&s.data.hash)?,
                    signature: b64(&s.signature.content, "signature is not base64")?,
                    verifier: v1_verifier(&s.signature.public_key.content)?,
                })
            }
            ("dsse", "0.0.1") => {
                let s: DsseV001Spec = from_spec(envelope.spec)?;
                let signatures = signatures_capped(&s.signatures)?
                    .iter()
                    .map(|sig| {
                        Ok(LoggedSignature {
                            signature: b64(&sig.signature, "signature is not base64")?,
                            verifier: v1_verifier(&sig.verifier)?,
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                Ok(Self::DsseV001 {
                    envelope_hash: s.envelope_hash.as_ref().map(v1_hash).transpose()?,
                    payload_hash: v1_hash(&s.payload_hash)?,
                    signatures,
                })
            }
            ("intoto", "0.0.1") => {
                let s: IntotoV001Spec = from_spec(envelope.spec)?;
                let payload_hash = s
                    .content
                    .payload_hash
                    .as_ref()
                    .ok_or(Error::MalformedBody("no payloadHash"))?;
                Ok(Self::IntotoV001 {
                    payload_hash: v1_hash(payload_hash)?,
                    verifier: v1_verifier(&s.public_key)?,
                })
            }
            ("intoto", "0.0.2") => {
                let s: IntotoV002Spec = from_spec(envelope.spec)?;
                let c = s.content;
                let payload_hash = c
                    .payload_hash
                    .as_ref()
                    .ok_or(Error::MalformedBody("no payloadHash"))?;
                let signatures = signatures_capped(&c.envelope.signatures)?
                    .iter()
                    .map(|sig| {
                        Ok(LoggedSignature {
                            signature: intoto_signature(&sig.sig)?,
                            verifier: v1_verifier(&sig.public_key)?,
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                Ok(Self::IntotoV002 {
                    payload_type: c.envelope.payload_type,
                    envelope_hash: c.hash.as_ref().map(v1_hash).transpose()?,
                    payload_hash: v1_hash(payload_hash)?,
                    signatures,
                })
            }
            ("hashedrekord", "0.0.2") => {
                let s: HashedRekordV002Outer = from_spec(envelope.spec)?;
                let s = s.inner;
                Ok(Self::HashedRekordV002 {
                    digest: v2_hash(&s.data)?,
                    signature: b64(&s.signature.content, "signature is not base64")?,
                    verifier: v2_verifier(&s.signature.verifier)?,
                    key_details: s.signature.verifier.key_details,
                })
            }
            ("dsse", "0.0.2") => {
                let s: DsseV002Outer = from_spec(envelope.spec)?;
                let signatures = signatures_capped(&s.inner.signatures)?
                    .iter()
                    .map(|sig| {
                        Ok(LoggedSignature {
                            signature: b64(&sig.content, "signature is not base64")?,
                            verifier: v2_verifier(&sig.verifier)?,
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                Ok(Self::DsseV002 {
                    payload_hash: v2_hash(&s.inner.payload_hash)?,
                    signatures,
                })
            }
            _ => Err(Error::UnsupportedEntry {
                kind: kind.to_owned(),
                version: version.to_owned(),
            }),
        }
    }

    /// The entry kind name (`hashedrekord`, `dsse`, `intoto`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::HashedRekordV001 { .. } | Self::HashedRekordV002 { .. } => "hashedrekord",
            Self::DsseV001 { .. } | Self::DsseV002 { .. } => "dsse",
            Self::IntotoV001 { .. } | Self::IntotoV002 { .. } => "intoto",
        }
    }

    /// Binds a `hashedrekord` entry to a `messageSignature` bundle: the logged digest must
    /// equal `artifact_digest` (which the caller computed from the artifact), and the logged
    /// signature and certificate/key must equal the bundle's.
    pub fn check_message_signature(
        &self,
        signature: &[u8],
        verifier: Verifier<'_>,
        artifact_digest: &Digest,
    ) -> Result<(), Error> {
        match self {
            Self::HashedRekordV001 {
                digest,
                signature: logged,
                verifier: logged_verifier,
            }
            | Self::HashedRekordV002 {
                digest,
                signature: logged,
                verifier: logged_verifier,
                ..
            } => {
                if digest != artifact_digest {
                    return Err(Error::BodyMismatch(BodyField::ArtifactDigest));
                }
                check_signature(logged, logged_verifier, signature, verifier)
            }
            _ => Err(Error::WrongEntryKind {
                kind: self.kind(),
                content: "a message signature",
            }),
        }
    }

    /// Binds an entry to a `dsseEnvelope` bundle with its single signature: the logged
    /// payload hash (or, for Rekor v2 `hashedrekord`, the digest of the PAE) must match
    /// `payload`, and the logged signature list must be exactly this one signature by this
    /// certificate/key. `payload` is the decoded payload bytes.
    pub fn check_dsse(
        &self,
        payload_type: &str,
        payload: &[u8],
        signature: &[u8],
        verifier: Verifier<'_>,
    ) -> Result<(), Error> {
        let payload_matches = |h: &Digest| h.algorithm().digest(payload) == *h;
        match self {
            Self::DsseV001 {
                payload_hash,
                signatures,
                ..
            }
            | Self::DsseV002 {
                payload_hash,
                signatures,
            } => {
                if !payload_matches(payload_hash) {
                    return Err(Error::BodyMismatch(BodyField::PayloadHash));
                }
                check_single_signature(signatures, signature, verifier)
            }
            Self::IntotoV002 {
                payload_type: logged_type,
                payload_hash,
                signatures,
                ..
            } => {
                if logged_type != payload_type {
                    return Err(Error::BodyMismatch(BodyField::PayloadType));
                }
                if !payload_matches(payload_hash) {
                    return Err(Error::BodyMismatch(BodyField::PayloadHash));
                }
                check_single_signature(signatures, signature, verifier)
            }
            Self::IntotoV001 {
                payload_hash,
                verifier: logged_verifier,
            } => {
                if !payload_matches(payload_hash) {
                    return Err(Error::BodyMismatch(BodyField::PayloadHash));
                }
                if !logged_verifier.matches(verifier) {
                    return Err(Error::BodyMismatch(BodyField::Verifier));
                }
                Ok(())
            }
            Self::HashedRekordV002 {
                digest,
                signature: logged,
                verifier: logged_verifier,
                ..
            } => {
                let pae = dsse_pae(payload_type, payload);
                if digest.algorithm().digest(&pae) != *digest {
                    return Err(Error::BodyMismatch(BodyField::ArtifactDigest));
                }
                check_signature(logged, logged_verifier, signature, verifier)
            }
            Self::HashedRekordV001 { .. } => Err(Error::WrongEntryKind {
                kind: self.kind(),
                content: "a DSSE envelope",
            }),
        }
    }
}

fn check_signature(
    logged: &[u8],
    logged_verifier: &LoggedVerifier,
    signature: &[u8],
    verifier: Verifier<'_>,
) -> Result<(), Error> {
    if logged != signature {
        return Err(Error::BodyMismatch(BodyField::Signature));
    }
    if !logged_verifier.matches(verifier) {
        return Err(Error::BodyMismatch(BodyField::Verifier));
    }
    Ok(())
}

fn check_single_signature(
    logged: &[LoggedSignature],
    signature: &[u8],
    verifier: Verifier<'_>,
) -> Result<(), Error> {
    match logged {
        [only] => check_signature(&only.signature, &only.verifier, signature, verifier),
        _ => Err(Error::BodyMismatch(BodyField::SignatureCount)),
    }
}

/// Builds the exact JCS bytes of a Rekor v2 `hashedrekord` 0.0.2 entry body for this digest,
/// signature and certificate/key, so a verifier can hash the leaf itself instead of trusting
/// the stored `canonicalizedBody`.
///
/// `digest` is the artifact digest (or, for a DSSE bundle, the digest of
/// [`dsse_pae`]`(payloadType, payload)`) using the signing algorithm's prehash; `key_details`
/// is the protobuf-specs `PublicKeyDetails` name (e.g. `PKIX_ECDSA_P256_SHA_256`).
pub fn rebuild_hashedrekord_v002(
    digest: &Digest,
    signature: &[u8],
    verifier: Verifier<'_>,
    key_details: &str,
) -> Vec<u8> {
    // JCS orders members by UTF-16 code units; every name here is ASCII, so byte order.
    // `keyDetails` < `publicKey` < `x509Certificate`.
    let (verifier_member, der) = match verifier {
        Verifier::Certificate(der) => ("x509Certificate", der),
        Verifier::PublicKey(der) => ("publicKey", der),
    };
    let mut out = String::with_capacity(256 + (signature.len() + der.len()) * 4 / 3);
    out.push_str(
        "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\",\"spec\":{\"hashedRekordV002\":{\"data\":{\"algorithm\":\"",
    );
    out.push_str(v2_hash_name(digest.algorithm()));
    out.push_str("\",\"digest\":\"");
    out.push_str(&STANDARD.encode(digest.as_bytes()));
    out.push_str("\"},\"signature\":{\"content\":\"");
    out.push_str(&STANDARD.encode(signature));
    out.push_str("\",\"verifier\":{\"keyDetails\":");
    out.push_str(&json_string(key_details));
    out.push_str(",\"");
    out.push_str(verifier_member);
    out.push_str("\":{\"rawBytes\":\"");
    out.push_str(&STANDARD.encode(der));
    out.push_str("\"}}}}}}");
    out.into_bytes()
}

/// A JSON string literal as JCS (RFC 8785 §3.2.2.2) writes it.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_decoding() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let b = STANDARD.encode(der);
        let lf = format!("-----BEGIN CERTIFICATE-----\n{b}\n-----END CERTIFICATE-----\n");
        let crlf = lf.replace('\n', "\r\n");
        for pem in [lf, crlf] {
            let (label, out) = decode_pem(pem.as_bytes()).unwrap();
            assert_eq!(label, "CERTIFICATE");
            assert_eq!(out, der);
        }
        for bad in [
            "",
            "junk",
            "-----BEGIN CERTIFICATE-----\nAAAA\n",
            "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
            "-----BEGIN A-----\nAAAA\n-----END B-----\n",
        ] {
            assert!(decode_pem(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(decode_pem(&[0xff, 0xfe]).is_err());
        // Blank lines before the block, indented and space-padded lines, and text after the
        // END line are accepted; a space inside a base64 line, a mismatched END label or
        // non-UTF-8 text anywhere is not.
        let padded = format!(
            "\n\n  -----BEGIN PUBLIC KEY-----  \r\n\t{b}\t\r\n-----END PUBLIC KEY-----\ntrailer\n"
        );
        let (label, out) = decode_pem(padded.as_bytes()).unwrap();
        assert_eq!(
            (label.as_str(), out.as_slice()),
            ("PUBLIC KEY", der.as_slice())
        );
        let long = STANDARD.encode([7u8; 200]);
        let wrapped: Vec<&str> = long
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let pem = format!("-----BEGIN X-----\n{}\n-----END X-----", wrapped.join("\n"));
        assert_eq!(decode_pem(pem.as_bytes()).unwrap().1, [7u8; 200]);
        for bad in [
            format!(
                "-----BEGIN X-----\n{} {}\n-----END X-----\n",
                &b[..4],
                &b[4..]
            ),
            format!("-----BEGIN X-----\n{b}\n-----END X -----\n"),
            format!("-----BEGIN X-----\n{b}\n-----END Y-----\n-----END X\n"),
        ] {
            assert!(decode_pem(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let mut trailing = format!("-----BEGIN X-----\n{b}\n-----END X-----\n").into_bytes();
        trailing.push(0xff);
        assert!(decode_pem(&trailing).is_err());
    }

    #[test]
    fn intoto_sig_encodings() {
        let der = [0x30u8, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
        let single = STANDARD.encode(der);
        let double = STANDARD.encode(&single);
        assert_eq!(intoto_signature(&single).unwrap(), der);
        assert_eq!(intoto_signature(&double).unwrap(), der);
        assert!(intoto_signature("!").is_err());
    }

    #[test]
    fn pae() {
        assert_eq!(
            dsse_pae("application/example", b"hello world"),
            b"DSSEv1 19 application/example 11 hello world".to_vec()
        );
    }

    #[test]
    fn json_escaping() {
        assert_eq!(json_string("PKIX_ED25519_PH"), "\"PKIX_ED25519_PH\"");
        assert_eq!(json_string("a\"\\\n\u{1}"), "\"a\\\"\\\\\\n\\u0001\"");
    }

    #[test]
    fn parse_rejects_malformed() {
        let cases: [(&str, &str, &[u8]); 8] = [
            ("hashedrekord", "0.0.1", b""),
            ("hashedrekord", "0.0.1", b"[]"),
            ("hashedrekord", "0.0.1", b"{\"kind\":\"hashedrekord\",\"apiVersion\":\"0.0.1\"}"),
            ("hashedrekord", "0.0.1", b"{\"kind\":\"hashedrekord\",\"apiVersion\":\"0.0.1\",\"spec\":{}}"),
            ("hashedrekord", "0.0.1", b"{\"kind\":\"dsse\",\"apiVersion\":\"0.0.1\",\"spec\":{}}"),
            ("rekord", "0.0.1", b"{\"kind\":\"rekord\",\"apiVersion\":\"0.0.1\",\"spec\":{}}"),
            ("hashedrekord", "0.0.2", b"{\"kind\":\"hashedrekord\",\"apiVersion\":\"0.0.2\",\"spec\":{\"hashedRekordV002\":{\"data\":{\"algorithm\":\"MD5\",\"digest\":\"\"},\"signature\":{\"content\":\"\",\"verifier\":{\"keyDetails\":\"x\"}}}}}"),
            ("hashedrekord", "0.0.1", b"{\"kind\":\"hashedrekord\",\"apiVersion\":\"0.0.1\",\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"sha256\",\"value\":\"00\"}},\"signature\":{\"content\":\"AA==\",\"publicKey\":{\"content\":\"AA==\"}}}}"),
        ];
        for (kind, version, body) in cases {
            assert!(
                EntryBody::parse(kind, version, body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let big = vec![b' '; MAX_BODY_SIZE + 1];
        assert!(matches!(
            EntryBody::parse("hashedrekord", "0.0.1", &big),
            Err(Error::BodyTooLarge { .. })
        ));
    }
}
