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

    /// The normalized form of `text` as UTF-8 bytes, written into `scratch` (reused across calls, so the hot
    /// loop does not allocate). `none` borrows `text` itself.
    pub fn apply_bytes<'a>(self, text: &'a str, scratch: &'a mut Vec<u8>) -> &'a [u8] {
        scratch.clear();
        match self {
            Normalization::None => return text.as_bytes(),
            Normalization::Whitespace => scan(text, Mode::Whitespace, scratch),
            // Most real text is already in NFKC (curly quotes and accented letters included); the quick check
            // lets it skip the decomposition machinery.
            Normalization::Standard
                if text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes =>
            {
                scan(text, Mode::Standard, scratch);
            }
            Normalization::Standard => {
                let composed: String = text.nfkc().collect();
                scan(&composed, Mode::Standard, scratch);
            }
        }
        scratch
    }

    /// [`Normalization::apply_bytes`] as a string, for code that works on text (shingling).
    pub fn apply_str<'a>(self, text: &'a str, scratch: &'a mut Vec<u8>) -> &'a str {
        let bytes = self.apply_bytes(text, scratch);
        // The scan only ever writes whole UTF-8 sequences, so the check cannot fail.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The normalized form of `text` as a new string.
    pub fn normalize(self, text: &str) -> String {
        let mut scratch = Vec::with_capacity(text.len());
        let bytes = self.apply_bytes(text, &mut scratch);
        // The scan only ever writes whole UTF-8 sequences, so this conversion cannot fail.
        String::from_utf8_lossy(bytes).into_owned()
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Whitespace,
    /// Input already in NFKC.
    Standard,
}

/// What the scan does with an ASCII character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ascii {
    /// Copied (in runs, one `push_str` per run).
    Keep,
    /// White space: ends a run, and leaves one space before the next kept text.
    Space,
    /// Punctuation in `standard` mode: ends a run, leaves nothing.
    Drop,
}

const fn ascii_table(mode: Mode) -> [Ascii; 128] {
    let mut table = [Ascii::Keep; 128];
    let mut byte = 0;
    while byte < 128 {
        // Unicode White_Space in ASCII: tab, line feed, vertical tab, form feed, carriage return, space.
        if matches!(byte, 0x09..=0x0d | 0x20) {
            table[byte as usize] = Ascii::Space;
        } else if matches!(mode, Mode::Standard) && is_ascii_punctuation_category(byte) {
            table[byte as usize] = Ascii::Drop;
        }
        byte += 1;
    }
    table
}

/// ASCII characters in Unicode's punctuation categories (P*). Rust's `is_ascii_punctuation` also counts
/// `$+<=>^|~` and the backtick, which Unicode files under symbols (S*) and which we keep.
pub(crate) const fn is_ascii_punctuation_category(byte: u8) -> bool {
    matches!(
        byte,
        b'!'..=b'#' | b'%'..=b'*' | b','..=b'/' | b':' | b';' | b'?' | b'@' | b'['..=b']' | b'_' | b'{' | b'}'
    )
}

static WHITESPACE_TABLE: [Ascii; 128] = ascii_table(Mode::Whitespace);
static STANDARD_TABLE: [Ascii; 128] = ascii_table(Mode::Standard);

/// The output being built: a buffer pre-sized to the input so the ASCII loop writes without growing it, and
/// the length written so far. `after_space` is true at the start and after an emitted space, so leading and
/// repeated white space emit nothing.
struct Output<'o> {
    buffer: &'o mut Vec<u8>,
    len: usize,
    after_space: bool,
}

impl Output<'_> {
    /// Copies the run of ASCII bytes at the start of `bytes`, returning how many it consumed. Branch-free on
    /// purpose, and on locals so the compiler keeps them in registers: every byte is stored, and the length
    /// only advances when it is kept, or when it is the first space after a word.
    #[allow(
        clippy::needless_bitwise_bool,
        reason = "bitwise keeps the per-byte loop free of branches"
    )]
    fn ascii_run(&mut self, bytes: &[u8], table: &[Ascii; 128], lowercase: bool) -> usize {
        // The run writes at most one byte per byte read. The buffer was sized to the input, but lowercasing
        // outside ASCII can have made the output longer than the input read so far (Ⱥ and İ take 2 bytes,
        // their lowercase 3): make room for the rest of the input first.
        let room = self.len + bytes.len();
        if self.buffer.len() < room {
            self.buffer.resize(room, 0);
        }
        let buffer = self.buffer.as_mut_slice();
        let mut len = self.len;
        let mut after_space = self.after_space;
        let mut consumed = 0;
        for &byte in bytes {
            if !byte.is_ascii() {
                break;
            }
            let class = table[usize::from(byte)];
            let is_space = class == Ascii::Space;
            let mapped = if is_space {
                b' '
            } else if lowercase {
                byte.to_ascii_lowercase()
            } else {
                byte
            };
            buffer[len] = mapped;
            len += usize::from((class == Ascii::Keep) | (is_space & !after_space));
            after_space = is_space | (after_space & (class == Ascii::Drop));
            consumed += 1;
        }
        self.len = len;
        self.after_space = after_space;
        consumed
    }

    fn space(&mut self) {
        if !self.after_space {
            self.push_bytes(b" ");
            self.after_space = true;
        }
    }

    fn push_char(&mut self, c: char) {
        let mut utf8 = [0; 4];
        self.push_bytes(c.encode_utf8(&mut utf8).as_bytes());
        self.after_space = false;
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if end > self.buffer.len() {
            // Only lowercasing outside ASCII can make the output longer than the input.
            self.buffer.resize(end + self.buffer.len() / 4 + 16, 0);
        }
        self.buffer[self.len..end].copy_from_slice(bytes);
        self.len = end;
    }

    fn finish(self) {
        let trailing_space = self.len > 0 && self.after_space;
        self.buffer.truncate(self.len - usize::from(trailing_space));
    }
}

/// One pass over `text`: runs of ASCII are classified (and lowercased) by table; other characters take the
/// full Unicode path (lowercase, punctuation category, white space).
fn scan(text: &str, mode: Mode, out: &mut Vec<u8>) {
    let table = match mode {
        Mode::Whitespace => &WHITESPACE_TABLE,
        Mode::Standard => &STANDARD_TABLE,
    };
    let lowercase = mode == Mode::Standard;
    out.clear();
    out.resize(text.len() + 16, 0);
    let mut output = Output {
        buffer: out,
        len: 0,
        after_space: true,
    };
    let mut index = 0;
    while index < text.len() {
        index += output.ascii_run(&text.as_bytes()[index..], table, lowercase);
        // `index` is on a character boundary: the run stopped before a non-ASCII character, or at the end.
        let Some(c) = text.get(index..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        push_unicode_char(c, mode, &mut output);
        index += c.len_utf8();
    }
    output.finish();
}

fn push_unicode_char(c: char, mode: Mode, output: &mut Output<'_>) {
    if mode == Mode::Whitespace {
        if c.is_whitespace() {
            output.space();
        } else {
            output.push_char(c);
        }
        return;
    }
    for lower in c.to_lowercase() {
        if lower.is_whitespace() {
            output.space();
        } else if lower.general_category_group() != GeneralCategoryGroup::Punctuation {
            output.push_char(lower);
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
    fn lowercase_longer_than_its_capital_before_ascii_fits_the_buffer() {
        // Each Ⱥ or İ grows by one byte when lowercased; 17 of them used to outgrow the buffer's 16 spare
        // bytes, and the ASCII after them was written out of bounds (a panic).
        for capital in ["\u{23a}", "\u{130}"] {
            for count in [1, 16, 17, 100] {
                let text = format!("{}abc DEF", capital.repeat(count));
                let expected = format!("{}abc def", capital.to_lowercase().repeat(count));
                assert_eq!(standard(&text), expected, "{count} x {capital}");
            }
        }
    }

    #[test]
    fn standard_keeps_symbols_and_non_latin_scripts() {
        assert_eq!(standard("1+1=2 $5 ~x"), "1+1=2 $5 ~x");
        assert_eq!(standard("你好，世界。"), "你好世界");
    }

    #[test]
    fn ascii_table_agrees_with_unicode_categories() {
        for byte in 0u8..128 {
            let c = char::from(byte);
            let punctuation = c.general_category_group() == GeneralCategoryGroup::Punctuation;
            assert_eq!(is_ascii_punctuation_category(byte), punctuation, "{c:?}");
            assert_eq!(
                STANDARD_TABLE[byte as usize] == Ascii::Space,
                c.is_whitespace(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn text_that_needs_nfkc_and_text_that_does_not_agree() {
        // "ﬁ" needs NFKC; "fi" does not. Around them: ASCII runs, punctuation and Unicode spaces.
        assert_eq!(standard("Ｏne\u{3000}ﬁne, DAY"), standard("One fine day"));
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
