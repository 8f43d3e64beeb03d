//! Reading files whole, within a size limit.

use std::fs::File;
use std::io::Read as _;

/// Reads all of `file`, or `None` when it holds more than `limit` bytes.
///
/// The buffer is sized from the file's metadata up front (at most `limit + 1` bytes), so a
/// regular file is read in one or two system calls rather than in a doubling series of
/// small reads; the limit still holds for files that grow while being read and for pipes,
/// whose metadata length is 0.
pub fn read_limited(file: File, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let hint = file.metadata().map(|m| m.len()).unwrap_or(0);
    let capacity = hint.min(limit).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn file_with(dir: &sigstore_test_support::TempDir, len: usize) -> File {
        let path = dir.join(format!("f{len}"));
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(&vec![b'x'; len]))
            .expect("write");
        File::open(&path).expect("open")
    }

    #[test]
    fn at_the_limit_is_read_one_more_is_refused() {
        let dir = sigstore_test_support::TempDir::new("sigstore-types-io");
        for (len, limit, accepted) in [
            (0, 0, true),
            (1, 0, false),
            (10, 10, true),
            (11, 10, false),
            (10_000, 10_000, true),
            (10_001, 10_000, false),
            (5, u64::MAX, true),
        ] {
            let file = file_with(&dir, len);
            let read = read_limited(file, limit).expect("read");
            assert_eq!(read.is_some(), accepted, "len {len}, limit {limit}");
            if let Some(bytes) = read {
                assert_eq!(bytes.len(), len);
            }
        }
    }
}
