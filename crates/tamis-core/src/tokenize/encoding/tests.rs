use super::*;
use crate::tokenize::ENCODING_NAMES;
use crate::tokenize::test_rng::TestRng;

fn get(name: &str) -> Arc<Encoding> {
    Encoding::get(name).unwrap()
}

const SAMPLES: &[&str] = &[
    "",
    "hello world",
    "  Leading spaces, trailing spaces   \n\n\tand tabs\r\n",
    "It's 12345 o'clock; we'll see—naïve café, Straße, ΑΒΓ αβγ.",
    "我非常渴望与人工智能一起工作。日本語のテキスト、한국어 텍스트.",
    "نص عربي مع أرقام ١٢٣ и русский текст",
    "नमस्ते दुनिया 🙏🏽 emoji 👨‍👩‍👧 flags 🇫🇷🇯🇵",
    "fn main() {\n    println!(\"{}\", 1 + 2);\n}\n// path/to/file.rs\n",
];

fn random_text(rng: &mut TestRng) -> String {
    const ATOMS: &[&str] = &[
        "a",
        "Z",
        "é",
        "ß",
        "中",
        "語",
        "한",
        "ы",
        "ع",
        "\u{301}",
        "😀",
        "👍🏽",
        " ",
        "  ",
        "\n",
        "\t",
        "\r\n",
        "\u{a0}",
        "0",
        "42",
        "٣",
        "'s",
        "'LL",
        "!",
        "...",
        "/",
        "<|",
        "|>",
        "<|endoftext|>",
    ];
    (0..rng.below(60)).map(|_| *rng.pick(ATOMS)).collect()
}

#[test]
fn decoding_an_encoding_gives_the_text_back() {
    let mut rng = TestRng::new(42);
    let randoms: Vec<String> = (0..200).map(|_| random_text(&mut rng)).collect();
    for name in ENCODING_NAMES {
        let encoding = get(name);
        for text in SAMPLES
            .iter()
            .copied()
            .chain(randoms.iter().map(String::as_str))
        {
            let ordinary = encoding.encode_ordinary(text).unwrap();
            assert_eq!(
                encoding.decode_bytes(&ordinary).unwrap(),
                text.as_bytes(),
                "{name}"
            );
            assert_eq!(encoding.count_ordinary(text).unwrap(), ordinary.len());
            let special = encoding.encode(text, SpecialSet::All).unwrap();
            assert_eq!(
                encoding.decode_bytes(&special).unwrap(),
                text.as_bytes(),
                "{name}"
            );
            assert_eq!(
                encoding.count(text, SpecialSet::All).unwrap(),
                special.len()
            );
        }
    }
}

#[test]
fn special_tokens_are_recognised_only_when_allowed() {
    let cl100k = get("cl100k_base");
    let text = "a<|endoftext|>b<|fim_prefix|>";
    let all = cl100k.encode(text, SpecialSet::All).unwrap();
    assert_eq!(all, [64, 100_257, 65, 100_258]);
    let only = cl100k
        .encode(text, SpecialSet::Only(&["<|fim_prefix|>", "not special"]))
        .unwrap();
    assert_eq!(only[only.len() - 1], 100_258);
    assert!(!only.contains(&100_257));
    assert_eq!(
        cl100k.encode(text, SpecialSet::None).unwrap(),
        cl100k.encode_ordinary(text).unwrap()
    );
    assert_eq!(
        cl100k.find_special_token(text, SpecialSet::All),
        Some("<|endoftext|>")
    );
    assert_eq!(
        cl100k.find_special_token(text, SpecialSet::Only(&["<|fim_prefix|>"])),
        Some("<|fim_prefix|>")
    );
    assert_eq!(cl100k.find_special_token("plain", SpecialSet::All), None);
    assert_eq!(
        cl100k.find_special_token(text, SpecialSet::AllExcept(&["<|endoftext|>"])),
        Some("<|fim_prefix|>")
    );
    let every = ["<|endoftext|>", "<|fim_prefix|>"];
    assert_eq!(
        cl100k.find_special_token(text, SpecialSet::AllExcept(&every)),
        None
    );
    assert!(cl100k.is_special_token(100_276));
    assert!(!cl100k.is_special_token(64));
}

#[test]
fn harmony_decodes_shared_id_as_tiktoken_does() {
    let harmony = get("o200k_harmony");
    assert_eq!(
        harmony.decode_single_token_bytes(200_018).unwrap(),
        b"<|endofprompt|>"
    );
    assert_eq!(
        harmony
            .encode("<|reserved_200018|>", SpecialSet::All)
            .unwrap(),
        [200_018]
    );
    assert_eq!(
        harmony.encode("<|call|>", SpecialSet::All).unwrap(),
        [200_012]
    );
}

#[test]
fn offsets_match_tiktoken() {
    // Expected values printed by tiktoken 0.14's decode_with_offsets on cl100k_base.
    let cl100k = get("cl100k_base");
    let cases: [(&str, &[usize]); 4] = [
        ("hello world<|endoftext|> green cow", &[0, 5, 11, 24, 30]),
        (
            "我非常渴望与人工智能一起工作",
            &[0, 1, 2, 3, 3, 4, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 13],
        ),
        (
            "நடிகர் சூர்யா",
            &[0, 0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 8, 8, 9, 9, 10, 11, 12, 12],
        ),
        (" Ġ除", &[0, 1]),
    ];
    for (text, offsets) in cases {
        let ids = cl100k.encode(text, SpecialSet::All).unwrap();
        let (decoded, got) = cl100k.decode_with_offsets(&ids).unwrap();
        assert_eq!(decoded, text);
        assert_eq!(got, offsets, "{text}");
    }
    // The fourth token holds only part of "渴" (offsets 3, 3 above).
    let half_char = cl100k.encode_ordinary("我非常渴望").unwrap()[..4].to_vec();
    assert!(matches!(
        cl100k.decode_with_offsets(&half_char),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn single_tokens_and_unknown_ids() {
    let gpt2 = get("gpt2");
    assert_eq!(gpt2.encode_single_token(b"hello").unwrap(), 31373);
    assert_eq!(gpt2.encode_single_token(b"<|endoftext|>").unwrap(), 50256);
    assert!(matches!(
        gpt2.encode_single_token(b"hello world"),
        Err(Error::NotFound(_))
    ));
    assert_eq!(gpt2.decode_single_token_bytes(31373).unwrap(), b"hello");
    assert!(matches!(
        gpt2.decode_bytes(&[31373, 60_000]),
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        gpt2.encode_single_piece(b"helloqqqq"),
        [31373, 38227, 38227]
    );
    assert_eq!(gpt2.token_byte_values().len(), 50256);
    assert!(gpt2.token_byte_values().windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn batches_keep_input_order() {
    let o200k = get("o200k_base");
    let texts: Vec<String> = (0..64)
        .map(|i| format!("text number {i} ").repeat(i))
        .collect();
    let batch = o200k.encode_ordinary_batch(&texts).unwrap();
    let counts = o200k.count_batch(&texts, SpecialSet::None).unwrap();
    let decoded = o200k.decode_bytes_batch(&batch).unwrap();
    for (i, text) in texts.iter().enumerate() {
        assert_eq!(batch[i], o200k.encode_ordinary(text).unwrap());
        assert_eq!(counts[i], batch[i].len());
        assert_eq!(decoded[i], text.as_bytes());
    }
    assert_eq!(o200k.encode_batch(&texts, SpecialSet::All).unwrap(), batch);
}

fn tiny_ranks() -> Vec<(Vec<u8>, Rank)> {
    let mut ranks: Vec<(Vec<u8>, Rank)> = (0..=255u8).map(|b| (vec![b], Rank::from(b))).collect();
    ranks.push((b"ab".to_vec(), 256));
    ranks.push((b"abc".to_vec(), 257));
    ranks
}

#[test]
fn custom_encodings_use_their_own_pattern_and_tokens() {
    let specials = [("<eos>".to_owned(), 258)];
    let custom = Encoding::new("tiny", r"\w+|\s+|.", &tiny_ranks(), &specials, Some(259)).unwrap();
    assert_eq!(custom.n_vocab(), 259);
    assert_eq!(
        custom.encode("abc ab<eos>", SpecialSet::All).unwrap(),
        [257, 32, 256, 258]
    );
    assert!(custom.eot_token().is_none());
    // Same pattern as cl100k: the scanner, not the regex, runs.
    let scanned =
        Encoding::new("tiny", CL100K_PATTERN_FOR_TESTS, &tiny_ranks(), &[], None).unwrap();
    assert_eq!(scanned.encode_ordinary("abc ab").unwrap(), [257, 32, 256]);
}

const CL100K_PATTERN_FOR_TESTS: &str = crate::tokenize::CL100K_PATTERN;

#[test]
fn bad_custom_encodings_are_refused() {
    let invalid = |result: Result<Encoding>| matches!(result, Err(Error::InvalidArgument(_)));
    assert!(invalid(Encoding::new(
        "x",
        r"\w+",
        &tiny_ranks(),
        &[],
        Some(300)
    )));
    assert!(invalid(Encoding::new("x", "(", &tiny_ranks(), &[], None)));
    assert!(invalid(Encoding::new(
        "x",
        r"\w+",
        &tiny_ranks()[1..],
        &[],
        None
    )));
    let mut duplicate_rank = tiny_ranks();
    duplicate_rank.push((b"xyz".to_vec(), 5));
    assert!(invalid(Encoding::new(
        "x",
        r"\w+",
        &duplicate_rank,
        &[],
        None
    )));
    assert!(invalid(Encoding::new("x", r"\w+", &[], &[], None)));
}

#[test]
fn long_whitespace_and_letter_runs_encode() {
    for name in ["r50k_base", "cl100k_base", "o200k_base"] {
        let encoding = get(name);
        for text in [
            " ".repeat(100_000) + "x",
            "a".repeat(20_000),
            "\n".repeat(50_000),
        ] {
            let ids = encoding.encode_ordinary(&text).unwrap();
            assert_eq!(encoding.decode_bytes(&ids).unwrap(), text.as_bytes());
        }
    }
}

/// Runs `work` on a pool of `threads` threads (one thread: large texts are encoded on it alone).
fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(work)
}

/// Texts of a few hundred to a few thousand bytes: above the (test-sized) length from which a text
/// is encoded on all cores, with long pieces, runs and mixtures cut at many places.
fn large_texts(rng: &mut TestRng) -> Vec<String> {
    let random = |rng: &mut TestRng, len: usize, alphabet: &[char]| -> String {
        (0..len).map(|_| *rng.pick(alphabet)).collect()
    };
    let lowercase: Vec<char> = ('a'..='z').collect();
    let cjk: Vec<char> = ('\u{4e00}'..='\u{4e40}').collect();
    let base64: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain(['+', '/'])
        .collect();
    let digits: Vec<char> = ('0'..='9').collect();
    let mut texts = vec![
        "a".repeat(3000),
        " ".repeat(2999) + "x",
        "\n".repeat(2000),
        "ab".repeat(1500),
        "abcdefghijk".repeat(300),
        "0".repeat(2000),
        " \n".repeat(900),
        random(rng, 3000, &lowercase),
        random(rng, 1500, &cjk),
        random(rng, 3000, &base64),
        random(rng, 2000, &digits),
        SAMPLES.concat().repeat(4),
    ];
    // Short runs of digits ending at every phase of the groups of three, each followed by a
    // multibyte character, where cuts are moved to a group's end. (That a moved cut never lands
    // inside the character is checked on the cuts themselves, in `large_text`: these texts did not
    // reach that case in the engine.)
    for digits in 1..=8 {
        for after in ["é", "中", "😀"] {
            let unit = "7".repeat(digits) + after;
            texts.push(unit.repeat(1500 / unit.len() + digits));
        }
    }
    for _ in 0..40 {
        texts.push((0..20).map(|_| random_text(rng)).collect());
    }
    texts
}

#[test]
fn large_texts_encode_the_same_on_many_threads_as_on_one() {
    let mut rng = TestRng::new(0x1a79e);
    let texts = large_texts(&mut rng);
    for name in ["r50k_base", "cl100k_base", "o200k_base"] {
        let encoding = get(name);
        let encode_all = || -> Vec<(Vec<Rank>, usize, Vec<Rank>)> {
            texts
                .iter()
                .map(|text| {
                    (
                        encoding.encode_ordinary(text).unwrap(),
                        encoding.count_ordinary(text).unwrap(),
                        encoding.encode(text, SpecialSet::All).unwrap(),
                    )
                })
                .collect()
        };
        let alone = on_threads(1, encode_all);
        for threads in [2, 3, 5] {
            let spread = on_threads(threads, encode_all);
            for ((text, one), many) in texts.iter().zip(&alone).zip(&spread) {
                assert_eq!(one, many, "{name}, {threads} threads, text {text:?}");
                assert_eq!(one.0.len(), one.1, "{name}: count");
            }
        }
    }
}

#[test]
fn large_texts_with_a_user_pattern_encode_the_same_on_many_threads() {
    let custom = Encoding::new("tiny", r"\w+|\s+|[^\w\s]+", &tiny_ranks(), &[], None).unwrap();
    let text = "ab ba, a b ".repeat(100);
    let alone = on_threads(1, || custom.encode_ordinary(&text).unwrap());
    let spread = on_threads(4, || custom.encode_ordinary(&text).unwrap());
    assert_eq!(alone, spread);
    assert_eq!(custom.decode_bytes(&spread).unwrap(), text.as_bytes());
}

#[test]
fn a_long_piece_whose_parts_never_agree_is_merged_whole() {
    // `a` runs merge into `aaaa` from their start, so a part cut inside a run at another phase never
    // agrees with the whole merge until the next `b`, up to 198 bytes on: too far for a join, and the
    // piece (one run of letters, not a repetition of a short pattern) is merged whole instead.
    let mut ranks: Vec<(Vec<u8>, Rank)> = (0..=255u8).map(|b| (vec![b], Rank::from(b))).collect();
    ranks.push((b"aa".to_vec(), 256));
    ranks.push((b"aaaa".to_vec(), 257));
    let custom = Encoding::new("runs", CL100K_PATTERN_FOR_TESTS, &ranks, &[], None).unwrap();
    let text = ("a".repeat(197) + "b").repeat(20);
    let alone = on_threads(1, || custom.encode_ordinary(&text).unwrap());
    // Each run: 49 `aaaa`, `a`, then `b`.
    assert_eq!(alone.len(), 20 * 51);
    for threads in [2, 3] {
        assert_eq!(
            on_threads(threads, || custom.encode_ordinary(&text).unwrap()),
            alone
        );
    }
}
