//! Exact deduplication, exposed as `tamis._tamis.dedup_exact` and `tamis._tamis.dedup_files_exact`.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tamis_core::dedup::{self, DedupStats, ExactFileJob, OnError};
use tamis_core::io::{ChatScope, FieldPath, InputFormat};
use tamis_core::text::Normalization;

use crate::errors::PyTamisError;
use crate::gil::run_detached;
use crate::texts::TextColumn;

type Mask<'py> = Bound<'py, PyArray1<bool>>;
type Rows<'py> = Bound<'py, PyArray1<u64>>;

#[pyfunction]
#[pyo3(signature = (texts, *, normalize = "standard"))]
pub fn dedup_exact<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    normalize: &str,
) -> PyResult<(Mask<'py>, Rows<'py>)> {
    let normalization: Normalization = normalize.parse().map_err(PyTamisError)?;
    let column = TextColumn::extract(texts)?;
    let rows = column.rows()?;
    let result = run_detached(py, |_| Ok(dedup::dedup_exact(&rows, normalization)))?;
    Ok((result.keep.into_pyarray(py), result.first.into_pyarray(py)))
}

#[pyfunction]
#[pyo3(signature = (inputs, output, *, field = "text", format = None, chat = None, normalize = "standard",
                    on_error = "fail", duplicates = None, rejects = None, progress = false))]
#[allow(clippy::too_many_arguments)]
pub fn dedup_files_exact<'py>(
    py: Python<'py>,
    inputs: Vec<PathBuf>,
    output: PathBuf,
    field: &str,
    format: Option<&str>,
    chat: Option<&str>,
    normalize: &str,
    on_error: &str,
    duplicates: Option<PathBuf>,
    rejects: Option<PathBuf>,
    progress: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (field, chat, format) = record_source(field, chat, format)?;
    let job = ExactFileJob {
        inputs,
        output,
        field,
        chat,
        format,
        normalization: normalize.parse().map_err(PyTamisError)?,
        on_error: OnError::parse(on_error).map_err(PyTamisError)?,
        duplicates,
        rejects,
        progress,
    };
    let stats = run_detached(py, |interrupted| job.run(interrupted))?;
    dedup_stats_to_dict(py, &stats)
}

/// The arguments that say where each record's text is: field path, chat scope, input format.
pub fn record_source(
    field: &str,
    chat: Option<&str>,
    format: Option<&str>,
) -> PyResult<(FieldPath, Option<ChatScope>, Option<InputFormat>)> {
    Ok((
        FieldPath::parse(field).map_err(PyTamisError)?,
        chat.map(str::parse).transpose().map_err(PyTamisError)?,
        format
            .map(InputFormat::parse)
            .transpose()
            .map_err(PyTamisError)?,
    ))
}

pub fn dedup_stats_to_dict<'py>(
    py: Python<'py>,
    stats: &DedupStats,
) -> PyResult<Bound<'py, PyDict>> {
    let files = stats
        .files
        .iter()
        .map(|file| {
            let entry = PyDict::new(py);
            entry.set_item("path", file.path.to_string_lossy())?;
            entry.set_item("records", file.records)?;
            entry.set_item("kept", file.kept)?;
            entry.set_item("removed", file.removed)?;
            entry.set_item("rejected", file.rejected)?;
            entry.set_item("blank_lines", file.blank_lines)?;
            entry.set_item("bytes", file.bytes)?;
            Ok(entry)
        })
        .collect::<PyResult<Vec<_>>>()?;
    let dict = PyDict::new(py);
    dict.set_item("records", stats.records)?;
    dict.set_item("kept", stats.kept)?;
    dict.set_item("removed", stats.removed)?;
    dict.set_item("rejected", stats.rejected)?;
    dict.set_item("blank_lines", stats.blank_lines)?;
    dict.set_item("bytes_in", stats.bytes_in)?;
    dict.set_item("bytes_out", stats.bytes_out)?;
    dict.set_item("seconds", stats.seconds)?;
    dict.set_item("files", files)?;
    Ok(dict)
}
