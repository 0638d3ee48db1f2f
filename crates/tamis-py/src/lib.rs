//! The Python skin over tamis-core: argument conversion, error mapping (errors.rs) and GIL release (gil.rs).
//! No logic lives here.

mod dedup;
mod errors;
mod fuzzy;
mod gil;
mod minhash;
mod partitioned;
mod prefetch;
mod text;
mod texts;
mod token_ints;
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
mod token_lists;
#[cfg(not(Py_GIL_DISABLED))]
mod token_sets;
mod tokenizer;

#[pyo3::pymodule]
mod _tamis {
    use pyo3::prelude::*;

    #[pymodule_export]
    use super::dedup::{dedup_exact, dedup_files_exact};
    #[pymodule_export]
    use super::fuzzy::{dedup_files_fuzzy, dedup_fuzzy};
    #[pymodule_export]
    use super::minhash::{
        DatasketchHasher, DatasketchIndex, jaccard_rows, lsh_pairs, lsh_params, shingles, sketch,
        sketch_tokens,
    };
    #[pymodule_export]
    use super::partitioned::{
        NearPlan, bucket_links, choose_survivors, dedupe_links, large_star, partition_of,
        small_star, star_labels, union_find_labels,
    };
    #[pymodule_export]
    use super::text::{normalize, set_thread_count};
    #[pymodule_export]
    use super::tokenizer::{
        CoreEncoding, count_tokens_files, encoding_name_for_model, list_encoding_names,
    };

    #[pymodule_init]
    fn init(module: &Bound<'_, PyModule>) -> PyResult<()> {
        module.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
