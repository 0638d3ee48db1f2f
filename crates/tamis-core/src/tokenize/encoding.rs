//! [`Encoding`]: a pattern, a mergeable table and special tokens, with tiktoken's operations.

use super::bpe::{encode_piece, with_piece_encoder};
use super::builtin;
use super::large_text::{PARALLEL_MIN_LEN, encode_in_parallel};
use super::special::{MatcherCache, SpecialMatcher};
use super::split::Splitter;
use super::vocab::{Rank, Vocab};
use crate::error::{Error, Result};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Which special tokens a call treats as special (tiktoken's `allowed_special`, or the set a
/// disallowed-token check looks for).
#[derive(Debug, Clone, Copy)]
pub enum SpecialSet<'a> {
    None,
    All,
    /// These texts; those that are not special tokens of the encoding are ignored.
    Only(&'a [&'a str]),
    /// Every special token but these texts (tiktoken's default `disallowed_special` when some
    /// are allowed).
    AllExcept(&'a [&'a str]),
}

/// A tokenizer with exactly tiktoken's behaviour: same pieces, same merges, same ids.
pub struct Encoding {
    name: String,
    pat_str: String,
    splitter: Splitter,
    pub(super) vocab: Arc<Vocab>,
    special_tokens: FxHashMap<String, Rank>,
    special_by_id: FxHashMap<Rank, String>,
    all_special: Arc<SpecialMatcher>,
    /// Matchers of the subsets callers allowed or disallowed ([`SpecialSet::Only`],
    /// [`SpecialSet::AllExcept`]).
    subsets: MatcherCache,
    max_token_value: Rank,
}

impl std::fmt::Debug for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<Encoding {:?}>", self.name)
    }
}

impl Encoding {
    /// A custom encoding, as tiktoken's `Encoding(name, pat_str=..., mergeable_ranks=...,
    /// special_tokens=..., explicit_n_vocab=...)`. A `pat_str` other than the bundled encodings'
    /// runs on fancy-regex (a backtracking engine: slower, and not linear on every input).
    pub fn new(
        name: &str,
        pat_str: &str,
        mergeable_ranks: &[(Vec<u8>, Rank)],
        special_tokens: &[(String, Rank)],
        explicit_n_vocab: Option<usize>,
    ) -> Result<Self> {
        let vocab = match builtin::bundled_vocab_with(mergeable_ranks) {
            Some(bundled) => bundled,
            None => Arc::new(Vocab::build(mergeable_ranks.len(), |add| {
                mergeable_ranks
                    .iter()
                    .try_for_each(|(token, rank)| add(token, *rank))
            })?),
        };
        Self::with_vocab(name, pat_str, vocab, special_tokens, explicit_n_vocab)
    }

    pub(crate) fn with_vocab(
        name: &str,
        pat_str: &str,
        vocab: Arc<Vocab>,
        special_tokens: &[(String, Rank)],
        explicit_n_vocab: Option<usize>,
    ) -> Result<Self> {
        let max_mergeable = vocab
            .max_rank()
            .ok_or_else(|| Error::InvalidArgument("mergeable_ranks must not be empty".into()))?;
        let max_token_value = special_tokens
            .iter()
            .map(|&(_, rank)| rank)
            .fold(max_mergeable, Rank::max);
        if let Some(n_vocab) = explicit_n_vocab {
            let count = vocab.len() + special_tokens.len();
            if count != n_vocab || max_token_value as usize + 1 != n_vocab {
                return Err(Error::InvalidArgument(format!(
                    "explicit_n_vocab is {n_vocab} but there are {count} tokens with a highest \
                     id of {max_token_value}"
                )));
            }
        }
        // Where two special tokens share an id (o200k_harmony's `<|endofprompt|>` and
        // `<|reserved_200018|>`), the first listed decodes it, as tiktoken gives.
        let mut special_by_id = FxHashMap::default();
        for (text, rank) in special_tokens {
            special_by_id.entry(*rank).or_insert_with(|| text.clone());
        }
        let special_tokens: FxHashMap<String, Rank> = special_tokens.iter().cloned().collect();
        let all_special = Arc::new(SpecialMatcher::new(
            special_tokens
                .iter()
                .map(|(text, &rank)| (text.as_str(), rank)),
        ));
        let subsets = MatcherCache::new(
            special_tokens
                .iter()
                .map(|(text, &rank)| (text.as_str(), rank)),
        );
        Ok(Encoding {
            name: name.to_owned(),
            pat_str: pat_str.to_owned(),
            splitter: Splitter::for_pattern(pat_str)?,
            vocab,
            special_tokens,
            special_by_id,
            all_special,
            subsets,
            max_token_value,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pat_str(&self) -> &str {
        &self.pat_str
    }

    /// The highest token id, mergeable or special.
    pub fn max_token_value(&self) -> Rank {
        self.max_token_value
    }

    /// `max_token_value + 1`, as tiktoken defines it.
    pub fn n_vocab(&self) -> usize {
        self.max_token_value as usize + 1
    }

    /// The id of `<|endoftext|>`, if the encoding has it.
    pub fn eot_token(&self) -> Option<Rank> {
        self.special_tokens.get("<|endoftext|>").copied()
    }

    /// The special tokens and their ids, sorted by id.
    pub fn special_tokens(&self) -> Vec<(&str, Rank)> {
        let mut tokens: Vec<(&str, Rank)> = self
            .special_tokens
            .iter()
            .map(|(text, &rank)| (text.as_str(), rank))
            .collect();
        tokens.sort_unstable_by_key(|&(text, rank)| (rank, text));
        tokens
    }

    pub fn is_special_token(&self, id: Rank) -> bool {
        self.special_by_id.contains_key(&id)
    }

    /// Encodes `text` with no special token recognised.
    pub fn encode_ordinary(&self, text: &str) -> Result<Vec<Rank>> {
        let mut tokens = Vec::with_capacity(text.len() / 4);
        self.encode_ordinary_into(text, &mut tokens)?;
        Ok(tokens)
    }

    /// Encodes `text`, turning the special tokens of `allowed` into their ids. The text of any other
    /// special token is encoded as ordinary text: callers that must refuse it (tiktoken's
    /// `disallowed_special`) check first with [`Encoding::find_special_token`].
    pub fn encode(&self, text: &str, allowed: SpecialSet) -> Result<Vec<Rank>> {
        self.encode_with(text, self.matcher(allowed).as_deref())
    }

    fn encode_with(&self, text: &str, allowed: Option<&SpecialMatcher>) -> Result<Vec<Rank>> {
        let mut tokens = Vec::with_capacity(text.len() / 4);
        for_each_segment(text, allowed, |segment| match segment {
            Segment::Special(rank) => {
                tokens.push(rank);
                Ok(())
            }
            Segment::Ordinary(ordinary) => self.encode_ordinary_into(ordinary, &mut tokens),
        })?;
        Ok(tokens)
    }

    /// The number of tokens [`Encoding::encode`] gives, without keeping them.
    pub fn count(&self, text: &str, allowed: SpecialSet) -> Result<usize> {
        self.count_with(text, self.matcher(allowed).as_deref())
    }

    fn count_with(&self, text: &str, allowed: Option<&SpecialMatcher>) -> Result<usize> {
        let mut count = 0;
        let mut buffer = Vec::new();
        for_each_segment(text, allowed, |segment| {
            match segment {
                Segment::Special(_) => count += 1,
                Segment::Ordinary(ordinary) => {
                    buffer.clear();
                    self.encode_ordinary_into(ordinary, &mut buffer)?;
                    count += buffer.len();
                }
            }
            Ok(())
        })?;
        Ok(count)
    }

    /// The number of tokens [`Encoding::encode_ordinary`] gives.
    pub fn count_ordinary(&self, text: &str) -> Result<usize> {
        self.count(text, SpecialSet::None)
    }

    /// The first (leftmost, then longest) special token of `among` in `text`, for the caller to
    /// refuse it as tiktoken does for `disallowed_special`.
    pub fn find_special_token<'t>(&self, text: &'t str, among: SpecialSet) -> Option<&'t str> {
        self.matcher(among)?
            .find(text, 0)
            .map(|(start, end, _)| &text[start..end])
    }

    /// The id of a token given by its bytes: mergeable or special.
    pub fn encode_single_token(&self, bytes: &[u8]) -> Result<Rank> {
        self.vocab
            .rank(bytes)
            .or_else(|| {
                std::str::from_utf8(bytes)
                    .ok()
                    .and_then(|text| self.special_tokens.get(text).copied())
            })
            .ok_or_else(|| Error::NotFound(format!("{bytes:?} is not a token of {}", self.name)))
    }

    /// BPE on `bytes` as one piece, without pre-splitting or special tokens.
    pub fn encode_single_piece(&self, bytes: &[u8]) -> Vec<Rank> {
        let mut tokens = Vec::new();
        if !bytes.is_empty() {
            encode_piece(&self.vocab, bytes, &mut tokens);
        }
        tokens
    }

    /// The bytes of one token, mergeable or special.
    pub fn decode_single_token_bytes(&self, id: Rank) -> Result<&[u8]> {
        self.vocab
            .token_bytes(id)
            .or_else(|| self.special_by_id.get(&id).map(String::as_bytes))
            .ok_or_else(|| Error::NotFound(format!("token id {id} is not in {}", self.name)))
    }

    /// The concatenated bytes of `ids` (which may not be valid UTF-8).
    pub fn decode_bytes(&self, ids: &[Rank]) -> Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            bytes.extend_from_slice(self.decode_single_token_bytes(id)?);
        }
        Ok(bytes)
    }

    /// The bytes of each token.
    pub fn decode_tokens_bytes(&self, ids: &[Rank]) -> Result<Vec<&[u8]>> {
        ids.iter()
            .map(|&id| self.decode_single_token_bytes(id))
            .collect()
    }

    /// The text of `ids` and, for each token, the index (in characters) of the first character
    /// holding bytes of it, as tiktoken's `decode_with_offsets`. Fails if the bytes are not UTF-8.
    pub fn decode_with_offsets(&self, ids: &[Rank]) -> Result<(String, Vec<usize>)> {
        let mut offsets = Vec::with_capacity(ids.len());
        let mut chars = 0usize;
        let is_continuation = |b: u8| (0x80..0xC0).contains(&b);
        for &id in ids {
            let bytes = self.decode_single_token_bytes(id)?;
            // A token starting inside a character belongs to the character begun before it.
            let starts_inside = bytes.first().is_some_and(|&b| is_continuation(b));
            offsets.push(chars.saturating_sub(usize::from(starts_inside)));
            chars += bytes.iter().filter(|&&b| !is_continuation(b)).count();
        }
        let text = String::from_utf8(self.decode_bytes(ids)?).map_err(|e| {
            Error::InvalidArgument(format!("tokens do not decode to valid UTF-8: {e}"))
        })?;
        Ok((text, offsets))
    }

    /// Every mergeable token's bytes, sorted bytewise (tiktoken's `token_byte_values`).
    pub fn token_byte_values(&self) -> Vec<&[u8]> {
        self.vocab.sorted_tokens()
    }

    /// [`Encoding::encode_ordinary`] on each text, in parallel; results in input order.
    pub fn encode_ordinary_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
    ) -> Result<Vec<Vec<Rank>>> {
        texts
            .par_iter()
            .map(|text| self.encode_ordinary(text.as_ref()))
            .collect()
    }

    /// [`Encoding::encode`] on each text, in parallel; results in input order.
    pub fn encode_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        allowed: SpecialSet,
    ) -> Result<Vec<Vec<Rank>>> {
        let allowed = self.matcher(allowed);
        texts
            .par_iter()
            .map(|text| self.encode_with(text.as_ref(), allowed.as_deref()))
            .collect()
    }

    /// [`Encoding::count`] on each text, in parallel; results in input order.
    pub fn count_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        allowed: SpecialSet,
    ) -> Result<Vec<usize>> {
        let allowed = self.matcher(allowed);
        texts
            .par_iter()
            .map(|text| self.count_with(text.as_ref(), allowed.as_deref()))
            .collect()
    }

    /// [`Encoding::decode_bytes`] on each list, in parallel; results in input order.
    pub fn decode_bytes_batch<T: AsRef<[Rank]> + Sync>(&self, batch: &[T]) -> Result<Vec<Vec<u8>>> {
        batch
            .par_iter()
            .map(|ids| self.decode_bytes(ids.as_ref()))
            .collect()
    }

    fn encode_ordinary_into(&self, text: &str, tokens: &mut Vec<Rank>) -> Result<()> {
        let parallel = text.len() >= PARALLEL_MIN_LEN && rayon::current_num_threads() > 1;
        if parallel && encode_in_parallel(&self.splitter, &self.vocab, text, tokens) {
            return Ok(());
        }
        with_piece_encoder(&self.vocab, |encoder| {
            self.splitter
                .split(text, |piece| encoder.encode(piece.as_bytes(), tokens))
        })
    }

    /// The matcher of a set of special tokens (`None` for none); a subset's is built on its
    /// first use and then cached.
    fn matcher(&self, set: SpecialSet) -> Option<Arc<SpecialMatcher>> {
        match set {
            SpecialSet::None => None,
            SpecialSet::All => Some(Arc::clone(&self.all_special)),
            SpecialSet::Only(texts) => Some(self.subsets.get(texts)),
            SpecialSet::AllExcept(texts) => Some(self.subsets.get_excluding(texts)),
        }
    }
}

/// Cuts `text` into ordinary text and the special tokens of `allowed`, in order.
fn for_each_segment<'t>(
    text: &'t str,
    allowed: Option<&SpecialMatcher>,
    mut visit: impl FnMut(Segment<'t>) -> Result<()>,
) -> Result<()> {
    let Some(matcher) = allowed.filter(|matcher| !matcher.is_empty()) else {
        return visit(Segment::Ordinary(text));
    };
    let mut start = 0;
    while let Some((token_start, token_end, rank)) = matcher.find(text, start) {
        if token_start > start {
            visit(Segment::Ordinary(&text[start..token_start]))?;
        }
        visit(Segment::Special(rank))?;
        start = token_end;
    }
    if start < text.len() {
        visit(Segment::Ordinary(&text[start..]))?;
    }
    Ok(())
}

enum Segment<'t> {
    Ordinary(&'t str),
    Special(Rank),
}

#[cfg(test)]
mod tests;
