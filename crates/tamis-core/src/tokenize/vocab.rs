//! The mergeable token table: bytes -> rank for BPE, rank -> bytes for decoding. Special tokens
//! live in the [`super::Encoding`], so encodings that differ only by them share one table.

use super::merge_filter::MergeFilter;
use crate::error::{Error, Location, Result};
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use xxhash_rust::xxh3::xxh3_64;

/// A token id. In tiktoken a mergeable token's id is also its merge priority (lower merges first).
pub type Rank = u32;

/// The source of [`Vocab::id`]s.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Ids above this are refused: the decoding table is indexed by id.
const MAX_ID: Rank = 1 << 28;

/// Where a token's bytes sit in [`Vocab::bytes`]; `start == u32::MAX` marks an unused id.
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

const UNUSED: Span = Span {
    start: u32::MAX,
    end: u32::MAX,
};

pub(crate) struct Vocab {
    /// Tokens of up to 7 bytes, packed with their length into a `u64` (see [`pack`]): most
    /// lookups are of short byte strings, and an inline integer key spares hashing a slice and
    /// chasing a pointer to compare it.
    short_ranks: FxHashMap<u64, Rank>,
    /// Tokens of 8 to 15 bytes, packed with their length into two `u64`s (see [`pack_medium`]):
    /// a lookup reads one table entry, where a hashed one also reads the token's span and bytes,
    /// two more cache misses (perf: about a tenth of `o200k_base`'s time on real text).
    medium_ranks: FxHashMap<(u64, u64), Rank>,
    /// Longer tokens by a 64-bit hash of their bytes, checked against the bytes in `bytes`:
    /// no allocation per token when loading.
    long_ranks: FxHashMap<u64, Rank>,
    /// The long tokens whose hash an earlier long token already has (in practice none).
    long_collisions: FxHashMap<Box<[u8]>, Rank>,
    /// The rank of each single byte: every byte must be a token so that BPE always succeeds.
    byte_ranks: [Rank; 256],
    /// The rank of each two-byte string (`Rank::MAX` if it is no token), indexed by
    /// `first << 8 | second`: merging a piece starts with one lookup per adjacent byte pair, and
    /// this table (256 KiB) answers them without hashing.
    byte_pair_ranks: Box<[Rank]>,
    /// The bytes of every token, concatenated.
    bytes: Vec<u8>,
    spans: Vec<Span>,
    /// The longest token, in bytes: longer pieces skip the whole-piece lookup.
    max_token_len: usize,
    /// Tells tables apart for caches keyed by token ids (see `bpe`); never reused.
    id: u64,
    /// The token pairs that may merge (see [`MergeFilter`]).
    merge_filter: MergeFilter,
}

impl Vocab {
    /// Builds the table from the mergeable tokens and their ranks (`count` of them, a capacity
    /// hint), and works out which pairs can merge.
    pub(crate) fn build(
        count: usize,
        fill: impl FnOnce(&mut dyn FnMut(&[u8], Rank) -> Result<()>) -> Result<()>,
    ) -> Result<Self> {
        let mut vocab = Self::build_tables(count, fill)?;
        vocab.merge_filter = MergeFilter::of_vocab(&vocab);
        Ok(vocab)
    }

    /// Builds the table with a merge filter made beforehand (the bundled vocabularies ship theirs:
    /// working it out takes longer than loading the rest).
    pub(crate) fn build_with_filter(
        count: usize,
        fill: impl FnOnce(&mut dyn FnMut(&[u8], Rank) -> Result<()>) -> Result<()>,
        merge_filter: MergeFilter,
    ) -> Result<Self> {
        let mut vocab = Self::build_tables(count, fill)?;
        vocab.merge_filter = merge_filter;
        Ok(vocab)
    }

    fn build_tables(
        count: usize,
        fill: impl FnOnce(&mut dyn FnMut(&[u8], Rank) -> Result<()>) -> Result<()>,
    ) -> Result<Self> {
        let mut short_ranks = FxHashMap::with_capacity_and_hasher(count, rustc_hash::FxBuildHasher);
        // About a third of the tokens of the bundled files are 8 bytes or longer, few 16 or more.
        let mut medium_ranks =
            FxHashMap::with_capacity_and_hasher(count / 3, rustc_hash::FxBuildHasher);
        let mut long_ranks = FxHashMap::default();
        let mut long_collisions: FxHashMap<Box<[u8]>, Rank> = FxHashMap::default();
        let mut bytes = Vec::with_capacity(count * 8);
        let mut spans = Vec::with_capacity(count + 1);
        let mut max_token_len = 0;
        let mut byte_pair_ranks = vec![Rank::MAX; 1 << 16].into_boxed_slice();
        fill(&mut |token: &[u8], rank: Rank| {
            if rank >= MAX_ID {
                return Err(Error::InvalidArgument(format!(
                    "token id {rank} is too large (at most {MAX_ID} is supported)"
                )));
            }
            let id = rank as usize;
            if spans.len() <= id {
                spans.resize(id + 1, UNUSED);
            }
            if spans[id].start != u32::MAX {
                return Err(Error::InvalidArgument(format!(
                    "mergeable_ranks gives rank {rank} to more than one token"
                )));
            }
            let start = u32::try_from(bytes.len())
                .map_err(|_| Error::InvalidArgument("vocabulary too large".into()))?;
            bytes.extend_from_slice(token);
            spans[id] = Span {
                start,
                end: start + token.len() as u32,
            };
            max_token_len = max_token_len.max(token.len());
            if let &[first, second] = token {
                byte_pair_ranks[usize::from(first) << 8 | usize::from(second)] = rank;
            }
            let duplicate = match (pack(token), pack_medium(token)) {
                (Some(key), _) => short_ranks.insert(key, rank).is_some(),
                (None, Some(key)) => medium_ranks.insert(key, rank).is_some(),
                (None, None) => match long_ranks.entry(xxh3_64(token)) {
                    Entry::Vacant(slot) => {
                        slot.insert(rank);
                        false
                    }
                    Entry::Occupied(known) => {
                        let known = spans[*known.get() as usize];
                        bytes[known.start as usize..known.end as usize] == *token
                            || long_collisions.insert(Box::from(token), rank).is_some()
                    }
                },
            };
            if duplicate {
                return Err(Error::InvalidArgument(format!(
                    "mergeable_ranks lists the token {token:?} twice"
                )));
            }
            Ok(())
        })?;
        let mut byte_ranks = [0; 256];
        for (byte, slot) in (0..=255u8).zip(&mut byte_ranks) {
            *slot = *short_ranks.get(&pack_short(&[byte])).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "mergeable_ranks lacks the single byte {byte:#04x}: every byte must be a token"
                ))
            })?;
        }
        Ok(Vocab {
            short_ranks,
            medium_ranks,
            long_ranks,
            long_collisions,
            byte_ranks,
            byte_pair_ranks,
            bytes,
            spans,
            max_token_len,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            merge_filter: MergeFilter::pass_all(),
        })
    }

    /// `false` when the tokens `left` then `right` never merge (see [`MergeFilter`]).
    #[inline]
    pub(crate) fn may_merge(&self, left: Rank, right: Rank) -> bool {
        self.merge_filter.may_merge(left, right)
    }

    #[cfg(test)]
    pub(crate) fn merge_filter(&self) -> &MergeFilter {
        &self.merge_filter
    }

    /// The rank of a mergeable token.
    #[inline]
    pub(crate) fn rank(&self, token: &[u8]) -> Option<Rank> {
        if let Some(key) = pack(token) {
            self.short_ranks.get(&key).copied()
        } else if let Some(key) = pack_medium(token) {
            self.medium_ranks.get(&key).copied()
        } else if token.len() <= self.max_token_len {
            self.long_rank(token)
        } else {
            None
        }
    }

    /// The rank of a token of at most 7 bytes given packed (see [`pack`]), `Rank::MAX` if it is
    /// no token.
    #[inline]
    pub(crate) fn packed_rank(&self, key: u64) -> Rank {
        self.short_ranks.get(&key).copied().unwrap_or(Rank::MAX)
    }

    fn long_rank(&self, token: &[u8]) -> Option<Rank> {
        let rank = *self.long_ranks.get(&xxh3_64(token))?;
        if self.token_bytes(rank) == Some(token) {
            Some(rank)
        } else if self.long_collisions.is_empty() {
            None
        } else {
            self.long_collisions.get(token).copied()
        }
    }

    /// The highest id a token could have here (the decoding table's last index).
    #[inline]
    pub(crate) fn max_id(&self) -> Rank {
        self.spans.len().saturating_sub(1) as Rank
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The length in bytes of a mergeable token (0 for an unknown id).
    #[inline]
    pub(crate) fn token_len(&self, id: Rank) -> usize {
        self.spans
            .get(id as usize)
            .filter(|span| span.start != u32::MAX)
            .map_or(0, |span| (span.end - span.start) as usize)
    }

    #[inline]
    pub(crate) fn byte_rank(&self, byte: u8) -> Rank {
        self.byte_ranks[usize::from(byte)]
    }

    /// The rank of the two-byte string `[first, second]`, `Rank::MAX` if it is no token.
    #[inline]
    pub(crate) fn byte_pair_rank(&self, first: u8, second: u8) -> Rank {
        self.byte_pair_ranks[usize::from(first) << 8 | usize::from(second)]
    }

    /// The bytes of a mergeable token.
    #[inline]
    pub(crate) fn token_bytes(&self, id: Rank) -> Option<&[u8]> {
        let span = *self.spans.get(id as usize)?;
        self.bytes.get(span.start as usize..span.end as usize)
    }

    /// The number of mergeable tokens.
    pub(crate) fn len(&self) -> usize {
        self.short_ranks.len()
            + self.medium_ranks.len()
            + self.long_ranks.len()
            + self.long_collisions.len()
    }

    /// The highest rank (`None` for an empty table).
    pub(crate) fn max_rank(&self) -> Option<Rank> {
        self.tokens().map(|(_, rank)| rank).max()
    }

    /// Every mergeable token's bytes, sorted bytewise (tiktoken's `token_byte_values`).
    pub(crate) fn sorted_tokens(&self) -> Vec<&[u8]> {
        let mut tokens: Vec<&[u8]> = self.tokens().map(|(token, _)| token).collect();
        tokens.sort_unstable();
        tokens
    }

    fn tokens(&self) -> impl Iterator<Item = (&[u8], Rank)> {
        let short = self.short_ranks.values().copied();
        let medium = self.medium_ranks.values().copied();
        let long = self.long_ranks.values().copied();
        let collided = self.long_collisions.values().copied();
        short
            .chain(medium)
            .chain(long)
            .chain(collided)
            .filter_map(|rank| Some((self.token_bytes(rank)?, rank)))
    }
}

/// A token of at most 7 bytes as one integer: its bytes, then its length in the top byte.
#[inline]
pub(crate) fn pack(token: &[u8]) -> Option<u64> {
    (token.len() < 8).then(|| pack_short(token))
}

/// The bytes of `token` (at most 7) read as at most three loads, whatever its length: a loop over
/// the bytes ended at a different count from one piece to the next, and its exit was mispredicted
/// about once per lookup (callgrind: a sixth of the mispredicted branches of real text).
#[inline]
fn pack_short(token: &[u8]) -> u64 {
    debug_assert!(token.len() < 8);
    let len = token.len();
    let bytes = match len {
        0 => 0,
        // The first, middle and last bytes cover all of 1 to 3 bytes (some twice, at their place).
        1..=3 => {
            u64::from(token[0])
                | u64::from(token[len / 2]) << (8 * (len / 2))
                | u64::from(token[len - 1]) << (8 * (len - 1))
        }
        // Two four-byte loads, the first and the last four bytes, overlapping at their places.
        _ => {
            let first = u32::from_le_bytes([token[0], token[1], token[2], token[3]]);
            let last = u32::from_le_bytes([
                token[len - 4],
                token[len - 3],
                token[len - 2],
                token[len - 1],
            ]);
            u64::from(first) | u64::from(last) << (8 * (len - 4))
        }
    };
    bytes | (len as u64) << 56
}

/// A token of 8 to 15 bytes as two integers: its first eight bytes, then the rest with its length
/// in the top byte (two loads whatever its length, as [`pack_short`] does).
#[inline]
pub(crate) fn pack_medium(token: &[u8]) -> Option<(u64, u64)> {
    let len = token.len();
    if !(8..16).contains(&len) {
        return None;
    }
    let (&head, _) = token.split_first_chunk::<8>()?;
    let (_, &last) = token.split_last_chunk::<8>()?;
    // The last eight bytes end with the `len - 8` after the head: shift the others out (all eight
    // of them for an 8-byte token, a shift by 64 that only a 128-bit integer takes).
    let rest = (u128::from(u64::from_le_bytes(last)) >> (8 * (16 - len))) as u64;
    Some((u64::from_le_bytes(head), rest | (len as u64) << 56))
}

/// Parses a `.tiktoken` file (one `base64(token) rank` per line, blank lines ignored), as
/// tiktoken's `load_tiktoken_bpe` does. `source` names the file in errors.
pub fn parse_tiktoken_bpe(contents: &[u8], source: &str) -> Result<Vec<(Vec<u8>, Rank)>> {
    let mut tokens = Vec::with_capacity(contents.len() / 8);
    for_each_tiktoken_line(contents, source, |token, rank| {
        tokens.push((token.to_vec(), rank));
        Ok(())
    })?;
    Ok(tokens)
}

/// Calls `visit` with each token and rank of a `.tiktoken` file, decoding into one buffer.
pub(crate) fn for_each_tiktoken_line(
    contents: &[u8],
    source: &str,
    mut visit: impl FnMut(&[u8], Rank) -> Result<()>,
) -> Result<()> {
    let mut token = Vec::new();
    let mut line_start = 0;
    let mut index = 0u64;
    while line_start < contents.len() {
        let line_end = memchr::memchr(b'\n', &contents[line_start..])
            .map_or(contents.len(), |i| line_start + i);
        let line = &contents[line_start..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line_start = line_end + 1;
        index += 1;
        if line.is_empty() {
            continue;
        }
        let bad = |what: &str| Error::InvalidRecord {
            location: Location::Line {
                path: PathBuf::from(source),
                line: index,
            },
            message: format!("not a `base64-token rank` line: {what}"),
        };
        let mut fields = line.split(|&b| b == b' ').filter(|f| !f.is_empty());
        let (Some(encoded), Some(rank), None) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(bad("expected two fields"));
        };
        if !decode_base64(encoded, &mut token) {
            return Err(bad("bad base64"));
        }
        let rank = parse_rank(rank).ok_or_else(|| bad("bad rank"))?;
        visit(&token, rank)?;
    }
    Ok(())
}

/// A decimal rank; `None` if not digits or too large.
fn parse_rank(digits: &[u8]) -> Option<Rank> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0 as Rank, |rank, &digit| {
        if !digit.is_ascii_digit() {
            return None;
        }
        rank.checked_mul(10)?.checked_add(Rank::from(digit - b'0'))
    })
}

/// The value of each base64 character, `INVALID` for the others.
const BASE64_VALUES: [u8; 256] = {
    let mut values = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < alphabet.len() {
        values[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    values
};
const INVALID: u8 = 0xFF;

/// Standard base64 with `=` padding into `out` (cleared first); `false` on anything else.
fn decode_base64(text: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    if !text.len().is_multiple_of(4) {
        return false;
    }
    let body = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    for chunk in body.chunks(4) {
        let mut bits = 0u32;
        for &c in chunk {
            let value = BASE64_VALUES[usize::from(c)];
            if value == INVALID {
                return false;
            }
            bits = (bits << 6) | u32::from(value);
        }
        // Byte pushes: copying these few bytes with `extend_from_slice` compiled to a call
        // to `memcpy` per chunk, a good part of the load time.
        match chunk.len() {
            4 => {
                out.push((bits >> 16) as u8);
                out.push((bits >> 8) as u8);
                out.push(bits as u8);
            }
            3 => {
                out.push((bits >> 10) as u8);
                out.push((bits >> 2) as u8);
            }
            2 => out.push((bits >> 4) as u8),
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_all_paddings() {
        let decoded = |text: &[u8]| {
            let mut out = vec![1, 2, 3];
            decode_base64(text, &mut out).then_some(out)
        };
        assert_eq!(decoded(b"aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decoded(b"aGVsbA==").unwrap(), b"hell");
        assert_eq!(decoded(b"aGVs").unwrap(), b"hel");
        assert_eq!(decoded(b"").unwrap(), b"");
        assert!(decoded(b"aGV").is_none());
        assert!(decoded(b"a*Vs").is_none());
    }

    #[test]
    fn short_and_long_tokens_are_found() {
        let vocab = Vocab::build(258, |add| {
            for byte in 0..=255u8 {
                add(&[byte], Rank::from(byte))?;
            }
            add(b"abcdefg", 256)?;
            add(b"abcdefgh", 257)?;
            add(b"aaaaaaaaa", 258)?;
            add(b"abcdefghijklmno", 259)?;
            add(b"abcdefghijklmnop", 260)?;
            add(b"abcdefgh\0", 261)
        })
        .unwrap();
        assert_eq!(vocab.rank(b"abcdefg"), Some(256));
        assert_eq!(vocab.rank(b"abcdefgh"), Some(257));
        assert_eq!(vocab.rank(b"abcdefgi"), None);
        assert_eq!(vocab.rank(b"aaaaaaaaa"), Some(258));
        // Same first and last eight bytes as a token, another length.
        assert_eq!(vocab.rank(b"aaaaaaaa"), None);
        assert_eq!(vocab.rank(b"aaaaaaaaaa"), None);
        assert_eq!(vocab.rank(b"abcdefghijklmno"), Some(259));
        assert_eq!(vocab.rank(b"abcdefghijklmnp"), None);
        assert_eq!(vocab.rank(b"abcdefghijklmnop"), Some(260));
        assert_eq!(vocab.rank(b"abcdefghijklmnoq"), None);
        assert_eq!(vocab.rank(b"abcdefgh\0"), Some(261));
        assert_eq!(vocab.rank(b"abcdefgh\0\0"), None);
        assert_eq!(vocab.rank(b"\0"), Some(0));
        assert_eq!(vocab.rank(b""), None);
        assert_eq!(vocab.len(), 262);
        assert_eq!(vocab.max_rank(), Some(261));
        assert_eq!(vocab.token_len(257), 8);
        assert_eq!(vocab.token_len(260), 16);
    }

    #[test]
    fn packing_keeps_every_byte_at_its_place_and_the_length() {
        let bytes: Vec<u8> = (0..7u8).map(|i| 0x91 ^ i.wrapping_mul(37)).collect();
        for len in 0..8 {
            let token = &bytes[..len];
            let mut expected = (len as u64) << 56;
            for (i, &byte) in token.iter().enumerate() {
                expected |= u64::from(byte) << (8 * i);
            }
            assert_eq!(pack(token), Some(expected), "length {len}");
        }
        assert_eq!(pack(&[0; 8]), None);
        // Keys of different lengths never meet, trailing zero bytes included.
        assert_ne!(pack(b"a\0"), pack(b"a"));
    }

    #[test]
    fn medium_packing_keeps_every_byte_at_its_place_and_the_length() {
        let bytes: Vec<u8> = (0..16u8).map(|i| 0x91 ^ i.wrapping_mul(37)).collect();
        for len in 8..16 {
            let token = &bytes[..len];
            let head = u64::from_le_bytes(token[..8].try_into().unwrap());
            let mut rest = (len as u64) << 56;
            for (i, &byte) in token[8..].iter().enumerate() {
                rest |= u64::from(byte) << (8 * i);
            }
            assert_eq!(pack_medium(token), Some((head, rest)), "length {len}");
        }
        assert_eq!(pack_medium(&bytes[..7]), None);
        assert_eq!(pack_medium(&bytes[..16]), None);
        assert_ne!(pack_medium(&[0; 9]), pack_medium(&[0; 8]));
    }

    #[test]
    fn byte_pairs_are_found_without_hashing() {
        let vocab = Vocab::build(258, |add| {
            for byte in 0..=255u8 {
                add(&[byte], 255 - Rank::from(byte))?;
            }
            add(b"ab", 256)?;
            add(b"\xff\x00", 257)
        })
        .unwrap();
        assert_eq!(vocab.byte_pair_rank(b'a', b'b'), 256);
        assert_eq!(vocab.byte_pair_rank(0xff, 0), 257);
        assert_eq!(vocab.byte_pair_rank(b'b', b'a'), Rank::MAX);
        assert_eq!(vocab.byte_pair_rank(0, 0xff), Rank::MAX);
        assert_eq!(vocab.rank(b"ab"), Some(256));
    }

    #[test]
    fn tiktoken_lines_parse_and_errors_name_the_line() {
        let parsed = parse_tiktoken_bpe(b"IQ== 0\n\nIg== 1\r\n", "x.tiktoken").unwrap();
        assert_eq!(parsed, vec![(b"!".to_vec(), 0), (b"\"".to_vec(), 1)]);
        let err = parse_tiktoken_bpe(b"IQ== 0\nIg==\n", "x.tiktoken").unwrap_err();
        assert!(err.to_string().starts_with("x.tiktoken:2:"), "{err}");
        assert!(parse_tiktoken_bpe(b"IQ== 4294967296\n", "x").is_err());
        assert!(parse_tiktoken_bpe(b"IQ== -1\n", "x").is_err());
    }
}
