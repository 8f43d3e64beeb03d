//! Rekor transparency log checks: Merkle proofs, signed checkpoints, SETs and entry bodies.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
