//! Near-duplicate deduplication: exact duplicates first (cheap), then MinHash + LSH candidates among the
//! distinct texts, each candidate edge verified (exact Jaccard of the shingle sets, or the signature
//! estimate), connected components of the verified edges, and one survivor per cluster.
//!
//! The stages are plain functions so the in-memory column path here and the file path share them.

use rayon::prelude::*;

use super::distinct::DistinctTexts;
use super::survivor::{KeepPolicy, choose};
use crate::cluster::DisjointSets;
use crate::error::{Error, Result};
use crate::jaccard::{estimated_jaccard, exact_jaccard};
use crate::lsh::{BandIndex, LshParams};
use crate::minhash::{MinHasher, SketchMethod};
use crate::shingle::ShingleConfig;
use crate::signature::SignatureMatrix;
use crate::text::Normalization;

/// How candidate edges are confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verification {
    /// Exact Jaccard of the two shingle sets (no false positives).
    #[default]
    Exact,
    /// The fraction of equal signature slots (cheaper, approximate).
    Estimate,
}

impl std::str::FromStr for Verification {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "exact" => Ok(Verification::Exact),
            "estimate" => Ok(Verification::Estimate),
            other => Err(Error::InvalidArgument(format!(
                "unknown verification '{other}': expected exact or estimate"
            ))),
        }
    }
}

/// Every knob of a near-duplicate run, with the defaults users of datasketch and text-dedup expect.
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyOptions {
    /// Records whose Jaccard similarity is at least this are duplicates.
    pub threshold: f64,
    pub num_perm: usize,
    pub shingles: ShingleConfig,
    pub normalization: Normalization,
    pub method: SketchMethod,
    pub seed: u64,
    /// Explicit banding; `None` chooses it from the threshold and the weights below, as datasketch does.
    pub bands: Option<(usize, usize)>,
    pub false_positive_weight: f64,
    pub false_negative_weight: f64,
    pub verification: Verification,
    pub keep: KeepPolicy,
}

impl Default for FuzzyOptions {
    fn default() -> Self {
        FuzzyOptions {
            threshold: 0.8,
            num_perm: 128,
            shingles: ShingleConfig::default(),
            normalization: Normalization::Standard,
            method: SketchMethod::Fss,
            seed: 1,
            bands: None,
            // Every candidate is verified, so a false positive only costs a Jaccard computation while a false
            // negative is a duplicate left in the data: weigh misses far more than datasketch's 0.5/0.5.
            // At 0.8 and 128 slots this gives 17 bands of 7 rows (datasketch's choice is 9 x 13): on 20,000
            // real documents (bench_pipeline's quality part) pair recall 1.0 against brute force, where
            // 0.1/0.9 (14 x 9) missed 0.5% of the records in true pairs, for 27% more candidates to verify.
            false_positive_weight: 0.02,
            false_negative_weight: 0.98,
            verification: Verification::Exact,
            keep: KeepPolicy::First,
        }
    }
}

impl FuzzyOptions {
    pub fn lsh_params(&self) -> Result<LshParams> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::InvalidArgument(format!(
                "threshold must be in (0, 1], got {}",
                self.threshold
            )));
        }
        match self.bands {
            Some((bands, rows)) => LshParams::new(bands, rows, self.num_perm),
            // A threshold of 1 asks for identical shingle sets; any banding finds those, so use the tightest.
            None if self.threshold >= 1.0 => LshParams::new(1, self.num_perm, self.num_perm),
            None => LshParams::optimal(
                self.threshold,
                self.num_perm,
                self.false_positive_weight,
                self.false_negative_weight,
            ),
        }
    }
}

/// A verified edge between two records (row numbers, `a < b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub similarity: f64,
}

/// Counts of what each stage did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FuzzyStats {
    pub records: u64,
    pub nulls: u64,
    pub exact_duplicates: u64,
    pub candidates: u64,
    pub verified: u64,
    pub rejected: u64,
    pub clusters: u64,
    pub removed: u64,
    pub bands: usize,
    pub rows: usize,
}

/// The answer for a column of `n` rows.
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyResult {
    /// Rows to keep: singletons, survivors and nulls.
    pub keep: Vec<bool>,
    /// Cluster number of each row (0, 1, ... in order of each cluster's first row), -1 outside clusters.
    pub cluster: Vec<i64>,
    /// Exact Jaccard (or the estimate, with `Verification::Estimate`) to the cluster's survivor; NaN outside
    /// clusters.
    pub similarity: Vec<f64>,
    /// The edges that joined clusters: exact duplicates (similarity 1) and verified LSH candidates.
    pub edges: Vec<Edge>,
    pub stats: FuzzyStats,
}

/// Stage 3: candidate pairs (indices into the signature matrix), each once.
pub fn candidate_pairs(
    signatures: &SignatureMatrix<u32>,
    params: LshParams,
) -> Result<Vec<(u32, u32)>> {
    let mut index = BandIndex::new(params);
    index.insert_batch(signatures)?;
    Ok(index.self_join())
}

/// Stage 5: components of the graph whose edges are `links`, over `n` rows. Returns the cluster number of
/// every row (-1 for rows alone) and the members of each cluster in input order.
pub fn clusters(
    n: usize,
    links: impl IntoIterator<Item = (u32, u32)>,
) -> (Vec<i64>, Vec<Vec<u32>>) {
    let mut sets = DisjointSets::new(n);
    for (a, b) in links {
        sets.union(a, b);
    }
    let roots = sets.roots();
    let mut size = vec![0u32; n];
    for &root in &roots {
        size[root as usize] += 1;
    }
    let mut number_of_root = vec![-1i64; n];
    let mut members: Vec<Vec<u32>> = Vec::new();
    let mut cluster = vec![-1i64; n];
    for (row, &root) in roots.iter().enumerate() {
        if size[root as usize] < 2 {
            continue;
        }
        if number_of_root[root as usize] < 0 {
            number_of_root[root as usize] = members.len() as i64;
            members.push(Vec::with_capacity(size[root as usize] as usize));
        }
        let number = number_of_root[root as usize];
        cluster[row] = number;
        members[number as usize].push(row as u32);
    }
    (cluster, members)
}

/// What other thresholds would have done, from the exact similarities of every LSH candidate pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThresholdGuide {
    /// `(lower edge, count)` of candidate similarities in bins of 0.05 from 0 to 1.
    pub histogram: Vec<(f64, u64)>,
    pub outcomes: Vec<ThresholdOutcome>,
}

/// The result a threshold would give with the same LSH candidates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdOutcome {
    pub threshold: f64,
    pub verified: u64,
    pub clusters: u64,
    pub removed: u64,
}

/// Builds the guide for thresholds around `threshold`. `exact_links` are the exact-duplicate links and
/// `scored` every candidate with its similarity, both over `n` rows. Lower thresholds would also choose a
/// looser banding and find more candidates, so their outcomes are lower bounds.
pub fn threshold_guide(
    n: usize,
    exact_links: &[(u32, u32)],
    scored: &[Edge],
    threshold: f64,
) -> ThresholdGuide {
    let mut histogram: Vec<(f64, u64)> = (0..20).map(|bin| (f64::from(bin) * 0.05, 0)).collect();
    for edge in scored {
        let bin = ((edge.similarity / 0.05) as usize).min(19);
        histogram[bin].1 += 1;
    }
    let outcomes = [-0.1, -0.05, 0.0, 0.05, 0.1]
        .iter()
        .map(|delta| ((threshold + delta) * 100.0).round() / 100.0)
        .filter(|candidate| *candidate > 0.0 && *candidate <= 1.0)
        .map(|candidate| {
            let kept_edges: Vec<(u32, u32)> = scored
                .iter()
                .filter(|edge| edge.similarity >= candidate)
                .map(|edge| (edge.a, edge.b))
                .collect();
            let (_, members) = clusters(
                n,
                exact_links
                    .iter()
                    .copied()
                    .chain(kept_edges.iter().copied()),
            );
            ThresholdOutcome {
                threshold: candidate,
                verified: kept_edges.len() as u64,
                clusters: members.len() as u64,
                removed: members.iter().map(|group| group.len() as u64 - 1).sum(),
            }
        })
        .collect();
    ThresholdGuide {
        histogram,
        outcomes,
    }
}

/// Near-duplicate deduplication of an in-memory column. `scores` (one per row, NaN for none) feeds the
/// `MaxScore`/`MinScore` survivor policies.
pub fn dedup_fuzzy<S: AsRef<str> + Sync>(
    texts: &[Option<S>],
    options: &FuzzyOptions,
    scores: Option<&[f64]>,
) -> Result<FuzzyResult> {
    let params = options.lsh_params()?;
    let hasher = MinHasher::new(options.method, options.num_perm, options.seed)?;
    if let Some(scores) = scores
        && scores.len() != texts.len()
    {
        return Err(Error::InvalidArgument(format!(
            "{} scores for {} texts: give one score per text",
            scores.len(),
            texts.len()
        )));
    }
    let n = texts.len();
    let normalization = options.normalization;

    // Stages 1 and 2: exact duplicates by content key, shingle sets of the distinct texts.
    let distinct_texts = DistinctTexts::of(texts, normalization, options.shingles);
    let nulls = distinct_texts.nulls();
    let DistinctTexts {
        representative,
        rows: distinct,
        sets,
    } = distinct_texts;
    let mut values = vec![0u32; sets.len() * options.num_perm];
    values
        .par_chunks_exact_mut(options.num_perm)
        .zip(sets.par_iter())
        .try_for_each(|(row, set)| hasher.sketch_into(set.as_slice(), row))?;
    let signatures = SignatureMatrix::from_values(options.num_perm, values)?;

    // Stage 3 and 4: LSH candidates among distinct texts, then verification.
    let candidates = candidate_pairs(&signatures, params)?;
    let similarity_of = |a: usize, b: usize| match options.verification {
        Verification::Exact => exact_jaccard(&sets[a], &sets[b]),
        Verification::Estimate => estimated_jaccard(signatures.row(a), signatures.row(b)),
    };
    let verified: Vec<Edge> = candidates
        .par_iter()
        .filter_map(|&(a, b)| {
            let similarity = similarity_of(a as usize, b as usize);
            (similarity >= options.threshold).then(|| Edge {
                a: distinct[a as usize],
                b: distinct[b as usize],
                similarity,
            })
        })
        .collect();

    // Stage 5: clusters over exact links and verified edges.
    let exact_links: Vec<Edge> = (0..n as u32)
        .filter_map(|row| match representative[row as usize] {
            Some(first) if first != row => Some(Edge {
                a: first,
                b: row,
                similarity: 1.0,
            }),
            _ => None,
        })
        .collect();
    let (cluster, members) = clusters(
        n,
        exact_links
            .iter()
            .chain(&verified)
            .map(|edge| (edge.a, edge.b)),
    );

    // Stage 6: survivors, and each member's similarity to its survivor.
    let lengths: Vec<usize> = texts
        .iter()
        .map(|text| text.as_ref().map_or(0, |t| t.as_ref().len()))
        .collect();
    let position_of_distinct = {
        let mut position = vec![u32::MAX; n];
        for (index, &row) in distinct.iter().enumerate() {
            position[row as usize] = index as u32;
        }
        position
    };
    let distinct_index = |row: u32| -> usize {
        let first = representative[row as usize].unwrap_or(row);
        position_of_distinct[first as usize] as usize
    };
    let mut keep = vec![true; n];
    let mut similarity = vec![f64::NAN; n];
    for group in &members {
        let survivor = choose(group, options.keep, &lengths, scores)?;
        for &row in group {
            keep[row as usize] = row == survivor;
            let (a, b) = (distinct_index(row), distinct_index(survivor));
            similarity[row as usize] = if a == b { 1.0 } else { similarity_of(a, b) };
        }
    }

    let stats = FuzzyStats {
        records: n as u64,
        nulls: nulls as u64,
        exact_duplicates: exact_links.len() as u64,
        candidates: candidates.len() as u64,
        verified: verified.len() as u64,
        rejected: (candidates.len() - verified.len()) as u64,
        clusters: members.len() as u64,
        removed: keep.iter().filter(|&&kept| !kept).count() as u64,
        bands: params.bands,
        rows: params.rows,
    };
    let mut edges = exact_links;
    edges.extend(verified);
    edges.sort_by_key(|edge| (edge.a, edge.b));
    Ok(FuzzyResult {
        keep,
        cluster,
        similarity,
        edges,
        stats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(seed: usize, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| format!("w{}", (i * 7919 + seed * 104_729) % 100_003))
            .collect()
    }

    #[test]
    fn finds_exact_and_near_duplicates_and_keeps_the_first() {
        let base = words(1, 200);
        let mut near = base.clone();
        near[100] = "changed".into(); // J ≈ 0.95 on 5-grams
        let other = words(2, 200);
        let texts = [
            Some(base.join(" ")),
            Some(other.join(" ")),
            Some(near.join(" ")),
            None,
            Some(base.join("  ").to_uppercase()), // exact duplicate after normalization
        ];
        let result = dedup_fuzzy(&texts, &FuzzyOptions::default(), None).unwrap();
        assert_eq!(result.keep, [true, true, false, true, false]);
        assert_eq!(result.cluster, [0, -1, 0, -1, 0]);
        assert_eq!(result.stats.exact_duplicates, 1);
        assert_eq!(result.stats.clusters, 1);
        assert_eq!(result.stats.removed, 2);
        assert!(
            (result.similarity[2] - 0.951).abs() < 0.01,
            "{}",
            result.similarity[2]
        );
        assert!((result.similarity[4] - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn keep_longest_picks_the_longest_member() {
        let base = words(3, 100);
        let mut longer = base.clone();
        longer.push("tail".into());
        let texts = [Some(base.join(" ")), Some(longer.join(" "))];
        let options = FuzzyOptions {
            keep: KeepPolicy::Longest,
            ..FuzzyOptions::default()
        };
        let result = dedup_fuzzy(&texts, &options, None).unwrap();
        assert_eq!(result.keep, [false, true]);
    }

    #[test]
    fn verification_rejects_candidates_below_the_threshold() {
        // A loose banding makes many candidates; exact verification must drop the dissimilar ones.
        let texts: Vec<Option<String>> = (0..40).map(|i| Some(words(i, 30).join(" "))).collect();
        let options = FuzzyOptions {
            bands: Some((64, 1)),
            ..FuzzyOptions::default()
        };
        let result = dedup_fuzzy(&texts, &options, None).unwrap();
        assert!(result.keep.iter().all(|&kept| kept));
        assert_eq!(result.stats.verified, 0);
        assert_eq!(result.stats.rejected, result.stats.candidates);
    }

    #[test]
    fn result_does_not_depend_on_thread_count() {
        let texts: Vec<Option<String>> = (0..300)
            .map(|i| {
                let mut doc = words(i % 60, 50);
                doc[i % 50] = format!("x{i}");
                Some(doc.join(" "))
            })
            .collect();
        let single = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let one = single.install(|| dedup_fuzzy(&texts, &FuzzyOptions::default(), None).unwrap());
        let many = dedup_fuzzy(&texts, &FuzzyOptions::default(), None).unwrap();
        assert_eq!(one.keep, many.keep);
        assert_eq!(one.cluster, many.cluster);
        assert_eq!(one.edges.len(), many.edges.len());
    }

    #[test]
    fn bad_options_are_errors() {
        let texts = [Some("a")];
        let bad_threshold = FuzzyOptions {
            threshold: 0.0,
            ..FuzzyOptions::default()
        };
        assert!(dedup_fuzzy(&texts, &bad_threshold, None).is_err());
        let bad_bands = FuzzyOptions {
            bands: Some((64, 4)),
            ..FuzzyOptions::default()
        };
        assert!(dedup_fuzzy(&texts, &bad_bands, None).is_err());
        assert!(dedup_fuzzy(&texts, &FuzzyOptions::default(), Some(&[1.0, 2.0])).is_err());
    }
}
