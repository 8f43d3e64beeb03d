use crate::backend;

/// A hash function Sigstore uses for artifact digests, Merkle trees and signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
}

impl HashAlgorithm {
    /// The digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The lowercase name used in Rekor v1 bodies and in-toto digest sets (`sha256`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// The algorithm named `sha256`, `sha384` or `sha512` (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|alg| alg.name().eq_ignore_ascii_case(name))
    }

    /// Hashes `data` in one call.
    pub fn digest(self, data: &[u8]) -> Digest {
        let mut hasher = self.hasher();
        hasher.update(data);
        hasher.finalize()
    }

    /// Hashes everything `reader` yields, streamed with [`read_chunks`].
    pub fn digest_reader(self, reader: &mut impl std::io::Read) -> std::io::Result<Digest> {
        let mut hasher = self.hasher();
        read_chunks(reader, |chunk| hasher.update(chunk))?;
        Ok(hasher.finalize())
    }

    /// Starts a streaming hash.
    pub fn hasher(self) -> Hasher {
        Hasher {
            inner: backend::HasherInner::new(self),
        }
    }
}

/// Passes everything `reader` yields to `each`, chunk by chunk, until end of input
/// (interrupted reads are retried).
///
/// Reads go into a buffer kept per thread and reused: 4 KiB, doubled each time a read fills
/// it, up to 256 KiB (a large input). Hashing many small artifacts so costs no allocation and
/// no zeroing per call, no deep stack frame, and on a cold start one fresh page, not four.
pub fn read_chunks(
    reader: &mut (impl std::io::Read + ?Sized),
    each: impl FnMut(&[u8]),
) -> std::io::Result<()> {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => read_chunks_into(&mut buffer, reader, each),
        // Called again from inside `each`: that call gets a buffer of its own.
        Err(_) => read_chunks_into(&mut Vec::new(), reader, each),
    })
}

fn read_chunks_into(
    buffer: &mut Vec<u8>,
    reader: &mut (impl std::io::Read + ?Sized),
    mut each: impl FnMut(&[u8]),
) -> std::io::Result<()> {
    const SMALL: usize = 4 * 1024;
    const LARGE: usize = 256 * 1024;
    if buffer.len() < SMALL {
        buffer.resize(SMALL, 0);
    }
    loop {
        let n = match reader.read(buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let full = n == buffer.len();
        each(buffer.get(..n).unwrap_or_default());
        if full && buffer.len() < LARGE {
            buffer.resize((buffer.len() * 2).min(LARGE), 0);
        }
    }
}

/// A digest value together with the algorithm that produced it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: HashAlgorithm,
    len: u8,
    bytes: [u8; 64],
}

impl Digest {
    /// Wraps digest bytes computed elsewhere (for example a `sha256:HEX` input); `None` when
    /// the length does not match the algorithm.
    pub fn new(algorithm: HashAlgorithm, value: &[u8]) -> Option<Self> {
        if value.len() != algorithm.output_len() {
            return None;
        }
        let mut bytes = [0u8; 64];
        bytes[..value.len()].copy_from_slice(value);
        Some(Self {
            algorithm,
            len: algorithm.output_len() as u8,
            bytes,
        })
    }

    /// Parses `sha256:HEX`, `sha384:HEX` or `sha512:HEX` (lowercase algorithm name, hex
    /// digits of either case). `None` when `text` does not start with one of these prefixes;
    /// [`crate::Error::DigestNotHex`] or [`crate::Error::DigestLength`] when what follows is
    /// not a digest of that algorithm.
    pub fn parse_prefixed(text: &str) -> Option<Result<Self, crate::Error>> {
        [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .find_map(|algorithm| {
            let hex = text.strip_prefix(algorithm.name())?.strip_prefix(':')?;
            Some(Self::from_hex(algorithm, hex))
        })
    }

    fn from_hex(algorithm: HashAlgorithm, hex: &str) -> Result<Self, crate::Error> {
        let digit = |c: u8| {
            char::from(c)
                .to_digit(16)
                .and_then(|d| u8::try_from(d).ok())
        };
        if hex.len() % 2 != 0 {
            return Err(crate::Error::DigestNotHex);
        }
        let bytes = hex
            .as_bytes()
            .chunks(2)
            .map(|pair| match pair {
                [high, low] => Some(digit(*high)? << 4 | digit(*low)?),
                _ => None,
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or(crate::Error::DigestNotHex)?;
        Self::new(algorithm, &bytes).ok_or(crate::Error::DigestLength { algorithm })
    }

    /// The algorithm that produced this digest.
    pub const fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The digest as lowercase hexadecimal.
    pub fn to_hex(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(usize::from(self.len) * 2);
        for byte in self.as_bytes() {
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        out
    }
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.to_hex())
    }
}

/// A streaming hash: feed bytes with [`Hasher::update`], then [`Hasher::finalize`].
#[derive(Clone)]
pub struct Hasher {
    inner: backend::HasherInner,
}

impl Hasher {
    /// Adds bytes to the hash.
    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// Finishes the hash.
    pub fn finalize(self) -> Digest {
        let (algorithm, out) = self.inner.finalize();
        // The backend produces exactly `algorithm.output_len()` bytes.
        let mut bytes = [0u8; 64];
        bytes[..out.len()].copy_from_slice(out.as_ref());
        Digest {
            algorithm,
            len: algorithm.output_len() as u8,
            bytes,
        }
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl core::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hasher").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields `data` in reads of at most `step` bytes, failing once with `Interrupted` first.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        interrupted: bool,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.step).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn streamed_digest_equals_one_shot_across_buffer_sizes() {
        let data: Vec<u8> = (0..1_000_003u32).map(|i| (i % 251) as u8).collect();
        let mut checked = 0;
        for len in [0, 1, 16_383, 16_384, 16_385, 262_144, 300_000, 1_000_003] {
            for step in [1_000, 16_384, usize::MAX] {
                let data = &data[..len];
                let mut reader = Trickle {
                    data,
                    step,
                    interrupted: false,
                };
                let mut seen = 0usize;
                read_chunks(&mut reader, |chunk| seen += chunk.len()).expect("read");
                assert_eq!(seen, len, "len {len}, step {step}");
                let mut reader = Trickle {
                    data,
                    step,
                    interrupted: false,
                };
                let streamed = HashAlgorithm::Sha256
                    .digest_reader(&mut reader)
                    .expect("read");
                assert_eq!(
                    streamed,
                    HashAlgorithm::Sha256.digest(data),
                    "len {len}, step {step}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 24);
    }

    #[test]
    fn read_chunks_grows_its_buffer_up_to_256_kib() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        std::thread::spawn(move || {
            read_chunks(&mut data.as_slice(), |chunk| {
                sizes.push(chunk.len());
                seen.extend_from_slice(chunk);
            })
            .expect("read");
            assert_eq!(seen, data);
            sizes
        })
        .join()
        .map(|sizes| {
            assert_eq!(
                sizes[..8],
                [4096, 8192, 16384, 32768, 65536, 131072, 262144, 262144]
            );
            assert!(sizes.iter().all(|&n| n <= 256 * 1024));
        })
        .expect("thread");
    }

    #[test]
    fn read_chunks_reentered_from_its_callback() {
        let outer: Vec<u8> = (0..40_000u32).map(|i| (i % 7) as u8).collect();
        let inner: Vec<u8> = (0..20_000u32).map(|i| (i % 13) as u8).collect();
        let mut outer_seen = Vec::new();
        let mut inner_digests = Vec::new();
        read_chunks(&mut outer.as_slice(), |chunk| {
            outer_seen.extend_from_slice(chunk);
            let mut inner_seen = Vec::new();
            read_chunks(&mut inner.as_slice(), |c| inner_seen.extend_from_slice(c)).expect("inner");
            inner_digests.push(HashAlgorithm::Sha256.digest(&inner_seen));
        })
        .expect("outer");
        assert_eq!(outer_seen, outer);
        assert!(!inner_digests.is_empty());
        assert!(inner_digests
            .iter()
            .all(|d| *d == HashAlgorithm::Sha256.digest(&inner)));
    }

    #[test]
    fn known_answers() {
        assert_eq!(
            HashAlgorithm::Sha256.digest(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            HashAlgorithm::Sha384.digest(b"abc").to_hex(),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            HashAlgorithm::Sha512.digest(b"abc").to_hex(),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        for alg in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let mut hasher = alg.hasher();
            for chunk in data.chunks(777) {
                hasher.update(chunk);
            }
            assert_eq!(hasher.finalize(), alg.digest(&data));
        }
    }

    #[test]
    fn digest_new_checks_length() {
        assert!(Digest::new(HashAlgorithm::Sha256, &[0; 31]).is_none());
        assert!(Digest::new(HashAlgorithm::Sha384, &[0; 32]).is_none());
        assert!(Digest::new(HashAlgorithm::Sha512, &[0; 64]).is_some());
        assert_eq!(
            HashAlgorithm::from_name("SHA256"),
            Some(HashAlgorithm::Sha256)
        );
        assert_eq!(HashAlgorithm::from_name("md5"), None);
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn prefixed_digests() {
        let hex = "ab".repeat(32);
        let digest = Digest::parse_prefixed(&format!("sha256:{hex}"))
            .unwrap()
            .unwrap();
        assert_eq!(digest.algorithm(), HashAlgorithm::Sha256);
        assert_eq!(digest.to_hex(), hex);
        let upper = Digest::parse_prefixed(&format!("sha256:{}", hex.to_uppercase()));
        assert_eq!(upper.unwrap().unwrap(), digest);
        let sha512 = Digest::parse_prefixed(&format!("sha512:{}", "0".repeat(128)));
        assert_eq!(sha512.unwrap().unwrap().algorithm(), HashAlgorithm::Sha512);
        // Not a digest at all: a path.
        assert!(Digest::parse_prefixed("a.txt").is_none());
        assert!(Digest::parse_prefixed("SHA256:00").is_none());
        assert!(Digest::parse_prefixed("md5:00").is_none());
        // Digests that are wrong.
        let error = |text: &str| Digest::parse_prefixed(text).unwrap().unwrap_err();
        assert_eq!(error("sha256:zz"), crate::Error::DigestNotHex);
        assert_eq!(error("sha256:abc"), crate::Error::DigestNotHex);
        assert_eq!(error("sha256:+1"), crate::Error::DigestNotHex);
        assert_eq!(
            error("sha384:00").to_string(),
            "a sha384 digest has 96 hex digits"
        );
        assert_eq!(
            error("sha256:"),
            crate::Error::DigestLength {
                algorithm: HashAlgorithm::Sha256
            }
        );
    }

    #[test]
    fn reader_digest_matches_one_shot() {
        let data = vec![7u8; 300 * 1024];
        let streamed = HashAlgorithm::Sha384
            .digest_reader(&mut std::io::Cursor::new(&data))
            .unwrap();
        assert_eq!(streamed, HashAlgorithm::Sha384.digest(&data));
    }
}
