//! A compact band index: per band, the sorted `(band hash, doc id)` pairs of every non-empty
//! document. Memory is 16 bytes per band per document (no signature is kept), queries are binary
//! searches, and the self-join walks runs of equal hashes.
//!
//! A band hash is xxh3 of the band's `rows` slot values (little endian); two different bands share
//! a hash with probability 2^-64, a spurious candidate that verification removes anyway.
//! Empty-document signatures are skipped: they are neither indexed nor candidates for anything.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::LshParams;
use crate::error::{Error, Result};
use crate::minhash::{SignatureValue, is_empty_signature};
use crate::signature::SignatureMatrix;

#[derive(Debug, Clone)]
pub struct BandIndex {
    params: LshParams,
    /// One table per band, sorted by (hash, doc).
    tables: Vec<Vec<(u64, u32)>>,
    n_docs: usize,
}

impl BandIndex {
    pub fn new(params: LshParams) -> Self {
        BandIndex {
            params,
            tables: vec![Vec::new(); params.bands],
            n_docs: 0,
        }
    }

    pub fn params(&self) -> LshParams {
        self.params
    }

    /// Documents inserted so far, empty ones included (they keep their id but are not indexed).
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    fn check_width(&self, num_perm: usize) -> Result<()> {
        let needed = self.params.bands * self.params.rows;
        if num_perm < needed {
            return Err(Error::InvalidArgument(format!(
                "signatures have {num_perm} slots, the index needs bands * rows = {needed}"
            )));
        }
        Ok(())
    }

    /// Indexes every row of `signatures`, giving them the next ids (`n_docs()..`), and returns the
    /// first id given.
    pub fn insert_batch<T: SignatureValue>(
        &mut self,
        signatures: &SignatureMatrix<T>,
    ) -> Result<u32> {
        self.check_width(signatures.num_perm())?;
        let hashes = self.band_hashes_of(signatures);
        self.insert_band_hashes(&hashes)
    }

    /// Indexes documents given by their band hashes (from [`band_hashes`], `None` for empty
    /// documents), so a caller streaming a corpus can keep band hashes instead of signatures.
    pub fn insert_band_hashes(&mut self, hashes: &[Option<Vec<u64>>]) -> Result<u32> {
        if let Some(wrong) = hashes
            .iter()
            .flatten()
            .find(|bands| bands.len() != self.params.bands)
        {
            return Err(Error::InvalidArgument(format!(
                "{} band hashes given, the index has {} bands",
                wrong.len(),
                self.params.bands
            )));
        }
        let first = self.n_docs;
        let end = first + hashes.len();
        let first_id = u32::try_from(first)
            .ok()
            .filter(|_| u32::try_from(end).is_ok())
            .ok_or_else(|| {
                Error::InvalidArgument(format!("a band index holds at most {} documents", u32::MAX))
            })?;
        self.tables
            .par_iter_mut()
            .enumerate()
            .for_each(|(band, table)| {
                let old_len = table.len();
                table.extend(hashes.iter().enumerate().filter_map(|(offset, doc)| {
                    doc.as_ref()
                        .map(|bands| (bands[band], first_id + offset as u32))
                }));
                // Sort the new run, then let the stable sort detect the two sorted runs and merge
                // them in linear time, so that many small batches do not re-sort the whole table.
                table[old_len..].sort_unstable();
                #[allow(
                    clippy::stable_sort_primitive,
                    reason = "the stable sort merges two sorted runs in linear time"
                )]
                table.sort();
            });
        self.n_docs = end;
        Ok(first_id)
    }

    /// For each row of `signatures`, the sorted ids of indexed documents sharing at least one band.
    pub fn query_batch<T: SignatureValue>(
        &self,
        signatures: &SignatureMatrix<T>,
    ) -> Result<Vec<Vec<u32>>> {
        self.check_width(signatures.num_perm())?;
        Ok(self
            .band_hashes_of(signatures)
            .into_par_iter()
            .map(|bands| {
                let Some(bands) = bands else {
                    return Vec::new();
                };
                let mut found: Vec<u32> = bands
                    .iter()
                    .zip(&self.tables)
                    .flat_map(|(&hash, table)| {
                        let start = table.partition_point(|&(h, _)| h < hash);
                        table[start..]
                            .iter()
                            .take_while(move |&&(h, _)| h == hash)
                            .map(|&(_, doc)| doc)
                    })
                    .collect();
                found.sort_unstable();
                found.dedup();
                found
            })
            .collect())
    }

    /// Every pair of indexed documents `(i, j)`, `i < j`, sharing at least one band, once each,
    /// sorted. Pairs found in several bands are packed into `u64`s, sorted and deduplicated.
    /// A bucket of m documents yields m(m-1)/2 pairs, so a corpus holding thousands of copies of one
    /// text should have exact duplicates collapsed (by a content hash) before the join.
    pub fn self_join(&self) -> Vec<(u32, u32)> {
        let mut packed: Vec<u64> = self
            .tables
            .par_iter()
            .flat_map_iter(|table| {
                table
                    .chunk_by(|x, y| x.0 == y.0)
                    .filter(|run| run.len() > 1)
                    .flat_map(|run| {
                        run.iter().enumerate().flat_map(move |(at, &(_, i))| {
                            run[at + 1..]
                                .iter()
                                .map(move |&(_, j)| (u64::from(i) << 32) | u64::from(j))
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        packed.par_sort_unstable();
        packed.dedup();
        packed
            .into_iter()
            .map(|pair| ((pair >> 32) as u32, pair as u32))
            .collect()
    }

    /// The band hashes of each row, `None` for empty-document rows.
    fn band_hashes_of<T: SignatureValue>(
        &self,
        signatures: &SignatureMatrix<T>,
    ) -> Vec<Option<Vec<u64>>> {
        let params = self.params;
        signatures
            .as_slice()
            .par_chunks_exact(signatures.num_perm())
            .map_init(Vec::new, |bytes, row| {
                (!is_empty_signature(row)).then(|| band_hashes(row, params, bytes))
            })
            .collect()
    }
}

/// The `bands` hashes of one signature row; `bytes` is scratch space.
pub fn band_hashes<T: SignatureValue>(
    row: &[T],
    params: LshParams,
    bytes: &mut Vec<u8>,
) -> Vec<u64> {
    row.chunks_exact(params.rows)
        .take(params.bands)
        .map(|band| {
            bytes.clear();
            for &value in band {
                value.extend_le_bytes(bytes);
            }
            xxh3_64(bytes)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::splitmix64;

    /// Random signatures over a tiny alphabet, so that bands often collide; row 5 is empty.
    fn random_signatures(n_docs: usize, num_perm: usize, seed: u64) -> SignatureMatrix<u32> {
        let mut values: Vec<u32> = (0..n_docs * num_perm)
            .map(|i| (splitmix64(seed ^ i as u64) % 3) as u32)
            .collect();
        values[5 * num_perm..6 * num_perm].fill(u32::MAX);
        SignatureMatrix::from_values(num_perm, values).unwrap()
    }

    fn share_a_band(a: &[u32], b: &[u32], params: LshParams) -> bool {
        !is_empty_signature(a)
            && !is_empty_signature(b)
            && a.chunks_exact(params.rows)
                .zip(b.chunks_exact(params.rows))
                .take(params.bands)
                .any(|(x, y)| x == y)
    }

    #[test]
    fn self_join_equals_brute_force_band_comparison() {
        let params = LshParams::new(4, 3, 13).unwrap();
        let signatures = random_signatures(120, 13, 11);
        let mut index = BandIndex::new(params);
        // Two batches, to exercise ids and re-sorting across inserts.
        let half =
            SignatureMatrix::from_values(13, signatures.as_slice()[..60 * 13].to_vec()).unwrap();
        let rest =
            SignatureMatrix::from_values(13, signatures.as_slice()[60 * 13..].to_vec()).unwrap();
        assert_eq!(index.insert_batch(&half).unwrap(), 0);
        assert_eq!(index.insert_batch(&rest).unwrap(), 60);
        let mut want = Vec::new();
        for i in 0..120 {
            for j in i + 1..120 {
                if share_a_band(signatures.row(i), signatures.row(j), params) {
                    want.push((i as u32, j as u32));
                }
            }
        }
        assert!(want.len() > 100, "the fixture must produce candidates");
        assert_eq!(index.self_join(), want);
    }

    #[test]
    fn query_equals_brute_force_and_skips_empty() {
        let params = LshParams::new(4, 3, 12).unwrap();
        let indexed = random_signatures(80, 12, 5);
        let queries = random_signatures(30, 12, 99);
        let mut index = BandIndex::new(params);
        index.insert_batch(&indexed).unwrap();
        let got = index.query_batch(&queries).unwrap();
        for (q, found) in got.iter().enumerate() {
            let want: Vec<u32> = (0..80)
                .filter(|&d| share_a_band(queries.row(q), indexed.row(d), params))
                .map(|d| d as u32)
                .collect();
            assert_eq!(found, &want, "query {q}");
            assert!(!found.contains(&5));
        }
        assert!(got[5].is_empty());
    }

    #[test]
    fn empty_documents_never_pair() {
        let params = LshParams::new(2, 2, 4).unwrap();
        let empty = [u32::MAX; 4];
        let values: Vec<u32> = [empty, [1, 2, 3, 4], empty, [1, 2, 3, 4]].concat();
        let mut index = BandIndex::new(params);
        index
            .insert_batch(&SignatureMatrix::from_values(4, values).unwrap())
            .unwrap();
        assert_eq!(index.self_join(), vec![(1, 3)]);
        assert_eq!(index.n_docs(), 4);
    }

    #[test]
    fn too_narrow_signatures_are_rejected() {
        let mut index = BandIndex::new(LshParams::new(4, 4, 16).unwrap());
        assert!(index.insert_batch(&random_signatures(8, 12, 1)).is_err());
        assert!(index.query_batch(&random_signatures(8, 12, 1)).is_err());
    }
}
