//! Reading characters with their classes out of the UTF-8 bytes of a `&str`, the one primitive the
//! scanners are built on.

use super::ascii_runs::letters_end;
use crate::tokenize::classes::{ClassTable, LETTER, NUMBER, SPACE, classes};

/// One character: its code point, its class bits and its UTF-8 length.
#[derive(Clone, Copy)]
pub(super) struct Char {
    pub(super) code: u32,
    pub(super) class: u8,
    pub(super) len: usize,
}

impl Char {
    pub(super) fn is(self, c: char) -> bool {
        self.code == c as u32
    }

    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls.
    pub(super) fn is_other(self) -> bool {
        self.class & (LETTER | NUMBER | SPACE) == 0
    }

    pub(super) fn is_newline(self) -> bool {
        self.is('\r') || self.is('\n')
    }

    /// `[^\r\n\p{L}\p{N}]`, the optional character the cl100k and o200k words may start with.
    pub(super) fn is_word_prefix(self) -> bool {
        !self.is_newline() && self.class & (LETTER | NUMBER) == 0
    }
}

pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    classes: &'static ClassTable,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Cursor {
            bytes: text.as_bytes(),
            classes: classes(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The text's bytes, for scanners with a fast path of their own over ASCII.
    pub(super) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether `byte` is an ASCII character of `[^\s\p{L}\p{N}]` (punctuation, symbols, controls).
    #[inline]
    pub(super) fn is_ascii_other(&self, byte: u8) -> bool {
        byte.is_ascii() && self.classes.of_ascii(byte) & (LETTER | NUMBER | SPACE) == 0
    }

    /// The character starting at byte `at`, or `None` at the end. `at` is a char boundary.
    /// (ASCII inline, the rest out of line: kept this small, the scanners inline it.)
    #[inline]
    pub(super) fn char_at(&self, at: usize) -> Option<Char> {
        let lead = *self.bytes.get(at)?;
        if lead < 0x80 {
            return Some(Char {
                code: u32::from(lead),
                class: self.classes.of_ascii(lead),
                len: 1,
            });
        }
        Some(self.non_ascii_char_at(at, lead))
    }

    #[inline(never)]
    fn non_ascii_char_at(&self, at: usize, lead: u8) -> Char {
        // The bytes come from a `&str`, so the sequence is complete and well formed.
        let cont = |i: usize| u32::from(self.bytes[at + i] & 0x3F);
        let (code, len) = if lead < 0xE0 {
            ((u32::from(lead & 0x1F) << 6) | cont(1), 2)
        } else if lead < 0xF0 {
            ((u32::from(lead & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
        } else {
            let high = u32::from(lead & 0x07) << 18;
            (high | (cont(1) << 12) | (cont(2) << 6) | cont(3), 4)
        };
        Char {
            code,
            class: self.classes.of(code),
            len,
        }
    }

    /// The end of the longest run of characters from `at` that satisfy `keep`.
    #[inline]
    pub(super) fn run_end(&self, mut at: usize, keep: impl Fn(Char) -> bool) -> usize {
        while let Some(ch) = self.char_at(at) {
            if !keep(ch) {
                break;
            }
            at += ch.len;
        }
        at
    }

    /// The end of the run of characters from `at` having any of the class bits in `mask`. ASCII is
    /// read byte by byte without decoding (most runs are ASCII words).
    #[inline]
    pub(super) fn class_run_end(&self, mut at: usize, mask: u8) -> usize {
        if mask == LETTER {
            // Eight bytes at a time while they are ASCII letters (see `ascii_runs`).
            at = letters_end(self.bytes, at);
        }
        while let Some(&byte) = self.bytes.get(at) {
            if byte >= 0x80 {
                return self.run_end(at, |ch| ch.class & mask != 0);
            }
            if self.classes.of_ascii(byte) & mask == 0 {
                break;
            }
            at += 1;
        }
        at
    }

    /// Whether the character at `at` exists and satisfies `test`.
    #[inline]
    pub(super) fn char_is(&self, at: usize, test: impl Fn(Char) -> bool) -> bool {
        self.char_at(at).is_some_and(test)
    }

    /// The end of at most `max` consecutive `\p{N}` characters from `at`.
    pub(super) fn digits_end(&self, mut at: usize, max: usize) -> usize {
        for _ in 0..max {
            match self.char_at(at) {
                Some(ch) if ch.class & NUMBER != 0 => at += ch.len,
                _ => break,
            }
        }
        at
    }

    /// Scans the whitespace run starting at `at` (which is whitespace).
    pub(super) fn space_run(&self, at: usize) -> SpaceRun {
        let mut run = SpaceRun {
            end: at,
            last_start: at,
            after_last_newline: None,
            at_text_end: false,
        };
        while let Some(ch) = self.char_at(run.end) {
            if ch.class & SPACE == 0 {
                return run;
            }
            run.last_start = run.end;
            run.end += ch.len;
            if ch.is_newline() {
                run.after_last_newline = Some(run.end);
            }
        }
        run.at_text_end = true;
        run
    }

    /// The length of a contraction suffix (`s`, `d`, `m`, `t`, `ll`, `ve`, `re`) right after an
    /// apostrophe at `at`, matched as the regex does: with `(?i)`, `S` and `ſ` also match `s`.
    pub(super) fn contraction_len(&self, at: usize, ignore_case: bool) -> Option<usize> {
        let letter = |at: usize, lower: char| {
            self.char_at(at).filter(|ch| {
                ch.is(lower)
                    || (ignore_case
                        && (ch.is(lower.to_ascii_uppercase()) || (lower == 's' && ch.is('ſ'))))
            })
        };
        for single in ['s', 'd', 'm', 't'] {
            if let Some(ch) = letter(at, single) {
                return Some(ch.len);
            }
        }
        for [first, second] in [['l', 'l'], ['v', 'e'], ['r', 'e']] {
            if let Some(a) = letter(at, first)
                && let Some(b) = letter(at + a.len, second)
            {
                return Some(a.len + b.len);
            }
        }
        None
    }
}

/// A maximal run of whitespace: what `\s+(?!\S)`, `\s*[\r\n]` and `\s++$` need to know about it.
pub(super) struct SpaceRun {
    pub(super) end: usize,
    /// Where the last whitespace character of the run starts.
    pub(super) last_start: usize,
    /// Just past the last `\r` or `\n` of the run, if any.
    pub(super) after_last_newline: Option<usize>,
    /// The run reaches the end of the text (`$`; `(?!\S)` holds there too).
    pub(super) at_text_end: bool,
}

impl SpaceRun {
    /// `\s+(?!\S)` then, if that fails, a single `\s` (or `\s+`, the same on a one-char run): all
    /// of a run that ends the text, else all but its last character, else its one character.
    pub(super) fn lookahead_end(&self, start: usize) -> usize {
        if self.at_text_end || self.last_start == start {
            self.end
        } else {
            self.last_start
        }
    }
}
