//! Fast Similarity Sketching (Dahlgaard, Knudsen, Thorup, FOCS 2017), cut after three rounds: 3n
//! throws, then a classic permutation over the n elements for each bin still empty (about
//! k e^(-3d/k) of them for d distinct elements). O(n) on sets large against k; at most about k²/4
//! multiply-min operations on small sets of distinct elements (a quarter of a classic sketch of k
//! elements); and as dear as classic, O(n·k), on a long list that repeats a few elements.
//!
//! Why this and not one-permutation hashing with optimal densification (Shrivastava 2017): both
//! fill k bins from one pass, but densification fills an empty bin with a copy of another bin's
//! value, so on sets not much larger than k (a paragraph: tens to hundreds of word 5-grams against
//! k = 128) many slots are copies and carry no new sample. FSS instead throws every element into
//! bins again, round after round; a bin keeps the smallest value of the first round that reached
//! it. The first rounds spread the elements over distinct bins, sampling nearly without
//! replacement, so the error is lower than with k independent permutations.
//!
//! Full FSS goes on until every bin is reached (about (k ln k) / n rounds on small sets: seven for
//! a paragraph, most of the time). We stop after three rounds and give each bin still unreached a
//! classic permutation over the whole set, valued after every round. Either way, a bin's value is
//! the minimum over the elements of a per-element priority that is independent and identically
//! distributed across elements, so the bin holds an element of the union chosen uniformly, and the
//! fraction of equal slots is an unbiased Jaccard estimate. The unreached bins are few (one in
//! eight for n = 90, k = 128) and their permutations run on full vectors, where the late rounds
//! were one unpredictable memory update per element. Measured on 2,724 real near-duplicate pairs at
//! k = 128 (example `minhash_accuracy`), the mean absolute error is 0.0252 with the cut (0.0250
//! with every round), 0.030 for densified one-permutation hashing and 0.031 for classic `MinHash`.

use std::cell::RefCell;

use multiversion::multiversion;

use super::{SignatureValue, check_num_perm, splitmix64};
use crate::error::Result;

/// Rounds of throws before the classic fallback.
const ROUNDS: usize = 3;
/// A slot holds its round in the top bits (rounds `0..ROUNDS`, then the fallback), so that "the
/// smallest value of the first round that reached the bin" is a plain minimum.
const ROUND_BITS: u32 = 2;
const VALUE_BITS: u32 = 32 - ROUND_BITS;
const FALLBACK_ROUND: usize = ROUNDS;
/// A bin no element has reached yet.
const UNREACHED: u32 = u32::EMPTY;
const _: () = assert!(FALLBACK_ROUND < 1 << ROUND_BITS);

/// One round's two affine maps of `u32`: from the high half of an element's hash to its bin (the
/// top bits of the result, scaled to k), from the low half to its value. Independent halves of a
/// uniform 64-bit hash, and 32-bit lanes, so that eight elements are hashed per AVX2 instruction.
#[derive(Debug, Clone, Copy)]
struct RoundMaps {
    bin: (u32, u32),
    value: (u32, u32),
}

#[derive(Debug, Clone)]
pub(crate) struct FastSimilaritySketch {
    num_perm: usize,
    rounds: Vec<RoundMaps>,
    /// Per bin, the classic permutation `(multiplier, offset)` used when no round reached it.
    fallback_multipliers: Vec<u32>,
    fallback_offsets: Vec<u32>,
}

impl FastSimilaritySketch {
    pub(crate) fn new(num_perm: usize, seed: u64) -> Result<Self> {
        check_num_perm(num_perm)?;
        let affine = |word: u64| ((word as u32) | 1, (word >> 32) as u32);
        let rounds = (0..ROUNDS)
            .map(|round| {
                let word = splitmix64(seed ^ splitmix64(round as u64));
                RoundMaps {
                    bin: affine(word),
                    value: affine(splitmix64(word)),
                }
            })
            .collect();
        let (fallback_multipliers, fallback_offsets) = (0..num_perm)
            .map(|bin| affine(splitmix64(!seed ^ splitmix64(bin as u64))))
            .unzip();
        Ok(FastSimilaritySketch {
            num_perm,
            rounds,
            fallback_multipliers,
            fallback_offsets,
        })
    }

    pub(crate) fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// `out.len()` must equal `num_perm`.
    pub(crate) fn fill(&self, shingle_hashes: &[u64], out: &mut [u32]) {
        out.fill(UNREACHED);
        if shingle_hashes.is_empty() {
            return;
        }
        SCRATCH.with_borrow_mut(|scratch| {
            let n_reached = if out.len() == DEFAULT_BINS {
                throw_rounds::<DEFAULT_BINS>(&self.rounds, shingle_hashes, out, scratch)
            } else {
                throw_rounds::<0>(&self.rounds, shingle_hashes, out, scratch)
            };
            if n_reached < out.len() {
                fill_unreached(
                    &self.fallback_multipliers,
                    &self.fallback_offsets,
                    n_reached,
                    shingle_hashes,
                    out,
                    scratch,
                );
            }
        });
    }
}

/// The default `num_perm`, for which the throws are compiled with the count of bins known.
const DEFAULT_BINS: usize = 128;

/// Throws every element into a bin per round, until every bin is reached or the rounds run out;
/// returns how many bins were reached. A slot keeps the minimum of what lands in it; the round in
/// its top bits makes that the smallest value of the first round that reached it.
///
/// Each round first draws every element's bin and value into two arrays, a loop of 32-bit lanes
/// that LLVM vectorizes, then throws them one by one (a scattered load, minimum and store each).
/// Drawn and thrown element by element, the draws stayed scalar: the three rounds of 90 elements
/// took 435 ns instead of 315 (an isolated benchmark, Zen 3).
///
/// `BINS` is `out.len()` when it is known when compiling (a power of two), else 0: with the count of
/// bins known, a bin is a shift of the hash and needs no bounds check.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn throw_rounds<const BINS: usize>(
    rounds: &[RoundMaps],
    shingle_hashes: &[u64],
    out: &mut [u32],
    scratch: &mut Scratch,
) -> usize {
    let fixed = BINS.is_power_of_two();
    if fixed {
        assert_eq!(out.len(), BINS, "one slot per bin");
    }
    let bins = out.len() as u64;
    // With the count of bins a power of two, `spread * bins >> 32` is a shift.
    let shift = if fixed { 32 - BINS.trailing_zeros() } else { 0 };
    // Always `bin` itself (bins are below `out.len()`); a mask the compiler sees when `BINS` is fixed.
    let slot_of = |bin: u32| {
        if fixed {
            bin as usize % BINS.max(1)
        } else {
            bin as usize
        }
    };
    let n = shingle_hashes.len();
    scratch.bins.resize(n, 0);
    scratch.values.resize(n, 0);
    for (round, maps) in rounds.iter().enumerate() {
        let tag = (round as u32) << VALUE_BITS;
        let draws = scratch.bins.iter_mut().zip(scratch.values.iter_mut());
        for ((bin, value), &hash) in draws.zip(shingle_hashes) {
            let spread = maps
                .bin
                .0
                .wrapping_mul((hash >> 32) as u32)
                .wrapping_add(maps.bin.1);
            *bin = if fixed {
                spread >> shift
            } else {
                ((u64::from(spread) * bins) >> 32) as u32
            };
            let drawn = maps
                .value
                .0
                .wrapping_mul(hash as u32)
                .wrapping_add(maps.value.1);
            *value = tag | (drawn >> ROUND_BITS);
        }
        for (&bin, &value) in scratch.bins.iter().zip(&scratch.values) {
            let slot = &mut out[slot_of(bin)];
            *slot = (*slot).min(value);
        }
        // Every bin reached can end the rounds early only once there have been as many throws as
        // bins; the count runs on vectors, after the round.
        let last = round + 1 == rounds.len();
        if last || (round + 1) * n >= out.len() {
            let n_reached = out.iter().filter(|&&slot| slot != UNREACHED).count();
            if last || n_reached == out.len() {
                return n_reached;
            }
        }
    }
    0
}

/// Gives each bin no round reached (`UNREACHED` in `out`, `out.len() - n_reached` of them) its
/// classic permutation over the whole set, valued after every round.
fn fill_unreached(
    multipliers: &[u32],
    offsets: &[u32],
    n_reached: usize,
    shingle_hashes: &[u64],
    out: &mut [u32],
    scratch: &mut Scratch,
) {
    if 2 * n_reached < out.len() {
        // Most bins unreached (sets much smaller than k): every permutation, classic kernel.
        scratch.values.resize(out.len(), 0);
        super::classic::fill_slots(multipliers, offsets, shingle_hashes, &mut scratch.values);
        blend_unreached(out, &scratch.values);
        return;
    }
    // A few bins: each one's minimum over the elements, on vectors of elements. (Vectors of bins,
    // as the classic kernel runs, would pad the few bins to a whole group of 32.)
    fold_elements(shingle_hashes, &mut scratch.folded);
    fill_unreached_bins(multipliers, offsets, &scratch.folded, out);
}

/// Gives each unreached slot of `out` its fallback value, the smallest image of `folded` under its
/// bin's permutation. The unreached slots are found from bit masks, 64 bins at a time: whether a bin
/// was reached is a coin toss, so a branch per bin would be mispredicted half the time.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn fill_unreached_bins(multipliers: &[u32], offsets: &[u32], folded: &[u32], out: &mut [u32]) {
    for (group, slots) in out.chunks_mut(64).enumerate() {
        let mut unreached = slots.iter().enumerate().fold(0u64, |mask, (i, &slot)| {
            mask | u64::from(slot == UNREACHED) << i
        });
        while unreached != 0 {
            let i = unreached.trailing_zeros() as usize;
            unreached &= unreached - 1;
            let bin = group * 64 + i;
            slots[i] = fallback_value(smallest_image(multipliers[bin], offsets[bin], folded));
        }
    }
}

/// Elements of the fallback's minimum taken together (two AVX2 vectors of `u32`).
const FOLD_LANES: usize = 16;

/// The 32-bit inputs of the classic permutations ([`super::classic::fold`]), padded to whole
/// vectors with copies of the first: a minimum does not change when an element repeats.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn fold_elements(shingle_hashes: &[u64], folded: &mut Vec<u32>) {
    folded.clear();
    folded.extend(
        shingle_hashes
            .iter()
            .map(|&hash| super::classic::fold(hash)),
    );
    let first = folded.first().copied().unwrap_or_default();
    folded.resize(folded.len().next_multiple_of(FOLD_LANES), first);
}

/// The smallest of `multiplier * x + offset` over `folded` (a whole number of vectors); inlined
/// into its caller's vector code.
#[inline]
fn smallest_image(multiplier: u32, offset: u32, folded: &[u32]) -> u32 {
    let mut lanes = [u32::EMPTY; FOLD_LANES];
    for group in folded.chunks_exact(FOLD_LANES) {
        for (lane, &x) in lanes.iter_mut().zip(group) {
            *lane = (*lane).min(multiplier.wrapping_mul(x).wrapping_add(offset));
        }
    }
    lanes.into_iter().fold(u32::EMPTY, u32::min)
}

/// Buffers of the kernel, kept per thread: allocating them per set cost as much as their work.
#[derive(Default)]
struct Scratch {
    /// Each element's bin and value in the current round.
    bins: Vec<u32>,
    values: Vec<u32>,
    /// The fallback's inputs.
    folded: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Gives every unreached slot its fallback value from `values` (one per bin).
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn blend_unreached(out: &mut [u32], values: &[u32]) {
    for (slot, &value) in out.iter_mut().zip(values) {
        // A select, not a branch: which bins were reached is a coin toss.
        *slot = if *slot == UNREACHED {
            fallback_value(value)
        } else {
            *slot
        };
    }
}

/// A fallback permutation's value, tagged after every round; never `UNREACHED` (which is also the
/// empty document's slot value).
#[inline]
fn fallback_value(value: u32) -> u32 {
    (((FALLBACK_ROUND as u32) << VALUE_BITS) | (value >> ROUND_BITS)).min(UNREACHED - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::random_hashes;

    /// The sketch by its definition, one bin at a time: a bin holds the minimum over the elements of
    /// the element's priority for it, the tagged value of the first round that threw the element
    /// there, else the tagged value of the bin's fallback permutation.
    fn reference(sketch: &FastSimilaritySketch, hashes: &[u64]) -> Vec<u32> {
        let k = sketch.num_perm;
        let priority = |hash: u64, bin: usize| {
            for (round, maps) in sketch.rounds.iter().enumerate() {
                let spread = maps
                    .bin
                    .0
                    .wrapping_mul((hash >> 32) as u32)
                    .wrapping_add(maps.bin.1);
                if ((u64::from(spread) * k as u64) >> 32) as usize == bin {
                    let drawn = maps
                        .value
                        .0
                        .wrapping_mul(hash as u32)
                        .wrapping_add(maps.value.1);
                    return ((round as u32) << VALUE_BITS) | (drawn >> ROUND_BITS);
                }
            }
            let folded = (hash ^ (hash >> 32)) as u32;
            let value = sketch.fallback_multipliers[bin]
                .wrapping_mul(folded)
                .wrapping_add(sketch.fallback_offsets[bin]);
            fallback_value(value)
        };
        (0..k)
            .map(|bin| {
                hashes
                    .iter()
                    .map(|&hash| priority(hash, bin))
                    .min()
                    .unwrap_or(UNREACHED)
            })
            .collect()
    }

    #[test]
    fn matches_the_definition_for_every_path() {
        // Small sets take the all-bins fallback, middle ones the gathered one, large ones none.
        let mut state = 11;
        for k in [1, 7, 64, 128, 200] {
            let sketch = FastSimilaritySketch::new(k, 3).expect("valid num_perm");
            for n in [0, 1, 5, 30, 90, 350, 2000] {
                let hashes = random_hashes(&mut state, n);
                let mut out = vec![0; k];
                sketch.fill(&hashes, &mut out);
                assert_eq!(out, reference(&sketch, &hashes), "k {k}, n {n}");
            }
        }
    }

    #[test]
    fn the_sketch_of_a_union_is_the_slotwise_minimum() {
        // What makes equal slots estimate Jaccard: every bin's value is a minimum over elements of
        // a priority that depends on the element alone, whatever else is in the set.
        let sketch = FastSimilaritySketch::new(128, 8).expect("valid num_perm");
        let hashes: Vec<u64> = (0..300_u64).map(splitmix64).collect();
        for (a_len, b_len) in [(3, 40), (60, 90), (200, 100)] {
            let (a, b) = (&hashes[..a_len], &hashes[300 - b_len..]);
            let union: Vec<u64> = a.iter().chain(b).copied().collect();
            let (mut sa, mut sb, mut su) = (vec![0; 128], vec![0; 128], vec![0; 128]);
            sketch.fill(a, &mut sa);
            sketch.fill(b, &mut sb);
            sketch.fill(&union, &mut su);
            let slotwise: Vec<u32> = sa.iter().zip(&sb).map(|(x, y)| *x.min(y)).collect();
            assert_eq!(su, slotwise, "|A| {a_len}, |B| {b_len}");
        }
    }
}
