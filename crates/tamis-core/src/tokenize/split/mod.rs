//! Pre-splitting text into pieces before BPE, exactly as tiktoken's regex does.
//!
//! The built-in patterns get hand-written scanners: each piece is found in one left-to-right pass
//! with bounded look-back, so splitting is linear on every input (fancy-regex's backtracking is
//! quadratic on long whitespace runs). Any other pattern runs on fancy-regex.

mod ascii_runs;
mod cl100k;
mod cursor;
mod o200k;
mod r50k;

use crate::error::{Error, Result};
use cursor::Cursor;

/// The pattern of `gpt2`, `r50k_base`, `p50k_base` and `p50k_edit` as tiktoken writes it today.
pub const R50K_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";
/// The original GPT-2 form of the same split.
pub const GPT2_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
pub const CL100K_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|\p{N}{1,3}",
    r"| ?[^\s\p{L}\p{N}]+[\r\n/]*",
    r"|\s*[\r\n]+",
    r"|\s+(?!\S)",
    r"|\s+",
);

#[derive(Debug)]
pub(crate) enum Splitter {
    R50k,
    Cl100k,
    O200k,
    /// A user pattern: no scanner can be written in advance, so it runs on fancy-regex.
    Regex(Box<fancy_regex::Regex>),
}

impl Splitter {
    /// The scanner for a built-in pattern, else the compiled pattern.
    pub(crate) fn for_pattern(pattern: &str) -> Result<Self> {
        Ok(match pattern {
            R50K_PATTERN | GPT2_PATTERN => Splitter::R50k,
            CL100K_PATTERN => Splitter::Cl100k,
            O200K_PATTERN => Splitter::O200k,
            _ => Splitter::Regex(Box::new(fancy_regex::Regex::new(pattern).map_err(|e| {
                Error::InvalidArgument(format!("invalid pat_str {pattern:?}: {e}"))
            })?)),
        })
    }

    /// Calls `piece` with each piece of `text`, in order; the pieces concatenate to `text`
    /// except for what a user pattern does not match.
    pub(crate) fn split<'t>(&self, text: &'t str, mut piece: impl FnMut(&'t str)) -> Result<()> {
        let Some(piece_end) = self.scanner() else {
            if let Splitter::Regex(regex) = self {
                for found in regex.find_iter(text) {
                    let found = found.map_err(|e| {
                        Error::InvalidArgument(format!("pat_str failed on the text: {e}"))
                    })?;
                    piece(found.as_str());
                }
            }
            return Ok(());
        };
        let cursor = Cursor::new(text);
        let mut at = 0;
        while at < cursor.len() {
            let end = piece_end(&cursor, at);
            debug_assert!(end > at, "every alternative matches at least one character");
            piece(&text[at..end]);
            at = end;
        }
        Ok(())
    }

    /// The scanner of a built-in pattern over `text`, which can start at any piece; `None` for a
    /// user pattern (fancy-regex may look behind, so a scan cannot start mid-text).
    pub(crate) fn scanner_for<'t>(&self, text: &'t str) -> Option<PieceScanner<'t>> {
        Some(PieceScanner {
            cursor: Cursor::new(text),
            piece_end: self.scanner()?,
        })
    }

    /// The scanner of a built-in pattern.
    fn scanner(&self) -> Option<PieceEnd> {
        match self {
            Splitter::R50k => Some(r50k::piece_end),
            Splitter::Cl100k => Some(cl100k::piece_end),
            Splitter::O200k => Some(o200k::piece_end),
            Splitter::Regex(_) => None,
        }
    }
}

/// A built-in scanner: given a piece's first byte, the byte after its end.
type PieceEnd = fn(&Cursor, usize) -> usize;

/// A built-in pattern's scanner over one text. It reads only text from a piece's first byte on,
/// so the pieces that follow a piece start are the same however that start was reached: parts
/// of a text can be scanned apart, from guessed starts, and checked where they meet.
pub(crate) struct PieceScanner<'t> {
    cursor: Cursor<'t>,
    piece_end: PieceEnd,
}

impl PieceScanner<'_> {
    /// The end of the piece that starts at byte `at` (a character boundary before the end).
    pub(crate) fn piece_end(&self, at: usize) -> usize {
        (self.piece_end)(&self.cursor, at)
    }
}

#[cfg(test)]
mod tests;
