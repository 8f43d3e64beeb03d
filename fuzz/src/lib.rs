//! What the fuzz targets share: the production trust material, the conformance happy paths
//! with the verifier, policy and artifact each verifies under, and a few input helpers.
//!
//! Everything here is built once per process (the targets call it on every input) and comes
//! from the repository itself: the trusted root embedded in `sigstore-trust` and the cases of
//! `testdata/conformance`.
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use der::{Reader as _, SliceReader};

use sigstore_crypto::{Digest, HashAlgorithm, PublicKey};
use sigstore_types::{Timestamp, TrustedRoot};
use sigstore_verify::{Identity, Policy, TrustMaterial, Verifier, VerifierConfig};

/// The identity the conformance happy paths were signed as.
pub const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
/// The issuer of that identity.
pub const ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The artifact the conformance happy paths signed.
pub const ARTIFACT: &[u8] = include_bytes!("../../testdata/conformance/a.txt");

/// A fixed verification time for chains and TUF metadata: 2026-08-22T00:00:00Z, when the
/// pinned production TUF repository (`testdata/tuf`) is current.
pub const TUF_TIME: i64 = 1_787_356_800;
/// A fixed time inside the validity of the production Fulcio intermediate and of the happy-path
/// leaf certificates: 2024-03-19T17:30:00Z (`happy-path-v0.3` was signed at 17:26:26).
pub const CERT_TIME: i64 = 1_710_869_400;

/// The SHA-256 digest of [`ARTIFACT`].
pub fn artifact_digest() -> Digest {
    HashAlgorithm::Sha256.digest(ARTIFACT)
}

/// The production trusted root embedded in `sigstore-trust`.
pub fn production_root() -> &'static TrustedRoot {
    static ROOT: OnceLock<TrustedRoot> = OnceLock::new();
    ROOT.get_or_init(|| {
        sigstore_trust::PRODUCTION
            .trusted_root()
            .expect("the embedded production trusted root parses")
    })
}

/// A verifier for the production trusted root with the default configuration.
pub fn production_verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        Verifier::new(production_root(), VerifierConfig::default())
            .expect("the production trusted root makes a verifier")
    })
}

/// The production trust material (CAs, CT logs, TSAs), parsed.
pub fn production_trust() -> &'static TrustMaterial {
    production_verifier().trust_material()
}

/// The identity policy of the happy paths.
pub fn identity_policy() -> Policy {
    Policy::identity(Identity::new(IDENTITY, ISSUER))
}

/// A conformance case that verifies (`testdata/conformance/bundle-verify/<name>`).
pub struct Case {
    /// The case's folder name.
    pub name: &'static str,
    /// `bundle.sigstore.json`.
    pub bundle: &'static str,
    /// The case's own `trusted_root.json`, if it has one (else production).
    pub trusted_root: Option<&'static [u8]>,
    /// The case's `key.pub` for managed-key bundles (else the identity policy applies).
    pub key: Option<&'static [u8]>,
}

macro_rules! case {
    ($name:literal) => {
        Case {
            name: $name,
            bundle: include_str!(concat!(
                "../../testdata/conformance/bundle-verify/",
                $name,
                "/bundle.sigstore.json"
            )),
            trusted_root: None,
            key: None,
        }
    };
    ($name:literal, root) => {
        Case {
            trusted_root: Some(include_bytes!(concat!(
                "../../testdata/conformance/bundle-verify/",
                $name,
                "/trusted_root.json"
            ))),
            ..case!($name)
        }
    };
    ($name:literal, key) => {
        Case {
            key: Some(include_bytes!(concat!(
                "../../testdata/conformance/bundle-verify/",
                $name,
                "/key.pub"
            ))),
            ..case!($name)
        }
    };
}

/// The happy-path cases: every one verifies for [`ARTIFACT`] under [`Case::verifier`] and
/// [`Case::policy`].
pub const CASES: [Case; 8] = [
    case!("happy-path-v0.1"),
    case!("happy-path-v0.2"),
    case!("happy-path-v0.3"),
    case!("happy-path-v0.3-new-mediaType"),
    case!("happy-path-intoto-in-dsse-v3"),
    case!("managed-key-happy-path", key),
    case!("rekor2-happy-path", root),
    case!("rekor2-dsse-happy-path", root),
];

impl Case {
    /// The verifier for the case's trusted root (production unless the case has its own).
    pub fn verifier(&self) -> &'static Verifier {
        static CUSTOM: [OnceLock<Verifier>; CASES.len()] = [const { OnceLock::new() }; CASES.len()];
        let Some(json) = self.trusted_root else {
            return production_verifier();
        };
        let index = CASES
            .iter()
            .position(|c| c.name == self.name)
            .expect("a case of CASES");
        CUSTOM[index].get_or_init(|| {
            let root = TrustedRoot::from_json(json).expect("the case's trusted root parses");
            Verifier::new(&root, VerifierConfig::default()).expect("the case's root is usable")
        })
    }

    /// The policy the case verifies under.
    pub fn policy(&self) -> Policy {
        match self.key {
            Some(pem) => Policy::key(PublicKey::from_pem(pem).expect("the case's key parses")),
            None => identity_policy(),
        }
    }
}

/// The trust material of `rekor2-happy-path`'s own trusted root (its TSA signed that bundle's
/// RFC 3161 timestamp).
pub fn rekor2_trust() -> &'static TrustMaterial {
    CASES[6].verifier().trust_material()
}

/// A fixed timestamp from Unix seconds.
pub fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix(secs)
}

/// Splits `data` into consecutive DER TLVs, read with `der`; whatever does not parse as a TLV
/// ends the list as one last element. Lets a single input carry a certificate chain.
pub fn split_der(data: &[u8]) -> Vec<&[u8]> {
    let Ok(mut reader) = SliceReader::new(data) else {
        return vec![data];
    };
    let mut out = Vec::new();
    while !reader.is_finished() {
        let offset = usize::try_from(u32::from(reader.position())).unwrap_or(data.len());
        match reader.tlv_bytes() {
            Ok(tlv) => out.push(tlv),
            Err(_) => {
                out.extend(data.get(offset..).filter(|rest| !rest.is_empty()));
                break;
            }
        }
    }
    out
}

/// Reads input bytes as a sequence of choices.
pub struct Choices<'a> {
    data: &'a [u8],
}

impl<'a> Choices<'a> {
    /// Choices from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// The next byte (0 once the input is used up).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// The next two bytes, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    /// The next eight bytes, big-endian.
    pub fn u64(&mut self) -> u64 {
        (0..8).fold(0u64, |acc, _| (acc << 8) | u64::from(self.byte()))
    }

    /// The next `len` bytes (fewer at the end of the input).
    pub fn bytes(&mut self, len: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(len.min(self.data.len()));
        self.data = rest;
        head
    }

    /// Whether the input is used up.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// What is left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}
