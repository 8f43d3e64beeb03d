//! TUF metadata of every role. The first input byte picks the role, the rest is the file:
//! `root` starts a trust set from it ([`TrustedMetadata::new`]) and is offered as the next
//! root of production roots 14 and 15; `timestamp`, `snapshot` and `targets` update a trust set made
//! from the pinned production repository (`testdata/tuf/production-repo`, root 15), loaded up to the
//! role before, at a time when that repository is current.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_fuzz::{at, TUF_TIME};
use sigstore_tuf::TrustedMetadata;

const PREVIOUS_ROOT: &[u8] =
    include_bytes!("../../testdata/tuf/production-repo/metadata/14.root.json");
const ROOT: &[u8] = include_bytes!("../../testdata/tuf/production-repo/metadata/15.root.json");
const TIMESTAMP: &[u8] =
    include_bytes!("../../testdata/tuf/production-repo/metadata/timestamp.json");
const SNAPSHOT: &[u8] =
    include_bytes!("../../testdata/tuf/production-repo/metadata/165.snapshot.json");

/// The production trust set from the root before the current one.
fn previous() -> &'static TrustedMetadata {
    static PREVIOUS: OnceLock<TrustedMetadata> = OnceLock::new();
    PREVIOUS.get_or_init(|| TrustedMetadata::new(PREVIOUS_ROOT).expect("root 14 verifies"))
}

/// The production trust set after the root, after the timestamp, after the snapshot.
fn stages() -> &'static [TrustedMetadata; 3] {
    static STAGES: OnceLock<[TrustedMetadata; 3]> = OnceLock::new();
    STAGES.get_or_init(|| {
        let now = at(TUF_TIME);
        let root = TrustedMetadata::new(ROOT).expect("the production root verifies");
        let mut timestamp = root.clone();
        timestamp
            .update_timestamp(TIMESTAMP, now)
            .expect("the production timestamp verifies");
        let mut snapshot = timestamp.clone();
        snapshot
            .update_snapshot(SNAPSHOT, now)
            .expect("the production snapshot verifies");
        [root, timestamp, snapshot]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&role, bytes)) = data.split_first() else {
        return;
    };
    let now = at(TUF_TIME);
    let [root, timestamp, snapshot] = stages();
    match role % 4 {
        0 => {
            if let Ok(trusted) = TrustedMetadata::new(bytes) {
                let _ = trusted.check_root_expiry(now);
                let _ = (trusted.root_version(), trusted.consistent_snapshot());
            }
            for base in [previous(), root] {
                let mut next = base.clone();
                if next.update_root(bytes).is_ok() {
                    assert_eq!(next.root_version(), base.root_version() + 1);
                }
            }
        }
        1 => {
            let mut trusted = root.clone();
            if trusted.update_timestamp(bytes, now).is_ok() {
                let _ = (trusted.snapshot_version(), trusted.snapshot_length());
            }
        }
        2 => {
            let mut trusted = timestamp.clone();
            if trusted.update_snapshot(bytes, now).is_ok() {
                let _ = (trusted.targets_version(), trusted.targets_length());
            }
        }
        _ => {
            let mut trusted = snapshot.clone();
            if trusted.update_targets(bytes, now).is_ok() {
                for name in trusted.target_names() {
                    let _ = trusted.verify_target(&name, bytes);
                }
            }
        }
    }
});
