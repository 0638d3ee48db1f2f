//! Kernels of the partitioned near-duplicate pipeline, for schedulers that spread a corpus over many
//! workers (`tamis.ray` runs them on Ray Data). Each kernel takes the rows of one partition and returns
//! rows; the scheduler moves rows between partitions by the keys [`partition_of`] computes. Run in the
//! order below, they give exactly what [`crate::dedup::dedup_fuzzy`] gives on the whole corpus:
//!
//! 1. [`NearPlan::band_rows`] per block of documents: one row per (document, LSH band), plus one
//!    "exact" row per document carrying its content key.
//! 2. [`bucket_links`] per partition of band rows (grouped by band and hash): exact-duplicate links and
//!    candidate pairs among the first occurrences of each text.
//! 3. [`NearPlan::pair_similarity`] per block of candidate pairs joined with both texts.
//! 4. Connected components: [`large_star`] and [`small_star`] rounds until nothing changes, then
//!    [`star_labels`]; or [`union_find_labels`] on one machine when the edges are few.
//! 5. [`choose_survivors`] per partition of cluster members grouped by cluster.

mod buckets;
mod components;
mod plan;
mod survivors;

pub use buckets::{BandColumns, BandRows, EXACT_BAND, Links, bucket_links, dedupe_links};
pub use components::{Labels, StarStep, large_star, small_star, star_labels, union_find_labels};
pub use plan::NearPlan;
pub use survivors::choose_survivors;

use crate::minhash::splitmix64;

/// The partition (`0..parts`) of a row keyed by `key`; the same key always goes to the same partition.
pub fn partition_of(key: u64, parts: u32) -> u32 {
    (splitmix64(key) % u64::from(parts.max(1))) as u32
}

#[cfg(test)]
mod equivalence_tests;
