//! DSSE envelopes (`io.intoto.Envelope`) and the pre-authentication encoding.

use serde::{Deserialize, Serialize};

use crate::wire::{self, Bytes};
use crate::Error;

/// A DSSE envelope: a typed payload and its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The payload bytes (base64-decoded).
    pub payload: Vec<u8>,
    /// The payload type, e.g. `application/vnd.in-toto+json`.
    pub payload_type: String,
    /// The signatures over `PAE(payload_type, payload)`.
    pub signatures: Vec<DsseSignature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsseSignature {
    /// The raw signature bytes.
    pub sig: Vec<u8>,
    /// Optional unauthenticated key hint (empty when absent).
    pub keyid: String,
}

/// The DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let header = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    );
    let mut out = Vec::with_capacity(header.len() + payload.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// Parses the standalone DSSE JSON form (also the bundle's `dsseEnvelope`).
    ///
    /// `payloadType` is required; every signature must be non-empty.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let w: EnvelopeWire = wire::parse(bytes)?;
        Self::from_wire(w)
    }

    /// Serializes to the DSSE JSON form (standard base64 with padding).
    pub fn to_json(&self) -> String {
        wire::to_string(&self.to_wire())
    }

    /// `PAE(payload_type, payload)`: the bytes the signatures sign.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    pub(crate) fn from_wire(w: EnvelopeWire) -> Result<Self, Error> {
        let payload = wire::take_bytes(w.payload, "dsseEnvelope.payload")?;
        let payload_type = w.payload_type.unwrap_or_default();
        if payload_type.is_empty() {
            return Err(Error::MissingField("dsseEnvelope.payloadType"));
        }
        let signatures = w
            .signatures
            .into_iter()
            .flatten()
            .map(|s| {
                let sig = wire::take_bytes(s.sig, "dsseEnvelope.signatures.sig")?;
                if sig.is_empty() {
                    return Err(Error::EmptySignature);
                }
                Ok(DsseSignature {
                    sig,
                    keyid: s.keyid.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Self {
            payload,
            payload_type,
            signatures,
        })
    }

    pub(crate) fn to_wire(&self) -> EnvelopeWire {
        EnvelopeWire {
            payload: Some(Bytes::encode(&self.payload)),
            payload_type: Some(self.payload_type.clone()),
            signatures: Some(
                self.signatures
                    .iter()
                    .map(|s| SignatureWire {
                        sig: Some(Bytes::encode(&s.sig)),
                        keyid: wire::non_empty_str(&s.keyid),
                    })
                    .collect(),
            ),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvelopeWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payload: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payload_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signatures: Option<Vec<SignatureWire>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SignatureWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sig: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keyid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_spec_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        let body = br#"{"_type":"x"}"#;
        let expected = [
            b"DSSEv1 28 application/vnd.in-toto+json 13 ".as_slice(),
            body,
        ]
        .concat();
        assert_eq!(pae("application/vnd.in-toto+json", body), expected);
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn envelope_round_trip_and_errors() {
        let json = br#"{"payload":"aGVsbG8","payloadType":"text/plain","signatures":[{"sig":"AQID","keyid":"k"},{"sig":"BA=="}],"extra":1}"#;
        let env = Envelope::from_json(json).unwrap();
        assert_eq!(env.payload, b"hello");
        assert_eq!(env.signatures.len(), 2);
        assert_eq!(env.signatures[0].sig, vec![1, 2, 3]);
        assert_eq!(env.signatures[0].keyid, "k");
        assert_eq!(env.signatures[1].keyid, "");
        let out = env.to_json();
        assert!(out.contains("\"payload\":\"aGVsbG8=\""));
        assert_eq!(Envelope::from_json(out.as_bytes()).unwrap(), env);
        assert_eq!(env.pae(), b"DSSEv1 10 text/plain 5 hello".to_vec());

        assert_eq!(
            Envelope::from_json(br#"{"payload":"aGVsbG8=","signatures":[]}"#),
            Err(Error::MissingField("dsseEnvelope.payloadType"))
        );
        assert_eq!(
            Envelope::from_json(br#"{"payload":"a","payloadType":"t"}"#),
            Err(Error::InvalidBase64 {
                field: "dsseEnvelope.payload"
            })
        );
        assert_eq!(
            Envelope::from_json(br#"{"payloadType":"t","signatures":[{"sig":""}]}"#),
            Err(Error::EmptySignature)
        );
        assert!(matches!(
            Envelope::from_json(br#"{"payloadType":5}"#),
            Err(Error::Json { .. })
        ));
    }
}
