//! Finding special tokens in text: the leftmost occurrence, and the longest token where several
//! start at the same place (tiktoken's alternation picks one of them; with the bundled tokens,
//! which all look like `<|...|>`, no token is a prefix of another, so the choice never arises).

mod cache;

use super::vocab::Rank;
use rustc_hash::FxHashMap;

pub(crate) use cache::MatcherCache;

pub(crate) struct SpecialMatcher {
    tokens: FxHashMap<Box<[u8]>, Rank>,
    /// The distinct token lengths, longest first.
    lengths: Vec<usize>,
    /// Which bytes start some token: positions starting with another byte are skipped quickly.
    starts_token: [bool; 256],
    /// The distinct first bytes when there are at most three (the usual case is one, `<`).
    few_first_bytes: Option<Vec<u8>>,
}

impl SpecialMatcher {
    pub(crate) fn new<'a>(tokens: impl IntoIterator<Item = (&'a str, Rank)>) -> Self {
        let tokens: FxHashMap<Box<[u8]>, Rank> = tokens
            .into_iter()
            .filter(|(text, _)| !text.is_empty())
            .map(|(text, rank)| (Box::from(text.as_bytes()), rank))
            .collect();
        let mut lengths: Vec<usize> = tokens.keys().map(|t| t.len()).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        let mut starts_token = [false; 256];
        for token in tokens.keys() {
            starts_token[usize::from(token[0])] = true;
        }
        let first_bytes: Vec<u8> = (0..=255u8)
            .filter(|&b| starts_token[usize::from(b)])
            .collect();
        SpecialMatcher {
            tokens,
            lengths,
            starts_token,
            few_first_bytes: (first_bytes.len() <= 3).then_some(first_bytes),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The first special token at or after byte `from`: its byte range and id.
    pub(crate) fn find(&self, text: &str, from: usize) -> Option<(usize, usize, Rank)> {
        let bytes = text.as_bytes();
        let mut at = from;
        while at < bytes.len() {
            at = self.next_candidate(bytes, at)?;
            for &len in &self.lengths {
                if let Some(&rank) = bytes.get(at..at + len).and_then(|s| self.tokens.get(s)) {
                    return Some((at, at + len, rank));
                }
            }
            at += 1;
        }
        None
    }

    /// The next position at or after `at` whose byte starts some token.
    fn next_candidate(&self, bytes: &[u8], at: usize) -> Option<usize> {
        let rest = &bytes[at..];
        let offset = match self.few_first_bytes.as_deref() {
            Some([a]) => memchr::memchr(*a, rest),
            Some([a, b]) => memchr::memchr2(*a, *b, rest),
            Some([a, b, c]) => memchr::memchr3(*a, *b, *c, rest),
            _ => rest.iter().position(|&b| self.starts_token[usize::from(b)]),
        }?;
        Some(at + offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_leftmost_then_longest() {
        let matcher = SpecialMatcher::new([("<|a|>", 1), ("<|a|>x", 2), ("<|b|>", 3), ("[X]", 4)]);
        let text = "hi <|b|> <|a|>x [X]";
        assert_eq!(matcher.find(text, 0), Some((3, 8, 3)));
        assert_eq!(matcher.find(text, 4), Some((9, 15, 2)));
        assert_eq!(matcher.find(text, 15), Some((16, 19, 4)));
        assert_eq!(matcher.find(text, 17), None);
        assert_eq!(matcher.find("<|a", 0), None);
        assert!(SpecialMatcher::new([]).is_empty());
    }
}
