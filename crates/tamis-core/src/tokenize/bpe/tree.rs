//! tiktoken's merge in O(n log n): the parts of the piece form a linked list over fixed slots (one
//! per byte, a part keeps the slot of its first byte), and a tournament tree over the slots holds
//! the smallest `(pair rank, slot)` at its root. Slots keep the left-to-right order, so the root is
//! the lowest pair and the leftmost on ties, exactly tiktoken's choice. A merge changes three
//! leaves (the pair merged away, and the new pairs on both sides), each a walk up the tree with no
//! branch to mispredict; nothing is shifted in memory, unlike the plain scan.

use super::{NONE, PairMemo, key};
use crate::tokenize::vocab::{Rank, Vocab};

/// The buffers of one merge, kept between calls to spare allocations.
pub(super) struct TreeMerge {
    /// The token of the part starting at each slot.
    token: Vec<Rank>,
    /// The slot of the next part (`len` after the last one).
    next: Vec<u32>,
    /// The slot of the previous part.
    prev: Vec<u32>,
    /// `tree[leaves + slot]` is the key of the pair starting at `slot`; each inner node holds the
    /// smaller key of its two children.
    tree: Vec<u64>,
}

impl TreeMerge {
    pub(super) const fn new() -> Self {
        TreeMerge {
            token: Vec::new(),
            next: Vec::new(),
            prev: Vec::new(),
            tree: Vec::new(),
        }
    }

    /// Appends the merge of `piece` (at least 2 bytes) to `out`.
    pub(super) fn merge(
        &mut self,
        vocab: &Vocab,
        memo: &mut PairMemo,
        piece: &[u8],
        out: &mut Vec<Rank>,
    ) {
        let len = piece.len();
        let leaves = len.next_power_of_two();
        self.token.clear();
        self.token.extend(piece.iter().map(|&b| vocab.byte_rank(b)));
        self.next.clear();
        self.next.extend(1..=len as u32);
        self.prev.clear();
        self.prev
            .extend((0..len as u32).map(|slot| slot.wrapping_sub(1)));
        self.tree.clear();
        self.tree.resize(2 * leaves, NONE);
        for (slot, pair) in piece.windows(2).enumerate() {
            self.tree[leaves + slot] = key(vocab.byte_pair_rank(pair[0], pair[1]), slot);
        }
        for node in (1..leaves).rev() {
            self.tree[node] = self.tree[2 * node].min(self.tree[2 * node + 1]);
        }
        loop {
            let top = self.tree[1];
            if top == NONE {
                break;
            }
            let rank = (top >> 32) as Rank;
            let slot = (top & u64::from(u32::MAX)) as usize;
            let merged = self.next[slot] as usize;
            let after = self.next[merged] as usize;
            self.token[slot] = rank;
            self.next[slot] = after as u32;
            self.set(leaves, merged, NONE);
            let pair = if after < len {
                self.prev[after] = slot as u32;
                key(self.pair_rank(vocab, memo, piece, slot), slot)
            } else {
                NONE
            };
            self.set(leaves, slot, pair);
            if slot > 0 {
                let before = self.prev[slot] as usize;
                let pair = key(self.pair_rank(vocab, memo, piece, before), before);
                self.set(leaves, before, pair);
            }
        }
        let mut slot = 0;
        while slot < len {
            out.push(self.token[slot]);
            slot = self.next[slot] as usize;
        }
    }

    /// The rank of the pair of parts starting at `slot` (which must have a next part).
    #[inline]
    fn pair_rank(&self, vocab: &Vocab, memo: &mut PairMemo, piece: &[u8], slot: usize) -> Rank {
        let right = self.next[slot] as usize;
        let end = self.next[right] as usize;
        memo.parts_rank(vocab, piece, &self.token, slot, right, end)
    }

    /// Sets a leaf and recomputes its ancestors. The running minimum stays in a register: each
    /// level reads only the sibling, never the node just written.
    #[inline]
    fn set(&mut self, leaves: usize, slot: usize, key: u64) {
        let mut node = leaves + slot;
        let mut smallest = key;
        self.tree[node] = smallest;
        while node > 1 {
            smallest = smallest.min(self.tree[node ^ 1]);
            node /= 2;
            self.tree[node] = smallest;
        }
    }
}
