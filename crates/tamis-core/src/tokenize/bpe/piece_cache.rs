//! A per-thread cache of whole-piece lookups: the rank of each short piece (3 to 7 bytes) seen
//! lately, or that it is no token.
//!
//! Real text repeats its words, and every piece is first looked up whole. The token table of a
//! large vocabulary is megabytes (4 MB of entries for `o200k_base`'s short tokens), so a lookup
//! of any but the commonest words misses the core's caches; this table, 64 KiB, stays in the L2
//! cache and answers a repeated piece with one load and one comparison.

use crate::tokenize::vocab::{Rank, Vocab};

const CACHE_BITS: u32 = 12;
/// No packed piece has this key: its length byte would be 255.
const EMPTY: u64 = u64::MAX;

pub(super) struct PieceCache {
    vocab: u64,
    /// `(packed piece, rank)`, `Rank::MAX` for a piece that is no token.
    entries: Vec<(u64, Rank)>,
}

impl PieceCache {
    pub(super) const fn new() -> Self {
        PieceCache {
            vocab: 0,
            entries: Vec::new(),
        }
    }

    /// The cache for `vocab`, emptied if it held another table's pieces.
    #[inline]
    pub(super) fn for_vocab(&mut self, vocab: &Vocab) -> &mut Self {
        if self.vocab != vocab.id() || self.entries.is_empty() {
            self.vocab = vocab.id();
            self.entries = vec![(EMPTY, Rank::MAX); 1 << CACHE_BITS];
        }
        self
    }

    /// The rank of the piece packed as `key` (see `Vocab::packed_rank`), `Rank::MAX` if it is no
    /// token.
    #[inline]
    pub(super) fn rank(&mut self, vocab: &Vocab, key: u64) -> Rank {
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - CACHE_BITS)) as usize;
        let entry = &mut self.entries[slot];
        if entry.0 == key {
            return entry.1;
        }
        let rank = vocab.packed_rank(key);
        *entry = (key, rank);
        rank
    }
}
