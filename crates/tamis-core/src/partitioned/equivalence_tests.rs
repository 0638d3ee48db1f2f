//! The partitioned kernels, run through an in-memory "shuffle" with several partition counts, must give
//! exactly the local engine's clusters, survivors and similarities.

use std::collections::HashMap;

use super::components::tests::star_components;
use super::*;
use crate::dedup::{FuzzyOptions, KeepPolicy, Verification, dedup_fuzzy};

/// Near duplicates (one word changed), exact duplicates up to case and spacing, nulls, empty and short
/// texts, and unrelated texts.
fn corpus() -> Vec<Option<String>> {
    let mut state = 11u64;
    let mut next = |bound: u64| {
        state = crate::minhash::splitmix64(state);
        state % bound
    };
    let mut texts = Vec::new();
    for family in 0..30 {
        let base: Vec<String> = (0..40).map(|_| format!("w{}", next(300))).collect();
        for variant in 0..=family % 4 {
            let mut words = base.clone();
            for _ in 0..variant {
                words[next(40) as usize] = format!("x{}", next(1000));
            }
            texts.push(Some(words.join(" ")));
        }
        if family % 5 == 0 {
            texts.push(Some(base.join("   ").to_uppercase()));
        }
    }
    texts.extend([
        None,
        Some(String::new()),
        Some(String::new()),
        Some("a b".into()),
        None,
    ]);
    texts.push(Some("A  B".into()));
    // Interleave so that clusters span blocks and partitions.
    let mut shuffled = Vec::new();
    while !texts.is_empty() {
        let index = next(texts.len() as u64) as usize;
        shuffled.push(texts.swap_remove(index));
    }
    shuffled
}

/// Rows of `items` sent to `parts` partitions by `part_of`.
fn shuffle<T: Clone>(items: &[T], partitions: &[u32], parts: u32) -> Vec<Vec<T>> {
    let mut out = vec![Vec::new(); parts as usize];
    for (item, &part) in items.iter().zip(partitions) {
        out[part as usize].push(item.clone());
    }
    out
}

struct Outcome {
    keep: Vec<bool>,
    /// The smallest row of each row's cluster.
    root: Vec<Option<u64>>,
    similarity: Vec<f64>,
}

fn partitioned(texts: &[Option<String>], options: &FuzzyOptions, parts: u32) -> Outcome {
    let plan = NearPlan::new(options.clone()).unwrap();
    let borrowed: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
    let text_of = |row: u64| borrowed[row as usize];

    // Stage 1, by blocks of 7 documents.
    let mut band_rows = Vec::new();
    for (block, chunk) in borrowed.chunks(7).enumerate() {
        let rows: Vec<u64> = (0..chunk.len() as u64)
            .map(|i| block as u64 * 7 + i)
            .collect();
        let out = plan.band_rows(chunk, &rows).unwrap();
        let partitions = out.partitions(parts);
        for (i, &part) in partitions.iter().enumerate() {
            let key = (u128::from(out.key_high[i]) << 64) | u128::from(out.key_low[i]);
            band_rows.push(((out.band[i], out.hash[i], out.row[i], key), part));
        }
    }
    // Stage 2: buckets, then a global deduplication of links.
    let (rows, partitions): (Vec<_>, Vec<u32>) = band_rows.into_iter().unzip();
    let mut links = Vec::new();
    for part in shuffle(&rows, &partitions, parts) {
        let mut input = BandRows::default();
        for (band, hash, row, key) in part {
            input.push(band, hash, row, key);
        }
        let out = bucket_links(&input.columns());
        let partitions = out.partitions(parts);
        for (i, &part) in partitions.iter().enumerate() {
            links.push(((out.a[i], out.b[i], out.exact[i]), part));
        }
    }
    let (links, partitions): (Vec<_>, Vec<u32>) = links.into_iter().unzip();
    let mut edges = Vec::new();
    for part in shuffle(&links, &partitions, parts) {
        let (a, rest): (Vec<u64>, Vec<(u64, bool)>) =
            part.into_iter().map(|(a, b, e)| (a, (b, e))).unzip();
        let (b, exact): (Vec<u64>, Vec<bool>) = rest.into_iter().unzip();
        let unique = dedupe_links(&a, &b, &exact);
        // Stage 3: verify candidates.
        let left: Vec<Option<&str>> = unique.a.iter().map(|&row| text_of(row)).collect();
        let right: Vec<Option<&str>> = unique.b.iter().map(|&row| text_of(row)).collect();
        let similarity = plan.pair_similarity(&left, &right).unwrap();
        for (i, &similarity) in similarity.iter().enumerate() {
            if unique.exact[i] || similarity >= options.threshold {
                edges.push((unique.a[i], unique.b[i]));
            }
        }
    }
    // Stage 4 and 5.
    let (a, b): (Vec<u64>, Vec<u64>) = edges.into_iter().unzip();
    let labels = star_components(&a, &b, parts);
    let length: Vec<u64> = labels
        .row
        .iter()
        .map(|&row| text_of(row).map_or(0, str::len) as u64)
        .collect();
    let (roots, survivors) =
        choose_survivors(&labels.root, &labels.row, &length, None, options.keep).unwrap();
    let survivor_of: HashMap<u64, u64> = roots.into_iter().zip(survivors).collect();

    let n = texts.len();
    let mut outcome = Outcome {
        keep: vec![true; n],
        root: vec![None; n],
        similarity: vec![f64::NAN; n],
    };
    let members: Vec<Option<&str>> = labels.row.iter().map(|&row| text_of(row)).collect();
    let their_survivors: Vec<Option<&str>> = labels
        .root
        .iter()
        .map(|root| text_of(survivor_of[root]))
        .collect();
    let similarity = plan.pair_similarity(&members, &their_survivors).unwrap();
    for (i, (&row, &root)) in labels.row.iter().zip(&labels.root).enumerate() {
        outcome.keep[row as usize] = survivor_of[&root] == row;
        outcome.root[row as usize] = Some(root);
        outcome.similarity[row as usize] = similarity[i];
    }
    outcome
}

fn assert_same_as_local(options: &FuzzyOptions) {
    let texts = corpus();
    let local = dedup_fuzzy(&texts, options, None).unwrap();
    let mut local_root: Vec<Option<u64>> = vec![None; texts.len()];
    let mut first_of_cluster: HashMap<i64, u64> = HashMap::new();
    for (row, &cluster) in local.cluster.iter().enumerate() {
        if cluster >= 0 {
            let first = *first_of_cluster.entry(cluster).or_insert(row as u64);
            local_root[row] = Some(first);
        }
    }
    assert!(local.stats.clusters >= 10 && local.stats.exact_duplicates >= 5);
    for parts in [1, 3, 8] {
        let got = partitioned(&texts, options, parts);
        assert_eq!(got.root, local_root, "clusters, {parts} partitions");
        assert_eq!(got.keep, local.keep, "survivors, {parts} partitions");
        for (row, (&ours, &theirs)) in got.similarity.iter().zip(&local.similarity).enumerate() {
            assert!(
                ours.to_bits() == theirs.to_bits() || (ours.is_nan() && theirs.is_nan()),
                "row {row}: similarity {ours} vs {theirs}"
            );
        }
    }
}

#[test]
fn default_options_equal_the_local_engine() {
    assert_same_as_local(&FuzzyOptions::default());
}

#[test]
fn longest_survivors_and_estimates_equal_the_local_engine() {
    assert_same_as_local(&FuzzyOptions {
        keep: KeepPolicy::Longest,
        verification: Verification::Estimate,
        threshold: 0.7,
        ..FuzzyOptions::default()
    });
}
