//! The signing context, the signer and bundle assembly.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use futures_util::future::join_all;
use sigstore_crypto::{Digest, HashAlgorithm, KeyType, PrivateKey, PublicKey, SigningKey};
use sigstore_fulcio::client::FulcioClient;
use sigstore_fulcio::verify_embedded_scts;
use sigstore_http::{HttpClient, HttpConfig};
use sigstore_rekor::client::{
    HashedRekordRequestV002, ProposedEntry, RekorV1Client, RekorV2Client, V2Verifier,
};
use sigstore_tsa::client::TsaClient;
use sigstore_tsa::verify_timestamp;
use sigstore_types::bundle::{
    BundleContent, BundleVersion, MessageDigest, MessageSignature, TransparencyLogEntry,
    VerificationMaterial, VerificationMaterialContent,
};
use sigstore_types::common::{self, PublicKeyDetails};
use sigstore_types::encoding::pem_encode;
use sigstore_types::{dsse, intoto, media_types, Bundle, Envelope, SigningConfig, Statement};
use sigstore_types::{DsseSignature, Timestamp, TrustedRoot};
use sigstore_verify::{Artifact, Policy, Verifier, VerifierConfig};
use sigstore_x509_policy::{
    check_fulcio_leaf_profile, issuer, san, verify_chain, Certificate, Identity, KeyPurpose,
};

use crate::select::{select_services, SelectedServices, SupportedApiVersions};
use crate::Error;
use sigstore_oidc::IdentityToken;

/// Clock skew tolerated between this machine and Fulcio when the certificate's `notBefore`
/// is slightly ahead of the local clock, in seconds.
const MAX_CLOCK_SKEW_SECS: i64 = 60;

/// The current time from the system clock.
pub fn now() -> Timestamp {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => Timestamp::new(
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        )
        .unwrap_or(Timestamp::UNIX_EPOCH),
        Err(_) => Timestamp::UNIX_EPOCH,
    }
}

/// What to sign as a message signature.
#[derive(Debug, Clone, Copy)]
pub enum ArtifactInput<'a> {
    /// The artifact's bytes (hashed with SHA-256).
    Bytes(&'a [u8]),
    /// The artifact's SHA-256 digest.
    Digest(Digest),
}

/// One item of [`Signer::sign_many`]: an artifact (a message signature) or an in-toto
/// statement (a DSSE envelope).
#[derive(Debug, Clone, Copy)]
pub enum SignInput<'a> {
    /// A message signature over an artifact ([`Signer::sign_artifact`]).
    Artifact(ArtifactInput<'a>),
    /// A DSSE-signed statement ([`Signer::sign_dsse`]).
    Statement(&'a Statement),
}

impl<'a> From<&'a [u8]> for SignInput<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Self::Artifact(ArtifactInput::Bytes(bytes))
    }
}

impl<'a> From<ArtifactInput<'a>> for SignInput<'a> {
    fn from(input: ArtifactInput<'a>) -> Self {
        Self::Artifact(input)
    }
}

impl<'a> From<&'a Statement> for SignInput<'a> {
    fn from(statement: &'a Statement) -> Self {
        Self::Statement(statement)
    }
}

/// A signing configuration and trusted root, prepared once. Make a [`Signer`] per identity
/// token with [`SigningContext::signer`].
#[derive(Debug)]
pub struct SigningContext {
    signing_config: SigningConfig,
    http: HttpClient,
    verifier: Verifier,
    supported: SupportedApiVersions,
    audience: String,
}

impl SigningContext {
    /// Prepares signing with `signing_config`'s services, checking results against
    /// `trusted_root`, over an HTTP client built from `http_config`.
    pub fn new(
        signing_config: SigningConfig,
        trusted_root: TrustedRoot,
        http_config: HttpConfig,
    ) -> Result<Self, Error> {
        // The trusted root is parsed once, under the verifier's rules (an authority or log that
        // does not parse makes the root unusable), and the signer checks its certificate,
        // SCTs and timestamps against that same material. A verifier parses the timestamp
        // authorities on first use; signing parses them now, so a root with one that does not
        // parse is refused before anything is sent.
        let verifier =
            Verifier::new(&trusted_root, VerifierConfig::default()).map_err(Error::TrustedRoot)?;
        verifier
            .trust_material()
            .timestamp_authorities()
            .map_err(Error::TrustedRoot)?;
        Ok(Self {
            signing_config,
            http: HttpClient::new(http_config)?,
            verifier,
            supported: SupportedApiVersions::default(),
            audience: sigstore_oidc::SIGSTORE_AUDIENCE.to_owned(),
        })
    }

    /// The audience identity tokens must carry (default `sigstore`): the OAuth client ID
    /// that the deployment's Fulcio expects.
    pub fn with_token_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Restricts or extends the service API versions used in selection.
    pub fn with_supported_versions(mut self, supported: SupportedApiVersions) -> Self {
        self.supported = supported;
        self
    }

    /// Decodes `identity_token`, selects services, makes an ephemeral P-256 key and gets a
    /// Fulcio certificate for it (one request, proof of possession over the token's email or
    /// `sub`). The certificate must chain to the trusted root now, carry the Fulcio leaf
    /// profile and a verifying embedded SCT, certify this key, and name the token's identity
    /// and issuer.
    pub async fn signer(&self, identity_token: &str) -> Result<Signer<'_>, Error> {
        let now = now();
        let token = IdentityToken::parse_with_audience(identity_token, &self.audience, now)?;
        let services = select_services(&self.signing_config, now, &self.supported)?;
        // A Rekor v2 entry carries no time of its own: without a TSA no bundle could verify,
        // so refuse before a certificate is requested.
        if services.tsa.is_empty() && services.rekor.iter().any(|r| r.major_api_version >= 2) {
            return Err(Error::NoValidService {
                kind: "TSA (required with Rekor v2)",
            });
        }
        let key = SigningKey::generate()?;
        let proof = key.try_sign(token.identity().as_bytes())?;
        let fulcio = FulcioClient::new(services.ca.url.clone(), self.http.clone());
        let chain = fulcio
            .signing_cert(token.raw(), key.public_key().spki_der(), &proof)
            .await?;
        let leaf_der = chain.into_iter().next().ok_or(Error::CertificateChain(
            sigstore_x509_policy::Error::EmptyChain,
        ))?;
        let (identity, cert_issuer, not_after) =
            self.check_certificate(&leaf_der, &key, &token, now)?;
        let credential = Credential::Keyless {
            key,
            leaf_pem: pem_encode(&leaf_der, "CERTIFICATE"),
            leaf_der,
            not_after,
            identity,
            issuer: cert_issuer,
        };
        Ok(self.make_signer(credential, &services))
    }

    /// A signer for a managed key (no identity token, no Fulcio): bundles carry the key's
    /// hint (`verificationMaterial.publicKey.hint`) instead of a certificate, and whoever
    /// verifies them needs the public key ([`Policy::key`]). Signatures are logged in Rekor
    /// (`hashedrekord`/`dsse` with the public key as verifier) and timestamped as the signing
    /// config selects, like keyless ones; no CA request is made.
    ///
    /// The key signs as Sigstore's key details say ([`PrivateKey`]): ECDSA P-256 over
    /// SHA-256, ECDSA P-384 over SHA-384, and Ed25519 as Ed25519ph over SHA-512 for
    /// artifacts (the only Ed25519 form Rekor logs for a digest) and as pure Ed25519 for DSSE
    /// envelopes on Rekor v1. An Ed25519 DSSE envelope cannot be logged in Rekor v2 (it
    /// would have to be Ed25519ph, which DSSE verifiers refuse): [`Signer::sign_dsse`] gives
    /// [`Error::UnsupportedKeyUse`] there.
    pub fn signer_with_key(&self, key: PrivateKey) -> Result<Signer<'_>, Error> {
        let services = select_services(&self.signing_config, now(), &self.supported)?;
        if services.tsa.is_empty() && services.rekor.iter().any(|r| r.major_api_version >= 2) {
            return Err(Error::NoValidService {
                kind: "TSA (required with Rekor v2)",
            });
        }
        let credential = Credential::managed(key)?;
        Ok(self.make_signer(credential, &services))
    }

    fn make_signer(&self, credential: Credential, services: &SelectedServices) -> Signer<'_> {
        let rekor = services
            .rekor
            .iter()
            .map(|service| match service.major_api_version {
                2 => RekorTarget::V2(RekorV2Client::new(service.url.clone(), self.http.clone())),
                _ => RekorTarget::V1(RekorV1Client::new(service.url.clone(), self.http.clone())),
            })
            .collect();
        let tsas = services
            .tsa
            .iter()
            .map(|service| TsaClient::new(service.url.clone(), self.http.clone()))
            .collect();
        Signer {
            context: self,
            credential,
            rekor_v2: services.rekor_api_version() == 2,
            rekor,
            tsas,
        }
    }

    /// The checks of [`SigningContext::signer`] on the returned leaf; gives the SAN text,
    /// the issuer and `notAfter`.
    fn check_certificate(
        &self,
        leaf_der: &[u8],
        key: &SigningKey,
        token: &IdentityToken,
        now: Timestamp,
    ) -> Result<(String, String, Timestamp), Error> {
        let leaf = Certificate::from_der(leaf_der).map_err(Error::CertificateChain)?;
        if leaf.spki_der() != key.public_key().spki_der() {
            return Err(Error::CertificateKeyMismatch);
        }
        // Fulcio's clock may run slightly ahead of ours.
        let not_before = leaf.not_before();
        let skew_limit =
            Timestamp::from_unix(now.unix_seconds().saturating_add(MAX_CLOCK_SKEW_SECS));
        let at = if not_before > now && not_before <= skew_limit {
            not_before
        } else {
            now
        };
        let chain = verify_chain(
            &leaf,
            self.verifier.trust_material().certificate_authorities(),
            at,
            KeyPurpose::CodeSigning,
        )
        .map_err(Error::CertificateChain)?;
        check_fulcio_leaf_profile(&leaf).map_err(Error::CertificateChain)?;
        verify_embedded_scts(&leaf, &chain, self.verifier.trust_material().ct_logs())
            .map_err(Error::Sct)?;
        let found = san(&leaf).map_err(Error::CertificateChain)?;
        let found = found.as_str().unwrap_or_default().to_owned();
        if !token.acceptable_sans().contains(&found) {
            return Err(Error::IdentityMismatch {
                expected: token.expected_san(),
                found,
            });
        }
        let found_issuer = issuer(&leaf)
            .map_err(Error::CertificateChain)?
            .unwrap_or_default();
        if found_issuer != token.expected_issuer() && found_issuer != token.issuer {
            return Err(Error::IssuerMismatch {
                expected: token.expected_issuer().to_owned(),
                found: found_issuer,
            });
        }
        Ok((found, found_issuer, leaf.not_after()))
    }
}

/// Whether a certificate valid until `not_after` has less than [`EXPIRY_MARGIN_SECS`] left at
/// `now`.
fn expires_too_soon(now: Timestamp, not_after: Timestamp) -> bool {
    Timestamp::from_unix(now.unix_seconds().saturating_add(EXPIRY_MARGIN_SECS)) > not_after
}

#[cfg(test)]
mod expiry_tests {
    use super::*;

    #[test]
    fn signing_stops_a_margin_before_expiry() {
        let not_after = Timestamp::from_unix(1_000);
        assert!(!expires_too_soon(
            Timestamp::from_unix(1_000 - EXPIRY_MARGIN_SECS),
            not_after
        ));
        assert!(expires_too_soon(
            Timestamp::from_unix(1_001 - EXPIRY_MARGIN_SECS),
            not_after
        ));
        assert!(expires_too_soon(Timestamp::from_unix(2_000), not_after));
        assert!(!expires_too_soon(Timestamp::from_unix(i64::MIN), not_after));
        assert!(expires_too_soon(Timestamp::from_unix(i64::MAX), not_after));
    }
}

/// Most artifacts [`Signer::sign_many`] signs at once (each means a few requests).
pub const MAX_CONCURRENT_SIGNINGS: usize = 16;

/// Seconds of certificate validity a signing operation must have left when it starts (at least
/// the Rekor v2 write timeout).
pub const EXPIRY_MARGIN_SECS: i64 = 30;

#[derive(Debug)]
enum RekorTarget {
    V1(RekorV1Client),
    V2(RekorV2Client),
}

/// What signs, and how a bundle names it.
#[derive(Debug)]
enum Credential {
    /// An ephemeral key and its Fulcio certificate.
    Keyless {
        key: SigningKey,
        leaf_der: Vec<u8>,
        leaf_pem: String,
        not_after: Timestamp,
        identity: String,
        issuer: String,
    },
    /// A managed key; verifiers get the public key out of band.
    Managed {
        key: PrivateKey,
        public_pem: String,
        hint: String,
        key_details: PublicKeyDetails,
    },
}

impl Credential {
    fn managed(key: PrivateKey) -> Result<Self, Error> {
        let key_details = match key.key_type() {
            KeyType::EcdsaP256 => PublicKeyDetails::PkixEcdsaP256Sha256,
            KeyType::EcdsaP384 => PublicKeyDetails::PkixEcdsaP384Sha384,
            KeyType::Ed25519 => PublicKeyDetails::PkixEd25519Ph,
            _ => {
                return Err(Error::UnsupportedKeyUse(
                    "only ECDSA P-256, ECDSA P-384 and Ed25519 keys sign",
                ))
            }
        };
        let spki = key.public_key().spki_der();
        Ok(Self::Managed {
            public_pem: pem_encode(spki, "PUBLIC KEY"),
            hint: key_hint(key.public_key()),
            key_details,
            key,
        })
    }

    /// The hash an artifact is signed over.
    fn digest_algorithm(&self) -> HashAlgorithm {
        match self {
            Self::Keyless { .. } => HashAlgorithm::Sha256,
            Self::Managed { key, .. } => key.digest_algorithm(),
        }
    }

    fn sign_digest(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        Ok(match self {
            Self::Keyless { key, .. } => key.sign_digest(digest)?,
            Self::Managed { key, .. } => key.sign_digest(digest)?,
        })
    }

    fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(match self {
            Self::Keyless { key, .. } => key.try_sign(message)?,
            Self::Managed { key, .. } => key.sign(message)?,
        })
    }

    /// The PEM verifier of a Rekor v1 entry: the certificate or the public key.
    fn verifier_pem(&self) -> &str {
        match self {
            Self::Keyless { leaf_pem, .. } => leaf_pem,
            Self::Managed { public_pem, .. } => public_pem,
        }
    }

    fn v2_verifier(&self) -> (V2Verifier, PublicKeyDetails) {
        match self {
            Self::Keyless { leaf_der, .. } => (
                V2Verifier::X509Certificate(leaf_der.clone()),
                PublicKeyDetails::PkixEcdsaP256Sha256,
            ),
            Self::Managed {
                key, key_details, ..
            } => (
                V2Verifier::PublicKey(key.public_key().spki_der().to_vec()),
                key_details.clone(),
            ),
        }
    }

    fn material(&self) -> VerificationMaterialContent {
        match self {
            Self::Keyless { leaf_der, .. } => {
                VerificationMaterialContent::Certificate(leaf_der.clone())
            }
            Self::Managed { hint, .. } => {
                VerificationMaterialContent::PublicKey { hint: hint.clone() }
            }
        }
    }

    fn policy(&self) -> Policy {
        match self {
            Self::Keyless {
                identity, issuer, ..
            } => Policy::identity(Identity::new(identity, issuer)),
            Self::Managed { key, .. } => Policy::key(key.public_key().clone()),
        }
    }
}

/// The key hint of a managed-key bundle: base64 (standard, padded) of the SHA-256 of the DER
/// `SubjectPublicKeyInfo`. This is the hint sigstore-go's `EphemeralKeypair` writes
/// (`pkg/sign/keys.go`) and cosign's key pairs use; verifiers treat it as an unauthenticated
/// lookup aid.
pub fn key_hint(key: &PublicKey) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(HashAlgorithm::Sha256.digest(key.spki_der()).as_bytes())
}

/// A signing key with what vouches for it: an ephemeral key and its Fulcio certificate
/// ([`SigningContext::signer`]; one certificate signs many artifacts until it expires, and
/// Fulcio certificates last 10 minutes), or a managed key ([`SigningContext::signer_with_key`]).
#[derive(Debug)]
pub struct Signer<'a> {
    context: &'a SigningContext,
    credential: Credential,
    rekor_v2: bool,
    rekor: Vec<RekorTarget>,
    tsas: Vec<TsaClient>,
}

impl Signer<'_> {
    /// The DER signing certificate (keyless signers; `None` for a managed key).
    pub fn certificate(&self) -> Option<&[u8]> {
        match &self.credential {
            Credential::Keyless { leaf_der, .. } => Some(leaf_der),
            Credential::Managed { .. } => None,
        }
    }

    /// The certificate's identity, its SAN (keyless signers; `None` for a managed key).
    pub fn identity(&self) -> Option<&str> {
        match &self.credential {
            Credential::Keyless { identity, .. } => Some(identity),
            Credential::Managed { .. } => None,
        }
    }

    /// The certificate's OIDC issuer (keyless signers; `None` for a managed key).
    pub fn issuer(&self) -> Option<&str> {
        match &self.credential {
            Credential::Keyless { issuer, .. } => Some(issuer),
            Credential::Managed { .. } => None,
        }
    }

    /// The key hint bundles carry (managed keys; `None` for keyless signers): see
    /// [`key_hint`].
    pub fn key_hint(&self) -> Option<&str> {
        match &self.credential {
            Credential::Keyless { .. } => None,
            Credential::Managed { hint, .. } => Some(hint),
        }
    }

    /// The public key that signs (the certificate's, or the managed key's).
    pub fn public_key(&self) -> PublicKey {
        match &self.credential {
            Credential::Keyless { key, .. } => key.public_key(),
            Credential::Managed { key, .. } => key.public_key().clone(),
        }
    }

    /// Signs an artifact (a message signature), logs and timestamps it, and returns the
    /// verified bundle.
    pub async fn sign_artifact(&self, input: ArtifactInput<'_>) -> Result<Bundle, Error> {
        self.check_not_expired()?;
        let algorithm = self.credential.digest_algorithm();
        let digest = match input {
            ArtifactInput::Bytes(bytes) => algorithm.digest(bytes),
            ArtifactInput::Digest(d) if d.algorithm() == algorithm => d,
            ArtifactInput::Digest(_) => {
                return Err(Error::UnsupportedInput(match algorithm {
                    HashAlgorithm::Sha256 => "the digest must be SHA-256",
                    HashAlgorithm::Sha384 => "the digest must be SHA-384 (ECDSA P-384 keys)",
                    HashAlgorithm::Sha512 => "the digest must be SHA-512 (Ed25519 keys)",
                    _ => "the digest's algorithm is not the one the key signs",
                }))
            }
        };
        let signature = self.credential.sign_digest(&digest)?;
        let timestamps = self.timestamps(&signature).await?;
        let signature_ref = &signature;
        let entries = join_all(self.rekor.iter().map(|target| async move {
            match target {
                RekorTarget::V1(client) => client
                    .create_entry(&ProposedEntry::hashed_rekord(
                        signature_ref,
                        self.credential.verifier_pem(),
                        &digest,
                    ))
                    .await
                    .map_err(|source| rekor_error(client.base_url(), source)),
                RekorTarget::V2(client) => client
                    .create_entry(&self.v2_request(digest.as_bytes(), signature_ref))
                    .await
                    .map_err(|source| rekor_error(client.base_url(), source)),
            }
        }))
        .await
        .into_iter()
        .collect::<Result<Vec<_>, Error>>()?;
        let content = BundleContent::MessageSignature(MessageSignature {
            message_digest: Some(MessageDigest {
                algorithm: match digest.algorithm() {
                    HashAlgorithm::Sha256 => common::HashAlgorithm::Sha2_256,
                    HashAlgorithm::Sha384 => common::HashAlgorithm::Sha2_384,
                    HashAlgorithm::Sha512 => common::HashAlgorithm::Sha2_512,
                    _ => common::HashAlgorithm::Unspecified,
                },
                digest: digest.as_bytes().to_vec(),
            }),
            signature,
        });
        let bundle = assemble(self.credential.material(), content, entries, timestamps)?;
        self.verify(&bundle, digest)?;
        Ok(bundle)
    }

    /// Signs an in-toto statement in a DSSE envelope (Rekor v1: dsse 0.0.1; v2: hashedrekord
    /// 0.0.2 over the PAE digest), logs and timestamps it, and returns the verified bundle.
    /// The statement needs a subject with a SHA-256 digest (the self-check uses it).
    pub async fn sign_dsse(&self, statement: &Statement) -> Result<Bundle, Error> {
        self.check_not_expired()?;
        let ed25519 = matches!(
            &self.credential,
            Credential::Managed { key, .. } if key.key_type() == KeyType::Ed25519
        );
        if ed25519 && self.rekor.iter().any(|t| matches!(t, RekorTarget::V2(_))) {
            return Err(Error::UnsupportedKeyUse(
                "an Ed25519 key cannot sign a DSSE envelope for Rekor v2 (Rekor v2 logs Ed25519 \
                 only as Ed25519ph, which DSSE verifiers refuse); use Rekor v1 or an ECDSA key",
            ));
        }
        let subject_digest = statement
            .first_sha256_subject()
            .and_then(|bytes| Digest::new(HashAlgorithm::Sha256, &bytes))
            .ok_or(Error::UnsupportedInput(
                "the statement has no subject with a SHA-256 digest",
            ))?;
        let payload = statement.to_json().into_bytes();
        let payload_type = intoto::PAYLOAD_TYPE.to_owned();
        let pae = dsse::pae(&payload_type, &payload);
        let signature = self.credential.sign_message(&pae)?;
        let envelope = Envelope {
            payload,
            payload_type,
            signatures: vec![DsseSignature {
                sig: signature.clone(),
                keyid: String::new(),
            }],
        };
        let timestamps = self.timestamps(&signature).await?;
        let envelope_json = envelope.to_json();
        let pae_digest = self.credential.digest_algorithm().digest(&pae);
        let entries = join_all(self.rekor.iter().map(|target| {
            let envelope_json = &envelope_json;
            let signature = &signature;
            async move {
                match target {
                    RekorTarget::V1(client) => client
                        .create_entry(&ProposedEntry::dsse(
                            envelope_json,
                            &[self.credential.verifier_pem()],
                        ))
                        .await
                        .map_err(|source| rekor_error(client.base_url(), source)),
                    RekorTarget::V2(client) => client
                        .create_entry(&self.v2_request(pae_digest.as_bytes(), signature))
                        .await
                        .map_err(|source| rekor_error(client.base_url(), source)),
                }
            }
        }))
        .await
        .into_iter()
        .collect::<Result<Vec<_>, Error>>()?;
        let bundle = assemble(
            self.credential.material(),
            BundleContent::DsseEnvelope(envelope),
            entries,
            timestamps,
        )?;
        self.verify(&bundle, subject_digest)?;
        Ok(bundle)
    }

    /// Signs many artifacts or statements with this certificate, at most
    /// [`MAX_CONCURRENT_SIGNINGS`] at a time, overlapping their network waits. Results are in
    /// input order, one per input.
    pub async fn sign_many<'i, T>(&self, inputs: &[T]) -> Vec<Result<Bundle, Error>>
    where
        T: Into<SignInput<'i>> + Copy,
    {
        use futures_util::stream::{self, StreamExt};
        stream::iter(inputs.iter().map(|input| async move {
            match (*input).into() {
                SignInput::Artifact(artifact) => self.sign_artifact(artifact).await,
                SignInput::Statement(statement) => self.sign_dsse(statement).await,
            }
        }))
        .buffered(MAX_CONCURRENT_SIGNINGS)
        .collect()
        .await
    }

    /// The certificate must stay valid for [`EXPIRY_MARGIN_SECS`] more seconds, so that a
    /// signature is never logged and then left without a bundle because the certificate
    /// expired during the uploads.
    /// A managed key does not expire.
    fn check_not_expired(&self) -> Result<(), Error> {
        if let Credential::Keyless { not_after, .. } = &self.credential {
            if expires_too_soon(now(), *not_after) {
                return Err(Error::CertificateExpired {
                    not_after: *not_after,
                });
            }
        }
        Ok(())
    }

    fn v2_request(&self, digest: &[u8], signature: &[u8]) -> HashedRekordRequestV002 {
        let (verifier, key_details) = self.credential.v2_verifier();
        HashedRekordRequestV002 {
            digest: digest.to_vec(),
            signature: signature.to_vec(),
            verifier,
            key_details,
        }
    }

    /// Timestamps `signature` at every selected TSA and keeps the responses that verify
    /// against the trusted root and echo the nonce. Rekor v2 needs at least one; with Rekor
    /// v1 (whose entry carries a verified time) a failing TSA is logged as a warning
    /// (`tracing`), never dropped silently.
    async fn timestamps(&self, signature: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
        let responses = join_all(self.tsas.iter().map(|tsa| tsa.timestamp(signature))).await;
        let mut verified = Vec::new();
        let mut last: Option<Box<dyn std::error::Error + Send + Sync>> = None;
        for (tsa, response) in self.tsas.iter().zip(responses) {
            let check =
                response.map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) });
            let check = check.and_then(|response| {
                let authorities = self
                    .context
                    .verifier
                    .trust_material()
                    .timestamp_authorities()
                    .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
                verify_timestamp(&response.der, signature, authorities)
                    .and_then(|v| v.check_nonce(&response.nonce))
                    .map(|()| response.der)
                    .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })
            });
            match check {
                Ok(der) => verified.push(der),
                Err(e) => {
                    if !self.rekor_v2 {
                        tracing::warn!(
                            tsa = tsa.url(),
                            error = %error_chain(e.as_ref()),
                            "timestamp authority failed; the bundle relies on the Rekor v1 \
                             entry's time"
                        );
                    }
                    last = Some(e);
                }
            }
        }
        if self.rekor_v2 && verified.is_empty() {
            return Err(Error::NoTimestamp { last });
        }
        Ok(verified)
    }

    fn verify(&self, bundle: &Bundle, digest: Digest) -> Result<(), Error> {
        let policy = self.credential.policy();
        self.context
            .verifier
            .verify(bundle, Artifact::Digest(digest), &policy)
            .map_err(Error::Verification)?;
        Ok(())
    }
}

/// `error: cause: cause ...` on one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn rekor_error(url: &str, source: sigstore_rekor::client::ClientError) -> Error {
    Error::Rekor {
        url: url.to_owned(),
        source,
    }
}

/// Assembles a v0.3 bundle (`application/vnd.dev.sigstore.bundle.v0.3+json`) with the leaf
/// certificate alone as verification material, and checks its structure.
pub fn assemble_bundle(
    leaf_der: Vec<u8>,
    content: BundleContent,
    tlog_entries: Vec<TransparencyLogEntry>,
    rfc3161_timestamps: Vec<Vec<u8>>,
) -> Result<Bundle, Error> {
    assemble(
        VerificationMaterialContent::Certificate(leaf_der),
        content,
        tlog_entries,
        rfc3161_timestamps,
    )
}

/// Assembles a v0.3 bundle with `material` (a certificate or a key hint) and checks its
/// structure.
fn assemble(
    material: VerificationMaterialContent,
    content: BundleContent,
    tlog_entries: Vec<TransparencyLogEntry>,
    rfc3161_timestamps: Vec<Vec<u8>>,
) -> Result<Bundle, Error> {
    let bundle = Bundle {
        media_type: media_types::BUNDLE_V0_3.to_owned(),
        version: BundleVersion::V0_3,
        verification_material: VerificationMaterial {
            content: material,
            tlog_entries,
            rfc3161_timestamps,
        },
        content,
    };
    bundle.validate().map_err(Error::Bundle)?;
    Ok(bundle)
}
