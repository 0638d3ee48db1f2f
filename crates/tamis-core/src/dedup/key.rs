//! The identity of a document for exact deduplication: a 128-bit xxh3 of its normalized text. At 128 bits a
//! collision among even 10^12 documents has a probability near 10^-15, so equal keys mean equal texts.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::xxh3_128;

use crate::text::Normalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentKey(pub u128);

impl ContentKey {
    /// Normalizes `text` into `scratch` (reused across calls) and hashes the result.
    pub fn of(text: &str, normalization: Normalization, scratch: &mut String) -> ContentKey {
        let normalized = match normalization {
            Normalization::None => text,
            _ => normalization.apply(text, scratch),
        };
        ContentKey(xxh3_128(normalized.as_bytes()))
    }
}

/// Keys are already uniformly distributed hashes, so hashing them again for the map would be wasted work.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u128(&mut self, value: u128) {
        self.0 = value as u64;
    }
}

/// A map from content keys to whatever identifies their first occurrence.
pub type FirstSeen<V> = HashMap<ContentKey, V, BuildHasherDefault<KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_follows_the_normalization() {
        let mut scratch = String::new();
        let a = ContentKey::of("Hello,  World", Normalization::Standard, &mut scratch);
        let b = ContentKey::of("hello world!", Normalization::Standard, &mut scratch);
        assert_eq!(a, b);
        let raw_a = ContentKey::of("Hello,  World", Normalization::None, &mut scratch);
        let raw_b = ContentKey::of("hello world!", Normalization::None, &mut scratch);
        assert_ne!(raw_a, raw_b);
    }

    #[test]
    fn map_finds_keys_through_the_identity_hasher() {
        let mut seen: FirstSeen<usize> = FirstSeen::default();
        let mut scratch = String::new();
        for (index, text) in ["a", "b", "a"].into_iter().enumerate() {
            seen.entry(ContentKey::of(text, Normalization::None, &mut scratch))
                .or_insert(index);
        }
        assert_eq!(seen.len(), 2);
        assert_eq!(
            seen[&ContentKey::of("a", Normalization::None, &mut scratch)],
            0
        );
    }
}
