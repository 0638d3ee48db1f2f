//! The split of `cl100k_base`:
//! `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`

use super::cursor::{Char, Cursor};
use crate::tokenize::classes::{LETTER, NUMBER};

/// The end of the piece starting at `at` (< text length).
pub(super) fn piece_end(cur: &Cursor, at: usize) -> usize {
    let Some(first) = cur.char_at(at) else {
        return at;
    };
    let next = at + first.len;
    if first.is('\'')
        && let Some(len) = cur.contraction_len(next, true)
    {
        return next + len;
    }
    if first.class & LETTER != 0 {
        return cur.class_run_end(at, LETTER);
    }
    if first.is_word_prefix() && cur.char_is(next, |ch| ch.class & LETTER != 0) {
        return cur.class_run_end(next, LETTER);
    }
    if first.class & NUMBER != 0 {
        return cur.digits_end(at, 3);
    }
    let punctuation = if first.is(' ') && cur.char_is(next, Char::is_other) {
        Some(next)
    } else if first.is_other() {
        Some(at)
    } else {
        None
    };
    if let Some(start) = punctuation {
        let end = cur.run_end(start, Char::is_other);
        return cur.run_end(end, Char::is_newline);
    }
    let run = cur.space_run(at);
    if run.at_text_end {
        run.end
    } else if let Some(end) = run.after_last_newline {
        end
    } else {
        run.lookahead_end(at)
    }
}
