//! Accepting a column of texts from Python: a sequence of `str` (or `None`), or any Arrow string array through
//! the Arrow `PyCapsule` interface (pyarrow arrays and chunked arrays, polars Series). Arrow data is borrowed,
//! not copied.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use pyo3_arrow::input::AnyArray;

use crate::errors::InvalidInputError;

/// Owns whatever keeps the texts alive while the engine borrows them.
pub enum TextColumn<'py> {
    Python(Vec<Option<Bound<'py, PyString>>>),
    Arrow(Vec<ArrayRef>),
}

impl<'py> TextColumn<'py> {
    pub fn extract(texts: &Bound<'py, PyAny>) -> PyResult<TextColumn<'py>> {
        if texts.hasattr("__arrow_c_array__")? || texts.hasattr("__arrow_c_stream__")? {
            let array: AnyArray = texts.extract()?;
            let chunked = array.into_chunked_array()?;
            let (chunks, field) = chunked.into_inner();
            if !matches!(
                field.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) {
                return Err(PyTypeError::new_err(format!(
                    "expected a column of strings, got an Arrow column of type {}",
                    field.data_type()
                )));
            }
            return Ok(TextColumn::Arrow(chunks));
        }
        if texts.is_instance_of::<PyString>() || texts.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "expected a list of str (or an Arrow string array), got a single str/bytes; wrap it in a list",
            ));
        }
        let mut rows = Vec::with_capacity(texts.len().unwrap_or(0));
        for (row, item) in texts.try_iter()?.enumerate() {
            let item = item?;
            if item.is_none() {
                rows.push(None);
            } else {
                let text = item.cast_into::<PyString>().map_err(|error| {
                    let found = error
                        .into_inner()
                        .get_type()
                        .name()
                        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
                    PyTypeError::new_err(format!("row {row}: expected str or None, got {found}"))
                })?;
                rows.push(Some(text));
            }
        }
        Ok(TextColumn::Python(rows))
    }

    /// Borrowed views of every row, `None` for nulls.
    pub fn rows(&self) -> PyResult<Vec<Option<&str>>> {
        match self {
            TextColumn::Python(items) => items
                .iter()
                .enumerate()
                .map(|(row, item)| {
                    item.as_ref()
                        .map(|text| {
                            text.to_str().map_err(|_| {
                                InvalidInputError::new_err(format!(
                                    "row {row}: text is not valid Unicode (it contains a lone surrogate)"
                                ))
                            })
                        })
                        .transpose()
                })
                .collect(),
            TextColumn::Arrow(chunks) => {
                let mut rows = Vec::with_capacity(chunks.iter().map(Array::len).sum());
                for chunk in chunks {
                    match chunk.data_type() {
                        DataType::Utf8 => rows.extend(chunk.as_string::<i32>().iter()),
                        DataType::LargeUtf8 => rows.extend(chunk.as_string::<i64>().iter()),
                        DataType::Utf8View => rows.extend(chunk.as_string_view().iter()),
                        other => {
                            return Err(PyTypeError::new_err(format!(
                                "expected a column of strings, got an Arrow chunk of type {other}"
                            )));
                        }
                    }
                }
                Ok(rows)
            }
        }
    }
}
