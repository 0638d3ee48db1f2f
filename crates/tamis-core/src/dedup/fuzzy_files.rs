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
use crate::io::{AtomicFile, ChatScope, FieldPath, InputFormat, Line, Origin, RecordFiles};
use crate::jaccard::{estimated_jaccard, exact_jaccard};
use crate::lsh::{BandIndex, band_hashes};
use crate::minhash::{MinHasher, is_empty_signature};
use crate::progress::Progress;
use crate::report::{ClusterSample, ReportData, Sample, render};
use crate::shingle::{ShingleSet, Shingler};

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
    /// A self-contained HTML report.
    pub report: Option<PathBuf>,
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
    bands: Option<Vec<u64>>,
    signature: Option<Vec<u32>>,
}

#[derive(Serialize)]
struct ClusterLine<'a> {
    row: u64,
    file: Cow<'a, str>,
    line: u64,
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
    pub fn run(&self, interrupted: &dyn Fn() -> bool) -> Result<FuzzyFileStats> {
        let started = Instant::now();
        let params = self.options.lsh_params()?;
        let hasher = MinHasher::new(
            self.options.method,
            self.options.num_perm,
            self.options.seed,
        )?;
        let files =
            RecordFiles::open(&self.inputs, self.format, self.field.clone())?.with_chat(self.chat);
        for output in [
            Some(&self.output),
            self.clusters.as_ref(),
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
            .then(|| AtomicFile::create(&self.output))
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
        let names: Vec<Cow<'_, str>> = files
            .inputs
            .iter()
            .map(|path| path.to_string_lossy())
            .collect();
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
        let mut representative: Vec<u32> = Vec::new();
        let mut distinct: Vec<u32> = Vec::new();
        let mut distinct_bands: Vec<Option<Vec<u64>>> = Vec::new();
        let mut distinct_signatures: Vec<u32> = Vec::new();
        let mut seen: FirstSeen<u32> = FirstSeen::default();
        let progress = Progress::new(self.progress, files.stored_bytes());
        let sketch = |scratch: &mut SketchScratch, _: Origin, text: &str| {
            let normalized = options
                .normalization
                .apply_str(text, &mut scratch.normalized);
            let key = ContentKey::of_normalized(normalized.as_bytes());
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
                            let error = problem.at(location, self.field.as_str());
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
                            let first = *seen.entry(sketch.key).or_insert(row);
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
            let shingle = |scratch: &mut SketchScratch, origin: Origin, text: &str| {
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
            let survivor = choose(group, options.keep, &lengths, None)?;
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
        let quiet = Progress::new(false, 0);
        files.scan(
            &quiet,
            true,
            interrupted,
            |(): &mut (), origin, text: &str| {
                wanted.get(&origin).map(|&row| (row, text.to_owned()))
            },
            |file, chunk, lines| {
                for (offset, line) in lines.into_iter().enumerate() {
                    let Line::Record(shown_text) = line else {
                        continue;
                    };
                    if let Some((shown_row, text)) = shown_text {
                        texts.insert(shown_row, text);
                    }
                    let line_bytes = chunk.line(offset);
                    let stats = &mut file_stats[file];
                    if keep[row] {
                        stats.kept += 1;
                        bytes_out += line_bytes.len() as u64 + 1;
                        if let Some(kept_file) = &mut kept_file {
                            kept_file.write_all(line_bytes)?;
                            kept_file.write_all(b"\n")?;
                        }
                    } else {
                        stats.removed += 1;
                    }
                    if let (Some(out), true) = (&mut clusters_file, cluster[row] >= 0) {
                        let entry = ClusterLine {
                            row: row as u64,
                            file: names[file].clone(),
                            line: chunk.first_line + offset as u64,
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
        Ok(FuzzyFileStats {
            dedup,
            fuzzy,
            guide,
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
