//! A keyed LSH index whose query results equal datasketch's `MinHashLSH` for the same signatures
//! and `(bands, rows)`: band `i` covers slots `i*rows..(i+1)*rows`, and a key is a candidate when
//! one of its bands equals the query's band exactly.
//!
//! datasketch keys its buckets by the raw bytes of each band; we key them by the 128-bit xxh3 of
//! those values, equal exactly when the bands are equal short of a 2^-128 collision. Like
//! datasketch (and unlike [`super::BandIndex`]), empty-document signatures are indexed as they are,
//! so they match one another.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use xxhash_rust::xxh3::xxh3_128;

use super::LshParams;
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct DatasketchLsh<K> {
    params: LshParams,
    num_perm: usize,
    tables: Vec<HashMap<u128, Vec<K>>>,
    keys: HashMap<K, Vec<u128>>,
}

impl<K: Eq + Hash + Clone> DatasketchLsh<K> {
    /// `MinHashLSH(num_perm=num_perm, params=(bands, rows))`; datasketch requires at least 2 bands.
    pub fn new(params: LshParams, num_perm: usize) -> Result<Self> {
        LshParams::new(params.bands, params.rows, num_perm)?;
        if params.bands < 2 {
            return Err(Error::InvalidArgument(
                "the number of bands is too small (bands < 2)".into(),
            ));
        }
        Ok(DatasketchLsh {
            params,
            num_perm,
            tables: vec![HashMap::new(); params.bands],
            keys: HashMap::new(),
        })
    }

    /// `MinHashLSH(threshold, num_perm, weights)`.
    pub fn with_threshold(threshold: f64, num_perm: usize, weights: (f64, f64)) -> Result<Self> {
        let params = LshParams::optimal(threshold, num_perm, weights.0, weights.1)?;
        Self::new(params, num_perm)
    }

    pub fn params(&self) -> LshParams {
        self.params
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn contains(&self, key: &K) -> bool {
        self.keys.contains_key(key)
    }

    fn band_keys<T: Copy + Into<u64>>(&self, signature: &[T]) -> Result<Vec<u128>> {
        if signature.len() != self.num_perm {
            return Err(Error::InvalidArgument(format!(
                "expecting a signature of {} slots, got {}",
                self.num_perm,
                signature.len()
            )));
        }
        let mut bytes = Vec::with_capacity(8 * self.params.rows);
        Ok(signature
            .chunks_exact(self.params.rows)
            .take(self.params.bands)
            .map(|band| {
                bytes.clear();
                for &value in band {
                    bytes.extend_from_slice(&value.into().to_le_bytes());
                }
                xxh3_128(&bytes)
            })
            .collect())
    }

    /// Indexes `signature` under `key`, a new key. Slots may be `u32` (`affine32`) or `u64`; only
    /// their equality matters, so a `u32` signature and its `u64` widening index alike.
    pub fn insert<T: Copy + Into<u64>>(&mut self, key: K, signature: &[T]) -> Result<()> {
        if self.keys.contains_key(&key) {
            return Err(Error::InvalidArgument(
                "the given key already exists".into(),
            ));
        }
        let bands = self.band_keys(signature)?;
        for (table, &band) in self.tables.iter_mut().zip(&bands) {
            table.entry(band).or_default().push(key.clone());
        }
        self.keys.insert(key, bands);
        Ok(())
    }

    /// The keys sharing at least one band with `signature`, each once, in no particular order.
    pub fn query<T: Copy + Into<u64>>(&self, signature: &[T]) -> Result<Vec<K>> {
        let bands = self.band_keys(signature)?;
        let mut seen = HashSet::new();
        Ok(self
            .tables
            .iter()
            .zip(&bands)
            .filter_map(|(table, band)| table.get(band))
            .flatten()
            .filter(|key| seen.insert(*key))
            .cloned()
            .collect())
    }

    pub fn remove(&mut self, key: &K) -> Result<()> {
        let bands = self
            .keys
            .remove(key)
            .ok_or_else(|| Error::NotFound("the given key does not exist".into()))?;
        for (table, band) in self.tables.iter_mut().zip(&bands) {
            if let Some(bucket) = table.get_mut(band) {
                bucket.retain(|held| held != key);
                if bucket.is_empty() {
                    table.remove(band);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::{DatasketchMinHash, DatasketchScheme};

    // Document `i`: a run of 12 + i % 9 words `w{j}` starting at `(7 i) % 60`.
    fn doc(i: usize) -> Vec<String> {
        let start = (i * 7) % 60;
        (start..start + 12 + i % 9)
            .map(|j| format!("w{j}"))
            .collect()
    }

    // Oracle from datasketch 2.0.0: 30 documents inserted with keys 0..30 into
    // `MinHashLSH(num_perm=32, params=(8, 4))`, keys 3, 11 and 20 removed, then every document
    // queried:
    // python -c "from datasketch import MinHash, MinHashLSH
    // doc = lambda i: [f'w{j}'.encode() for j in range((i*7)%60, (i*7)%60 + 12 + i%9)]
    // lsh = MinHashLSH(num_perm=32, params=(8, 4)); ms = []
    // for i in range(30): m = MinHash(num_perm=32, seed=1, scheme=S); m.update_batch(doc(i)); ms.append(m); lsh.insert(i, m)
    // for k in [3, 11, 20]: lsh.remove(k)
    // print([sorted(lsh.query(m)) for m in ms])"
    const AFFINE32_QUERIES: &str = "[[0, 1, 9, 18, 26], [0, 1, 9, 18, 26, 27], [2, 19, 28], [12, 21, 29], [4, 12, 13, 21], [5, 13, 14, 22], [6, 7, 14, 15, 23, 24], [6, 7, 8, 15, 16, 24, 25], [7, 8, 16, 17, 25], [0, 1, 9, 18, 26], [10, 19, 26, 27], [2, 28], [4, 12, 21, 29], [4, 5, 13, 14, 22], [5, 6, 13, 14, 15, 22, 23], [6, 7, 14, 15, 23, 24], [7, 8, 16, 17, 25], [8, 16, 17, 25], [0, 1, 9, 18, 26], [2, 10, 19], [], [4, 12, 21, 29], [5, 13, 14, 22], [6, 14, 15, 23], [6, 7, 15, 24], [7, 8, 16, 17, 25], [0, 1, 9, 10, 18, 26, 27], [1, 10, 26, 27], [2, 28], [12, 21, 29]]";
    const LEGACY_QUERIES: &str = "[[0, 9, 26], [1, 10, 18, 26, 27], [2, 19, 28], [12, 29], [4, 13, 21], [5, 14, 22], [6, 15, 23], [7, 15, 16, 24], [8, 16, 25], [0, 9, 26], [1, 10, 19, 26, 27], [2, 19, 28], [12, 29], [4, 13, 21, 22], [5, 14, 22, 23], [6, 7, 15, 23, 24], [7, 8, 16, 24, 25], [17], [1, 18, 26, 27], [2, 10, 19, 27, 28], [12, 29], [4, 13, 21], [5, 13, 14, 22], [6, 14, 15, 23], [7, 15, 16, 24], [8, 16, 25], [0, 1, 9, 10, 18, 26, 27], [1, 10, 18, 19, 26, 27], [2, 19, 28], [12, 29]]";

    #[test]
    fn query_results_equal_datasketch() {
        for (scheme, oracle) in [
            (DatasketchScheme::Affine32, AFFINE32_QUERIES),
            (DatasketchScheme::Legacy, LEGACY_QUERIES),
        ] {
            let sketcher = DatasketchMinHash::new(32, 1, scheme).unwrap();
            let signatures: Vec<Vec<u64>> = (0..30)
                .map(|i| sketcher.sketch_tokens(doc(i).iter().map(String::as_bytes)))
                .collect();
            let mut lsh = DatasketchLsh::new(LshParams::new(8, 4, 32).unwrap(), 32).unwrap();
            for (key, signature) in signatures.iter().enumerate() {
                lsh.insert(key, signature).unwrap();
            }
            for key in [3, 11, 20] {
                lsh.remove(&key).unwrap();
            }
            let got: Vec<Vec<usize>> = signatures
                .iter()
                .map(|signature| {
                    let mut keys = lsh.query(signature).unwrap();
                    keys.sort_unstable();
                    keys
                })
                .collect();
            assert_eq!(format!("{got:?}"), oracle, "{scheme:?}");
            assert_eq!(lsh.len(), 27);
            assert!(!lsh.contains(&3) && lsh.contains(&4));
        }
    }

    #[test]
    fn errors_mirror_datasketch() {
        let mut lsh: DatasketchLsh<&str> =
            DatasketchLsh::with_threshold(0.5, 16, (0.5, 0.5)).unwrap();
        assert_eq!(lsh.params(), LshParams { bands: 5, rows: 3 });
        lsh.insert("a", &[1_u64; 16]).unwrap();
        assert!(lsh.insert("a", &[1_u64; 16]).is_err());
        assert!(lsh.insert("b", &[1_u64; 15]).is_err());
        assert!(lsh.query(&[1_u64; 17]).is_err());
        assert_eq!(lsh.query(&[1_u32; 16]).unwrap(), vec!["a"]);
        assert!(lsh.remove(&"b").is_err());
        lsh.remove(&"a").unwrap();
        assert!(lsh.is_empty() && lsh.query(&[1_u64; 16]).unwrap().is_empty());
        assert!(DatasketchLsh::<u32>::new(LshParams { bands: 1, rows: 4 }, 16).is_err());
    }
}
