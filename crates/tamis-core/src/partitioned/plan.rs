//! Per-document work of the partitioned pipeline: band rows (stage 1) and pair similarities (stage 3).

use rayon::prelude::*;

use super::buckets::{BandRows, EXACT_BAND};
use crate::dedup::{ContentKey, FuzzyOptions, Verification};
use crate::error::Result;
use crate::jaccard::{estimated_jaccard, exact_jaccard};
use crate::lsh::{LshParams, band_hashes};
use crate::minhash::{MinHasher, is_empty_signature};
use crate::shingle::{ShingleSet, Shingler};

/// The options of a run with what follows from them (banding, hash functions), built once per task.
pub struct NearPlan {
    options: FuzzyOptions,
    params: LshParams,
    hasher: MinHasher,
}

/// What one document contributes to stage 1.
struct Fingerprint {
    key: ContentKey,
    /// `None` for a document without shingles: it is never a candidate (as in the local engine).
    bands: Option<Vec<u64>>,
}

impl NearPlan {
    pub fn new(options: FuzzyOptions) -> Result<NearPlan> {
        let params = options.lsh_params()?;
        let hasher = MinHasher::new(options.method, options.num_perm, options.seed)?;
        Ok(NearPlan {
            options,
            params,
            hasher,
        })
    }

    pub fn params(&self) -> LshParams {
        self.params
    }

    /// Stage 1: for each text (with its global row number), one exact row and one row per band of its
    /// signature. Null texts give no rows: they are never duplicates of anything.
    pub fn band_rows(&self, texts: &[Option<&str>], rows: &[u64]) -> Result<BandRows> {
        check_same_length(texts.len(), rows.len(), "rows")?;
        let fingerprints: Vec<Option<Fingerprint>> = texts
            .par_iter()
            .map_init(
                || (Shingler::new(self.options.shingles), Vec::new(), Vec::new()),
                |(shingler, normalized, hashes), text| {
                    text.map(|text| self.fingerprint(text, shingler, normalized, hashes))
                },
            )
            .collect();
        let mut out = BandRows::default();
        for (fingerprint, &row) in fingerprints.iter().zip(rows) {
            let Some(fingerprint) = fingerprint else {
                continue;
            };
            let key = fingerprint.key.0;
            out.push(EXACT_BAND, key as u64, row, key);
            for (band, &hash) in fingerprint.bands.iter().flatten().enumerate() {
                out.push(band as u32, hash, row, key);
            }
        }
        Ok(out)
    }

    fn fingerprint(
        &self,
        text: &str,
        shingler: &mut Shingler,
        normalized: &mut Vec<u8>,
        hashes: &mut Vec<u64>,
    ) -> Fingerprint {
        let normalized_text = self.options.normalization.apply_str(text, normalized);
        let key = ContentKey::of_normalized(normalized_text.as_bytes());
        hashes.clear();
        shingler.hash_text(normalized_text, hashes);
        // The same set the local engine sketches: sorted and deduplicated.
        let set = ShingleSet::from_hashes(std::mem::take(hashes));
        let signature = self.hasher.sketch(set.as_slice());
        *hashes = set.into_hashes();
        let bands = (!is_empty_signature(&signature))
            .then(|| band_hashes(&signature, self.params, &mut Vec::new()));
        Fingerprint { key, bands }
    }

    /// Stage 3: the similarity of each pair `(a[i], b[i])`, as the local engine measures it: 1 for texts
    /// equal after normalization, else the exact Jaccard of the shingle sets (or the signature estimate).
    pub fn pair_similarity(&self, a: &[Option<&str>], b: &[Option<&str>]) -> Result<Vec<f64>> {
        check_same_length(a.len(), b.len(), "second texts")?;
        let options = &self.options;
        let similarities = a
            .par_iter()
            .zip(b.par_iter())
            .map_init(
                || (Shingler::new(options.shingles), Vec::new(), Vec::new()),
                |(shingler, left, right), (a, b)| {
                    let a = options.normalization.apply_str(a.unwrap_or(""), left);
                    let b = options.normalization.apply_str(b.unwrap_or(""), right);
                    if a == b {
                        return 1.0;
                    }
                    let set_of = |shingler: &mut Shingler, text: &str| {
                        let mut hashes = Vec::new();
                        shingler.hash_text(text, &mut hashes);
                        ShingleSet::from_hashes(hashes)
                    };
                    let (set_a, set_b) = (set_of(shingler, a), set_of(shingler, b));
                    match options.verification {
                        Verification::Exact => exact_jaccard(&set_a, &set_b),
                        Verification::Estimate => estimated_jaccard(
                            &self.hasher.sketch(set_a.as_slice()),
                            &self.hasher.sketch(set_b.as_slice()),
                        ),
                    }
                },
            )
            .collect();
        Ok(similarities)
    }
}

fn check_same_length(texts: usize, other: usize, what: &str) -> Result<()> {
    if texts == other {
        Ok(())
    } else {
        Err(crate::Error::InvalidArgument(format!(
            "{texts} texts but {other} {what}: give one per text"
        )))
    }
}
