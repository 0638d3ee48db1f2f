//! Stage 2: from the band rows of one partition to links. Rows sharing a (band, hash) bucket are
//! candidates; rows of the exact pseudo-band sharing a content key are exact duplicates.
//!
//! Exact duplicates have the same shingles, so they land in the same bucket of every band: within a
//! bucket, the first row (smallest row number) of each content key is that text's first occurrence in
//! the whole corpus, and candidates are formed among those only, as the local engine pairs distinct
//! texts only.

use super::partition_of;
use crate::error::{Error, Result};

/// The pseudo-band of the rows that carry a document's content key for the exact stage.
pub const EXACT_BAND: u32 = u32::MAX;

/// Stage 1 output (and stage 2 input), column by column; `key` is the 128-bit content key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BandRows {
    pub band: Vec<u32>,
    pub hash: Vec<u64>,
    pub row: Vec<u64>,
    pub key_high: Vec<u64>,
    pub key_low: Vec<u64>,
}

impl BandRows {
    pub fn push(&mut self, band: u32, hash: u64, row: u64, key: u128) {
        self.band.push(band);
        self.hash.push(hash);
        self.row.push(row);
        self.key_high.push((key >> 64) as u64);
        self.key_low.push(key as u64);
    }

    pub fn len(&self) -> usize {
        self.row.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    /// The rows as borrowed columns, for [`bucket_links`].
    pub fn columns(&self) -> BandColumns<'_> {
        BandColumns {
            band: &self.band,
            hash: &self.hash,
            row: &self.row,
            key_high: &self.key_high,
            key_low: &self.key_low,
        }
    }

    /// The partition each row goes to for stage 2: rows of one bucket always meet.
    pub fn partitions(&self, parts: u32) -> Vec<u32> {
        self.band
            .iter()
            .zip(&self.hash)
            .map(|(&band, &hash)| {
                partition_of(
                    hash ^ u64::from(band).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    parts,
                )
            })
            .collect()
    }
}

/// [`BandRows`] borrowed, column by column: stage 2 reads the columns where they are (Arrow or numpy
/// buffers in the bindings) instead of copying them.
#[derive(Debug, Clone, Copy)]
pub struct BandColumns<'a> {
    band: &'a [u32],
    hash: &'a [u64],
    row: &'a [u64],
    key_high: &'a [u64],
    key_low: &'a [u64],
}

impl<'a> BandColumns<'a> {
    /// The columns of band rows; they must have one entry per row each.
    pub fn new(
        band: &'a [u32],
        hash: &'a [u64],
        row: &'a [u64],
        key_high: &'a [u64],
        key_low: &'a [u64],
    ) -> Result<Self> {
        let rows = row.len();
        if [band.len(), hash.len(), key_high.len(), key_low.len()] != [rows; 4] {
            return Err(Error::InvalidArgument(
                "band rows need equal-length band, hash, row and key columns".into(),
            ));
        }
        Ok(BandColumns {
            band,
            hash,
            row,
            key_high,
            key_low,
        })
    }

    fn len(&self) -> usize {
        self.row.len()
    }

    fn key(&self, index: usize) -> u128 {
        (u128::from(self.key_high[index]) << 64) | u128::from(self.key_low[index])
    }
}

/// Links between rows (`a < b`): exact duplicates (`exact`) and LSH candidates to verify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub a: Vec<u64>,
    pub b: Vec<u64>,
    pub exact: Vec<bool>,
}

impl Links {
    pub fn len(&self) -> usize {
        self.a.len()
    }

    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    fn from_sorted(mut triples: Vec<(u64, u64, bool)>) -> Links {
        triples.sort_unstable();
        triples.dedup();
        let mut links = Links::default();
        for (a, b, exact) in triples {
            links.a.push(a);
            links.b.push(b);
            links.exact.push(exact);
        }
        links
    }

    /// The partition of each link for a global deduplication: equal links always meet.
    pub fn partitions(&self, parts: u32) -> Vec<u32> {
        self.a
            .iter()
            .zip(&self.b)
            .map(|(&a, &b)| partition_of(a.rotate_left(32) ^ b, parts))
            .collect()
    }
}

/// Stage 2 on one partition, which must hold every row of each bucket it has (partition rows by
/// [`BandRows::partitions`]). Links come out sorted and unique within the partition; a pair found in
/// buckets of several partitions is deduplicated by [`dedupe_links`].
pub fn bucket_links(rows: &BandColumns<'_>) -> Links {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    // Within a bucket: by key, then row, so the first row of each key is its first occurrence.
    order.sort_unstable_by_key(|&i| (rows.band[i], rows.hash[i], rows.key(i), rows.row[i]));
    let mut triples = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let first = order[start];
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| {
                    rows.band[i] == rows.band[first] && rows.hash[i] == rows.hash[first]
                })
                .count();
        let bucket = &order[start..end];
        if rows.band[first] == EXACT_BAND {
            exact_links(rows, bucket, &mut triples);
        } else {
            candidate_links(rows, bucket, &mut triples);
        }
        start = end;
    }
    Links::from_sorted(triples)
}

/// Every later row with a key links to the key's first row.
fn exact_links(rows: &BandColumns<'_>, bucket: &[usize], out: &mut Vec<(u64, u64, bool)>) {
    let mut first_of_key = bucket[0];
    for &i in &bucket[1..] {
        if rows.key(i) == rows.key(first_of_key) {
            out.push((rows.row[first_of_key], rows.row[i], true));
        } else {
            first_of_key = i;
        }
    }
}

/// Every pair of first occurrences in the bucket. A bucket of m distinct texts gives m(m-1)/2 pairs.
fn candidate_links(rows: &BandColumns<'_>, bucket: &[usize], out: &mut Vec<(u64, u64, bool)>) {
    let mut distinct: Vec<u64> = Vec::new();
    let mut previous_key = None;
    for &i in bucket {
        let key = rows.key(i);
        if previous_key != Some(key) {
            distinct.push(rows.row[i]);
            previous_key = Some(key);
        }
    }
    for (index, &a) in distinct.iter().enumerate() {
        for &b in &distinct[index + 1..] {
            out.push((a.min(b), a.max(b), false));
        }
    }
}

/// Links of one partition of [`Links::partitions`], sorted and each once.
pub fn dedupe_links(a: &[u64], b: &[u64], exact: &[bool]) -> Links {
    Links::from_sorted(
        a.iter()
            .zip(b)
            .zip(exact)
            .map(|((&a, &b), &exact)| (a, b, exact))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(entries: &[(u32, u64, u64, u128)]) -> BandRows {
        let mut rows = BandRows::default();
        for &(band, hash, row, key) in entries {
            rows.push(band, hash, row, key);
        }
        rows
    }

    #[test]
    fn exact_rows_link_later_copies_to_the_first() {
        let links = bucket_links(
            &rows(&[
                (EXACT_BAND, 7, 9, 70),
                (EXACT_BAND, 7, 2, 70),
                (EXACT_BAND, 7, 5, 70),
                (EXACT_BAND, 8, 3, 80),
            ])
            .columns(),
        );
        assert_eq!(links.a, [2, 2]);
        assert_eq!(links.b, [5, 9]);
        assert_eq!(links.exact, [true, true]);
    }

    #[test]
    fn candidates_pair_first_occurrences_once_across_bands() {
        // Rows 1 and 4 are copies (key 10); row 3 is another text. Bands 0 and 1 both collide.
        let links = bucket_links(
            &rows(&[
                (0, 5, 4, 10),
                (0, 5, 1, 10),
                (0, 5, 3, 30),
                (1, 6, 3, 30),
                (1, 6, 1, 10),
                (1, 6, 4, 10),
                (0, 99, 8, 80),
            ])
            .columns(),
        );
        assert_eq!(links.a, [1]);
        assert_eq!(links.b, [3]);
        assert_eq!(links.exact, [false]);
    }

    #[test]
    fn columns_of_unequal_lengths_are_an_error() {
        assert!(BandColumns::new(&[0], &[1], &[2], &[3], &[4]).is_ok());
        assert!(BandColumns::new(&[0, 0], &[1], &[2], &[3], &[4]).is_err());
        assert!(BandColumns::new(&[0], &[1], &[2], &[3], &[]).is_err());
    }

    #[test]
    fn equal_links_share_a_partition_and_dedupe_to_one() {
        let links = Links {
            a: vec![1, 2, 1],
            b: vec![3, 3, 3],
            exact: vec![false; 3],
        };
        let parts = links.partitions(7);
        assert_eq!(parts[0], parts[2]);
        assert!(parts.iter().all(|&part| part < 7));
        let unique = dedupe_links(&links.a, &links.b, &links.exact);
        assert_eq!((unique.a, unique.b), (vec![1, 2], vec![3, 3]));
    }
}
