//! Reading files whole, within a size limit.

use std::fs::File;
use std::io::Read as _;

/// Reads all of `file`, or `None` when it holds more than `limit` bytes.
///
/// The buffer is sized from the file's metadata up front (at most `limit + 1` bytes), so a
/// regular file of the size its metadata says is read in two system calls: one that fills
/// it and one that finds the end. The limit still holds for files that grow while being
/// read and for pipes, whose metadata length is 0 (the buffer then doubles as it fills).
pub fn read_limited(file: File, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let hint = file.metadata().map(|m| m.len()).unwrap_or(0);
    read_limited_sized(file, limit, hint)
}

/// [`read_limited`] with the file's size already known (`hint`, from metadata read
/// before the file was opened; 0 when unknown), which saves asking the system again. The
/// hint only sizes the first buffer: a file that is longer or shorter than it is still read
/// to its end, within the limit.
pub fn read_limited_sized(
    mut file: File,
    limit: u64,
    hint: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    /// The first buffer when the metadata gives no size.
    const UNSIZED_START: u64 = 8 * 1024;
    // Never more than `limit + 1` bytes: one past the limit is enough to refuse the file.
    let ceiling = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let start = if hint == 0 { UNSIZED_START } else { hint };
    let start = usize::try_from(start.saturating_add(1))
        .unwrap_or(usize::MAX)
        .min(ceiling);
    let mut bytes = vec![0u8; start];
    let mut filled = 0usize;
    loop {
        if filled == bytes.len() {
            if filled >= ceiling {
                break;
            }
            let grown = filled.saturating_mul(2).clamp(1, ceiling);
            bytes.resize(grown, 0);
        }
        let Some(free) = bytes.get_mut(filled..) else {
            break;
        };
        match file.read(free) {
            Ok(0) => break,
            Ok(n) => filled = filled.saturating_add(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(filled);
    Ok((filled as u64 <= limit).then_some(bytes))
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

    #[test]
    fn files_without_a_size_are_read_whole_and_limited() {
        // procfs files report length 0 but hold text; the buffer grows from its first size.
        let path = "/proc/self/maps";
        let Ok(file) = File::open(path) else {
            return; // not Linux
        };
        let bytes = read_limited(file, 1 << 30)
            .expect("read")
            .expect("within the limit");
        assert!(!bytes.is_empty());
        let whole = std::fs::read(path).expect("read");
        // Both reads list this process's mappings; their first line is the same.
        assert_eq!(
            bytes.split(|b| *b == b'\n').next(),
            whole.split(|b| *b == b'\n').next()
        );
        let file = File::open(path).expect("open");
        assert!(read_limited(file, 10).expect("read").is_none());
    }

    #[test]
    fn a_larger_file_is_read_whole_at_its_limit() {
        let dir = sigstore_test_support::TempDir::new("sigstore-types-io-grow");
        let path = dir.join("grow");
        std::fs::write(&path, vec![b'y'; 50_100]).expect("write");
        let bytes = read_limited(File::open(&path).expect("open"), 1_000_000)
            .expect("read")
            .expect("within the limit");
        assert_eq!(bytes.len(), 50_100);
        assert!(read_limited(File::open(&path).expect("open"), 50_099)
            .expect("read")
            .is_none());
        assert!(read_limited(File::open(&path).expect("open"), 50_100)
            .expect("read")
            .is_some());
    }

    #[test]
    fn a_wrong_size_hint_changes_nothing_read() {
        // The hint only sizes the first buffer: a file that grew or shrank since its size
        // was read is still read to its end, and the limit still holds.
        let dir = sigstore_test_support::TempDir::new("sigstore-types-io-hint");
        for (len, hint, limit, accepted) in [
            (10_000, 10_000, 10_000, true),
            (10_000, 10, 1_000_000, true),
            (10_000, 0, 1_000_000, true),
            (10, 10_000, 1_000_000, true),
            (0, 10_000, 1_000_000, true),
            (10_001, 5, 10_000, false),
            (10_001, 10_001, 10_000, false),
            (50_000, u64::MAX, 1_000_000, true),
        ] {
            let file = file_with(&dir, len);
            let read = read_limited_sized(file, limit, hint).expect("read");
            assert_eq!(
                read.is_some(),
                accepted,
                "len {len}, hint {hint}, limit {limit}"
            );
            if let Some(bytes) = read {
                assert_eq!(bytes.len(), len, "len {len}, hint {hint}");
                assert!(bytes.iter().all(|b| *b == b'x'));
            }
        }
    }
}
