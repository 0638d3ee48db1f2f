//! Stages 1 and 2 of the in-memory near-duplicate path: the first occurrence of each normalized text,
//! and the shingle set of each first occurrence.
//!
//! Rows are taken in chunks so that each text is normalized once: a chunk's normalized texts are kept
//! while its first occurrences are found (in order, which makes them independent of threads) and
//! shingled; then they are dropped. Repeats of earlier texts are never shingled.

use rayon::prelude::*;

use super::key::{ContentKey, FirstSeen};
use crate::shingle::{ShingleConfig, ShingleSet, Shingler};
use crate::text::Normalization;

/// Rows per chunk: enough to keep every thread busy, few enough that the chunk's normalized copies
/// stay small next to the input.
const CHUNK_ROWS: usize = 1 << 14;

/// The exact-duplicate structure of a column and the shingle sets of its distinct texts.
#[derive(Debug, Default)]
pub struct DistinctTexts {
    /// For each row, the first row with the same normalized text (itself when it is the first);
    /// `None` for nulls, which stay alone.
    pub representative: Vec<Option<u32>>,
    /// The rows that are first occurrences, in input order.
    pub rows: Vec<u32>,
    /// The shingle set of each row of `rows`.
    pub sets: Vec<ShingleSet>,
}

impl DistinctTexts {
    pub fn of<S: AsRef<str> + Sync>(
        texts: &[Option<S>],
        normalization: Normalization,
        shingles: ShingleConfig,
    ) -> Self {
        let mut distinct = DistinctTexts {
            representative: Vec::with_capacity(texts.len()),
            ..DistinctTexts::default()
        };
        let mut seen: FirstSeen<u32> = FirstSeen::default();
        for (chunk_index, chunk) in texts.chunks(CHUNK_ROWS).enumerate() {
            let normalized: Vec<Option<(ContentKey, Box<str>)>> = chunk
                .par_iter()
                .map_init(Vec::new, |scratch, text| {
                    text.as_ref().map(|text| {
                        let normalized = normalization.apply_str(text.as_ref(), scratch);
                        let key = ContentKey::of_normalized(normalized.as_bytes());
                        (key, Box::from(normalized))
                    })
                })
                .collect();
            let mut firsts = Vec::new();
            for (offset, entry) in normalized.iter().enumerate() {
                let row = (chunk_index * CHUNK_ROWS + offset) as u32;
                let first = entry
                    .as_ref()
                    .map(|(key, _)| *seen.entry(*key).or_insert(row));
                if first == Some(row) {
                    firsts.push(offset);
                    distinct.rows.push(row);
                }
                distinct.representative.push(first);
            }
            let sets: Vec<ShingleSet> = firsts
                .par_iter()
                .map_init(
                    || (Shingler::new(shingles), Vec::new()),
                    |(shingler, hashes), &offset| {
                        let text = normalized[offset].as_ref().map_or("", |(_, text)| text);
                        shingler.hash_text(text, hashes);
                        ShingleSet::from_hashes(hashes.clone())
                    },
                )
                .collect();
            distinct.sets.extend(sets);
        }
        distinct
    }

    /// How many rows are nulls.
    pub fn nulls(&self) -> usize {
        self.representative
            .iter()
            .filter(|row| row.is_none())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::shingle_text_column;

    #[test]
    fn first_occurrences_and_their_sets_across_chunks() {
        // More rows than a chunk, with repeats that span chunks and differ only by normalization.
        let texts: Vec<Option<String>> = (0..CHUNK_ROWS * 2 + 17)
            .map(|row| match row % 7 {
                0 => None,
                1 => Some(format!("Text number {}!", row % 1000)),
                _ => Some(format!("text   number {}", row % 1000)),
            })
            .collect();
        let config = ShingleConfig::default();
        let distinct = DistinctTexts::of(&texts, Normalization::Standard, config);
        assert_eq!(distinct.representative.len(), texts.len());
        assert_eq!(
            distinct.nulls(),
            texts.iter().filter(|t| t.is_none()).count()
        );
        let mut first_of = std::collections::HashMap::new();
        for (row, text) in texts.iter().enumerate() {
            let expected = text.as_ref().map(|text| {
                let key = Normalization::Standard.normalize(text);
                *first_of.entry(key).or_insert(row as u32)
            });
            assert_eq!(distinct.representative[row], expected, "row {row}");
        }
        let rows: Vec<u32> = (0..texts.len() as u32)
            .filter(|&row| distinct.representative[row as usize] == Some(row))
            .collect();
        assert_eq!(distinct.rows, rows);
        assert_eq!(rows.len(), 1000);
        let originals: Vec<Option<&str>> = rows
            .iter()
            .map(|&row| texts[row as usize].as_deref())
            .collect();
        let expected_sets = shingle_text_column(&originals, Normalization::Standard, config);
        assert_eq!(distinct.sets, expected_sets);
    }
}
