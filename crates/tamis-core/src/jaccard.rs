//! Jaccard similarity: estimated from two signatures, or exact from two shingle sets.

use crate::minhash::{SignatureValue, is_empty_signature};
use crate::shingle::ShingleSet;

/// The fraction of equal slots, the unbiased estimate for both native methods and datasketch.
/// An empty-document signature matches nothing: the estimate is 0 whenever either side is empty.
/// Signatures of different lengths are compared over the shorter one.
pub fn estimated_jaccard<T: SignatureValue>(a: &[T], b: &[T]) -> f64 {
    let len = a.len().min(b.len());
    if len == 0 || is_empty_signature(a) || is_empty_signature(b) {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / len as f64
}

/// |A ∩ B| / |A ∪ B| by merging the two sorted sets. Two empty sets have similarity 0 (an empty
/// document is a duplicate of nothing), consistent with [`estimated_jaccard`].
pub fn exact_jaccard(a: &ShingleSet, b: &ShingleSet) -> f64 {
    let (a, b) = (a.as_slice(), b.as_slice());
    let (mut i, mut j, mut common) = (0, 0, 0_usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::minhash::splitmix64;

    #[test]
    fn exact_jaccard_equals_hash_set_computation() {
        for trial in 0..50_u64 {
            let draw = |i: u64| splitmix64(trial * 1000 + i) % 60;
            let a: Vec<u64> = (0..(trial % 40)).map(draw).collect();
            let b: Vec<u64> = (100..100 + (trial * 7 % 45)).map(draw).collect();
            let set_a: HashSet<u64> = a.iter().copied().collect();
            let set_b: HashSet<u64> = b.iter().copied().collect();
            let union = set_a.union(&set_b).count();
            let want = if union == 0 {
                0.0
            } else {
                set_a.intersection(&set_b).count() as f64 / union as f64
            };
            let got = exact_jaccard(&ShingleSet::from_hashes(a), &ShingleSet::from_hashes(b));
            assert!((got - want).abs() < 1e-12, "trial {trial}: {got} vs {want}");
        }
    }

    #[test]
    fn estimate_counts_equal_slots_and_empty_matches_nothing() {
        assert!((estimated_jaccard(&[1_u32, 2, 3, 4], &[1, 2, 0, 0]) - 0.5).abs() < 1e-12);
        let empty = [u32::MAX; 4];
        assert!(estimated_jaccard(&empty, &empty) == 0.0);
        assert!(estimated_jaccard(&empty, &[1, 2, 3, 4]) == 0.0);
        let none = ShingleSet::default();
        assert!(exact_jaccard(&none, &none) == 0.0);
    }
}
