//! RFC 3161 timestamp authority client (feature `client`).
//!
//! [`TsaClient::timestamp`] sends a `TimeStampReq` with a SHA-256 imprint of the bytes to
//! timestamp, a random 64-bit nonce and `certReq` TRUE, and returns the DER `TimeStampResp`
//! with the nonce. It does not judge the response: verify it with
//! [`crate::verify_timestamp`] and [`crate::VerifiedTimestamp::check_nonce`].

use rand_core::{OsRng, RngCore};
use sigstore_crypto::HashAlgorithm;
use sigstore_http::{HttpClient, Request};

use crate::build_request;

/// Errors of the TSA client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The HTTP exchange failed (transport, status, size).
    #[error(transparent)]
    Http(#[from] sigstore_http::Error),
    /// The system random number generator failed.
    #[error("cannot draw a nonce")]
    Random,
    /// The response body is empty.
    #[error("timestamp authority {url} returned an empty response")]
    EmptyResponse {
        /// The URL.
        url: String,
    },
}

/// A timestamp authority's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimestampResponse {
    /// The DER `TimeStampResp` (store it in `rfc3161Timestamps[].signedTimestamp`).
    pub der: Vec<u8>,
    /// The nonce sent (big-endian, unsigned).
    pub nonce: Vec<u8>,
}

/// A timestamp authority, addressed by the full URL requests are posted to
/// (e.g. `https://timestamp.sigstore.dev/api/v1/timestamp`).
#[derive(Debug, Clone)]
pub struct TsaClient {
    url: String,
    http: HttpClient,
}

impl TsaClient {
    /// A client for the TSA at `url`.
    pub fn new(url: impl Into<String>, http: HttpClient) -> Self {
        Self {
            url: url.into(),
            http,
        }
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Timestamps `data` (normally the signature bytes): SHA-256 imprint, random nonce,
    /// `certReq` TRUE.
    pub async fn timestamp(&self, data: &[u8]) -> Result<TimestampResponse, ClientError> {
        let mut nonce = [0u8; 8];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| ClientError::Random)?;
        let digest = HashAlgorithm::Sha256.digest(data);
        let body = build_request(&digest, Some(&nonce), true);
        let response = self
            .http
            .send_ok(
                &Request::post(&self.url, "application/timestamp-query", body)
                    .accept("application/timestamp-reply"),
            )
            .await?;
        if response.body.is_empty() {
            return Err(ClientError::EmptyResponse {
                url: self.url.clone(),
            });
        }
        Ok(TimestampResponse {
            der: response.body,
            nonce: nonce.to_vec(),
        })
    }
}
