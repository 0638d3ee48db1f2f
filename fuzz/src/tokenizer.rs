//! Tokenizer: encoding never fails or panics on any text, decoding gives the text back byte for byte, the
//! count matches, and on short texts the tokens equal those of the slow reference: tiktoken's pattern run
//! by fancy-regex (a backtracking engine, the semantics tiktoken has), each piece then merged by the same BPE.

use std::sync::{Arc, OnceLock};

use tamis_core::tokenize::{Encoding, SpecialSet};

/// One encoding per distinct bundled pattern (`p50k_*` share `r50k_base`'s, `o200k_harmony` `o200k_base`'s).
const ENCODINGS: [&str; 4] = ["gpt2", "r50k_base", "cl100k_base", "o200k_base"];

/// fancy-regex backtracks: past this length a long whitespace run makes the reference slow.
const REFERENCE_MAX_BYTES: usize = 256;

struct Case {
    encoding: Arc<Encoding>,
    reference: fancy_regex::Regex,
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        ENCODINGS
            .iter()
            .map(|name| {
                let encoding = Encoding::get(name).expect("a bundled encoding loads");
                let reference = fancy_regex::Regex::new(encoding.pat_str())
                    .expect("tiktoken's pattern compiles in fancy-regex");
                Case {
                    encoding,
                    reference,
                }
            })
            .collect()
    })
}

/// Tokens of `text` by the reference split.
fn reference_tokens(case: &Case, text: &str) -> Vec<u32> {
    let mut tokens = Vec::new();
    for piece in case.reference.find_iter(text) {
        let piece = piece.expect("the reference pattern runs on a short text");
        tokens.extend(case.encoding.encode_single_piece(piece.as_str().as_bytes()));
    }
    tokens
}

pub fn check(data: &[u8]) {
    // Invalid UTF-8 becomes U+FFFD, so every input is a text to encode.
    let text = String::from_utf8_lossy(data);
    for case in cases() {
        let encoding = &case.encoding;
        let name = encoding.name();
        let tokens = encoding
            .encode_ordinary(&text)
            .expect("encoding with a bundled pattern cannot fail");
        let decoded = encoding.decode_bytes(&tokens).expect("our own ids decode");
        assert_eq!(
            decoded,
            text.as_bytes(),
            "{name}: decode(encode(text)) != text"
        );
        assert_eq!(
            encoding
                .count_ordinary(&text)
                .expect("counting cannot fail"),
            tokens.len(),
            "{name}: count != len(encode)"
        );
        let with_special = encoding
            .encode(&text, SpecialSet::All)
            .expect("encoding with special tokens cannot fail");
        let decoded = encoding
            .decode_bytes(&with_special)
            .expect("our own ids decode");
        assert_eq!(decoded, text.as_bytes(), "{name}: special tokens lose text");
        if text.len() <= REFERENCE_MAX_BYTES {
            assert_eq!(
                tokens,
                reference_tokens(case, &text),
                "{name}: tokens differ from the fancy-regex split of {text:?}"
            );
        }
    }
}
