//! Which two adjacent tokens can ever merge: a bit set keyed by the two token ids, consulted before
//! a pair's bytes are looked up.
//!
//! tiktoken merges two adjacent tokens whenever their bytes together are a token, lowest rank
//! first. Yet only one way of cutting a token `t` in two ever merges into it: the last merge of
//! `t`'s bytes encoded alone, its *canonical pair*. Why: the bytes that become `t` in a text were
//! never merged across their edges before `t` was made (tokens never split), so every merge among
//! them was, when it happened, the lowest (and leftmost) of the pairs among them: the merges of
//! `t`'s bytes alone, in the same order, the last of which made `t`. So at every step tiktoken's
//! choice is a canonical pair; leaving the other pairs out changes no choice, and the merge ends
//! at the same tokens (were a non-canonical pair left at the end, tiktoken would merge it next).
//!
//! In random text most adjacent pairs are no token at all, and looking their bytes up in the big
//! token table is most of the merge's time. The canonical pairs are one per token, so a bit set
//! of ten bits per token (256 KiB for `o200k_base`, in the L2 cache) turns away about nine in ten
//! of the pairs that are not canonical with one load. The pairs it lets through are looked up as
//! before, so a false positive costs time, never a wrong token.

use super::vocab::{Rank, Vocab};
use crate::error::{Error, Result};
use rustc_hash::FxHashMap;

/// Bits per canonical pair: about one false positive in ten (sized to the next power of two).
const BITS_PER_PAIR: usize = 10;

/// The most work (the sum of the squared token lengths) spent working out a filter: a few hundred
/// milliseconds. `o200k_base` takes about 12 M; a vocabulary of tokens thousands of bytes long
/// does without a filter.
const MOST_WORK: usize = 1 << 26;

pub(crate) struct MergeFilter {
    words: Box<[u64]>,
    /// `64 - log2(bit count)`: the shift that takes a pair's hash to its bit.
    shift: u32,
}

impl MergeFilter {
    /// A filter that lets every pair through (the merge is then tiktoken's plain one).
    pub(crate) fn pass_all() -> Self {
        MergeFilter {
            words: Box::new([u64::MAX]),
            shift: 64 - 6,
        }
    }

    /// The filter of `vocab`'s canonical pairs, worked out from its tokens; one that lets every
    /// pair through for a vocabulary of very long tokens, whose working out (quadratic in each
    /// token's length) would take too long.
    pub(crate) fn of_vocab(vocab: &Vocab) -> Self {
        let work: usize = (0..=vocab.max_id())
            .map(|id| vocab.token_len(id).pow(2))
            .fold(0, usize::saturating_add);
        if work > MOST_WORK {
            return Self::pass_all();
        }
        canonical_pairs(vocab).1
    }

    /// An empty filter for `pairs` pairs.
    fn with_capacity(pairs: usize) -> Self {
        let bits = (pairs * BITS_PER_PAIR).next_power_of_two().max(64);
        MergeFilter {
            words: vec![0; bits / 64].into_boxed_slice(),
            shift: 64 - bits.trailing_zeros(),
        }
    }

    /// A filter from its words, as [`to_le_bytes`](Self::to_le_bytes) wrote them.
    pub(crate) fn from_le_bytes(bytes: &[u8]) -> Result<Self> {
        let words = bytes.len() / 8;
        if !bytes.len().is_multiple_of(8) || !words.is_power_of_two() {
            return Err(Error::InvalidArgument(format!(
                "a merge filter is a power of two of 8-byte words, not {} bytes",
                bytes.len()
            )));
        }
        let words: Box<[u64]> = bytes
            .chunks_exact(8)
            .map(|word| u64::from_le_bytes(word.try_into().unwrap_or_default()))
            .collect();
        let shift = 64 - (words.len() * 64).trailing_zeros();
        Ok(MergeFilter { words, shift })
    }

    /// The filter's words, little-endian (the bundled filters' format).
    #[cfg(test)]
    pub(crate) fn to_le_bytes(&self) -> Vec<u8> {
        self.words
            .iter()
            .flat_map(|word| word.to_le_bytes())
            .collect()
    }

    #[inline]
    fn bit(&self, left: Rank, right: Rank) -> usize {
        let key = (u64::from(left) << 32) | u64::from(right);
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    fn insert(&mut self, left: Rank, right: Rank) {
        let bit = self.bit(left, right);
        self.words[bit / 64] |= 1 << (bit % 64);
    }

    /// `false` when `left` then `right` never merge; `true` when they may.
    #[inline]
    pub(crate) fn may_merge(&self, left: Rank, right: Rank) -> bool {
        let bit = self.bit(left, right);
        self.words[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// Every token's canonical pair, as `(left, right, token)`, and the filter of them; tokens that
/// their own bytes do not merge into (none in the bundled vocabularies) have none.
///
/// Shortest tokens first: the merge of a token's bytes makes only shorter tokens before its last
/// step, whose pairs are then known, so the merge runs on token ids (this same characterisation)
/// and stops when two parts are left, before the step that would make the token itself. The
/// filter, filled as it goes, spares most lookups of pairs that are not canonical.
pub(crate) fn canonical_pairs(vocab: &Vocab) -> (Vec<(Rank, Rank, Rank)>, MergeFilter) {
    let mut by_length: Vec<(usize, Rank)> = (0..=vocab.max_id())
        .map(|id| (vocab.token_len(id), id))
        .filter(|&(len, _)| len >= 2)
        .collect();
    by_length.sort_unstable();
    let mut found = Found {
        filter: MergeFilter::with_capacity(by_length.len()),
        merged_by_pair: FxHashMap::default(),
    };
    found.merged_by_pair.reserve(by_length.len());
    let mut pairs = Vec::with_capacity(by_length.len());
    let mut scratch = Scratch::default();
    for (_, token) in by_length {
        if let Some((left, right)) = found.last_pair(vocab, token, &mut scratch) {
            found.merged_by_pair.insert((left, right), token);
            found.filter.insert(left, right);
            pairs.push((left, right, token));
        }
    }
    (pairs, found.filter)
}

/// A merge's buffers: the parts of a token's bytes, and the rank of each part with the next
/// (`Rank::MAX`: none).
#[derive(Default)]
struct Scratch {
    parts: Vec<Rank>,
    ranks: Vec<Rank>,
}

/// The canonical pairs of the tokens shorter than the ones being worked out.
struct Found {
    filter: MergeFilter,
    merged_by_pair: FxHashMap<(Rank, Rank), Rank>,
}

impl Found {
    /// The token that `left` then `right` merge into, `Rank::MAX` if none (yet).
    fn merged(&self, left: Rank, right: Rank) -> Rank {
        if !self.filter.may_merge(left, right) {
            return Rank::MAX;
        }
        self.merged_by_pair
            .get(&(left, right))
            .copied()
            .unwrap_or(Rank::MAX)
    }

    /// The two parts that the merge of `token`'s bytes ends with, if it ends with two.
    fn last_pair(&self, vocab: &Vocab, token: Rank, scratch: &mut Scratch) -> Option<(Rank, Rank)> {
        let Scratch { parts, ranks } = scratch;
        parts.clear();
        parts.extend(
            vocab
                .token_bytes(token)?
                .iter()
                .map(|&byte| vocab.byte_rank(byte)),
        );
        ranks.clear();
        ranks.extend(parts.windows(2).map(|pair| self.merged(pair[0], pair[1])));
        while parts.len() > 2 {
            let (mut lowest, mut at) = (Rank::MAX, 0);
            for (i, &rank) in ranks.iter().enumerate() {
                if rank < lowest {
                    (lowest, at) = (rank, i);
                }
            }
            if lowest == Rank::MAX {
                return None;
            }
            parts[at] = lowest;
            parts.remove(at + 1);
            ranks.remove(at);
            if at > 0 {
                ranks[at - 1] = self.merged(parts[at - 1], parts[at]);
            }
            if at + 1 < parts.len() {
                ranks[at] = self.merged(parts[at], parts[at + 1]);
            }
        }
        match parts[..] {
            [left, right] => Some((left, right)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
