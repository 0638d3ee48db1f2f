//! Every call that does real work goes through [`run_detached`]: the GIL is released so other Python threads
//! run meanwhile, a panic becomes a `tamis.TamisError` instead of crossing into Python, and Ctrl-C is noticed.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;
use tamis_core::Result;

use crate::errors::{PyTamisError, internal_error};

/// Runs `work` without the GIL. `work` gets a probe that reports a pending Ctrl-C; long jobs poll it between
/// chunks and stop with `Error::Interrupted`.
pub fn run_detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&dyn Fn() -> bool) -> Result<T> + Send,
{
    let outcome = py.detach(|| {
        let interrupted = || Python::attach(|py| py.check_signals().is_err());
        catch_unwind(AssertUnwindSafe(|| work(&interrupted)))
    });
    match outcome {
        Ok(result) => result.map_err(|error| PyTamisError(error).into()),
        Err(payload) => Err(internal_error(payload.as_ref())),
    }
}
