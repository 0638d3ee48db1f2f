//! Parquet inputs and outputs. Reading projects only the text column (so a wide table costs little), and
//! hands its values on as [`LineChunk`]s, one "line" per row. Writing re-reads every column and keeps the
//! selected rows, so the output has the input's schema.

use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchReader};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{AtomicFile, FieldPath, LineChunk};
use crate::error::{Error, Location, Result};

const BATCH_ROWS: usize = 16_384;

fn parquet_error(path: &Path, error: impl std::fmt::Display) -> Error {
    Error::InvalidRecord {
        location: Location::Line {
            path: path.to_path_buf(),
            line: 0,
        },
        message: format!("unreadable Parquet: {error}"),
    }
}

/// Runs a call into the parquet and arrow readers, which still panic on some corrupt files (an `unwrap` in
/// arrow-ipc's decoding of the Arrow schema embedded in the footer, found by the `records` fuzz target). Such
/// a panic means the file is unreadable, and becomes that error, naming the file.
fn guarded<T>(path: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        Err(parquet_error(
            path,
            format!("the Parquet reader failed ({reason})"),
        ))
    })
}

fn open_builder(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>> {
    let file = File::open(path).map_err(|source| Error::io(path, source))?;
    guarded(path, || {
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|error| parquet_error(path, error))
    })
}

/// The next batch of `reader`, guarded.
fn next_batch(reader: &mut ParquetRecordBatchReader, path: &Path) -> Option<Result<RecordBatch>> {
    match guarded(path, || Ok(reader.next())) {
        Ok(batch) => batch.map(|batch| batch.map_err(|error| parquet_error(path, error))),
        Err(error) => Some(Err(error)),
    }
}

/// The text column of a Parquet file, in chunks of rows.
pub struct ParquetTexts {
    reader: ParquetRecordBatchReader,
    path: std::path::PathBuf,
    field: FieldPath,
    next_row: u64,
}

impl ParquetTexts {
    pub fn open(path: &Path, field: &FieldPath) -> Result<ParquetTexts> {
        let builder = open_builder(path)?;
        let mask = ProjectionMask::columns(builder.parquet_schema(), [field.as_str()]);
        let reader = guarded(path, || {
            builder
                .with_projection(mask)
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|error| parquet_error(path, error))
        })?;
        Ok(ParquetTexts {
            reader,
            path: path.to_path_buf(),
            field: field.clone(),
            next_row: 1,
        })
    }

    fn chunk(&mut self, batch: &RecordBatch) -> Result<LineChunk> {
        let column = find_column(batch, &self.field).ok_or_else(|| Error::MissingField {
            location: Location::Line {
                path: self.path.clone(),
                line: self.next_row,
            },
            field: self.field.as_str().to_owned(),
        })?;
        let mut chunk = LineChunk {
            first_line: self.next_row,
            ..LineChunk::default()
        };
        let mut push = |value: Option<&str>| {
            let start = chunk.data.len();
            chunk
                .data
                .extend_from_slice(value.unwrap_or_default().as_bytes());
            chunk.lines.push(start..chunk.data.len());
            chunk.nulls.push(value.is_none());
        };
        match column.data_type() {
            DataType::Utf8 => column.as_string::<i32>().iter().for_each(&mut push),
            DataType::LargeUtf8 => column.as_string::<i64>().iter().for_each(&mut push),
            DataType::Utf8View => column.as_string_view().iter().for_each(&mut push),
            other => {
                return Err(Error::FieldType {
                    location: Location::Line {
                        path: self.path.clone(),
                        line: self.next_row,
                    },
                    field: self.field.as_str().to_owned(),
                    found: parquet_type_name(other),
                    expected: "a string",
                });
            }
        }
        self.next_row += chunk.lines.len() as u64;
        Ok(chunk)
    }
}

impl Iterator for ParquetTexts {
    type Item = Result<LineChunk>;

    fn next(&mut self) -> Option<Self::Item> {
        let batch = next_batch(&mut self.reader, &self.path)?;
        Some(batch.and_then(|batch| self.chunk(&batch)))
    }
}

fn parquet_type_name(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::Struct(_) => "a struct",
        DataType::List(_) | DataType::LargeList(_) => "a list",
        DataType::Boolean => "a boolean",
        data_type if data_type.is_numeric() => "a number",
        _ => "not a string",
    }
}

/// The column at a dotted path, descending into struct columns.
fn find_column(batch: &RecordBatch, field: &FieldPath) -> Option<ArrayRef> {
    let mut keys = field.as_str().split('.');
    let mut column = batch.column_by_name(keys.next()?)?.clone();
    for key in keys {
        column = column.as_struct_opt()?.column_by_name(key)?.clone();
    }
    Some(column)
}

/// Writes the rows of `inputs` whose flag in `keep` is set (one flag per row, in order) to `output`, with the
/// schema of the inputs, which must all be the same.
pub fn write_kept_rows(inputs: &[(&Path, &[bool])], output: &mut AtomicFile) -> Result<()> {
    let Some(&(first, _)) = inputs.first() else {
        return Ok(());
    };
    let target = output.path().to_path_buf();
    let schema: SchemaRef = open_builder(first)?.schema().clone();
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    let mut writer = ArrowWriter::try_new(output, schema.clone(), Some(properties))
        .map_err(|e| parquet_error(&target, e))?;
    for &(path, keep) in inputs {
        let builder = open_builder(path)?;
        let mut reader = guarded(path, || {
            builder
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| parquet_error(path, e))
        })?;
        if reader.schema().fields() != schema.fields() {
            return Err(Error::InvalidArgument(format!(
                "{}: its schema differs from the first Parquet input's, so their rows cannot share one output \
                 file; write to a directory instead (-o DIR/)",
                path.display()
            )));
        }
        let mut row = 0usize;
        while let Some(batch) = next_batch(&mut reader, path) {
            let batch = batch?;
            let rows = batch.num_rows();
            let flags = keep
                .get(row..row + rows)
                .ok_or_else(|| parquet_error(path, "the file changed while it was read"))?;
            row += rows;
            let mask: BooleanArray = flags.iter().copied().map(Some).collect();
            let kept = arrow_select::filter::filter_record_batch(&batch, &mask)
                .map_err(|e| parquet_error(path, e))?;
            writer
                .write(&kept)
                .map_err(|error| parquet_error(&target, error))?;
        }
    }
    writer
        .close()
        .map_err(|error| parquet_error(&target, error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::dedup::{ExactFileJob, OnError};
    use crate::text::Normalization;

    /// A Parquet file whose footer holds a corrupt Arrow schema: arrow-ipc 59 unwraps a missing field list
    /// and panics. Found by the `records` fuzz target.
    const CORRUPT_ARROW_SCHEMA: &[u8] = include_bytes!("testdata/corrupt-arrow-schema.parquet");

    #[test]
    fn a_panic_in_the_parquet_reader_is_an_unreadable_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.parquet");
        fs::write(&path, CORRUPT_ARROW_SCHEMA).unwrap();
        let error = ParquetTexts::open(&path, &FieldPath::parse("text").unwrap())
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("in.parquet"), "{error}");
        assert!(error.contains("unreadable Parquet"), "{error}");
    }

    #[test]
    fn a_run_over_a_file_that_panics_the_reader_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.parquet");
        fs::write(&input, CORRUPT_ARROW_SCHEMA).unwrap();
        // It used to be "file is empty" (fail) or an internal error at the write (skip).
        for on_error in [OnError::Fail, OnError::Skip] {
            let job = ExactFileJob {
                inputs: vec![input.clone()],
                output: dir.path().join("out.parquet"),
                field: FieldPath::parse("text").unwrap(),
                chat: None,
                format: None,
                normalization: Normalization::Standard,
                on_error,
                duplicates: None,
                rejects: Some(dir.path().join("rejects.jsonl")),
                progress: false,
            };
            let error = job.run(&|| false).unwrap_err().to_string();
            assert!(error.contains("unreadable Parquet"), "{error}");
            assert_eq!(
                fs::read_dir(dir.path()).unwrap().count(),
                1,
                "only the input"
            );
        }
    }
}
