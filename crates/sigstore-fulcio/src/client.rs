//! Fulcio v2 REST client (feature `client`): signing certificates, trust bundle, configuration.
//!
//! ```no_run
//! # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use sigstore_crypto::SigningKey;
//! use sigstore_fulcio::client::FulcioClient;
//! use sigstore_http::{HttpClient, HttpConfig};
//!
//! let http = HttpClient::new(HttpConfig::default())?;
//! let fulcio = FulcioClient::new("https://fulcio.sigstore.dev", http);
//! let key = SigningKey::generate()?;
//! // Proof of possession: a signature over the token's `email` (or `sub`) claim.
//! let proof = key.try_sign(b"user@example.com")?;
//! let chain = fulcio.signing_cert(token, key.public_key().spki_der(), &proof).await?;
//! assert!(chain.len() >= 2);
//! # Ok(()) }
//! ```
//!
//! Nothing returned here is trusted: callers validate the chain against a trusted root and
//! verify the embedded SCT.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use sigstore_http::{join_url, HttpClient, Request};
use sigstore_types::encoding::{pem_decode_all, pem_encode};
use sigstore_x509_policy::Certificate;

/// Most certificates accepted in one chain.
const MAX_CHAIN: usize = 10;

/// Errors of the Fulcio client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The HTTP exchange failed (transport, status, size, JSON).
    #[error(transparent)]
    Http(#[from] sigstore_http::Error),
    /// The response lacks a field or has the wrong shape.
    #[error("Fulcio response from {url} is malformed: {what}")]
    MalformedResponse {
        /// The URL.
        url: String,
        /// What is wrong.
        what: &'static str,
    },
    /// Fulcio answered with a detached SCT; only embedded SCTs are supported.
    #[error(
        "Fulcio returned a certificate with a detached SCT, which this client does not accept"
    )]
    DetachedSct,
    /// The chain holds fewer than two or more than ten certificates.
    #[error("Fulcio returned a chain of {count} certificates (2 to {MAX_CHAIN} expected)")]
    ChainLength {
        /// The number of certificates.
        count: usize,
    },
    /// A certificate is not valid PEM.
    #[error("Fulcio returned a certificate that is not valid PEM")]
    Pem(#[source] sigstore_types::Error),
    /// A certificate does not parse as X.509.
    #[error("Fulcio returned a certificate that does not parse")]
    Certificate(#[source] sigstore_x509_policy::Error),
}

/// A Fulcio instance.
#[derive(Debug, Clone)]
pub struct FulcioClient {
    base_url: String,
    http: HttpClient,
}

/// `GET /api/v2/configuration`: the OIDC issuers Fulcio accepts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FulcioConfiguration {
    /// The issuers.
    #[serde(default)]
    pub issuers: Vec<FulcioIssuer>,
}

/// One issuer of [`FulcioConfiguration`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulcioIssuer {
    /// Exact issuer URL.
    #[serde(default)]
    pub issuer_url: Option<String>,
    /// Wildcard issuer URL.
    #[serde(default)]
    pub wildcard_issuer_url: Option<String>,
    /// Required audience (normally `sigstore`).
    #[serde(default)]
    pub audience: String,
    /// The claim the proof of possession signs (`email` or `sub`).
    #[serde(default)]
    pub challenge_claim: String,
    /// SPIFFE trust domain, if any.
    #[serde(default)]
    pub spiffe_trust_domain: Option<String>,
    /// Issuer type (e.g. `email`, `github-workflow`).
    #[serde(default)]
    pub issuer_type: Option<String>,
    /// Subject domain, if any.
    #[serde(default)]
    pub subject_domain: Option<String>,
}

impl FulcioClient {
    /// A client for the Fulcio at `base_url` (e.g. `https://fulcio.sigstore.dev`).
    pub fn new(base_url: impl Into<String>, http: HttpClient) -> Self {
        Self {
            base_url: base_url.into(),
            http,
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Requests a signing certificate for `public_key_spki_der` with a proof of possession
    /// (the key's signature over the token's challenge claim). Returns the DER chain, leaf
    /// first, at least two certificates, each parsed once as X.509.
    pub async fn signing_cert(
        &self,
        identity_token: &str,
        public_key_spki_der: &[u8],
        proof_of_possession: &[u8],
    ) -> Result<Vec<Vec<u8>>, ClientError> {
        let body = json!({
            "credentials": {"oidcIdentityToken": identity_token},
            "publicKeyRequest": {
                "publicKey": {
                    "algorithm": "ECDSA",
                    "content": pem_encode(public_key_spki_der, "PUBLIC KEY"),
                },
                "proofOfPossession": STANDARD.encode(proof_of_possession),
            }
        });
        self.request_cert(identity_token, &body).await
    }

    /// Requests a signing certificate with a PEM PKCS#10 CSR (its key and self-signature are
    /// what Fulcio uses). Returns the DER chain as [`FulcioClient::signing_cert`] does.
    pub async fn signing_cert_csr(
        &self,
        identity_token: &str,
        csr_pem: &str,
    ) -> Result<Vec<Vec<u8>>, ClientError> {
        let body = json!({
            "credentials": {"oidcIdentityToken": identity_token},
            "certificateSigningRequest": STANDARD.encode(csr_pem.as_bytes()),
        });
        self.request_cert(identity_token, &body).await
    }

    async fn request_cert(
        &self,
        identity_token: &str,
        body: &serde_json::Value,
    ) -> Result<Vec<Vec<u8>>, ClientError> {
        let url = join_url(&self.base_url, "/api/v2/signingCert");
        let response = self
            .http
            .send_ok(
                &Request::post_json(&url, body)
                    .accept("application/json")
                    .bearer(identity_token),
            )
            .await?;
        let value: serde_json::Value = response.json()?;
        parse_signing_cert_response(&url, &value)
    }

    /// `GET /api/v2/trustBundle`: the CA chains Fulcio reports (informational; trust comes from
    /// the trusted root). Each chain is DER, leaf-most first.
    pub async fn trust_bundle(&self) -> Result<Vec<Vec<Vec<u8>>>, ClientError> {
        let url = join_url(&self.base_url, "/api/v2/trustBundle");
        let value: serde_json::Value = self.http.get_json(&url).await?;
        let malformed = |what| ClientError::MalformedResponse {
            url: url.clone(),
            what,
        };
        let chains = value
            .get("chains")
            .and_then(|c| c.as_array())
            .ok_or_else(|| malformed("no chains"))?;
        chains
            .iter()
            .map(|chain| {
                let certs = chain
                    .get("certificates")
                    .and_then(|c| c.as_array())
                    .ok_or_else(|| malformed("chain without certificates"))?;
                pem_list(&url, certs)
            })
            .collect()
    }

    /// `GET /api/v2/configuration`.
    pub async fn configuration(&self) -> Result<FulcioConfiguration, ClientError> {
        let url = join_url(&self.base_url, "/api/v2/configuration");
        Ok(self.http.get_json(&url).await?)
    }
}

/// Parses a `signingCert` response body: the `signedCertificateEmbeddedSct` chain, decoded from
/// PEM to DER (leaf first). A detached-SCT answer is [`ClientError::DetachedSct`].
pub fn parse_signing_cert_response(
    url: &str,
    value: &serde_json::Value,
) -> Result<Vec<Vec<u8>>, ClientError> {
    let malformed = |what| ClientError::MalformedResponse {
        url: url.to_owned(),
        what,
    };
    let Some(embedded) = value.get("signedCertificateEmbeddedSct") else {
        if value.get("signedCertificateDetachedSct").is_some() {
            return Err(ClientError::DetachedSct);
        }
        return Err(malformed("no signedCertificateEmbeddedSct"));
    };
    let certs = embedded
        .get("chain")
        .and_then(|c| c.get("certificates"))
        .and_then(|c| c.as_array())
        .ok_or_else(|| malformed("no chain.certificates"))?;
    let chain = pem_list(url, certs)?;
    if !(2..=MAX_CHAIN).contains(&chain.len()) {
        return Err(ClientError::ChainLength { count: chain.len() });
    }
    Ok(chain)
}

/// Decodes a JSON list of PEM strings (each may hold several blocks) to DER certificates.
fn pem_list(url: &str, certs: &[serde_json::Value]) -> Result<Vec<Vec<u8>>, ClientError> {
    let mut out = Vec::new();
    for cert in certs {
        let text = cert
            .as_str()
            .ok_or_else(|| ClientError::MalformedResponse {
                url: url.to_owned(),
                what: "a certificate is not a string",
            })?;
        for der in pem_decode_all(text.as_bytes(), "CERTIFICATE").map_err(ClientError::Pem)? {
            Certificate::from_der(&der).map_err(ClientError::Certificate)?;
            if out.len() >= MAX_CHAIN {
                return Err(ClientError::ChainLength {
                    count: out.len().saturating_add(1),
                });
            }
            out.push(der);
        }
    }
    Ok(out)
}
