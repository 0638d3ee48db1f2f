//! Near-duplicate deduplication of datasets on disk, in three passes so that no text stays in memory:
//!
//! 1. sketch: per record its origin, length and content key; per distinct text its LSH band hashes;
//! 2. verify: re-read the records that are candidates, shingle them, and check every candidate edge by exact
//!    Jaccard (skipped with `Verification::Estimate`, which keeps signatures from pass 1 instead);
//! 3. write: re-read everything and copy the kept lines byte for byte, with the clusters file beside.
//!
//! Memory grows with the number of records (about 30 bytes each) and of distinct texts (band hashes and the
//! band index, about 25 bytes per band), plus the shingle sets of the candidates during pass 2.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{PoisonError, RwLock};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::files::{DedupStats, FileStats, OnError, write_json_line};
use super::fuzzy::{
    Edge, FuzzyOptions, FuzzyStats, ThresholdGuide, Verification, clusters, threshold_guide,
};
use super::key::{ContentKey, FirstSeen};
use super::survivor::choose;
use crate::error::{Location, Result};
use crate::io::{
    AtomicFile, ChatScope, FieldPath, InputFormat, KeptOutput, Line, Origin, RecordError,
    RecordFiles,
};
use crate::jaccard::{estimated_jaccard, exact_jaccard};
use crate::lsh::{BandIndex, band_hashes};
use crate::minhash::{MinHasher, is_empty_signature};
use crate::progress::Progress;
use crate::report::{ClusterSample, ReportData, Sample, render};
use crate::shingle::{ShingleSet, Shingler};
use crate::tokenize::Encoding;

/// One near-duplicate run over files.
#[derive(Debug, Clone)]
pub struct FuzzyFileJob {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub field: FieldPath,
    /// Read the field as a chat conversation, keeping the messages in this scope.
    pub chat: Option<ChatScope>,
    pub format: Option<InputFormat>,
    pub options: FuzzyOptions,
    pub on_error: OnError,
    /// One JSON line per record in a cluster of two or more.
    pub clusters: Option<PathBuf>,
    /// A field whose value the clusters file repeats beside each record (JSONL inputs).
    pub id_field: Option<FieldPath>,
    /// A self-contained HTML report.
    pub report: Option<PathBuf>,
    /// Count the tokens of the texts read and kept with this encoding (costs a tokenizer pass).
    pub tokens: Option<String>,
    /// The numeric field that `KeepPolicy::MaxScore`/`MinScore` compare (records without it never win).
    pub score_field: Option<FieldPath>,
    /// Run every stage but write nothing; return a [`ThresholdGuide`] instead.
    pub dry_run: bool,
    pub rejects: Option<PathBuf>,
    pub progress: bool,
}

/// The account of a near-duplicate run over files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FuzzyFileStats {
    pub dedup: DedupStats,
    pub fuzzy: FuzzyStats,
    /// With `tokens`: the tokens of all records read, and of those kept.
    pub tokens_in: Option<u64>,
    pub tokens_out: Option<u64>,
    /// With `dry_run`: what other thresholds would do.
    pub guide: Option<ThresholdGuide>,
}

/// Per-thread scratch space of pass 1.
#[derive(Default)]
struct SketchScratch {
    normalized: Vec<u8>,
    shingler: Option<Shingler>,
    hashes: Vec<u64>,
    signature: Vec<u32>,
    band_bytes: Vec<u8>,
}

/// What pass 1 learns about one record.
struct Sketch {
    key: ContentKey,
    length: usize,
    /// The survivor score (NaN when absent), or why the score field cannot be read.
    score: Result<f64, RecordError>,
    bands: Option<Vec<u64>>,
    signature: Option<Vec<u32>>,
}

#[derive(Serialize)]
struct ClusterLine<'a> {
    row: u64,
    file: Cow<'a, str>,
    line: u64,
    /// The record's `id_field` value, as it stands in the JSON (string, number, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Box<serde_json::value::RawValue>>,
    cluster: i64,
    kept: bool,
    similarity: f64,
}

#[derive(Serialize)]
struct RejectLine<'a> {
    file: Cow<'a, str>,
    line: u64,
    error: String,
}

impl FuzzyFileJob {
    fn score_of(&self, line: &[u8]) -> Result<f64, RecordError> {
        match &self.score_field {
            Some(field) => Ok(field.extract_number(line)?.unwrap_or(f64::NAN)),
            None => Ok(f64::NAN),
        }
    }

    pub fn run(&self, interrupted: &dyn Fn() -> bool) -> Result<FuzzyFileStats> {
        let started = Instant::now();
        let params = self.options.lsh_params()?;
        let hasher = MinHasher::new(
            self.options.method,
            self.options.num_perm,
            self.options.seed,
        )?;
        // An unknown encoding fails before any work.
        let encoding = self.tokens.as_deref().map(Encoding::get).transpose()?;
        let files =
            RecordFiles::open(&self.inputs, self.format, self.field.clone())?.with_chat(self.chat);
        for output in [
            Some(&self.output),
            self.clusters.as_ref(),
            self.report.as_ref(),
            self.rejects.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            files.check_output(output)?;
        }
        // A dry run writes nothing at all.
        let writes = !self.dry_run;
        let mut kept_file = writes
            .then(|| KeptOutput::create(&self.output, &files))
            .transpose()?;
        let mut clusters_file = self
            .clusters
            .as_deref()
            .filter(|_| writes)
            .map(AtomicFile::create)
            .transpose()?;
        let report_file = self
            .report
            .as_deref()
            .filter(|_| writes)
            .map(AtomicFile::create)
            .transpose()?;
        let mut rejects_file = self
            .rejects
            .as_deref()
            .filter(|_| writes)
            .map(AtomicFile::create)
            .transpose()?;
        let names: Vec<Cow<'_, str>> = files.names();
        let mut file_stats: Vec<FileStats> = files
            .inputs
            .iter()
            .map(|path| FileStats {
                path: path.clone(),
                ..FileStats::default()
            })
            .collect();
        let allow_empty = self.on_error == OnError::Skip;
        let options = &self.options;
        let keep_signatures = options.verification == Verification::Estimate;

        // Pass 1: sketch.
        let mut origins: Vec<Origin> = Vec::new();
        let mut lengths: Vec<usize> = Vec::new();
        let mut scores: Vec<f64> = Vec::new();
        let mut representative: Vec<u32> = Vec::new();
        let mut distinct: Vec<u32> = Vec::new();
        let mut distinct_bands: Vec<Option<Vec<u64>>> = Vec::new();
        let mut distinct_signatures: Vec<u32> = Vec::new();
        // Texts seen in earlier chunks: workers skip sketching their repeats (a repeat is never a first
        // occurrence), which saves most of the work on corpora full of exact duplicates.
        let seen: RwLock<FirstSeen<u32>> = RwLock::new(FirstSeen::default());
        let progress = Progress::new(self.progress, files.stored_bytes());
        let sketch = |scratch: &mut SketchScratch, _: Origin, text: &str, line: &[u8]| {
            let normalized = options
                .normalization
                .apply_str(text, &mut scratch.normalized);
            let key = ContentKey::of_normalized(normalized.as_bytes());
            let repeat = seen
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .contains_key(&key);
            if repeat {
                return Sketch {
                    key,
                    length: text.len(),
                    score: self.score_of(line),
                    bands: None,
                    signature: None,
                };
            }
            let shingler = scratch
                .shingler
                .get_or_insert_with(|| Shingler::new(options.shingles));
            shingler.hash_text(normalized, &mut scratch.hashes);
            scratch.signature.resize(options.num_perm, 0);
            // The hasher was built from the same num_perm, so the slot count always matches.
            let _ = hasher.sketch_into(&scratch.hashes, &mut scratch.signature);
            let empty = is_empty_signature(&scratch.signature);
            Sketch {
                key,
                length: text.len(),
                score: self.score_of(line),
                bands: (!empty)
                    .then(|| band_hashes(&scratch.signature, params, &mut scratch.band_bytes)),
                signature: keep_signatures.then(|| scratch.signature.clone()),
            }
        };
        let scanned = files.scan(
            &progress,
            allow_empty,
            interrupted,
            sketch,
            |file, chunk, lines| {
                for (offset, line) in lines.into_iter().enumerate() {
                    // A record whose score field cannot be read is as bad as one whose text cannot.
                    let line = match line {
                        Line::Record(Sketch {
                            score: Err(problem),
                            ..
                        }) => Line::Bad(problem),
                        other => other,
                    };
                    let stats = &mut file_stats[file];
                    let line_number = chunk.first_line + offset as u64;
                    stats.bytes += chunk.line(offset).len() as u64 + 1;
                    match line {
                        Line::Blank => stats.blank_lines += 1,
                        Line::Bad(problem) => {
                            stats.records += 1;
                            let location = Location::Line {
                                path: stats.path.clone(),
                                line: line_number,
                            };
                            let field = match (&problem, &self.score_field) {
                                (RecordError::WrongNumberType(_), Some(score)) => score.as_str(),
                                _ => self.field.as_str(),
                            };
                            let error = problem.at(location, field);
                            if self.on_error == OnError::Fail {
                                return Err(error);
                            }
                            stats.rejected += 1;
                            if let Some(rejects) = &mut rejects_file {
                                let reject = RejectLine {
                                    file: names[file].clone(),
                                    line: line_number,
                                    error: error.to_string(),
                                };
                                write_json_line(rejects, &reject)?;
                            }
                        }
                        Line::Record(sketch) => {
                            stats.records += 1;
                            let row = origins.len() as u32;
                            origins.push(Origin {
                                file: file as u32,
                                line: line_number,
                            });
                            lengths.push(sketch.length);
                            if self.score_field.is_some() {
                                scores.push(sketch.score.unwrap_or(f64::NAN));
                            }
                            let first = *seen
                                .write()
                                .unwrap_or_else(PoisonError::into_inner)
                                .entry(sketch.key)
                                .or_insert(row);
                            representative.push(first);
                            if first == row {
                                distinct.push(row);
                                distinct_bands.push(sketch.bands);
                                if let Some(signature) = sketch.signature {
                                    distinct_signatures.extend(signature);
                                }
                            }
                        }
                    }
                }
                Ok(())
            },
        );
        progress.finish();
        scanned?;
        drop(seen);

        // Candidates among distinct texts.
        let mut index = BandIndex::new(params);
        index.insert_band_hashes(&distinct_bands)?;
        drop(distinct_bands);
        let candidates = index.self_join();
        drop(index);

        // Pass 2: shingle sets of the candidates, then verification.
        let mut sets: HashMap<u32, ShingleSet> = HashMap::new();
        if options.verification == Verification::Exact && !candidates.is_empty() {
            let mut wanted: HashMap<Origin, u32> = HashMap::new();
            for &(a, b) in &candidates {
                for index in [a, b] {
                    wanted.insert(origins[distinct[index as usize] as usize], index);
                }
            }
            let shingle = |scratch: &mut SketchScratch, origin: Origin, text: &str, _: &[u8]| {
                let index = *wanted.get(&origin)?;
                let normalized = options
                    .normalization
                    .apply_str(text, &mut scratch.normalized);
                let shingler = scratch
                    .shingler
                    .get_or_insert_with(|| Shingler::new(options.shingles));
                shingler.hash_text(normalized, &mut scratch.hashes);
                Some((
                    index,
                    ShingleSet::from_hashes(std::mem::take(&mut scratch.hashes)),
                ))
            };
            let quiet = Progress::new(false, 0);
            files.scan(&quiet, true, interrupted, shingle, |_, _, lines| {
                sets.extend(lines.into_iter().filter_map(|line| match line {
                    Line::Record(found) => found,
                    _ => None,
                }));
                Ok(())
            })?;
        }
        let num_perm = options.num_perm;
        let similarity_of = |a: u32, b: u32| -> f64 {
            match options.verification {
                Verification::Exact => match (sets.get(&a), sets.get(&b)) {
                    (Some(a), Some(b)) => exact_jaccard(a, b),
                    _ => 0.0,
                },
                Verification::Estimate => {
                    let row = |index: u32| {
                        &distinct_signatures
                            [index as usize * num_perm..(index as usize + 1) * num_perm]
                    };
                    estimated_jaccard(row(a), row(b))
                }
            }
        };
        let scored: Vec<Edge> = candidates
            .par_iter()
            .map(|&(a, b)| Edge {
                a: distinct[a as usize],
                b: distinct[b as usize],
                similarity: similarity_of(a, b),
            })
            .collect();
        let verified: Vec<Edge> = scored
            .iter()
            .copied()
            .filter(|edge| edge.similarity >= options.threshold)
            .collect();

        // Clusters and survivors.
        let n = origins.len();
        let exact_links = (0..n as u32).filter(|&row| representative[row as usize] != row);
        let exact_duplicates = exact_links.clone().count();
        let links = exact_links
            .map(|row| (representative[row as usize], row))
            .chain(verified.iter().map(|edge| (edge.a, edge.b)));
        let (cluster, members) = clusters(n, links);
        let distinct_index: HashMap<u32, u32> = distinct
            .iter()
            .enumerate()
            .map(|(index, &row)| (row, index as u32))
            .collect();
        let mut keep = vec![true; n];
        let mut similarity = vec![f64::NAN; n];
        for group in &members {
            let survivor = choose(
                group,
                options.keep,
                &lengths,
                self.score_field.as_ref().map(|_| scores.as_slice()),
            )?;
            let survivor_text = distinct_index[&representative[survivor as usize]];
            for &row in group {
                keep[row as usize] = row == survivor;
                let text = distinct_index[&representative[row as usize]];
                similarity[row as usize] = if text == survivor_text {
                    1.0
                } else {
                    similarity_of(text, survivor_text)
                };
            }
        }
        drop(sets);

        // Pass 3: write the kept lines and the clusters file; pick up the texts the report shows.
        let shown = if report_file.is_some() {
            largest_clusters(
                &members,
                &keep,
                &similarity,
                REPORT_CLUSTERS,
                REPORT_MEMBERS,
            )
        } else {
            Vec::new()
        };
        let wanted: HashMap<Origin, u32> = shown
            .iter()
            .flatten()
            .map(|&row| (origins[row as usize], row))
            .collect();
        let mut texts: HashMap<u32, String> = HashMap::new();
        let mut row = 0usize;
        let mut bytes_out = 0u64;
        let (mut tokens_in, mut tokens_out) = (0u64, 0u64);
        let quiet = Progress::new(false, 0);
        files.scan(
            &quiet,
            true,
            interrupted,
            |(): &mut (), origin, text: &str, line: &[u8]| {
                // Records rejected in pass 1 for their score are skipped again, so rows line up.
                let readable = self.score_of(line).is_ok();
                let id = self
                    .id_field
                    .as_ref()
                    .and_then(|field| field.raw_value(line));
                // The bundled encodings never fail on text; a failure would count as no tokens.
                let tokens = encoding
                    .as_ref()
                    .map_or(0, |encoding| encoding.count_ordinary(text).unwrap_or(0));
                (
                    readable,
                    wanted.get(&origin).map(|&row| (row, text.to_owned())),
                    id,
                    tokens,
                )
            },
            |file, chunk, lines| {
                for (offset, line) in lines.into_iter().enumerate() {
                    let Line::Record((true, shown_text, id, tokens)) = line else {
                        // A rejected record: never kept (Parquet outputs need every row's fate).
                        if !matches!(line, Line::Blank)
                            && let Some(kept_file) = &mut kept_file
                        {
                            kept_file.record(file, chunk, offset, false)?;
                        }
                        continue;
                    };
                    if let Some((shown_row, text)) = shown_text {
                        texts.insert(shown_row, text);
                    }
                    let line_bytes = chunk.line(offset);
                    let stats = &mut file_stats[file];
                    tokens_in += tokens as u64;
                    if keep[row] {
                        stats.kept += 1;
                        tokens_out += tokens as u64;
                        bytes_out += line_bytes.len() as u64 + 1;
                    } else {
                        stats.removed += 1;
                    }
                    if let Some(kept_file) = &mut kept_file {
                        kept_file.record(file, chunk, offset, keep[row])?;
                    }
                    if let (Some(out), true) = (&mut clusters_file, cluster[row] >= 0) {
                        let entry = ClusterLine {
                            row: row as u64,
                            file: names[file].clone(),
                            line: chunk.first_line + offset as u64,
                            id,
                            cluster: cluster[row],
                            kept: keep[row],
                            similarity: similarity[row],
                        };
                        write_json_line(out, &entry)?;
                    }
                    row += 1;
                }
                Ok(())
            },
        )?;

        let mut dedup = DedupStats {
            files: file_stats,
            ..DedupStats::default()
        };
        for file in &dedup.files {
            dedup.records += file.records;
            dedup.kept += file.kept;
            dedup.removed += file.removed;
            dedup.rejected += file.rejected;
            dedup.blank_lines += file.blank_lines;
            dedup.bytes_in += file.bytes;
        }
        dedup.bytes_out = bytes_out;
        if let Some(file) = kept_file {
            file.commit()?;
        }
        if let Some(file) = clusters_file {
            file.commit()?;
        }
        if let Some(file) = rejects_file {
            file.commit()?;
        }
        dedup.seconds = started.elapsed().as_secs_f64();
        let fuzzy = FuzzyStats {
            records: n as u64,
            nulls: 0,
            exact_duplicates: exact_duplicates as u64,
            candidates: candidates.len() as u64,
            verified: verified.len() as u64,
            rejected: (candidates.len() - verified.len()) as u64,
            clusters: members.len() as u64,
            removed: dedup.removed,
            bands: params.bands,
            rows: params.rows,
        };
        if let Some(mut file) = report_file {
            let data = ReportData {
                title: "tamis dedup report".into(),
                inputs: names.iter().map(ToString::to_string).collect(),
                records: dedup.records,
                kept: dedup.kept,
                removed: dedup.removed,
                rejected: dedup.rejected,
                bytes_in: dedup.bytes_in,
                bytes_out: dedup.bytes_out,
                tokens: self
                    .tokens
                    .clone()
                    .map(|name| (name, tokens_in, tokens_out)),
                seconds: dedup.seconds,
                threshold: options.threshold,
                bands: params.bands,
                rows: params.rows,
                num_perm: options.num_perm,
                shingles: format!(
                    "{:?} {}-grams",
                    options.shingles.unit(),
                    options.shingles.size()
                )
                .to_lowercase(),
                exact_duplicates: fuzzy.exact_duplicates,
                candidates: fuzzy.candidates,
                verified: fuzzy.verified,
                similarities: verified.iter().map(|edge| edge.similarity).collect(),
                cluster_sizes: members.iter().map(Vec::len).collect(),
                largest: shown
                    .iter()
                    .map(|rows| {
                        let sample = |row: u32| Sample {
                            file: names[origins[row as usize].file as usize].to_string(),
                            line: origins[row as usize].line,
                            text: texts.get(&row).cloned().unwrap_or_default(),
                            similarity: similarity[row as usize],
                        };
                        ClusterSample {
                            cluster: cluster[rows[0] as usize],
                            size: members[cluster[rows[0] as usize] as usize].len(),
                            survivor: sample(rows[0]),
                            members: rows[1..].iter().map(|&row| sample(row)).collect(),
                        }
                    })
                    .collect(),
            };
            file.write_all(render(&data).as_bytes())?;
            file.commit()?;
        }
        let guide = self.dry_run.then(|| {
            let exact: Vec<(u32, u32)> = (0..n as u32)
                .filter(|&row| representative[row as usize] != row)
                .map(|row| (representative[row as usize], row))
                .collect();
            threshold_guide(n, &exact, &scored, options.threshold)
        });
        let counted = self.tokens.is_some();
        Ok(FuzzyFileStats {
            dedup,
            fuzzy,
            guide,
            tokens_in: counted.then_some(tokens_in),
            tokens_out: counted.then_some(tokens_out),
        })
    }
}

const REPORT_CLUSTERS: usize = 8;
const REPORT_MEMBERS: usize = 3;

/// The `count` largest clusters (ties: earliest first), each as its survivor followed by up to `per_cluster`
/// removed members, least similar first: those show what the threshold let through.
fn largest_clusters(
    members: &[Vec<u32>],
    keep: &[bool],
    similarity: &[f64],
    count: usize,
    per_cluster: usize,
) -> Vec<Vec<u32>> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(members[index].len()));
    order
        .into_iter()
        .take(count)
        .map(|index| {
            let group = &members[index];
            let survivor = group
                .iter()
                .copied()
                .find(|&row| keep[row as usize])
                .unwrap_or(group[0]);
            let mut removed: Vec<u32> = group
                .iter()
                .copied()
                .filter(|&row| row != survivor)
                .collect();
            removed.sort_by(|&a, &b| {
                similarity[a as usize]
                    .total_cmp(&similarity[b as usize])
                    .then(a.cmp(&b))
            });
            removed.truncate(per_cluster);
            std::iter::once(survivor).chain(removed).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::error::Error;

    fn job(dir: &Path, inputs: &[&str]) -> FuzzyFileJob {
        FuzzyFileJob {
            inputs: inputs.iter().map(|name| dir.join(name)).collect(),
            output: dir.join("out.jsonl"),
            field: FieldPath::parse("text").unwrap(),
            chat: None,
            format: None,
            options: FuzzyOptions::default(),
            on_error: OnError::Fail,
            clusters: Some(dir.join("clusters.jsonl")),
            id_field: Some(FieldPath::parse("id").unwrap()),
            report: Some(dir.join("report.html")),
            tokens: Some("cl100k_base".into()),
            score_field: None,
            dry_run: false,
            rejects: None,
            progress: false,
        }
    }

    fn never() -> bool {
        false
    }

    fn words(seed: usize, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| format!("w{}", (i * 7919 + seed * 104_729) % 100_003))
            .collect()
    }

    #[test]
    fn matches_the_in_memory_result_and_writes_kept_lines_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let mut texts = Vec::new();
        for doc in 0..60 {
            let mut body = words(doc % 20, 80);
            body[doc % 80] = format!("edit{doc}");
            texts.push(body.join(" "));
        }
        texts.push(texts[0].to_uppercase());
        let lines: Vec<String> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{{\"id\": {i}, \"text\": \"{t}\"}}"))
            .collect();
        fs::write(dir.path().join("a.jsonl"), lines[..30].join("\n") + "\n").unwrap();
        fs::write(dir.path().join("b.jsonl"), lines[30..].join("\n")).unwrap();

        let stats = job(dir.path(), &["a.jsonl", "b.jsonl"])
            .run(&never)
            .unwrap();
        let in_memory = super::super::fuzzy::dedup_fuzzy(
            &texts.iter().map(Some).collect::<Vec<_>>(),
            &FuzzyOptions::default(),
            None,
        )
        .unwrap();
        let expected: Vec<&str> = lines
            .iter()
            .zip(&in_memory.keep)
            .filter(|(_, k)| **k)
            .map(|(l, _)| l.as_str())
            .collect();
        let written = fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
        assert_eq!(written.lines().collect::<Vec<_>>(), expected);
        assert_eq!(
            stats.dedup.kept + stats.dedup.removed + stats.dedup.rejected,
            stats.dedup.records
        );
        assert_eq!(stats.dedup.removed, in_memory.stats.removed);
        assert_eq!(stats.fuzzy.clusters, in_memory.stats.clusters);
        assert!(
            stats.fuzzy.clusters >= 1 && stats.dedup.removed >= 1,
            "{stats:?}"
        );

        let clusters = fs::read_to_string(dir.path().join("clusters.jsonl")).unwrap();
        let entries: Vec<serde_json::Value> = clusters
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            entries.len(),
            in_memory.cluster.iter().filter(|&&c| c >= 0).count()
        );
        let kept = entries.iter().filter(|e| e["kept"] == true).count();
        assert_eq!(kept as u64, stats.fuzzy.clusters);
        let first = &entries[0];
        assert_eq!(first["row"], 0);
        assert_eq!(first["line"], 1);
        assert_eq!(first["id"], 0, "the id field's value, as a JSON number");
        assert!(first["file"].as_str().unwrap().ends_with("a.jsonl"));

        let encoding = Encoding::get("cl100k_base").unwrap();
        let count = |text: &String| encoding.count_ordinary(text).unwrap() as u64;
        assert_eq!(stats.tokens_in, Some(texts.iter().map(count).sum()));
        let kept_tokens = texts
            .iter()
            .zip(&in_memory.keep)
            .filter(|(_, k)| **k)
            .map(|(t, _)| count(t))
            .sum();
        assert_eq!(stats.tokens_out, Some(kept_tokens));
        let report = fs::read_to_string(dir.path().join("report.html")).unwrap();
        assert!(report.contains("Largest clusters") && report.contains("<svg"));
        assert!(report.contains(&format!("<b>{}</b>", stats.dedup.records)));
    }

    #[test]
    fn estimate_verification_needs_no_second_read_and_agrees_on_clear_cases() {
        let dir = tempfile::tempdir().unwrap();
        let base = words(1, 100).join(" ");
        let other = words(2, 100).join(" ");
        fs::write(
            dir.path().join("a.txt"),
            format!("{base}\n{other}\n{base} extra\n"),
        )
        .unwrap();
        let mut estimating = job(dir.path(), &["a.txt"]);
        estimating.options.verification = Verification::Estimate;
        let stats = estimating.run(&never).unwrap();
        assert_eq!((stats.dedup.kept, stats.dedup.removed), (2, 1));
    }

    #[test]
    fn dry_run_writes_nothing_and_explains_other_thresholds() {
        let dir = tempfile::tempdir().unwrap();
        let base = words(1, 100);
        let mut lines = Vec::new();
        for edits in 0..12 {
            let mut doc = base.clone();
            for word in doc.iter_mut().take(edits * 2) {
                word.push('x');
            }
            lines.push(doc.join(" "));
        }
        fs::write(dir.path().join("a.txt"), lines.join("\n")).unwrap();
        let mut dry = job(dir.path(), &["a.txt"]);
        dry.dry_run = true;
        let stats = dry.run(&never).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.txt"], "a dry run writes nothing");
        let guide = stats.guide.unwrap();
        assert_eq!(
            guide.histogram.iter().map(|bin| bin.1).sum::<u64>(),
            stats.fuzzy.candidates
        );
        let at = |threshold: f64| {
            guide
                .outcomes
                .iter()
                .find(|o| (o.threshold - threshold).abs() < 1e-9)
                .unwrap()
        };
        assert_eq!(at(0.8).removed, stats.dedup.removed);
        assert!(at(0.7).removed >= at(0.8).removed && at(0.8).removed >= at(0.9).removed);
    }

    #[test]
    fn keep_max_score_and_unreadable_scores_are_rejected_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let text = words(5, 60).join(" ");
        let lines = [
            format!("{{\"q\": 0.2, \"text\": \"{text}\"}}"),
            format!("{{\"q\": \"high\", \"text\": \"{text}\"}}"),
            format!("{{\"q\": 0.9, \"text\": \"{text}\"}}"),
            format!("{{\"text\": \"{text}\"}}"),
        ];
        fs::write(dir.path().join("a.jsonl"), lines.join("\n")).unwrap();
        let mut best = job(dir.path(), &["a.jsonl"]);
        best.options.keep = crate::dedup::KeepPolicy::MaxScore;
        best.score_field = Some(FieldPath::parse("q").unwrap());
        best.on_error = OnError::Skip;
        let stats = best.run(&never).unwrap();
        assert_eq!(
            (stats.dedup.kept, stats.dedup.removed, stats.dedup.rejected),
            (1, 2, 1)
        );
        let written = fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
        assert_eq!(written.trim_end(), lines[2]);
        let clusters = fs::read_to_string(dir.path().join("clusters.jsonl")).unwrap();
        let rows: Vec<u64> = clusters
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["line"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(rows, [1, 3, 4], "the rejected line 2 is in no cluster");

        best.on_error = OnError::Fail;
        let error = best.run(&never).unwrap_err().to_string();
        assert!(
            error.contains("a.jsonl:2: field 'q' is a string, expected a number"),
            "{error}"
        );
    }

    #[test]
    fn bad_record_fails_with_its_location_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("a.jsonl"),
            "{\"text\": \"a\"}\n{\"text\": 1}\n",
        )
        .unwrap();
        let error = job(dir.path(), &["a.jsonl"]).run(&never).unwrap_err();
        assert!(matches!(error, Error::FieldType { .. }), "{error}");
        assert!(error.to_string().contains("a.jsonl:2"));
        assert!(!dir.path().join("out.jsonl").exists());
        assert!(!dir.path().join("clusters.jsonl").exists());
        assert!(!dir.path().join("report.html").exists());
    }

    #[test]
    fn every_output_naming_an_input_is_refused_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("a.jsonl");
        let lines = "{\"text\": \"same\"}\n{\"text\": \"same\"}\n";
        fs::write(&input, lines).unwrap();
        let outputs: [fn(&mut FuzzyFileJob, PathBuf); 4] = [
            |job, path| job.output = path,
            |job, path| job.clusters = Some(path),
            |job, path| job.report = Some(path),
            |job, path| job.rejects = Some(path),
        ];
        for set_output in outputs {
            let mut job = job(dir.path(), &["a.jsonl"]);
            set_output(&mut job, input.clone());
            let error = job.run(&never).unwrap_err().to_string();
            assert!(error.contains("is also an input"), "{error}");
            assert_eq!(fs::read_to_string(&input).unwrap(), lines);
        }
    }
}
