//! Streaming every record of a list of input files, in order: lines are read (and decompressed) on one
//! thread, each record's text is pulled out and processed on rayon threads, and the caller sees the results
//! chunk by chunk, in input order, on the calling thread. Every deduplication pass over files uses this.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;

use super::parquet::ParquetTexts;

use super::ChatScope;

use super::{
    ByteCounter, FieldPath, InputFormat, LineChunk, LineChunks, RecordError, expand_inputs,
    open_input,
};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Where a record sits: index into the inputs, and 1-based line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: u32,
    pub line: u64,
}

/// What one line of input turned out to be.
#[derive(Debug)]
pub enum Line<T> {
    /// A record, processed.
    Record(T),
    /// A blank line of a JSONL file: not a record.
    Blank,
    /// A record that cannot be read.
    Bad(RecordError),
}

/// Input files checked and ready to scan.
#[derive(Debug, Clone)]
pub struct RecordFiles {
    pub inputs: Vec<PathBuf>,
    pub formats: Vec<InputFormat>,
    pub field: FieldPath,
    /// The field is a list of chat messages; the text is the messages in this scope.
    pub chat: Option<ChatScope>,
}

impl RecordFiles {
    /// Expands directories and glob patterns, then fails fast, before any work, on an empty list, missing
    /// files and unknown formats.
    /// `format` overrides the format read from each file name.
    pub fn open(
        given: &[PathBuf],
        format: Option<InputFormat>,
        field: FieldPath,
    ) -> Result<RecordFiles> {
        let inputs = expand_inputs(given)?;
        if inputs.is_empty() {
            return Err(Error::InvalidArgument("no input files given".into()));
        }
        let mut formats = Vec::with_capacity(inputs.len());
        for path in &inputs {
            let meta = path.metadata().map_err(|source| Error::io(path, source))?;
            if meta.is_dir() {
                return Err(Error::InvalidArgument(format!(
                    "{}: is a directory, expected a file",
                    path.display()
                )));
            }
            formats.push(match format {
                Some(format) => format,
                None => InputFormat::of(path)?,
            });
        }
        Ok(RecordFiles {
            inputs,
            formats,
            field,
            chat: None,
        })
    }

    /// Reads the field as a chat conversation, keeping the messages in `scope`.
    #[must_use]
    pub fn with_chat(mut self, scope: Option<ChatScope>) -> Self {
        self.chat = scope;
        self
    }

    /// Refuses an output path that is one of the inputs: writing it would destroy the data being read.
    pub fn check_output(&self, output: &Path) -> Result<()> {
        match self.inputs.iter().find(|input| same_file(input, output)) {
            Some(input) => Err(Error::InvalidArgument(format!(
                "output {} is also an input ({}): refusing to overwrite the data being read",
                output.display(),
                input.display()
            ))),
            None => Ok(()),
        }
    }

    /// The inputs' paths as text, for messages and output records.
    pub fn names(&self) -> Vec<Cow<'_, str>> {
        self.inputs
            .iter()
            .map(|path| path.to_string_lossy())
            .collect()
    }

    /// Bytes of the inputs as stored on disk (compressed size for compressed files).
    pub fn stored_bytes(&self) -> u64 {
        self.inputs
            .iter()
            .filter_map(|path| path.metadata().ok())
            .map(|meta| meta.len())
            .sum()
    }

    /// Streams every line. `per_record(scratch, origin, text, line)` runs on worker threads with a per-thread scratch
    /// value; `visit(file, chunk, lines)` gets the results of each chunk in input order. A file with no
    /// record is an error unless `allow_empty`. `interrupted` is polled between chunks.
    pub fn scan<S, T, P, V>(
        &self,
        progress: &Progress,
        allow_empty: bool,
        interrupted: &dyn Fn() -> bool,
        per_record: P,
        mut visit: V,
    ) -> Result<()>
    where
        S: Default + Send,
        T: Send,
        P: Fn(&mut S, Origin, &str, &[u8]) -> T + Sync,
        V: FnMut(usize, &LineChunk, Vec<Line<T>>) -> Result<()>,
    {
        let counter = ByteCounter::default();
        let (sender, receiver) = mpsc::sync_channel::<(usize, Result<LineChunk>)>(2);
        let inputs = self.inputs.clone();
        let formats = self.formats.clone();
        let field = self.field.clone();
        let reader_counter = counter.clone();
        // Reading (and decompressing) runs on its own thread so it overlaps with the work on records.
        let reader = std::thread::spawn(move || {
            read_all(&inputs, &formats, &field, &reader_counter, &sender);
        });
        let mut records_per_file = vec![0u64; self.inputs.len()];
        let mut records = 0;
        let mut outcome = Ok(());
        for (file, chunk) in &receiver {
            let step = if interrupted() {
                Err(Error::Interrupted)
            } else {
                chunk.and_then(|chunk| {
                    let lines = self.process(file, &chunk, &per_record);
                    let count = lines
                        .iter()
                        .filter(|line| !matches!(line, Line::Blank))
                        .count() as u64;
                    records_per_file[file] += count;
                    records += count;
                    visit(file, &chunk, lines)
                })
            };
            if let Err(error) = step {
                outcome = Err(error);
                break;
            }
            progress.update(counter.get(), records);
        }
        drop(receiver);
        // A panic on the reader thread closes the channel like the end of the data does: re-raise it here
        // rather than pass off a truncated read as the whole (the bindings turn it into an error).
        if let Err(panic) = reader.join() {
            std::panic::resume_unwind(panic);
        }
        outcome?;
        if !allow_empty && let Some(file) = records_per_file.iter().position(|&count| count == 0) {
            return Err(Error::EmptyFile {
                path: self.inputs[file].clone(),
            });
        }
        Ok(())
    }

    fn process<S, T, P>(&self, file: usize, chunk: &LineChunk, per_record: &P) -> Vec<Line<T>>
    where
        S: Default + Send,
        T: Send,
        P: Fn(&mut S, Origin, &str, &[u8]) -> T + Sync,
    {
        let format = self.formats[file];
        chunk
            .lines
            .par_iter()
            .enumerate()
            .map_init(S::default, |scratch, (offset, range)| {
                let line = &chunk.data[range.clone()];
                if chunk.nulls.get(offset) == Some(&true) {
                    return Line::Bad(RecordError::WrongType("null"));
                }
                match extract_text(line, format, &self.field, self.chat) {
                    Line::Record(text) => {
                        let origin = Origin {
                            file: file as u32,
                            line: chunk.first_line + offset as u64,
                        };
                        Line::Record(per_record(scratch, origin, &text, line))
                    }
                    Line::Blank => Line::Blank,
                    Line::Bad(problem) => Line::Bad(problem),
                }
            })
            .collect()
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn read_all(
    inputs: &[PathBuf],
    formats: &[InputFormat],
    field: &FieldPath,
    counter: &ByteCounter,
    sender: &mpsc::SyncSender<(usize, Result<LineChunk>)>,
) {
    for (index, path) in inputs.iter().enumerate() {
        if formats[index] == InputFormat::Parquet {
            let chunks = match ParquetTexts::open(path, field) {
                Ok(chunks) => chunks,
                Err(error) => {
                    let _ = sender.send((index, Err(error)));
                    return;
                }
            };
            for chunk in chunks {
                let failed = chunk.is_err();
                if sender.send((index, chunk)).is_err() || failed {
                    return;
                }
            }
            counter.add(path.metadata().map_or(0, |meta| meta.len()));
            continue;
        }
        let source = match open_input(path, counter) {
            Ok(source) => source,
            Err(error) => {
                let _ = sender.send((index, Err(error)));
                return;
            }
        };
        for chunk in LineChunks::new(source, path) {
            let failed = chunk.is_err();
            if sender.send((index, chunk)).is_err() || failed {
                return;
            }
        }
    }
}

/// The text of one line: the selected field of a JSON object, or the whole line of a text file.
pub fn extract_text<'a>(
    line: &'a [u8],
    format: InputFormat,
    field: &FieldPath,
    chat: Option<ChatScope>,
) -> Line<Cow<'a, str>> {
    match format {
        InputFormat::Jsonl => {
            if line.iter().all(u8::is_ascii_whitespace) {
                return Line::Blank;
            }
            match field.extract_with(line, chat) {
                Ok(text) => Line::Record(text),
                Err(problem) => Line::Bad(problem),
            }
        }
        InputFormat::Text | InputFormat::Parquet => {
            // A Parquet "line" is the column's value itself; a text line loses its Windows line ending.
            let line = if format == InputFormat::Text {
                line.strip_suffix(b"\r").unwrap_or(line)
            } else {
                line
            };
            match std::str::from_utf8(line) {
                Ok(text) => Line::Record(Cow::Borrowed(text)),
                Err(error) => Line::Bad(RecordError::InvalidUtf8(format!(
                    "invalid byte at column {}",
                    error.valid_up_to() + 1
                ))),
            }
        }
    }
}
