//! The properties each fuzz target checks, as plain functions of the input bytes: `fuzz_targets/` hands
//! them to libFuzzer, and `tests/replay_corpora.rs` runs them over the committed seed corpora without it.
//! A check returns normally when the property holds and panics (which libFuzzer reports) when it does not.

pub mod normalize;
pub mod records;
pub mod sketch;
pub mod tokenizer;
