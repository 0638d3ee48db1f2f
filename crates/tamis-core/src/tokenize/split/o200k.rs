//! The split of `o200k_base` and `o200k_harmony` (no possessive quantifiers: backtracking matters):
//! `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! `|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! `|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`

use super::ascii_runs::{lowercase_end, uppercase_end};
use super::cursor::{Char, Cursor};
use crate::tokenize::classes::{LOWERISH, NUMBER, UPPERISH};

/// The end of the piece starting at `at` (< text length).
pub(super) fn piece_end(cur: &Cursor, at: usize) -> usize {
    if let Some(end) = ascii_word_end(cur.bytes(), at) {
        return end;
    }
    if let Some(end) = ascii_punctuation_end(cur, at) {
        return end;
    }
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

/// Most pieces of real text: an optional ASCII prefix (`[^\r\n\p{L}\p{N}]`: a space, punctuation),
/// ASCII letters, then an ASCII byte that ends the word. Then the first two alternatives give that
/// end: uppercase then lowercase letters are the first (`The`), uppercase alone the second (`THE`),
/// and an uppercase letter after lowercase ones starts the next piece (`camelCase`). `None` for
/// everything else, which the general scan below reads: no letter after the prefix, or a word that
/// may go on (an apostrophe, for a contraction; a non-ASCII byte, which may be a letter or a mark).
#[inline]
fn ascii_word_end(bytes: &[u8], at: usize) -> Option<usize> {
    let first = *bytes.get(at)?;
    let start = if first.is_ascii_alphabetic() {
        at
    } else if first.is_ascii() && !first.is_ascii_digit() && first != b'\r' && first != b'\n' {
        at + 1
    } else {
        return None;
    };
    let end = lowercase_end(bytes, uppercase_end(bytes, start));
    let word_may_go_on = bytes
        .get(end)
        .is_some_and(|&next| !next.is_ascii() || next == b'\'');
    (end > start && !word_may_go_on).then_some(end)
}

/// The next most common pieces: ASCII punctuation, after an optional space, that starts no word
/// (` ?[^\s\p{L}\p{N}]+[\r\n/]*`: `,`, `.`, ` "`, `.\n`). No word alternative can take it: after a
/// space, the punctuation is no letter; without one, the punctuation could only be a word's prefix,
/// and no letter follows it. `None` for everything else, and where a non-ASCII character (which may be
/// a letter, a mark or more punctuation) is met before the run ends: the general scan reads those.
#[inline]
fn ascii_punctuation_end(cur: &Cursor, at: usize) -> Option<usize> {
    let bytes = cur.bytes();
    let start = at + usize::from(bytes[at] == b' ');
    if !cur.is_ascii_other(*bytes.get(start)?) {
        return None;
    }
    if start == at
        && bytes
            .get(at + 1)
            .is_some_and(|&next| !next.is_ascii() || next.is_ascii_alphabetic())
    {
        return None;
    }
    let mut end = start + 1;
    while let Some(&byte) = bytes.get(end) {
        if !byte.is_ascii() {
            return None;
        }
        if !cur.is_ascii_other(byte) {
            break;
        }
        end += 1;
    }
    while bytes
        .get(end)
        .is_some_and(|&byte| matches!(byte, b'\r' | b'\n' | b'/'))
    {
        end += 1;
    }
    Some(end)
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
