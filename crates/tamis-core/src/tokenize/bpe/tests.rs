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
fn reference_merge(vocab: &Vocab, piece: &[u8]) -> Vec<Rank> {
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
fn small_vocab(rng: &mut TestRng) -> Vocab {
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
