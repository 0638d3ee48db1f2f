//! Shingling: a document becomes the set of its n-grams, each hashed to a `u64`.
//!
//! Word shingles are hashed from the *word hashes*, not from the byte span of the words in the
//! source: each word is hashed once, and a shingle is a keyed mix of its n word hashes
//! ([`crate::shingle_hash`]). This allocates nothing per shingle and keeps "a b" and "a, b" the same
//! shingle (the separators are not part of the n-gram).
//!
//! Token shingles are xxh3 of the n consecutive token ids (4 bytes each).
//!
//! Char shingles are the byte span of n consecutive chars, hashed in place (nothing is copied).
//!
//! A document shorter than n units yields one shingle of all its units; a document with no unit at
//! all (empty, or no word in it) yields no shingle, and sketches to the empty signature.

use std::str::FromStr;

use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};
use crate::shingle_hash::{hash_word_windows, shingle_weights, word_hash};
use crate::standard_words::StandardWords;
use crate::text::Normalization;
use crate::words::for_each_word;

/// What an n-gram is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShingleUnit {
    /// Unicode words (UAX #29 word boundaries, punctuation and spaces dropped).
    #[default]
    Word,
    /// Unicode scalar values, for scripts without spaces (CJK, Thai) and for code.
    Char,
}

impl FromStr for ShingleUnit {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "word" => Ok(ShingleUnit::Word),
            "char" => Ok(ShingleUnit::Char),
            other => Err(Error::InvalidArgument(format!(
                "unknown shingle unit '{other}', expected 'word' or 'char'"
            ))),
        }
    }
}

/// How to cut text into shingles: the unit and the n-gram size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShingleConfig {
    unit: ShingleUnit,
    size: usize,
}

impl Default for ShingleConfig {
    /// Word 5-grams, the usual choice for near-duplicate detection of prose.
    fn default() -> Self {
        ShingleConfig {
            unit: ShingleUnit::Word,
            size: 5,
        }
    }
}

impl ShingleConfig {
    pub fn new(unit: ShingleUnit, size: usize) -> Result<Self> {
        if size == 0 {
            return Err(Error::InvalidArgument(
                "shingle size must be at least 1".into(),
            ));
        }
        Ok(ShingleConfig { unit, size })
    }

    pub fn unit(&self) -> ShingleUnit {
        self.unit
    }

    pub fn size(&self) -> usize {
        self.size
    }
}

/// Cuts documents into shingle hashes, reusing its scratch buffers from one document to the next
/// (keep one per thread).
#[derive(Debug, Clone)]
pub struct Shingler {
    config: ShingleConfig,
    /// The weights of word shingles (see [`crate::shingle_hash`]).
    weights: Vec<u64>,
    /// The word hashes of the current document.
    word_hashes: Vec<u64>,
    /// Little-endian bytes of the token ids of the current document.
    unit_bytes: Vec<u8>,
    /// Byte offsets of the char boundaries of the current document, end included.
    char_starts: Vec<usize>,
    /// The normalized text of the current document, when it is written out.
    normalized: Vec<u8>,
    /// The words of the current document, read in one pass under `standard` normalization.
    standard_words: StandardWords,
}

impl Default for Shingler {
    fn default() -> Self {
        Shingler::new(ShingleConfig::default())
    }
}

impl Shingler {
    pub fn new(config: ShingleConfig) -> Self {
        Shingler {
            config,
            weights: shingle_weights(config.size),
            word_hashes: Vec::new(),
            unit_bytes: Vec::new(),
            char_starts: Vec::new(),
            normalized: Vec::new(),
            standard_words: StandardWords::default(),
        }
    }

    pub fn config(&self) -> ShingleConfig {
        self.config
    }

    /// Replaces the content of `out` with the shingle hashes of `text`, in document order, repeats
    /// included (`MinHash` does not care; build a [`ShingleSet`] for exact Jaccard).
    pub fn hash_text(&mut self, text: &str, out: &mut Vec<u64>) {
        out.clear();
        match self.config.unit {
            ShingleUnit::Word => {
                self.word_hashes.clear();
                let word_hashes = &mut self.word_hashes;
                for_each_word(text, |word| word_hashes.push(word_hash(word.as_bytes())));
                hash_word_windows(&self.word_hashes, &self.weights, out);
            }
            ShingleUnit::Char => {
                self.char_starts.clear();
                self.char_starts
                    .extend(text.char_indices().map(|(at, _)| at));
                self.char_starts.push(text.len());
                let n_chars = self.char_starts.len() - 1;
                let bytes = text.as_bytes();
                if n_chars == 0 {
                    return;
                }
                if n_chars < self.config.size {
                    out.push(xxh3_64(bytes));
                    return;
                }
                out.extend(
                    self.char_starts
                        .windows(self.config.size + 1)
                        .map(|w| xxh3_64(&bytes[w[0]..w[self.config.size]])),
                );
            }
        }
    }

    /// Replaces the content of `out` with the shingle hashes of `text` normalized by `normalization`:
    /// the same hashes as [`Shingler::hash_text`] of the normalized text. Word shingles under `standard`
    /// normalization are cut in one pass over `text` when it allows (see [`crate::standard_words`]).
    pub fn hash_raw_text(&mut self, text: &str, normalization: Normalization, out: &mut Vec<u64>) {
        if self.config.unit == ShingleUnit::Word
            && normalization == Normalization::Standard
            && self.standard_words.scan(text)
        {
            out.clear();
            self.word_hashes.clear();
            self.standard_words.hash_words(&mut self.word_hashes);
            hash_word_windows(&self.word_hashes, &self.weights, out);
            return;
        }
        let mut normalized = std::mem::take(&mut self.normalized);
        self.hash_text(normalization.apply_str(text, &mut normalized), out);
        self.normalized = normalized;
    }

    /// Shingle hashes of a pre-tokenized document: n-grams of token ids (the unit is ignored).
    pub fn hash_tokens(&mut self, tokens: &[u32], out: &mut Vec<u64>) {
        out.clear();
        self.unit_bytes.clear();
        for token in tokens {
            self.unit_bytes.extend_from_slice(&token.to_le_bytes());
        }
        hash_windows(&self.unit_bytes, 4, self.config.size, out);
    }
}

/// Hashes every run of `size` consecutive units of `unit_width` bytes each, or the whole slice once
/// when it holds fewer than `size` units.
fn hash_windows(unit_bytes: &[u8], unit_width: usize, size: usize, out: &mut Vec<u64>) {
    if unit_bytes.is_empty() {
        return;
    }
    let window = unit_width * size;
    if unit_bytes.len() <= window {
        out.push(xxh3_64(unit_bytes));
        return;
    }
    let n_windows = (unit_bytes.len() - window) / unit_width + 1;
    out.extend((0..n_windows).map(|i| {
        let start = i * unit_width;
        xxh3_64(&unit_bytes[start..start + window])
    }));
}

/// A set of shingle hashes, sorted and without repeats, for exact Jaccard.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShingleSet(Vec<u64>);

impl ShingleSet {
    pub fn from_hashes(mut hashes: Vec<u64>) -> Self {
        hashes.sort_unstable();
        hashes.dedup();
        ShingleSet(hashes)
    }

    pub fn as_slice(&self) -> &[u64] {
        &self.0
    }

    /// The hashes back, to reuse their buffer.
    pub fn into_hashes(self) -> Vec<u64> {
        self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, size: usize) -> Vec<u64> {
        let mut shingler = Shingler::new(ShingleConfig::new(ShingleUnit::Word, size).unwrap());
        let mut out = Vec::new();
        shingler.hash_text(text, &mut out);
        out
    }

    fn chars(text: &str, size: usize) -> Vec<u64> {
        let mut shingler = Shingler::new(ShingleConfig::new(ShingleUnit::Char, size).unwrap());
        let mut out = Vec::new();
        shingler.hash_text(text, &mut out);
        out
    }

    #[test]
    fn word_shingle_count_and_overlap() {
        let a = words("one two three four five six", 5);
        assert_eq!(a.len(), 2);
        let b = words("two three four five six", 5);
        assert_eq!(b, vec![a[1]]);
    }

    #[test]
    fn separators_do_not_change_word_shingles() {
        assert_eq!(words("a b c", 2), words("a, b;  c!", 2));
        assert_ne!(words("a b c", 2), words("a c b", 2));
    }

    #[test]
    fn short_and_empty_documents() {
        assert_eq!(words("just three words", 5).len(), 1);
        assert_ne!(words("just three words", 5), words("just three", 5));
        assert!(words("", 5).is_empty());
        assert!(words("  ... !! ", 5).is_empty());
        assert_eq!(chars("ab", 5), vec![xxh3_64(b"ab")]);
        assert!(chars("", 3).is_empty());
    }

    #[test]
    fn char_shingles_are_byte_spans_of_chars() {
        let got = chars("日本語だ", 2);
        let want: Vec<u64> = ["日本", "本語", "語だ"]
            .iter()
            .map(|s| xxh3_64(s.as_bytes()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn token_shingles() {
        let mut shingler = Shingler::new(ShingleConfig::new(ShingleUnit::Word, 2).unwrap());
        let mut out = Vec::new();
        shingler.hash_tokens(&[1, 2, 3], &mut out);
        assert_eq!(out.len(), 2);
        let mut again = Vec::new();
        shingler.hash_tokens(&[2, 3], &mut again);
        assert_eq!(again, vec![out[1]]);
        shingler.hash_tokens(&[], &mut again);
        assert!(again.is_empty());
        shingler.hash_tokens(&[7], &mut again);
        assert_eq!(again.len(), 1);
    }

    /// The one-pass path of `standard` word shingles and the general one (normalize, then cut) give the
    /// same hashes, whichever of them a text takes.
    #[test]
    fn raw_text_shingles_equal_those_of_the_normalized_text() {
        let texts = [
            "The Raven, by E. A. Poe: “Once upon a midnight dreary, while I pondered…”",
            "Don’t stop — it’s 3.5 km² to the café; ﬁne, İstanbul, 日本語のテキスト.",
            "short",
            "",
            " ... !! ",
            &"Word after word, in blocks of sixty-four bytes; ".repeat(9),
        ];
        for normalization in [
            Normalization::Standard,
            Normalization::Whitespace,
            Normalization::None,
        ] {
            for size in [1, 3, 5, 7] {
                let mut shingler =
                    Shingler::new(ShingleConfig::new(ShingleUnit::Word, size).unwrap());
                for text in texts {
                    let (mut raw, mut normalized) = (Vec::new(), Vec::new());
                    shingler.hash_raw_text(text, normalization, &mut raw);
                    shingler.hash_text(&normalization.normalize(text), &mut normalized);
                    assert_eq!(raw, normalized, "{normalization} {size} {text:?}");
                }
            }
        }
    }

    #[test]
    fn zero_size_is_rejected() {
        assert!(ShingleConfig::new(ShingleUnit::Char, 0).is_err());
        assert!("token".parse::<ShingleUnit>().is_err());
        assert_eq!("char".parse::<ShingleUnit>().unwrap(), ShingleUnit::Char);
    }
}
