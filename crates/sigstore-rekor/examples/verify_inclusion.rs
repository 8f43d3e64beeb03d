//! Verify only the transparency log part of a Sigstore bundle: that its Rekor entry is in the
//! log. For each entry, the checkpoint (signed tree head) is checked with the log's key from a
//! trusted root, then the entry's inclusion proof against the checkpoint's root hash. Nothing
//! else is checked (not the artifact, the signature, the certificate or the identity): for that,
//! use `sigstore-verify`. Nor is the log key's validity period checked against a time: the
//! bundle's only verified times come from checks this example leaves out. This needs only
//! `sigstore-rekor` and the crates it depends on (`sigstore-types` to read the JSON,
//! `sigstore-crypto` for the key).
//!
//! ```text
//! cargo run -p sigstore-rekor --example verify_inclusion -- BUNDLE TRUSTED_ROOT
//!
//! # Rekor v1 (production):
//! cargo run -p sigstore-rekor --example verify_inclusion -- \
//!     testdata/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json \
//!     crates/sigstore-trust/data/production/trusted_root.json
//! # Rekor v2 (the case's own trusted root):
//! cargo run -p sigstore-rekor --example verify_inclusion -- \
//!     testdata/conformance/bundle-verify/rekor2-happy-path/bundle.sigstore.json \
//!     testdata/conformance/bundle-verify/rekor2-happy-path/trusted_root.json
//! ```
//!
//! Prints `OK: ...` per entry and exits 0, or prints the reason and exits 1.

use std::process::ExitCode;

use sigstore_crypto::PublicKey;
use sigstore_rekor::checkpoint::{verify_rekor_v1_checkpoint, verify_rekor_v2_checkpoint};
use sigstore_rekor::checkpoint::{Checkpoint, NoteVerifier};
use sigstore_rekor::merkle::{leaf_hash, verify_inclusion, Hash};
use sigstore_types::bundle::TransparencyLogEntry;
use sigstore_types::{Bundle, TransparencyLogInstance, TrustedRoot};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bundle, trusted_root] = args.as_slice() else {
        eprintln!("usage: verify_inclusion BUNDLE TRUSTED_ROOT");
        return ExitCode::from(2);
    };
    match run(bundle, trusted_root) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {bundle}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(bundle: &str, trusted_root: &str) -> Result<()> {
    let bundle = Bundle::from_json(&std::fs::read(bundle)?)?;
    let root = TrustedRoot::from_json(&std::fs::read(trusted_root)?)?;
    let entries = &bundle.verification_material.tlog_entries;
    if entries.is_empty() {
        return Err("the bundle has no transparency log entry".into());
    }
    for entry in entries {
        let log = root
            .tlogs
            .iter()
            .find(|log| log.log_id == entry.log_id)
            .ok_or_else(|| format!("no log with ID {} in the trusted root", hex(&entry.log_id)))?;
        let (leaf_index, checkpoint) = verify_entry(entry, log)?;
        println!(
            "OK: entry {} of {} is leaf {} of the tree of size {} with root {} (checkpoint {:?})",
            entry.log_index,
            log.base_url,
            leaf_index,
            checkpoint.tree_size,
            hex(&checkpoint.root_hash),
            checkpoint.origin,
        );
    }
    Ok(())
}

/// Checks one entry's checkpoint with the log's key, then its inclusion proof against the
/// checkpoint; returns the entry's leaf index in the tree and the verified checkpoint.
fn verify_entry(
    entry: &TransparencyLogEntry,
    log: &TransparencyLogInstance,
) -> Result<(u64, Checkpoint)> {
    let spki = log
        .public_key
        .raw_bytes
        .as_deref()
        .ok_or("the trusted root has no key for this log")?;
    let key = PublicKey::from_spki_der(spki)?;
    let proof = entry
        .inclusion_proof
        .as_ref()
        .ok_or("the entry has no inclusion proof")?;
    let note = proof
        .checkpoint
        .as_deref()
        .ok_or("the inclusion proof has no checkpoint")?;
    let hashes = proof
        .hashes
        .iter()
        .map(|h| Hash::try_from(h.as_slice()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| "an inclusion proof hash is not 32 bytes")?;
    let leaf = leaf_hash(&entry.canonicalized_body);

    // Rekor v2 entries (hashedrekord/dsse 0.0.2) are proven against the log-wide index; their
    // checkpoint's origin and key name are the host of the log's URL.
    let rekor_v2 =
        entry.kind_version == "0.0.2" && matches!(entry.kind.as_str(), "hashedrekord" | "dsse");
    let checkpoint = if rekor_v2 {
        let verifier = NoteVerifier::rekor_v2(host_of(&log.base_url), key)?;
        verify_rekor_v2_checkpoint(note, &verifier)?
    } else {
        verify_rekor_v1_checkpoint(note, &key)?
    };
    // The proof must be about the tree the log signed.
    if proof.root_hash.as_slice() != checkpoint.root_hash.as_slice()
        || u64::try_from(proof.tree_size).ok() != Some(checkpoint.tree_size)
    {
        return Err("the inclusion proof is not for the tree of the signed checkpoint".into());
    }
    // Rekor v1 proofs use the index within the log shard, Rekor v2 the entry's index.
    if rekor_v2 && proof.log_index != entry.log_index {
        return Err("the inclusion proof's index differs from the entry's".into());
    }
    let index = u64::try_from(proof.log_index).map_err(|_| "negative log index")?;
    verify_inclusion(
        index,
        checkpoint.tree_size,
        &leaf,
        &hashes,
        &checkpoint.root_hash,
    )?;
    Ok((index, checkpoint))
}

/// The host of a URL such as `https://log2025-1.rekor.sigstore.dev/` (no port, path or user).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host_port.split(':').next().unwrap_or(host_port)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
