//! Normalization modes. Two documents are exact duplicates when their normalized texts are equal, so the
//! mode decides what "the same text" means.

use std::fmt;
use std::str::FromStr;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use crate::error::{Error, Result};

/// How text is normalized before it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Normalization {
    /// Compare the text exactly as stored.
    None,
    /// Collapse every run of Unicode white space to one ASCII space and trim both ends.
    Whitespace,
    /// NFKC, then lowercase, then drop Unicode punctuation (categories P*), then collapse white space and trim.
    #[default]
    Standard,
}

impl Normalization {
    pub const NAMES: [&'static str; 3] = ["none", "whitespace", "standard"];

    pub fn name(self) -> &'static str {
        match self {
            Normalization::None => "none",
            Normalization::Whitespace => "whitespace",
            Normalization::Standard => "standard",
        }
    }

    /// Writes the normalized form of `text` into `out` (cleared first) and returns it. Reusing `out` across
    /// calls keeps the hot loop free of allocations.
    pub fn apply<'a>(self, text: &str, out: &'a mut String) -> &'a str {
        out.clear();
        match self {
            Normalization::None => out.push_str(text),
            Normalization::Whitespace => collapse_whitespace(text.chars(), out),
            Normalization::Standard if text.is_ascii() => standard_ascii(text.as_bytes(), out),
            Normalization::Standard => standard_unicode(text, out),
        }
        out
    }

    /// Convenience form of [`Normalization::apply`] that allocates.
    pub fn normalize(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.apply(text, &mut out);
        out
    }
}

impl fmt::Display for Normalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Normalization {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "none" => Ok(Normalization::None),
            "whitespace" => Ok(Normalization::Whitespace),
            "standard" => Ok(Normalization::Standard),
            other => Err(Error::InvalidArgument(format!(
                "unknown normalization '{other}': expected one of {}",
                Normalization::NAMES.join(", ")
            ))),
        }
    }
}

/// Appends `chars` to `out`, turning each run of white space into one space, with no space at either end.
fn collapse_whitespace(chars: impl Iterator<Item = char>, out: &mut String) {
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
}

/// The `standard` mode on pure ASCII, where NFKC is the identity: one pass over bytes.
fn standard_ascii(text: &[u8], out: &mut String) {
    let mut pending_space = false;
    for &byte in text {
        push_standard_ascii(byte, &mut pending_space, out);
    }
}

fn push_standard_ascii(byte: u8, pending_space: &mut bool, out: &mut String) {
    if byte.is_ascii_whitespace() || byte == 0x0b {
        *pending_space = !out.is_empty();
    } else if !byte.is_ascii_punctuation() || is_ascii_symbol(byte) {
        if *pending_space {
            out.push(' ');
            *pending_space = false;
        }
        out.push(char::from(byte.to_ascii_lowercase()));
    }
}

/// ASCII characters that Rust calls punctuation but Unicode files under symbols (S*), which we keep so that
/// the ASCII fast path and the Unicode path agree: `$+<=>^|~` and the backtick.
fn is_ascii_symbol(byte: u8) -> bool {
    matches!(
        byte,
        b'$' | b'+' | b'<' | b'=' | b'>' | b'^' | b'`' | b'|' | b'~'
    )
}

fn standard_unicode(text: &str, out: &mut String) {
    // Most real text is already in NFKC (curly quotes and accented letters included); the quick check lets us
    // skip the decomposition machinery for it.
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        standard_chars(text.chars(), out);
    } else {
        standard_chars(text.nfkc(), out);
    }
}

fn standard_chars(chars: impl Iterator<Item = char>, out: &mut String) {
    let mut pending_space = false;
    for c in chars {
        if c.is_ascii() {
            push_standard_ascii(c as u8, &mut pending_space, out);
            continue;
        }
        for lower in c.to_lowercase() {
            if lower.is_whitespace() {
                pending_space = !out.is_empty();
            } else if lower.general_category_group() != GeneralCategoryGroup::Punctuation {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(lower);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard(text: &str) -> String {
        Normalization::Standard.normalize(text)
    }

    #[test]
    fn none_keeps_text() {
        assert_eq!(Normalization::None.normalize("  A,  b "), "  A,  b ");
    }

    #[test]
    fn whitespace_collapses_unicode_spaces_and_trims() {
        let text = "\u{3000} a\t\u{00a0}b\r\n\u{2029}c \u{200a}";
        assert_eq!(Normalization::Whitespace.normalize(text), "a b c");
    }

    #[test]
    fn standard_lowercases_strips_punctuation_and_collapses() {
        assert_eq!(standard("  Hello,   World!! "), "hello world");
        assert_eq!(standard("«Bonjour» — dit-il…"), "bonjour ditil");
    }

    #[test]
    fn standard_applies_nfkc() {
        // Full-width letters, the "fi" ligature and a superscript two fold to their plain forms.
        assert_eq!(standard("ＡＢＣ ﬁne x²"), "abc fine x2");
        // A precomposed é and e + combining acute are the same text after NFKC.
        assert_eq!(standard("caf\u{e9}"), standard("cafe\u{301}"));
    }

    #[test]
    fn standard_lowercases_beyond_ascii() {
        assert_eq!(standard("ΣΟΦΙΑ Straße"), "σοφια straße");
        assert_eq!(standard("ПРИВЕТ, мир"), "привет мир");
    }

    #[test]
    fn standard_keeps_symbols_and_non_latin_scripts() {
        assert_eq!(standard("1+1=2 $5 ~x"), "1+1=2 $5 ~x");
        assert_eq!(standard("你好，世界。"), "你好世界");
    }

    #[test]
    fn ascii_fast_path_matches_unicode_path() {
        let samples = [
            "Hello, World!",
            "  a\tb\nc  ",
            "x$+<=>^`|~y",
            "#%&'()*,-./:;?@[\\]_{}!\"",
            "\x0bA\x0cB",
        ];
        for sample in samples {
            let mut fast = String::new();
            standard_ascii(sample.as_bytes(), &mut fast);
            let mut slow = String::new();
            standard_unicode(sample, &mut slow);
            assert_eq!(fast, slow, "input {sample:?}");
        }
    }

    #[test]
    fn empty_and_blank_text_normalize_to_empty() {
        for mode in [Normalization::Whitespace, Normalization::Standard] {
            assert_eq!(mode.normalize(""), "");
            assert_eq!(mode.normalize(" \n\t "), "");
        }
        assert_eq!(standard("?!…"), "");
    }

    #[test]
    fn names_round_trip_and_unknown_is_an_error() {
        for name in Normalization::NAMES {
            assert_eq!(
                name.parse::<Normalization>().map(Normalization::name).ok(),
                Some(name)
            );
        }
        let error = "nfc".parse::<Normalization>().unwrap_err().to_string();
        assert!(error.contains("unknown normalization 'nfc'"), "{error}");
    }
}
