//! Rekor REST clients (feature `client`): Rekor v1 (`/api/v1`) and Rekor v2 (`/api/v2`).
//!
//! Both return [`TransparencyLogEntry`] values ready for a bundle. Nothing returned here is
//! trusted: a bundle's entries are verified (SET, inclusion proof, checkpoint, body binding)
//! by the verifier against the trusted root.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_crypto::Digest;
use sigstore_http::{join_url, HttpClient, Request};
use sigstore_types::bundle::TransparencyLogEntry;
use sigstore_types::common::PublicKeyDetails;
use sigstore_types::encoding::{base64_decode, hex_decode};
use sigstore_types::{media_types, Bundle};

/// Default timeout of a Rekor v2 write, which blocks until a checkpoint covers the entry.
pub const REKOR_V2_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Most hashes accepted in one proof.
const MAX_PROOF_HASHES: usize = 64;

/// Most entries accepted from one `POST /api/v1/log/entries/retrieve` answer. One proposed
/// entry has one canonical body, so a log holds it at most once per shard.
pub const MAX_RETRIEVED_ENTRIES: usize = 16;

/// Errors of the Rekor clients.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The HTTP exchange failed (transport, status, size, JSON).
    #[error(transparent)]
    Http(#[from] sigstore_http::Error),
    /// The response lacks a field or has the wrong shape.
    #[error("Rekor response from {url} is malformed: {what}")]
    MalformedResponse {
        /// The URL.
        url: String,
        /// What is wrong.
        what: &'static str,
    },
    /// An entry UUID is not 64 or 80 hex digits.
    #[error("invalid Rekor entry UUID")]
    InvalidUuid,
    /// A search answered with more entries than [`MAX_RETRIEVED_ENTRIES`].
    #[error(
        "Rekor at {url} returned {count} entries for one proposed entry (at most {max} accepted)"
    )]
    TooManyEntries {
        /// The URL.
        url: String,
        /// How many entries the answer held.
        count: usize,
        /// The limit.
        max: usize,
    },
}

/// A proposed Rekor v1 entry (`POST /api/v1/log/entries` body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedEntry(Value);

impl ProposedEntry {
    /// `hashedrekord` 0.0.1: a signature over an artifact `digest`, with the verifier as PEM
    /// (a certificate or a public key).
    pub fn hashed_rekord(signature: &[u8], verifier_pem: &str, digest: &Digest) -> Self {
        Self(json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "signature": {
                    "content": STANDARD.encode(signature),
                    "publicKey": {"content": STANDARD.encode(verifier_pem.as_bytes())},
                },
                "data": {"hash": {
                    "algorithm": digest.algorithm().name(),
                    "value": digest.to_hex(),
                }},
            },
        }))
    }

    /// `dsse` 0.0.1: a DSSE envelope (its JSON text exactly as it will be stored) and the
    /// verifiers as PEM.
    pub fn dsse(envelope_json: &str, verifier_pems: &[&str]) -> Self {
        let verifiers: Vec<String> = verifier_pems
            .iter()
            .map(|pem| STANDARD.encode(pem.as_bytes()))
            .collect();
        Self(json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {"proposedContent": {"envelope": envelope_json, "verifiers": verifiers}},
        }))
    }

    /// The JSON body.
    pub fn as_json(&self) -> &Value {
        &self.0
    }
}

/// `GET /api/v1/log`: the log's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogInfo {
    /// Root hash of the current tree.
    pub root_hash: Vec<u8>,
    /// Current tree size.
    pub tree_size: i64,
    /// The signed checkpoint text.
    pub signed_tree_head: String,
    /// The active shard's tree ID (decimal).
    pub tree_id: String,
    /// Inactive shards.
    pub inactive_shards: Vec<LogInfo>,
}

/// A consistency proof between two tree sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsistencyProof {
    /// Root hash of the larger tree.
    pub root_hash: Vec<u8>,
    /// The proof hashes.
    pub hashes: Vec<Vec<u8>>,
}

/// A Rekor v1 instance.
#[derive(Debug, Clone)]
pub struct RekorV1Client {
    base_url: String,
    http: HttpClient,
}

impl RekorV1Client {
    /// A client for the log at `base_url` (e.g. `https://rekor.sigstore.dev`).
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

    /// Uploads `entry` and returns its log entry. When the entry already exists (HTTP 409),
    /// the existing entry is fetched from the `Location` the log names.
    pub async fn create_entry(
        &self,
        entry: &ProposedEntry,
    ) -> Result<TransparencyLogEntry, ClientError> {
        let url = join_url(&self.base_url, "/api/v1/log/entries");
        let response = self
            .http
            .send(&Request::post_json(&url, &entry.0).accept("application/json"))
            .await?;
        if response.status == 409 {
            let location =
                response
                    .header("location")
                    .ok_or_else(|| ClientError::MalformedResponse {
                        url: url.clone(),
                        what: "409 Conflict without a Location",
                    })?;
            let existing = if location.starts_with("http://") || location.starts_with("https://") {
                location.to_owned()
            } else {
                join_url(&self.base_url, location)
            };
            return self.get_entry(&existing).await;
        }
        let response = response.error_for_status()?;
        let value: Value = response.json()?;
        Ok(parse_log_entry(&url, &value)?.1)
    }

    /// `POST /api/v1/log/entries/retrieve` with `{"entries": [entry]}`: the log entries whose
    /// body is the canonical form of `entry` (for a `hashedrekord`: the same digest, signature
    /// and certificate), oldest (lowest `integratedTime`) first. An empty list when the log has
    /// none (an empty answer or 404 Not Found).
    ///
    /// Nothing is verified here and the log is not trusted: every entry, like one read from a
    /// `.rekor` file, must be verified against the trusted root (body binding, SET, inclusion
    /// proof and checkpoint) before use. The answer is bounded by the HTTP client's response
    /// size limit and by [`MAX_RETRIEVED_ENTRIES`].
    pub async fn retrieve_entries(
        &self,
        entry: &ProposedEntry,
    ) -> Result<Vec<TransparencyLogEntry>, ClientError> {
        let url = join_url(&self.base_url, "/api/v1/log/entries/retrieve");
        let request = json!({ "entries": [entry.0] });
        let response = self
            .http
            .send(&Request::post_json(&url, &request).accept("application/json"))
            .await?;
        if response.status == 404 {
            return Ok(Vec::new());
        }
        let value: Value = response.error_for_status()?.json()?;
        parse_retrieved(&url, &value)
    }

    /// `GET /api/v1/log/entries?logIndex=N`.
    pub async fn get_entry_by_index(
        &self,
        log_index: u64,
    ) -> Result<TransparencyLogEntry, ClientError> {
        let url = join_url(
            &self.base_url,
            &format!("/api/v1/log/entries?logIndex={log_index}"),
        );
        self.get_entry(&url).await
    }

    /// `GET /api/v1/log/entries/{uuid}` (64 or 80 hex digits).
    pub async fn get_entry_by_uuid(&self, uuid: &str) -> Result<TransparencyLogEntry, ClientError> {
        if !matches!(uuid.len(), 64 | 80) || !uuid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ClientError::InvalidUuid);
        }
        let url = join_url(&self.base_url, &format!("/api/v1/log/entries/{uuid}"));
        self.get_entry(&url).await
    }

    async fn get_entry(&self, url: &str) -> Result<TransparencyLogEntry, ClientError> {
        let value: Value = self.http.get_json(url).await?;
        Ok(parse_log_entry(url, &value)?.1)
    }

    /// `GET /api/v1/log`.
    pub async fn log_info(&self) -> Result<LogInfo, ClientError> {
        let url = join_url(&self.base_url, "/api/v1/log");
        let value: Value = self.http.get_json(&url).await?;
        parse_log_info(&url, &value, true)
    }

    /// `GET /api/v1/log/proof?firstSize=A&lastSize=B[&treeID=T]`.
    pub async fn consistency_proof(
        &self,
        first_size: u64,
        last_size: u64,
        tree_id: Option<&str>,
    ) -> Result<ConsistencyProof, ClientError> {
        let mut path = format!("/api/v1/log/proof?firstSize={first_size}&lastSize={last_size}");
        if let Some(tree_id) = tree_id {
            if tree_id.is_empty() || !tree_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ClientError::MalformedResponse {
                    url: self.base_url.clone(),
                    what: "treeID must be decimal",
                });
            }
            path.push_str(&format!("&treeID={tree_id}"));
        }
        let url = join_url(&self.base_url, &path);
        let value: Value = self.http.get_json(&url).await?;
        let malformed = |what| ClientError::MalformedResponse {
            url: url.clone(),
            what,
        };
        Ok(ConsistencyProof {
            root_hash: hex_field(&value, "rootHash").ok_or_else(|| malformed("rootHash"))?,
            hashes: hex_list(value.get("hashes")).ok_or_else(|| malformed("hashes"))?,
        })
    }
}

fn hex_field(value: &Value, key: &str) -> Option<Vec<u8>> {
    hex_decode(value.get(key)?.as_str()?.as_bytes()).ok()
}

fn hex_list(value: Option<&Value>) -> Option<Vec<Vec<u8>>> {
    let Some(value) = value else {
        return Some(Vec::new());
    };
    let list = value.as_array()?;
    if list.len() > MAX_PROOF_HASHES {
        return None;
    }
    list.iter()
        .map(|h| hex_decode(h.as_str()?.as_bytes()).ok())
        .collect()
}

fn parse_log_info(url: &str, value: &Value, top: bool) -> Result<LogInfo, ClientError> {
    let malformed = |what| ClientError::MalformedResponse {
        url: url.to_owned(),
        what,
    };
    let inactive_shards = match value.get("inactiveShards") {
        Some(Value::Array(shards)) if top => shards
            .iter()
            .map(|s| parse_log_info(url, s, false))
            .collect::<Result<Vec<_>, _>>()?,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(malformed("inactiveShards")),
    };
    Ok(LogInfo {
        root_hash: hex_field(value, "rootHash").ok_or_else(|| malformed("rootHash"))?,
        tree_size: value
            .get("treeSize")
            .and_then(Value::as_i64)
            .filter(|n| *n >= 0)
            .ok_or_else(|| malformed("treeSize"))?,
        signed_tree_head: value
            .get("signedTreeHead")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("signedTreeHead"))?
            .to_owned(),
        tree_id: value
            .get("treeID")
            .and_then(|t| match t {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .unwrap_or_default(),
        inactive_shards,
    })
}

/// Parses a `retrieve` answer: a list of `LogEntry` maps (each with one or more entries),
/// oldest first.
fn parse_retrieved(url: &str, value: &Value) -> Result<Vec<TransparencyLogEntry>, ClientError> {
    let malformed = |what| ClientError::MalformedResponse {
        url: url.to_owned(),
        what,
    };
    let list = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        _ => return Err(malformed("not a list of entries")),
    };
    let mut maps = Vec::new();
    for item in list {
        let map = item
            .as_object()
            .ok_or_else(|| malformed("an entry is not an object"))?;
        maps.extend(map.iter());
    }
    if maps.len() > MAX_RETRIEVED_ENTRIES {
        return Err(ClientError::TooManyEntries {
            url: url.to_owned(),
            count: maps.len(),
            max: MAX_RETRIEVED_ENTRIES,
        });
    }
    let mut entries = maps
        .into_iter()
        .map(|(uuid, entry)| {
            let single = Value::Object([(uuid.clone(), entry.clone())].into_iter().collect());
            parse_log_entry(url, &single).map(|(_, entry)| entry)
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Oldest first: a newer duplicate cannot displace the original (the sort is stable).
    entries.sort_by_key(|e| e.integrated_time);
    Ok(entries)
}

/// Converts a Rekor v1 `LogEntry` (a map with one key, the entry UUID) to the UUID and a
/// bundle [`TransparencyLogEntry`] (spec: indices and times as integers, `logID` hex to
/// bytes, kind and version from the decoded body, SET, proof hashes hex to bytes, the
/// checkpoint text, the decoded body).
pub fn parse_log_entry(
    url: &str,
    value: &Value,
) -> Result<(String, TransparencyLogEntry), ClientError> {
    let malformed = |what| ClientError::MalformedResponse {
        url: url.to_owned(),
        what,
    };
    let map = value
        .as_object()
        .ok_or_else(|| malformed("not an object"))?;
    let mut entries = map.iter();
    let (uuid, entry) = match (entries.next(), entries.next()) {
        (Some(first), None) => first,
        _ => return Err(malformed("expected exactly one entry")),
    };
    let int = |v: &Value, key: &'static str| {
        v.get(key)
            .and_then(Value::as_i64)
            .filter(|n| *n >= 0)
            .ok_or_else(|| malformed(key))
    };
    let body_b64 = entry
        .get("body")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("body"))?;
    let canonicalized_body = base64_decode(body_b64.as_bytes()).map_err(|_| malformed("body"))?;
    let body: Value =
        serde_json::from_slice(&canonicalized_body).map_err(|_| malformed("body is not JSON"))?;
    let kind = body
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("body kind"))?
        .to_owned();
    let kind_version = body
        .get("apiVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("body apiVersion"))?
        .to_owned();
    let log_id = hex_field(entry, "logID").ok_or_else(|| malformed("logID"))?;
    let verification = entry.get("verification");
    let inclusion_promise = match verification.and_then(|v| v.get("signedEntryTimestamp")) {
        None | Some(Value::Null) => None,
        Some(set) => Some(
            set.as_str()
                .and_then(|s| base64_decode(s.as_bytes()).ok())
                .ok_or_else(|| malformed("signedEntryTimestamp"))?,
        ),
    };
    let inclusion_proof = match verification.and_then(|v| v.get("inclusionProof")) {
        None | Some(Value::Null) => None,
        Some(proof) => Some(sigstore_types::InclusionProof {
            log_index: int(proof, "logIndex")?,
            root_hash: hex_field(proof, "rootHash").ok_or_else(|| malformed("rootHash"))?,
            tree_size: int(proof, "treeSize")?,
            hashes: hex_list(proof.get("hashes")).ok_or_else(|| malformed("hashes"))?,
            checkpoint: match proof.get("checkpoint") {
                None | Some(Value::Null) => None,
                Some(c) => Some(
                    c.as_str()
                        .ok_or_else(|| malformed("checkpoint"))?
                        .to_owned(),
                ),
            },
        }),
    };
    Ok((
        uuid.clone(),
        TransparencyLogEntry {
            log_index: int(entry, "logIndex")?,
            log_id,
            kind,
            kind_version,
            integrated_time: int(entry, "integratedTime")?,
            inclusion_promise,
            inclusion_proof,
            canonicalized_body,
        },
    ))
}

/// The verifier of a Rekor v2 entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V2Verifier {
    /// A DER X.509 certificate (keyless).
    X509Certificate(Vec<u8>),
    /// A DER SubjectPublicKeyInfo (managed key).
    PublicKey(Vec<u8>),
}

/// `hashedRekordRequestV002`: a signature over a digest, with its verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedRekordRequestV002 {
    /// The digest that was signed (its length must fit `key_details`' hash).
    pub digest: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// The certificate or key that verifies the signature.
    pub verifier: V2Verifier,
    /// The key and signature algorithm, e.g. `PKIX_ECDSA_P256_SHA_256`.
    pub key_details: PublicKeyDetails,
}

impl HashedRekordRequestV002 {
    /// The JSON request body.
    pub fn to_json(&self) -> Value {
        let verifier = match &self.verifier {
            V2Verifier::X509Certificate(der) => {
                json!({"x509Certificate": {"rawBytes": STANDARD.encode(der)}})
            }
            V2Verifier::PublicKey(der) => json!({"publicKey": {"rawBytes": STANDARD.encode(der)}}),
        };
        let mut verifier = verifier;
        if let Some(map) = verifier.as_object_mut() {
            map.insert(
                "keyDetails".to_owned(),
                Value::String(self.key_details.as_str().to_owned()),
            );
        }
        json!({"hashedRekordRequestV002": {
            "digest": STANDARD.encode(&self.digest),
            "signature": {"content": STANDARD.encode(&self.signature), "verifier": verifier},
        }})
    }
}

/// A Rekor v2 (rekor-tiles) shard.
#[derive(Debug, Clone)]
pub struct RekorV2Client {
    base_url: String,
    http: HttpClient,
    write_timeout: Duration,
}

impl RekorV2Client {
    /// A client for the shard at `base_url` (e.g. `https://log2025-1.rekor.sigstore.dev`),
    /// with writes timing out after [`REKOR_V2_WRITE_TIMEOUT`].
    pub fn new(base_url: impl Into<String>, http: HttpClient) -> Self {
        Self {
            base_url: base_url.into(),
            http,
            write_timeout: REKOR_V2_WRITE_TIMEOUT,
        }
    }

    /// Sets the write timeout.
    pub fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `POST /api/v2/log/entries`: uploads the entry and returns the log's entry (with its
    /// inclusion proof and checkpoint). The call blocks until a checkpoint covers the entry.
    pub async fn create_entry(
        &self,
        request: &HashedRekordRequestV002,
    ) -> Result<TransparencyLogEntry, ClientError> {
        let url = join_url(&self.base_url, "/api/v2/log/entries");
        let response = self
            .http
            .send_ok(
                &Request::post_json(&url, &request.to_json())
                    .accept("application/json")
                    .timeout(self.write_timeout),
            )
            .await?;
        let value: Value = response.json()?;
        parse_v2_entry(&url, &value)
    }
}

/// Parses a protobuf-JSON `TransparencyLogEntry` (the Rekor v2 write response) with the same
/// rules a bundle's `tlogEntries[]` follows; it must carry an inclusion proof with a
/// checkpoint.
pub fn parse_v2_entry(url: &str, value: &Value) -> Result<TransparencyLogEntry, ClientError> {
    let malformed = |what| ClientError::MalformedResponse {
        url: url.to_owned(),
        what,
    };
    if !value.is_object() {
        return Err(malformed("not an object"));
    }
    // Parse through the bundle model so the entry obeys exactly the bundle's rules.
    let wrapper = json!({
        "mediaType": media_types::BUNDLE_V0_3,
        "verificationMaterial": {"publicKey": {"hint": ""}, "tlogEntries": [value]},
        "messageSignature": {"signature": "AA=="},
    });
    let bundle = Bundle::from_json(wrapper.to_string().as_bytes())
        .map_err(|_| malformed("not a valid transparency log entry"))?;
    bundle
        .verification_material
        .tlog_entries
        .into_iter()
        .next()
        .ok_or_else(|| malformed("no entry"))
}
