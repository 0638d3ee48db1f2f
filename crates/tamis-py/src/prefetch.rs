//! Asking the CPU for Python objects ahead of reading them: a column of texts or of tokens is one object
//! per item, scattered over the heap, and reading them one after the other waits on memory at each.

use pyo3::ffi;

/// Asks the CPU to start loading an object (its header and the start of its data, which straddle two
/// cache lines unless the object is aligned); a hint, which never faults.
#[inline]
#[allow(unsafe_code, reason = "a prefetch intrinsic; see the SAFETY comment")]
pub fn prefetch_object(object: *const ffi::PyObject) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = object.cast::<i8>();
        // SAFETY: SSE is part of the x86-64 baseline, and a prefetch reads nothing the program sees
        // and never faults, whatever the address.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(start);
            _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(63));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = object;
}
