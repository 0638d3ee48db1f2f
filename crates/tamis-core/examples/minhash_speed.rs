//! Throughput of raw text -> `MinHash` signatures (word 5-grams, k = 128) on 20,000 real documents
//! (Gutenberg ~2 KB windows), with 1 and 2 threads; best of 3 runs. Then the sketch kernels alone
//! on one thread, by set size (shingle hashes given), with a checksum of the signatures so that a
//! change of kernel can be checked to give the same output.
//!
//! `cargo run --release -p tamis-core --example minhash_speed [CORPORA_DIR]`

#[allow(dead_code, reason = "each example uses part of the shared inputs")]
mod common;

use std::time::Instant;

use rayon::prelude::*;
use tamis_core::minhash::{MinHasher, SketchMethod};
use tamis_core::shingle::{ShingleConfig, Shingler};
use tamis_core::signature::sketch_texts;

const N_DOCS: usize = 20_000;
const NUM_PERM: usize = 128;

fn best_of_3(mut run: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let books = common::gutenberg_books(&common::corpora_root());
    let docs: Vec<&str> = books
        .iter()
        .flat_map(|book| common::windows(book, 2000))
        .take(N_DOCS)
        .collect();
    let megabytes = docs.iter().map(|doc| doc.len()).sum::<usize>() as f64 / 1e6;
    println!(
        "{} documents, {megabytes:.1} MB, word 5-grams, k = {NUM_PERM}",
        docs.len()
    );
    let config = ShingleConfig::default();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let shingling = best_of_3(|| {
            pool.install(|| {
                let total: usize = docs
                    .par_iter()
                    .map_init(
                        || (Shingler::new(config), Vec::new()),
                        |(shingler, hashes), doc| {
                            shingler.hash_text(doc, hashes);
                            hashes.len()
                        },
                    )
                    .sum();
                std::hint::black_box(total);
            });
        });
        print_rate(threads, "shingling only", docs.len(), megabytes, shingling);
        for method in [SketchMethod::Classic, SketchMethod::Fss] {
            let hasher = MinHasher::new(method, NUM_PERM, 1).expect("valid parameters");
            let seconds = best_of_3(|| {
                std::hint::black_box(pool.install(|| sketch_texts(&docs, config, &hasher)));
            });
            print_rate(
                threads,
                &format!("text -> {method:?}"),
                docs.len(),
                megabytes,
                seconds,
            );
        }
    }
    kernels_by_set_size();
}

/// Nanoseconds per set for each native kernel, sets of n random shingle hashes.
fn kernels_by_set_size() {
    const N_SETS: usize = 20_000;
    for n in [10, 50, 90, 350, 2000] {
        let sets: Vec<Vec<u64>> = (0..N_SETS)
            .map(|set| {
                (0..n)
                    .map(|i| {
                        tamis_core::signature::token_hash(&((set * 7919 + i) as u64).to_le_bytes())
                    })
                    .collect()
            })
            .collect();
        for method in [SketchMethod::Classic, SketchMethod::Fss] {
            let hasher = MinHasher::new(method, NUM_PERM, 1).expect("valid parameters");
            let mut out = vec![0_u32; NUM_PERM];
            let mut checksum = 0_u64;
            let seconds = best_of_3(|| {
                checksum = 0;
                for set in &sets {
                    hasher
                        .sketch_into(set, &mut out)
                        .expect("buffer of num_perm slots");
                    checksum = out
                        .iter()
                        .fold(checksum, |acc, &slot| acc.rotate_left(5) ^ u64::from(slot));
                }
            });
            println!(
                "kernel {method:?} n = {n:>4}: {:>7.0} ns/set  checksum {checksum:016x}",
                seconds * 1e9 / N_SETS as f64
            );
        }
    }
}

fn print_rate(threads: usize, what: &str, n_docs: usize, megabytes: f64, seconds: f64) {
    println!(
        "{threads} thread(s)  {what:<18} {:>9.0} docs/s  {:>6.1} MB/s  ({seconds:.3} s)",
        n_docs as f64 / seconds,
        megabytes / seconds
    );
}
