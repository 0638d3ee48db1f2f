//! A byte-level BPE tokenizer giving exactly OpenAI tiktoken's token ids.

mod classes;
mod split;
#[cfg(test)]
mod test_rng;
