//! Runs every committed seed input through its fuzz target's check, without libFuzzer: a cheap regression
//! test on the stable toolchain (`make test` runs it). Each input that once crashed a target is kept in
//! its corpus, so the bug stays fixed.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{target}: no seed input");
    for input in &inputs {
        let data = std::fs::read(input).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} fails its check",
            input.display()
        );
    }
}

#[test]
fn tokenizer_corpus() {
    replay("tokenizer", tamis_fuzz::tokenizer::check);
}

#[test]
fn records_corpus() {
    replay("records", tamis_fuzz::records::check);
    tamis_fuzz::records::remove_scratch_folder();
}

#[test]
fn normalize_corpus() {
    replay("normalize", tamis_fuzz::normalize::check);
}

#[test]
fn sketch_corpus() {
    replay("sketch", tamis_fuzz::sketch::check);
}
