use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, UintRef};
use der::{Decode, Encode, Reader, SliceReader};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use crate::backend::ParsedKey;
use crate::{Digest, Error, HashAlgorithm};

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Smallest and largest RSA modulus accepted, in bits.
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 4096;
/// Smallest and largest RSA public exponent accepted, in bits (3 to 2^33 - 1).
const RSA_MIN_EXPONENT_BITS: usize = 2;
const RSA_MAX_EXPONENT_BITS: usize = 33;

/// The type of a public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// ECDSA on NIST P-256.
    EcdsaP256,
    /// ECDSA on NIST P-384.
    EcdsaP384,
    /// ECDSA on NIST P-521.
    EcdsaP521,
    /// Ed25519.
    Ed25519,
    /// RSA with a modulus of this many bits (2048 to 4096).
    Rsa {
        /// Modulus length in bits.
        bits: u16,
    },
}

/// A signature scheme: how a key signs and with which hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// ECDSA with SHA-256, ASN.1 DER signature.
    EcdsaSha256,
    /// ECDSA with SHA-384, ASN.1 DER signature.
    EcdsaSha384,
    /// ECDSA with SHA-512, ASN.1 DER signature.
    EcdsaSha512,
    /// Pure Ed25519 (RFC 8032): needs the whole message.
    Ed25519,
    /// Ed25519ph (RFC 8032) over a SHA-512 prehash.
    Ed25519Ph,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256 (MGF1 SHA-256, salt length 32).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384 (MGF1 SHA-384, salt length 48).
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512 (MGF1 SHA-512, salt length 64).
    RsaPssSha512,
}

impl SignatureAlgorithm {
    /// The hash the scheme signs, or `None` for pure Ed25519, which signs the message itself.
    pub const fn hash(self) -> Option<HashAlgorithm> {
        match self {
            Self::EcdsaSha256 | Self::RsaPkcs1Sha256 | Self::RsaPssSha256 => {
                Some(HashAlgorithm::Sha256)
            }
            Self::EcdsaSha384 | Self::RsaPkcs1Sha384 | Self::RsaPssSha384 => {
                Some(HashAlgorithm::Sha384)
            }
            Self::EcdsaSha512 | Self::RsaPkcs1Sha512 | Self::RsaPssSha512 | Self::Ed25519Ph => {
                Some(HashAlgorithm::Sha512)
            }
            Self::Ed25519 => None,
        }
    }

    /// Whether a key of type `key` can make signatures of this scheme.
    pub const fn fits(self, key: KeyType) -> bool {
        match self {
            Self::EcdsaSha256 | Self::EcdsaSha384 | Self::EcdsaSha512 => matches!(
                key,
                KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::EcdsaP521
            ),
            Self::Ed25519 | Self::Ed25519Ph => matches!(key, KeyType::Ed25519),
            Self::RsaPkcs1Sha256
            | Self::RsaPkcs1Sha384
            | Self::RsaPkcs1Sha512
            | Self::RsaPssSha256
            | Self::RsaPssSha384
            | Self::RsaPssSha512 => matches!(key, KeyType::Rsa { .. }),
        }
    }
}

/// A public key parsed from a `SubjectPublicKeyInfo`, ready to check signatures.
///
/// Parsing happens once; checks reuse the parsed form, so keep the value around (for example in
/// a verifier's trust material) rather than reparsing the DER for each signature.
#[derive(Clone)]
pub struct PublicKey {
    spki: Vec<u8>,
    key_type: KeyType,
    parsed: ParsedKey,
}

impl PublicKey {
    /// Parses a DER `SubjectPublicKeyInfo`.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| Error::MalformedKey("not a DER SubjectPublicKeyInfo"))?;
        let raw = spki
            .subject_public_key
            .as_bytes()
            .ok_or(Error::MalformedKey("public key bit string has unused bits"))?;
        let oid = spki.algorithm.oid;
        let key_type = if oid == ID_EC_PUBLIC_KEY {
            let curve: ObjectIdentifier = spki
                .algorithm
                .parameters
                .ok_or(Error::MalformedKey("EC key without curve parameters"))?
                .decode_as()
                .map_err(|_| Error::UnsupportedKey("EC key without a named curve"))?;
            let key_type = match curve {
                c if c == SECP256R1 => KeyType::EcdsaP256,
                c if c == SECP384R1 => KeyType::EcdsaP384,
                c if c == SECP521R1 => KeyType::EcdsaP521,
                _ => {
                    return Err(Error::UnsupportedKey(
                        "EC curve is not P-256, P-384 or P-521",
                    ))
                }
            };
            // SEC1 uncompressed (04) or compressed (02, 03) points only: both backends take
            // these, and the compact and hybrid forms are not used by anyone we talk to.
            if !matches!(raw.first(), Some(0x02..=0x04)) {
                return Err(Error::MalformedKey(
                    "EC point is not in SEC1 (un)compressed form",
                ));
            }
            key_type
        } else if oid == ID_ED25519 {
            if spki.algorithm.parameters.is_some() {
                return Err(Error::MalformedKey("Ed25519 key with parameters"));
            }
            KeyType::Ed25519
        } else if oid == RSA_ENCRYPTION {
            // RFC 3279: the parameters MUST be NULL (RustCrypto insists; aws-lc never sees them).
            if spki.algorithm.parameters != Some(AnyRef::NULL) {
                return Err(Error::MalformedKey("RSA key parameters are not NULL"));
            }
            KeyType::Rsa {
                bits: rsa_modulus_bits(raw)?,
            }
        } else {
            return Err(Error::UnsupportedKey(
                "key algorithm is not ECDSA, Ed25519 or RSA",
            ));
        };
        let parsed = ParsedKey::parse(key_type, der, raw)?;
        Ok(Self {
            spki: der.to_vec(),
            key_type,
            parsed,
        })
    }

    /// Parses a bare PKCS#1 `RSAPublicKey` (DER), the form Sigstore trust roots use for keys
    /// marked `PKCS1_RSA_PKCS1V5`. The key is stored, and returned by [`PublicKey::spki_der`],
    /// as the equivalent `SubjectPublicKeyInfo` (`rsaEncryption`, NULL parameters).
    pub fn from_pkcs1_rsa_der(der: &[u8]) -> Result<Self, Error> {
        let subject_public_key = BitStringRef::from_bytes(der)
            .map_err(|_| Error::MalformedKey("not a PKCS#1 RSAPublicKey"))?;
        let spki = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: RSA_ENCRYPTION,
                parameters: Some(AnyRef::NULL),
            },
            subject_public_key,
        }
        .to_der()
        .map_err(|_| Error::MalformedKey("not a PKCS#1 RSAPublicKey"))?;
        Self::from_spki_der(&spki)
    }

    /// Parses a PEM `PUBLIC KEY` block, read leniently ([`crate::pem::decode`]: base64 lines
    /// of any length, CRLF, text around the block).
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        let (label, der) = crate::pem::decode(pem).map_err(|e| Error::MalformedKey(e.as_str()))?;
        if label != "PUBLIC KEY" {
            return Err(Error::MalformedKey("PEM label is not PUBLIC KEY"));
        }
        Self::from_spki_der(&der)
    }

    /// The DER `SubjectPublicKeyInfo` this key was parsed from.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The scheme Sigstore uses with this kind of key: ECDSA with the curve's hash (SHA-256 for
    /// P-256, SHA-384 for P-384, SHA-512 for P-521), pure Ed25519, RSA PKCS#1 v1.5 with SHA-256.
    pub fn default_algorithm(&self) -> SignatureAlgorithm {
        match self.key_type {
            KeyType::EcdsaP256 => SignatureAlgorithm::EcdsaSha256,
            KeyType::EcdsaP384 => SignatureAlgorithm::EcdsaSha384,
            KeyType::EcdsaP521 => SignatureAlgorithm::EcdsaSha512,
            KeyType::Ed25519 => SignatureAlgorithm::Ed25519,
            KeyType::Rsa { .. } => SignatureAlgorithm::RsaPkcs1Sha256,
        }
    }

    /// Checks `signature` over `message` with `algorithm`.
    pub fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        #[cfg(feature = "probe")]
        crate::probe::message(self, algorithm, message, signature);
        self.check_fits(algorithm)?;
        match algorithm.hash() {
            Some(hash) if algorithm != SignatureAlgorithm::Ed25519Ph => {
                self.parsed
                    .verify_digest(algorithm, &hash.digest(message), signature)
            }
            _ => self.parsed.verify_message(algorithm, message, signature),
        }
    }

    /// Checks `signature` over a precomputed `digest`, which must come from the algorithm's own
    /// hash (SHA-512 for Ed25519ph). Pure Ed25519 signs the whole message and cannot check a
    /// digest: it returns [`Error::DigestNotSupported`].
    pub fn verify_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &Digest,
        signature: &[u8],
    ) -> Result<(), Error> {
        #[cfg(feature = "probe")]
        crate::probe::digest(self, algorithm, digest, signature);
        self.check_fits(algorithm)?;
        match algorithm {
            SignatureAlgorithm::Ed25519 => Err(Error::DigestNotSupported(algorithm)),
            SignatureAlgorithm::Ed25519Ph => {
                let prehash = crate::prehash::Sha512Prehash::new(digest)?;
                let key = self
                    .parsed
                    .ed25519()
                    .ok_or(Error::DigestNotSupported(algorithm))?;
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| Error::MalformedSignature)?;
                key.verify_prehashed_strict(prehash, None, &sig)
                    .map_err(|_| Error::BadSignature)
            }
            _ if algorithm.hash() != Some(digest.algorithm()) => Err(Error::DigestMismatch),
            _ => self.parsed.verify_digest(algorithm, digest, signature),
        }
    }

    fn check_fits(&self, algorithm: SignatureAlgorithm) -> Result<(), Error> {
        if algorithm.fits(self.key_type) {
            Ok(())
        } else {
            Err(Error::AlgorithmMismatch {
                algorithm,
                key: self.key_type,
            })
        }
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki == other.spki
    }
}

impl Eq for PublicKey {}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PublicKey")
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

/// Reads the modulus length of a PKCS#1 `RSAPublicKey` and checks the accepted range.
fn rsa_modulus_bits(raw: &[u8]) -> Result<u16, Error> {
    let malformed = |_| Error::MalformedKey("not a PKCS#1 RSAPublicKey");
    let mut reader = SliceReader::new(raw).map_err(malformed)?;
    let (modulus, exponent) = reader
        .sequence(|seq| {
            let modulus = UintRef::decode(seq)?;
            let exponent = UintRef::decode(seq)?;
            Ok((modulus, exponent))
        })
        .map_err(malformed)?;
    reader.finish(()).map_err(malformed)?;
    let bytes = modulus.as_bytes();
    let leading = bytes.first().map_or(8, |b| b.leading_zeros() as usize);
    let bits = (bytes.len() * 8).saturating_sub(leading);
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(Error::UnsupportedKey(
            "RSA modulus is not 2048 to 4096 bits",
        ));
    }
    if bytes.last().is_none_or(|b| b & 1 == 0) {
        return Err(Error::MalformedKey("RSA modulus is even"));
    }
    // The rules both backends share: aws-lc wants an odd exponent of 2 to 33 bits.
    let e = exponent.as_bytes();
    let e_odd = e.last().is_some_and(|b| b & 1 == 1);
    let e_leading = e.first().map_or(8, |b| b.leading_zeros() as usize);
    let e_bits = (e.len() * 8).saturating_sub(e_leading);
    if !e_odd || !(RSA_MIN_EXPONENT_BITS..=RSA_MAX_EXPONENT_BITS).contains(&e_bits) {
        return Err(Error::UnsupportedKey(
            "RSA public exponent is not an odd number of 2 to 33 bits",
        ));
    }
    u16::try_from(bits).map_err(|_| Error::UnsupportedKey("RSA modulus too large"))
}
