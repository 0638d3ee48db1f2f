//! Python ints for token ids, made once per encoding and shared by every list of tokens returned.
//!
//! Returning tokens means one Python int per token, created with the GIL held, so on one core however
//! many threads encoded: for a batch of millions of tokens that was a quarter of the time on one thread
//! and what kept two threads from doubling it. Python ints are immutable, so sharing them is safe
//! (the interpreter shares its small ints the same way); a shared int costs a reference count instead of an
//! allocation.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use tamis_core::tokenize::Rank;

/// Ids past this get a fresh int each time: a custom encoding may give special tokens huge ids. The
/// bundled encodings stay below it (`o200k_base`: 200,019 ids), so the cache is at most about 8 MB.
const MOST_CACHED: usize = 1 << 18;

/// Building the cache costs about as much as creating this many ints (a few milliseconds): calls that
/// return fewer tokens, while no cache exists, make fresh ints (measured: a loop of `encode` calls on
/// short documents gains nothing from the cache, a large batch a quarter of its time).
const WORTH_BUILDING: usize = 1 << 16;

pub(crate) struct TokenInts {
    ints: PyOnceLock<Vec<Py<PyAny>>>,
    size: usize,
}

impl TokenInts {
    /// Room for the ids `0..=max_token` (at most [`MOST_CACHED`]).
    pub(crate) fn new(max_token: Rank) -> Self {
        TokenInts {
            ints: PyOnceLock::new(),
            size: (max_token as usize).saturating_add(1).min(MOST_CACHED),
        }
    }

    /// The cached ints, built by the first call that returns at least [`WORTH_BUILDING`] tokens.
    fn cached(&self, py: Python<'_>, tokens: usize) -> Option<&[Py<PyAny>]> {
        if tokens < WORTH_BUILDING && self.ints.get(py).is_none() {
            return None;
        }
        let ints = self.ints.get_or_init(py, || {
            (0..self.size)
                .map(|id| fresh_int(py, id as u64).unbind())
                .collect()
        });
        Some(ints)
    }

    pub(crate) fn list<'py>(
        &self,
        py: Python<'py>,
        tokens: &[Rank],
    ) -> PyResult<Bound<'py, PyList>> {
        one_list(py, self.cached(py, tokens.len()), tokens)
    }

    pub(crate) fn lists<'py>(
        &self,
        py: Python<'py>,
        rows: &[Vec<Rank>],
    ) -> PyResult<Bound<'py, PyList>> {
        let cached = self.cached(py, rows.iter().map(Vec::len).sum());
        let lists = rows
            .iter()
            .map(|tokens| one_list(py, cached, tokens))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, lists)
    }
}

fn one_list<'py>(
    py: Python<'py>,
    cached: Option<&[Py<PyAny>]>,
    tokens: &[Rank],
) -> PyResult<Bound<'py, PyList>> {
    PyList::new(
        py,
        tokens.iter().map(
            |&token| match cached.and_then(|ints| ints.get(token as usize)) {
                Some(int) => int.bind(py).clone(),
                None => fresh_int(py, u64::from(token)),
            },
        ),
    )
}

fn fresh_int(py: Python<'_>, value: u64) -> Bound<'_, PyAny> {
    match value.into_pyobject(py) {
        Ok(int) => int.into_any(),
        Err(never) => match never {},
    }
}
