//! Byte-pair merging of one piece, with tiktoken's rule: repeatedly merge the adjacent pair whose
//! concatenation has the lowest rank (the leftmost one on ties) until no pair is a token.

use super::vocab::{Rank, Vocab};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Up to this length the plain scan for the lowest pair is fastest; past it a heap keeps long
/// pieces at O(n log n) instead of O(n²).
const SHORT_PIECE: usize = 80;

/// Long pieces are merged window by window (see [`merge_windowed`]): each window commits the
/// tokens of its first `WINDOW` bytes and looks `LOOKAHEAD` bytes further so that the last
/// committed tokens rarely depend on text past the window. Small windows fit the plain scan and
/// the cache; a window grows where text needs it (long runs of spaces make long tokens).
const WINDOW: usize = 64;
const LOOKAHEAD: usize = 16;

/// Appends the tokens of `piece` to `out`.
pub(crate) fn encode_piece(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    if let Some(rank) = vocab.rank(piece) {
        out.push(rank);
    } else {
        merge_windowed(vocab, piece, WINDOW, LOOKAHEAD, out);
    }
}

/// The merge of `piece` (without the whole-piece lookup), the plain way for short pieces.
fn merge(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    if piece.len() <= SHORT_PIECE {
        merge_short(vocab, piece, out);
    } else {
        merge_long(vocab, piece, out);
    }
}

/// Merges a piece window by window and proves the result equal to merging it whole.
///
/// A token sequence is the merge result of its own bytes exactly when each adjacent pair is
/// "compatible": merging the bytes of the two tokens alone gives back those two tokens (the
/// characterisation behind GitHub's `bpe` crate). Pairs inside one window's result are compatible
/// since that result is a merge result; so only the pair at each junction between windows needs
/// checking. When a junction fails (a committed token depended on text past its window), the
/// last committed token is taken back and the window doubles; a window as long as the piece is
/// the plain whole merge.
fn merge_windowed(
    vocab: &Vocab,
    piece: &[u8],
    mut window: usize,
    mut lookahead: usize,
    out: &mut Vec<Rank>,
) {
    let first_of_piece = out.len();
    let mut start = 0;
    let mut tokens = Vec::new();
    // Junctions repeat in repetitive text, and checking one costs a merge of both tokens' bytes:
    // remember the compatible pairs seen last, in a small direct-mapped table.
    let mut known_compatible = [(Rank::MAX, Rank::MAX); 64];
    // The bytes whose merge `tokens` holds.
    let mut merged_window: Option<(usize, usize)> = None;
    loop {
        if window >= piece.len() {
            out.truncate(first_of_piece);
            merge(vocab, piece, out);
            return;
        }
        let end = piece.len().min(start + window + lookahead);
        // A run of one repeated character (spaces, newlines, `aaaa`) gives the same window
        // again and again: its merge is already in `tokens`.
        let repeated = merged_window.is_some_and(|(from, to)| piece[from..to] == piece[start..end]);
        if !repeated {
            tokens.clear();
            merge(vocab, &piece[start..end], &mut tokens);
            merged_window = Some((start, end));
        }
        let junction_ok = match (out[first_of_piece..].last(), tokens.first()) {
            (Some(&left), Some(&right)) => {
                let slot = (left.wrapping_mul(31) ^ right) as usize % known_compatible.len();
                known_compatible[slot] == (left, right)
                    || compatible(vocab, left, right) && {
                        known_compatible[slot] = (left, right);
                        true
                    }
            }
            _ => true,
        };
        let mut committed_end = start;
        let mut committed = 0;
        if junction_ok {
            if end == piece.len() {
                out.extend_from_slice(&tokens);
                return;
            }
            for &token in &tokens {
                let len = vocab.token_len(token);
                if committed_end + len > start + window {
                    break;
                }
                committed_end += len;
                committed += 1;
            }
        } else if out.len() > first_of_piece {
            let uncommitted = out.pop().unwrap_or_default();
            start -= vocab.token_len(uncommitted);
        }
        if committed == 0 {
            window *= 2;
            lookahead = (lookahead * 2).max(1);
            continue;
        }
        out.extend_from_slice(&tokens[..committed]);
        start = committed_end;
    }
}

/// Whether merging the bytes of `left` then `right` gives exactly `[left, right]`.
fn compatible(vocab: &Vocab, left: Rank, right: Rank) -> bool {
    let (Some(left_bytes), Some(right_bytes)) = (vocab.token_bytes(left), vocab.token_bytes(right))
    else {
        return false;
    };
    let joined = [left_bytes, right_bytes].concat();
    let mut merged = Vec::with_capacity(2);
    merge(vocab, &joined, &mut merged);
    merged == [left, right]
}

/// The merge of a piece of at most `SHORT_PIECE` bytes, as tiktoken does it: scan for the lowest
/// pair, merge it, repeat. Parts live in parallel arrays on the stack, so the scan is a plain
/// minimum over `pairs`, which the compiler vectorises.
fn merge_short(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    debug_assert!(piece.len() <= SHORT_PIECE);
    let mut len = piece.len().min(SHORT_PIECE);
    // Where each part starts, its token, and the rank of the pair it forms with the next part
    // (`Rank::MAX` if that pair is no token).
    let mut starts = [0u8; SHORT_PIECE + 1];
    let mut tokens = [0 as Rank; SHORT_PIECE];
    let mut pairs = [Rank::MAX; SHORT_PIECE];
    for (i, &byte) in piece[..len].iter().enumerate() {
        starts[i] = i as u8;
        tokens[i] = vocab.byte_rank(byte);
        pairs[i] = pair_rank(vocab, piece, i, i + 2);
    }
    starts[len] = len as u8;
    loop {
        let lowest = pairs[..len].iter().copied().min().unwrap_or(Rank::MAX);
        if lowest == Rank::MAX {
            break;
        }
        let Some(i) = pairs[..len].iter().position(|&rank| rank == lowest) else {
            break;
        };
        tokens[i] = lowest;
        starts.copy_within(i + 2..=len, i + 1);
        tokens.copy_within(i + 2..len, i + 1);
        pairs.copy_within(i + 2..len, i + 1);
        len -= 1;
        // The pair starting at part `p` ends where part `p + 2` starts.
        let rank_from = |p: usize| {
            if p + 2 > len {
                return Rank::MAX;
            }
            let (start, end) = (usize::from(starts[p]), usize::from(starts[p + 2]));
            vocab.rank(&piece[start..end]).unwrap_or(Rank::MAX)
        };
        pairs[i] = rank_from(i);
        if i > 0 {
            pairs[i - 1] = rank_from(i - 1);
        }
    }
    out.extend_from_slice(&tokens[..len]);
}

/// The rank of `piece[start..end]` if it spans two parts and is a token.
fn pair_rank(vocab: &Vocab, piece: &[u8], start: usize, end: usize) -> Rank {
    if end > piece.len() {
        return Rank::MAX;
    }
    vocab.rank(&piece[start..end]).unwrap_or(Rank::MAX)
}

/// The same merge on a linked list of parts, with the candidate pairs in a min-heap keyed by
/// (rank, start). Entries are not removed when a merge changes a pair: a popped entry is acted on
/// only if it still matches its part's current pair (a part's pair only ever grows, and a rank
/// names one byte string, so a matching entry is the current pair).
fn merge_long(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    let len = piece.len();
    let mut next: Vec<usize> = (1..=len).collect();
    let mut prev: Vec<usize> = (0..len).map(|i| i.wrapping_sub(1)).collect();
    let mut token: Vec<Rank> = piece.iter().map(|&b| vocab.byte_rank(b)).collect();
    let mut pair: Vec<Rank> = (0..len)
        .map(|i| pair_rank(vocab, piece, i, i + 2))
        .collect();
    let key = |rank: Rank, start: usize| Reverse((u64::from(rank) << 32) | start as u64);
    let mut heap: BinaryHeap<_> = pair
        .iter()
        .enumerate()
        .filter(|&(_, &rank)| rank != Rank::MAX)
        .map(|(start, &rank)| key(rank, start))
        .collect();
    while let Some(Reverse(entry)) = heap.pop() {
        let rank = (entry >> 32) as Rank;
        let i = (entry & u64::from(u32::MAX)) as usize;
        if pair[i] != rank {
            continue;
        }
        let merged = next[i];
        let after = next[merged];
        token[i] = rank;
        pair[merged] = Rank::MAX;
        next[i] = after;
        if after < len {
            prev[after] = i;
            pair[i] = pair_rank(vocab, piece, i, next[after]);
            if pair[i] != Rank::MAX {
                heap.push(key(pair[i], i));
            }
        } else {
            pair[i] = Rank::MAX;
        }
        if i > 0 {
            let before = prev[i];
            pair[before] = pair_rank(vocab, piece, before, after);
            if pair[before] != Rank::MAX {
                heap.push(key(pair[before], before));
            }
        }
    }
    let mut i = 0;
    while i < len {
        out.push(token[i]);
        i = next[i];
    }
}

#[cfg(test)]
mod tests;
