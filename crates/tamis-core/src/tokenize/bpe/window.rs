//! Merging a long piece window by window, with each junction between windows proven exact.

use super::{LOOKAHEAD, WINDOW, compatible, merge};
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
    // Most pieces fit one window: they skip the setup below (its table is 512 bytes to fill).
    if window >= piece.len() {
        merge(vocab, piece, out);
        return;
    }
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

/// How many tokens a join may take back or look ahead before giving up (fewer in the tests, so
/// that they give up too).
const JOIN_REACH: usize = if cfg!(test) { 8 } else { 64 };

/// Appends `right`, the merge of `piece[cut..]` on its own, to `out`, whose tokens from `first` on
/// are the merge of `piece[..cut]`, so that together they are the merge of the whole `piece`;
/// `false`, with `out` unchanged, when the two merges do not come to agree near the junction.
///
/// The two merges concatenated are the merge of the whole when the pair at the junction is
/// compatible (see [`merge_windowed`]). Otherwise a region around the junction is merged again: it
/// starts a token or two back in `out` (more if its first token is not compatible with the token
/// before it) and reaches a few tokens into `right`, and the result switches from the region's
/// tokens to `right`'s at the first place where both have a token boundary and the pair there is
/// compatible. In text the two merges agree again within a token or two. In a run of one repeated
/// character cut at another phase they never do: after [`JOIN_REACH`] tokens the caller merges the
/// piece whole instead (cheap for such runs, whose windows repeat).
pub(crate) fn join_merged(
    vocab: &Vocab,
    piece: &[u8],
    cut: usize,
    out: &mut Vec<Rank>,
    first: usize,
    right: &[Rank],
) -> bool {
    let (mut joined, mut merged) = (Vec::new(), Vec::new());
    let mut compatible_pair =
        |left: Rank, right: Rank| compatible(vocab, left, right, &mut joined, &mut merged);
    let Some(&last) = out[first..].last() else {
        out.extend_from_slice(right);
        return true;
    };
    if right
        .first()
        .is_none_or(|&next| compatible_pair(last, next))
    {
        out.extend_from_slice(right);
        return true;
    }
    let bytes_of = |tokens: &[Rank]| -> usize { tokens.iter().map(|&t| vocab.token_len(t)).sum() };
    let mut region = Vec::new();
    let (mut back, mut ahead) = (1, 4);
    while back <= JOIN_REACH && ahead <= JOIN_REACH {
        let kept = out.len() - back.min(out.len() - first);
        let taken = ahead.min(right.len());
        let start = cut - bytes_of(&out[kept..]);
        region.clear();
        merge_windowed(
            vocab,
            &piece[start..cut + bytes_of(&right[..taken])],
            WINDOW,
            LOOKAHEAD,
            &mut region,
        );
        let left_ok = kept == first
            || region
                .first()
                .is_some_and(|&next| compatible_pair(out[kept - 1], next));
        if !left_ok {
            back *= 2;
            continue;
        }
        let switch = if taken == right.len() {
            Some((region.len(), taken))
        } else {
            shared_boundaries(vocab, &region, start, right, cut, taken).find(
                |&(in_region, in_right)| compatible_pair(region[in_region - 1], right[in_right]),
            )
        };
        if let Some((in_region, in_right)) = switch {
            out.truncate(kept);
            out.extend_from_slice(&region[..in_region]);
            out.extend_from_slice(&right[in_right..]);
            return true;
        }
        ahead *= 2;
    }
    false
}

/// The places where a token of `region` (which starts at byte `region_start`) ends at the same
/// byte as one of the first `within` tokens of `right` (which starts at byte `right_start`), as
/// `(tokens of region before it, tokens of right before it)`, both counts at least 1.
fn shared_boundaries<'a>(
    vocab: &'a Vocab,
    region: &'a [Rank],
    region_start: usize,
    right: &'a [Rank],
    right_start: usize,
    within: usize,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let ends = |tokens: &'a [Rank], start: usize| {
        tokens.iter().scan(start, move |end, &token| {
            *end += vocab.token_len(token);
            Some(*end)
        })
    };
    let mut right_ends = ends(&right[..within], right_start).enumerate().peekable();
    ends(region, region_start)
        .enumerate()
        .filter_map(move |(in_region, end)| {
            while right_ends
                .next_if(|&(_, right_end)| right_end < end)
                .is_some()
            {}
            let &(in_right, right_end) = right_ends.peek()?;
            (right_end == end).then_some((in_region + 1, in_right + 1))
        })
}
