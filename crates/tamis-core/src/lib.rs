//! tamis-core: the engine behind the `tamis` Python package. Pure Rust, no Python: every module here is
//! usable and tested on its own (`cargo test -p tamis-core`).
//!
//! Data flows one way: read -> normalize -> shingle/tokenize -> sketch -> index -> verify -> cluster -> write.

// User data must never panic the engine: every path returns `Result` (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cluster;
pub mod dedup;
pub mod error;
pub mod io;
pub mod jaccard;
pub mod lsh;
pub mod minhash;
pub mod parallel;
pub mod partitioned;
pub mod prefetch;
pub mod progress;
pub mod report;
pub mod shingle;
pub mod shingle_hash;
pub mod signature;
pub mod standard_words;
pub mod text;
pub mod tokenize;
pub mod tokenize_files;
pub mod words;

pub use error::{Error, Location, Result};
