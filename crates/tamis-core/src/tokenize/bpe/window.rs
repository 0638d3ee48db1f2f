//! Merging a long piece window by window, with each junction between windows proven exact.

use super::{compatible, merge};
use crate::tokenize::vocab::{Rank, Vocab};

/// Merges a piece window by window and proves the result equal to merging it whole.
///
/// A token sequence is the merge result of its own bytes exactly when each adjacent pair is
/// "compatible": merging the bytes of the two tokens alone gives back those two tokens (the
/// characterisation behind GitHub's `bpe` crate). Pairs inside one window's result are compatible
/// since that result is a merge result; so only the pair at each junction between windows needs
/// checking. When a junction fails (a committed token depended on text past its window), the
/// last committed token is taken back and the window doubles; a window as long as the piece is
/// the plain whole merge.
pub(super) fn merge_windowed(
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
    // Scratch buffers of the junction checks.
    let (mut joined, mut merged) = (Vec::new(), Vec::new());
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
                    || compatible(vocab, left, right, &mut joined, &mut merged) && {
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
