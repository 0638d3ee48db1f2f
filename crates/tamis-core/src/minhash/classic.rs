//! Classic k-permutation `MinHash`: slot i holds min over the set of `a_i * x + b_i mod 2^32`.
//!
//! The shingle hashes are already uniform 64-bit xxh3 values, so a cheap affine map with an odd
//! multiplier (a bijection of `u32`, hence no added collisions) is enough per permutation, and 32-bit
//! lanes let LLVM vectorize the inner loop (parameters are kept as two parallel arrays for that).

use super::{SignatureValue, check_num_perm, splitmix64};
use crate::error::Result;

#[derive(Debug, Clone)]
pub(crate) struct ClassicMinHash {
    multipliers: Vec<u32>,
    offsets: Vec<u32>,
}

impl ClassicMinHash {
    pub(crate) fn new(num_perm: usize, seed: u64) -> Result<Self> {
        check_num_perm(num_perm)?;
        let mut state = seed;
        let mut draw = || {
            state = splitmix64(state);
            state
        };
        let (multipliers, offsets) = (0..num_perm)
            .map(|_| {
                let word = draw();
                ((word as u32) | 1, (word >> 32) as u32)
            })
            .unzip();
        Ok(ClassicMinHash {
            multipliers,
            offsets,
        })
    }

    pub(crate) fn num_perm(&self) -> usize {
        self.multipliers.len()
    }

    /// `out.len()` must equal `num_perm`.
    pub(crate) fn fill(&self, shingle_hashes: &[u64], out: &mut [u32]) {
        out.fill(u32::EMPTY);
        for &hash in shingle_hashes {
            let folded = (hash ^ (hash >> 32)) as u32;
            for ((slot, &multiplier), &offset) in
                out.iter_mut().zip(&self.multipliers).zip(&self.offsets)
            {
                *slot = (*slot).min(multiplier.wrapping_mul(folded).wrapping_add(offset));
            }
        }
    }
}
