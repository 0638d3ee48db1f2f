//! Asking the CPU for memory a little before reading it, where the hardware cannot guess the address:
//! the texts of a column handed over from Python are separate objects, scattered over the heap, and a
//! worker that goes from one to the next waits on memory at the start of each.

/// Cache lines asked for at the start of a slice: a paragraph's worth, after which the hardware
/// prefetcher follows the sequential reads on its own.
const LINES: usize = 8;

/// Asks for the first [`LINES`] cache lines of `data` (fewer if it is shorter); a hint, which never
/// faults and changes no result.
#[inline]
#[allow(unsafe_code, reason = "a prefetch intrinsic; see the SAFETY comment")]
pub fn prefetch_start(data: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    for line in data.chunks(64).take(LINES) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of the x86-64 baseline, and the address is inside `data`; a prefetch
        // reads nothing the program sees and never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_slice_can_be_asked_for() {
        // A hint has no result to check: what must hold is that no length makes it fail, and that the
        // data is left as it was.
        let data = vec![7u8; 1000];
        for len in [0, 1, 63, 64, 65, 511, 512, 1000] {
            prefetch_start(&data[..len]);
        }
        assert!(data.iter().all(|&byte| byte == 7));
    }
}
