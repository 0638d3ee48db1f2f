//! Exact deduplication of datasets on disk. Inputs are read in the order given and deduplicated together; the
//! first occurrence of each normalized text is kept and its line is written out byte for byte. Every record
//! read ends up counted as kept, removed or rejected, per file.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use super::key::{ContentKey, FirstSeen};
use crate::error::{Error, Location, Result};
use crate::io::{
    AtomicFile, ChatScope, FieldPath, InputFormat, KeptOutput, Line, LineChunk, Origin, RecordFiles,
};
use crate::progress::Progress;
use crate::text::Normalization;

/// What to do with a record that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Stop at the first bad record with an error naming file and line; no output is written.
    #[default]
    Fail,
    /// Count the record as rejected, list it in the rejects file, and go on.
    Skip,
}

impl OnError {
    pub fn parse(name: &str) -> Result<OnError> {
        match name {
            "fail" => Ok(OnError::Fail),
            "skip" => Ok(OnError::Skip),
            other => Err(Error::InvalidArgument(format!(
                "unknown on_error '{other}': expected fail or skip"
            ))),
        }
    }
}

/// One exact-dedup run over files.
#[derive(Debug, Clone)]
pub struct ExactFileJob {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub field: FieldPath,
    /// Read the field as a chat conversation, keeping the messages in this scope.
    pub chat: Option<ChatScope>,
    /// `None`: decided per file from its name.
    pub format: Option<InputFormat>,
    pub normalization: Normalization,
    pub on_error: OnError,
    /// One JSON line per removed record, naming the record it duplicates.
    pub duplicates: Option<PathBuf>,
    /// One JSON line per rejected record, with the reason.
    pub rejects: Option<PathBuf>,
    pub progress: bool,
}

/// The account of one input file. `records = kept + removed + rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileStats {
    pub path: PathBuf,
    pub records: u64,
    pub kept: u64,
    pub removed: u64,
    pub rejected: u64,
    /// Blank lines in JSONL files are not records; they are counted here and not copied.
    pub blank_lines: u64,
    /// Uncompressed bytes of the lines read, newlines included.
    pub bytes: u64,
}

/// The account of a whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DedupStats {
    pub files: Vec<FileStats>,
    pub records: u64,
    pub kept: u64,
    pub removed: u64,
    pub rejected: u64,
    pub blank_lines: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub seconds: f64,
}

struct Outputs {
    kept: KeptOutput,
    duplicates: Option<AtomicFile>,
    rejects: Option<AtomicFile>,
}

#[derive(Serialize)]
struct Place<'a> {
    file: Cow<'a, str>,
    line: u64,
}

#[derive(Serialize)]
struct DuplicateLine<'a> {
    file: Cow<'a, str>,
    line: u64,
    duplicate_of: Place<'a>,
}

#[derive(Serialize)]
struct RejectLine<'a> {
    file: Cow<'a, str>,
    line: u64,
    error: String,
}

impl ExactFileJob {
    /// Runs the job. `interrupted` is polled between chunks; when it returns true the run stops with
    /// [`Error::Interrupted`] and, like any failed run, leaves no output file behind.
    pub fn run(&self, interrupted: &dyn Fn() -> bool) -> Result<DedupStats> {
        let started = Instant::now();
        let files =
            RecordFiles::open(&self.inputs, self.format, self.field.clone())?.with_chat(self.chat);
        for output in [
            Some(&self.output),
            self.duplicates.as_ref(),
            self.rejects.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            files.check_output(output)?;
        }
        let mut run = Run {
            job: self,
            stats: DedupStats {
                files: files
                    .inputs
                    .iter()
                    .map(|path| FileStats {
                        path: path.clone(),
                        ..FileStats::default()
                    })
                    .collect(),
                ..DedupStats::default()
            },
            seen: FirstSeen::default(),
            outputs: Outputs {
                kept: KeptOutput::create(&self.output, &files)?,
                duplicates: self
                    .duplicates
                    .as_deref()
                    .map(AtomicFile::create)
                    .transpose()?,
                rejects: self
                    .rejects
                    .as_deref()
                    .map(AtomicFile::create)
                    .transpose()?,
            },
            names: files.names(),
        };
        let progress = Progress::new(self.progress, files.stored_bytes());
        let normalization = self.normalization;
        let scanned = files.scan(
            &progress,
            self.on_error == OnError::Skip,
            interrupted,
            |scratch: &mut Vec<u8>, _, text, _| ContentKey::of(text, normalization, scratch),
            |file, chunk, lines| run.process_chunk(file, chunk, lines),
        );
        progress.finish();
        scanned?;
        run.commit(started)
    }
}

/// The state of a run in progress.
struct Run<'job> {
    job: &'job ExactFileJob,
    stats: DedupStats,
    seen: FirstSeen<Origin>,
    outputs: Outputs,
    names: Vec<Cow<'job, str>>,
}

impl Run<'_> {
    fn process_chunk(
        &mut self,
        file: usize,
        chunk: &LineChunk,
        lines: Vec<Line<ContentKey>>,
    ) -> Result<()> {
        let field = &self.job.field;
        for (offset, line) in lines.into_iter().enumerate() {
            let line_bytes = chunk.line(offset);
            let origin = Origin {
                file: file as u32,
                line: chunk.first_line + offset as u64,
            };
            let file_stats = &mut self.stats.files[file];
            file_stats.bytes += line_bytes.len() as u64 + 1;
            match line {
                Line::Blank => file_stats.blank_lines += 1,
                Line::Bad(problem) => {
                    file_stats.records += 1;
                    let location = Location::Line {
                        path: file_stats.path.clone(),
                        line: origin.line,
                    };
                    let error = problem.at(location, field.as_str());
                    if self.job.on_error == OnError::Fail {
                        return Err(error);
                    }
                    file_stats.rejected += 1;
                    self.outputs.kept.record(file, chunk, offset, false)?;
                    if let Some(rejects) = &mut self.outputs.rejects {
                        let reject = RejectLine {
                            file: self.names[file].clone(),
                            line: origin.line,
                            error: error.to_string(),
                        };
                        write_json_line(rejects, &reject)?;
                    }
                }
                Line::Record(key) => {
                    file_stats.records += 1;
                    let first = *self.seen.entry(key).or_insert(origin);
                    if first.file == origin.file && first.line == origin.line {
                        file_stats.kept += 1;
                        self.stats.bytes_out += line_bytes.len() as u64 + 1;
                        self.outputs.kept.record(file, chunk, offset, true)?;
                    } else {
                        file_stats.removed += 1;
                        self.outputs.kept.record(file, chunk, offset, false)?;
                        if let Some(duplicates) = &mut self.outputs.duplicates {
                            let duplicate = DuplicateLine {
                                file: self.names[file].clone(),
                                line: origin.line,
                                duplicate_of: Place {
                                    file: self.names[first.file as usize].clone(),
                                    line: first.line,
                                },
                            };
                            write_json_line(duplicates, &duplicate)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn commit(mut self, started: Instant) -> Result<DedupStats> {
        let stats = &mut self.stats;
        for file in &stats.files {
            stats.records += file.records;
            stats.kept += file.kept;
            stats.removed += file.removed;
            stats.rejected += file.rejected;
            stats.blank_lines += file.blank_lines;
            stats.bytes_in += file.bytes;
        }
        self.outputs.kept.commit()?;
        if let Some(file) = self.outputs.duplicates {
            file.commit()?;
        }
        if let Some(file) = self.outputs.rejects {
            file.commit()?;
        }
        self.stats.seconds = started.elapsed().as_secs_f64();
        Ok(self.stats)
    }
}

pub(crate) fn write_json_line(file: &mut AtomicFile, value: &impl Serialize) -> Result<()> {
    let mut line =
        serde_json::to_vec(value).map_err(|error| Error::InvalidArgument(error.to_string()))?;
    line.push(b'\n');
    file.write_all(&line)
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Write;
    use std::path::Path;

    use super::*;

    fn job(dir: &Path, inputs: &[&str]) -> ExactFileJob {
        ExactFileJob {
            inputs: inputs.iter().map(|name| dir.join(name)).collect(),
            output: dir.join("out.jsonl"),
            field: FieldPath::parse("text").unwrap(),
            chat: None,
            format: None,
            normalization: Normalization::Standard,
            on_error: OnError::Fail,
            duplicates: Some(dir.join("dups.jsonl")),
            rejects: Some(dir.join("rejects.jsonl")),
            progress: false,
        }
    }

    fn never() -> bool {
        false
    }

    fn lines_of(path: &Path) -> Vec<String> {
        fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn keeps_first_occurrences_byte_for_byte_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let first = "{\"text\": \"Hello, World\",   \"id\": 1}\n{\"id\": 2, \"text\": \"other\"}\n";
        fs::write(dir.path().join("a.jsonl"), first).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"{\"text\": \"hello world!\"}\n{\"text\": \"new\"}")
            .unwrap();
        fs::write(dir.path().join("b.jsonl.gz"), gz.finish().unwrap()).unwrap();
        let zst =
            zstd::encode_all(&b"{\"text\": \"NEW\"}\n\n{\"text\": \"third\"}\n"[..], 3).unwrap();
        fs::write(dir.path().join("c.jsonl.zst"), zst).unwrap();

        let stats = job(dir.path(), &["a.jsonl", "b.jsonl.gz", "c.jsonl.zst"])
            .run(&never)
            .unwrap();
        assert_eq!(
            lines_of(&dir.path().join("out.jsonl")),
            [
                "{\"text\": \"Hello, World\",   \"id\": 1}",
                "{\"id\": 2, \"text\": \"other\"}",
                "{\"text\": \"new\"}",
                "{\"text\": \"third\"}"
            ]
        );
        assert_eq!(
            (
                stats.records,
                stats.kept,
                stats.removed,
                stats.rejected,
                stats.blank_lines
            ),
            (6, 4, 2, 0, 1)
        );
        let per_file: Vec<(u64, u64, u64)> = stats
            .files
            .iter()
            .map(|f| (f.records, f.kept, f.removed))
            .collect();
        assert_eq!(per_file, [(2, 2, 0), (2, 1, 1), (2, 1, 1)]);
        let a = dir.path().join("a.jsonl").to_string_lossy().into_owned();
        let b = dir.path().join("b.jsonl.gz").to_string_lossy().into_owned();
        let c = dir
            .path()
            .join("c.jsonl.zst")
            .to_string_lossy()
            .into_owned();
        let dups: Vec<serde_json::Value> = lines_of(&dir.path().join("dups.jsonl"))
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            dups[0],
            serde_json::json!({"file": b, "line": 1, "duplicate_of": {"file": a, "line": 1}})
        );
        assert_eq!(
            dups[1],
            serde_json::json!({"file": c, "line": 1, "duplicate_of": {"file": b, "line": 2}})
        );
    }

    #[test]
    fn nested_field_and_plain_text_inputs() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("n.jsonl"),
            "{\"m\": {\"body\": \"x\"}}\n{\"m\": {\"body\": \"X\"}, \"text\": 1}\n",
        )
        .unwrap();
        let mut nested = job(dir.path(), &["n.jsonl"]);
        nested.field = FieldPath::parse("m.body").unwrap();
        assert_eq!(nested.run(&never).unwrap().kept, 1);

        fs::write(dir.path().join("t.txt"), "one\r\nOne\ntwo\n\n\n").unwrap();
        let stats = job(dir.path(), &["t.txt"]).run(&never).unwrap();
        assert_eq!((stats.records, stats.kept, stats.removed), (5, 3, 2));
        assert_eq!(
            fs::read(dir.path().join("out.jsonl")).unwrap(),
            b"one\r\ntwo\n\n"
        );
    }

    #[test]
    fn bad_line_fails_naming_file_and_line_and_leaves_no_output() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("a.jsonl"),
            "{\"text\": \"a\"}\n{\"text\": \"b\"\n",
        )
        .unwrap();
        let error = job(dir.path(), &["a.jsonl"]).run(&never).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("a.jsonl:2: malformed JSON"), "{message}");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.jsonl"], "no output, no temp file");
    }

    #[test]
    fn skip_counts_every_bad_record_and_lists_it() {
        let dir = tempfile::tempdir().unwrap();
        let content = b"{\"text\": \"a\"}\n{\"text\": 5}\n{\"body\": \"a\"}\nnot json\n{\"text\": \"caf\xe9\"}\n{\"text\": \"a\"}\n";
        fs::write(dir.path().join("a.jsonl"), content).unwrap();
        let mut skipping = job(dir.path(), &["a.jsonl"]);
        skipping.on_error = OnError::Skip;
        let stats = skipping.run(&never).unwrap();
        assert_eq!(
            (stats.records, stats.kept, stats.removed, stats.rejected),
            (6, 1, 1, 4)
        );
        assert_eq!(stats.kept + stats.removed + stats.rejected, stats.records);
        let rejects = lines_of(&dir.path().join("rejects.jsonl"));
        let reasons: Vec<String> = rejects
            .iter()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["error"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert!(
            reasons[0].ends_with(":2: field 'text' is a number, expected a string"),
            "{}",
            reasons[0]
        );
        assert!(
            reasons[1].ends_with(":3: field 'text' not found"),
            "{}",
            reasons[1]
        );
        assert!(reasons[2].contains(":4: malformed JSON"), "{}", reasons[2]);
        assert!(reasons[3].contains(":5: invalid UTF-8"), "{}", reasons[3]);
    }

    #[test]
    fn empty_missing_and_self_overwriting_inputs_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.jsonl"), "{\"text\": \"a\"}\n").unwrap();
        fs::write(dir.path().join("empty.jsonl"), "").unwrap();
        let error = job(dir.path(), &["a.jsonl", "empty.jsonl"])
            .run(&never)
            .unwrap_err();
        assert!(
            matches!(error, Error::EmptyFile { ref path } if path.ends_with("empty.jsonl")),
            "{error}"
        );

        let error = job(dir.path(), &["a.jsonl", "missing.jsonl"])
            .run(&never)
            .unwrap_err();
        assert!(
            matches!(error, Error::Io { ref source, .. } if source.kind() == std::io::ErrorKind::NotFound)
        );
        assert!(error.to_string().contains("missing.jsonl"));

        let mut clobbering = job(dir.path(), &["a.jsonl"]);
        clobbering.output = dir.path().join("a.jsonl");
        assert!(matches!(
            clobbering.run(&never),
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(
            fs::read_to_string(dir.path().join("a.jsonl")).unwrap(),
            "{\"text\": \"a\"}\n"
        );
    }

    #[test]
    fn truncated_gzip_is_reported_as_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..10_000 {
            writeln!(gz, "{{\"text\": \"document number {i}\"}}").unwrap();
        }
        let bytes = gz.finish().unwrap();
        fs::write(dir.path().join("a.jsonl.gz"), &bytes[..bytes.len() / 2]).unwrap();
        let error = job(dir.path(), &["a.jsonl.gz"]).run(&never).unwrap_err();
        assert!(matches!(error, Error::Corrupt { .. }), "{error}");
        assert!(!dir.path().join("out.jsonl").exists());
    }

    #[test]
    fn interruption_leaves_no_output() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.jsonl"), "{\"text\": \"a\"}\n").unwrap();
        let error = job(dir.path(), &["a.jsonl"]).run(&|| true).unwrap_err();
        assert!(matches!(error, Error::Interrupted));
        assert!(!dir.path().join("out.jsonl").exists());
    }
}
