//! Single-thread speed of pulling the `text` field out of JSON lines: tamis' extractor (a serde visitor on
//! sonic-rs that skips every other field) against `serde_json` deserializing a one-field struct (which
//! also skips the rest without building a value).
//!
//!     cargo run --release -p tamis-core --example json_field_speed -- bench/data/crawl-220mb.jsonl

use std::borrow::Cow;
use std::time::Instant;

use serde::Deserialize;
use tamis_core::io::FieldPath;

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: json_field_speed FILE.jsonl")?;
    let data = std::fs::read(&path)?;
    let lines: Vec<&[u8]> = data
        .split(|&byte| byte == b'\n')
        .filter(|line| !line.is_empty())
        .collect();
    let megabytes = data.len() as f64 / 1e6;
    let field = FieldPath::parse("text")?;
    for round in 1..=3 {
        let started = Instant::now();
        let mut tamis_bytes = 0;
        for line in &lines {
            tamis_bytes += field
                .extract(line)
                .map_err(|error| format!("{error:?}"))?
                .len();
        }
        let tamis = megabytes / started.elapsed().as_secs_f64();
        let started = Instant::now();
        let mut serde_bytes = 0;
        for line in &lines {
            serde_bytes += serde_json::from_slice::<Record<'_>>(line)?.text.len();
        }
        let serde = megabytes / started.elapsed().as_secs_f64();
        assert_eq!(tamis_bytes, serde_bytes, "both read the same texts");
        println!(
            "round {round}: tamis (sonic-rs visitor) {tamis:.0} MB/s, serde_json struct {serde:.0} MB/s"
        );
    }
    Ok(())
}
