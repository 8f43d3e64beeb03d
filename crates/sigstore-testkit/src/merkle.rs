//! An in-memory RFC 6962 Merkle tree (leaf hashes only), with inclusion and consistency proofs.

use sha2::{Digest as _, Sha256};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// RFC 6962 leaf hash: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Largest power of two strictly below `n` (`n >= 2`).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The Merkle tree hash of `leaves` (MTH, RFC 6962 §2.1).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => Sha256::digest([]).into(),
        [only] => *only,
        _ => {
            let (left, right) = leaves.split_at(split(leaves.len()));
            node_hash(&root(left), &root(right))
        }
    }
}

/// The audit path of leaf `index` in `leaves` (PATH, RFC 6962 §2.1.1), leaf to root.
/// Empty when `index` is out of range.
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Vec<Hash> {
    if index >= leaves.len() || leaves.len() < 2 {
        return Vec::new();
    }
    let k = split(leaves.len());
    let (left, right) = leaves.split_at(k);
    if index < k {
        let mut path = inclusion_proof(index, left);
        path.push(root(right));
        path
    } else {
        let mut path = inclusion_proof(index - k, right);
        path.push(root(left));
        path
    }
}

/// The consistency proof from the first `old_size` leaves to all of `leaves` (PROOF, RFC 6962
/// §2.1.2). Empty when `old_size` is 0 or not below the tree size.
pub fn consistency_proof(old_size: usize, leaves: &[Hash]) -> Vec<Hash> {
    if old_size == 0 || old_size >= leaves.len() {
        return Vec::new();
    }
    subproof(old_size, leaves, true)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if complete {
            Vec::new()
        } else {
            vec![root(leaves)]
        };
    }
    if n < 2 {
        return Vec::new();
    }
    let k = split(n);
    let (left, right) = leaves.split_at(k);
    if m <= k {
        let mut proof = subproof(m, left, complete);
        proof.push(root(right));
        proof
    } else {
        let mut proof = subproof(m - k, right, false);
        proof.push(root(left));
        proof
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6962_shapes() {
        let leaves: Vec<Hash> = (0u8..7).map(|i| leaf_hash(&[i])).collect();
        assert_eq!(root(&leaves[..1]), leaves[0]);
        assert_eq!(root(&leaves[..2]), node_hash(&leaves[0], &leaves[1]));
        assert_eq!(inclusion_proof(0, &leaves[..1]), Vec::<Hash>::new());
        // Leaf 6 of 7: siblings are MTH(0..4) and MTH(4..6).
        assert_eq!(
            inclusion_proof(6, &leaves),
            vec![root(&leaves[4..6]), root(&leaves[..4])]
        );
        // RFC 6962 §2.1.3 example: PROOF(3, D[7]) = [c, d, g, l].
        let proof = consistency_proof(3, &leaves);
        assert_eq!(
            proof,
            vec![
                leaves[2],
                leaves[3],
                root(&leaves[..2]),
                root(&leaves[4..7])
            ]
        );
        assert!(consistency_proof(4, &leaves[..4]).is_empty());
        assert_eq!(consistency_proof(4, &leaves), vec![root(&leaves[4..7])]);
    }
}
