//! Normalization: every mode gives valid UTF-8 equal to a slow, obvious reference (the definition of each
//! mode written with the standard library and the Unicode crates), by all three entry points, and
//! `whitespace` is idempotent. `standard` is *not* idempotent and does not claim to be: removing punctuation
//! can bring a combining mark next to a letter it then composes with under NFKC on a second pass
//! (`"e.\u{301}"` -> `"e\u{301}"` -> `"é"`); the reference pins down what one pass does.
//!
//! Word segmentation (shingling's words, with its ASCII fast path) gives the words of
//! `unicode_segmentation` on the text and on its standard normalization, and the one-pass `standard` words
//! (`tamis_core::standard_words`) give the words of the normalized text.

use tamis_core::shingle::Shingler;
use tamis_core::standard_words::StandardWords;
use tamis_core::text::Normalization;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;

fn words_match_unicode_segmentation(text: &str) {
    let mut words = Vec::new();
    tamis_core::words::for_each_word(text, |word| words.push(word));
    let reference: Vec<&str> = text.unicode_words().collect();
    assert_eq!(words, reference, "words of {text:?}");
}

/// Where the one-pass scan of `standard` words accepts a text, its words are those of the normalized text;
/// and word shingles of the raw text equal those of the normalized text, whichever path they take.
fn one_pass_matches_normalize_then_cut(text: &str) {
    let normalized = Normalization::Standard.normalize(text);
    let mut scanner = StandardWords::default();
    if scanner.scan(text) {
        let mut expected = Vec::new();
        tamis_core::words::for_each_word(&normalized, |word| expected.push(word.as_bytes()));
        assert!(scanner.words().eq(expected), "one-pass words of {text:?}");
    }
    let mut shingler = Shingler::default();
    let (mut raw, mut cut) = (Vec::new(), Vec::new());
    shingler.hash_raw_text(text, Normalization::Standard, &mut raw);
    shingler.hash_text(&normalized, &mut cut);
    assert_eq!(raw, cut, "word shingles of {text:?}");
}

/// Every run of Unicode `White_Space` becomes one ASCII space; both ends trimmed.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What each mode is documented to do, one step at a time.
pub fn reference(mode: Normalization, text: &str) -> String {
    match mode {
        Normalization::None => text.to_owned(),
        Normalization::Whitespace => collapse_whitespace(text),
        Normalization::Standard => {
            let folded: String = text
                .nfkc()
                .flat_map(char::to_lowercase)
                .filter(|c| c.general_category_group() != GeneralCategoryGroup::Punctuation)
                .collect();
            collapse_whitespace(&folded)
        }
    }
}

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut scratch = Vec::new();
    for mode in [
        Normalization::None,
        Normalization::Whitespace,
        Normalization::Standard,
    ] {
        let bytes = mode.apply_bytes(&text, &mut scratch).to_vec();
        let normalized = std::str::from_utf8(&bytes)
            .unwrap_or_else(|error| panic!("{mode}: output is not UTF-8 ({error}) for {text:?}"));
        assert_eq!(normalized, reference(mode, &text), "{mode} on {text:?}");
        assert_eq!(
            mode.normalize(&text),
            normalized,
            "{mode}: normalize != apply_bytes"
        );
        assert_eq!(
            mode.apply_str(&text, &mut scratch),
            normalized,
            "{mode}: apply_str != apply_bytes"
        );
    }
    words_match_unicode_segmentation(&text);
    words_match_unicode_segmentation(&Normalization::Standard.normalize(&text));
    one_pass_matches_normalize_then_cut(&text);
    let once = Normalization::Whitespace.normalize(&text);
    assert_eq!(
        Normalization::Whitespace.normalize(&once),
        once,
        "whitespace is idempotent"
    );
}
