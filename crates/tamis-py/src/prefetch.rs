//! Asking the CPU for Python objects ahead of reading them: a column of texts or of tokens is one object
//! per item, scattered over the heap, and reading them one after the other waits on memory at each.

use pyo3::ffi;
use tamis_core::prefetch::prefetch_line;

/// Asks the CPU to start loading an object (its header and the start of its data, which straddle two
/// cache lines unless the object is aligned); a hint, which never faults.
#[inline]
pub fn prefetch_object(object: *const ffi::PyObject) {
    let start = object.cast::<u8>();
    prefetch_line(start);
    prefetch_line(start.wrapping_add(63));
}
