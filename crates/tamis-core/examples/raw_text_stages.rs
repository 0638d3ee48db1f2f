//! Where the time of raw text -> signatures goes: each stage of `standard` normalization, words,
//! shingles and sketching, alone and together, on documents given in one file, separated by NUL bytes.
//!
//! `STAGE=<prefix> THREADS=N cargo run --release -p tamis-core --example raw_text_stages FILE`
//! (`STAGE` picks the stages whose name starts with it; all by default; best of 10 runs each).

use std::time::Instant;

use rayon::prelude::*;
use tamis_core::minhash::{MinHasher, SketchMethod};
use tamis_core::shingle::{ShingleConfig, Shingler};
use tamis_core::signature::sketch_text_column;
use tamis_core::standard_words::StandardWords;
use tamis_core::text::Normalization;
use tamis_core::words::for_each_word;

const NORMALIZATION: Normalization = Normalization::Standard;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: raw_text_stages FILE");
    let data = std::fs::read_to_string(path).expect("a readable UTF-8 file");
    let docs: Vec<&str> = data.split('\0').collect();
    let megabytes = data.len() as f64 / 1e6;
    let threads = std::env::var("THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    let stage = std::env::var("STAGE").unwrap_or_default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let mut words = StandardWords::default();
    let one_pass = docs.iter().filter(|doc| words.scan(doc)).count();
    println!(
        "{} documents, {megabytes:.1} MB, {threads} threads; {one_pass} take the one pass",
        docs.len()
    );
    // Runs `run` 10 times when `name` is a chosen stage, and prints the best time.
    let time_stage = |name: &str, run: &(dyn Fn() + Sync)| {
        if !name.starts_with(stage.as_str()) {
            return;
        }
        let seconds = (0..10)
            .map(|_| {
                let start = Instant::now();
                pool.install(run);
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        println!(
            "{name:<28} {:7.2} ms {:7.0} MB/s",
            seconds * 1e3,
            megabytes / seconds
        );
    };
    let measure =
        |name: &str, per_doc: &(dyn Fn(&mut Shingler, &mut Vec<u8>, &str) -> usize + Sync)| {
            time_stage(name, &|| {
                let total: usize = docs
                    .par_iter()
                    .map_init(
                        || (Shingler::default(), Vec::new()),
                        |(shingler, scratch), doc| per_doc(shingler, scratch, doc),
                    )
                    .sum();
                std::hint::black_box(total);
            });
        };
    measure("normalize", &|_, scratch, doc| {
        NORMALIZATION.apply_bytes(doc, scratch).len()
    });
    measure("normalize, words", &|_, scratch, doc| {
        let mut count = 0;
        for_each_word(NORMALIZATION.apply_str(doc, scratch), |_| count += 1);
        count
    });
    measure("normalize, shingles", &|shingler, scratch, doc| {
        let mut hashes = Vec::new();
        shingler.hash_text(NORMALIZATION.apply_str(doc, scratch), &mut hashes);
        hashes.len()
    });
    measure("one pass, words", &|_, _, doc| {
        let mut words = StandardWords::default();
        words.scan(doc);
        words.words().count()
    });
    measure("one pass, shingles", &|shingler, _, doc| {
        let mut hashes = Vec::new();
        shingler.hash_raw_text(doc, NORMALIZATION, &mut hashes);
        hashes.len()
    });
    let rows: Vec<Option<&str>> = docs.iter().copied().map(Some).collect();
    for method in [SketchMethod::Fss, SketchMethod::Classic] {
        let hasher = MinHasher::new(method, 128, 1).expect("valid parameters");
        time_stage(&format!("sketch_text_column {method:?}"), &|| {
            std::hint::black_box(sketch_text_column(
                &rows,
                NORMALIZATION,
                ShingleConfig::default(),
                &hasher,
            ));
        });
    }
}
