//! Throughput of raw text -> `MinHash` signatures (word 5-grams, k = 128) on 20,000 real documents
//! (Gutenberg ~2 KB windows), with 1 and 2 threads; best of 3 runs.
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
}

fn print_rate(threads: usize, what: &str, n_docs: usize, megabytes: f64, seconds: f64) {
    println!(
        "{threads} thread(s)  {what:<18} {:>9.0} docs/s  {:>6.1} MB/s  ({seconds:.3} s)",
        n_docs as f64 / seconds,
        megabytes / seconds
    );
}
