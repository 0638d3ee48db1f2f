//! A byte-level BPE tokenizer giving exactly the token ids of `tiktoken`, with the bundled
//! encodings (`gpt2`, `r50k_base`, `p50k_base`, `p50k_edit`, `cl100k_base`, `o200k_base`, `o200k_harmony`)
//! working offline.
//!
//! - `split`: the regex pre-split, by hand-written linear-time scanners for the bundled patterns
//!   (fancy-regex for user patterns);
//! - `bpe`: tiktoken's lowest-rank-first merging; long pieces are merged in small windows whose
//!   junctions are proven exact, so the cost stays linear in the piece length;
//! - `merge_filter`: which two adjacent tokens can ever merge, asked before a pair is looked up;
//! - `large_text`: one large text encoded on all cores;
//! - `special`: finding special tokens in text;
//! - `builtin`: the bundled vocabularies (`token_list`) and the model -> encoding table.

mod bpe;
mod builtin;
mod classes;
mod encoding;
mod large_text;
mod merge_filter;
mod special;
mod split;
#[cfg(test)]
mod test_rng;
mod token_list;
mod vocab;

pub use builtin::{ENCODING_NAMES, encoding_for_model, encoding_name_for_model};
pub use encoding::{Encoding, SpecialSet};
pub use split::{CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, R50K_PATTERN};
pub use vocab::{Rank, parse_tiktoken_bpe};

impl Encoding {
    /// A bundled encoding by name (`cl100k_base`, ...), loaded on first use and then shared.
    pub fn get(name: &str) -> crate::Result<std::sync::Arc<Encoding>> {
        builtin::encoding(name)
    }
}
