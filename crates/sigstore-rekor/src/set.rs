//! Rekor v1 signed entry timestamps (SETs, the bundle's "inclusion promise").
//!
//! The SET is the log's signature over the RFC 8785 (JCS) canonical JSON
//! `{"body":"<base64 body>","integratedTime":N,"logID":"<hex log ID>","logIndex":N}`, where
//! `logIndex` is the entry's global (top-level) index, not the shard-local proof index.

use sigstore_crypto::PublicKey;

use crate::Error;

/// Builds the exact bytes a Rekor v1 SET signs. The members are written in JCS order (sorted
/// by UTF-16 code units, which for these ASCII names is byte order) with no whitespace.
pub fn set_payload(
    body: &[u8],
    integrated_time: i64,
    log_id: &[u8],
    log_index: i64,
) -> Result<Vec<u8>, Error> {
    if integrated_time < 0 {
        return Err(Error::NegativeValue {
            field: "integratedTime",
        });
    }
    if log_index < 0 {
        return Err(Error::NegativeValue { field: "logIndex" });
    }
    if log_id.len() != 32 {
        return Err(Error::LogIdLength { len: log_id.len() });
    }
    // Base64 and hex output and decimal integers need no JSON escaping. Written into one
    // buffer of the final size: the body dominates, and is encoded in place.
    let mut payload = String::with_capacity(body.len().div_ceil(3) * 4 + 160);
    payload.push_str("{\"body\":\"");
    sigstore_types::encoding::base64_encode_append(body, &mut payload);
    payload.push_str("\",\"integratedTime\":");
    payload.push_str(&integrated_time.to_string());
    payload.push_str(",\"logID\":\"");
    payload.push_str(&hex::encode(log_id));
    payload.push_str("\",\"logIndex\":");
    payload.push_str(&log_index.to_string());
    payload.push('}');
    Ok(payload.into_bytes())
}

/// Verifies a Rekor v1 signed entry timestamp.
///
/// `body` is the entry's `canonicalizedBody` bytes, `log_id` the 32-byte `logId.keyId`,
/// `log_index` the top-level (global) log index and `set` the `signedEntryTimestamp`
/// signature. The signature is checked with the key's default algorithm (ECDSA with SHA-256
/// for the production P-256 key).
pub fn verify_set(
    body: &[u8],
    integrated_time: i64,
    log_id: &[u8],
    log_index: i64,
    set: &[u8],
    key: &PublicKey,
) -> Result<(), Error> {
    let payload = set_payload(body, integrated_time, log_id, log_index)?;
    key.verify(key.default_algorithm(), &payload, set)
        .map_err(Error::SetInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_shape() {
        let p = set_payload(b"hi", 5, &[0xab; 32], 7).unwrap();
        let want = format!(
            "{{\"body\":\"aGk=\",\"integratedTime\":5,\"logID\":\"{}\",\"logIndex\":7}}",
            "ab".repeat(32)
        );
        assert_eq!(p, want.into_bytes());
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(
            set_payload(b"", -1, &[0; 32], 0),
            Err(Error::NegativeValue {
                field: "integratedTime"
            })
        );
        assert_eq!(
            set_payload(b"", 0, &[0; 32], i64::MIN),
            Err(Error::NegativeValue { field: "logIndex" })
        );
        assert_eq!(
            set_payload(b"", 0, &[0; 31], 0),
            Err(Error::LogIdLength { len: 31 })
        );
        assert!(set_payload(b"", i64::MAX, &[0; 32], i64::MAX).is_ok());
    }
}
