//! tamis-core: the engine behind the `tamis` Python package. Pure Rust, no Python: every module here is
//! usable and tested on its own (`cargo test -p tamis-core`).
//!
//! Data flows one way: read -> normalize -> shingle/tokenize -> sketch -> index -> verify -> cluster -> write.

pub mod error;
pub mod tokenize;

pub use error::{Error, Location, Result};
