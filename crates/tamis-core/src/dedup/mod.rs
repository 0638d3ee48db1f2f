//! Deduplication. `exact` removes records whose normalized text is identical; `files` runs that over
//! datasets on disk with full accounting of every record.

pub mod exact;
pub mod files;
pub mod key;

pub use exact::{ExactDedup, dedup_exact};
pub use files::{DedupStats, ExactFileJob, FileStats, OnError};
pub use key::ContentKey;
