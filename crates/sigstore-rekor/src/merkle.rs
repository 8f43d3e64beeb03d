//! RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs (SHA-256).
//!
//! The algorithms follow RFC 9162 §2.1.3 and §2.1.4 in the decomposed form used by
//! transparency-dev/merkle: a proof for leaf `index` in a tree of `size` leaves has
//! `inner = bit_length(index XOR (size - 1))` hashes on the path below the right border and
//! `border = popcount(index >> inner)` hashes along it, and must have exactly that many.

use sha2::{Digest as _, Sha256};

use crate::Error;

/// The hash of a node or leaf: SHA-256 output.
pub type Hash = [u8; 32];

/// Largest number of hashes any proof in a tree of at most 2^64 - 1 leaves can need: one per
/// tree level (64) for an inclusion proof, plus the seed hash of a consistency proof. Longer
/// proofs are rejected before any hashing so a hostile proof cannot make us hash much.
pub const MAX_PROOF_HASHES: usize = 65;

/// The root of the empty tree, SHA-256 of the empty string (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The leaf hash `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The interior node hash `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Compares two hashes without stopping at the first differing byte.
pub fn hashes_equal(a: &Hash, b: &Hash) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    diff == 0
}

fn check_root(calculated: Hash, expected: &Hash) -> Result<(), Error> {
    if hashes_equal(&calculated, expected) {
        Ok(())
    } else {
        Err(Error::RootMismatch {
            calculated,
            expected: *expected,
        })
    }
}

/// Splits an inclusion proof for `index` in a tree of `size` (> index) leaves into its inner
/// and border lengths.
fn decompose(index: u64, size: u64) -> (usize, usize) {
    // size >= 1 is guaranteed by callers (index < size).
    let last = size.saturating_sub(1);
    let inner = (u64::BITS - (index ^ last).leading_zeros()) as usize;
    let border = index.checked_shr(inner as u32).unwrap_or(0).count_ones() as usize;
    (inner, border)
}

fn check_len(expected: usize, actual: usize) -> Result<(), Error> {
    if expected == actual && actual <= MAX_PROOF_HASHES {
        Ok(())
    } else {
        Err(Error::ProofLength { expected, actual })
    }
}

/// Hashes `seed` up through `proof`, bit `i` of `index` telling whether the seed is a right
/// child (1) or a left child (0) at level `i`.
fn chain_inner(seed: Hash, proof: &[Hash], index: u64) -> Hash {
    proof.iter().enumerate().fold(seed, |acc, (i, h)| {
        if index.checked_shr(i as u32).unwrap_or(0) & 1 == 0 {
            node_hash(&acc, h)
        } else {
            node_hash(h, &acc)
        }
    })
}

/// Like [`chain_inner`] but only takes left siblings into account: the result is the hash of
/// the older version of the subtree that ends at the seed.
fn chain_inner_right(seed: Hash, proof: &[Hash], index: u64) -> Hash {
    proof.iter().enumerate().fold(seed, |acc, (i, h)| {
        if index.checked_shr(i as u32).unwrap_or(0) & 1 == 1 {
            node_hash(h, &acc)
        } else {
            acc
        }
    })
}

/// Hashes the border hashes, all of which are left siblings.
fn chain_border_right(seed: Hash, proof: &[Hash]) -> Hash {
    proof.iter().fold(seed, |acc, h| node_hash(h, &acc))
}

/// Computes the root that an inclusion proof for `leaf_hash` at `index` in a tree of `size`
/// leaves leads to. The caller must compare it with a trusted root (or use
/// [`verify_inclusion`]).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
) -> Result<Hash, Error> {
    if index >= size {
        return Err(Error::IndexOutOfRange { index, size });
    }
    let (inner, border) = decompose(index, size);
    check_len(inner + border, proof.len())?;
    let (inner_path, border_path) = proof.split_at(inner);
    let r = chain_inner(*leaf_hash, inner_path, index);
    Ok(chain_border_right(r, border_path))
}

/// Checks that `leaf_hash` is the leaf at `index` of the tree of `size` leaves whose root is
/// `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), Error> {
    let calculated = root_from_inclusion_proof(index, size, leaf_hash, proof)?;
    check_root(calculated, root)
}

/// Checks that the tree of `size1` leaves with root `root1` is a prefix of the tree of
/// `size2` leaves with root `root2` (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots. Size 0 is a prefix of every tree; it
/// needs an empty proof and `root1` equal to [`EMPTY_ROOT`].
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), Error> {
    if size2 < size1 {
        return Err(Error::ConsistencySizes { size1, size2 });
    }
    if size1 == size2 {
        check_len(0, proof.len())?;
        return check_root(*root1, root2);
    }
    if size1 == 0 {
        check_len(0, proof.len())?;
        return check_root(*root1, &EMPTY_ROOT);
    }
    // 0 < size1 < size2 from here on.
    let (inner, border) = decompose(size1 - 1, size2);
    let shift = size1.trailing_zeros() as usize;
    // shift < inner because size1 < size2.
    let inner = inner.saturating_sub(shift);
    // The proof starts with the hash of the subtree of size 2^shift containing leaf size1 - 1,
    // unless size1 is exactly that power of two, whose root is root1 itself.
    let seeded_by_root1 = size1.is_power_of_two();
    let start = usize::from(!seeded_by_root1);
    check_len(start + inner + border, proof.len())?;
    let (seed, rest) = if seeded_by_root1 {
        (*root1, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (*first, rest),
            None => {
                return Err(Error::ProofLength {
                    expected: 1,
                    actual: 0,
                })
            }
        }
    };
    let (inner_path, border_path) = rest.split_at(inner.min(rest.len()));
    let mask = (size1 - 1) >> shift;

    let hash1 = chain_border_right(chain_inner_right(seed, inner_path, mask), border_path);
    check_root(hash1, root1)?;
    let hash2 = chain_border_right(chain_inner(seed, inner_path, mask), border_path);
    check_root(hash2, root2)
}

/// Checks that `[start, end)` is a valid subtree: non-empty, and `start` a multiple of the
/// smallest power of two not below `end - start`.
pub fn check_subtree(start: u64, end: u64) -> Result<(), Error> {
    let invalid = Error::InvalidSubtree { start, end };
    if start >= end {
        return Err(invalid);
    }
    let width = end - start;
    // The smallest power of two >= width; when that is 2^64 only start 0 is a multiple.
    let aligned = match width.checked_next_power_of_two() {
        Some(p) => start % p == 0,
        None => start == 0,
    };
    if aligned {
        Ok(())
    } else {
        Err(invalid)
    }
}

/// Checks that `leaf_hash` is leaf `index` of the subtree `[start, end)` whose hash is
/// `subtree_root`. The subtree must be valid ([`check_subtree`]); the proof is an ordinary
/// inclusion proof within the subtree.
pub fn verify_subtree_inclusion(
    index: u64,
    start: u64,
    end: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    subtree_root: &Hash,
) -> Result<(), Error> {
    check_subtree(start, end)?;
    if index < start || index >= end {
        return Err(Error::IndexOutOfRange { index, size: end });
    }
    verify_inclusion(index - start, end - start, leaf_hash, proof, subtree_root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// Reference Merkle Tree Hash (RFC 9162 §2.1.1), recursive.
    fn mth(l: &[Hash]) -> Hash {
        match l.len() {
            0 => EMPTY_ROOT,
            1 => l[0],
            n => {
                let k = largest_pow2_below(n);
                node_hash(&mth(&l[..k]), &mth(&l[k..]))
            }
        }
    }

    fn largest_pow2_below(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    /// Reference inclusion path (RFC 9162 §2.1.3.1).
    fn path(m: usize, l: &[Hash]) -> Vec<Hash> {
        if l.len() <= 1 {
            return vec![];
        }
        let k = largest_pow2_below(l.len());
        if m < k {
            let mut p = path(m, &l[..k]);
            p.push(mth(&l[k..]));
            p
        } else {
            let mut p = path(m - k, &l[k..]);
            p.push(mth(&l[..k]));
            p
        }
    }

    /// Reference consistency proof (RFC 9162 §2.1.4.1).
    fn subproof(m: usize, l: &[Hash], b: bool) -> Vec<Hash> {
        let n = l.len();
        if m == n {
            return if b { vec![] } else { vec![mth(l)] };
        }
        let k = largest_pow2_below(n);
        if m <= k {
            let mut p = subproof(m, &l[..k], b);
            p.push(mth(&l[k..]));
            p
        } else {
            let mut p = subproof(m - k, &l[k..], false);
            p.push(mth(&l[..k]));
            p
        }
    }

    #[test]
    fn empty_root_constant() {
        assert_eq!(EMPTY_ROOT, <[u8; 32]>::from(Sha256::digest(b"")));
    }

    #[test]
    fn all_inclusion_proofs_small_trees() {
        for n in 1..=33u64 {
            let l = leaves(n);
            let root = mth(&l);
            for i in 0..n {
                let p = path(i as usize, &l);
                verify_inclusion(i, n, &l[i as usize], &p, &root).unwrap();
                // A wrong leaf, wrong index and truncated or modified proof fail. (A wrong
                // size can legitimately give the same root: proof hashes are opaque.)
                assert!(verify_inclusion(i, n, &leaf_hash(b"x"), &p, &root).is_err());
                assert!(verify_inclusion(i, i, &l[i as usize], &p, &root).is_err());
                if i + 1 < n {
                    assert!(verify_inclusion(i + 1, n, &l[i as usize], &p, &root).is_err());
                }
                if !p.is_empty() {
                    assert!(verify_inclusion(i, n, &l[i as usize], &p[1..], &root).is_err());
                    let mut bad = p.clone();
                    bad[0][0] ^= 1;
                    assert!(matches!(
                        verify_inclusion(i, n, &l[i as usize], &bad, &root),
                        Err(Error::RootMismatch { .. })
                    ));
                }
            }
        }
    }

    #[test]
    fn all_consistency_proofs_small_trees() {
        for n in 1..=33u64 {
            let l = leaves(n);
            let root2 = mth(&l);
            for m in 1..=n {
                let root1 = mth(&l[..m as usize]);
                let p = subproof(m as usize, &l, true);
                verify_consistency(m, n, &p, &root1, &root2).unwrap();
                if m < n {
                    assert!(verify_consistency(m, n, &p, &root2, &root2).is_err());
                    assert!(verify_consistency(m + 1, n, &p, &root1, &root2).is_err());
                    let mut bad = p.clone();
                    bad[0][5] ^= 0x80;
                    assert!(verify_consistency(m, n, &bad, &root1, &root2).is_err());
                    assert!(verify_consistency(m, n, &p[..p.len() - 1], &root1, &root2).is_err());
                }
            }
            verify_consistency(0, n, &[], &EMPTY_ROOT, &root2).unwrap();
            assert!(verify_consistency(0, n, &[], &root2, &root2).is_err());
            assert!(verify_consistency(n + 1, n, &[], &root2, &root2).is_err());
        }
    }

    #[test]
    fn huge_numbers_do_not_panic() {
        let h = [7u8; 32];
        assert!(verify_inclusion(u64::MAX, u64::MAX, &h, &[], &h).is_err());
        assert!(verify_inclusion(u64::MAX - 1, u64::MAX, &h, &[h; 64], &h).is_err());
        assert!(verify_inclusion(0, u64::MAX, &h, &[h; 1000], &h).is_err());
        assert!(verify_consistency(u64::MAX - 1, u64::MAX, &[h; 3], &h, &h).is_err());
        assert!(verify_consistency(1, u64::MAX, &[h; 200], &h, &h).is_err());
        assert!(verify_subtree_inclusion(1, 1, u64::MAX, &h, &[], &h).is_err());
        assert!(check_subtree(0, u64::MAX).is_ok());
        assert!(check_subtree(1, u64::MAX).is_err());
    }

    #[test]
    fn hashes_equal_works() {
        let a = [1u8; 32];
        let mut b = a;
        assert!(hashes_equal(&a, &b));
        b[31] = 0;
        assert!(!hashes_equal(&a, &b));
    }
}
