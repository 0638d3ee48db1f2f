//! Times encoding of adversarial inputs at 100 KB and 1 MB, to show the cost stays linear
//! (tiktoken's regex and merge loop are quadratic on several of them). Each time is the best of
//! three runs, since other work on a shared machine only ever slows a run down.
//!
//! `cargo run --release -p tamis-core --example tokenize_pathological`

use std::time::Instant;
use tamis_core::tokenize::Encoding;

/// A deterministic byte stream for the random inputs (splitmix64).
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u32) -> u32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % u64::from(bound)) as u32
    }

    fn text(&mut self, len: usize, alphabet: &[char]) -> String {
        let mut text = String::with_capacity(len + 4);
        while text.len() < len {
            text.push(alphabet[self.below(alphabet.len() as u32) as usize]);
        }
        text
    }
}

fn inputs(len: usize) -> Vec<(&'static str, String)> {
    let mut random = Random(7);
    let lowercase: Vec<char> = ('a'..='z').collect();
    let cjk: Vec<char> = ('\u{4e00}'..='\u{9fff}').collect();
    let base64: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain(['+', '/'])
        .collect();
    let digits: Vec<char> = ('0'..='9').collect();
    vec![
        ("one repeated letter", "a".repeat(len)),
        ("random lowercase", random.text(len, &lowercase)),
        ("random CJK", random.text(len, &cjk)),
        ("spaces then a letter", " ".repeat(len - 1) + "x"),
        ("newlines", "\n".repeat(len)),
        ("random base64", random.text(len, &base64)),
        ("digits", random.text(len, &digits)),
    ]
}

fn main() -> tamis_core::Result<()> {
    for name in ["r50k_base", "cl100k_base", "o200k_base"] {
        let encoding = Encoding::get(name)?;
        println!("{name}");
        let small = inputs(100_000);
        let large = inputs(1_000_000);
        for ((label, small), (_, large)) in small.iter().zip(&large) {
            let time = |text: &str| -> tamis_core::Result<(f64, usize)> {
                let mut best = f64::INFINITY;
                let mut tokens = 0;
                for _ in 0..3 {
                    let start = Instant::now();
                    tokens = encoding.encode_ordinary(text)?.len();
                    best = best.min(start.elapsed().as_secs_f64());
                }
                Ok((best, tokens))
            };
            let (small_s, _) = time(small)?;
            let (large_s, tokens) = time(large)?;
            println!(
                "  {label:22} 100KB {:8.2} ms   1MB {:8.2} ms   ratio {:5.1}   ({tokens} tokens)",
                small_s * 1e3,
                large_s * 1e3,
                large_s / small_s
            );
        }
    }
    Ok(())
}
