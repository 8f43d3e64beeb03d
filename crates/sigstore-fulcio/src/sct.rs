//! The TLS encoding of RFC 6962 signed certificate timestamps, as embedded in X.509 leaves.

use der::asn1::OctetStringRef;
use der::Decode;

use crate::Error;

/// The most SCTs accepted in one list. Real certificates carry one to three.
pub const MAX_SCTS: usize = 64;

/// `SignatureAndHashAlgorithm.hash` value for SHA-256 (RFC 5246 §7.4.1.4.1).
pub const HASH_SHA256: u8 = 4;
/// `SignatureAndHashAlgorithm.signature` value for RSA (PKCS#1 v1.5).
pub const SIG_RSA: u8 = 1;
/// `SignatureAndHashAlgorithm.signature` value for ECDSA.
pub const SIG_ECDSA: u8 = 3;
/// `Version` value of RFC 6962 v1 SCTs.
pub const SCT_VERSION_V1: u8 = 0;

/// One signed certificate timestamp (RFC 6962 §3.2), parsed from the TLS encoding.
///
/// ```text
/// struct {
///     Version sct_version;            -- u8, v1 = 0
///     LogID id;                       -- 32 bytes: SHA-256 of the log's SPKI
///     uint64 timestamp;               -- milliseconds since the Unix epoch
///     CtExtensions extensions;        -- opaque <0..2^16-1>
///     digitally-signed struct { ... } -- u8 hash, u8 signature, opaque <0..2^16-1>
/// } SignedCertificateTimestamp;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sct {
    /// The SCT version (only v1 = 0 exists).
    pub version: u8,
    /// The log's ID: SHA-256 of its public key.
    pub log_id: [u8; 32],
    /// When the log promised to include the certificate, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// The SCT extensions (opaque; Static CT logs put the leaf index here).
    pub extensions: Vec<u8>,
    /// The hash algorithm of the signature (SHA-256 = 4).
    pub hash_alg: u8,
    /// The signature algorithm (RSA = 1, ECDSA = 3).
    pub sig_alg: u8,
    /// The signature bytes (DER `ECDSA-Sig-Value` for ECDSA).
    pub signature: Vec<u8>,
}

/// A cursor over TLS-encoded bytes that checks every length against what remains.
///
/// The SCT list inside the extension's DER OCTET STRING (read with `der` in
/// [`parse_sct_extension`]) is not DER but TLS presentation-language encoding (RFC 6962 §3.3,
/// RFC 5246 §4): fixed-width big-endian integers and 16-bit length-prefixed vectors. This
/// reader covers that part only; every read is bounded by what remains and the list is
/// capped at [`MAX_SCTS`] entries.
struct TlsReader<'a> {
    rest: &'a [u8],
}

impl<'a> TlsReader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        if n > self.rest.len() {
            return Err(Error::MalformedSctList(what));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, Error> {
        let bytes = self.take(1, what)?;
        Ok(bytes.first().copied().unwrap_or_default())
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, Error> {
        let bytes = self.take(2, what)?;
        let mut buf = [0u8; 2];
        buf.copy_from_slice(bytes);
        Ok(u16::from_be_bytes(buf))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, Error> {
        let bytes = self.take(8, what)?;
        let mut buf = [0u8; 8];
        buf.copy_from_slice(bytes);
        Ok(u64::from_be_bytes(buf))
    }

    /// An opaque value with a 16-bit length prefix.
    fn vec16(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let len = self.u16(what)?;
        self.take(usize::from(len), what)
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

impl Sct {
    /// Parses one `SerializedSCT` (without its list length prefix). The whole input must be
    /// consumed.
    pub fn from_tls(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = TlsReader::new(bytes);
        let version = r.u8("SCT version")?;
        if version != SCT_VERSION_V1 {
            return Err(Error::UnsupportedSctVersion(version));
        }
        let mut log_id = [0u8; 32];
        log_id.copy_from_slice(r.take(32, "SCT log ID")?);
        let timestamp_ms = r.u64("SCT timestamp")?;
        let extensions = r.vec16("SCT extensions")?.to_vec();
        let hash_alg = r.u8("SCT hash algorithm")?;
        let sig_alg = r.u8("SCT signature algorithm")?;
        let signature = r.vec16("SCT signature")?.to_vec();
        if !r.is_empty() {
            return Err(Error::MalformedSctList("trailing bytes after SCT"));
        }
        Ok(Self {
            version,
            log_id,
            timestamp_ms,
            extensions,
            hash_alg,
            sig_alg,
            signature,
        })
    }
}

/// Parses a TLS `SignedCertificateTimestampList` (RFC 6962 §3.3): a 16-bit total length, then
/// 16-bit length-prefixed SCTs. Every length must match exactly; the list must hold 1 to
/// [`MAX_SCTS`] entries.
pub fn parse_sct_list(bytes: &[u8]) -> Result<Vec<Sct>, Error> {
    let mut outer = TlsReader::new(bytes);
    let list = outer.vec16("SCT list length")?;
    if !outer.is_empty() {
        return Err(Error::MalformedSctList("trailing bytes after SCT list"));
    }
    let mut r = TlsReader::new(list);
    let mut scts = Vec::new();
    while !r.is_empty() {
        if scts.len() == MAX_SCTS {
            return Err(Error::TooManyScts);
        }
        let entry = r.vec16("SCT length")?;
        if entry.is_empty() {
            return Err(Error::MalformedSctList("empty SCT"));
        }
        scts.push(Sct::from_tls(entry)?);
    }
    if scts.is_empty() {
        return Err(Error::MalformedSctList("empty SCT list"));
    }
    Ok(scts)
}

/// Parses the content of the SCT-list extension's `extnValue`: a DER OCTET STRING wrapping
/// the TLS list.
pub fn parse_sct_extension(extn_value: &[u8]) -> Result<Vec<Sct>, Error> {
    let inner = OctetStringRef::from_der(extn_value)
        .map_err(|_| Error::MalformedSctList("extension value is not a DER OCTET STRING"))?;
    parse_sct_list(inner.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sct_bytes(ext: &[u8], sig: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8];
        out.extend_from_slice(&[7u8; 32]);
        out.extend_from_slice(&1_700_000_000_000u64.to_be_bytes());
        out.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        out.extend_from_slice(ext);
        out.extend_from_slice(&[HASH_SHA256, SIG_ECDSA]);
        out.extend_from_slice(&(sig.len() as u16).to_be_bytes());
        out.extend_from_slice(sig);
        out
    }

    fn list(entries: &[Vec<u8>]) -> Vec<u8> {
        let mut body = Vec::new();
        for e in entries {
            body.extend_from_slice(&(e.len() as u16).to_be_bytes());
            body.extend_from_slice(e);
        }
        let mut out = (body.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn parses_well_formed_list() {
        let l = list(&[sct_bytes(b"", b"sig1"), sct_bytes(b"ext", b"sig22")]);
        let scts = parse_sct_list(&l).unwrap();
        assert_eq!(scts.len(), 2);
        assert_eq!(scts[0].log_id, [7u8; 32]);
        assert_eq!(scts[0].timestamp_ms, 1_700_000_000_000);
        assert_eq!(scts[0].signature, b"sig1");
        assert_eq!(scts[1].extensions, b"ext");
        assert_eq!(scts[1].sig_alg, SIG_ECDSA);
    }

    #[test]
    fn rejects_malformed_lists() {
        let good = list(&[sct_bytes(b"", b"sig1")]);
        // Every truncation fails, never panics.
        for n in 0..good.len() {
            assert!(parse_sct_list(&good[..n]).is_err(), "truncated at {n}");
        }
        // Trailing byte after the list.
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(parse_sct_list(&trailing).is_err());
        // Outer length too long / too short.
        let mut bad = good.clone();
        bad[1] = bad[1].wrapping_add(1);
        assert!(parse_sct_list(&bad).is_err());
        let mut bad = good.clone();
        bad[1] = bad[1].wrapping_sub(1);
        assert!(parse_sct_list(&bad).is_err());
        // Inner SCT length off by one in both directions.
        let mut bad = good.clone();
        bad[3] = bad[3].wrapping_add(1);
        assert!(parse_sct_list(&bad).is_err());
        let mut bad = good.clone();
        bad[3] = bad[3].wrapping_sub(1);
        assert!(parse_sct_list(&bad).is_err());
        // Empty list, empty entry.
        assert!(parse_sct_list(&[0, 0]).is_err());
        assert!(parse_sct_list(&[0, 2, 0, 0]).is_err());
        // Unknown version.
        let mut v2 = sct_bytes(b"", b"s");
        v2[0] = 1;
        assert!(matches!(
            parse_sct_list(&list(&[v2])),
            Err(Error::UnsupportedSctVersion(1))
        ));
        // Signature length larger than what remains.
        let mut s = sct_bytes(b"", b"sig");
        let n = s.len();
        s[n - 4] = 0xff;
        assert!(parse_sct_list(&list(&[s])).is_err());
        // Huge lengths.
        assert!(parse_sct_list(&[0xff, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn caps_the_count() {
        let one = sct_bytes(b"", b"s");
        let many: Vec<Vec<u8>> = (0..=MAX_SCTS).map(|_| one.clone()).collect();
        assert!(matches!(
            parse_sct_list(&list(&many)),
            Err(Error::TooManyScts)
        ));
        let ok: Vec<Vec<u8>> = (0..MAX_SCTS).map(|_| one.clone()).collect();
        assert_eq!(parse_sct_list(&list(&ok)).unwrap().len(), MAX_SCTS);
    }

    #[test]
    fn extension_wrapper_must_be_octet_string() {
        let l = list(&[sct_bytes(b"", b"sig1")]);
        let mut wrapped = vec![0x04, l.len() as u8];
        wrapped.extend_from_slice(&l);
        assert_eq!(parse_sct_extension(&wrapped).unwrap().len(), 1);
        wrapped[0] = 0x30;
        assert!(parse_sct_extension(&wrapped).is_err());
        assert!(parse_sct_extension(&[]).is_err());
        assert!(parse_sct_extension(&[0x04, 0x81]).is_err());
    }
}
