//! The matchers of the special-token subsets that callers allow (tiktoken's
//! `allowed_special={...}`), each built once: a batch or a loop of `encode` calls with the same
//! subset finds its matcher here instead of rebuilding it per text.

use super::SpecialMatcher;
use crate::tokenize::vocab::Rank;
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// How many subsets are kept: the least recently used one goes first.
const KEPT: usize = 16;

/// A subset (one bit per special token) and its matcher.
type Entry = (Box<[u64]>, Arc<SpecialMatcher>);

pub(crate) struct MatcherCache {
    /// Each special token with its id, in the order of its bit in a subset's key.
    tokens: Vec<(Box<str>, Rank)>,
    bit: FxHashMap<Box<str>, usize>,
    /// `(subset as a bit set, its matcher)`, the most recently used last.
    recent: Mutex<Vec<Entry>>,
}

impl MatcherCache {
    pub(crate) fn new<'a>(tokens: impl IntoIterator<Item = (&'a str, Rank)>) -> Self {
        let tokens: Vec<(Box<str>, Rank)> = tokens
            .into_iter()
            .map(|(text, rank)| (Box::from(text), rank))
            .collect();
        let bit = tokens
            .iter()
            .enumerate()
            .map(|(bit, (text, _))| (text.clone(), bit))
            .collect();
        MatcherCache {
            tokens,
            bit,
            recent: Mutex::new(Vec::new()),
        }
    }

    /// The matcher of the special tokens among `texts` (other texts are ignored).
    pub(crate) fn get(&self, texts: &[&str]) -> Arc<SpecialMatcher> {
        self.matcher_of(self.subset_of(texts))
    }

    /// The matcher of every special token except those among `texts` (tiktoken's default
    /// `disallowed_special`, all of them minus the allowed ones): only `texts` are hashed, not the
    /// hundreds of tokens of `o200k_harmony`.
    pub(crate) fn get_excluding(&self, texts: &[&str]) -> Arc<SpecialMatcher> {
        let mut subset = self.subset_of(texts);
        for (bit, word) in subset.iter_mut().enumerate() {
            let present = self.tokens.len().saturating_sub(bit * 64).min(64);
            let mask = if present == 64 {
                u64::MAX
            } else {
                (1 << present) - 1
            };
            *word = !*word & mask;
        }
        self.matcher_of(subset)
    }

    /// The special tokens among `texts`, one bit each.
    fn subset_of(&self, texts: &[&str]) -> Box<[u64]> {
        let mut subset = vec![0u64; self.tokens.len().div_ceil(64)].into_boxed_slice();
        for &text in texts {
            if let Some(&bit) = self.bit.get(text) {
                subset[bit / 64] |= 1 << (bit % 64);
            }
        }
        subset
    }

    fn matcher_of(&self, subset: Box<[u64]>) -> Arc<SpecialMatcher> {
        {
            let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(at) = recent.iter().position(|(known, _)| *known == subset) {
                let entry = recent.remove(at);
                let matcher = Arc::clone(&entry.1);
                recent.push(entry);
                return matcher;
            }
        }
        // Built outside the lock; two threads may build the same one, and both are equal.
        let matcher = Arc::new(SpecialMatcher::new(
            self.tokens
                .iter()
                .enumerate()
                .filter(|(bit, _)| subset[bit / 64] & (1 << (bit % 64)) != 0)
                .map(|(_, (text, rank))| (&**text, *rank)),
        ));
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if recent.len() >= KEPT {
            recent.remove(0);
        }
        recent.push((subset, Arc::clone(&matcher)));
        matcher
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subset_is_built_once_whatever_the_order_and_unknown_texts() {
        let cache = MatcherCache::new([("<|a|>", 1), ("<|b|>", 2), ("<|c|>", 3)]);
        let first = cache.get(&["<|a|>", "<|b|>"]);
        let again = cache.get(&["<|b|>", "nope", "<|a|>", "<|a|>"]);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.find("x<|b|>", 0), Some((1, 6, 2)));
        assert_eq!(first.find("x<|c|>", 0), None);
        let other = cache.get(&["<|c|>"]);
        assert!(!Arc::ptr_eq(&first, &other));
        assert!(cache.get(&["nope"]).is_empty());
        let all_but_b = cache.get_excluding(&["<|b|>", "nope"]);
        assert_eq!(all_but_b.find("<|b|><|c|>", 0), Some((5, 10, 3)));
        assert!(Arc::ptr_eq(&all_but_b, &cache.get(&["<|c|>", "<|a|>"])));
        assert!(cache.get_excluding(&["<|a|>", "<|b|>", "<|c|>"]).is_empty());
    }

    #[test]
    fn excluding_masks_the_bits_past_the_last_token() {
        let names: Vec<String> = (0..130).map(|i| format!("<|{i}|>")).collect();
        let cache = MatcherCache::new(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i as Rank)),
        );
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(Arc::ptr_eq(&cache.get_excluding(&[]), &cache.get(&all)));
        let found = cache.get_excluding(&all[..129]).find("x<|129|>", 0);
        assert_eq!(found, Some((1, 8, 129)));
    }

    #[test]
    fn the_least_recently_used_subset_is_dropped_first() {
        let names: Vec<String> = (0..KEPT + 2).map(|i| format!("<|{i}|>")).collect();
        let cache = MatcherCache::new(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), i as Rank)),
        );
        let first = cache.get(&[&names[0]]);
        let second = cache.get(&[&names[1]]);
        for name in &names[2..=KEPT] {
            cache.get(&[name]);
            // Using the first subset again keeps it.
            assert!(Arc::ptr_eq(&first, &cache.get(&[&names[0]])));
        }
        assert!(!Arc::ptr_eq(&second, &cache.get(&[&names[1]])));
        assert!(Arc::ptr_eq(&first, &cache.get(&[&names[0]])));
    }
}
