//! Byte-pair merging of one piece, with tiktoken's rule: repeatedly merge the adjacent pair whose
//! concatenation has the lowest rank (the leftmost one on ties) until no pair is a token.
//!
//! - short pieces: a plain scan for the lowest pair ([`merge_short`]);
//! - pieces up to a window's length: pair keys in blocks with their minima kept ([`blocks`]);
//! - longer ones: a tournament tree over the pairs, O(n log n) ([`tree`]);
//! - long pieces are cut into windows whose junctions are proven exact, so the work stays
//!   linear and in cache however long the piece ([`window`]).

mod blocks;
mod piece_cache;
mod tree;
mod window;

use super::vocab::{Rank, Vocab, pack};
use blocks::BlockMerge;
use piece_cache::PieceCache;
use std::cell::RefCell;
use tree::TreeMerge;
pub(crate) use window::join_merged;
use window::merge_windowed;

/// Up to this length the plain scan for the lowest pair is fastest; past it the blocks, and past
/// `blocks::MAX_LEN` the tree.
const SHORT_PIECE: usize = 24;

/// Pieces up to this length are merged in buffers kept by the thread; longer ones (only when a
/// window had to grow to the whole piece) get their own, freed after.
const KEPT_BUFFERS: usize = 4096;

/// Long pieces are merged window by window (see [`merge_windowed`]): each window commits the
/// tokens of its first `WINDOW` bytes and looks `LOOKAHEAD` bytes further so that the last
/// committed tokens rarely depend on text past the window. A window and its lookahead fill the
/// block merge (256 bytes, whose state stays in cache); a window grows where text needs it (long
/// runs of spaces make long tokens), and then takes the tree. Windows of 112 bytes, as before,
/// merged random lowercase and CJK 12-16% slower on one thread: more of the text merged twice (the
/// lookahead), and twice the junctions to check.
const WINDOW: usize = 240;
const LOOKAHEAD: usize = 16;
const _: () = assert!(WINDOW + LOOKAHEAD <= blocks::MAX_LEN);

/// Appends the tokens of `piece` to `out`.
pub(crate) fn encode_piece(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    with_piece_encoder(vocab, |encoder| encoder.encode(piece, out));
}

/// Runs `work` with an encoder of pieces that holds this thread's piece cache throughout: looking
/// the cache up in thread-local storage once per text, not once per piece (from the extension, a
/// call to `__tls_get_addr` each time). `work` must not start parallel work (a task of another text
/// run on this thread meanwhile would find the cache taken, and encode without it).
pub(crate) fn with_piece_encoder<R>(vocab: &Vocab, work: impl FnOnce(&mut PieceEncoder) -> R) -> R {
    PIECES.with(|pieces| match pieces.try_borrow_mut() {
        Ok(mut pieces) => work(&mut PieceEncoder {
            vocab,
            pieces: Some(pieces.for_vocab(vocab)),
        }),
        Err(_) => work(&mut PieceEncoder {
            vocab,
            pieces: None,
        }),
    })
}

/// See [`with_piece_encoder`].
pub(crate) struct PieceEncoder<'a> {
    vocab: &'a Vocab,
    /// `None` only when the cache is taken by an encoder further up this thread's stack.
    pieces: Option<&'a mut PieceCache>,
}

impl PieceEncoder<'_> {
    /// Appends the tokens of `piece` to `out`.
    #[inline]
    pub(crate) fn encode(&mut self, piece: &[u8], out: &mut Vec<Rank>) {
        let vocab = self.vocab;
        // Pieces of one or two bytes (punctuation, digits, letters between case changes) are many,
        // and their tables answer without hashing.
        match *piece {
            [byte] => out.push(vocab.byte_rank(byte)),
            [first, second] => match vocab.byte_pair_rank(first, second) {
                Rank::MAX => out.extend([vocab.byte_rank(first), vocab.byte_rank(second)]),
                rank => out.push(rank),
            },
            _ => {
                let rank = match (pack(piece), self.pieces.as_deref_mut()) {
                    (Some(key), Some(pieces)) => pieces.rank(vocab, key),
                    (Some(key), None) => vocab.packed_rank(key),
                    (None, _) => vocab.rank(piece).unwrap_or(Rank::MAX),
                };
                if rank == Rank::MAX {
                    merge_windowed(vocab, piece, WINDOW, LOOKAHEAD, out);
                } else {
                    out.push(rank);
                }
            }
        }
    }
}

/// Appends the merge of `part`, a stretch of a long piece, as if it were a piece of its own (no
/// whole-piece lookup): the parts of a long piece are merged apart, then joined by [`join_merged`].
pub(crate) fn merge_part(vocab: &Vocab, part: &[u8], out: &mut Vec<Rank>) {
    merge_windowed(vocab, part, WINDOW, LOOKAHEAD, out);
}

/// The merge of `piece` (without the whole-piece lookup), in one go.
fn merge(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    STATE.with_borrow_mut(|state| {
        let MergeState {
            memo, blocks, tree, ..
        } = state;
        let memo = memo.for_vocab(vocab);
        if piece.len() <= SHORT_PIECE {
            merge_short(vocab, memo, piece, out);
        } else if piece.len() <= blocks::MAX_LEN {
            blocks.merge(vocab, memo, piece, out);
        } else if piece.len() <= KEPT_BUFFERS {
            tree.merge(vocab, memo, piece, out);
        } else {
            TreeMerge::new().merge(vocab, memo, piece, out);
        }
    });
}

/// No pair, for the merges that keep a key per pair: sorts after every real key, whose rank is far
/// below `u32::MAX`.
const NONE: u64 = u64::MAX;

/// A pair's key in those merges: by rank, then by slot, so the smallest is tiktoken's choice.
#[inline]
fn key(rank: Rank, slot: usize) -> u64 {
    if rank == Rank::MAX {
        NONE
    } else {
        (u64::from(rank) << 32) | slot as u64
    }
}

/// Whether merging the bytes of `left` then `right` gives exactly `[left, right]`. `joined` and
/// `merged` are scratch buffers.
fn compatible(
    vocab: &Vocab,
    left: Rank,
    right: Rank,
    joined: &mut Vec<u8>,
    merged: &mut Vec<Rank>,
) -> bool {
    let (Some(left_bytes), Some(right_bytes)) = (vocab.token_bytes(left), vocab.token_bytes(right))
    else {
        return false;
    };
    joined.clear();
    joined.extend_from_slice(left_bytes);
    joined.extend_from_slice(right_bytes);
    merged.clear();
    merge(vocab, joined, merged);
    merged[..] == [left, right]
}

/// A per-thread memo of the rank of two adjacent tokens' concatenation, keyed by the token pair:
/// the same pairs come up again and again, and a small direct-mapped table stays in cache where
/// the token table does not.
pub(super) struct PairMemo {
    vocab: u64,
    /// `(left << 32 | right, rank)`: key and rank side by side, so a hit reads one cache line.
    entries: Vec<(u64, Rank)>,
}

const MEMO_BITS: u32 = 12;
/// No pair has this key: ranks stay far below `u32::MAX`.
const NO_PAIR: u64 = u64::MAX;

impl PairMemo {
    pub(super) const fn new() -> Self {
        PairMemo {
            vocab: 0,
            entries: Vec::new(),
        }
    }

    /// The memo for `vocab`, emptied if it held another table's pairs.
    fn for_vocab(&mut self, vocab: &Vocab) -> &mut Self {
        if self.vocab != vocab.id() || self.entries.is_empty() {
            self.vocab = vocab.id();
            self.entries = vec![(NO_PAIR, Rank::MAX); 1 << MEMO_BITS];
        }
        self
    }

    /// The rank of `joined`, the bytes of `left` then `right`, if the two merge: `Rank::MAX` for a
    /// pair that never does, whatever its bytes. (Inlined in every merge loop: called through a
    /// function, it cost real text 5% more instructions.)
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub(super) fn rank(&mut self, vocab: &Vocab, left: Rank, right: Rank, joined: &[u8]) -> Rank {
        // Most pairs of random text never merge: the filter (in cache) says so without reading
        // the memo or the token table.
        if !vocab.may_merge(left, right) {
            return Rank::MAX;
        }
        let key = (u64::from(left) << 32) | u64::from(right);
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - MEMO_BITS)) as usize;
        let entry = &mut self.entries[slot];
        if entry.0 == key {
            return entry.1;
        }
        let rank = vocab.rank(joined).unwrap_or(Rank::MAX);
        *entry = (key, rank);
        rank
    }

    /// The rank of the parts `piece[left..right]` and `piece[right..end]`, whose tokens are
    /// `tokens[left]` and `tokens[right]` (the linked-slot layout of the longer merges).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub(super) fn parts_rank(
        &mut self,
        vocab: &Vocab,
        piece: &[u8],
        tokens: &[Rank],
        left: usize,
        right: usize,
        end: usize,
    ) -> Rank {
        self.rank(vocab, tokens[left], tokens[right], &piece[left..end])
    }
}

/// What a thread keeps between merges.
struct MergeState {
    memo: PairMemo,
    blocks: BlockMerge,
    tree: TreeMerge,
}

thread_local! {
    static STATE: RefCell<MergeState> = const {
        RefCell::new(MergeState {
            memo: PairMemo::new(),
            blocks: BlockMerge::new(),
            tree: TreeMerge::new(),
        })
    };
    /// Apart from the merges' state: a [`PieceEncoder`] holds it while merges come and go.
    static PIECES: RefCell<PieceCache> = const { RefCell::new(PieceCache::new()) };
}

/// The merge of a piece of at most `SHORT_PIECE` bytes, as tiktoken does it: scan for the lowest
/// pair, merge it, repeat. Parts form a linked list over fixed slots on the stack (one per byte,
/// a part keeps the slot of its first byte), so a merge moves nothing, and the scan over the
/// slots' pair ranks finds the leftmost lowest pair first.
fn merge_short(vocab: &Vocab, memo: &mut PairMemo, piece: &[u8], out: &mut Vec<Rank>) {
    let len = piece.len().min(SHORT_PIECE);
    // The token of the part starting at each slot, the slots of the next and previous parts, and
    // the rank of the pair a part forms with the next one (`Rank::MAX`: none, or no token).
    let mut tokens = [0 as Rank; SHORT_PIECE];
    let mut next = [0u8; SHORT_PIECE];
    let mut prev = [0u8; SHORT_PIECE];
    let mut pairs = [Rank::MAX; SHORT_PIECE];
    for (slot, &byte) in piece[..len].iter().enumerate() {
        tokens[slot] = vocab.byte_rank(byte);
        next[slot] = slot as u8 + 1;
        prev[slot] = (slot as u8).wrapping_sub(1);
    }
    for slot in 1..len {
        pairs[slot - 1] = vocab.byte_pair_rank(piece[slot - 1], piece[slot]);
    }
    // The rank of the pair of parts starting at `slot`, which has a next part.
    let pair_rank = |tokens: &[Rank], next: &[u8], memo: &mut PairMemo, slot: usize| {
        short_pair_rank(vocab, memo, piece, len, tokens, next, slot)
    };
    loop {
        let (mut lowest, mut slot) = (Rank::MAX, 0);
        for (at, &rank) in pairs[..len].iter().enumerate() {
            if rank < lowest {
                (lowest, slot) = (rank, at);
            }
        }
        if lowest == Rank::MAX {
            break;
        }
        let merged = usize::from(next[slot]);
        let after = usize::from(next[merged]);
        tokens[slot] = lowest;
        pairs[merged] = Rank::MAX;
        next[slot] = after as u8;
        pairs[slot] = if after < len {
            prev[after] = slot as u8;
            pair_rank(&tokens, &next, memo, slot)
        } else {
            Rank::MAX
        };
        if slot > 0 {
            let before = usize::from(prev[slot]);
            pairs[before] = pair_rank(&tokens, &next, memo, before);
        }
    }
    let mut slot = 0;
    while slot < len {
        out.push(tokens[slot]);
        slot = usize::from(next[slot]);
    }
}

/// The rank of the pair of parts starting at `slot` in [`merge_short`], which has a next part. (A
/// function that is always inlined: as a closure it was called, not inlined.)
#[allow(clippy::inline_always)]
#[inline(always)]
fn short_pair_rank(
    vocab: &Vocab,
    memo: &mut PairMemo,
    piece: &[u8],
    len: usize,
    tokens: &[Rank],
    next: &[u8],
    slot: usize,
) -> Rank {
    let right = usize::from(next[slot]);
    let end = next
        .get(right)
        .map_or(len, |&end| usize::from(end))
        .min(len);
    memo.rank(vocab, tokens[slot], tokens[right], &piece[slot..end])
}

#[cfg(test)]
pub(super) mod tests;
