//! Python ints for token ids, made once per encoding and shared by every list of tokens returned.
//!
//! Returning tokens means one Python int per token, created with the GIL held, so on one core however
//! many threads encoded: for a batch of millions of tokens that was a quarter of the time on one thread
//! and what kept two threads from doubling it. Python ints are immutable, so sharing them is safe
//! (the interpreter shares its small ints the same way); a shared int costs a reference count instead of an
//! allocation.

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use rayon::prelude::*;
use tamis_core::prefetch::prefetch_line;
use tamis_core::tokenize::Rank;

/// Ids past this get a fresh int each time: a custom encoding may give special tokens huge ids. The
/// bundled encodings stay below it (`o200k_base`: 200,019 ids), so the cache is at most about 8 MB.
const MOST_CACHED: usize = 1 << 18;

/// Building the cache costs about as much as creating this many ints (a few milliseconds): until an
/// encoding has returned this many tokens, in one call or over many, its results get fresh ints, so
/// that a script that encodes a few strings never pays for it. After that a reference count is
/// cheaper than a new int (measured: a loop of `encode_ordinary` over 62,000 paragraphs, 6% faster).
const WORTH_BUILDING: usize = 1 << 16;

/// Results of at least this many tokens are filled by every core (`token_lists`), when every id has
/// a cached int: below it, zeroing the workers' tables of counts per id costs more than it saves.
const WORTH_FILLING_IN_PARALLEL: usize = 1 << 16;
// A result filled in parallel always finds the cache built.
const _: () = assert!(WORTH_FILLING_IN_PARALLEL >= WORTH_BUILDING);

pub(crate) struct TokenInts {
    ints: PyOnceLock<Vec<Py<PyAny>>>,
    /// Tokens returned so far (counted until the cache is built).
    returned: AtomicUsize,
    size: usize,
    /// Whether every id the encoding gives has a cached int.
    #[cfg_attr(any(Py_GIL_DISABLED, PyPy, GraalPy), allow(dead_code))]
    covers_every_id: bool,
}

impl TokenInts {
    /// Room for the ids `0..=max_token` (at most [`MOST_CACHED`]).
    pub(crate) fn new(max_token: Rank) -> Self {
        let size = (max_token as usize).saturating_add(1).min(MOST_CACHED);
        TokenInts {
            ints: PyOnceLock::new(),
            returned: AtomicUsize::new(0),
            size,
            covers_every_id: size > max_token as usize,
        }
    }

    /// The cached ints, built once the encoding has returned [`WORTH_BUILDING`] tokens.
    fn cached(&self, py: Python<'_>, tokens: usize) -> Option<&[Py<PyAny>]> {
        if self.ints.get(py).is_none()
            && self.returned.fetch_add(tokens, Ordering::Relaxed) + tokens < WORTH_BUILDING
        {
            return None;
        }
        let ints = self.ints.get_or_init(py, || {
            (0..self.size)
                .map(|id| fresh_int(py, id as u64).unbind())
                .collect()
        });
        Some(ints)
    }

    /// The cached ints, if a result of `tokens` tokens is to be filled by every core.
    #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
    fn for_parallel_fill(&self, py: Python<'_>, tokens: usize) -> Option<&[Py<PyAny>]> {
        let worth = self.covers_every_id
            && (WORTH_FILLING_IN_PARALLEL..u32::MAX as usize).contains(&tokens);
        if worth { self.cached(py, tokens) } else { None }
    }

    pub(crate) fn list<'py>(
        &self,
        py: Python<'py>,
        tokens: &[Rank],
    ) -> PyResult<Bound<'py, PyList>> {
        #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
        if let Some(ints) = self.for_parallel_fill(py, tokens.len()) {
            let mut lists = crate::token_lists::filled_lists(py, ints, &[tokens])?;
            return Ok(lists.swap_remove(0));
        }
        one_list(py, self.cached(py, tokens.len()), tokens)
    }

    /// One list per row; the rows are then freed on every core (see [`free_rows`]).
    pub(crate) fn lists<'py>(
        &self,
        py: Python<'py>,
        rows: Vec<Vec<Rank>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let lists = self.lists_of(py, &rows);
        free_rows(py, rows);
        lists
    }

    fn lists_of<'py>(&self, py: Python<'py>, rows: &[Vec<Rank>]) -> PyResult<Bound<'py, PyList>> {
        let total = rows.iter().map(Vec::len).sum();
        #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
        if let Some(ints) = self.for_parallel_fill(py, total) {
            let rows: Vec<&[Rank]> = rows.iter().map(Vec::as_slice).collect();
            return PyList::new(py, crate::token_lists::filled_lists(py, ints, &rows)?);
        }
        let cached = self.cached(py, total);
        let lists = rows
            .iter()
            .map(|tokens| one_list(py, cached, tokens))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, lists)
    }
}

/// Batches of at least this many rows are freed by every core.
const FREED_IN_PARALLEL: usize = 1 << 10;

/// Frees the rows of a batch, without the GIL, on every core when they are many: the workers made
/// them, and the calling thread alone took 8-10 ms to free 62,000 (a twentieth of the batch's time
/// on two threads, while the other core waited).
fn free_rows(py: Python<'_>, rows: Vec<Vec<Rank>>) {
    if rows.len() >= FREED_IN_PARALLEL {
        py.detach(|| rows.into_par_iter().for_each(drop));
    }
}

/// How many tokens ahead [`one_list`] asks for the int it will reference.
const PREFETCH_AHEAD: usize = 16;

fn one_list<'py>(
    py: Python<'py>,
    cached: Option<&[Py<PyAny>]>,
    tokens: &[Rank],
) -> PyResult<Bound<'py, PyList>> {
    let Some(ints) = cached else {
        return PyList::new(
            py,
            tokens.iter().map(|&token| fresh_int(py, u64::from(token))),
        );
    };
    PyList::new(
        py,
        tokens.iter().enumerate().map(|(at, &token)| {
            // Each shared int's reference count is a cache miss (the ints of o200k_base take 6 MB):
            // asked for ahead, the misses overlap. So is the int's address in the table (1.6 MB),
            // asked for twice as far ahead, so that it is there when the int is asked for.
            if let Some(slot) = tokens
                .get(at + 2 * PREFETCH_AHEAD)
                .and_then(|&ahead| ints.get(ahead as usize))
            {
                prefetch_line(std::ptr::from_ref(slot).cast());
            }
            if let Some(int) = tokens
                .get(at + PREFETCH_AHEAD)
                .and_then(|&ahead| ints.get(ahead as usize))
            {
                prefetch_line(int.as_ptr().cast());
            }
            match ints.get(token as usize) {
                Some(int) => int.bind(py).clone(),
                None => fresh_int(py, u64::from(token)),
            }
        }),
    )
}

fn fresh_int(py: Python<'_>, value: u64) -> Bound<'_, PyAny> {
    match value.into_pyobject(py) {
        Ok(int) => int.into_any(),
        Err(never) => match never {},
    }
}
