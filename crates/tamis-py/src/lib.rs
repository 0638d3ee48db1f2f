//! The Python skin over tamis-core.
use pyo3::prelude::*;

#[pymodule]
mod _tamis {}
