//! Encoding speed on real text files, on one thread unless `THREADS` says otherwise (a large text
//! is encoded on every thread of the pool); the best of five runs, since other work on a shared
//! machine only ever slows a run down.
//!
//! `[THREADS=N] cargo run --release -p tamis-core --example tokenize_throughput -- ENCODING FILE...`

use std::time::Instant;
use tamis_core::tokenize::Encoding;

fn main() -> tamis_core::Result<()> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "cl100k_base".to_owned());
    let load_start = Instant::now();
    let encoding = Encoding::get(&name)?;
    let load = load_start.elapsed().as_secs_f64();
    let mut texts = Vec::new();
    for path in args {
        let bytes = std::fs::read(&path).map_err(|e| tamis_core::Error::io(&path, e))?;
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    let threads = std::env::var("THREADS")
        .ok()
        .and_then(|threads| threads.parse().ok())
        .unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| tamis_core::Error::InvalidArgument(format!("thread pool: {e}")))?;
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut seconds = f64::INFINITY;
    let mut tokens = 0;
    for _ in 0..5 {
        let start = Instant::now();
        tokens = 0;
        for text in &texts {
            tokens += pool.install(|| encoding.encode_ordinary(text))?.len();
        }
        seconds = seconds.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{name}: load {:.1} ms; {threads} threads; {} files, {:.1} MB, {tokens} tokens in {seconds:.3} s = {:.1} MB/s",
        load * 1e3,
        texts.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds
    );
    Ok(())
}
