//! Lists of token ids filled by every core.
//!
//! Returning a large result means one list item per token, each a reference to a shared int (see
//! `token_ints`): made on the calling thread alone, that was the serial part of a batch encode (a
//! quarter of its time on one thread, what kept two threads from doubling it) and a fifth of a 1 MB
//! `encode`. Here the calling thread only allocates the lists; the workers write the items while the
//! calling thread holds the GIL and runs no Python code, so nothing else can see or change the new
//! lists; and the references the items hold are counted by the workers, per id, and added to each int
//! at the end, under the GIL. Reference counts are never touched by two threads.
//!
//! Each list is allocated with room for its items but its size set to 0 until they are written: the
//! cyclic garbage collector, which runs while the lists are allocated, then walks no items (it read
//! every item array of a large batch several times over, 16-46 ms of a 5 M-token batch, empty items
//! included), and a list left unfilled (a panic) is a valid empty list.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyList;
use rayon::prelude::*;
use tamis_core::tokenize::Rank;

use crate::errors::{TamisError, internal_error};

/// The item array of a new list, whose size stays 0 until [`NewList::reveal`]; written by one worker
/// at a time.
struct NewList {
    list: *mut ffi::PyObject,
    items: *mut *mut ffi::PyObject,
    len: usize,
}

// SAFETY: A `NewList` only lives inside `filled_lists`, which holds the GIL and runs no Python code
// while the workers write; the lists are new and reachable from nothing but `filled_lists`, and
// each item is written by one worker only (the workers' ranges of items are disjoint).
#[allow(
    unsafe_code,
    reason = "disjoint writes to new lists while the GIL is held; see the SAFETY comment"
)]
unsafe impl Send for NewList {}
// SAFETY: as for `Send`.
#[allow(
    unsafe_code,
    reason = "disjoint writes to new lists while the GIL is held; see the SAFETY comment"
)]
unsafe impl Sync for NewList {}

impl NewList {
    /// Writes `objects` to items `from..from + objects.len()`.
    #[allow(
        unsafe_code,
        reason = "writes a new list's items; see the SAFETY comment"
    )]
    fn write(&self, from: usize, objects: impl ExactSizeIterator<Item = *mut ffi::PyObject>) {
        assert!(from + objects.len() <= self.len, "list items out of range");
        if objects.len() == 0 {
            return; // an empty list has no item array
        }
        // SAFETY: the range is within the list's item array (checked above), which no other thread
        // reads or writes (see `impl Sync`).
        let items = unsafe { std::slice::from_raw_parts_mut(self.items.add(from), objects.len()) };
        for (item, object) in items.iter_mut().zip(objects) {
            *item = object;
        }
    }

    /// Gives the list its size, once every item is written and owns its reference.
    #[allow(unsafe_code, reason = "sets a new list's size; see the SAFETY comment")]
    fn reveal(&self) {
        // SAFETY: the list is live (owned by `filled_lists`) and its item array holds `len` items,
        // each written with a reference it owns; the GIL is held.
        unsafe { (*self.list.cast::<ffi::PyVarObject>()).ob_size = self.len as ffi::Py_ssize_t };
    }
}

/// Tokens per worker task (up to two tasks per thread): enough that each task's table of counts (one
/// per id) is worth zeroing.
const TOKENS_PER_TASK: usize = 1 << 15;

/// One list per row of `rows`, whose items are `ints[token]`. Every token must be below
/// `ints.len()`, and the rows must hold fewer than `u32::MAX` tokens in all (the counts per id
/// are `u32`).
pub(crate) fn filled_lists<'py>(
    py: Python<'py>,
    ints: &[Py<PyAny>],
    rows: &[&[Rank]],
) -> PyResult<Vec<Bound<'py, PyList>>> {
    let lists = rows
        .iter()
        .map(|row| empty_list(py, row.len()))
        .collect::<PyResult<Vec<_>>>()?;
    let new_lists: Vec<NewList> = lists
        .iter()
        .zip(rows)
        .map(|(list, row)| new_list(list, row.len()))
        .collect::<PyResult<_>>()?;
    // Row `i`'s tokens are `offsets[i]..offsets[i + 1]` of all the tokens, end to end.
    let mut offsets = Vec::with_capacity(rows.len() + 1);
    offsets.push(0usize);
    for row in rows {
        offsets.push(offsets[offsets.len() - 1] + row.len());
    }
    let total = offsets[rows.len()];
    // The caller's contract (`token_ints` sends nothing larger); checked here, outside the workers,
    // as an error rather than a panic.
    if u32::try_from(total).is_err() {
        return Err(TamisError::new_err(
            "internal error in tamis (please report it): too many tokens for u32 counts",
        ));
    }
    let tasks = total
        .div_ceil(TOKENS_PER_TASK)
        .clamp(1, 2 * rayon::current_num_threads());
    // No `detach`: the GIL is what keeps the new lists to ourselves.
    let filled = catch_unwind(AssertUnwindSafe(|| {
        (0..tasks)
            .into_par_iter()
            .map(|task| {
                let (from, to) = (total * task / tasks, total * (task + 1) / tasks);
                fill(ints, rows, &new_lists, &offsets, from, to)
            })
            .reduce_with(|mut uses, more| {
                for (count, extra) in uses.iter_mut().zip(more) {
                    *count += extra;
                }
                uses
            })
    }));
    let uses = match filled {
        Ok(uses) => uses.unwrap_or_default(),
        // The lists are still of size 0: their items, which own no reference, are not released.
        Err(payload) => return Err(internal_error(payload.as_ref())),
    };
    for (int, &count) in ints.iter().zip(&uses) {
        let int = int.as_ptr();
        for _ in 0..count {
            #[allow(unsafe_code, reason = "a reference count, with the GIL held")]
            // SAFETY: `int` is a live object (held by the cache) and the GIL is held.
            unsafe {
                ffi::Py_INCREF(int);
            }
        }
    }
    new_lists.iter().for_each(NewList::reveal);
    Ok(lists)
}

/// Writes the items of tokens `from..to` (counted over all rows, end to end) and returns how many
/// times each id was written.
fn fill(
    ints: &[Py<PyAny>],
    rows: &[&[Rank]],
    lists: &[NewList],
    offsets: &[usize],
    from: usize,
    to: usize,
) -> Vec<u32> {
    let mut uses = vec![0u32; ints.len()];
    // The row holding token `from`: the last one starting at or before it.
    let mut row = offsets.partition_point(|&start| start <= from) - 1;
    let mut at = from;
    while at < to {
        let (start, end) = (offsets[row], offsets[row + 1].min(to));
        let tokens = &rows[row][at - start..end - start];
        lists[row].write(
            at - start,
            tokens.iter().map(|&token| {
                uses[token as usize] += 1;
                ints[token as usize].as_ptr()
            }),
        );
        at = end;
        row += 1;
    }
    uses
}

/// A new list with room for `len` items, of size 0.
fn empty_list(py: Python<'_>, len: usize) -> PyResult<Bound<'_, PyList>> {
    let len = ffi::Py_ssize_t::try_from(len)
        .map_err(|_| pyo3::exceptions::PyOverflowError::new_err("too many tokens for a list"))?;
    #[allow(unsafe_code, reason = "a new list from the interpreter, its size set")]
    // SAFETY: the GIL is held; `PyList_New` returns a new reference or null with an exception set.
    // A list of size 0 whose item array has room for more is a valid list (as after `pop`s), and
    // nothing runs between `PyList_New` and the size change.
    unsafe {
        let list = Bound::from_owned_ptr_or_err(py, ffi::PyList_New(len))?;
        (*list.as_ptr().cast::<ffi::PyVarObject>()).ob_size = 0;
        Ok(list.cast_into_unchecked())
    }
}

/// The item array of `list`, made by `empty_list` with room for `len` items. The garbage collector
/// may have run finalizers (Python code) while the lists were allocated, and one could have reached a
/// list through `gc.get_objects()` and grown it: such a list is refused rather than written.
fn new_list(list: &Bound<'_, PyList>, len: usize) -> PyResult<NewList> {
    #[allow(unsafe_code, reason = "reads a list's fields")]
    // SAFETY: `list` is a live exact list; the GIL is held.
    let (items, size, room) = unsafe {
        let object = &*list.as_ptr().cast::<ffi::PyListObject>();
        (object.ob_item, object.ob_base.ob_size, object.allocated)
    };
    if size != 0 || usize::try_from(room).map_or(true, |room| room < len) {
        return Err(TamisError::new_err(
            "a garbage-collector finalizer changed a new token list while the lists were made",
        ));
    }
    Ok(NewList {
        list: list.as_ptr(),
        items,
        len,
    })
}
