//! Real-text inputs shared by the `MinHash` examples: Gutenberg books cut into ~2 KB windows, and
//! the hh-rlhf chosen/rejected answer pairs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The corpora folder: the first argument, or `/work/shared/corpora`.
pub fn corpora_root() -> PathBuf {
    std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("/work/shared/corpora"), PathBuf::from)
}

/// Every `gutenberg/*/*.txt` under `root`, in path order.
pub fn gutenberg_books(root: &Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("gutenberg"))
        .expect("gutenberg folder")
        .flatten()
        .flat_map(|author| {
            std::fs::read_dir(author.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            String::from_utf8_lossy(&std::fs::read(path).expect("readable book")).into_owned()
        })
        .collect()
}

/// The byte offset of the first whitespace at or after `at` (or the end of the text).
pub fn next_break(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    text[at..]
        .find(char::is_whitespace)
        .map_or(text.len(), |found| at + found)
}

/// Consecutive windows of about `size` bytes, cut at whitespace.
pub fn windows(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = next_break(text, start + size);
        out.push(&text[start..end]);
        start = end;
    }
    out
}

/// (chosen, rejected) of every line of the hh-rlhf file.
pub fn hh_rlhf_pairs(root: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(root.join("hh-rlhf/harmless-base_test.jsonl.gz"))
        .expect("hh-rlhf file");
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|line| {
            let record: serde_json::Value =
                serde_json::from_str(&line.expect("gzip line")).expect("JSON line");
            let field = |name: &str| record[name].as_str().unwrap_or_default().to_owned();
            (field("chosen"), field("rejected"))
        })
        .collect()
}
