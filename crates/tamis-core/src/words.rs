//! Unicode words (UAX #29 word boundaries, as `unicode_segmentation`'s `unicode_words`) with a fast
//! path for ASCII text, which is most of what shingling sees.
//!
//! The general segmenter looks every char up in the Unicode tables and was the largest cost of word
//! shingling. For ASCII the rules reduce to a few byte classes:
//! - letters, digits and `_` always join each other (WB5, WB8-10, WB13a/b);
//! - a single `:` joins two letters (WB6/7), `.` and `'` join two letters or two digits (WB6/7,
//!   WB11/12), `,` and `;` join two digits (WB11/12);
//! - everything else is a boundary on both sides, and its segments hold no letter or digit, so
//!   `unicode_words` drops them (as it drops a segment of `_` alone).
//!
//! Mixed text is cut into chunks at every ASCII white space followed by an ASCII char that is not
//! white space: no rule joins across such a point (the rule for spaces joins only spaces; the extend and format
//! chars of WB4 are not ASCII), and the rules that look two chars back or ahead (WB6/7, WB11/12) stop at
//! the white space, as they stop at the start or end of text. So each chunk is segmented on its own:
//! ASCII chunks by the fast path, the others by `unicode_segmentation`.

use unicode_segmentation::UnicodeSegmentation;

/// Calls `each` with every word of `text`, in order.
pub fn for_each_word<'t>(text: &'t str, mut each: impl FnMut(&'t str)) {
    if text.is_ascii() {
        ascii_words(text, &mut each);
        return;
    }
    let bytes = text.as_bytes();
    let mut chunk_start = 0;
    for at in 1..bytes.len() {
        if bytes[at - 1].is_ascii_whitespace()
            && bytes[at].is_ascii()
            && !bytes[at].is_ascii_whitespace()
        {
            // Both sides of `at` are ASCII bytes, so `at` is a char boundary.
            words_of_chunk(&text[chunk_start..at], &mut each);
            chunk_start = at;
        }
    }
    words_of_chunk(&text[chunk_start..], &mut each);
}

fn words_of_chunk<'t>(chunk: &'t str, each: &mut impl FnMut(&'t str)) {
    if chunk.is_ascii() {
        ascii_words(chunk, each);
    } else {
        chunk.unicode_words().for_each(each);
    }
}

/// The words of an ASCII `text` (the caller checked it is ASCII).
fn ascii_words<'t>(text: &'t str, each: &mut impl FnMut(&'t str)) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut at = 0;
    while at < n {
        if !is_word_byte(bytes[at]) {
            at += 1;
            continue;
        }
        let start = at;
        let mut has_alphanumeric = false;
        loop {
            while at < n && is_word_byte(bytes[at]) {
                has_alphanumeric |= bytes[at] != b'_';
                at += 1;
            }
            if at + 1 < n && joins(bytes[at - 1], bytes[at], bytes[at + 1]) {
                at += 1;
            } else {
                break;
            }
        }
        if has_alphanumeric {
            // `start..at` lies on ASCII bytes, hence on char boundaries.
            each(&text[start..at]);
        }
    }
}

/// Letters, digits and `_`: the bytes that always join each other.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Whether the punctuation byte `middle` joins `before` and `after` into one word.
fn joins(before: u8, middle: u8, after: u8) -> bool {
    let letters = before.is_ascii_alphabetic() && after.is_ascii_alphabetic();
    let digits = before.is_ascii_digit() && after.is_ascii_digit();
    match middle {
        b':' => letters,
        b'.' | b'\'' => letters || digits,
        b',' | b';' => digits,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> Vec<&str> {
        let mut words = Vec::new();
        for_each_word(text, |word| words.push(word));
        words
    }

    fn reference(text: &str) -> Vec<&str> {
        text.unicode_words().collect()
    }

    #[test]
    fn examples() {
        assert_eq!(
            ours("Don't stop: 3.5, 1,000; a.b c:d e_f __ _g 1:2 x.1 a--b"),
            reference("Don't stop: 3.5, 1,000; a.b c:d e_f __ _g 1:2 x.1 a--b")
        );
        assert_eq!(ours("it's  done."), ["it's", "done"]);
        assert_eq!(ours(""), Vec::<&str>::new());
        assert_eq!(ours("café au lait"), ["café", "au", "lait"]);
    }

    /// Random strings over an alphabet of every ASCII class the rules tell apart, plus non-ASCII
    /// chars that interact with them (a combining mark after a space, a soft hyphen, a ZWJ, CJK,
    /// Hebrew and a curly apostrophe): the words must be those of `unicode_segmentation`.
    #[test]
    fn equals_unicode_words_on_random_text() {
        let alphabet: Vec<char> =
            "aZk09_.':,;!- \t\n\r\u{b}\u{c}\"#é\u{301}\u{ad}\u{200d}日א\u{2019}\u{3000}"
                .chars()
                .collect();
        let ascii_heavy: Vec<char> = "ab1_.':,; ".chars().collect();
        let mut state = 0x5EED_u64;
        let mut draw = |bound: usize| {
            state = crate::minhash::splitmix64(state);
            (state % bound as u64) as usize
        };
        for case in 0..200_000 {
            let letters = if case % 2 == 0 {
                &alphabet
            } else {
                &ascii_heavy
            };
            let length = draw(24);
            let text: String = (0..length).map(|_| letters[draw(letters.len())]).collect();
            assert_eq!(ours(&text), reference(&text), "{text:?}");
        }
    }
}
