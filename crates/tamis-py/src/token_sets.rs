//! Reading pre-built token sets (a list of lists of `bytes`) on every core.
//!
//! Reading tokens is most of what `sketch_tokens` costs: one Python object per token, each a cache
//! miss. With the GIL held and no Python code running, nothing can change a list or free a `bytes`
//! object (and `bytes` are immutable), so worker threads can read them directly: items by pointer,
//! without reference counts or calls into the interpreter. The calling thread keeps the GIL for
//! exactly that span (shorter than reading serially would hold it) and releases it to sketch.
//!
//! Only exact `bytes` are read this way; a list holding anything else (str tokens, subclasses, wrong
//! types and their errors) is read by the serial reader.

use std::ptr::addr_of_mut;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyList;
use rayon::prelude::*;
use tamis_core::signature::token_hash;

/// A list that worker threads read while the calling thread holds the GIL.
struct FrozenList {
    list: *mut ffi::PyObject,
    len: usize,
}

// SAFETY: a `FrozenList` only lives inside `hash_lists_of_bytes`, which holds the GIL for its whole life
// and runs no Python code while workers read: the list and its items cannot be changed or freed by any
// thread, and the workers only read memory (no reference counts, no interpreter calls).
#[allow(
    unsafe_code,
    reason = "read-only sharing while the GIL is held; see the SAFETY comment"
)]
unsafe impl Send for FrozenList {}
// SAFETY: as for `Send`.
#[allow(
    unsafe_code,
    reason = "read-only sharing while the GIL is held; see the SAFETY comment"
)]
unsafe impl Sync for FrozenList {}

impl FrozenList {
    /// Writes the hash of every token into `hashes` (one slot per item); `false` at the first token that
    /// is not an exact `bytes`.
    #[allow(
        unsafe_code,
        reason = "reads list items and bytes by pointer; see the SAFETY comment"
    )]
    fn hash_tokens(&self, hashes: &mut [u64]) -> bool {
        for (index, hash) in hashes.iter_mut().enumerate().take(self.len) {
            // SAFETY: `index` is below the list's length when it was frozen, which cannot have changed
            // (see `impl Sync`), so the item pointer is valid; an exact `bytes` object's buffer holds
            // `Py_SIZE` bytes and never changes.
            let token = unsafe {
                let item = ffi::PyList_GET_ITEM(self.list, index as ffi::Py_ssize_t);
                if ffi::Py_TYPE(item) != addr_of_mut!(ffi::PyBytes_Type) {
                    return false;
                }
                let data = ffi::PyBytes_AS_STRING(item).cast::<u8>();
                std::slice::from_raw_parts(data, ffi::Py_SIZE(item) as usize)
            };
            *hash = token_hash(token);
        }
        true
    }
}

/// The token hashes of `docs`, flat, with where each document starts (one hash per item), read in
/// parallel; `read_serially(doc, out)` fills the slots of a document that holds anything but exact
/// `bytes` (and may fail: then its error is returned).
pub fn hash_lists_of_bytes(
    docs: &[Bound<'_, PyList>],
    mut read_serially: impl FnMut(&Bound<'_, PyList>, &mut [u64]) -> PyResult<()>,
) -> PyResult<(Vec<u64>, Vec<usize>)> {
    let mut offsets = Vec::with_capacity(docs.len() + 1);
    offsets.push(0);
    let frozen: Vec<FrozenList> = docs
        .iter()
        .map(|doc| {
            let len = doc.len();
            offsets.push(offsets[offsets.len() - 1] + len);
            FrozenList {
                list: doc.as_ptr(),
                len,
            }
        })
        .collect();
    let mut hashes = vec![0; offsets[offsets.len() - 1]];
    let mut slots = Vec::with_capacity(docs.len());
    let mut rest = hashes.as_mut_slice();
    for list in &frozen {
        let (doc_slots, tail) = rest.split_at_mut(list.len);
        slots.push(doc_slots);
        rest = tail;
    }
    // The GIL stays held (no `detach`): it is what keeps the lists frozen.
    let unread: Vec<usize> = frozen
        .par_iter()
        .zip(slots.par_iter_mut())
        .enumerate()
        .filter_map(|(doc, (list, doc_slots))| (!list.hash_tokens(doc_slots)).then_some(doc))
        .collect();
    for doc in unread {
        read_serially(&docs[doc], &mut *slots[doc])?;
    }
    Ok((hashes, offsets))
}
