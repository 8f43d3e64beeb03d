//! Helpers shared by the integration tests and benches: loading the conformance cases.
#![allow(dead_code, clippy::unwrap_used)] // test support: a missing fixture is a test failure

use std::path::{Path, PathBuf};

use sigstore_crypto::{HashAlgorithm, PublicKey};
use sigstore_types::{Bundle, TrustedRoot};
use sigstore_verify::{Artifact, Error, Policy, VerificationResult, Verifier, VerifierConfig};
use sigstore_x509_policy::Identity;

pub const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
pub const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

pub fn cases_dir() -> PathBuf {
    std::env::var_os("SIGSTORE_CONFORMANCE_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(sigstore_test_support::conformance_cases)
}

/// One conformance case, loaded as far as its files allow.
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub should_fail: bool,
    pub bundle_json: Vec<u8>,
    pub artifact: Vec<u8>,
    pub trusted_root_json: Vec<u8>,
    pub key_pem: Option<Vec<u8>>,
    pub identity: String,
    pub issuer: String,
}

fn read_opt(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
}

impl Case {
    pub fn load(dir: &Path) -> Case {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let artifact_path = if dir.join("artifact").exists() {
            dir.join("artifact")
        } else {
            dir.parent().unwrap().join("a.txt")
        };
        let root_path = if dir.join("trusted_root.json").exists() {
            dir.join("trusted_root.json")
        } else {
            sigstore_test_support::trust_file("production", "trusted_root.json")
        };
        Case {
            should_fail: name.ends_with("_fail"),
            bundle_json: std::fs::read(dir.join("bundle.sigstore.json")).unwrap(),
            artifact: std::fs::read(artifact_path).unwrap(),
            trusted_root_json: std::fs::read(root_path).unwrap(),
            key_pem: std::fs::read(dir.join("key.pub")).ok(),
            identity: read_opt(&dir.join("identity")).unwrap_or_else(|| DEFAULT_IDENTITY.into()),
            issuer: read_opt(&dir.join("issuer")).unwrap_or_else(|| DEFAULT_ISSUER.into()),
            dir: dir.to_path_buf(),
            name,
        }
    }

    pub fn named(name: &str) -> Case {
        Case::load(&cases_dir().join(name))
    }

    pub fn all() -> Vec<Case> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
            .expect("the conformance cases in testdata/conformance")
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs.iter().map(|d| Case::load(d)).collect()
    }

    pub fn trusted_root(&self) -> Result<TrustedRoot, sigstore_types::Error> {
        TrustedRoot::from_json(&self.trusted_root_json)
    }

    pub fn bundle(&self) -> Result<Bundle, sigstore_types::Error> {
        Bundle::from_json(&self.bundle_json)
    }

    pub fn policy(&self) -> Result<Policy, sigstore_crypto::Error> {
        Ok(match &self.key_pem {
            Some(pem) => Policy::key(PublicKey::from_pem(pem)?),
            None => Policy::identity(Identity::new(&self.identity, &self.issuer)),
        })
    }

    pub fn artifact(&self) -> Artifact<'_> {
        Artifact::Bytes(&self.artifact)
    }

    pub fn artifact_digest(&self) -> Artifact<'static> {
        Artifact::Digest(HashAlgorithm::Sha256.digest(&self.artifact))
    }

    /// A verifier over the case's trusted root with the default configuration.
    pub fn verifier(&self) -> Verifier {
        self.verifier_with(VerifierConfig::default())
    }

    /// A verifier over the case's trusted root with `config`.
    pub fn verifier_with(&self, config: VerifierConfig) -> Verifier {
        Verifier::new(&self.trusted_root().unwrap(), config).unwrap()
    }

    /// The case's own bundle, artifact and policy through `verifier`.
    pub fn verify_with(&self, verifier: &Verifier) -> Result<VerificationResult, Error> {
        self.verify_bundle_with(verifier, &self.bundle().unwrap())
    }

    /// `bundle` (an edit of the case's) with the case's artifact and policy through `verifier`.
    pub fn verify_bundle_with(
        &self,
        verifier: &Verifier,
        bundle: &Bundle,
    ) -> Result<VerificationResult, Error> {
        verifier.verify(bundle, self.artifact(), &self.policy().unwrap())
    }
}
