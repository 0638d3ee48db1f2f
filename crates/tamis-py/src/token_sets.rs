//! Sketching pre-built token sets (a list of lists of `bytes` or `str`) on every core, as they are read.
//!
//! Reading tokens is most of what `sketch_tokens` costs: one Python object per token, scattered over
//! the heap. With the GIL held and no Python code running, nothing can change a list or free a token
//! (and `bytes` and `str` are immutable), so worker threads can read them directly: items by pointer,
//! without reference counts or calls into the interpreter.
//!
//! Each worker sketches a document as soon as it has hashed its tokens, while the objects of the
//! next tokens are already on their way from memory (prefetched 32 tokens ahead, across documents),
//! and no table of all the hashes is built. The memory behind those tokens is fetched ahead too: each
//! document's list object (its size and item array, read by the worker itself, not by the calling
//! thread one list after the other) and its item array. Measured on 20,000 paragraphs, the
//! prefetching is what saves time; sketching while the next objects arrive hid little of the memory
//! traffic. The calling thread holds the GIL for the whole call (no other Python thread runs
//! meanwhile), where it used to release it for the sketch after the reading; the whole call is
//! shorter than the two were.
//!
//! Only exact lists of exact `bytes` and exact `str` are read this way (`str` as its UTF-8 bytes, see
//! `token_text`); any other document (a tuple, a list subclass, a list holding anything else, strings
//! only the interpreter can encode) is read by the serial reader, the others still on every core.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::addr_of_mut;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyList;
use rayon::prelude::*;
use tamis_core::minhash::MinHasher;
use tamis_core::signature::token_hash;

use crate::errors::internal_error;
use crate::prefetch::prefetch_object;
use tamis_core::prefetch::prefetch_line;

/// How many tokens ahead of the one being hashed its object is fetched into the cache: reading the
/// objects one after the other would wait on memory at each.
const PREFETCH_AHEAD: usize = 32;
/// How many documents ahead of the token prefetcher a document's item array is fetched: the item
/// arrays are separate allocations, and the token prefetcher reads them (one token pointer each).
const ITEMS_AHEAD: usize = 4;
/// How many documents ahead of the worker that reads their headers (type, size, item array) the list
/// objects are fetched.
const HEADERS_AHEAD: usize = 8;
/// The item array's cache lines fetched ahead (128 tokens): past them the hardware prefetcher follows
/// the reads.
const ITEM_LINES: usize = 16;

/// The list of documents, whose items worker threads read while the calling thread holds the GIL.
struct FrozenDocs {
    list: *mut ffi::PyObject,
    len: usize,
}

/// One document: an exact list's item array, read by the worker that sketches it.
#[derive(Clone, Copy)]
struct FrozenList {
    items: *const *mut ffi::PyObject,
    len: usize,
}

// SAFETY: a `FrozenDocs` only lives inside `sketch_token_lists`, which holds the GIL for its whole
// life and runs no Python code while workers read: the lists and their items cannot be changed or
// freed by any thread, and the workers only read memory (no reference counts, no interpreter calls).
// Each worker makes its documents' `FrozenList`s itself, and they stay on its thread.
#[allow(
    unsafe_code,
    reason = "read-only sharing while the GIL is held; see the SAFETY comment"
)]
unsafe impl Sync for FrozenDocs {}

impl FrozenDocs {
    #[allow(
        unsafe_code,
        reason = "reads a list item by pointer; see the SAFETY comment"
    )]
    fn item(&self, index: usize) -> *mut ffi::PyObject {
        assert!(index < self.len, "list index out of range");
        // SAFETY: `index` is below the list's length when it was frozen, which cannot have changed
        // (see `impl Sync`), so the item pointer is valid.
        unsafe { ffi::PyList_GET_ITEM(self.list, index as ffi::Py_ssize_t) }
    }

    /// Document `index` when it is an exact list (the shape the workers read), else `None`.
    #[allow(
        unsafe_code,
        reason = "reads a list object's header by pointer; see the SAFETY comment"
    )]
    fn document(&self, index: usize) -> Option<FrozenList> {
        let doc = self.item(index);
        // SAFETY: `doc` is a live object (see `item`) that no thread changes; an exact list is a
        // `PyListObject` whose item array holds `Py_SIZE` items.
        unsafe {
            (ffi::Py_TYPE(doc) == addr_of_mut!(ffi::PyList_Type)).then(|| FrozenList {
                items: (*doc.cast::<ffi::PyListObject>()).ob_item,
                len: ffi::Py_SIZE(doc) as usize,
            })
        }
    }

    /// The documents `range`, each `None` where it is not an exact list. Their list objects are
    /// fetched `HEADERS_AHEAD` documents before they are read.
    fn documents(&self, range: std::ops::Range<usize>) -> Vec<Option<FrozenList>> {
        let ahead = |index: usize| {
            if index < range.end {
                prefetch_object(self.item(index));
            }
        };
        (range.start..range.start + HEADERS_AHEAD).for_each(ahead);
        range
            .clone()
            .map(|index| {
                ahead(index + HEADERS_AHEAD);
                self.document(index)
            })
            .collect()
    }
}

impl FrozenList {
    #[allow(
        unsafe_code,
        reason = "reads a list item by pointer; see the SAFETY comment"
    )]
    fn item(&self, index: usize) -> *mut ffi::PyObject {
        assert!(index < self.len, "list index out of range");
        // SAFETY: the item array holds `len` items (see `FrozenDocs::document`), unchanged since.
        unsafe { *self.items.add(index) }
    }

    /// Asks for the first `ITEM_LINES` cache lines of the item array.
    fn prefetch_items(&self) {
        let bytes = self.len * size_of::<*mut ffi::PyObject>();
        for offset in (0..bytes.min(ITEM_LINES * 64)).step_by(64) {
            prefetch_line(self.items.cast::<u8>().wrapping_add(offset));
        }
    }

    /// Pushes the hash of every token onto `hashes`; `false` at the first token that is neither an
    /// exact `bytes` nor an exact `str` that `token_text` can read. Each token read moves `ahead` on
    /// by one. `utf8` is scratch space for `str` tokens that must be encoded.
    #[allow(
        unsafe_code,
        reason = "reads bytes objects by pointer; see the SAFETY comment"
    )]
    fn hash_tokens(
        &self,
        ahead: &mut Prefetcher<'_>,
        hashes: &mut Vec<u64>,
        utf8: &mut Vec<u8>,
    ) -> bool {
        for index in 0..self.len {
            ahead.step();
            let item = self.item(index);
            // SAFETY: the item is a live object (see `item`) that no thread changes; an exact `bytes`
            // object's buffer holds `Py_SIZE` bytes, and an exact `str` is what `token_text` needs.
            let token = unsafe {
                let kind = ffi::Py_TYPE(item);
                if kind == addr_of_mut!(ffi::PyBytes_Type) {
                    let data = ffi::PyBytes_AS_STRING(item).cast::<u8>();
                    std::slice::from_raw_parts(data, ffi::Py_SIZE(item) as usize)
                } else if kind == addr_of_mut!(ffi::PyUnicode_Type) {
                    match token_text(item, utf8) {
                        Some(text) => text,
                        None => return false,
                    }
                } else {
                    return false;
                }
            };
            hashes.push(token_hash(token));
        }
        true
    }
}

/// The UTF-8 bytes of an exact `str`, as `str.encode()` gives them, read without the interpreter:
/// a compact ASCII string's own characters, a compact string's cached UTF-8, or its characters
/// encoded into `utf8`. `None` for what only the interpreter should handle: a legacy (non-compact)
/// string, or a lone surrogate, which cannot be encoded (the serial reader then raises the error).
///
/// # Safety
/// `text` must be a live exact `str` that no thread changes while the result is in use.
#[cfg(not(any(Py_3_14, PyPy, GraalPy)))]
#[allow(
    unsafe_code,
    reason = "reads the fields of a str object; see the SAFETY comments"
)]
unsafe fn token_text(text: *mut ffi::PyObject, utf8: &mut Vec<u8>) -> Option<&[u8]> {
    // SAFETY (whole function): `text` is a live `str` (the caller's contract); a compact string's
    // characters follow its header, `length` of them, each `PyUnicode_KIND` bytes wide, and its
    // UTF-8 cache, when set, holds `utf8_length` bytes; none of it changes while the GIL is held.
    unsafe {
        if ffi::PyUnicode_IS_COMPACT(text) == 0 {
            return None;
        }
        let length = ffi::PyUnicode_GET_LENGTH(text) as usize;
        let data = ffi::PyUnicode_DATA(text);
        if ffi::PyUnicode_IS_ASCII(text) != 0 {
            return Some(std::slice::from_raw_parts(data.cast::<u8>(), length));
        }
        let compact = text.cast::<ffi::PyCompactUnicodeObject>();
        if !(*compact).utf8.is_null() {
            let cached = (*compact).utf8.cast::<u8>();
            return Some(std::slice::from_raw_parts(
                cached,
                (*compact).utf8_length as usize,
            ));
        }
        utf8.clear();
        let mut push = |code: u32| {
            let character = char::from_u32(code)?;
            let mut buffer = [0; 4];
            utf8.extend_from_slice(character.encode_utf8(&mut buffer).as_bytes());
            Some(())
        };
        match ffi::PyUnicode_KIND(text) {
            ffi::PyUnicode_1BYTE_KIND => {
                let units = std::slice::from_raw_parts(data.cast::<u8>(), length);
                units.iter().try_for_each(|&unit| push(u32::from(unit)))?;
            }
            ffi::PyUnicode_2BYTE_KIND => {
                let units = std::slice::from_raw_parts(data.cast::<u16>(), length);
                units.iter().try_for_each(|&unit| push(u32::from(unit)))?;
            }
            ffi::PyUnicode_4BYTE_KIND => {
                let units = std::slice::from_raw_parts(data.cast::<u32>(), length);
                units.iter().try_for_each(|&unit| push(unit))?;
            }
            _ => return None,
        }
        Some(utf8.as_slice())
    }
}

/// Python 3.14 made the string accessors functions of the interpreter: its `str` tokens are read
/// serially.
#[cfg(any(Py_3_14, PyPy, GraalPy))]
#[allow(unsafe_code, reason = "same contract as the readers above")]
unsafe fn token_text(_text: *mut ffi::PyObject, _utf8: &mut Vec<u8>) -> Option<&[u8]> {
    None
}

/// Walks the tokens of one worker's documents (one after the other) `PREFETCH_AHEAD` tokens ahead of
/// the reader, asking for each token object as it goes, so that the objects of the next document are
/// on their way while this one is sketched, however short the documents; and asks for the item array
/// of the document `ITEMS_AHEAD` further on each time it moves to the next one.
struct Prefetcher<'a> {
    lists: &'a [Option<FrozenList>],
    list: usize,
    index: usize,
}

impl<'a> Prefetcher<'a> {
    fn new(lists: &'a [Option<FrozenList>]) -> Self {
        lists
            .iter()
            .take(ITEMS_AHEAD)
            .flatten()
            .for_each(FrozenList::prefetch_items);
        let mut prefetcher = Prefetcher {
            lists,
            list: 0,
            index: 0,
        };
        for _ in 0..PREFETCH_AHEAD {
            prefetcher.step();
        }
        prefetcher
    }

    /// Prefetches the next token not asked for yet, if any is left.
    fn step(&mut self) {
        while let Some(list) = self.lists.get(self.list) {
            if let Some(list) = list
                && self.index < list.len
            {
                prefetch_object(list.item(self.index));
                self.index += 1;
                return;
            }
            self.list += 1;
            self.index = 0;
            if let Some(Some(later)) = self.lists.get(self.list + ITEMS_AHEAD) {
                later.prefetch_items();
            }
        }
    }
}

/// Documents one worker takes at a time: contiguous, so that prefetching runs on into the next one.
const DOCS_PER_TASK: usize = 256;

/// The signatures of the documents of `docs` (an exact list), row-major (`num_perm` slots each), read
/// and sketched in parallel; `read_serially(doc, hashes)` pushes the token hashes of a document the
/// workers do not read (not an exact list, or holding anything else), and may fail: then its error is
/// returned.
pub fn sketch_token_lists(
    docs: &Bound<'_, PyList>,
    hasher: &MinHasher,
    mut read_serially: impl FnMut(&Bound<'_, PyAny>, &mut Vec<u64>) -> PyResult<()>,
) -> PyResult<Vec<u32>> {
    let num_perm = hasher.num_perm();
    let frozen = FrozenDocs {
        list: docs.as_ptr(),
        len: docs.len(),
    };
    // Uninitialized, each row written once below: filling a new matrix first cost a memset of all of
    // it (10 MB for 20,000 rows of 128) on the calling thread alone.
    let mut values = Box::<[u32]>::new_uninit_slice(frozen.len * num_perm);
    // The GIL stays held (no `detach`): it is what keeps the lists frozen.
    let sketched = catch_unwind(AssertUnwindSafe(|| {
        values
            .par_chunks_mut(DOCS_PER_TASK * num_perm)
            .enumerate()
            .flat_map_iter(|(task, rows)| {
                let first = task * DOCS_PER_TASK;
                let lists = frozen.documents(first..first + rows.len() / num_perm);
                let mut hashes = Vec::new();
                let mut utf8 = Vec::new();
                let mut signature = vec![0; num_perm];
                let mut unread = Vec::new();
                let mut ahead = Prefetcher::new(&lists);
                for (index, (list, row)) in lists.iter().zip(rows.chunks_mut(num_perm)).enumerate()
                {
                    hashes.clear();
                    match list {
                        Some(list) if list.hash_tokens(&mut ahead, &mut hashes, &mut utf8) => {
                            sketch_row(hasher, &hashes, &mut signature, row);
                        }
                        _ => unread.push(first + index),
                    }
                }
                unread
            })
            .collect::<Vec<usize>>()
    }));
    let unread = sketched.map_err(|payload| internal_error(payload.as_ref()))?;
    let mut hashes = Vec::new();
    let mut signature = vec![0; num_perm];
    for doc in unread {
        hashes.clear();
        read_serially(&docs.get_item(doc)?, &mut hashes)?;
        sketch_row(
            hasher,
            &hashes,
            &mut signature,
            &mut values[doc * num_perm..(doc + 1) * num_perm],
        );
    }
    #[allow(unsafe_code, reason = "a matrix written in place by the threads")]
    // SAFETY: the rows cover the matrix (chunks of `num_perm` of a multiple of it), and every row was
    // written whole by `sketch_row`: by its worker, or above for the documents the workers left
    // unread. An error or a panic returned before this line.
    let values = unsafe { values.assume_init() };
    Ok(values.into_vec())
}

/// Sketches `hashes` into `signature` (`num_perm` slots), then copies it into the matrix's `row`.
fn sketch_row(
    hasher: &MinHasher,
    hashes: &[u64],
    signature: &mut [u32],
    row: &mut [std::mem::MaybeUninit<u32>],
) {
    hasher
        .sketch_into(hashes, signature)
        .expect("each row has num_perm slots");
    for (slot, &value) in row.iter_mut().zip(signature.iter()) {
        slot.write(value);
    }
}
