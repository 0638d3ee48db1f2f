use super::*;
use crate::tokenize::Encoding;
use crate::tokenize::bpe::tests::{reference_merge, small_vocab};
use crate::tokenize::test_rng::TestRng;

/// The last merge of `bytes` by tiktoken's plain loop, if it ends in one token: the two tokens it
/// joined last.
fn last_merge_of(vocab: &Vocab, bytes: &[u8]) -> Option<(Rank, Rank)> {
    let mut parts: Vec<Vec<u8>> = bytes.iter().map(|&b| vec![b]).collect();
    let mut last = None;
    loop {
        let best = (0..parts.len().saturating_sub(1))
            .filter_map(|i| Some((vocab.rank(&[&parts[i][..], &parts[i + 1]].concat())?, i)))
            .min();
        let Some((_, i)) = best else { break };
        last = Some((vocab.rank(&parts[i])?, vocab.rank(&parts[i + 1])?));
        let right = parts.remove(i + 1);
        parts[i].extend(right);
    }
    (parts.len() == 1).then_some(last).flatten()
}

#[test]
fn canonical_pairs_are_the_last_merge_of_each_tokens_bytes() {
    let mut rng = TestRng::new(0xca11);
    let mut unreachable = 0;
    for _ in 0..40 {
        let vocab = small_vocab(&mut rng);
        let found: FxHashMap<Rank, (Rank, Rank)> = canonical_pairs(&vocab)
            .0
            .into_iter()
            .map(|(left, right, token)| (token, (left, right)))
            .collect();
        for token in 0..=vocab.max_id() {
            let Some(bytes) = vocab.token_bytes(token).filter(|b| b.len() >= 2) else {
                continue;
            };
            let expected = last_merge_of(&vocab, bytes);
            unreachable += usize::from(expected.is_none());
            assert_eq!(found.get(&token).copied(), expected, "{bytes:?}");
        }
    }
    // The random vocabularies have tokens that their own bytes never merge into.
    assert!(unreachable > 0);
}

#[test]
fn the_filter_passes_every_canonical_pair_and_turns_most_others_away() {
    let vocab = &Encoding::get("o200k_base").unwrap().vocab;
    let (pairs, filter) = canonical_pairs(vocab);
    assert!(pairs.len() > 190_000, "{}", pairs.len());
    assert!(pairs.iter().all(|&(l, r, _)| filter.may_merge(l, r)));
    let mut rng = TestRng::new(0xf1);
    let canonical: std::collections::HashSet<(Rank, Rank)> =
        pairs.iter().map(|&(l, r, _)| (l, r)).collect();
    let (mut others, mut passed) = (0, 0);
    for _ in 0..100_000 {
        let pair = (rng.below(200_000) as Rank, rng.below(200_000) as Rank);
        if !canonical.contains(&pair) {
            others += 1;
            passed += usize::from(filter.may_merge(pair.0, pair.1));
        }
    }
    assert!(passed * 100 < others * 12, "{passed} of {others} passed");
}

#[test]
fn merges_with_the_filter_equal_tiktokens_though_it_turns_token_pairs_away() {
    // The filter turns away pairs whose bytes together are a token, when they are not that
    // token's canonical pair; text over three letters makes such pairs meet again and again.
    let mut rng = TestRng::new(0x3e);
    let mut turned_away = 0;
    for _ in 0..20 {
        let vocab = small_vocab(&mut rng);
        let canonical: std::collections::HashSet<(Rank, Rank)> = canonical_pairs(&vocab)
            .0
            .into_iter()
            .map(|(left, right, _)| (left, right))
            .collect();
        for token in 0..=vocab.max_id() {
            let bytes = vocab.token_bytes(token).unwrap_or_default();
            for cut in 1..bytes.len() {
                let (Some(left), Some(right)) =
                    (vocab.rank(&bytes[..cut]), vocab.rank(&bytes[cut..]))
                else {
                    continue;
                };
                if !canonical.contains(&(left, right)) {
                    turned_away += usize::from(!vocab.may_merge(left, right));
                }
            }
        }
        for _ in 0..40 {
            let len = 2 + rng.below(60);
            let piece: Vec<u8> = (0..len).map(|_| *rng.pick(b"aabc")).collect();
            let mut merged = Vec::new();
            crate::tokenize::bpe::merge_part(&vocab, &piece, &mut merged);
            assert_eq!(merged, reference_merge(&vocab, &piece), "{piece:?}");
        }
    }
    assert!(
        turned_away > 50,
        "only {turned_away} token pairs turned away"
    );
}

#[test]
fn a_filter_must_be_a_power_of_two_of_words() {
    assert!(MergeFilter::from_le_bytes(&[0; 24]).is_err());
    assert!(MergeFilter::from_le_bytes(&[0; 7]).is_err());
    assert!(MergeFilter::from_le_bytes(&[]).is_err());
    let filter = MergeFilter::from_le_bytes(&[0xff; 16]).unwrap();
    assert!(filter.may_merge(1, 2));
    assert_eq!(filter.to_le_bytes(), [0xff; 16]);
}

#[test]
fn a_vocabulary_of_very_long_tokens_goes_without_a_filter() {
    // Runs of `a` doubling up to 64 KiB: working their pairs out would be quadratic in 64 KiB.
    let vocab = Vocab::build(273, |add| {
        for byte in 0..=255u8 {
            add(&[byte], Rank::from(byte))?;
        }
        (1..=16).try_for_each(|power| add(&vec![b'a'; 1 << power], 255 + power))
    })
    .unwrap();
    assert!(
        vocab.may_merge(b'x'.into(), b'y'.into()),
        "a filter that passes all"
    );
    let mut merged = Vec::new();
    crate::tokenize::bpe::merge_part(&vocab, &[b'a'; 40], &mut merged);
    assert_eq!(merged, [255 + 5, 255 + 3]);
}

#[test]
fn pass_all_lets_every_pair_through() {
    let filter = MergeFilter::pass_all();
    assert!((0..1000).all(|id| filter.may_merge(id, id * 7 + 3)));
}
