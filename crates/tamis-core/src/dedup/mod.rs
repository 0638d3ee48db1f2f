//! Deduplication. `exact` removes records whose normalized text is identical; `fuzzy` removes near
//! duplicates (MinHash + LSH + verification); `files` runs exact dedup over datasets on disk with full
//! accounting of every record.

pub mod distinct;
pub mod exact;
pub mod files;
pub mod fuzzy;
pub mod fuzzy_files;
pub mod key;
pub mod survivor;

pub use exact::{ExactDedup, dedup_exact};
pub use files::{DedupStats, ExactFileJob, FileStats, OnError};
pub use fuzzy::{Edge, FuzzyOptions, FuzzyResult, FuzzyStats, Verification, dedup_fuzzy};
pub use fuzzy_files::{FuzzyFileJob, FuzzyFileStats};
pub use key::ContentKey;
pub use survivor::KeepPolicy;
