use super::*;
use crate::tokenize::SpecialSet;

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

#[test]
fn every_rank_file_matches_tiktokens_sha256() {
    for file in RANK_FILES {
        assert!(decompress_checked(file).is_ok(), "{}", file.name);
    }
    let tampered = RankFile {
        sha256: "0000000000000000000000000000000000000000000000000000000000000000",
        ..R50K
    };
    let err = decompress_checked(&tampered).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
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
