//! Encoding one large text on all cores: a 1 MB document should not wait on one core while the
//! others idle (tiktoken encodes it on one).
//!
//! BPE works piece by piece, so pieces can be merged anywhere and their tokens put back in text
//! order. The text is cut into stretches, two per thread, each split and encoded on its own
//! as if a piece started at its first byte. A built-in scanner reads only text from a piece's start
//! on, so from any true piece start the pieces that follow are the true ones: stitching the
//! stretches back, the true pieces are followed past each cut (encoding them on the stitching
//! thread) until one starts where the next stretch had a piece start, and from there that
//! stretch's tokens are the true ones. In text they meet within a piece or two.
//!
//! A piece longer than a few parts (a run of letters with no space, 1 MB of CJK) is cut into
//! parts merged in parallel and joined back exactly (see `bpe::join_merged`); where a join finds
//! no agreement nearby (a run of one repeated character), that piece is merged whole.

use super::bpe::{encode_piece, join_merged, merge_part};
use super::split::{PieceScanner, Splitter};
use super::vocab::{Rank, Vocab};
use rayon::prelude::*;

/// Texts from this length on are encoded on all cores (when the pool has more than one thread);
/// shorter ones on the calling thread, where splitting the work would cost more than it saves.
/// (The tests use tiny sizes, so that every text of the tokenizer's tests crosses many cuts.)
pub(super) const PARALLEL_MIN_LEN: usize = if cfg!(test) { 200 } else { 64 * 1024 };

/// A piece longer than two of these is merged in parts of about this many bytes, in parallel.
const PART_LEN: usize = if cfg!(test) { 100 } else { 16 * 1024 };

/// A long piece repeating a pattern of at most this many bytes is merged whole.
const MAX_RUN_PERIOD: usize = 8;

/// How many piece starts of each stretch are kept, to find where the true pieces meet its own.
const KEPT_STARTS: usize = if cfg!(test) { 3 } else { 64 };

/// Appends the tokens of `text` to `out`, with the work spread over the thread pool; `false` (and
/// nothing appended) for a user pattern, which only splits from the start of a text.
pub(super) fn encode_in_parallel(
    splitter: &Splitter,
    vocab: &Vocab,
    text: &str,
    out: &mut Vec<Rank>,
) -> bool {
    let Some(scanner) = splitter.scanner_for(text) else {
        return false;
    };
    // Stretches scanned from inside a long piece read on to its end, so they are kept few.
    let stretch_len = text.len().div_ceil(2 * rayon::current_num_threads());
    // A first piece as long as a stretch (a run of letters or of CJK, often the whole text) is
    // encoded first: stretches inside it would only scan it again to its end, and they start after it.
    let first_end = scanner.piece_end(0);
    let first_end = if first_end >= stretch_len {
        encode_any_piece(vocab, &text.as_bytes()[..first_end], out);
        first_end
    } else {
        0
    };
    let cuts = cuts(text, first_end, stretch_len.max(1));
    let stretches: Vec<Stretch> = cuts
        .par_windows(2)
        .map(|stretch| Stretch::encode(&scanner, vocab, text, stretch[0], stretch[1]))
        .collect();
    out.reserve(stretches.iter().map(|stretch| stretch.tokens.len()).sum());
    // The next true piece start: the tokens of everything before it are in `out`.
    let mut at = cuts[0];
    for (stretch, &stretch_end) in stretches.iter().zip(&cuts[1..]) {
        while at < stretch_end {
            if let Some(tokens) = stretch.tokens_from(at) {
                out.extend_from_slice(tokens);
                at = stretch.end;
                break;
            }
            let end = scanner.piece_end(at);
            encode_any_piece(vocab, &text.as_bytes()[at..end], out);
            at = end;
        }
    }
    true
}

/// A stretch of text split and encoded on its own, from a guessed piece start at its first byte.
struct Stretch {
    /// Its first pieces' starts, each with the number of tokens before it.
    starts: Vec<(usize, usize)>,
    tokens: Vec<Rank>,
    /// Where its last piece ends (at or past the stretch's end).
    end: usize,
}

impl Stretch {
    fn encode(scanner: &PieceScanner, vocab: &Vocab, text: &str, start: usize, end: usize) -> Self {
        let mut stretch = Stretch {
            starts: Vec::new(),
            tokens: Vec::new(),
            end: start,
        };
        let mut at = start;
        while at < end {
            let piece_end = scanner.piece_end(at);
            // A long piece at the guessed start is most likely the tail of one begun before the
            // cut: leave it to the stitching, which finds the true piece.
            if at > start || piece_end - at <= PART_LEN {
                if stretch.starts.len() < KEPT_STARTS {
                    stretch.starts.push((at, stretch.tokens.len()));
                }
                encode_any_piece(vocab, &text.as_bytes()[at..piece_end], &mut stretch.tokens);
            }
            at = piece_end;
        }
        stretch.end = at;
        stretch
    }

    /// Its tokens from its piece that starts at byte `at`, if that is one of its kept starts.
    fn tokens_from(&self, at: usize) -> Option<&[Rank]> {
        let index = self
            .starts
            .binary_search_by_key(&at, |&(start, _)| start)
            .ok()?;
        Some(&self.tokens[self.starts[index].1..])
    }
}

/// Appends the tokens of one piece; a long one is merged in parts on all cores, unless it repeats
/// a short pattern (a run of spaces, of one letter): merged whole, its windows repeat and cost
/// almost nothing, while its parts, cut at other phases, would not join.
fn encode_any_piece(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    let whole = piece.len() <= 2 * PART_LEN
        || vocab.rank(piece).is_some()
        || (1..=MAX_RUN_PERIOD).any(|period| piece[period..] == piece[..piece.len() - period]);
    if whole {
        encode_piece(vocab, piece, out);
        return;
    }
    let parts = piece.len() / PART_LEN;
    let cuts: Vec<usize> = (0..=parts).map(|k| k * piece.len() / parts).collect();
    let merged: Vec<Vec<Rank>> = cuts
        .par_windows(2)
        .map(|part| {
            let mut tokens = Vec::new();
            merge_part(vocab, &piece[part[0]..part[1]], &mut tokens);
            tokens
        })
        .collect();
    let first = out.len();
    for (k, tokens) in merged.iter().enumerate() {
        let joined =
            k == 0 || join_merged(vocab, &piece[..cuts[k + 1]], cuts[k], out, first, tokens);
        if k == 0 {
            out.extend_from_slice(tokens);
        } else if !joined {
            out.truncate(first);
            merge_part(vocab, piece, out);
            return;
        }
    }
}

/// `start`, the character boundaries about every `len` bytes after it, and `text.len()` (just
/// `start` when it is the end). A cut inside a run of ASCII digits is put a multiple of three digits
/// after the run's start (see [`digit_group_start`]).
fn cuts(text: &str, start: usize, len: usize) -> Vec<usize> {
    let mut cuts = vec![start];
    let mut cut = start + len;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            let previous = cuts[cuts.len() - 1];
            cut = digit_group_start(text.as_bytes(), previous, cut);
            if cut >= text.len() {
                break;
            }
            cuts.push(cut);
            cut += len;
        } else {
            cut += 1;
        }
    }
    if start < text.len() {
        cuts.push(text.len());
    }
    cuts
}

/// `cut`, or where the three-digit group holding it ends when it falls inside a run of ASCII digits.
///
/// `cl100k_base` and `o200k_base` split a run of digits in groups of three from its start
/// (`\p{N}{1,3}`). A stretch that starts inside a group splits the rest of the run at another
/// phase, so none of its pieces is a true one and the stitching encodes the whole stretch again on
/// one thread: 1 MB of digits took longer on two threads than on one. The run's start is looked
/// for back to `previous`, the cut before, which is itself a true piece start or put at a group's
/// start (so that the scans add up to the text's length). Only speed depends on this choice: the
/// stitching finds the true pieces whatever the cuts.
fn digit_group_start(bytes: &[u8], previous: usize, cut: usize) -> usize {
    if !bytes.get(cut).is_some_and(u8::is_ascii_digit) {
        return cut;
    }
    let run_start = bytes[previous..cut]
        .iter()
        .rposition(|byte| !byte.is_ascii_digit())
        .map_or(previous, |before| previous + before + 1);
    // Forward to the group's end, but not past the run: the byte after an ASCII digit always starts
    // a character, where two bytes further may fall inside one.
    let group_end = cut + (3 - (cut - run_start) % 3) % 3;
    let mut moved = cut;
    while moved < group_end && bytes.get(moved).is_some_and(u8::is_ascii_digit) {
        moved += 1;
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_inside_runs_of_digits_fall_between_groups_of_three() {
        let digits = "7".repeat(1000);
        let cuts = cuts(&digits, 0, 100);
        assert!(cuts.len() > 5, "{cuts:?}");
        assert!(
            cuts.iter().all(|&cut| cut % 3 == 0 || cut == 1000),
            "{cuts:?}"
        );
        // After other text, the groups count from the run's start.
        let text = format!("ab {}", "7".repeat(1000));
        let cuts = super::cuts(&text, 0, 100);
        assert!(cuts.len() > 5, "{cuts:?}");
        assert!(
            cuts.iter()
                .all(|&cut| cut == 0 || (cut - 3) % 3 == 0 || cut == text.len()),
            "{cuts:?}"
        );
        // A run ending just after a cut: the cut moves to the run's end, never into the character
        // after it.
        for phase in 0..3 {
            let text = format!("{}{}", "5".repeat(100 + phase), "é".repeat(100));
            let cuts = super::cuts(&text, 0, 100);
            assert!(
                cuts.iter().all(|&cut| text.is_char_boundary(cut)),
                "{cuts:?}"
            );
        }
        // Elsewhere, cuts stay at their place.
        assert_eq!(super::cuts(&"a".repeat(300), 0, 100), [0, 100, 200, 300]);
    }
}
