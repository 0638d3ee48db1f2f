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
use crate::error::{Error, Result};

/// A bin no element has reached yet (a real state has a round number below 2k in its high half).
const UNFILLED: u64 = u64::MAX;

#[derive(Debug, Clone)]
pub(crate) struct FastSimilaritySketch {
    num_perm: usize,
    /// Each round's `(multiplier, offset)` (rounds `0..2k`), then the walk's start hash: drawn once,
    /// as small sets need dozens of rounds.
    round_hashes: Vec<(u64, u64)>,
}

impl FastSimilaritySketch {
    pub(crate) fn new(num_perm: usize, seed: u64) -> Result<Self> {
        check_num_perm(num_perm)?;
        // A bin's state keeps the round (< 2k) in its high 32 bits.
        if num_perm >= 1 << 31 {
            return Err(Error::InvalidArgument(format!(
                "num_perm {num_perm} is too large for method 'fss' (at most 2^31 - 1)"
            )));
        }
        let round_hashes = (0..=2 * num_perm)
            .map(|round| {
                let word = splitmix64(seed ^ splitmix64(round as u64));
                (word | 1, splitmix64(word))
            })
            .collect();
        Ok(FastSimilaritySketch {
            num_perm,
            round_hashes,
        })
    }

    pub(crate) fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// `out.len()` must equal `num_perm`.
    ///
    /// A bin's state is `round << 32 | value` in a `u64`, so "the smallest value of the first round
    /// that reached the bin" is a plain minimum: no branch per element, which is what this loop is
    /// bound by (the bins an element lands in are unpredictable).
    ///
    /// Each round hashes an element with its own affine map of the element's (already uniform)
    /// 64-bit shingle hash, `multiplier * x + offset mod 2^64`, a bijection; the bin comes from the top
    /// bits, the value from the next 32. One multiply per element and round, where a full mixer
    /// per round took about twice as long on the sets of a paragraph, which need several rounds.
    pub(crate) fn fill(&self, shingle_hashes: &[u64], out: &mut [u32]) {
        if shingle_hashes.is_empty() {
            out.fill(u32::EMPTY);
            return;
        }
        let k = self.num_perm;
        let bins = k as u64;
        let mut state = vec![UNFILLED; k];
        let mut n_filled = 0;
        let mut round = 0;
        // Rounds 0..k: every element lands in a uniformly random bin.
        while round < k && n_filled < k {
            let (multiplier, offset) = self.round_hashes[round];
            let tag = (round as u64) << 32;
            for &hash in shingle_hashes {
                let mixed = hash.wrapping_mul(multiplier).wrapping_add(offset);
                let bin = (((mixed >> 32) * bins) >> 32) as usize;
                n_filled += throw(&mut state[bin], tag | (mixed & 0xFFFF_FFFF));
            }
            round += 1;
        }
        // Rounds k..2k (small sets only): each element walks the bins from its own random start,
        // so every bin is reached by the end.
        let (walk_multiplier, walk_offset) = self.round_hashes[2 * k];
        while round < 2 * k && n_filled < k {
            let (multiplier, offset) = self.round_hashes[round];
            let tag = (round as u64) << 32;
            let step = (round - k) as u64;
            for &hash in shingle_hashes {
                let mixed = hash.wrapping_mul(multiplier).wrapping_add(offset);
                let start_hash = hash.wrapping_mul(walk_multiplier).wrapping_add(walk_offset);
                let start = ((start_hash >> 32) * bins) >> 32;
                let bin = ((start + step) % bins) as usize;
                n_filled += throw(&mut state[bin], tag | (mixed & 0xFFFF_FFFF));
            }
            round += 1;
        }
        for (slot, bin) in out.iter_mut().zip(&state) {
            *slot = *bin as u32;
        }
    }
}

/// Lowers a bin to `candidate` if smaller; returns 1 when the bin was still unfilled.
#[inline]
fn throw(bin: &mut u64, candidate: u64) -> usize {
    let was_unfilled = usize::from(*bin == UNFILLED);
    *bin = (*bin).min(candidate);
    was_unfilled
}
