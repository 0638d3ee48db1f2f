//! Text normalization, exposed as `tamis._tamis.normalize` so users can see what "the same text" means.

use pyo3::prelude::*;
use pyo3::types::PyString;
use tamis_core::text::Normalization;

use crate::errors::{InvalidInputError, PyTamisError};
use crate::gil::run_detached;

#[pyfunction]
#[pyo3(signature = (text, mode = "standard"))]
pub fn normalize(py: Python<'_>, text: &Bound<'_, PyString>, mode: &str) -> PyResult<String> {
    let normalization: Normalization = mode.parse().map_err(PyTamisError)?;
    // A str with a lone surrogate has no UTF-8 form: the same tamis error as a column holding one.
    let text = text.to_str().map_err(|_| {
        InvalidInputError::new_err("text is not valid Unicode (it contains a lone surrogate)")
    })?;
    run_detached(py, |_| Ok(normalization.normalize(text)))
}

/// Fixes the number of worker threads for this process (before any other call).
#[pyfunction]
pub fn set_thread_count(count: usize) -> PyResult<()> {
    tamis_core::parallel::set_thread_count(count).map_err(|error| PyTamisError(error).into())
}
