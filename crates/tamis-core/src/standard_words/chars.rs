//! Which action the one-pass scan takes on a non-ASCII char, asked of the word segmenter itself the
//! first time the char is met, then kept in a table shared by all threads.

use std::sync::atomic::{AtomicU8, Ordering};

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, is_nfkc_quick};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;

/// What the scan does with a char. `Unknown` marks a BMP char not classified yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Action {
    Unknown = 0,
    Word,
    Drop,
    Separator,
    Complex,
}

impl Action {
    fn from_u8(value: u8) -> Action {
        match value {
            1 => Action::Word,
            2 => Action::Drop,
            3 => Action::Separator,
            4 => Action::Complex,
            _ => Action::Unknown,
        }
    }
}

/// The action of every BMP char, filled in as chars are first met (a race only computes the same value
/// twice).
static BMP_ACTIONS: [AtomicU8; 0x1_0000] =
    [const { AtomicU8::new(Action::Unknown as u8) }; 0x1_0000];

pub(super) fn action_of(c: char) -> Action {
    let Some(slot) = BMP_ACTIONS.get(c as usize) else {
        return Action::Complex;
    };
    let known = Action::from_u8(slot.load(Ordering::Relaxed));
    if known != Action::Unknown {
        return known;
    }
    let action = classify(c);
    slot.store(action as u8, Ordering::Relaxed);
    action
}

/// The action of a non-ASCII char, as `standard` normalization then word segmentation treat it.
fn classify(c: char) -> Action {
    // A char that NFKC keeps and that does not combine leaves the text's NFKC unchanged around it.
    let stable =
        is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes && canonical_combining_class(c) == 0;
    let mut lowercase = c.to_lowercase();
    let (Some(lower), None) = (lowercase.next(), lowercase.next()) else {
        return Action::Complex;
    };
    if !stable {
        return Action::Complex;
    }
    if lower.is_whitespace() {
        Action::Separator
    } else if lower.general_category_group() == GeneralCategoryGroup::Punctuation {
        Action::Drop
    } else if lower.is_alphanumeric() && segments_as_a_letter(lower) {
        Action::Word
    } else if !lower.is_alphanumeric() && segments_as_a_separator(lower) {
        Action::Separator
    } else {
        Action::Complex
    }
}

/// Whether the segmenter joins `c` with letters and digits on either side, with itself, and keeps it as
/// a word of its own after a space.
fn segments_as_a_letter(c: char) -> bool {
    let probe = format!("a{c}1{c}b {c}{c} {c}");
    let expected = [format!("a{c}1{c}b"), format!("{c}{c}"), c.to_string()];
    probe
        .unicode_words()
        .eq(expected.iter().map(String::as_str))
}

/// Whether the segmenter cuts letters and digits on both sides of `c` (and `c` alone is no word).
fn segments_as_a_separator(c: char) -> bool {
    let probe = format!("a{c}b 1{c}2 {c}{c} {c}a");
    probe.unicode_words().eq(["a", "b", "1", "2", "a"])
}
