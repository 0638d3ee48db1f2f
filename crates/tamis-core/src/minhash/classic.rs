//! Classic k-permutation `MinHash`: slot i holds min over the set of `a_i * x + b_i mod 2^32`.
//!
//! The shingle hashes are already uniform 64-bit xxh3 values, so a cheap affine map with an odd
//! multiplier (a bijection of `u32`, hence no added collisions) is enough per permutation, and 32-bit
//! lanes let LLVM vectorize the inner loop (parameters are kept as two parallel arrays for that).

use multiversion::multiversion;

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
        fill_slots(&self.multipliers, &self.offsets, shingle_hashes, out);
    }
}

/// Slots computed together, kept in registers while every hash of the set goes by (32 `u32` lanes:
/// four AVX2 registers of accumulators, four of multipliers, four of offsets).
const LANES: usize = 32;

/// The kernel, compiled for AVX2 and SSE4.1 as well as the baseline and chosen at run time: the
/// baseline x86-64 (SSE2) has no 32-bit lane multiply or unsigned minimum, so LLVM emulates both and
/// the loop runs several times slower there.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub(super) fn fill_slots(
    multipliers: &[u32],
    offsets: &[u32],
    shingle_hashes: &[u64],
    out: &mut [u32],
) {
    let groups = out
        .chunks_mut(LANES)
        .zip(multipliers.chunks(LANES))
        .zip(offsets.chunks(LANES));
    for ((out, multipliers), offsets) in groups {
        let full_group = (
            <&[u32; LANES]>::try_from(multipliers),
            <&[u32; LANES]>::try_from(offsets),
        );
        if let (Ok(multipliers), Ok(offsets)) = full_group {
            let mut slots = [u32::EMPTY; LANES];
            for &hash in shingle_hashes {
                let folded = fold(hash);
                for ((slot, &multiplier), &offset) in slots.iter_mut().zip(multipliers).zip(offsets)
                {
                    *slot = (*slot).min(multiplier.wrapping_mul(folded).wrapping_add(offset));
                }
            }
            out.copy_from_slice(&slots);
        } else {
            out.fill(u32::EMPTY);
            for &hash in shingle_hashes {
                let folded = fold(hash);
                for ((slot, &multiplier), &offset) in out.iter_mut().zip(multipliers).zip(offsets) {
                    *slot = (*slot).min(multiplier.wrapping_mul(folded).wrapping_add(offset));
                }
            }
        }
    }
}

/// The 32-bit input of the permutations: both halves of the 64-bit shingle hash.
#[inline]
pub(super) fn fold(hash: u64) -> u32 {
    (hash ^ (hash >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::random_hashes;

    /// The textbook loop, one slot at a time, as the reference for the grouped and dispatched kernel.
    fn reference(sketch: &ClassicMinHash, hashes: &[u64]) -> Vec<u32> {
        (0..sketch.num_perm())
            .map(|i| {
                hashes
                    .iter()
                    .map(|&hash| {
                        sketch.multipliers[i]
                            .wrapping_mul(fold(hash))
                            .wrapping_add(sketch.offsets[i])
                    })
                    .min()
                    .unwrap_or(u32::EMPTY)
            })
            .collect()
    }

    #[test]
    fn kernel_matches_the_textbook_loop_for_every_group_shape() {
        let mut state = 7;
        for num_perm in [1, 31, 32, 33, 64, 100, 128, 256] {
            let sketch = ClassicMinHash::new(num_perm, 42).expect("valid num_perm");
            for set_size in [0, 1, 2, 17, 90, 1000] {
                let hashes = random_hashes(&mut state, set_size);
                let mut out = vec![0; num_perm];
                sketch.fill(&hashes, &mut out);
                assert_eq!(
                    out,
                    reference(&sketch, &hashes),
                    "num_perm {num_perm}, n {set_size}"
                );
            }
        }
    }
}
