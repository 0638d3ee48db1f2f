//! Asking the CPU for memory a little before reading it, where the hardware cannot guess the address:
//! the texts of a column handed over from Python are separate objects, scattered over the heap, and a
//! worker that goes from one to the next waits on memory at the start of each. The one place of the
//! prefetch intrinsic (the bindings use it for Python objects).
//!
//! A hint changes no result: the tests that exercise it are those of what it speeds up
//! (`signature::tests::batch_equals_one_by_one_whatever_the_thread_count` reads every row after a
//! prefetch of it).

/// Cache lines asked for at the start of a slice: a paragraph's worth, after which the hardware
/// prefetcher follows the sequential reads on its own.
const LINES: usize = 8;

/// Asks for the cache line holding `address`; a hint, which never faults, whatever the address, and
/// reads nothing the program sees.
#[inline]
#[allow(unsafe_code, reason = "a prefetch intrinsic; see the SAFETY comment")]
pub fn prefetch_line(address: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of the x86-64 baseline, and a prefetch neither dereferences its address
        // for the program nor faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

/// Asks for the first [`LINES`] cache lines of `data` (fewer if it is shorter).
#[inline]
pub fn prefetch_start(data: &[u8]) {
    for line in data.chunks(64).take(LINES) {
        prefetch_line(line.as_ptr());
    }
}
