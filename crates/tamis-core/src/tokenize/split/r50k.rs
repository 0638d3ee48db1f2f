//! The split of `gpt2`, `r50k_base`, `p50k_base` and `p50k_edit`:
//! `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`

use super::cursor::{Char, Cursor};
use crate::tokenize::classes::{LETTER, NUMBER, SPACE};

/// The end of the piece starting at `at` (< text length).
pub(super) fn piece_end(cur: &Cursor, at: usize) -> usize {
    let Some(first) = cur.char_at(at) else {
        return at;
    };
    if first.is('\'')
        && let Some(len) = cur.contraction_len(at + 1, false)
    {
        return at + 1 + len;
    }
    // ` ?` joins a space to the letters, digits or punctuation that follow it.
    let (body, body_char) = match cur.char_at(at + first.len) {
        Some(next) if first.is(' ') && next.class & SPACE == 0 => (at + first.len, next),
        _ => (at, first),
    };
    if body_char.class & LETTER != 0 {
        cur.class_run_end(body, LETTER)
    } else if body_char.class & NUMBER != 0 {
        cur.class_run_end(body, NUMBER)
    } else if body_char.is_other() {
        cur.run_end(body, Char::is_other)
    } else {
        cur.space_run(at).lookahead_end(at)
    }
}
