//! Text transforms that run before hashing, shingling or tokenizing.

pub mod normalize;

pub use normalize::Normalization;
