//! Accuracy of the `MinHash` estimators on real near-duplicates, k = 128, word 5-grams:
//! mean absolute error of estimated vs exact Jaccard over pairs with exact 0.3 < J < 1 (identical
//! shingle sets are left out: every method gets them exactly right).
//!
//! Pairs: hh-rlhf chosen vs rejected answers (natural near-duplicates), and Gutenberg ~2 KB windows
//! paired with the window starting 0..1200 bytes further (real text, graded overlap).
//!
//! `cargo run --release -p tamis-core --example minhash_accuracy [CORPORA_DIR]`

#[allow(dead_code, reason = "each example uses part of the shared inputs")]
mod common;

use tamis_core::jaccard::{estimated_jaccard, exact_jaccard};
use tamis_core::minhash::{DatasketchMinHash, DatasketchScheme, MinHasher, SketchMethod};
use tamis_core::shingle::{ShingleConfig, ShingleSet, Shingler};

const NUM_PERM: usize = 128;
const SEEDS: u64 = 5;
const MIN_JACCARD: f64 = 0.3;

struct Pair {
    a: Vec<u64>,
    b: Vec<u64>,
    exact: f64,
}

fn shingle_pairs(texts: &[(&str, &str)]) -> Vec<Pair> {
    let mut shingler = Shingler::new(ShingleConfig::default());
    let mut hashes = |text: &str| {
        let mut out = Vec::new();
        shingler.hash_text(text, &mut out);
        out
    };
    texts
        .iter()
        .map(|&(a, b)| {
            let (a, b) = (hashes(a), hashes(b));
            let exact = exact_jaccard(
                &ShingleSet::from_hashes(a.clone()),
                &ShingleSet::from_hashes(b.clone()),
            );
            Pair { a, b, exact }
        })
        .filter(|pair| pair.exact > MIN_JACCARD && pair.exact < 1.0)
        .collect()
}

/// E|X/k - J| for X ~ Binomial(k, J): the error of k independent min-wise hashes.
fn ideal_absolute_error(jaccard: f64, k: usize) -> f64 {
    let mut pmf = (1.0 - jaccard).powf(k as f64);
    let mut expected = 0.0;
    for x in 0..=k {
        expected += pmf * (x as f64 / k as f64 - jaccard).abs();
        pmf *= (k - x) as f64 / (x + 1) as f64 * jaccard / (1.0 - jaccard);
    }
    expected
}

struct Errors {
    absolute: f64,
    signed: f64,
    count: usize,
}

fn measure(pairs: &[Pair], estimate: impl Fn(u64, &Pair) -> f64) -> Errors {
    let mut errors = Errors {
        absolute: 0.0,
        signed: 0.0,
        count: 0,
    };
    for seed in 1..=SEEDS {
        for pair in pairs {
            let error = estimate(seed, pair) - pair.exact;
            errors.absolute += error.abs();
            errors.signed += error;
            errors.count += 1;
        }
    }
    errors
}

fn report(source: &str, pairs: &[Pair]) {
    let mean_jaccard = pairs.iter().map(|p| p.exact).sum::<f64>() / pairs.len() as f64;
    let ideal = pairs
        .iter()
        .map(|p| ideal_absolute_error(p.exact, NUM_PERM))
        .sum::<f64>()
        / pairs.len() as f64;
    println!(
        "{source}: {} pairs with {MIN_JACCARD} < J < 1, mean J {mean_jaccard:.4}, ideal MAE (binomial, k={NUM_PERM}) {ideal:.4}",
        pairs.len()
    );
    for method in [SketchMethod::Classic, SketchMethod::Fss] {
        let hashers: Vec<MinHasher> = (1..=SEEDS)
            .map(|seed| MinHasher::new(method, NUM_PERM, seed).unwrap())
            .collect();
        let errors = measure(pairs, |seed, pair| {
            let hasher = &hashers[(seed - 1) as usize];
            estimated_jaccard(&hasher.sketch(&pair.a), &hasher.sketch(&pair.b))
        });
        print_errors(&format!("{method:?}"), &errors);
    }
    let errors = measure(pairs, |seed, pair| {
        estimated_jaccard(
            &densified_one_permutation(&pair.a, NUM_PERM, seed),
            &densified_one_permutation(&pair.b, NUM_PERM, seed),
        )
    });
    print_errors("OPH + densification", &errors);
    // datasketch's default scheme on the same shingles (hashes folded to the 32 bits it accepts).
    let sketchers: Vec<DatasketchMinHash> = (1..=SEEDS)
        .map(|seed| {
            DatasketchMinHash::new(NUM_PERM, seed as u32, DatasketchScheme::Affine32).unwrap()
        })
        .collect();
    let errors = measure(pairs, |seed, pair| {
        let sketcher = &sketchers[(seed - 1) as usize];
        let fold = |hashes: &[u64]| hashes.iter().map(|h| h >> 32).collect::<Vec<u64>>();
        let a = sketcher.sketch_hashes(&fold(&pair.a)).unwrap();
        let b = sketcher.sketch_hashes(&fold(&pair.b)).unwrap();
        estimated_jaccard(&a, &b)
    });
    print_errors("datasketch affine32", &errors);
}

/// `SplitMix64` finalizer, to derive independent-looking values from (seed, input).
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One-permutation hashing with optimal densification (Shrivastava, ICML 2017), the alternative to
/// FSS that was measured and not chosen: each element falls into one of k bins keeping the minimum;
/// an empty bin j copies the first non-empty bin among `h(j, 1), h(j, 2), ...`.
fn densified_one_permutation(hashes: &[u64], k: usize, seed: u64) -> Vec<u32> {
    let mut bins = vec![u32::MAX; k];
    let mut filled = vec![false; k];
    for &hash in hashes {
        let mixed = mix(hash ^ mix(seed));
        let bin = (((mixed >> 32) * k as u64) >> 32) as usize;
        bins[bin] = bins[bin].min(mixed as u32);
        filled[bin] = true;
    }
    if hashes.is_empty() {
        return bins;
    }
    let mut out = bins.clone();
    for j in (0..k).filter(|&j| !filled[j]) {
        // Terminates: the set is non-empty, so some bin is filled.
        let probe =
            |attempt: u64| (mix(seed ^ mix(((j as u64) << 32) | attempt)) % k as u64) as usize;
        let mut attempt = 1;
        let mut donor = probe(attempt);
        while !filled[donor] {
            attempt += 1;
            donor = probe(attempt);
        }
        out[j] = bins[donor];
    }
    out
}

fn print_errors(name: &str, errors: &Errors) {
    println!(
        "  {name:<20} MAE {:.4}  bias {:+.4}  ({} estimates)",
        errors.absolute / errors.count as f64,
        errors.signed / errors.count as f64,
        errors.count
    );
}

fn main() {
    let root = common::corpora_root();

    let hh = common::hh_rlhf_pairs(&root);
    let hh_refs: Vec<(&str, &str)> = hh.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let hh_pairs = shingle_pairs(&hh_refs);

    let books = common::gutenberg_books(&root);
    let mut book_refs = Vec::new();
    let mut state = 0x5EED_u64;
    for book in &books {
        // One pair every ~50 KB: a 2 KB window and the window shifted by a pseudo-random 0..1200 bytes.
        for start in (0..book.len().saturating_sub(4000)).step_by(50_000) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let shift = (state >> 33) as usize % 1200;
            let a_start = common::next_break(book, start);
            let b_start = common::next_break(book, a_start + shift);
            let a = &book[a_start..common::next_break(book, a_start + 2000)];
            let b = &book[b_start..common::next_break(book, b_start + 2000)];
            book_refs.push((a, b));
        }
    }
    let book_pairs = shingle_pairs(&book_refs);

    report("hh-rlhf chosen vs rejected", &hh_pairs);
    report("gutenberg shifted 2 KB windows", &book_pairs);
    let all: Vec<Pair> = hh_pairs.into_iter().chain(book_pairs).collect();
    report("all", &all);
}
