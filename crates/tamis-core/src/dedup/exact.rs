//! Exact deduplication of an in-memory column: which rows to keep, and for each removed row the row it
//! duplicates. Keys are computed in parallel; the first-occurrence pass is sequential so the answer never
//! depends on the number of threads.

use rayon::prelude::*;

use super::key::{ContentKey, FirstSeen};
use crate::text::Normalization;

/// The answer for a column of `n` rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactDedup {
    /// `keep[i]` is true for the first occurrence of each distinct normalized text, and for null rows.
    pub keep: Vec<bool>,
    /// `first[i]` is the row of the first occurrence of row `i`'s text (`i` itself when kept).
    pub first: Vec<u64>,
}

impl ExactDedup {
    pub fn kept(&self) -> usize {
        self.keep.iter().filter(|&&keep| keep).count()
    }
}

/// Null rows (`None`) are never duplicates of anything: they are kept and point to themselves, so a mask
/// applied to the column loses no row silently.
pub fn dedup_exact<S: AsRef<str> + Sync>(
    texts: &[Option<S>],
    normalization: Normalization,
) -> ExactDedup {
    let keys: Vec<Option<ContentKey>> = texts
        .par_iter()
        .map_init(String::new, |scratch, text| {
            text.as_ref()
                .map(|text| ContentKey::of(text.as_ref(), normalization, scratch))
        })
        .collect();
    let mut seen: FirstSeen<u64> = FirstSeen::default();
    seen.reserve(keys.len());
    let mut keep = Vec::with_capacity(keys.len());
    let mut first = Vec::with_capacity(keys.len());
    for (row, key) in keys.into_iter().enumerate() {
        let row = row as u64;
        let first_row = match key {
            Some(key) => *seen.entry(key).or_insert(row),
            None => row,
        };
        keep.push(first_row == row);
        first.push(first_row);
    }
    ExactDedup { keep, first }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_occurrence_in_order() {
        let texts = [Some("a"), Some("b"), Some("A!"), Some("c"), Some("b")];
        let result = dedup_exact(&texts, Normalization::Standard);
        assert_eq!(result.keep, [true, true, false, true, false]);
        assert_eq!(result.first, [0, 1, 0, 3, 1]);
        assert_eq!(result.kept(), 3);
    }

    #[test]
    fn normalization_none_compares_raw_text() {
        let texts = [Some("a"), Some("A"), Some("a ")];
        assert_eq!(
            dedup_exact(&texts, Normalization::None).keep,
            [true, true, true]
        );
        assert_eq!(
            dedup_exact(&texts, Normalization::Whitespace).keep,
            [true, true, false]
        );
    }

    #[test]
    fn nulls_are_kept_and_empty_texts_are_duplicates_of_each_other() {
        let texts = [None, Some(""), None, Some("  "), Some("x")];
        let result = dedup_exact(&texts, Normalization::Standard);
        assert_eq!(result.keep, [true, true, true, false, true]);
        assert_eq!(result.first, [0, 1, 2, 1, 4]);
    }

    #[test]
    fn result_does_not_depend_on_thread_count() {
        let texts: Vec<Option<String>> = (0..50_000)
            .map(|i| Some(format!("doc {}", i % 997)))
            .collect();
        let single = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let one = single.install(|| dedup_exact(&texts, Normalization::Standard));
        let many = dedup_exact(&texts, Normalization::Standard);
        assert_eq!(one, many);
        assert_eq!(one.kept(), 997);
    }
}
