//! The split of `o200k_base` and `o200k_harmony` (no possessive quantifiers: backtracking matters):
//! `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! `|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! `|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`

use super::cursor::{Char, Cursor};
use crate::tokenize::classes::{LOWERISH, NUMBER, UPPERISH};

/// The end of the piece starting at `at` (< text length).
pub(super) fn piece_end(cur: &Cursor, at: usize) -> usize {
    let Some(first) = cur.char_at(at) else {
        return at;
    };
    let next = at + first.len;
    // The optional prefix is greedy: each word alternative is tried with it, then without it
    // (a combining mark is both a possible prefix and a word character).
    let starts: &[usize] = if first.is_word_prefix() {
        &[next, at]
    } else {
        &[at]
    };
    if let Some(end) = starts.iter().find_map(|&start| lower_word_end(cur, start)) {
        return end;
    }
    if let Some(end) = starts.iter().find_map(|&start| upper_word_end(cur, start)) {
        return end;
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
        return cur.run_end(end, |ch| ch.is_newline() || ch.is('/'));
    }
    let run = cur.space_run(at);
    run.after_last_newline
        .unwrap_or_else(|| run.lookahead_end(at))
}

/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` then the optional contraction.
/// The greedy upper run gives back characters until a lower one can follow; since Lm, Lo and M
/// are in both classes, that is the last such character inside the upper run when the run is not
/// directly followed by a lower character.
fn lower_word_end(cur: &Cursor, start: usize) -> Option<usize> {
    let mut upper_end = start;
    let mut after_last_lowerish = None;
    while let Some(ch) = cur.char_at(upper_end) {
        if ch.class & UPPERISH == 0 {
            break;
        }
        upper_end += ch.len;
        if ch.class & LOWERISH != 0 {
            after_last_lowerish = Some(upper_end);
        }
    }
    let end = if cur.char_is(upper_end, |ch| ch.class & LOWERISH != 0) {
        cur.class_run_end(upper_end, LOWERISH)
    } else {
        after_last_lowerish?
    };
    Some(with_contraction(cur, end))
}

/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` then the optional contraction.
fn upper_word_end(cur: &Cursor, start: usize) -> Option<usize> {
    let upper_end = cur.class_run_end(start, UPPERISH);
    if upper_end == start {
        return None;
    }
    Some(with_contraction(
        cur,
        cur.class_run_end(upper_end, LOWERISH),
    ))
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `at`.
fn with_contraction(cur: &Cursor, at: usize) -> usize {
    if cur.char_is(at, |ch| ch.is('\''))
        && let Some(len) = cur.contraction_len(at + 1, true)
    {
        return at + 1 + len;
    }
    at
}
