//! Rekor transparency log checks: Merkle proofs, signed checkpoints, SETs and entry bodies.
//!
//! Everything here is pure: no I/O, no clock, inputs are bytes, integers, strings and
//! [`sigstore_crypto::PublicKey`]s. A log monitor can use it on its own; a bundle verifier
//! combines the pieces:
//!
//! | module | what it checks | spec |
//! |---|---|---|
//! | [`merkle`] | leaf/node hashes, inclusion and consistency proofs | RFC 6962 / RFC 9162 §2.1 |
//! | [`checkpoint`] | C2SP signed notes and tlog checkpoints, Rekor v1 and v2 key IDs | c2sp.org/signed-note, tlog-checkpoint |
//! | [`set`] | Rekor v1 signed entry timestamps (inclusion promises) | Rekor `SignedEntryTimestamp` |
//! | [`body`] | `canonicalizedBody` parsing and binding to the bundle; Rekor v2 body rebuild | Rekor types hashedrekord, dsse, intoto |
//!
//! Every failure is an [`Error`]; nothing unknown passes.
//!
//! # Example: check an inclusion proof
//!
//! ```
//! use sigstore_rekor::merkle::{leaf_hash, node_hash, verify_inclusion};
//! use sigstore_rekor::Error;
//!
//! // A log with three entries. Its root is H(H(l0, l1), l2).
//! let l0 = leaf_hash(b"entry 0");
//! let l1 = leaf_hash(b"entry 1");
//! let l2 = leaf_hash(b"entry 2");
//! let root = node_hash(&node_hash(&l0, &l1), &l2);
//!
//! // The inclusion proof for entry 1 is its sibling l0, then the right subtree l2.
//! verify_inclusion(1, 3, &l1, &[l0, l2], &root)?;
//!
//! // The same proof does not show entry 1 at another index or a different entry.
//! assert!(verify_inclusion(0, 3, &l1, &[l0, l2], &root).is_err());
//! assert!(matches!(
//!     verify_inclusion(1, 3, &leaf_hash(b"forged"), &[l0, l2], &root),
//!     Err(Error::RootMismatch { .. })
//! ));
//! # Ok::<(), Error>(())
//! ```
//!
//! # Verifying a bundle's log entry (outline)
//!
//! 1. [`body::EntryBody::parse`] the entry's `canonicalizedBody` with its `kindVersion`, and
//!    bind it with [`body::EntryBody::check_message_signature`] or
//!    [`body::EntryBody::check_dsse`]. For Rekor v2, hash
//!    [`body::rebuild_hashedrekord_v002`] instead of the stored body.
//! 2. Rekor v1: [`set::verify_set`] the inclusion promise with the top-level `logIndex`.
//! 3. Verify the checkpoint: [`checkpoint::verify_rekor_v1_checkpoint`] or
//!    [`checkpoint::verify_rekor_v2_checkpoint`] with a
//!    [`checkpoint::NoteVerifier::rekor_v2`] named after the log's host.
//! 4. [`merkle::verify_inclusion`] with [`merkle::leaf_hash`] of the body against the
//!    checkpoint's root (Rekor v1: the proof's own index and size, whose root must equal the
//!    checkpoint's; Rekor v2: the top-level index and the checkpoint's size and root).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod body;
pub mod checkpoint;
#[cfg(feature = "client")]
pub mod client;
mod error;
pub mod merkle;
pub mod set;

pub use error::{BodyField, CheckpointFormat, Error, NoteFormat};

/// Runs the README's example as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
