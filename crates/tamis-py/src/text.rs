//! Text normalization, exposed as `tamis._tamis.normalize` so users can see what "the same text" means.

use pyo3::prelude::*;
use tamis_core::text::Normalization;

use crate::errors::PyTamisError;
use crate::gil::run_detached;

#[pyfunction]
#[pyo3(signature = (text, mode = "standard"))]
pub fn normalize(py: Python<'_>, text: &str, mode: &str) -> PyResult<String> {
    let normalization: Normalization = mode.parse().map_err(PyTamisError)?;
    run_detached(py, |_| Ok(normalization.normalize(text)))
}
