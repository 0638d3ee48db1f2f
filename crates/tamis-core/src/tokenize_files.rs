//! Counting the tokens of datasets on disk (`tamis tokens`): every record of the inputs is read once,
//! counted on worker threads with [`Encoding::count_ordinary`], and summed in input order. Special-token
//! text inside a record is counted as ordinary text, as a tokenizer fed raw data would see it.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::dedup::files::write_json_line;
use crate::error::{Location, Result};
use crate::io::{AtomicFile, FieldPath, InputFormat, Line, RecordFiles};
use crate::progress::Progress;
use crate::tokenize::Encoding;

/// One token-count run over files.
#[derive(Debug, Clone)]
pub struct TokenCountJob {
    pub inputs: Vec<PathBuf>,
    pub field: FieldPath,
    /// `None`: decided per file from its name.
    pub format: Option<InputFormat>,
    pub encoding: Arc<Encoding>,
    /// One JSON line per record: file, line, tokens, bytes.
    pub per_doc: Option<PathBuf>,
    pub progress: bool,
}

/// The account of one input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileTokens {
    pub path: PathBuf,
    pub documents: u64,
    pub tokens: u64,
    /// UTF-8 bytes of the texts counted (the selected field, not the whole JSON line).
    pub text_bytes: u64,
    pub blank_lines: u64,
}

/// The account of a whole run. Percentiles are of tokens per document (nearest rank); 0 with no document.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TokenStats {
    pub encoding: String,
    pub files: Vec<FileTokens>,
    pub documents: u64,
    pub tokens: u64,
    pub text_bytes: u64,
    pub blank_lines: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
    pub seconds: f64,
}

#[derive(Serialize)]
struct PerDocLine<'a> {
    file: Cow<'a, str>,
    line: u64,
    tokens: u64,
    bytes: u64,
}

impl TokenCountJob {
    /// Runs the job; a bad record stops it with an error naming file and line, and no per-doc file is left.
    pub fn run(&self, interrupted: &dyn Fn() -> bool) -> Result<TokenStats> {
        let started = Instant::now();
        let files = RecordFiles::open(&self.inputs, self.format, self.field.clone())?;
        if let Some(per_doc) = &self.per_doc {
            files.check_output(per_doc)?;
        }
        let mut per_doc = self
            .per_doc
            .as_deref()
            .map(AtomicFile::create)
            .transpose()?;
        // Directories and patterns are expanded by `open`: account for the files it found.
        let names: Vec<Cow<'_, str>> = files.names();
        let mut stats: Vec<FileTokens> = files
            .inputs
            .iter()
            .map(|path| FileTokens {
                path: path.clone(),
                ..FileTokens::default()
            })
            .collect();
        let mut counts: Vec<u64> = Vec::new();
        let encoding = &self.encoding;
        let progress = Progress::new(self.progress, files.stored_bytes());
        let scanned = files.scan(
            &progress,
            true,
            interrupted,
            |(): &mut (), _, text, _| {
                encoding
                    .count_ordinary(text)
                    .map(|tokens| (tokens as u64, text.len() as u64))
            },
            |file, chunk, lines| {
                let file_stats = &mut stats[file];
                for (offset, line) in lines.into_iter().enumerate() {
                    let line_number = chunk.first_line + offset as u64;
                    match line {
                        Line::Blank => file_stats.blank_lines += 1,
                        Line::Bad(problem) => {
                            let location = Location::Line {
                                path: file_stats.path.clone(),
                                line: line_number,
                            };
                            return Err(problem.at(location, self.field.as_str()));
                        }
                        Line::Record(counted) => {
                            let (tokens, bytes) = counted?;
                            file_stats.documents += 1;
                            file_stats.tokens += tokens;
                            file_stats.text_bytes += bytes;
                            counts.push(tokens);
                            if let Some(out) = &mut per_doc {
                                let record = PerDocLine {
                                    file: names[file].clone(),
                                    line: line_number,
                                    tokens,
                                    bytes,
                                };
                                write_json_line(out, &record)?;
                            }
                        }
                    }
                }
                Ok(())
            },
        );
        progress.finish();
        scanned?;
        if let Some(out) = per_doc {
            out.commit()?;
        }
        counts.sort_unstable();
        let mut total = TokenStats {
            encoding: self.encoding.name().to_owned(),
            p50: percentile(&counts, 50),
            p90: percentile(&counts, 90),
            p99: percentile(&counts, 99),
            max: counts.last().copied().unwrap_or(0),
            ..TokenStats::default()
        };
        for file in &stats {
            total.documents += file.documents;
            total.tokens += file.tokens;
            total.text_bytes += file.text_bytes;
            total.blank_lines += file.blank_lines;
        }
        total.files = stats;
        total.seconds = started.elapsed().as_secs_f64();
        Ok(total)
    }
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `percent`% of the
/// values at or below it.
fn percentile(sorted: &[u64], percent: u64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (percent * sorted.len() as u64).div_ceil(100).max(1);
    sorted[rank as usize - 1]
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn job(dir: &std::path::Path, names: &[&str], per_doc: bool) -> TokenCountJob {
        TokenCountJob {
            inputs: names.iter().map(|name| dir.join(name)).collect(),
            field: FieldPath::parse("text").unwrap(),
            format: None,
            encoding: Encoding::get("cl100k_base").unwrap(),
            per_doc: per_doc.then(|| dir.join("per_doc.jsonl")),
            progress: false,
        }
    }

    #[test]
    fn counts_every_record_in_order() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("a.jsonl"),
            "{\"text\": \"hello world\"}\n\n{\"text\": \"<|endoftext|> is text here\"}\n",
        )
        .unwrap();
        fs::write(dir.path().join("b.txt"), "one\ntwo three\n").unwrap();
        let stats = job(dir.path(), &["a.jsonl", "b.txt"], true)
            .run(&|| false)
            .unwrap();
        let encoding = Encoding::get("cl100k_base").unwrap();
        let expected: Vec<u64> = [
            "hello world",
            "<|endoftext|> is text here",
            "one",
            "two three",
        ]
        .iter()
        .map(|text| encoding.encode_ordinary(text).unwrap().len() as u64)
        .collect();
        assert_eq!(stats.documents, 4);
        assert_eq!(stats.blank_lines, 1);
        assert_eq!(stats.tokens, expected.iter().sum::<u64>());
        assert_eq!(stats.files[0].documents, 2);
        assert_eq!(stats.max, *expected.iter().max().unwrap());
        let per_doc = fs::read_to_string(dir.path().join("per_doc.jsonl")).unwrap();
        let tokens: Vec<u64> = per_doc
            .lines()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).unwrap();
                value["tokens"].as_u64().unwrap()
            })
            .collect();
        assert_eq!(tokens, expected);
        assert!(per_doc.contains("\"line\":3"));
    }

    #[test]
    fn bad_record_fails_with_its_line_and_leaves_no_output() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("a.jsonl"),
            "{\"text\": \"ok\"}\n{\"text\": 3}\n",
        )
        .unwrap();
        let error = job(dir.path(), &["a.jsonl"], true)
            .run(&|| false)
            .unwrap_err();
        assert!(error.to_string().contains("a.jsonl:2"), "{error}");
        assert!(!dir.path().join("per_doc.jsonl").exists());
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 50), 50);
        assert_eq!(percentile(&values, 99), 99);
        assert_eq!(percentile(&[7], 90), 7);
        assert_eq!(percentile(&[], 50), 0);
    }
}
