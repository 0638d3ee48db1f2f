//! The mergeable token table: bytes -> rank for BPE, rank -> bytes for decoding. Special tokens
//! live in the [`super::Encoding`], so encodings that differ only by them share one table.

use crate::error::{Error, Location, Result};
use rustc_hash::FxHashMap;
use std::path::PathBuf;

/// A token id. In tiktoken a mergeable token's id is also its merge priority (lower merges first).
pub type Rank = u32;

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
    ranks: FxHashMap<Box<[u8]>, Rank>,
    /// The rank of each single byte: every byte must be a token so that BPE always succeeds.
    byte_ranks: [Rank; 256],
    /// The bytes of every token, concatenated.
    bytes: Vec<u8>,
    spans: Vec<Span>,
}

impl Vocab {
    /// Builds the table from the mergeable tokens and their ranks.
    pub(crate) fn new<'a>(
        mergeable: impl ExactSizeIterator<Item = (&'a [u8], Rank)>,
    ) -> Result<Self> {
        let mut ranks =
            FxHashMap::with_capacity_and_hasher(mergeable.len(), rustc_hash::FxBuildHasher);
        let mut bytes = Vec::new();
        let mut spans = Vec::with_capacity(mergeable.len() + 1);
        for (token, rank) in mergeable {
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
            if ranks.insert(Box::from(token), rank).is_some() {
                return Err(Error::InvalidArgument(format!(
                    "mergeable_ranks lists the token {token:?} twice"
                )));
            }
        }
        let mut byte_ranks = [0; 256];
        for (byte, slot) in (0..=255u8).zip(&mut byte_ranks) {
            *slot = *ranks.get([byte].as_slice()).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "mergeable_ranks lacks the single byte {byte:#04x}: every byte must be a token"
                ))
            })?;
        }
        Ok(Vocab {
            ranks,
            byte_ranks,
            bytes,
            spans,
        })
    }

    /// The rank of a mergeable token.
    #[inline]
    pub(crate) fn rank(&self, token: &[u8]) -> Option<Rank> {
        self.ranks.get(token).copied()
    }

    #[inline]
    pub(crate) fn byte_rank(&self, byte: u8) -> Rank {
        self.byte_ranks[usize::from(byte)]
    }

    /// The bytes of a mergeable token.
    #[inline]
    pub(crate) fn token_bytes(&self, id: Rank) -> Option<&[u8]> {
        let span = *self.spans.get(id as usize)?;
        self.bytes.get(span.start as usize..span.end as usize)
    }

    /// The number of mergeable tokens.
    pub(crate) fn len(&self) -> usize {
        self.ranks.len()
    }

    /// The highest rank (`None` for an empty table).
    pub(crate) fn max_rank(&self) -> Option<Rank> {
        self.ranks.values().copied().max()
    }

    /// Every mergeable token's bytes, sorted bytewise (tiktoken's `token_byte_values`).
    pub(crate) fn sorted_tokens(&self) -> Vec<&[u8]> {
        let mut tokens: Vec<&[u8]> = self.ranks.keys().map(AsRef::as_ref).collect();
        tokens.sort_unstable();
        tokens
    }
}

/// Parses a `.tiktoken` file (one `base64(token) rank` per line, blank lines ignored), as
/// tiktoken's `load_tiktoken_bpe` does. `source` names the file in errors.
pub fn parse_tiktoken_bpe(contents: &[u8], source: &str) -> Result<Vec<(Vec<u8>, Rank)>> {
    let mut tokens = Vec::with_capacity(contents.len() / 8);
    for (index, line) in contents.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let bad = |what: &str| Error::InvalidRecord {
            location: Location::Line {
                path: PathBuf::from(source),
                line: index as u64 + 1,
            },
            message: format!("not a `base64-token rank` line: {what}"),
        };
        let mut fields = line.split(|&b| b == b' ').filter(|f| !f.is_empty());
        let (Some(token), Some(rank), None) = (fields.next(), fields.next(), fields.next()) else {
            return Err(bad("expected two fields"));
        };
        let token = decode_base64(token).ok_or_else(|| bad("bad base64"))?;
        let rank = std::str::from_utf8(rank)
            .ok()
            .and_then(|r| r.parse::<Rank>().ok())
            .ok_or_else(|| bad("bad rank"))?;
        tokens.push((token, rank));
    }
    Ok(tokens)
}

/// Standard base64 with `=` padding; `None` on anything else.
fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    if text.len() % 4 != 0 {
        return None;
    }
    let body = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut bits = 0u32;
        for &c in chunk {
            bits = (bits << 6) | sextet(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&bits.to_be_bytes()[1..]),
            3 => out.extend_from_slice(&(bits << 6).to_be_bytes()[1..3]),
            2 => out.push((bits >> 4) as u8),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_all_paddings() {
        assert_eq!(decode_base64(b"aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64(b"aGVsbA==").unwrap(), b"hell");
        assert_eq!(decode_base64(b"aGVs").unwrap(), b"hel");
        assert_eq!(decode_base64(b"").unwrap(), b"");
        assert!(decode_base64(b"aGV").is_none());
        assert!(decode_base64(b"a*Vs").is_none());
    }

    #[test]
    fn tiktoken_lines_parse_and_errors_name_the_line() {
        let parsed = parse_tiktoken_bpe(b"IQ== 0\n\nIg== 1\r\n", "x.tiktoken").unwrap();
        assert_eq!(parsed, vec![(b"!".to_vec(), 0), (b"\"".to_vec(), 1)]);
        let err = parse_tiktoken_bpe(b"IQ== 0\nIg==\n", "x.tiktoken").unwrap_err();
        assert!(err.to_string().starts_with("x.tiktoken:2:"), "{err}");
    }
}
