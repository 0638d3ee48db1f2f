//! How words and word shingles are hashed to `u64`.
//!
//! A word is hashed once; a shingle of n words is a keyed sum of its n word hashes, mixed. Both are
//! written to have no branch that depends on the data in the common case, because word lengths vary from
//! one word to the next and a mispredicted branch per word cost more than the hashing itself:
//! - a word of at most 16 bytes is read as one 128-bit number (bytes past its end masked off) and folded
//!   by one 64x64 -> 128-bit multiply; longer words, rare in prose, take xxh3.
//! - a shingle is `mix(Σ word[i] · weight[i] + n · weight_of_length)` with odd weights, distinct per
//!   position (so `a b` and `b a` differ). For two different shingles to collide, a weighted sum of
//!   word-hash differences must vanish modulo 2^64: about 2^-63 per pair when the word hashes behave as
//!   random numbers (a test checks that small and near-identical words get distinct hashes), negligible
//!   next to `MinHash`'s own error.

use multiversion::multiversion;
use xxhash_rust::xxh3::xxh3_64;

use crate::minhash::fmix64;

/// Words longer than this are hashed with xxh3.
pub const SHORT_WORD: usize = 16;

const LOW_KEY: u64 = 0x9E37_79B9_7F4A_7C15;
const HIGH_KEY: u64 = 0xC2B2_AE3D_27D4_EB4F;
const LENGTH_KEY: u64 = 0x1656_67B1_9E37_79F9;

/// The hash of a word of `len` bytes, 1 to [`SHORT_WORD`], given as a little-endian number whose bytes
/// past `len` are zero.
#[inline]
fn short_word_hash(bytes: u128, len: usize) -> u64 {
    let low = bytes as u64;
    let high = (bytes >> 64) as u64;
    let product = u128::from(low ^ LOW_KEY) * u128::from(high ^ HIGH_KEY);
    let folded = (product as u64) ^ ((product >> 64) as u64);
    // Not mixed further: a word hash only ever enters a shingle hash, which mixes its sum.
    folded
        .wrapping_add(low)
        .wrapping_add(high.rotate_left(29))
        .wrapping_add((len as u64).wrapping_mul(LENGTH_KEY))
}

/// The hash of one word.
pub fn word_hash(word: &[u8]) -> u64 {
    if word.is_empty() || word.len() > SHORT_WORD {
        return xxh3_64(word);
    }
    let mut padded = [0u8; SHORT_WORD];
    padded[..word.len()].copy_from_slice(word);
    short_word_hash(u128::from_le_bytes(padded), word.len())
}

/// Per length up to [`SHORT_WORD`], the mask of that many low bytes: a load, where a variable 128-bit
/// shift costs several instructions and a branch.
static LENGTH_MASKS: [u128; SHORT_WORD + 1] = {
    let mut masks = [0; SHORT_WORD + 1];
    let mut len = 1;
    while len <= SHORT_WORD {
        masks[len] = u128::MAX >> (128 - 8 * len);
        len += 1;
    }
    masks
};

/// [`word_hash`] of `buffer[start..end]`, reading 16 bytes from `start` whatever the length (the caller
/// keeps at least 16 readable bytes after every word, so no branch on the length is needed).
#[inline]
pub fn word_hash_in_padded(buffer: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    match buffer.get(start..start + SHORT_WORD) {
        Some(window) if (1..=SHORT_WORD).contains(&len) => {
            let mut bytes = [0u8; SHORT_WORD];
            bytes.copy_from_slice(window);
            short_word_hash(u128::from_le_bytes(bytes) & LENGTH_MASKS[len], len)
        }
        _ => word_hash(&buffer[start..end]),
    }
}

/// The per-position weights of shingles of `size` words, then the weight of the length.
pub fn shingle_weights(size: usize) -> Vec<u64> {
    let mut state = 0x7A3D_5EED_u64;
    (0..=size)
        .map(|_| {
            state = crate::minhash::splitmix64(state);
            state | 1
        })
        .collect()
}

/// Appends to `out` the hash of every run of `weights.len() - 1` consecutive word hashes, or of all of
/// them once when there are fewer (nothing when there are none).
pub fn hash_word_windows(word_hashes: &[u64], weights: &[u64], out: &mut Vec<u64>) {
    let Some((&length_weight, position_weights)) = weights.split_last() else {
        return;
    };
    let size = position_weights.len();
    if word_hashes.is_empty() {
        return;
    }
    if word_hashes.len() <= size {
        out.push(window_hash(word_hashes, position_weights, length_weight));
        return;
    }
    // The usual sizes get a loop whose window length is known when compiled (unrolled, no inner loop).
    match size {
        3 => fixed_windows::<3>(word_hashes, position_weights, length_weight, out),
        4 => fixed_windows::<4>(word_hashes, position_weights, length_weight, out),
        5 => fixed_windows::<5>(word_hashes, position_weights, length_weight, out),
        _ => out.extend(
            word_hashes
                .windows(size)
                .map(|window| window_hash(window, position_weights, length_weight)),
        ),
    }
}

#[inline]
fn window_hash(window: &[u64], position_weights: &[u64], length_weight: u64) -> u64 {
    let sum = window
        .iter()
        .zip(position_weights)
        .fold(0u64, |sum, (&word, &weight)| {
            sum.wrapping_add(word.wrapping_mul(weight))
        });
    fmix64(sum.wrapping_add((window.len() as u64).wrapping_mul(length_weight)))
}

/// The windows of a size known when compiling, as one loop over the output: with AVX-512DQ's 64-bit
/// lane multiply, eight windows at a time; with AVX2, four, each 64-bit product made of three 32-bit
/// ones (one pass of 5-gram hashes about 19.1 -> 17.3 ms on one thread of a Zen 3, bench corpus).
#[multiversion(targets("x86_64+avx512f+avx512dq+avx512vl", "x86_64+avx2"))]
fn fixed_windows<const N: usize>(
    word_hashes: &[u64],
    position_weights: &[u64],
    length_weight: u64,
    out: &mut Vec<u64>,
) {
    let weights: [u64; N] = std::array::from_fn(|i| position_weights.get(i).copied().unwrap_or(0));
    let start = out.len();
    out.resize(start + word_hashes.len() + 1 - N, 0);
    for (slot, window) in out[start..].iter_mut().zip(word_hashes.windows(N)) {
        *slot = window_hash(window, &weights, length_weight);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn padded_reads_equal_the_plain_hash() {
        let text = b"a an the word sixteen_letters_ seventeen_letters abcdefghijklmnopqrstuvwxyz";
        let mut buffer = text.to_vec();
        buffer.extend_from_slice(&[0xAA; SHORT_WORD]);
        for start in 0..text.len() {
            for end in start..=text.len() {
                assert_eq!(
                    word_hash_in_padded(&buffer, start, end),
                    word_hash(&text[start..end]),
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn distinct_words_get_distinct_hashes() {
        // Every word of 1 to 3 bytes over a small alphabet, with trailing zero bytes (which the padding
        // must not confuse with a shorter word), and long words differing in one byte.
        let alphabet = [0u8, 1, b'a', b'z', 0xC3, 0xFF];
        let mut words: Vec<Vec<u8>> = Vec::new();
        for &a in &alphabet {
            words.push(vec![a]);
            for &b in &alphabet {
                words.push(vec![a, b]);
                for &c in &alphabet {
                    words.push(vec![a, b, c]);
                }
            }
        }
        for len in [15, 16, 17, 40] {
            for at in 0..len {
                let mut word = vec![b'x'; len];
                word[at] = b'y';
                words.push(word);
            }
        }
        let hashes: HashSet<u64> = words.iter().map(|w| word_hash(w)).collect();
        assert_eq!(hashes.len(), words.len());
    }

    #[test]
    fn windows_depend_on_order_and_length() {
        let weights = shingle_weights(2);
        let hash = |units: &[u64]| {
            let mut out = Vec::new();
            hash_word_windows(units, &weights, &mut out);
            out
        };
        assert_eq!(hash(&[1, 2, 3]).len(), 2);
        assert_eq!(hash(&[1, 2, 3])[1], hash(&[2, 3])[0]);
        assert_ne!(hash(&[1, 2]), hash(&[2, 1]));
        assert_ne!(hash(&[1]), hash(&[1, 0]));
        assert!(hash(&[]).is_empty());
    }

    #[test]
    fn fixed_sizes_match_the_general_windows() {
        let mut state = 5;
        let word_hashes = crate::minhash::random_hashes(&mut state, 40);
        for size in 3..=5 {
            let weights = shingle_weights(size);
            let (position_weights, length_weight) = (&weights[..size], weights[size]);
            for n in [size + 1, size + 7, 40] {
                let mut fixed = vec![7];
                hash_word_windows(&word_hashes[..n], &weights, &mut fixed);
                let general: Vec<u64> = std::iter::once(7)
                    .chain(
                        word_hashes[..n]
                            .windows(size)
                            .map(|window| window_hash(window, position_weights, length_weight)),
                    )
                    .collect();
                assert_eq!(fixed, general, "size {size}, {n} words");
            }
        }
    }
}
