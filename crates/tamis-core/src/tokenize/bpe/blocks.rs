//! tiktoken's merge for pieces of up to [`MAX_LEN`] bytes: the windows that long pieces are cut
//! into. As in [`super::tree`], the parts of the piece form a linked list over fixed slots (one
//! per byte, a part keeps the slot of its first byte) and the pair starting at each slot has the
//! key `(pair rank, slot)`, so the smallest key is the lowest pair and the leftmost on ties. Here
//! the keys sit in blocks of [`BLOCK`] with each block's smallest key kept aside: a merge rewrites
//! three keys, rescans their blocks (one or two in practice) and then the block minima, each scan
//! a halving of 16 values. On random text, which merges the most, that is about 40% fewer
//! instructions than the tree's three walks up eight levels, and a shorter chain of dependent
//! steps from one merge to the next, which is what bounds the speed there.

use super::{NONE, PairMemo, key};
use crate::tokenize::vocab::{Rank, Vocab};

/// The longest piece this merge takes: a window and its lookahead (see `super::WINDOW`).
pub(super) const MAX_LEN: usize = 256;
/// Keys per block: a 16-key rescan and a 16-minimum scan balance each other at 256 slots.
const BLOCK: usize = 16;
const BLOCKS: usize = MAX_LEN / BLOCK;

/// The buffers of one merge, kept by the thread between calls.
pub(super) struct BlockMerge {
    /// The token of the part starting at each slot.
    token: [Rank; MAX_LEN],
    /// The slot of the next part (`len` after the last one).
    next: [u16; MAX_LEN],
    /// The slot of the previous part.
    prev: [u16; MAX_LEN],
    /// The key of the pair starting at each slot (`NONE`: no next part, or no token).
    keys: [u64; MAX_LEN],
    /// The smallest key of each block of `keys`.
    block_min: [u64; BLOCKS],
}

impl BlockMerge {
    pub(super) const fn new() -> Self {
        BlockMerge {
            token: [0; MAX_LEN],
            next: [0; MAX_LEN],
            prev: [0; MAX_LEN],
            keys: [NONE; MAX_LEN],
            block_min: [NONE; BLOCKS],
        }
    }

    /// Appends the merge of `piece` (2 to `MAX_LEN` bytes) to `out`.
    pub(super) fn merge(
        &mut self,
        vocab: &Vocab,
        memo: &mut PairMemo,
        piece: &[u8],
        out: &mut Vec<Rank>,
    ) {
        // A longer piece would index past the arrays and panic: never cut it short silently.
        debug_assert!((2..=MAX_LEN).contains(&piece.len()));
        let len = piece.len();
        let blocks = len.div_ceil(BLOCK);
        for (slot, &byte) in piece.iter().enumerate() {
            self.token[slot] = vocab.byte_rank(byte);
            self.next[slot] = slot as u16 + 1;
            self.prev[slot] = (slot as u16).wrapping_sub(1);
        }
        for (slot, pair) in piece.windows(2).enumerate() {
            self.keys[slot] = key(vocab.byte_pair_rank(pair[0], pair[1]), slot);
        }
        // A finished merge leaves every key NONE, so these fills only guard the slots past `len`
        // against a merge that ever stopped early.
        self.keys[len.saturating_sub(1)..blocks * BLOCK].fill(NONE);
        for block in 0..blocks {
            self.rescan(block);
        }
        self.block_min[blocks..].fill(NONE);
        loop {
            let top = smallest(&self.block_min);
            if top == NONE {
                break;
            }
            let rank = (top >> 32) as Rank;
            let slot = (top & u64::from(u32::MAX)) as usize;
            let merged = usize::from(self.next[slot]);
            let after = usize::from(self.next[merged]);
            self.token[slot] = rank;
            self.next[slot] = after as u16;
            self.keys[merged] = NONE;
            self.keys[slot] = if after < len {
                self.prev[after] = slot as u16;
                key(self.pair_rank(vocab, memo, piece, slot), slot)
            } else {
                NONE
            };
            // `before < slot < merged`: rescan each of their blocks once.
            let before = if slot > 0 {
                let before = usize::from(self.prev[slot]);
                self.keys[before] = key(self.pair_rank(vocab, memo, piece, before), before);
                before
            } else {
                slot
            };
            self.rescan(slot / BLOCK);
            if before / BLOCK != slot / BLOCK {
                self.rescan(before / BLOCK);
            }
            if merged / BLOCK != slot / BLOCK {
                self.rescan(merged / BLOCK);
            }
        }
        let mut slot = 0;
        while slot < len {
            out.push(self.token[slot]);
            slot = usize::from(self.next[slot]);
        }
    }

    /// The rank of the pair of parts starting at `slot` (which must have a next part).
    #[inline]
    fn pair_rank(&self, vocab: &Vocab, memo: &mut PairMemo, piece: &[u8], slot: usize) -> Rank {
        let right = usize::from(self.next[slot]);
        let end = usize::from(self.next[right]);
        memo.parts_rank(vocab, piece, &self.token, slot, right, end)
    }

    /// Recomputes the smallest key of one block.
    #[inline]
    fn rescan(&mut self, block: usize) {
        self.block_min[block] = smallest(&self.keys[block * BLOCK..][..BLOCK]);
    }
}

/// The smallest of 16 keys, by halving: four dependent steps rather than fifteen, since this is on
/// the path from one merge to the next.
#[inline]
fn smallest(keys: &[u64]) -> u64 {
    // One bounds check up front; the 16 reads below are then proven in bounds.
    let keys = &keys[..16];
    let mut half = [0u64; 8];
    for i in 0..8 {
        half[i] = keys[i].min(keys[i + 8]);
    }
    let quarter = [
        half[0].min(half[4]),
        half[1].min(half[5]),
        half[2].min(half[6]),
        half[3].min(half[7]),
    ];
    quarter[0].min(quarter[2]).min(quarter[1].min(quarter[3]))
}
