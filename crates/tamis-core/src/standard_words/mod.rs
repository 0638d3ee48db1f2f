//! The words of a text under `standard` normalization, found in one pass over the raw text.
//!
//! `Normalization::Standard` then [`crate::words::for_each_word`] writes the normalized text, then reads
//! it again to cut words; together they were most of the cost of sketching raw text. When every char of
//! the text is *simple*, the two steps reduce to one scan that keeps, per char, one of four actions:
//! - **word**: ASCII letters and digits, and the chars that the word segmenter joins with letters and
//!   digits on both sides (letters of alphabets such as Latin, Greek or Cyrillic, and digits), lowercased;
//! - **drop**: punctuation (Unicode categories P*), which `standard` deletes, so the chars on either side of
//!   it meet (`don't` is the word `dont`);
//! - **separator**: white space and the chars that the segmenter never joins with a letter or a digit and
//!   that are not alphanumeric themselves (symbols such as `$` or `°`): they end a word;
//! - **complex**: anything else (chars that NFKC changes or that combine, chars whose lowercase is several
//!   chars, scripts cut by other rules such as CJK or Thai, combining marks, chars outside the BMP). The
//!   scan then gives up and the caller takes the general path.
//!
//! After `standard` normalization no punctuation is left, and the only rules of UAX #29 that still apply
//! between word and separator chars are "letters and digits join each other" and "everything else
//! breaks". The words are therefore the maximal runs of word chars, drops removed. Which action a
//! non-ASCII char gets is asked of the segmenter itself (`unicode_segmentation`, the definition of our
//! words) the first time the char is seen, then kept in a table shared by all threads.

mod ascii;
mod chars;

use crate::shingle_hash::{SHORT_WORD, word_hash_in_padded};
use ascii::{BLOCK, ascii_stretch};
use chars::{Action, action_of};

/// The words of one text under `standard` normalization: their bytes end to end, where each ends, and
/// room to read 16 bytes past any word's start (see [`crate::shingle_hash::word_hash_in_padded`]).
/// Keep one per thread: the buffers are reused from one text to the next.
#[derive(Debug, Clone, Default)]
pub struct StandardWords {
    bytes: Vec<u8>,
    /// Where each word ends in `bytes`; only the first `n_words` are meaningful (the buffers are kept at
    /// their largest size, so that no text pays to clear them).
    ends: Vec<usize>,
    n_words: usize,
}

impl StandardWords {
    /// Reads the words of `text` as `standard` normalization then [`crate::words::for_each_word`] would
    /// give them and returns `true`, or returns `false` as soon as it meets a char that it cannot treat in
    /// one pass (the words are then unspecified, and the caller takes the general path).
    pub fn scan(&mut self, text: &str) -> bool {
        // The buffers are moved to locals, so that the compiler keeps their pointers in registers.
        let mut bytes = std::mem::take(&mut self.bytes);
        let mut ends = std::mem::take(&mut self.ends);
        let scanned = scan_into(text, &mut bytes, &mut ends);
        self.bytes = bytes;
        self.ends = ends;
        self.n_words = scanned.unwrap_or(0);
        scanned.is_some()
    }

    /// The words found by the last successful [`StandardWords::scan`], in order.
    pub fn words(&self) -> impl Iterator<Item = &[u8]> {
        let ends = &self.ends[..self.n_words];
        let starts = std::iter::once(0).chain(ends.iter().copied());
        starts
            .zip(ends.iter().copied())
            .map(|(start, end)| &self.bytes[start..end])
    }

    /// Appends the [`crate::shingle_hash::word_hash`] of every word to `out`.
    pub fn hash_words(&self, out: &mut Vec<u64>) {
        let mut start = 0;
        out.extend(self.ends[..self.n_words].iter().map(|&end| {
            let hash = word_hash_in_padded(&self.bytes, start, end);
            start = end;
            hash
        }));
    }
}

/// Where a scan stands: the next input byte, the bytes of words written, the words ended, and where the
/// last of them ended.
#[derive(Clone, Copy)]
struct Cursor {
    at: usize,
    len: usize,
    n_words: usize,
    last_end: usize,
}

/// [`StandardWords::scan`] on the buffers: the number of words, or `None` where the text needs the
/// general path.
fn scan_into(text: &str, bytes: &mut Vec<u8>, ends: &mut Vec<usize>) -> Option<usize> {
    let input = text.as_bytes();
    // Room past the words for the padded reads of their hashes, and for a whole block of AVX-512
    // writes from the last, partial block of input.
    let slack = BLOCK.max(2 * SHORT_WORD);
    // Every byte written is written before it is read, except the padding read past the end of a word,
    // which is masked off: the buffers are only grown, never cleared.
    grow(bytes, input.len() + slack);
    // A word is at least one byte followed by a separator, hence at most one word per two bytes; and
    // room for a whole block past the last.
    grow(ends, input.len() / 2 + 2 + BLOCK);
    let mut len = 0;
    let mut n_words = 0;
    let mut last_end = 0;
    let mut at = 0;
    loop {
        let mut cursor = Cursor {
            at,
            len,
            n_words,
            last_end,
        };
        ascii_stretch(input, bytes, ends, &mut cursor);
        Cursor {
            at,
            len,
            n_words,
            last_end,
        } = cursor;
        if at >= input.len() {
            break;
        }
        // `at` is on a char boundary: every byte before it was ASCII or a whole char.
        let c = text.get(at..).and_then(|rest| rest.chars().next())?;
        match action_of(c) {
            Action::Word => {
                for lower in c.to_lowercase() {
                    let mut utf8 = [0; 4];
                    let encoded = lower.encode_utf8(&mut utf8).as_bytes();
                    // Lowercase can be longer than its capital: keep room for the rest of the input.
                    let room = len + encoded.len() + (input.len() - at) + slack;
                    if bytes.len() < room {
                        bytes.resize(room, 0);
                    }
                    bytes[len..len + encoded.len()].copy_from_slice(encoded);
                    len += encoded.len();
                }
            }
            Action::Drop => {}
            Action::Separator => {
                if len != last_end {
                    ends[n_words] = len;
                    n_words += 1;
                    last_end = len;
                }
            }
            Action::Complex | Action::Unknown => return None,
        }
        at += c.len_utf8();
    }
    if len != last_end {
        ends[n_words] = len;
        n_words += 1;
    }
    Some(n_words)
}

fn grow<T: Copy + Default>(buffer: &mut Vec<T>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, T::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Normalization;
    use crate::words::for_each_word;

    /// The words as the general path gives them, or `None` where the one-pass scan must give up.
    fn one_pass(text: &str) -> Option<Vec<String>> {
        let mut scanner = StandardWords::default();
        if !scanner.scan(text) {
            return None;
        }
        let words: Vec<String> = scanner
            .words()
            .map(|word| String::from_utf8(word.to_vec()).expect("words are UTF-8"))
            .collect();
        let mut hashes = Vec::new();
        scanner.hash_words(&mut hashes);
        let plain: Vec<u64> = words
            .iter()
            .map(|w| crate::shingle_hash::word_hash(w.as_bytes()))
            .collect();
        assert_eq!(hashes, plain, "{text:?}");
        Some(words)
    }

    fn general(text: &str) -> Vec<String> {
        let normalized = Normalization::Standard.normalize(text);
        let mut words = Vec::new();
        for_each_word(&normalized, |word| words.push(word.to_string()));
        words
    }

    #[test]
    fn examples() {
        let text = "Don’t STOP: 3.5, “1,000”; a.b c:d e_f __ $5 x°y Ærø — İx";
        assert_eq!(
            one_pass("Don’t STOP: 3.5, “1,000”; a.b c:d e_f"),
            Some(general("Don’t STOP: 3.5, “1,000”; a.b c:d e_f"))
        );
        // `İ` lowercases to two chars: the scan gives up.
        assert_eq!(one_pass(text), None);
        assert_eq!(one_pass("日本"), None);
        assert_eq!(one_pass("ﬁne"), None);
        assert_eq!(one_pass(""), Some(vec![]));
        // Greek and Cyrillic capitals, accented Latin and symbols take the one pass.
        let alphabets = "ΣΟΦΙΑ σοφία, ПРИВЕТ мир; Crème brûlée à 5 €";
        assert_eq!(one_pass(alphabets), Some(general(alphabets)));
        assert_eq!(
            one_pass("Ærø x°y $5"),
            Some(vec!["ærø".into(), "x".into(), "y".into(), "5".into()])
        );
    }

    /// `Ⱥ` (2 bytes) lowercases to `ⱥ` (3 bytes): the words outgrow the text, and the blocks of ASCII
    /// after them must still find room.
    #[test]
    fn words_longer_than_the_text_before_blocks_of_ascii() {
        for capitals in [1, 40, 200] {
            for ascii in ["Word after word, in blocks; ", "x"] {
                let text = format!(
                    "{} {} {}{}",
                    "\u{23a}".repeat(capitals),
                    ascii.repeat(20),
                    "\u{23a}".repeat(capitals),
                    ascii.repeat(20)
                );
                assert_eq!(
                    one_pass(&text),
                    Some(general(&text)),
                    "{capitals} {ascii:?}"
                );
            }
        }
    }

    /// Every BMP char that the scan accepts, mixed with ASCII: the scan must give the general path's words.
    #[test]
    fn equals_the_general_path_on_random_text() {
        let accepted: Vec<char> = (0x80..0x1_0000u32)
            .filter_map(char::from_u32)
            .filter(|&c| !matches!(action_of(c), Action::Complex))
            .collect();
        let refused = (0x80..0x1_0000u32)
            .filter_map(char::from_u32)
            .filter(|&c| action_of(c) == Action::Complex)
            .count();
        // Latin, Greek and Cyrillic letters, curly quotes, dashes and symbols are accepted; CJK is not.
        assert!(accepted.len() > 10_000, "{}", accepted.len());
        assert!(refused > 20_000, "{refused}");
        let ascii: Vec<char> = (0u8..128).map(char::from).collect();
        let mut state = 0x5EED_u64;
        let mut draw = |bound: usize| {
            state = crate::minhash::splitmix64(state);
            (state % bound as u64) as usize
        };
        for case in 0..100_000 {
            // Mostly short texts, and every tenth up to 300 chars, so that whole blocks of ASCII occur.
            let length = if case % 10 == 0 { draw(300) } else { draw(20) };
            let text: String = (0..length)
                .map(|_| {
                    if draw(if case % 10 == 0 { 60 } else { 3 }) == 0 {
                        accepted[draw(accepted.len())]
                    } else {
                        ascii[draw(ascii.len())]
                    }
                })
                .collect();
            assert_eq!(one_pass(&text), Some(general(&text)), "{text:?}");
        }
    }

    /// Where the scan gives up, the general path is taken, so it only has to be right where it accepts;
    /// this checks that it gives up on the chars that need more than one pass.
    #[test]
    fn gives_up_on_chars_that_need_the_general_path() {
        for c in [
            '\u{301}', '\u{200d}', 'ﬁ', '\u{3000}', '\u{a0}', '日', 'あ', 'ア', 'ก', '\u{130}',
            '😀', '²', '⁄',
        ] {
            assert_eq!(one_pass(&format!("a{c}b")), None, "{c:?}");
        }
    }
}
