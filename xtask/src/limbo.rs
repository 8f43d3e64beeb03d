//! `cargo xtask fixtures limbo`: rebuilds `testdata/x509-limbo/cases.json`, the x509-limbo
//! (C2SP/x509-limbo) path validation cases that apply to a code-signing chain checker.
//!
//! Upstream defines its cases in Python and compiles them to one large `limbo.json`; each case
//! here is rebuilt from the upstream definition of the same `id` (which certificates, which
//! fields, which extensions, the validation time and the expected result), in upstream's JSON
//! schema. Keys, serial numbers and ECDSA signatures (RFC 6979) derive from the case id, so
//! the output is the same on every run. Leaves carry `codeSigning` where upstream's carry
//! `serverAuth`, and every case asks for `codeSigning`; other changes are noted in the case's
//! description after "Adapted:".

use std::path::Path;
use std::rc::Rc;
use std::str::FromStr as _;

use anyhow::{Context, Result};
use base64::Engine as _;
use const_oid::db::rfc5280 as oid;
use const_oid::ObjectIdentifier;
use der::asn1::{BitString, GeneralizedTime, Ia5String, Int, OctetString, UtcTime};
use der::{Decode as _, Encode as _, Sequence};
use p256::ecdsa::signature::{SignatureEncoding as _, Signer as _};
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Upstream's default validity: from one second after the Unix epoch for 365,000 days.
const EPOCH: i64 = 1;
const TORMENT: i64 = EPOCH + 365 * 1000 * 86_400;
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// The private extension upstream uses as one no implementation knows.
const UNKNOWN_EXT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.55738.666.1");
const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
const POLICY_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.36");
const CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");

/// The text of `cases.json` and the number of cases in it.
pub fn render() -> Result<(String, usize)> {
    let cases = cases()?;
    let count = cases.len();
    let doc = json!({ "version": 1, "testcases": cases });
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok((text, count))
}

/// Writes `cases.json` into `dir` (via a temporary file) and returns how many cases it holds.
pub fn write(dir: &Path) -> Result<usize> {
    let (text, count) = render()?;
    std::fs::create_dir_all(dir)?;
    let path = dir.join("cases.json");
    let tmp = dir.join(".cases.json.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(count)
}

/// A subject key: a P-256 key, an RSA key (PKCS #1 v1.5 with SHA-256), or the malformed RSA
/// key of `invalid::invalid-issuer-key` (an empty modulus; what it "signs" is an empty
/// SEQUENCE).
enum Key {
    P256(SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
    MalformedRsa,
}

impl Key {
    fn spki(&self) -> Result<Vec<u8>> {
        match self {
            Self::P256(k) => Ok(k.verifying_key().to_public_key_der()?.as_bytes().to_vec()),
            Self::Rsa(k) => Ok(k.to_public_key().to_public_key_der()?.as_bytes().to_vec()),
            // SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { 00 } }
            Self::MalformedRsa => Ok(vec![
                0x30, 0x12, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00, 0x03, 0x01, 0x00,
            ]),
        }
    }

    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            Self::P256(_) => AlgorithmIdentifierOwned {
                oid: ECDSA_SHA256,
                parameters: None,
            },
            Self::Rsa(_) | Self::MalformedRsa => AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(der::Any::null()),
            },
        }
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::P256(k) => {
                let signature: Signature = k.sign(message);
                signature.to_der().as_bytes().to_vec()
            }
            Self::Rsa(k) => {
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
                signer.sign(message).to_vec()
            }
            Self::MalformedRsa => vec![0x30, 0x00],
        }
    }
}

/// A TBSCertificate with a serial number of any length or sign and an optional version.
#[derive(Sequence)]
struct Tbs {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u8>,
    serial: Int,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<Extension>>,
}

#[derive(Sequence)]
struct Cert {
    tbs: Tbs,
    algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// An issued certificate with what its children need.
struct Issued {
    der: Vec<u8>,
    subject: Name,
    key: Rc<Key>,
    serial: Vec<u8>,
}

/// A certificate to issue; fields start at upstream's defaults and cases change them.
struct Tmpl {
    /// `Some(2)` for v3; `None` leaves the version out (v1).
    version: Option<u8>,
    serial: Vec<u8>,
    /// The issuer name; `None` takes the signer's subject.
    issuer: Option<Name>,
    subject: Name,
    not_before: i64,
    not_after: i64,
    key: Rc<Key>,
    extensions: Vec<Extension>,
    /// The first error met while editing.
    error: Option<anyhow::Error>,
}

impl Tmpl {
    /// Replaces the extension `ext.extn_id` in place, or adds it. An error is kept and
    /// returned by [`issue`].
    fn set(&mut self, ext: Result<Extension>) {
        match ext {
            Ok(ext) => match self
                .extensions
                .iter()
                .position(|e| e.extn_id == ext.extn_id)
            {
                Some(i) => self.extensions[i] = ext,
                None => self.extensions.push(ext),
            },
            Err(e) => self.error = Some(e),
        }
    }

    /// Removes the extension `id`.
    fn remove(&mut self, id: ObjectIdentifier) {
        self.extensions.retain(|e| e.extn_id != id);
    }
}

fn ext(id: ObjectIdentifier, critical: bool, value: impl der::Encode) -> Result<Extension> {
    Ok(Extension {
        extn_id: id,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

fn bc(ca: bool, path_len: Option<u8>, critical: bool) -> Result<Extension> {
    let value = BasicConstraints {
        ca,
        path_len_constraint: path_len,
    };
    ext(oid::ID_CE_BASIC_CONSTRAINTS, critical, value)
}

fn ku(usages: impl Into<der::flagset::FlagSet<KeyUsages>>) -> Result<Extension> {
    ext(oid::ID_CE_KEY_USAGE, false, KeyUsage(usages.into()))
}

fn eku(usages: &[ObjectIdentifier], critical: bool) -> Result<Extension> {
    ext(
        oid::ID_CE_EXT_KEY_USAGE,
        critical,
        ExtendedKeyUsage(usages.to_vec()),
    )
}

/// A 20-byte key identifier: the first 20 bytes of SHA-256 of the public key bits.
fn key_id(key: &Key) -> Result<OctetString> {
    let spki = SubjectPublicKeyInfoOwned::from_der(&key.spki()?)?;
    let bits = spki.subject_public_key.raw_bytes();
    Ok(OctetString::new(Sha256::digest(bits)[..20].to_vec())?)
}

fn ski(key: &Key, critical: bool) -> Result<Extension> {
    ext(
        oid::ID_CE_SUBJECT_KEY_IDENTIFIER,
        critical,
        SubjectKeyIdentifier(key_id(key)?),
    )
}

fn aki(key: &Key, critical: bool) -> Result<Extension> {
    let value = AuthorityKeyIdentifier {
        key_identifier: Some(key_id(key)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    ext(oid::ID_CE_AUTHORITY_KEY_IDENTIFIER, critical, value)
}

fn dns_san(name: &str) -> Result<Extension> {
    let value = SubjectAltName(vec![GeneralName::DnsName(Ia5String::new(name)?)]);
    ext(oid::ID_CE_SUBJECT_ALT_NAME, false, value)
}

fn unknown_critical() -> Result<Extension> {
    Ok(Extension {
        extn_id: UNKNOWN_EXT,
        critical: true,
        extn_value: OctetString::new(Vec::new())?,
    })
}

fn name(text: &str) -> Result<Name> {
    Ok(Name::from_str(text)?)
}

fn time(secs: i64) -> Result<Time> {
    let d = std::time::Duration::from_secs(u64::try_from(secs)?);
    // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
    Ok(if secs < 2_524_608_000 {
        Time::UtcTime(UtcTime::from_unix_duration(d)?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_unix_duration(d)?)
    })
}

/// Unix seconds of an RFC 3339 time (UTC, whole seconds).
fn at(text: &str) -> Result<i64> {
    Ok(sigstore_types::Timestamp::parse_rfc3339(text)?.unix_seconds())
}

fn pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A deterministic byte stream: SHA-256(seed || counter) blocks. For test keys only.
struct SeededRng {
    seed: [u8; 32],
    counter: u64,
}

impl rand_core::RngCore for SeededRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(32) {
            self.counter += 1;
            let block = Sha256::new()
                .chain_update(self.seed)
                .chain_update(self.counter.to_be_bytes())
                .finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for SeededRng {}

/// Issues certificates for one case; keys and serials derive from the case id.
struct Builder {
    id: String,
    counter: u32,
}

impl Builder {
    fn seed(&mut self, what: &str) -> [u8; 32] {
        self.counter += 1;
        Sha256::digest(format!("x509-limbo/{}/{what}/{}", self.id, self.counter)).into()
    }

    fn key(&mut self) -> Result<Rc<Key>> {
        let seed = self.seed("key");
        Ok(Rc::new(Key::P256(SigningKey::from_slice(&seed)?)))
    }

    /// An RSA key of `bits` bits, generated from a seeded stream.
    fn rsa_key(&mut self, bits: usize) -> Result<Rc<Key>> {
        let mut rng = SeededRng {
            seed: self.seed("rsa"),
            counter: 0,
        };
        Ok(Rc::new(Key::Rsa(Box::new(rsa::RsaPrivateKey::new(
            &mut rng, bits,
        )?))))
    }

    fn serial(&mut self) -> Vec<u8> {
        let mut serial = self.seed("serial")[..16].to_vec();
        serial[0] = (serial[0] & 0x7f) | 0x01;
        serial
    }

    fn template(&mut self, subject: Name) -> Result<Tmpl> {
        Ok(Tmpl {
            version: Some(2),
            serial: self.serial(),
            issuer: None,
            subject,
            not_before: EPOCH,
            not_after: TORMENT,
            key: self.key()?,
            extensions: Vec::new(),
            error: None,
        })
    }

    /// Upstream's `root_ca`: a self-signed CA named `CN=x509-limbo-root` (or `name`).
    fn root(&mut self, name_text: Option<&str>, edit: impl FnOnce(&mut Tmpl)) -> Result<Issued> {
        let mut t = self.template(name(name_text.unwrap_or("CN=x509-limbo-root"))?)?;
        t.extensions = vec![
            bc(true, None, true)?,
            ku(KeyUsages::KeyCertSign | KeyUsages::CRLSign)?,
            ski(&t.key, false)?,
        ];
        edit(&mut t);
        issue(t, None)
    }

    /// Upstream's `intermediate_ca`: its subject names the path length and the parent's
    /// serial number, so no two intermediates are accidentally self-issued.
    fn ica(
        &mut self,
        parent: &Issued,
        path_len: Option<u8>,
        edit: impl FnOnce(&mut Tmpl),
    ) -> Result<Issued> {
        let len = path_len.map_or("None".to_owned(), |n| n.to_string());
        let serial = hex(&parent.serial);
        let subject = name(&format!(
            "CN=x509-limbo-intermediate-pathlen-{len},OU={serial}"
        ))?;
        let mut t = self.template(subject)?;
        t.extensions = vec![
            bc(true, path_len, true)?,
            ku(KeyUsages::KeyCertSign)?,
            ski(&t.key, false)?,
            aki(&parent.key, false)?,
        ];
        edit(&mut t);
        issue(t, Some(parent))
    }

    /// Upstream's `leaf_cert` with `codeSigning` for `serverAuth`.
    fn leaf(&mut self, parent: &Issued, edit: impl FnOnce(&mut Tmpl)) -> Result<Issued> {
        let mut t = self.template(name("CN=example.com")?)?;
        t.extensions = vec![
            ski(&t.key, false)?,
            aki(&parent.key, false)?,
            ku(KeyUsages::DigitalSignature)?,
            eku(&[CODE_SIGNING], false)?,
            dns_san("example.com")?,
        ];
        edit(&mut t);
        issue(t, Some(parent))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs `t` with the signer's key (its own when `signer` is `None`).
fn issue(t: Tmpl, signer: Option<&Issued>) -> Result<Issued> {
    let signing_key = signer.map_or(&t.key, |s| &s.key).clone();
    let issuer = match (&t.issuer, signer) {
        (Some(issuer), _) => issuer.clone(),
        (None, Some(signer)) => signer.subject.clone(),
        (None, None) => t.subject.clone(),
    };
    sign_as(t, issuer, &signing_key, None)
}

/// Signs `t` as `issuer` with `signing_key`; `outer` replaces the certificate's
/// `signatureAlgorithm` (which then differs from the TBSCertificate's).
fn sign_as(
    mut t: Tmpl,
    issuer: Name,
    signing_key: &Key,
    outer: Option<AlgorithmIdentifierOwned>,
) -> Result<Issued> {
    if let Some(e) = t.error.take() {
        return Err(e);
    }
    let tbs = Tbs {
        version: t.version,
        serial: Int::new(&t.serial)?,
        signature: signing_key.algorithm(),
        issuer,
        validity: Validity {
            not_before: time(t.not_before)?,
            not_after: time(t.not_after)?,
        },
        subject: t.subject.clone(),
        spki: SubjectPublicKeyInfoOwned::from_der(&t.key.spki()?)?,
        extensions: (!t.extensions.is_empty()).then_some(t.extensions),
    };
    let signature = signing_key.sign(&tbs.to_der()?);
    let cert = Cert {
        algorithm: outer.unwrap_or_else(|| signing_key.algorithm()),
        tbs,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(Issued {
        der: cert.to_der()?,
        subject: t.subject,
        key: t.key,
        serial: t.serial,
    })
}

/// One case in upstream's schema.
struct Case {
    id: &'static str,
    description: String,
    trusted: Vec<Issued>,
    intermediates: Vec<Issued>,
    peer: Issued,
    time: Option<String>,
    features: &'static [&'static str],
    max_chain_depth: Option<u32>,
    succeeds: bool,
}

impl Case {
    /// A case expected to fail; [`cases`] sets its id from its table.
    fn new(description: &str, trusted: Vec<Issued>, peer: Issued) -> Self {
        Self {
            id: "",
            description: description.to_owned(),
            trusted,
            intermediates: Vec::new(),
            peer,
            time: None,
            features: &[],
            max_chain_depth: None,
            succeeds: false,
        }
    }

    fn via(mut self, intermediates: Vec<Issued>) -> Self {
        self.intermediates = intermediates;
        self
    }

    fn at(mut self, time: &str) -> Self {
        self.time = Some(time.to_owned());
        self
    }

    fn features(mut self, features: &'static [&'static str]) -> Self {
        self.features = features;
        self
    }

    fn adapted(mut self, note: &str) -> Self {
        self.description.push_str(" Adapted: ");
        self.description.push_str(note);
        self
    }

    fn depth(mut self, depth: u32) -> Self {
        self.max_chain_depth = Some(depth);
        self
    }

    fn succeeds(mut self) -> Self {
        self.succeeds = true;
        self
    }

    fn to_json(&self) -> Value {
        let pems = |certs: &[Issued]| certs.iter().map(|c| pem(&c.der)).collect::<Vec<_>>();
        json!({
            "id": self.id,
            "features": self.features,
            "description": self.description,
            "validation_kind": "SERVER",
            "trusted_certs": pems(&self.trusted),
            "untrusted_intermediates": pems(&self.intermediates),
            "peer_certificate": pem(&self.peer.der),
            "validation_time": self.time,
            "signature_algorithms": [],
            "key_usage": [],
            "extended_key_usage": ["codeSigning"],
            "expected_result": if self.succeeds { "SUCCESS" } else { "FAILURE" },
            "expected_peer_name": null,
            "expected_peer_names": [],
            "max_chain_depth": self.max_chain_depth,
        })
    }
}

type CaseFn = fn(&mut Builder) -> Result<Case>;

fn cases() -> Result<Vec<Value>> {
    let all: Vec<(&str, CaseFn)> = vec![
        ("pathlen::ee-with-intermediate-pathlen-0", |b| {
            pathlen_ee(b, 0)
        }),
        ("pathlen::ee-with-intermediate-pathlen-1", |b| {
            pathlen_ee(b, 1)
        }),
        ("pathlen::ee-with-intermediate-pathlen-2", |b| {
            pathlen_ee(b, 2)
        }),
        ("pathlen::validation-ignores-pathlen-in-leaf", |b| {
            let root = b.root(None, |_| {})?;
            let first = b.ica(&root, Some(0), |_| {})?;
            let second = b.ica(&first, Some(0), |_| {})?;
            let d = "root -> ICA (pathlen:0) -> ICA (pathlen:0) as the peer: the last certificate of a path is not counted against pathLenConstraint (RFC 5280 4.2.1.9).";
            Ok(Case::new(d, vec![root], second).via(vec![first]).succeeds())
        }),
        ("pathlen::intermediate-violates-pathlen-0", |b| {
            let root = b.root(None, |_| {})?;
            let first = b.ica(&root, Some(0), |_| {})?;
            let second = b.ica(&first, Some(0), |_| {})?;
            let leaf = b.leaf(&second, |_| {})?;
            let d = "root -> ICA (pathlen:0) -> ICA (pathlen:0) -> EE: the first intermediate allows no CA below it.";
            Ok(Case::new(d, vec![root], leaf).via(vec![first, second]))
        }),
        ("pathlen::intermediate-pathlen-may-increase", |b| {
            let root = b.root(None, |_| {})?;
            let first = b.ica(&root, Some(1), |_| {})?;
            let second = b.ica(&first, Some(2), |_| {})?;
            let leaf = b.leaf(&second, |_| {})?;
            let d = "root -> ICA (pathlen:1) -> ICA (pathlen:2) -> EE: a larger pathlen below a smaller one is allowed; the smaller one still holds.";
            Ok(Case::new(d, vec![root], leaf)
                .via(vec![first, second])
                .succeeds())
        }),
        ("pathlen::intermediate-pathlen-too-long", |b| {
            let root = b.root(None, |_| {})?;
            let first = b.ica(&root, Some(1), |_| {})?;
            let second = b.ica(&first, Some(0), |_| {})?;
            let third = b.ica(&second, Some(0), |_| {})?;
            let leaf = b.leaf(&third, |_| {})?;
            let d = "root -> ICA (pathlen:1) -> ICA (pathlen:0) -> ICA (pathlen:0) -> EE: the second intermediate allows no CA below it.";
            Ok(Case::new(d, vec![root], leaf).via(vec![first, second, third]))
        }),
        ("pathlen::self-issued-certs-pathlen", |b| {
            let root = b.root(None, |_| {})?;
            let first = b.ica(&root, Some(1), |_| {})?;
            let subject = first.subject.clone();
            let second = b.ica(&first, Some(1), |t| t.subject = subject)?;
            let third = b.ica(&second, Some(0), |_| {})?;
            let leaf = b.leaf(&third, |_| {})?;
            let d = "root -> ICA' (pathlen:1) -> ICA' (pathlen:1, self-issued) -> ICA'' (pathlen:0) -> EE: self-issued intermediates do not count against pathLenConstraint (RFC 5280 4.2.1.9).";
            Ok(Case::new(d, vec![root], leaf)
                .via(vec![first, second, third])
                .succeeds())
        }),
        ("pathlen::max-chain-depth-0", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE with a maximum chain depth of 0 (no intermediates).";
            Ok(Case::new(d, vec![root], leaf)
                .features(&["max-chain-depth"])
                .depth(0)
                .succeeds())
        }),
        ("pathlen::max-chain-depth-0-exhausted", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |_| {})?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA -> EE with a maximum chain depth of 0.";
            Ok(Case::new(d, vec![root], leaf)
                .via(vec![ica])
                .features(&["max-chain-depth"])
                .depth(0))
        }),
        ("pathlen::max-chain-depth-1", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |_| {})?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA -> EE with a maximum chain depth of 1.";
            Ok(Case::new(d, vec![root], leaf)
                .via(vec![ica])
                .features(&["max-chain-depth"])
                .depth(1)
                .succeeds())
        }),
        ("pathlen::max-chain-depth-1-exhausted", |b| {
            let root = b.root(None, |_| {})?;
            let first = b.ica(&root, None, |_| {})?;
            let second = b.ica(&first, None, |_| {})?;
            let leaf = b.leaf(&second, |_| {})?;
            let d = "root -> ICA -> ICA -> EE with a maximum chain depth of 1.";
            Ok(Case::new(d, vec![root], leaf)
                .via(vec![first, second])
                .features(&["max-chain-depth"])
                .depth(1))
        }),
        ("pathlen::max-chain-depth-1-self-issued", |b| {
            let root = b.root(None, |_| {})?;
            let first = b.ica(&root, None, |_| {})?;
            let subject = first.subject.clone();
            let second = b.ica(&first, None, |t| t.subject = subject)?;
            let leaf = b.leaf(&second, |_| {})?;
            let d = "root -> ICA' -> ICA' (self-issued) -> EE with a maximum chain depth of 1: one logical intermediate.";
            Ok(Case::new(d, vec![root], leaf)
                .via(vec![first, second])
                .features(&["max-chain-depth"])
                .depth(1)
                .succeeds())
        }),
        ("rfc5280::validity::expired-root", |b| {
            validity(b, [2016, 2020], [2016, 2026], [2018, 2023], "the root")
        }),
        ("rfc5280::validity::expired-intermediate", |b| {
            validity(
                b,
                [2016, 2026],
                [2016, 2020],
                [2018, 2023],
                "the intermediate",
            )
        }),
        ("rfc5280::validity::expired-leaf", |b| {
            validity(b, [2016, 2026], [2016, 2026], [2018, 2021], "the leaf")
        }),
        ("rfc5280::validity::notbefore-exact", |b| {
            march(
                b,
                "2024-03-01T00:00:00Z",
                "2024-03-01T00:00:00Z",
                true,
                "validated exactly at notBefore (inclusive).",
            )
        }),
        ("rfc5280::validity::notbefore-fractional", |b| {
            march(
                b,
                "2024-03-01T00:00:01Z",
                "2024-03-01T00:00:00.999Z",
                false,
                "validated 1 ms before notBefore.",
            )
        }),
        ("rfc5280::validity::notafter-exact", |b| {
            march(
                b,
                "2024-03-01T00:00:00Z",
                "2024-04-01T00:00:00Z",
                true,
                "validated exactly at notAfter (inclusive).",
            )
        }),
        ("rfc5280::validity::notafter-fractional", |b| {
            march(b, "2024-03-01T00:00:00Z", "2024-04-01T00:00:00.005Z", true, "validated 5 ms after notAfter; upstream expects the time floored to the second (ambiguous).")
        }),
        ("rfc5280::validity::expired-1-second", |b| {
            march(
                b,
                "2024-03-01T00:00:00Z",
                "2024-04-01T00:00:01Z",
                false,
                "validated 1 s after notAfter.",
            )
        }),
        ("rfc5280::validity::expired-5-seconds", |b| {
            march(
                b,
                "2024-03-01T00:00:00Z",
                "2024-04-01T00:00:05Z",
                false,
                "validated 5 s after notAfter.",
            )
        }),
        ("rfc5280::validity::not-yet-valid-1-second", |b| {
            march(
                b,
                "2024-03-01T00:00:01Z",
                "2024-03-01T00:00:00Z",
                false,
                "validated 1 s before notBefore.",
            )
        }),
        ("rfc5280::validity::not-yet-valid-5-seconds", |b| {
            march(
                b,
                "2024-03-01T00:00:05Z",
                "2024-03-01T00:00:00Z",
                false,
                "validated 5 s before notBefore.",
            )
        }),
        ("rfc5280::ee-empty-issuer", |b| {
            let root = b.root(None, |_| {})?;
            let subject = name("CN=empty-issuer")?;
            let leaf = b.leaf(&root, |t| {
                t.issuer = Some(Name::default());
                t.subject = subject;
            })?;
            let d = "root -> EE where the EE has an empty issuer name.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::ca-empty-subject", |b| {
            let root = b.root(None, |t| t.subject = Name::default())?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root has an empty subject (and the EE an empty issuer); a CA's subject must not be empty.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::unknown-critical-extension-ee", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.set(unknown_critical()))?;
            let d = "root -> EE where the EE has an unknown critical extension.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::unknown-critical-extension-root", |b| {
            let root = b.root(None, |t| t.set(unknown_critical()))?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root has an unknown critical extension.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::unknown-critical-extension-unrelated-root", |b| {
            let root_a = b.root(None, |_| {})?;
            let root_b = b.root(Some("CN=unrelated-root"), |t| t.set(unknown_critical()))?;
            let leaf = b.leaf(&root_a, |_| {})?;
            let d =
                "rootA -> EE, with an unused trusted rootB carrying an unknown critical extension.";
            Ok(Case::new(d, vec![root_a, root_b], leaf).succeeds())
        }),
        (
            "rfc5280::unknown-critical-extension-unrelated-intermediate",
            |b| {
                let root = b.root(None, |_| {})?;
                let ica_a = b.ica(&root, Some(0), |_| {})?;
                let unrelated = name("CN=unrelated-intermediate")?;
                let ica_b = b.ica(&root, None, |t| {
                    t.issuer = Some(unrelated.clone());
                    t.set(unknown_critical());
                })?;
                let leaf = b.leaf(&ica_a, |_| {})?;
                let d = "root -> ICA-A -> EE, with an unused intermediate ICA-B carrying an unknown critical extension.";
                Ok(Case::new(d, vec![root], leaf)
                    .via(vec![ica_a, ica_b])
                    .succeeds())
            },
        ),
        ("rfc5280::unknown-critical-extension-intermediate", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, Some(0), |t| t.set(unknown_critical()))?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d =
                "root -> ICA (pathlen:0) -> EE where the ICA has an unknown critical extension.";
            Ok(Case::new(d, vec![root], leaf).via(vec![ica]))
        }),
        ("rfc5280::chain-untrusted-root", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, Some(0), |_| {})?;
            let leaf = b.leaf(&ica, |_| {})?;
            let unrelated = b.root(Some("CN=x509-limbo-unrelated-root"), |_| {})?;
            let d = "root (untrusted, given as an intermediate) -> ICA -> EE; only an unrelated root is trusted.";
            Ok(Case::new(d, vec![unrelated], leaf).via(vec![root, ica]))
        }),
        ("rfc5280::intermediate-ca-without-ca-bit", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |t| t.set(bc(false, None, true)))?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA -> EE where the ICA's basicConstraints has cA false.";
            Ok(Case::new(d, vec![root], leaf).via(vec![ica]))
        }),
        ("rfc5280::intermediate-ca-missing-basic-constraints", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |t| t.remove(oid::ID_CE_BASIC_CONSTRAINTS))?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA -> EE where the ICA has no basicConstraints (upstream does not supply the ICA either).";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::root-missing-basic-constraints", |b| {
            let root = b.root(None, |t| t.remove(oid::ID_CE_BASIC_CONSTRAINTS))?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root has no basicConstraints.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::root-non-critical-basic-constraints", |b| {
            let root = b.root(None, |t| t.set(bc(true, None, false)))?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root's basicConstraints is not critical.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::root-inconsistent-ca-extensions", |b| {
            let root = b.root(None, |t| t.set(ku(der::flagset::FlagSet::default())))?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root has cA true but a key usage without keyCertSign.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::ica-ku-keycertsign", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, Some(0), |t| {
                t.set(ku(der::flagset::FlagSet::default()))
            })?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA (pathlen:0) -> EE where the ICA's key usage lacks keyCertSign (upstream does not supply the ICA either).";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::leaf-ku-keycertsign", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| {
                t.set(bc(false, None, true));
                t.set(ku(KeyUsages::DigitalSignature | KeyUsages::KeyCertSign));
            })?;
            let d = "root -> EE where the EE has cA false and key usage keyCertSign, which RFC 5280 4.2.1.9 forbids.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::ee-aia", |b| aia(b, false)),
        ("rfc5280::ee-critical-aia-invalid", |b| aia(b, true)),
        ("rfc5280::duplicate-extensions", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| {
                if let Ok(san) = dns_san("example.com") {
                    t.extensions.push(san);
                }
            })?;
            let d = "root -> EE where the EE carries the subjectAltName extension twice (RFC 5280 4.2).";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::no-keyusage", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.remove(oid::ID_CE_KEY_USAGE))?;
            let d =
                "root -> EE where the EE has no key usage, which RFC 5280 allows for end entities.";
            Ok(Case::new(d, vec![root], leaf).succeeds())
        }),
        ("rfc5280::no-basicconstraints", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the EE has no basicConstraints, which RFC 5280 allows for end entities.";
            Ok(Case::new(d, vec![root], leaf).succeeds())
        }),
        ("rfc5280::ca-as-leaf", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |t| t.set(dns_san("ca.example.com")))?;
            let d = "root -> ICA with the ICA as the peer: RFC 5280 puts no CA/EE condition on the last certificate.";
            Ok(Case::new(d, vec![root], ica).succeeds())
        }),
        ("rfc5280::root-and-intermediate-swapped", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |_| {})?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "ICA (trusted) -> EE, with the ICA's root among the untrusted intermediates, to be ignored.";
            Ok(Case::new(d, vec![ica], leaf).via(vec![root]).succeeds())
        }),
        ("rfc5280::eku::ee-wrong-eku", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.set(eku(&[CLIENT_AUTH], false)))?;
            let d = "root -> EE where the EE's extended key usage is clientAuth only.";
            Ok(Case::new(d, vec![root], leaf)
                .adapted("the validator asks for codeSigning where upstream asks for serverAuth."))
        }),
        ("rfc5280::eku::ee-without-eku", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.remove(oid::ID_CE_EXT_KEY_USAGE))?;
            let d = "root -> EE where the EE has no extended key usage, which RFC 5280 reads as any usage.";
            Ok(Case::new(d, vec![root], leaf).succeeds())
        }),
        ("rfc5280::eku::ee-eku-empty", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.set(eku(&[], false)))?;
            let d = "root -> EE where the EE's extended key usage is an empty SEQUENCE (RFC 5280 4.2.1.12 needs one or more).";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::ski::critical-ski", |b| {
            let root = b.root(None, |t| {
                let ext = ski(&t.key, true);
                t.set(ext);
            })?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root's subjectKeyIdentifier is critical (RFC 5280 4.2.1.2: MUST be non-critical).";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::ski::root-missing-ski", |b| {
            let root = b.root(None, |t| t.remove(oid::ID_CE_SUBJECT_KEY_IDENTIFIER))?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root has no subjectKeyIdentifier.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::ski::intermediate-missing-ski", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |t| t.remove(oid::ID_CE_SUBJECT_KEY_IDENTIFIER))?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA -> EE where the ICA has no subjectKeyIdentifier.";
            Ok(Case::new(d, vec![root], leaf).via(vec![ica]))
        }),
        ("rfc5280::aki::critical-aki", |b| {
            let root = b.root(None, |t| {
                let ext = aki(&t.key, true);
                t.set(ext);
            })?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root's authorityKeyIdentifier is critical (RFC 5280 4.2.1.1: MUST be non-critical).";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::aki::leaf-missing-aki", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.remove(oid::ID_CE_AUTHORITY_KEY_IDENTIFIER))?;
            let d = "root -> EE where the EE has no authorityKeyIdentifier.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::aki::intermediate-missing-aki", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, Some(0), |t| {
                t.remove(oid::ID_CE_AUTHORITY_KEY_IDENTIFIER)
            })?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA -> EE where the ICA has no authorityKeyIdentifier.";
            Ok(Case::new(d, vec![root], leaf).via(vec![ica]))
        }),
        ("rfc5280::aki::self-signed-root-missing-aki", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the self-signed root has no authorityKeyIdentifier, which RFC 5280 4.2.1.1 allows.";
            Ok(Case::new(d, vec![root], leaf).succeeds())
        }),
        ("rfc5280::aki::cross-signed-root-missing-aki", |b| {
            let signer = b.root(None, |_| {})?;
            let root = b.ica(&signer, Some(0), |t| {
                t.remove(oid::ID_CE_AUTHORITY_KEY_IDENTIFIER)
            })?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the trusted root is cross-signed (not self-signed) and has no authorityKeyIdentifier.";
            Ok(Case::new(d, vec![root], leaf).features(&["pedantic-rfc5280"]))
        }),
        ("rfc5280::serial::too-long", |b| {
            let root = b.root(None, |_| {})?;
            let mut long = b.seed("long-serial")[..22].to_vec();
            long[0] = (long[0] & 0x7f) | 0x01;
            let leaf = b.leaf(&root, |t| t.serial = long)?;
            let d = "root -> EE where the EE's serial number is 22 octets long (RFC 5280 4.1.2.2 allows 20).";
            Ok(Case::new(d, vec![root], leaf).features(&["pedantic-serial-number"]))
        }),
        ("rfc5280::serial::zero", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.serial = vec![0])?;
            let d = "root -> EE where the EE's serial number is 0 (RFC 5280 4.1.2.2: positive).";
            Ok(Case::new(d, vec![root], leaf).features(&["pedantic-serial-number"]))
        }),
        ("rfc5280::pc::ica-noncritical-pc", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |t| {
                // PolicyConstraints { requireExplicitPolicy [0] 3 }
                let value = OctetString::new(vec![0x30, 0x03, 0x80, 0x01, 0x03]);
                t.set(value.map_err(Into::into).map(|extn_value| Extension {
                    extn_id: POLICY_CONSTRAINTS,
                    critical: false,
                    extn_value,
                }));
            })?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA -> EE where the ICA's policyConstraints is not critical (RFC 5280 4.2.1.11: MUST be critical).";
            Ok(Case::new(d, vec![root], leaf)
                .via(vec![ica])
                .features(&["has-policy-constraints"]))
        }),
        ("webpki::v1-cert", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| {
                t.version = None;
                t.extensions.clear();
            })?;
            let d = "root -> EE where the EE is a version 1 certificate without extensions.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("webpki::ee-basicconstraints-ca", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.set(bc(true, None, true)))?;
            let d = "root -> EE where the EE has basicConstraints cA true (but no keyCertSign).";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("webpki::ca-as-leaf", |b| {
            let root = b.root(None, |_| {})?;
            let ica = b.ica(&root, None, |t| t.set(dns_san("ca.example.com")))?;
            let d = "root -> ICA with the ICA (cA true, keyCertSign) as the peer.";
            Ok(Case::new(d, vec![root], ica))
        }),
        ("webpki::malformed-aia", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| {
                let value = OctetString::new(b"malformed".to_vec());
                t.set(value.map_err(Into::into).map(|extn_value| Extension {
                    extn_id: oid::ID_PE_AUTHORITY_INFO_ACCESS,
                    critical: false,
                    extn_value,
                }));
            })?;
            let d = "root -> EE where the EE's (non-critical) authorityInfoAccess holds the bytes `malformed`, not an AuthorityInfoAccessSyntax.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("webpki::eku::ee-anyeku", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.set(eku(&[CODE_SIGNING, ANY_EKU], false)))?;
            let d = "root -> EE where the EE's extended key usage adds anyExtendedKeyUsage.";
            Ok(Case::new(d, vec![root], leaf).features(&["pedantic-webpki-eku"])
                .adapted("the EE lists codeSigning and anyExtendedKeyUsage where upstream lists serverAuth and anyExtendedKeyUsage."))
        }),
        ("webpki::eku::ee-critical-eku", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.set(eku(&[CODE_SIGNING], true)))?;
            let d = "root -> EE where the EE's extended key usage extension is critical.";
            Ok(Case::new(d, vec![root], leaf).features(&["pedantic-webpki-eku"]))
        }),
        ("webpki::eku::ee-without-eku", |b| {
            let root = b.root(None, |_| {})?;
            let leaf = b.leaf(&root, |t| t.remove(oid::ID_CE_EXT_KEY_USAGE))?;
            let d = "root -> EE where the EE has no extended key usage extension.";
            Ok(Case::new(d, vec![root], leaf).features(&["pedantic-webpki-eku"]))
        }),
        ("webpki::eku::root-has-eku", |b| {
            let root = b.root(None, |t| t.set(eku(&[CODE_SIGNING], false)))?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root has an extended key usage extension.";
            Ok(Case::new(d, vec![root], leaf)
                .features(&["pedantic-webpki-eku"])
                .adapted(
                    "the root's extended key usage is codeSigning where upstream's is serverAuth.",
                ))
        }),
        ("webpki::aki::root-with-aki-missing-keyidentifier", |b| {
            root_aki(
                b,
                "the root's authorityKeyIdentifier has no keyIdentifier.",
                |_| Ok(AuthorityKeyIdentifier::default()),
            )
        }),
        ("webpki::aki::root-with-aki-authoritycertissuer", |b| {
            root_aki(
                b,
                "the root's authorityKeyIdentifier has an authorityCertIssuer.",
                |id| {
                    Ok(AuthorityKeyIdentifier {
                        key_identifier: Some(id),
                        authority_cert_issuer: Some(vec![GeneralName::DirectoryName(name(
                            "CN=myCN",
                        )?)]),
                        authority_cert_serial_number: None,
                    })
                },
            )
        }),
        (
            "webpki::aki::root-with-aki-authoritycertserialnumber",
            |b| {
                root_aki(
                    b,
                    "the root's authorityKeyIdentifier has an authorityCertSerialNumber.",
                    |id| {
                        Ok(AuthorityKeyIdentifier {
                            key_identifier: Some(id),
                            authority_cert_issuer: None,
                            authority_cert_serial_number: Some(SerialNumber::new(&[0x04, 0xd2])?),
                        })
                    },
                )
            },
        ),
        ("webpki::aki::root-with-aki-all-fields", |b| {
            root_aki(
                b,
                "the root's authorityKeyIdentifier has all three fields.",
                |id| {
                    Ok(AuthorityKeyIdentifier {
                        key_identifier: Some(id),
                        authority_cert_issuer: Some(vec![GeneralName::DirectoryName(name(
                            "CN=myCN",
                        )?)]),
                        authority_cert_serial_number: Some(SerialNumber::new(&[0x04, 0xd2])?),
                    })
                },
            )
        }),
        ("webpki::aki::root-with-aki-ski-mismatch", |b| {
            let other = b.key()?;
            let root = b.root(None, |t| t.set(aki(&other, false)))?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root -> EE where the root's authorityKeyIdentifier does not match its subjectKeyIdentifier.";
            Ok(Case::new(d, vec![root], leaf))
        }),
        ("rfc5280::mismatching-signature-algorithm", |b| {
            let mut t = b.template(name("CN=x509-limbo-root")?)?;
            t.extensions = vec![
                bc(true, None, true)?,
                ku(KeyUsages::KeyCertSign | KeyUsages::CRLSign)?,
                ski(&t.key, false)?,
            ];
            let (subject, key) = (t.subject.clone(), t.key.clone());
            let ecdsa_sha384 = AlgorithmIdentifierOwned {
                oid: ECDSA_SHA384,
                parameters: None,
            };
            let root = sign_as(t, subject, &key, Some(ecdsa_sha384))?;
            let ica = b.ica(&root, None, |_| {})?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root -> ICA -> EE where the root's signatureAlgorithm (ecdsa-with-SHA384) differs from its TBSCertificate's (ecdsa-with-SHA256), which RFC 5280 4.1.1.2 forbids.";
            Ok(Case::new(d, vec![root], leaf).via(vec![ica]).adapted(
                "upstream edits a stored cryptography.io chain; this chain is built, with the same defect in the root.",
            ))
        }),
        ("pathological::multiple-chains-expired-intermediate", |b| {
            let root = b.root(None, |_| {})?;
            let root_two = b.root(Some("CN=x509-limbo-root-2"), |_| {})?;
            let (subject, key) = (root.subject.clone(), root.key.clone());
            let expired = b.ica(&root_two, Some(1), |t| {
                t.subject = subject;
                t.not_after = 596_419_200; // 1988-11-25
                t.key = key;
                let ext = ski(&t.key, false);
                t.set(ext);
            })?;
            let leaf = b.leaf(&root, |_| {})?;
            let d = "root 2 -> ICA (expired; root's name and key) -> root -> EE with both roots trusted: the path through the root alone is valid (the \"chain of pain\").";
            Ok(Case::new(d, vec![root, root_two], leaf)
                .via(vec![expired])
                .succeeds())
        }),
        ("pathological::intermediate-cycle-distinct-cas", |b| {
            cycle(b, false, None)
        }),
        (
            "pathological::intermediate-cycle-distinct-cas-max-depth",
            |b| cycle(b, false, Some(255)),
        ),
        ("pathological::intermediate-cycle-same-logical-ca", |b| {
            cycle(b, true, None)
        }),
        ("webpki::forbidden-weak-rsa-key-in-root", |b| {
            rsa_case(b, 1024, true)
        }),
        ("webpki::forbidden-weak-rsa-in-leaf", |b| {
            rsa_case(b, 1024, false)
        }),
        ("webpki::forbidden-rsa-not-divisible-by-8-in-root", |b| {
            rsa_case(b, 2052, true)
        }),
        (
            "webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf",
            |b| rsa_case(b, 2052, false),
        ),
        ("invalid::invalid-issuer-key", |b| {
            let root1 = b.root(None, |_| {})?;
            let root2 = b.root(None, |_| {})?;
            let ica = b.ica(&root2, None, |t| t.key = Rc::new(Key::MalformedRsa))?;
            let leaf = b.leaf(&ica, |_| {})?;
            let d = "root1 (trusted), root2 -> ICA -> EE where the ICA's RSA public key is malformed and the EE's signature is an empty SEQUENCE.";
            Ok(Case::new(d, vec![root1], leaf).via(vec![ica]))
        }),
    ];
    let mut out = Vec::with_capacity(all.len());
    for (id, make) in all {
        let mut builder = Builder {
            id: id.to_owned(),
            counter: 0,
        };
        let mut case = make(&mut builder).with_context(|| id.to_owned())?;
        case.id = id;
        out.push(case.to_json());
    }
    Ok(out)
}

fn pathlen_ee(b: &mut Builder, path_len: u8) -> Result<Case> {
    let root = b.root(None, |_| {})?;
    let ica = b.ica(&root, Some(path_len), |_| {})?;
    let leaf = b.leaf(&ica, |_| {})?;
    let d = format!("root -> ICA (pathlen:{path_len}) -> EE: an end entity below any pathlen.");
    Ok(Case::new(&d, vec![root], leaf).via(vec![ica]).succeeds())
}

/// root -> ICA -> EE with the given validity years, validated on 2022-01-01.
fn validity(
    b: &mut Builder,
    root_years: [i32; 2],
    ica_years: [i32; 2],
    leaf_years: [i32; 2],
    expired: &str,
) -> Result<Case> {
    let year = |y: i32| at(&format!("{y}-01-01T00:00:00Z"));
    let (rb, ra) = (year(root_years[0])?, year(root_years[1])?);
    let (ib, ia) = (year(ica_years[0])?, year(ica_years[1])?);
    let (lb, la) = (year(leaf_years[0])?, year(leaf_years[1])?);
    let root = b.root(None, |t| (t.not_before, t.not_after) = (rb, ra))?;
    let ica = b.ica(&root, None, |t| (t.not_before, t.not_after) = (ib, ia))?;
    let leaf = b.leaf(&ica, |t| (t.not_before, t.not_after) = (lb, la))?;
    let d =
        format!("root -> ICA -> EE validated on 2022-01-01, when {expired} (only) has expired.");
    Ok(Case::new(&d, vec![root], leaf)
        .via(vec![ica])
        .at("2022-01-01T00:00:00Z"))
}

/// root -> ICA -> EE, all valid from `not_before` to 2024-04-01, validated at `time`.
fn march(
    b: &mut Builder,
    not_before: &str,
    time: &str,
    succeeds: bool,
    what: &str,
) -> Result<Case> {
    let (nb, na) = (at(not_before)?, at("2024-04-01T00:00:00Z")?);
    let root = b.root(None, |t| (t.not_before, t.not_after) = (nb, na))?;
    let ica = b.ica(&root, None, |t| (t.not_before, t.not_after) = (nb, na))?;
    let leaf = b.leaf(&ica, |t| (t.not_before, t.not_after) = (nb, na))?;
    let d = format!("root -> ICA -> EE valid from {not_before} to 2024-04-01T00:00:00Z, {what}");
    let case = Case::new(&d, vec![root], leaf).via(vec![ica]).at(time);
    Ok(if succeeds { case.succeeds() } else { case })
}

/// root -> EE where the EE has an authorityInfoAccess, critical or not.
fn aia(b: &mut Builder, critical: bool) -> Result<Case> {
    let root = b.root(None, |_| {})?;
    let value = AuthorityInfoAccessSyntax(vec![AccessDescription {
        access_method: CA_ISSUERS,
        access_location: GeneralName::DnsName(Ia5String::new("example.com")?),
    }]);
    let aia = ext(oid::ID_PE_AUTHORITY_INFO_ACCESS, critical, value)?;
    let leaf = b.leaf(&root, |t| t.extensions.push(aia))?;
    let d = if critical {
        "root -> EE where the EE's authorityInfoAccess is critical (RFC 5280 4.2.2.1: MUST be non-critical)."
    } else {
        "root -> EE where the EE has a (non-critical) authorityInfoAccess."
    };
    let case = Case::new(d, vec![root], leaf);
    Ok(if critical { case } else { case.succeeds() })
}

/// root -> EE where the root has the authorityKeyIdentifier `make(its key id)`.
fn root_aki(
    b: &mut Builder,
    what: &str,
    make: fn(OctetString) -> Result<AuthorityKeyIdentifier>,
) -> Result<Case> {
    let root = b.root(None, |t| {
        let value = key_id(&t.key).and_then(make);
        t.set(value.and_then(|v| ext(oid::ID_CE_AUTHORITY_KEY_IDENTIFIER, false, v)));
    })?;
    let leaf = b.leaf(&root, |_| {})?;
    let d = format!("root -> EE where {what}");
    Ok(Case::new(&d, vec![root], leaf))
}

/// root -/-> (ICA1 <-> ICA2) -> EE: two intermediates that sign each other and never reach
/// the root; with `same_name` both are `CN=intermediate-cycle-same-logical-ca` (and carry no
/// key usage, as upstream's).
fn cycle(b: &mut Builder, same_name: bool, max_depth: Option<u32>) -> Result<Case> {
    let root = b.root(None, |_| {})?;
    let (name1, name2) = if same_name {
        let n = name("CN=intermediate-cycle-same-logical-ca")?;
        (n.clone(), n)
    } else {
        (
            name("CN=intermediate-cycle-distinct-ca1")?,
            name("CN=intermediate-cycle-distinct-ca2")?,
        )
    };
    let (key1, key2) = (b.key()?, b.key()?);
    let ica = |b: &mut Builder, subject: &Name, key: &Rc<Key>, signer: &Rc<Key>| -> Result<Tmpl> {
        let mut t = b.template(subject.clone())?;
        t.key = key.clone();
        t.extensions = vec![bc(true, None, true)?];
        if !same_name {
            t.extensions.push(ku(KeyUsages::KeyCertSign)?);
        }
        t.extensions.push(aki(signer, false)?);
        t.extensions.push(ski(key, false)?);
        Ok(t)
    };
    let t1 = ica(b, &name1, &key1, &key2)?;
    let ica1 = sign_as(t1, name2.clone(), &key2, None)?;
    let t2 = ica(b, &name2, &key2, &key1)?;
    let ica2 = sign_as(t2, name1, &key1, None)?;
    let leaf = b.leaf(&ica1, |_| {})?;
    let d = if same_name {
        "root -/-> (ICA <-> ICA) -> EE: two certificates of one logical CA (same name, different keys) sign each other; neither chains to the root."
    } else {
        "root -/-> (ICA' <-> ICA'') -> EE: two CAs sign each other; neither chains to the root."
    };
    let case = Case::new(d, vec![root], leaf).via(vec![ica1, ica2]);
    Ok(match max_depth {
        Some(depth) => case.depth(depth),
        None => case,
    })
}

/// root -> EE where the root (which signs with it) or the EE has an RSA key of `bits` bits.
fn rsa_case(b: &mut Builder, bits: usize, in_root: bool) -> Result<Case> {
    let key = b.rsa_key(bits)?;
    let (root, leaf) = if in_root {
        let root = b.root(None, |t| {
            t.key = key;
            let ext = ski(&t.key, false);
            t.set(ext);
        })?;
        let leaf = b.leaf(&root, |_| {})?;
        (root, leaf)
    } else {
        let root = b.root(None, |_| {})?;
        let leaf = b.leaf(&root, |t| {
            t.key = key;
            let ext = ski(&t.key, false);
            t.set(ext);
        })?;
        (root, leaf)
    };
    let whose = if in_root { "the root" } else { "the EE" };
    let d = format!("root -> EE where {whose} has an RSA-{bits} key (CA/B Forum: at least 2048 bits, a multiple of 8).");
    let case = Case::new(&d, vec![root], leaf);
    Ok(if in_root {
        case
    } else {
        case.features(&["pedantic-webpki-subscriber-key"])
    })
}
