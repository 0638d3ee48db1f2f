//! Runs of ASCII letters, found eight bytes at a time.
//!
//! A byte-by-byte scan leaves its loop at a different count for each word, and that exit was
//! mispredicted about once per word: a quarter of the mispredicted branches of a whole encode of
//! real text (callgrind). Most words fit one eight-byte chunk, so the chunk loop's exit is
//! predicted, and the word's end comes from the bit mask of the bytes outside the run.

/// One in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The top bit of every byte.
const TOPS: u64 = 0x8080_8080_8080_8080;

/// The top bit of each byte of `chunk` that is in `lo..=hi` (both ASCII, `lo > 0`).
#[inline]
fn bytes_in(chunk: u64, lo: u8, hi: u8) -> u64 {
    debug_assert!(0 < lo && lo <= hi && hi < 0x80);
    // Each byte's low seven bits plus at most 0x7f: no carry into the next byte, and the sum's top
    // bit says whether the byte reached the bound.
    let low_bits = chunk & !TOPS;
    let reaches_lo = low_bits + ONES * u64::from(0x80 - lo);
    let passes_hi = low_bits + ONES * u64::from(0x80 - (hi + 1));
    // A byte with its own top bit set is no ASCII.
    reaches_lo & !passes_hi & !chunk & TOPS
}

/// The end of the run of bytes in `lo..=hi` from `at` (both ASCII, `lo > 0`), with `fold` or-ed
/// into each byte first (`0x20` folds ASCII uppercase onto lowercase).
#[inline]
fn run_end(bytes: &[u8], mut at: usize, lo: u8, hi: u8, fold: u8) -> usize {
    while let Some(chunk) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let chunk = u64::from_le_bytes(*chunk);
        let outside = !bytes_in(chunk | (ONES * u64::from(fold)), lo, hi) & TOPS;
        if outside != 0 {
            return at + (outside.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while bytes
        .get(at)
        .is_some_and(|&byte| (lo..=hi).contains(&(byte | fold)))
    {
        at += 1;
    }
    at
}

/// The end of the run of ASCII uppercase letters from `at`.
#[inline]
pub(super) fn uppercase_end(bytes: &[u8], at: usize) -> usize {
    run_end(bytes, at, b'A', b'Z', 0)
}

/// The end of the run of ASCII lowercase letters from `at`.
#[inline]
pub(super) fn lowercase_end(bytes: &[u8], at: usize) -> usize {
    run_end(bytes, at, b'a', b'z', 0)
}

/// The end of the run of ASCII letters from `at`.
#[inline]
pub(super) fn letters_end(bytes: &[u8], at: usize) -> usize {
    run_end(bytes, at, b'a', b'z', 0x20)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::test_rng::TestRng;

    /// Every run end, against a byte-by-byte scan, at every start of texts mixing the bytes around
    /// the ranges' bounds, non-ASCII bytes and runs longer than a chunk.
    #[test]
    fn runs_end_where_a_byte_scan_ends_them() {
        // The bytes around the ranges' bounds, non-ASCII bytes, and letters of both cases.
        let edges = b"@AZ[`az{\x00\x7f\x80\xc1\xdaqQ ";
        let mut rng = TestRng::new(8);
        for _ in 0..400 {
            // Half of the texts have long runs of one class, so that chunks are passed whole.
            let runs = rng.below(2) == 0;
            let text: Vec<u8> = (0..rng.below(40))
                .map(|_| match (runs, rng.below(12)) {
                    (true, 0) | (false, _) => *rng.pick(edges),
                    (true, _) => *rng.pick(b"abcxyz"),
                })
                .collect();
            for at in 0..=text.len() {
                let scan = |test: fn(&u8) -> bool| {
                    at + text[at..].iter().take_while(|&byte| test(byte)).count()
                };
                assert_eq!(
                    uppercase_end(&text, at),
                    scan(u8::is_ascii_uppercase),
                    "{text:?} at {at}"
                );
                assert_eq!(
                    lowercase_end(&text, at),
                    scan(u8::is_ascii_lowercase),
                    "{text:?} at {at}"
                );
                assert_eq!(
                    letters_end(&text, at),
                    scan(u8::is_ascii_alphabetic),
                    "{text:?} at {at}"
                );
            }
        }
    }
}
