//! Fast Similarity Sketching (Dahlgaard, Knudsen, Thorup, FOCS 2017), our O(n + k log k) sketch.
//!
//! Why this and not one-permutation hashing with optimal densification (Shrivastava 2017): both
//! fill k bins from one pass, but densification fills an empty bin with a copy of another bin's
//! value, so on sets not much larger than k (a paragraph: tens to hundreds of word 5-grams against
//! k = 128) many slots are copies and carry no new sample. FSS instead keeps throwing every element
//! into bins, round after round, until all k bins hold a value; a bin keeps the smallest value of the
//! first round that reached it. Each slot then holds an element of the union chosen uniformly, so
//! the fraction of equal slots is an unbiased Jaccard estimate, at one hash per element and round:
//! one round when n >> k, about (k ln k) / n rounds otherwise. On small sets the first rounds spread
//! the elements over distinct bins, sampling nearly without replacement, so the error is lower than
//! with k independent permutations. Measured on 2,724 real near-duplicate pairs at k = 128 (example
//! `minhash_accuracy`), the mean absolute error is 0.025 for FSS, 0.030 for densified one-permutation
//! hashing and 0.031 for classic `MinHash`.
//!
//! Rounds `0..k` throw each element into a uniformly random bin; rounds `k..2k` walk each element
//! through all bins from a random start, so every bin is filled after at most 2k rounds.

use super::{SignatureValue, check_num_perm, splitmix64};
use crate::error::Result;

const UNFILLED: usize = usize::MAX;

#[derive(Debug, Clone)]
pub(crate) struct FastSimilaritySketch {
    num_perm: usize,
    seed: u64,
}

impl FastSimilaritySketch {
    pub(crate) fn new(num_perm: usize, seed: u64) -> Result<Self> {
        check_num_perm(num_perm)?;
        Ok(FastSimilaritySketch { num_perm, seed })
    }

    pub(crate) fn num_perm(&self) -> usize {
        self.num_perm
    }

    fn round_key(&self, round: usize) -> u64 {
        splitmix64(self.seed ^ splitmix64(round as u64))
    }

    /// `out.len()` must equal `num_perm`.
    pub(crate) fn fill(&self, shingle_hashes: &[u64], out: &mut [u32]) {
        out.fill(u32::EMPTY);
        if shingle_hashes.is_empty() {
            return;
        }
        let bins = self.num_perm as u64;
        let mut filled_in_round = vec![UNFILLED; self.num_perm];
        let mut n_filled = 0;
        let walk_key = self.round_key(2 * self.num_perm);
        for round in 0..2 * self.num_perm {
            let key = self.round_key(round);
            for &hash in shingle_hashes {
                let mixed = splitmix64(hash ^ key);
                let bin = if round < self.num_perm {
                    (((mixed >> 32) * bins) >> 32) as usize
                } else {
                    let start = ((splitmix64(hash ^ walk_key) >> 32) * bins) >> 32;
                    ((start + (round - self.num_perm) as u64) % bins) as usize
                };
                let value = mixed as u32;
                if filled_in_round[bin] == UNFILLED {
                    filled_in_round[bin] = round;
                    out[bin] = value;
                    n_filled += 1;
                } else if filled_in_round[bin] == round && value < out[bin] {
                    out[bin] = value;
                }
            }
            if n_filled == self.num_perm {
                break;
            }
        }
    }
}
