//! Text encodings used by Sigstore formats: base64 (lenient in, strict out), hex and PEM.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use crate::Error;

const LENIENT_CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT_CONFIG);
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT_CONFIG);

/// Encodes bytes as standard base64 with padding (RFC 4648 §4), as protobuf JSON emits `bytes`.
pub fn base64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Appends the standard base64 of `bytes` (with padding) to `out`.
pub fn base64_encode_append(bytes: &[u8], out: &mut String) {
    if simd_pays(bytes.len()) {
        base64_simd::STANDARD.encode_append(bytes, out);
    } else {
        STANDARD.encode_string(bytes, out);
    }
}

/// Base64 text a process handles with the `base64` crate's scalar code before it turns to
/// `base64-simd`'s vector code.
const SCALAR_BUDGET: usize = 128 * 1024;

/// Whether the base64 work of this process (`len` more bytes of it now) has grown enough for
/// the vector code to pay. Choosing that code asks the CPU what it supports, once per
/// process (the standard library's feature detection: a dozen `CPUID` instructions). In a
/// virtual machine each of them traps to the hypervisor: 75 µs in all on the development VM,
/// more than the scalar code spends on a dozen bundles, and 3% of a one-bundle
/// verification. A long batch pays it once, early. Both codes accept exactly the same text
/// and give the same bytes (tested against each other).
fn simd_pays(len: usize) -> bool {
    use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
    static SCALAR_SO_FAR: AtomicUsize = AtomicUsize::new(0);
    static VECTOR: AtomicBool = AtomicBool::new(false);
    if VECTOR.load(Relaxed) {
        return true;
    }
    let so_far = SCALAR_SO_FAR.fetch_add(len, Relaxed).saturating_add(len);
    if so_far > SCALAR_BUDGET {
        VECTOR.store(true, Relaxed);
    }
    false
}

/// Strict standard base64 (canonical padding, no stray bits), by whichever code
/// [`simd_pays`] picks.
fn decode_standard(text: &[u8]) -> Option<Vec<u8>> {
    if simd_pays(text.len()) {
        base64_simd::STANDARD.decode_to_vec(text).ok()
    } else {
        STANDARD.decode(text).ok()
    }
}

/// Decodes base64 the way proto3 JSON parsers do: the standard or the URL-safe alphabet (not
/// mixed), with or without padding. Line breaks (`\r`, `\n`) are skipped, as Go's decoder does
/// (`base64` CLI output wraps at 76 columns); any other whitespace is an error.
pub fn base64_decode(text: &[u8]) -> Result<Vec<u8>, Error> {
    decode_field(text, "base64 value")
}

/// Decodes strict standard base64: standard alphabet, canonical padding, no stray bits.
pub fn base64_decode_strict(text: &[u8]) -> Result<Vec<u8>, Error> {
    decode_standard(text).ok_or(Error::InvalidBase64 {
        field: "base64 value",
    })
}

/// Lenient base64 decoding reporting `field` on failure.
pub(crate) fn decode_field(text: &[u8], field: &'static str) -> Result<Vec<u8>, Error> {
    decode_lenient(text).ok_or(Error::InvalidBase64 { field })
}

/// The lenient base64 decoding of [`base64_decode`]; `None` for text that is not base64.
pub(crate) fn decode_lenient(text: &[u8]) -> Option<Vec<u8>> {
    // Fast path for the usual case, one pass: text that is strict standard base64 holds no
    // line break and no URL-safe character, so the rules below would pick exactly this
    // decoding (strict is a subset of lenient, with the same output). Anything else falls
    // through to them.
    if let Some(decoded) = decode_standard(text) {
        return Some(decoded);
    }
    let unwrapped: Vec<u8>;
    let text = if text.iter().any(|&c| c == b'\r' || c == b'\n') {
        unwrapped = text
            .iter()
            .copied()
            .filter(|&c| c != b'\r' && c != b'\n')
            .collect();
        unwrapped.as_slice()
    } else {
        text
    };
    let url_safe = text.iter().any(|&c| c == b'-' || c == b'_');
    let engine = if url_safe {
        &LENIENT_URL_SAFE
    } else {
        &LENIENT_STANDARD
    };
    engine.decode(text).ok()
}

/// Encodes bytes as lowercase hexadecimal.
pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Decodes hexadecimal (either case, even length, no separators).
pub fn hex_decode(text: &[u8]) -> Result<Vec<u8>, Error> {
    hex_decode_field(text, "hex value")
}

/// The value of one hexadecimal digit (either case).
fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Whether `hex` (either case, no separators) spells exactly `bytes`, without allocating.
pub fn hex_matches(hex: &str, bytes: &[u8]) -> bool {
    hex.len() == bytes.len() * 2
        && hex
            .as_bytes()
            .chunks_exact(2)
            .zip(bytes)
            .all(|(pair, &byte)| match pair {
                [hi, lo] => nibble(*hi).zip(nibble(*lo)).map(|(h, l)| (h << 4) | l) == Some(byte),
                _ => false,
            })
}

pub(crate) fn hex_decode_field(text: &[u8], field: &'static str) -> Result<Vec<u8>, Error> {
    let bad = || Error::InvalidHex { field };
    if text.len() % 2 != 0 {
        return Err(bad());
    }
    text.chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some((nibble(*hi)? << 4) | nibble(*lo)?),
            _ => None,
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad)
}

/// Decodes the first PEM block of `text` (RFC 7468), which must carry `label`
/// (e.g. `"CERTIFICATE"`, `"PUBLIC KEY"`).
///
/// Tolerates CRLF line endings, surrounding whitespace, blank lines and explanatory text
/// before the block. A block with another label, encapsulated headers, a missing END line
/// or bad base64 is an error.
pub fn pem_decode(text: &[u8], label: &str) -> Result<Vec<u8>, Error> {
    let mut blocks = PemBlocks { rest: text };
    match blocks.next() {
        None => Err(Error::PemMissing {
            expected: label.to_owned(),
        }),
        Some(block) => {
            let (found, der) = block?;
            if found != label {
                return Err(Error::PemLabelMismatch {
                    expected: label.to_owned(),
                    found,
                });
            }
            Ok(der)
        }
    }
}

/// Decodes every PEM block of `text`; all must carry `label`. At least one block is required.
pub fn pem_decode_all(text: &[u8], label: &str) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for block in (PemBlocks { rest: text }) {
        let (found, der) = block?;
        if found != label {
            return Err(Error::PemLabelMismatch {
                expected: label.to_owned(),
                found,
            });
        }
        out.push(der);
    }
    if out.is_empty() {
        return Err(Error::PemMissing {
            expected: label.to_owned(),
        });
    }
    Ok(out)
}

/// Encodes DER bytes as a PEM block with 64-column base64 lines, `\n` line endings and a
/// trailing newline.
pub fn pem_encode(der: &[u8], label: &str) -> String {
    let body = base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    let mut rest = body.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

struct PemBlocks<'a> {
    rest: &'a [u8],
}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

impl Iterator for PemBlocks<'_> {
    type Item = Result<(String, Vec<u8>), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = find(self.rest, BEGIN)?;
        let after_begin = self.rest.get(start + BEGIN.len()..)?;
        // The rest of the BEGIN line: "LABEL-----".
        let line_end = after_begin
            .iter()
            .position(|&c| c == b'\n')
            .unwrap_or(after_begin.len());
        let (begin_line, body) = after_begin.split_at(line_end);
        self.rest = &[];
        let Some(label) = trim(begin_line).strip_suffix(DASHES) else {
            return Some(Err(Error::PemMalformed));
        };
        let label = match std::str::from_utf8(label) {
            Ok(l) if l.bytes().all(|c| c.is_ascii_graphic() || c == b' ') => l.to_owned(),
            _ => return Some(Err(Error::PemMalformed)),
        };
        let mut b64 = Vec::new();
        let mut remaining = body;
        loop {
            if remaining.is_empty() {
                return Some(Err(Error::PemMalformed));
            }
            let end = remaining
                .iter()
                .position(|&c| c == b'\n')
                .map_or(remaining.len(), |p| p + 1);
            let (line, tail) = remaining.split_at(end);
            remaining = tail;
            let line = trim(line);
            if let Some(end_label) = line.strip_prefix(END) {
                let expected = [label.as_bytes(), DASHES].concat();
                if end_label != expected.as_slice() {
                    return Some(Err(Error::PemMalformed));
                }
                break;
            }
            if line.contains(&b':') || line.starts_with(DASHES) {
                return Some(Err(Error::PemMalformed));
            }
            b64.extend_from_slice(line);
        }
        self.rest = remaining;
        let der = match STANDARD
            .decode(&b64)
            .or_else(|_| LENIENT_STANDARD.decode(&b64))
        {
            Ok(der) if !der.is_empty() => der,
            _ => return Some(Err(Error::PemMalformed)),
        };
        Some(Ok((label, der)))
    }
}

/// `text` with control characters (newlines, escape sequences) and invisible Unicode
/// direction overrides escaped, so that strings taken from untrusted data cannot forge extra
/// output lines or drive a terminal.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let invisible = matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        );
        if c.is_control() || invisible {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A xorshift64 generator: the same pseudo-random inputs on every run.
    fn xorshift() -> impl FnMut() -> u64 {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// The scalar and the vector code, which `simd_pays` switches between, on one text.
    fn both_decode(text: &[u8]) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        (
            STANDARD.decode(text).ok(),
            base64_simd::STANDARD.decode_to_vec(text).ok(),
        )
    }

    #[test]
    fn scalar_and_vector_base64_agree() {
        // Every text of up to five characters over an alphabet with padding, both alphabets'
        // extra characters, whitespace, a non-ASCII byte and the characters that end a
        // quantum with stray bits (B, g against A, Q, w).
        let alphabet = b"ABQgw+/=-_ \n\x80";
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        let mut last: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|prefix| {
                    alphabet.iter().map(move |&c| {
                        let mut text = prefix.clone();
                        text.push(c);
                        text
                    })
                })
                .collect();
            texts.extend(last.iter().cloned());
        }
        // Longer texts, past the vector code's block sizes, with one character changed.
        let mut next = xorshift();
        for len in 0..300usize {
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut encoded = Vec::new();
            let mut scalar = String::new();
            STANDARD.encode_string(&bytes, &mut scalar);
            base64_simd::STANDARD.encode_append(&bytes, &mut encoded);
            assert_eq!(scalar.as_bytes(), encoded, "encoding {len} bytes");
            texts.push(encoded.clone());
            if !encoded.is_empty() {
                for _ in 0..4 {
                    let mut changed = encoded.clone();
                    let at = (next() as usize) % changed.len();
                    changed[at] = alphabet[(next() as usize) % alphabet.len()];
                    texts.push(changed);
                }
            }
        }
        let (mut accepted, mut refused) = (0, 0);
        for text in &texts {
            let (scalar, vector) = both_decode(text);
            assert_eq!(scalar, vector, "{:?}", String::from_utf8_lossy(text));
            match scalar {
                Some(_) => accepted += 1,
                None => refused += 1,
            }
        }
        assert!(accepted > 1000 && refused > 1000, "{accepted} {refused}");
    }

    #[test]
    fn vector_base64_once_the_budget_is_spent() {
        // Whichever code runs, the results are the same (above); past the budget, the
        // vector code is chosen for good.
        let text = base64_encode(&[7u8; 3000]);
        for _ in 0..=SCALAR_BUDGET / text.len() {
            assert_eq!(base64_decode_strict(text.as_bytes()).unwrap(), [7u8; 3000]);
        }
        assert!(simd_pays(1));
        let mut out = String::from("x");
        base64_encode_append(&[0xfb, 0xff], &mut out);
        assert_eq!(out, "x+/8=");
    }

    #[test]
    fn base64_lenient_and_strict() {
        assert_eq!(base64_decode(b"+/8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(base64_decode(b"+/8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(base64_decode(b"-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(base64_decode(b"-_8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(base64_decode(b"").unwrap(), Vec::<u8>::new());
        assert!(base64_decode(b"+_8=").is_err());
        assert!(base64_decode(b"INVALID!!!BASE64!!!ENCODING====").is_err());
        assert!(base64_decode(b"ab c").is_err());
        assert!(base64_decode(b"ab\tc").is_err());
        assert_eq!(base64_decode(b"AQID\r\nBA==\n").unwrap(), vec![1, 2, 3, 4]);
        assert!(base64_decode(b"a").is_err());
        assert!(base64_decode(b"ab====").is_err());
        assert!(base64_decode_strict(b"+/8").is_err());
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
    }

    /// The SIMD decoder must accept exactly what `base64`'s engines accept, with the same
    /// output: the strict decoder against STANDARD, the lenient one against its rules.
    #[test]
    fn simd_decoding_agrees_with_base64_engines() {
        let alphabet =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\r\t.";
        let mut random = xorshift();
        let mut next = move || usize::try_from(random() % 1_000_003).unwrap_or(0);
        let (mut accepted, mut rejected) = (0, 0);
        for _ in 0..200_000 {
            let len = next() % 14;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    // Mostly the standard alphabet, sometimes padding, URL-safe or whitespace.
                    let pool = if r % 10 < 8 { 64 } else { alphabet.len() };
                    alphabet[r / 10 % pool]
                })
                .collect();
            let strict = base64_decode_strict(&text).ok();
            assert_eq!(strict, STANDARD.decode(&text).ok(), "{text:?}");
            let lenient = base64_decode(&text).ok();
            let url_safe = text.iter().any(|&c| c == b'-' || c == b'_');
            let unwrapped: Vec<u8> = text
                .iter()
                .copied()
                .filter(|&c| c != b'\r' && c != b'\n')
                .collect();
            let engine = if url_safe {
                &LENIENT_URL_SAFE
            } else {
                &LENIENT_STANDARD
            };
            assert_eq!(lenient, engine.decode(&unwrapped).ok(), "{text:?}");
            if lenient.is_some() {
                accepted += 1;
            } else {
                rejected += 1;
            }
        }
        assert!(
            accepted > 10_000 && rejected > 10_000,
            "{accepted} / {rejected}"
        );
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex_encode(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(hex_decode(b"00ABff").unwrap(), vec![0, 0xab, 0xff]);
        assert!(hex_decode(b"0").is_err());
        assert!(hex_decode(b"0g").is_err());
        assert!(hex_decode("é1".as_bytes()).is_err());
    }

    #[test]
    fn pem_round_trip_and_tolerance() {
        let der: Vec<u8> = (0u8..=200).collect();
        let pem = pem_encode(&der, "CERTIFICATE");
        assert_eq!(pem_decode(pem.as_bytes(), "CERTIFICATE").unwrap(), der);
        let crlf = format!("junk before\r\n\r\n  {}  \r\n", pem.replace('\n', "\r\n"));
        assert_eq!(pem_decode(crlf.as_bytes(), "CERTIFICATE").unwrap(), der);
        let two = format!("{pem}{pem}");
        assert_eq!(
            pem_decode_all(two.as_bytes(), "CERTIFICATE").unwrap().len(),
            2
        );
        assert!(matches!(
            pem_decode(pem.as_bytes(), "PUBLIC KEY"),
            Err(Error::PemLabelMismatch { .. })
        ));
        assert!(matches!(
            pem_decode(b"nothing", "X"),
            Err(Error::PemMissing { .. })
        ));
        let truncated = &pem.as_bytes()[..pem.len() - 20];
        assert_eq!(
            pem_decode(truncated, "CERTIFICATE"),
            Err(Error::PemMalformed)
        );
        let mismatched_end = pem.replace("END CERTIFICATE", "END PUBLIC KEY");
        assert_eq!(
            pem_decode(mismatched_end.as_bytes(), "CERTIFICATE"),
            Err(Error::PemMalformed)
        );
        let headers = pem.replacen('\n', "\nProc-Type: 4,ENCRYPTED\n", 1);
        assert_eq!(
            pem_decode(headers.as_bytes(), "CERTIFICATE"),
            Err(Error::PemMalformed)
        );
        let bad_body = pem.replacen("AAEC", "A!EC", 1);
        assert_eq!(
            pem_decode(bad_body.as_bytes(), "CERTIFICATE"),
            Err(Error::PemMalformed)
        );
        assert_eq!(
            pem_decode(
                b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
                "CERTIFICATE"
            ),
            Err(Error::PemMalformed)
        );
    }
}
