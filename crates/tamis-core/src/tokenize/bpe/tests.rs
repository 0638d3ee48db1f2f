use super::*;
use crate::tokenize::test_rng::TestRng;

/// The plain scan merge (pieces of at most `SHORT_PIECE` bytes).
fn scan_merge(vocab: &Vocab, piece: &[u8]) -> Vec<Rank> {
    let mut memo = PairMemo::new();
    let mut out = Vec::new();
    merge_short(vocab, memo.for_vocab(vocab), piece, &mut out);
    out
}

/// The tournament-tree merge, whole, whatever the length.
fn tree_merge(vocab: &Vocab, piece: &[u8]) -> Vec<Rank> {
    let mut memo = PairMemo::new();
    let mut out = Vec::new();
    TreeMerge::new().merge(vocab, memo.for_vocab(vocab), piece, &mut out);
    out
}

/// The block merge (pieces of at most `blocks::MAX_LEN` bytes).
fn block_merge(vocab: &Vocab, piece: &[u8]) -> Vec<Rank> {
    let mut memo = PairMemo::new();
    let mut out = Vec::new();
    BlockMerge::new().merge(vocab, memo.for_vocab(vocab), piece, &mut out);
    out
}

/// tiktoken's merge loop, written as plainly as possible: scan for the lowest pair, merge, repeat.
pub(crate) fn reference_merge(vocab: &Vocab, piece: &[u8]) -> Vec<Rank> {
    let mut parts: Vec<Vec<u8>> = piece.iter().map(|&b| vec![b]).collect();
    loop {
        let best = (0..parts.len().saturating_sub(1))
            .filter_map(|i| {
                vocab
                    .rank(&[parts[i].clone(), parts[i + 1].clone()].concat())
                    .map(|r| (r, i))
            })
            .min();
        let Some((_, i)) = best else { break };
        let right = parts.remove(i + 1);
        parts[i].extend(right);
    }
    parts.iter().map(|p| vocab.rank(p).unwrap()).collect()
}

/// A small vocabulary over a 3-letter alphabet with merges in random rank order, so that the
/// non-monotone and tie cases all occur.
pub(crate) fn small_vocab(rng: &mut TestRng) -> Vocab {
    let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
    let mut extra: Vec<Vec<u8>> = Vec::new();
    for _ in 0..60 {
        let len = 2 + rng.below(6);
        let token: Vec<u8> = (0..len).map(|_| *rng.pick(b"abc")).collect();
        if !extra.contains(&token) {
            extra.push(token);
        }
    }
    // Interleave the multi-byte tokens with the bytes in rank order.
    for token in extra {
        let at = rng.below(tokens.len() + 1);
        tokens.insert(at, token);
    }
    Vocab::build(tokens.len(), |add| {
        for (rank, token) in tokens.iter().enumerate() {
            add(token, rank as Rank)?;
        }
        Ok(())
    })
    .unwrap()
}

#[test]
fn short_block_and_long_merges_equal_the_reference() {
    let mut rng = TestRng::new(0xb9e);
    for _ in 0..25 {
        let vocab = small_vocab(&mut rng);
        for _ in 0..50 {
            let len = 1 + rng.below(blocks::MAX_LEN);
            let piece: Vec<u8> = (0..len).map(|_| *rng.pick(b"aaabbc")).collect();
            let expected = reference_merge(&vocab, &piece);
            if piece.len() <= SHORT_PIECE {
                assert_eq!(
                    scan_merge(&vocab, &piece),
                    expected,
                    "scan merge of {piece:?}"
                );
            }
            if piece.len() >= 2 {
                let blocked = block_merge(&vocab, &piece);
                assert_eq!(blocked, expected, "block merge of {piece:?}");
            }
            let long = tree_merge(&vocab, &piece);
            let mut windowed = Vec::new();
            merge_windowed(
                &vocab,
                &piece,
                8 + rng.below(16),
                rng.below(16),
                &mut windowed,
            );
            assert_eq!(windowed, expected, "windowed merge of {piece:?}");
            let mut either = Vec::new();
            encode_piece(&vocab, &piece, &mut either);
            assert_eq!(long, expected, "tree merge of {piece:?}");
            // A piece that is itself a token is that token, even where merging would not get there.
            let expected_whole = vocab.rank(&piece).map_or(expected, |rank| vec![rank]);
            assert_eq!(either, expected_whole, "{piece:?}");
        }
    }
}

#[test]
fn windowed_merge_equals_whole_merge_on_real_vocabularies() {
    use crate::tokenize::Encoding;
    let mut rng = TestRng::new(0x51de);
    for name in ["r50k_base", "cl100k_base", "o200k_base"] {
        let encoding = Encoding::get(name).unwrap();
        let vocab = &encoding.vocab;
        for alphabet in [
            &b"a"[..],
            b"ab",
            b"abcdefghijklmnopqrstuvwxyz",
            b" ",
            b" \n",
            b"0123456789",
        ] {
            // Longer than `KEPT_BUFFERS`: the whole merge takes the path with its own buffers.
            let piece: Vec<u8> = (0..KEPT_BUFFERS + 500)
                .map(|_| *rng.pick(alphabet))
                .collect();
            let mut whole = Vec::new();
            merge(vocab, &piece, &mut whole);
            assert_eq!(whole, tree_merge(vocab, &piece), "{name}");
            for (window, lookahead) in [(64, 0), (64, 32), (256, 128)] {
                let mut windowed = Vec::new();
                merge_windowed(vocab, &piece, window, lookahead, &mut windowed);
                assert_eq!(windowed, whole, "{name} {window} {lookahead}");
            }
        }
    }
}

#[test]
fn tree_and_block_merges_equal_the_reference_on_real_vocabularies() {
    use crate::tokenize::Encoding;
    let mut rng = TestRng::new(0x7ee);
    let cjk = "\u{4e00}\u{4e8c}\u{4eba}\u{5927}\u{6587}\u{7684}\u{9f99}".as_bytes();
    let random_bytes: Vec<u8> = (0..=255).collect();
    for name in ["r50k_base", "cl100k_base", "o200k_base"] {
        let encoding = Encoding::get(name).unwrap();
        let vocab = &encoding.vocab;
        for alphabet in [
            &b"abcdefghijklmnopqrstuvwxyz"[..],
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            cjk,
            &random_bytes,
        ] {
            for len in [2, 25, 130, 256, 400] {
                let piece: Vec<u8> = (0..len).map(|_| *rng.pick(alphabet)).collect();
                let expected = reference_merge(vocab, &piece);
                assert_eq!(tree_merge(vocab, &piece), expected, "{name} {piece:?}");
                if len <= blocks::MAX_LEN {
                    assert_eq!(block_merge(vocab, &piece), expected, "{name} {piece:?}");
                }
                let mut merged = Vec::new();
                merge(vocab, &piece, &mut merged);
                assert_eq!(merged, expected, "{name} {piece:?}");
            }
        }
    }
}

/// Joins the merges of `piece[..cut]` and `piece[cut..]` after a token of another piece; checks the
/// result against the plain merge, or that a refused join left the tokens alone. `Some(repaired)`
/// when joined (`true` if the two merges did not simply concatenate), `None` when refused.
fn check_join(vocab: &Vocab, piece: &[u8], cut: usize) -> Option<bool> {
    let expected = reference_merge(vocab, piece);
    let mut out = vec![Rank::from(b'z')];
    merge_part(vocab, &piece[..cut], &mut out);
    let mut right = Vec::new();
    merge_part(vocab, &piece[cut..], &mut right);
    let before = out.clone();
    let concatenated = [&out[1..], &right[..]].concat();
    if join_merged(vocab, piece, cut, &mut out, 1, &right) {
        assert_eq!(out[0], Rank::from(b'z'), "the token before the piece stays");
        assert_eq!(out[1..], expected, "{piece:?} cut at {cut}");
        Some(concatenated != expected)
    } else {
        assert_eq!(out, before, "a refused join leaves the tokens as they were");
        None
    }
}

#[test]
fn joined_merges_of_two_parts_equal_the_whole_merge() {
    let mut rng = TestRng::new(0x701d);
    let mut repaired = 0;
    for _ in 0..25 {
        let vocab = small_vocab(&mut rng);
        for _ in 0..80 {
            let len = 2 + rng.below(300);
            let piece: Vec<u8> = (0..len).map(|_| *rng.pick(b"aaabbc")).collect();
            let cut = 1 + rng.below(len - 1);
            repaired += usize::from(check_join(&vocab, &piece, cut) == Some(true));
        }
    }
    assert!(repaired > 50, "only {repaired} joins needed a repair");
}

#[test]
fn joins_in_a_run_cut_out_of_phase_are_refused() {
    // A run of `a` merges into `aaaa` from its start: cut at another phase, the part after the
    // cut is merged in blocks that never line up with the whole merge's.
    let tokens: Vec<Vec<u8>> = (0..=255u8)
        .map(|b| vec![b])
        .chain([b"aa".to_vec(), b"aaaa".to_vec()])
        .collect();
    let vocab = Vocab::build(tokens.len(), |add| {
        for (rank, token) in tokens.iter().enumerate() {
            add(token, rank as Rank)?;
        }
        Ok(())
    })
    .unwrap();
    let run = vec![b'a'; 300];
    assert_eq!(check_join(&vocab, &run, 100), Some(false), "in phase");
    assert_eq!(check_join(&vocab, &run, 102), None, "out of phase");
    // Near the end of the run the join can take all that follows, and succeeds.
    assert_eq!(check_join(&vocab, &run, 298), Some(true));
}

#[test]
fn an_encoder_inside_another_encodes_without_the_taken_piece_cache_and_the_same() {
    let mut rng = TestRng::new(0x71c);
    let vocab = small_vocab(&mut rng);
    let pieces: Vec<Vec<u8>> = (0..200)
        .map(|_| {
            let len = 1 + rng.below(12);
            (0..len).map(|_| *rng.pick(b"aaabbc")).collect()
        })
        .collect();
    // tiktoken's rule: a piece that is a token is that token, merged or not.
    let expected: Vec<Vec<Rank>> = pieces
        .iter()
        .map(|p| {
            vocab
                .rank(p)
                .map_or_else(|| reference_merge(&vocab, p), |rank| vec![rank])
        })
        .collect();
    with_piece_encoder(&vocab, |outer| {
        assert!(outer.pieces.is_some(), "the outer encoder holds the cache");
        for (piece, expected) in pieces.iter().zip(&expected) {
            let (mut by_outer, mut by_inner) = (Vec::new(), Vec::new());
            outer.encode(piece, &mut by_outer);
            // What a task of another text, run on this thread meanwhile, would do.
            with_piece_encoder(&vocab, |inner| {
                assert!(inner.pieces.is_none(), "the cache is taken");
                inner.encode(piece, &mut by_inner);
            });
            assert_eq!(&by_outer, expected, "{piece:?}");
            assert_eq!(&by_inner, expected, "{piece:?}");
        }
    });
}
