//! Locality-sensitive hashing over `MinHash` signatures: banding parameters, a compact band index
//! with batch insert/query and an all-pairs self-join, and a datasketch-compatible keyed index.

pub mod index;
pub mod keyed;
pub mod params;

pub use index::{BandIndex, band_hashes};
pub use keyed::DatasketchLsh;
pub use params::LshParams;
