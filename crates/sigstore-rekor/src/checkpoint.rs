//! C2SP signed notes and transparency log checkpoints.
//!
//! A checkpoint is a [signed note](https://c2sp.org/signed-note) whose text is a
//! [tlog checkpoint](https://c2sp.org/tlog-checkpoint):
//!
//! ```text
//! <origin>
//! <tree size>
//! <base64 root hash>
//! [extension lines]
//!
//! — <key name> <base64(4-byte key ID || signature)>
//! ```
//!
//! Parse the note with [`SignedNote::parse`], check it with [`SignedNote::verify`] against the
//! trusted [`NoteVerifier`]s, then read the [`Checkpoint`] from the verified text; or do all three
//! with [`verify_checkpoint`], [`verify_rekor_v1_checkpoint`] or [`verify_rekor_v2_checkpoint`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use sigstore_crypto::{KeyType, PublicKey, SignatureAlgorithm};

use crate::error::{CheckpointFormat, NoteFormat};
use crate::merkle::Hash;
use crate::Error;

/// Largest signed note accepted, in bytes. Real checkpoints are a few hundred bytes; the cap
/// (the one sigstore-go and the Go `note` package readers use for responses) bounds the work a
/// hostile note can cause.
pub const MAX_NOTE_SIZE: usize = 1 << 20;

/// Most signature lines accepted. C2SP asks verifiers to accept at least 16; Go's `note`
/// package caps at 100, which leaves room for many witness cosignatures while bounding the
/// number of signature checks.
pub const MAX_SIGNATURE_LINES: usize = 100;

/// The prefix of every signature line: U+2014 EM DASH and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// DER prefix of an Ed25519 `SubjectPublicKeyInfo` without parameters; the raw 32-byte key
/// follows it.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// C2SP signature type byte for Ed25519 note keys.
const C2SP_TYPE_ED25519: u8 = 0x01;
/// Rekor v2 signature type byte for non-standard algorithms (followed by an algorithm name).
const C2SP_TYPE_OTHER: u8 = 0xff;
/// The algorithm name Rekor v2 hashes into RSA key IDs.
const REKOR_RSA_ALGORITHM_NAME: &[u8] = b"PKIX-RSA-PKCS#1v1.5";

/// One signature line of a signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The 4-byte key ID (a lookup hint, never proof of anything).
    pub key_id: [u8; 4],
    /// The signature bytes after the key ID.
    pub signature: Vec<u8>,
}

/// A parsed, not yet verified, signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, through the final newline of its last line.
    pub text: String,
    /// The signature lines in order.
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// Parses a signed note.
    ///
    /// The text is everything up to and including the newline before the last blank line;
    /// the rest must be one or more signature lines, each ending in a newline.
    pub fn parse(note: &str) -> Result<Self, Error> {
        if note.len() > MAX_NOTE_SIZE {
            return Err(Error::NoteTooLarge {
                len: note.len(),
                max: MAX_NOTE_SIZE,
            });
        }
        if note
            .chars()
            .any(|c| c != '\n' && (c.is_control() || c == '\u{fffd}'))
        {
            return Err(Error::MalformedNote(NoteFormat::ControlCharacter));
        }
        let split = note
            .rfind("\n\n")
            .ok_or(Error::MalformedNote(NoteFormat::MissingSeparator))?;
        // `split` indexes an ASCII '\n', so these are char boundaries.
        let text = note.get(..split + 1).unwrap_or_default();
        let sigs = note.get(split + 2..).unwrap_or_default();
        if sigs.is_empty() {
            return Err(Error::MalformedNote(NoteFormat::NoSignatures));
        }
        let Some(sigs) = sigs.strip_suffix('\n') else {
            return Err(Error::MalformedNote(NoteFormat::MissingFinalNewline));
        };
        let mut signatures = Vec::new();
        for line in sigs.split('\n') {
            if signatures.len() >= MAX_SIGNATURE_LINES {
                return Err(Error::TooManySignatures {
                    max: MAX_SIGNATURE_LINES,
                });
            }
            signatures.push(parse_signature_line(line)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Checks the note against trusted keys and returns the first signature line that verifies.
    ///
    /// A line whose (key name, key ID) pair matches no verifier is ignored (witness
    /// cosignatures, other algorithms). A line that matches a verifier must verify with it,
    /// or the whole note is rejected with [`Error::NoteSignatureInvalid`]. At least one line
    /// must verify, else [`Error::NoMatchingSignature`].
    pub fn verify(&self, verifiers: &[NoteVerifier]) -> Result<&NoteSignature, Error> {
        let mut verified = None;
        for sig in &self.signatures {
            let mut matched = false;
            let mut ok = false;
            for v in verifiers
                .iter()
                .filter(|v| v.name == sig.name && v.key_id() == sig.key_id)
            {
                matched = true;
                if v.verify_text(self.text.as_bytes(), &sig.signature) {
                    ok = true;
                    break;
                }
            }
            if matched && !ok {
                return Err(Error::NoteSignatureInvalid {
                    name: sig.name.clone(),
                    key_id: sig.key_id,
                });
            }
            if ok && verified.is_none() {
                verified = Some(sig);
            }
        }
        verified.ok_or(Error::NoMatchingSignature)
    }
}

/// A witness cosignature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosignature {
    /// Position of the witness in the slice given to [`SignedNote::verify_cosignatures`].
    pub witness: usize,
    /// The witness key name.
    pub name: String,
    /// When the witness cosigned (seconds since the Unix epoch, as the witness claims).
    pub timestamp: u64,
}

impl SignedNote {
    /// Checks witness cosignatures ([C2SP tlog-cosignature] v1, Ed25519) over this note against
    /// the witness keys the caller trusts, and returns one verified [`Cosignature`] per
    /// distinct witness.
    ///
    /// Lines that match no witness by (key name, key ID) are ignored (the log's own signature,
    /// other witnesses). A line that matches a witness must verify, or the note is rejected
    /// with [`Error::NoteSignatureInvalid`]. Only the witnesses given count: nothing in the
    /// note itself can add one.
    ///
    /// [C2SP tlog-cosignature]: https://c2sp.org/tlog-cosignature
    pub fn verify_cosignatures(
        &self,
        witnesses: &[CosignatureVerifier],
    ) -> Result<Vec<Cosignature>, Error> {
        let mut verified: Vec<Cosignature> = Vec::new();
        for sig in &self.signatures {
            for (index, witness) in witnesses
                .iter()
                .enumerate()
                .filter(|(_, w)| w.name == sig.name && w.key_id == sig.key_id)
            {
                let timestamp = witness.verify(&self.text, &sig.name, &sig.signature)?;
                // Count a witness once, however many lines or copies of its key there are.
                let duplicate = verified.iter().any(|c| {
                    witnesses
                        .get(c.witness)
                        .is_some_and(|w| w.name == witness.name && w.key == witness.key)
                });
                if !duplicate {
                    verified.push(Cosignature {
                        witness: index,
                        name: witness.name.clone(),
                        timestamp,
                    });
                }
            }
        }
        Ok(verified)
    }
}

/// C2SP signature type byte of tlog-cosignature/v1 (Ed25519) keys.
const C2SP_TYPE_COSIGNATURE_V1: u8 = 0x04;

/// A witness (cosigner) key for [C2SP tlog-cosignature] v1: an Ed25519 key with a name. Key
/// ID = SHA-256(name || 0x0A || 0x04 || 32-byte key)[0..4]; the signature line carries an
/// 8-byte big-endian timestamp then an Ed25519 signature over `"cosignature/v1\n"`,
/// `"time <timestamp>\n"` and the note text.
///
/// [C2SP tlog-cosignature]: https://c2sp.org/tlog-cosignature
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key_id: [u8; 4],
    key: PublicKey,
}

impl CosignatureVerifier {
    /// Parses a file of verifier keys: one [`CosignatureVerifier::from_vkey`] key per
    /// non-empty line; lines starting with `#` are comments. May return no key.
    pub fn from_vkey_lines(text: &str) -> Result<Vec<Self>, Error> {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(Self::from_vkey)
            .collect()
    }

    /// A witness key from its name and its raw 32-byte Ed25519 public key.
    pub fn new(name: &str, raw_key: &[u8]) -> Result<Self, Error> {
        check_name(name).map_err(|_| Error::InvalidWitnessKey("invalid key name"))?;
        if raw_key.len() != 32 {
            return Err(Error::InvalidWitnessKey("an Ed25519 key is 32 bytes"));
        }
        let spki = [&ED25519_SPKI_PREFIX[..], raw_key].concat();
        let key = PublicKey::from_spki_der(&spki)
            .map_err(|_| Error::InvalidWitnessKey("not an Ed25519 public key"))?;
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update([b'\n', C2SP_TYPE_COSIGNATURE_V1]);
        h.update(raw_key);
        let hash: Hash = h.finalize().into();
        let [a, b, c, d, ..] = hash;
        Ok(Self {
            name: name.to_owned(),
            key_id: [a, b, c, d],
            key,
        })
    }

    /// Parses a C2SP signed-note verifier key (`vkey`) of type 0x04:
    /// `<name>+<8 hex digits key ID>+<base64(0x04 || 32-byte Ed25519 key)>`, surrounding
    /// whitespace ignored. The key ID must be the one the name and key give.
    pub fn from_vkey(vkey: &str) -> Result<Self, Error> {
        let vkey = vkey.trim();
        // Names hold no '+', key IDs neither; the base64 key may.
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::InvalidWitnessKey(
                "not a verifier key <name>+<key ID>+<key>",
            ));
        };
        let id = hex::decode(id_hex)
            .ok()
            .filter(|id| id.len() == 4)
            .ok_or(Error::InvalidWitnessKey("the key ID is not 8 hex digits"))?;
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| Error::InvalidWitnessKey("the key is not base64"))?;
        let (&kind, key) = raw
            .split_first()
            .ok_or(Error::InvalidWitnessKey("the key is empty"))?;
        if kind != C2SP_TYPE_COSIGNATURE_V1 {
            return Err(Error::InvalidWitnessKey(
                "not a cosignature/v1 key (type 0x04)",
            ));
        }
        let verifier = Self::new(name, key)?;
        if verifier.key_id[..] != id[..] {
            return Err(Error::InvalidWitnessKey(
                "the key ID does not match the name and key",
            ));
        }
        Ok(verifier)
    }

    /// The witness key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID of the witness's signature lines.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// Checks one cosignature (timestamp || signature) over `text`; the timestamp on success.
    fn verify(&self, text: &str, line_name: &str, signature: &[u8]) -> Result<u64, Error> {
        let malformed = |what| Error::MalformedCosignature {
            name: line_name.to_owned(),
            what,
        };
        let invalid = || Error::NoteSignatureInvalid {
            name: line_name.to_owned(),
            key_id: self.key_id,
        };
        if signature.len() != 8 + 64 {
            return Err(malformed("not an 8-byte timestamp and a 64-byte signature"));
        }
        let (time, sig) = signature.split_at(8);
        let timestamp = u64::from_be_bytes(time.try_into().map_err(|_| invalid())?);
        if timestamp > i64::MAX as u64 {
            return Err(malformed("timestamp beyond 2^63 - 1"));
        }
        let message = format!("cosignature/v1\ntime {timestamp}\n{text}");
        self.key
            .verify(SignatureAlgorithm::Ed25519, message.as_bytes(), sig)
            .map_err(|_| invalid())?;
        Ok(timestamp)
    }
}

fn parse_signature_line(line: &str) -> Result<NoteSignature, Error> {
    let rest = line
        .strip_prefix(SIGNATURE_PREFIX)
        .ok_or(Error::MalformedNote(NoteFormat::MissingDash))?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or(Error::MalformedNote(NoteFormat::MissingSignature))?;
    if !is_valid_key_name(name) {
        return Err(Error::MalformedNote(NoteFormat::InvalidKeyName));
    }
    let raw = STANDARD
        .decode(b64)
        .map_err(|_| Error::MalformedNote(NoteFormat::SignatureNotBase64))?;
    if raw.len() < 5 {
        return Err(Error::MalformedNote(NoteFormat::SignatureTooShort));
    }
    let (id, signature) = raw.split_at(4);
    let mut key_id = [0u8; 4];
    key_id.copy_from_slice(id);
    Ok(NoteSignature {
        name: name.to_owned(),
        key_id,
        signature: signature.to_vec(),
    })
}

/// A key name is non-empty and has no whitespace and no `+`.
fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// How a [`NoteVerifier`] checks signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoteScheme {
    /// The key's default algorithm over the note text (ECDSA: over SHA-256 of the text).
    KeyDefault,
    /// Pure Ed25519 over the note text.
    Ed25519,
    /// ECDSA with SHA-256 over the note text.
    EcdsaSha256,
    /// RSA PKCS#1 v1.5 with SHA-256 over the note text.
    RsaPkcs1Sha256,
}

/// A trusted note-signing key: the key name, the key ID derived from it, and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_hash: Hash,
    key: PublicKey,
    scheme: NoteScheme,
}

impl NoteVerifier {
    /// A Rekor v1 log key: key ID = SHA-256(SPKI DER)[0..4], signatures made with the key's
    /// default algorithm (ECDSA over SHA-256 of the text for the P-256 production keys).
    /// `name` is the log's hostname (the origin up to `" - "`).
    pub fn rekor_v1(name: &str, key: PublicKey) -> Result<Self, Error> {
        check_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_hash: Sha256::digest(key.spki_der()).into(),
            key,
            scheme: NoteScheme::KeyDefault,
        })
    }

    /// A C2SP Ed25519 note key: key ID = SHA-256(name || 0x0A || 0x01 || raw key)[0..4], pure
    /// Ed25519 over the text. Rekor v2 logs use this with the log's host name as `name`.
    pub fn ed25519(name: &str, key: PublicKey) -> Result<Self, Error> {
        check_name(name)?;
        if key.key_type() != KeyType::Ed25519 {
            return Err(Error::UnsupportedNoteKey(key.key_type()));
        }
        let raw = key
            .spki_der()
            .strip_prefix(&ED25519_SPKI_PREFIX[..])
            .filter(|raw| raw.len() == 32)
            .ok_or(Error::UnsupportedNoteKey(KeyType::Ed25519))?;
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update([b'\n', C2SP_TYPE_ED25519]);
        h.update(raw);
        Ok(Self {
            name: name.to_owned(),
            key_hash: h.finalize().into(),
            key,
            scheme: NoteScheme::Ed25519,
        })
    }

    /// A C2SP/transparency-dev ECDSA note key: key ID = SHA-256(SPKI DER)[0..4] (name not
    /// hashed), ECDSA with SHA-256 over the text.
    pub fn ecdsa_c2sp(name: &str, key: PublicKey) -> Result<Self, Error> {
        check_name(name)?;
        if !matches!(
            key.key_type(),
            KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::EcdsaP521
        ) {
            return Err(Error::UnsupportedNoteKey(key.key_type()));
        }
        Ok(Self {
            name: name.to_owned(),
            key_hash: Sha256::digest(key.spki_der()).into(),
            key,
            scheme: NoteScheme::EcdsaSha256,
        })
    }

    /// A Rekor v2 RSA note key: key ID = SHA-256(name || 0x0A || 0xFF ||
    /// "PKIX-RSA-PKCS#1v1.5" || SPKI DER)[0..4], RSA PKCS#1 v1.5 with SHA-256 over the text.
    pub fn rsa_rekor_v2(name: &str, key: PublicKey) -> Result<Self, Error> {
        check_name(name)?;
        if !matches!(key.key_type(), KeyType::Rsa { .. }) {
            return Err(Error::UnsupportedNoteKey(key.key_type()));
        }
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update([b'\n', C2SP_TYPE_OTHER]);
        h.update(REKOR_RSA_ALGORITHM_NAME);
        h.update(key.spki_der());
        Ok(Self {
            name: name.to_owned(),
            key_hash: h.finalize().into(),
            key,
            scheme: NoteScheme::RsaPkcs1Sha256,
        })
    }

    /// The Rekor v2 verifier for a log key of any supported type: Ed25519 ([`Self::ed25519`]),
    /// ECDSA ([`Self::ecdsa_c2sp`]) or RSA ([`Self::rsa_rekor_v2`]). `name` is the host part
    /// of the log's base URL, e.g. `log2025-1.rekor.sigstore.dev`.
    pub fn rekor_v2(name: &str, key: PublicKey) -> Result<Self, Error> {
        match key.key_type() {
            KeyType::Ed25519 => Self::ed25519(name, key),
            KeyType::Rsa { .. } => Self::rsa_rekor_v2(name, key),
            _ => Self::ecdsa_c2sp(name, key),
        }
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID that appears in signature lines.
    pub fn key_id(&self) -> [u8; 4] {
        let [a, b, c, d, ..] = self.key_hash;
        [a, b, c, d]
    }

    /// The full 32-byte hash the key ID is cut from. It equals the bundle's `logId.keyId` for
    /// the log (SHA-256 of the SPKI for Rekor v1; the C2SP key hash for Rekor v2).
    pub fn key_hash(&self) -> &Hash {
        &self.key_hash
    }

    /// The public key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    fn verify_text(&self, text: &[u8], signature: &[u8]) -> bool {
        let algorithm = match self.scheme {
            NoteScheme::KeyDefault => self.key.default_algorithm(),
            NoteScheme::Ed25519 => SignatureAlgorithm::Ed25519,
            NoteScheme::EcdsaSha256 => SignatureAlgorithm::EcdsaSha256,
            NoteScheme::RsaPkcs1Sha256 => SignatureAlgorithm::RsaPkcs1Sha256,
        };
        self.key.verify(algorithm, text, signature).is_ok()
    }
}

fn check_name(name: &str) -> Result<(), Error> {
    if is_note_key_name(name) {
        Ok(())
    } else {
        Err(Error::MalformedNote(NoteFormat::InvalidKeyName))
    }
}

/// Whether `name` can name a note key ([`NoteVerifier`]): non-empty, without whitespace,
/// `+` or control characters.
pub fn is_note_key_name(name: &str) -> bool {
    is_valid_key_name(name) && !name.chars().any(char::is_control)
}

/// A transparency log checkpoint (the text of a signed note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, e.g. `log2025-1.rekor.sigstore.dev` or
    /// `rekor.sigstore.dev - 2605736670972794746`.
    pub origin: String,
    /// The number of leaves in the tree.
    pub tree_size: u64,
    /// The tree's root hash.
    pub root_hash: Hash,
    /// Extension lines after the root hash, without their newlines (for example the old Rekor
    /// v1 `Timestamp: <ns>` line, which is not a trustworthy time).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// Parses checkpoint text (the text part of a signed note, ending in a newline).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let body = text
            .strip_suffix('\n')
            .ok_or(Error::MalformedCheckpoint(CheckpointFormat::MissingOrigin))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or(Error::MalformedCheckpoint(CheckpointFormat::MissingOrigin))?;
        let size = lines
            .next()
            .ok_or(Error::MalformedCheckpoint(CheckpointFormat::MissingSize))?;
        let tree_size =
            parse_decimal(size).ok_or(Error::MalformedCheckpoint(CheckpointFormat::InvalidSize))?;
        let root = lines.next().ok_or(Error::MalformedCheckpoint(
            CheckpointFormat::MissingRootHash,
        ))?;
        let root_hash: Hash = STANDARD
            .decode(root)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or(Error::MalformedCheckpoint(
                CheckpointFormat::InvalidRootHash,
            ))?;
        let mut extensions = Vec::new();
        for line in lines {
            if line.is_empty() {
                return Err(Error::MalformedCheckpoint(CheckpointFormat::EmptyLine));
            }
            extensions.push(line.to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            tree_size,
            root_hash,
            extensions,
        })
    }

    /// For a Rekor v1 origin `<host> - <decimal tree ID>`, the host, which is the key name of
    /// the log's signature line. `None` for other origins (Rekor v2 origins are the host
    /// itself).
    pub fn rekor_v1_host(&self) -> Option<&str> {
        rekor_v1_host(&self.origin)
    }
}

fn rekor_v1_host(origin: &str) -> Option<&str> {
    let (host, tree_id) = origin.rsplit_once(" - ")?;
    let numeric = !tree_id.is_empty() && tree_id.bytes().all(|b| b.is_ascii_digit());
    (numeric && is_valid_key_name(host)).then_some(host)
}

/// Parses a decimal u64 without sign or leading zeros.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// Verifies a signed checkpoint with one trusted key and returns its contents.
///
/// Only the signature is checked here; what the origin must be depends on the log generation
/// (see [`verify_rekor_v1_checkpoint`] and [`verify_rekor_v2_checkpoint`]).
pub fn verify_checkpoint(note_text: &str, verifier: &NoteVerifier) -> Result<Checkpoint, Error> {
    let note = SignedNote::parse(note_text)?;
    note.verify(std::slice::from_ref(verifier))?;
    Checkpoint::parse(&note.text)
}

/// Verifies a Rekor v1 checkpoint: the origin must be `<host> - <tree ID>` and the log's
/// signature line is the one named `<host>` with key ID SHA-256(SPKI)[0..4]
/// ([`NoteVerifier::rekor_v1`]).
pub fn verify_rekor_v1_checkpoint(note_text: &str, key: &PublicKey) -> Result<Checkpoint, Error> {
    let note = SignedNote::parse(note_text)?;
    let unverified = Checkpoint::parse(&note.text)?;
    let host = unverified
        .rekor_v1_host()
        .ok_or(Error::MalformedCheckpoint(CheckpointFormat::MissingOrigin))?;
    let verifier = NoteVerifier::rekor_v1(host, key.clone())?;
    note.verify(std::slice::from_ref(&verifier))?;
    Ok(unverified)
}

/// Verifies a Rekor v2 checkpoint: the log's signature must verify with `verifier` and the
/// origin must equal the verifier's key name (the log's host name).
pub fn verify_rekor_v2_checkpoint(
    note_text: &str,
    verifier: &NoteVerifier,
) -> Result<Checkpoint, Error> {
    let checkpoint = verify_checkpoint(note_text, verifier)?;
    if checkpoint.origin != verifier.name() {
        return Err(Error::OriginMismatch {
            expected: verifier.name().to_owned(),
            found: checkpoint.origin,
        });
    }
    Ok(checkpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_note_shapes() {
        let ok = "a\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u{2014} k AAAAAAE=\n";
        let n = SignedNote::parse(ok).unwrap();
        assert_eq!(
            n.text,
            "a\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
        );
        assert_eq!(n.signatures.len(), 1);
        assert_eq!(n.signatures[0].key_id, [0, 0, 0, 0]);
        assert_eq!(n.signatures[0].signature, vec![1]);
        let cp = Checkpoint::parse(&n.text).unwrap();
        assert_eq!(cp.tree_size, 1);
        assert_eq!(cp.origin, "a");

        let bad = [
            ("", NoteFormat::MissingSeparator),
            ("a\n\n", NoteFormat::NoSignatures),
            ("a\n\n\u{2014} k AAAAAAE=", NoteFormat::MissingFinalNewline),
            ("a\n\n- k AAAAAAE=\n", NoteFormat::MissingDash),
            ("a\n\n\u{2014} kAAAAAAE=\n", NoteFormat::MissingSignature),
            ("a\n\n\u{2014}  AAAAAAE=\n", NoteFormat::InvalidKeyName),
            ("a\n\n\u{2014} k+x AAAAAAE=\n", NoteFormat::InvalidKeyName),
            ("a\n\n\u{2014} k AAAAAA==\n", NoteFormat::SignatureTooShort),
            ("a\n\n\u{2014} k AAAAAAE\n", NoteFormat::SignatureNotBase64),
            ("a\n\n\u{2014} k !!!!\n", NoteFormat::SignatureNotBase64),
            ("a\r\n\n\u{2014} k AAAAAAE=\n", NoteFormat::ControlCharacter),
            ("a\t\n\n\u{2014} k AAAAAAE=\n", NoteFormat::ControlCharacter),
            ("a\n\n\u{2014} k AAAAAAE=\n\n", NoteFormat::NoSignatures),
        ];
        for (note, want) in bad {
            assert_eq!(
                SignedNote::parse(note),
                Err(Error::MalformedNote(want)),
                "{note:?}"
            );
        }
    }

    #[test]
    fn caps() {
        let mut note = String::from("a\n\n");
        for _ in 0..=MAX_SIGNATURE_LINES {
            note.push_str("\u{2014} k AAAAAAE=\n");
        }
        assert_eq!(
            SignedNote::parse(&note),
            Err(Error::TooManySignatures {
                max: MAX_SIGNATURE_LINES
            })
        );
        let huge = "a".repeat(MAX_NOTE_SIZE + 1);
        assert!(matches!(
            SignedNote::parse(&huge),
            Err(Error::NoteTooLarge { .. })
        ));
    }

    #[test]
    fn checkpoint_fields() {
        let root = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        let cases = [
            ("", CheckpointFormat::MissingOrigin),
            ("\n", CheckpointFormat::MissingOrigin),
            ("o\n", CheckpointFormat::MissingSize),
            ("o\n01\n", CheckpointFormat::InvalidSize),
            ("o\n-1\n", CheckpointFormat::InvalidSize),
            ("o\n+1\n", CheckpointFormat::InvalidSize),
            ("o\n18446744073709551616\n", CheckpointFormat::InvalidSize),
            ("o\n1\n", CheckpointFormat::MissingRootHash),
            ("o\n1\nAAAA\n", CheckpointFormat::InvalidRootHash),
            ("o\n1\n!\n", CheckpointFormat::InvalidRootHash),
        ];
        for (text, want) in cases {
            assert_eq!(
                Checkpoint::parse(text),
                Err(Error::MalformedCheckpoint(want)),
                "{text:?}"
            );
        }
        let with_empty = format!("o\n1\n{root}\nx\n\ny\n");
        assert_eq!(
            Checkpoint::parse(&with_empty),
            Err(Error::MalformedCheckpoint(CheckpointFormat::EmptyLine))
        );
        let cp = Checkpoint::parse(&format!("o\n18446744073709551615\n{root}\nT: 1\n")).unwrap();
        assert_eq!(cp.tree_size, u64::MAX);
        assert_eq!(cp.extensions, vec!["T: 1".to_owned()]);
        let cp = Checkpoint::parse(&format!("rekor.sigstore.dev - 123\n0\n{root}\n")).unwrap();
        assert_eq!(cp.rekor_v1_host(), Some("rekor.sigstore.dev"));
        let cp = Checkpoint::parse(&format!("log2025-1.rekor.sigstore.dev\n0\n{root}\n")).unwrap();
        assert_eq!(cp.rekor_v1_host(), None);
    }
}
