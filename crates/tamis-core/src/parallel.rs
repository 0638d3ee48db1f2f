//! How many threads tamis uses: all cores by default (rayon's global pool). A process may fix the count
//! once, before the first parallel call; the CLI does that for `--threads`. Results never depend on it.

use crate::error::{Error, Result};

/// Sizes the global thread pool. Fails when the pool already runs with another size.
pub fn set_thread_count(count: usize) -> Result<()> {
    if count == 0 {
        return Err(Error::InvalidArgument("threads must be at least 1".into()));
    }
    match rayon::ThreadPoolBuilder::new()
        .num_threads(count)
        .build_global()
    {
        Ok(()) => Ok(()),
        Err(_) if rayon::current_num_threads() == count => Ok(()),
        Err(_) => Err(Error::InvalidArgument(format!(
            "the thread pool already runs {} threads; set the count before any other tamis call \
             (or set RAYON_NUM_THREADS)",
            rayon::current_num_threads()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_threads_is_an_error_and_the_current_count_is_accepted() {
        assert!(set_thread_count(0).is_err());
        let current = rayon::current_num_threads();
        assert!(set_thread_count(current).is_ok());
    }
}
