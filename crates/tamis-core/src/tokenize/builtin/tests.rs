use super::*;
use crate::tokenize::SpecialSet;
use crate::tokenize::parse_tiktoken_bpe;
use crate::tokenize::token_list::list_tokens;

#[test]
fn every_bundled_encoding_loads_with_tiktokens_sizes() {
    let expected = [
        ("gpt2", 50257, Some(50256)),
        ("r50k_base", 50257, Some(50256)),
        ("p50k_base", 50281, Some(50256)),
        ("p50k_edit", 50284, Some(50256)),
        ("cl100k_base", 100_277, Some(100_257)),
        ("o200k_base", 200_019, Some(199_999)),
        ("o200k_harmony", 201_088, Some(199_999)),
    ];
    for (name, n_vocab, eot) in expected {
        let encoding = encoding(name).unwrap();
        assert_eq!(encoding.name(), name);
        assert_eq!(encoding.n_vocab(), n_vocab, "{name}");
        assert_eq!(encoding.eot_token(), eot, "{name}");
    }
}

/// Each bundled token list holds exactly the tokens of tiktoken's rank file, whose sha256 is the
/// one tiktoken expects. `TAMIS_WRITE_TOKEN_LISTS=1 cargo test -p tamis-core token_lists` writes
/// the lists to `assets/` instead and prints the sizes and sha256 to put in `builtin.rs`.
#[test]
fn token_lists_hold_exactly_tiktokens_rank_files() {
    let write = std::env::var_os("TAMIS_WRITE_TOKEN_LISTS").is_some();
    for file in RANK_FILES {
        let text = zstd::bulk::decompress(file.tiktoken, 1 << 24).unwrap();
        assert_eq!(sha256_hex(&text), file.tiktoken_sha256, "{}", file.name);
        let list = list_tokens(&parse_tiktoken_bpe(&text, file.name).unwrap());
        if write {
            let path = format!(
                "{}/assets/{}.tokens.zst",
                env!("CARGO_MANIFEST_DIR"),
                file.name
            );
            std::fs::write(path, zstd::bulk::compress(&list, 19).unwrap()).unwrap();
            println!(
                "{}: size {} sha256 {}",
                file.name,
                list.len(),
                sha256_hex(&list)
            );
        } else {
            assert_eq!(
                decompress_checked(file.name, &file.list).unwrap(),
                list,
                "{}",
                file.name
            );
        }
    }
}

#[test]
fn token_counts_are_the_lists_own() {
    for file in RANK_FILES {
        let list = decompress_checked(file.name, &file.list).unwrap();
        assert_eq!(count_listed(&list), file.token_count, "{}", file.name);
    }
}

#[test]
fn custom_encodings_over_bundled_ranks_share_the_bundled_table() {
    let bundled = encoding("cl100k_base").unwrap();
    let mut ranks: Vec<(Vec<u8>, Rank)> = (0..100_256)
        .map(|id| (bundled.vocab.token_bytes(id).unwrap().to_vec(), id))
        .collect();
    let shared = bundled_vocab_with(&ranks).expect("the same tokens");
    assert!(Arc::ptr_eq(&shared, &bundled.vocab));
    // Two ranks swapped, one token twice, one token other, or one missing: not the bundled table.
    let swap_ranks = |ranks: &mut [(Vec<u8>, Rank)]| {
        let rank = ranks[500].1;
        ranks[500].1 = ranks[501].1;
        ranks[501].1 = rank;
    };
    swap_ranks(&mut ranks);
    assert!(bundled_vocab_with(&ranks).is_none());
    swap_ranks(&mut ranks);
    assert!(bundled_vocab_with(&ranks).is_some());
    ranks[7] = ranks[8].clone();
    assert!(bundled_vocab_with(&ranks).is_none());
    ranks[7] = (b"not a cl100k token at all".to_vec(), 7);
    assert!(bundled_vocab_with(&ranks).is_none());
    ranks.pop();
    assert!(bundled_vocab_with(&ranks).is_none());
}

#[test]
fn a_token_list_with_another_sha256_is_corrupt() {
    let tampered = Asset {
        sha256: "0000000000000000000000000000000000000000000000000000000000000000",
        ..R50K.list
    };
    let err = decompress_checked(R50K.name, &tampered).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
}

/// Each bundled merge filter is the one worked out from its vocabulary's tokens.
/// `TAMIS_WRITE_TOKEN_LISTS=1 cargo test -p tamis-core merge_filters` writes them to `assets/`
/// instead and prints the sizes and sha256 to put in `builtin.rs`, from the token lists compiled
/// in: after new lists, rebuild first.
#[test]
fn bundled_merge_filters_match_their_vocabularies() {
    let write = std::env::var_os("TAMIS_WRITE_TOKEN_LISTS").is_some();
    for file in RANK_FILES {
        let list = decompress_checked(file.name, &file.list).unwrap();
        let vocab = Vocab::build(count_listed(&list), |add| {
            for_each_listed_token(&list, file.name, add)
        })
        .unwrap();
        let filter = vocab.merge_filter().to_le_bytes();
        if write {
            let path = format!(
                "{}/assets/{}.merge_filter.zst",
                env!("CARGO_MANIFEST_DIR"),
                file.name
            );
            std::fs::write(path, zstd::bulk::compress(&filter, 19).unwrap()).unwrap();
            println!(
                "{}: filter size {} sha256 {}",
                file.name,
                filter.len(),
                sha256_hex(&filter)
            );
        } else {
            let bundled = decompress_checked(file.name, &file.filter).unwrap();
            assert!(
                bundled == filter,
                "{}: the bundled filter differs",
                file.name
            );
        }
    }
}

#[test]
fn known_token_ids() {
    let gpt2 = encoding("gpt2").unwrap();
    assert_eq!(gpt2.encode_ordinary("hello world").unwrap(), [31373, 995]);
    let cl100k = encoding("cl100k_base").unwrap();
    assert_eq!(
        cl100k.encode_ordinary("hello world").unwrap(),
        [15339, 1917]
    );
    let o200k = encoding("o200k_base").unwrap();
    assert_eq!(o200k.encode_ordinary("hello world").unwrap(), [24912, 2375]);
    assert_eq!(
        cl100k.encode("<|endoftext|>", SpecialSet::All).unwrap(),
        [100_257]
    );
}

#[test]
fn unknown_names_are_not_found() {
    assert!(matches!(encoding("nope"), Err(Error::NotFound(_))));
    assert!(matches!(
        encoding_name_for_model("no-such-model"),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn models_map_exactly_then_by_prefix() {
    assert_eq!(encoding_name_for_model("gpt-4").unwrap(), "cl100k_base");
    assert_eq!(
        encoding_name_for_model("gpt-4-0314").unwrap(),
        "cl100k_base"
    );
    assert_eq!(encoding_name_for_model("gpt-4o").unwrap(), "o200k_base");
    assert_eq!(
        encoding_name_for_model("gpt-4o-mini").unwrap(),
        "o200k_base"
    );
    assert_eq!(
        encoding_name_for_model("gpt-oss-120b").unwrap(),
        "o200k_harmony"
    );
    assert_eq!(
        encoding_name_for_model("text-davinci-003").unwrap(),
        "p50k_base"
    );
    assert_eq!(encoding_name_for_model("gpt2").unwrap(), "gpt2");
    assert_eq!(encoding_for_model("davinci").unwrap().name(), "r50k_base");
}

#[test]
fn encodings_are_loaded_once_and_share_their_rank_tables() {
    assert!(Arc::ptr_eq(
        &encoding("o200k_base").unwrap(),
        &encoding("o200k_base").unwrap()
    ));
    let base = encoding("o200k_base").unwrap();
    let harmony = encoding("o200k_harmony").unwrap();
    assert!(Arc::ptr_eq(&base.vocab, &harmony.vocab));
}
