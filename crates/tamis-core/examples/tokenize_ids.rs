//! Prints our token ids for JSON lines `{"encoding": NAME, "text": TEXT, "special": BOOL}` read
//! from stdin, one JSON array per line: the Rust half of `bench/tiktoken_check.py`, which compares
//! them with tiktoken's.
//!
//! `cargo build --release -p tamis-core --example tokenize_ids`

use std::io::{BufRead, Write};
use tamis_core::tokenize::{Encoding, SpecialSet};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in std::io::stdin().lock().lines() {
        let request: serde_json::Value = serde_json::from_str(&line?)?;
        let field = |name: &str| request.get(name).ok_or(format!("missing field {name}"));
        let name = field("encoding")?
            .as_str()
            .ok_or("encoding: not a string")?;
        let encoding = Encoding::get(name)?;
        let text = field("text")?.as_str().ok_or("text: not a string")?;
        let ids = if field("special")?.as_bool().unwrap_or(false) {
            encoding.encode(text, SpecialSet::All)?
        } else {
            encoding.encode_ordinary(text)?
        };
        writeln!(out, "{}", serde_json::to_string(&ids)?)?;
    }
    Ok(())
}
