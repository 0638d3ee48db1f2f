//! The encodings bundled with tamis, loaded lazily from the zstd-compressed token lists and merge
//! filters in `assets/` and cached for the life of the process.

use super::encoding::Encoding;
use super::merge_filter::MergeFilter;
use super::split::{CL100K_PATTERN, O200K_PATTERN, R50K_PATTERN};
use super::token_list::for_each_listed_token;
use super::vocab::{Rank, Vocab};
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// One bundled vocabulary: tiktoken's rank file, as a token list (see [`super::token_list`]), and
/// its merge filter (see [`MergeFilter`]).
struct RankFile {
    name: &'static str,
    /// How many tokens the list holds.
    token_count: usize,
    list: Asset,
    filter: Asset,
    /// tiktoken's rank file, zstd-compressed, from which the list is made (tests check that the
    /// list holds exactly its tokens), and the sha256 that tiktoken expects of it.
    #[cfg(test)]
    tiktoken: &'static [u8],
    #[cfg(test)]
    tiktoken_sha256: &'static str,
}

/// A zstd-compressed file of `assets/`.
struct Asset {
    compressed: &'static [u8],
    /// The decompressed size, to decompress in one allocation.
    size: usize,
    /// The sha256 of the decompressed bytes, checked at every load.
    sha256: &'static str,
}

/// A bundled vocabulary's [`RankFile`], its files found in `assets/` by its name. The sizes and
/// sha256 of the token list and merge filter are the ones the tests that regenerate them print.
macro_rules! rank_file {
    (
        $name:literal,
        tokens: $count:expr,
        list: ($list_size:expr, $list_sha256:literal),
        filter: ($filter_size:expr, $filter_sha256:literal),
        tiktoken_sha256: $tiktoken_sha256:literal $(,)?
    ) => {
        RankFile {
            name: $name,
            token_count: $count,
            list: Asset {
                compressed: include_bytes!(concat!("../../assets/", $name, ".tokens.zst")),
                size: $list_size,
                sha256: $list_sha256,
            },
            filter: Asset {
                compressed: include_bytes!(concat!("../../assets/", $name, ".merge_filter.zst")),
                size: $filter_size,
                sha256: $filter_sha256,
            },
            #[cfg(test)]
            tiktoken: include_bytes!(concat!("../../assets/", $name, ".tiktoken.zst")),
            #[cfg(test)]
            tiktoken_sha256: $tiktoken_sha256,
        }
    };
}

const R50K: RankFile = rank_file!(
    "r50k_base",
    tokens: 50_256,
    list: (371_070, "b83936794d5c58d4bf7f24cb0100cd291b9306d80ba0e2ff11988886d2d9c1ec"),
    filter: (65_536, "22b900f7629348522e501398d8e0d374b1170d819d823fe9cda821efc9ec6ae1"),
    tiktoken_sha256: "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
);
const P50K: RankFile = rank_file!(
    "p50k_base",
    tokens: 50_280,
    list: (371_419, "454dd285ca79936cc589d453cc0e373e9cdfd971d6cee74a0b8f349c518a60fc"),
    filter: (65_536, "ce1a312f755fe0d9b99404cee47a87ff2c78160b57448fdb22ee6ba58999a889"),
    tiktoken_sha256: "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
);
const CL100K: RankFile = rank_file!(
    "cl100k_base",
    tokens: 100_256,
    list: (744_086, "6bfd43f7b31b50b645b3228413547e662af1ae4801e9b192b9791680a71d650c"),
    filter: (131_072, "d2a7a6bd5e72d6303a25a8fb286b6ab2b825fd064a517ffb83070343093a2299"),
    tiktoken_sha256: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
);
const O200K: RankFile = rank_file!(
    "o200k_base",
    tokens: 199_998,
    list: (1_597_668, "bac143fe7fe950090c6e4ed9a2f80de5412a92495758b52becbbe5a7eea25ecb"),
    filter: (262_144, "58ff9c16acd6dcb141e7953a50baac1d04fe39e85c616ff676ec4946c5fdf411"),
    tiktoken_sha256: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
);
const RANK_FILES: [&RankFile; 4] = [&R50K, &P50K, &CL100K, &O200K];

const ENDOFTEXT: &str = "<|endoftext|>";
const FIM_PREFIX: &str = "<|fim_prefix|>";
const FIM_MIDDLE: &str = "<|fim_middle|>";
const FIM_SUFFIX: &str = "<|fim_suffix|>";
const ENDOFPROMPT: &str = "<|endofprompt|>";

/// The names of the bundled encodings ([`Encoding::get`](super::Encoding::get)), as tiktoken lists them.
pub const ENCODING_NAMES: [&str; 7] = [
    "gpt2",
    "r50k_base",
    "p50k_base",
    "p50k_edit",
    "cl100k_base",
    "o200k_base",
    "o200k_harmony",
];

/// What tiktoken's `openai_public.py` says of each encoding.
struct Spec {
    file: &'static RankFile,
    pattern: &'static str,
    special_tokens: Vec<(String, Rank)>,
    explicit_n_vocab: Option<usize>,
}

fn spec(name: &str) -> Option<Spec> {
    let special = |tokens: &[(&str, Rank)]| -> Vec<(String, Rank)> {
        tokens.iter().map(|&(t, r)| (t.to_owned(), r)).collect()
    };
    let o200k_special = [(ENDOFTEXT, 199_999), (ENDOFPROMPT, 200_018)];
    Some(match name {
        // gpt2 is built from GPT-2's vocab.bpe and encoder.json, which give r50k_base's ranks.
        "gpt2" | "r50k_base" => Spec {
            file: &R50K,
            pattern: R50K_PATTERN,
            special_tokens: special(&[(ENDOFTEXT, 50256)]),
            explicit_n_vocab: Some(50257),
        },
        "p50k_base" => Spec {
            file: &P50K,
            pattern: R50K_PATTERN,
            special_tokens: special(&[(ENDOFTEXT, 50256)]),
            explicit_n_vocab: Some(50281),
        },
        "p50k_edit" => Spec {
            file: &P50K,
            pattern: R50K_PATTERN,
            special_tokens: special(&[
                (ENDOFTEXT, 50256),
                (FIM_PREFIX, 50281),
                (FIM_MIDDLE, 50282),
                (FIM_SUFFIX, 50283),
            ]),
            explicit_n_vocab: None,
        },
        "cl100k_base" => Spec {
            file: &CL100K,
            pattern: CL100K_PATTERN,
            special_tokens: special(&[
                (ENDOFTEXT, 100_257),
                (FIM_PREFIX, 100_258),
                (FIM_MIDDLE, 100_259),
                (FIM_SUFFIX, 100_260),
                (ENDOFPROMPT, 100_276),
            ]),
            explicit_n_vocab: None,
        },
        "o200k_base" => Spec {
            file: &O200K,
            pattern: O200K_PATTERN,
            special_tokens: special(&o200k_special),
            explicit_n_vocab: None,
        },
        "o200k_harmony" => {
            let named = [
                ("<|startoftext|>", 199_998),
                ("<|return|>", 200_002),
                ("<|constrain|>", 200_003),
                ("<|channel|>", 200_005),
                ("<|start|>", 200_006),
                ("<|end|>", 200_007),
                ("<|message|>", 200_008),
                ("<|call|>", 200_012),
            ];
            let reserved = [200_000, 200_001, 200_004, 200_009, 200_010, 200_011]
                .into_iter()
                .chain(200_013..201_088);
            let mut special_tokens = special(&o200k_special);
            special_tokens.extend(special(&named));
            special_tokens.extend(reserved.map(|id| (format!("<|reserved_{id}|>"), id)));
            Spec {
                file: &O200K,
                pattern: O200K_PATTERN,
                special_tokens,
                explicit_n_vocab: None,
            }
        }
        _ => return None,
    })
}

/// A bundled encoding by name, loaded on first use.
pub fn encoding(name: &str) -> Result<Arc<Encoding>> {
    static LOADED: [OnceLock<Arc<Encoding>>; ENCODING_NAMES.len()] =
        [const { OnceLock::new() }; ENCODING_NAMES.len()];
    let index = ENCODING_NAMES
        .iter()
        .position(|&known| known == name)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "unknown encoding {name:?}; known encodings: {}",
                ENCODING_NAMES.join(", ")
            ))
        })?;
    if let Some(loaded) = LOADED[index].get() {
        return Ok(Arc::clone(loaded));
    }
    let spec = spec(name).ok_or_else(|| Error::NotFound(format!("unknown encoding {name:?}")))?;
    let built = Arc::new(Encoding::with_vocab(
        name,
        spec.pattern,
        ranks(spec.file)?,
        &spec.special_tokens,
        spec.explicit_n_vocab,
    )?);
    // Two threads may race to build it; both results are equal and one is kept.
    Ok(Arc::clone(LOADED[index].get_or_init(|| built)))
}

/// The mergeable table of a bundled rank file, loaded on first use and shared by the encodings
/// that use it.
fn ranks(file: &'static RankFile) -> Result<Arc<Vocab>> {
    static LOADED: [OnceLock<Arc<Vocab>>; RANK_FILES.len()] =
        [const { OnceLock::new() }; RANK_FILES.len()];
    let index = RANK_FILES
        .iter()
        .position(|known| known.name == file.name)
        .unwrap_or_default();
    if let Some(loaded) = LOADED[index].get() {
        return Ok(Arc::clone(loaded));
    }
    let list = decompress_checked(file.name, &file.list)?;
    let filter = MergeFilter::from_le_bytes(&decompress_checked(file.name, &file.filter)?)?;
    // At most one token per rank, and a rank per token: the length bytes count them. The exact
    // count sizes the tables once, as small as they can be.
    let count = count_listed(&list);
    let vocab = Vocab::build_with_filter(
        count,
        |add| for_each_listed_token(&list, file.name, add),
        filter,
    )?;
    let vocab = Arc::new(vocab);
    Ok(Arc::clone(LOADED[index].get_or_init(|| vocab)))
}

/// The bundled table that holds exactly these tokens with these ranks, if there is one: tiktoken's
/// way of adding special tokens to an encoding is a custom encoding over its mergeable ranks, which
/// then shares the bundled table and its shipped merge filter instead of working the filter out.
pub(crate) fn bundled_vocab_with(mergeable_ranks: &[(Vec<u8>, Rank)]) -> Option<Arc<Vocab>> {
    let file = RANK_FILES
        .iter()
        .find(|file| file.token_count == mergeable_ranks.len())?;
    let vocab = ranks(file).ok()?;
    if vocab.len() != mergeable_ranks.len() {
        return None;
    }
    // Every token bundled with its rank, and no rank twice: the same tokens, all of them.
    let mut seen = vec![false; vocab.max_id() as usize + 1];
    let same = mergeable_ranks.iter().all(|(token, rank)| {
        vocab.rank(token) == Some(*rank) && !std::mem::replace(&mut seen[*rank as usize], true)
    });
    same.then_some(vocab)
}

/// The number of tokens in a token list.
fn count_listed(list: &[u8]) -> usize {
    let mut count = 0;
    let mut at = 0;
    while let Some(&len) = list.get(at) {
        count += usize::from(len > 0);
        at += 1 + usize::from(len);
    }
    count
}

/// A bundled file of the vocabulary `name`, refused unless its sha256 is the one recorded for it.
fn decompress_checked(name: &str, asset: &Asset) -> Result<Vec<u8>> {
    let corrupt = |message: String| Error::Corrupt {
        path: PathBuf::from(name),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, message),
    };
    let contents = zstd::bulk::decompress(asset.compressed, asset.size)
        .map_err(|e| corrupt(format!("bundled file does not decompress: {e}")))?;
    let hex = sha256_hex(&contents);
    if hex != asset.sha256 {
        return Err(corrupt(format!(
            "sha256 is {hex}, {} is expected",
            asset.sha256
        )));
    }
    Ok(contents)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut hex, b| {
            use std::fmt::Write;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// tiktoken's `MODEL_TO_ENCODING`.
const MODEL_TO_ENCODING: &[(&str, &str)] = &[
    ("o1", "o200k_base"),
    ("o3", "o200k_base"),
    ("o4-mini", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("gpt-4.1", "o200k_base"),
    ("gpt-4o", "o200k_base"),
    ("gpt-4", "cl100k_base"),
    ("gpt-3.5-turbo", "cl100k_base"),
    ("gpt-3.5", "cl100k_base"),
    ("gpt-35-turbo", "cl100k_base"),
    ("davinci-002", "cl100k_base"),
    ("babbage-002", "cl100k_base"),
    ("text-embedding-ada-002", "cl100k_base"),
    ("text-embedding-3-small", "cl100k_base"),
    ("text-embedding-3-large", "cl100k_base"),
    ("text-davinci-003", "p50k_base"),
    ("text-davinci-002", "p50k_base"),
    ("text-davinci-001", "r50k_base"),
    ("text-curie-001", "r50k_base"),
    ("text-babbage-001", "r50k_base"),
    ("text-ada-001", "r50k_base"),
    ("davinci", "r50k_base"),
    ("curie", "r50k_base"),
    ("babbage", "r50k_base"),
    ("ada", "r50k_base"),
    ("code-davinci-002", "p50k_base"),
    ("code-davinci-001", "p50k_base"),
    ("code-cushman-002", "p50k_base"),
    ("code-cushman-001", "p50k_base"),
    ("davinci-codex", "p50k_base"),
    ("cushman-codex", "p50k_base"),
    ("text-davinci-edit-001", "p50k_edit"),
    ("code-davinci-edit-001", "p50k_edit"),
    ("text-similarity-davinci-001", "r50k_base"),
    ("text-similarity-curie-001", "r50k_base"),
    ("text-similarity-babbage-001", "r50k_base"),
    ("text-similarity-ada-001", "r50k_base"),
    ("text-search-davinci-doc-001", "r50k_base"),
    ("text-search-curie-doc-001", "r50k_base"),
    ("text-search-babbage-doc-001", "r50k_base"),
    ("text-search-ada-doc-001", "r50k_base"),
    ("code-search-babbage-code-001", "r50k_base"),
    ("code-search-ada-code-001", "r50k_base"),
    ("gpt2", "gpt2"),
    ("gpt-2", "gpt2"),
];

/// tiktoken's `MODEL_PREFIX_TO_ENCODING`, in its order (the first matching prefix wins).
const MODEL_PREFIX_TO_ENCODING: &[(&str, &str)] = &[
    ("o1-", "o200k_base"),
    ("o3-", "o200k_base"),
    ("o4-mini-", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("gpt-4.5-", "o200k_base"),
    ("gpt-4.1-", "o200k_base"),
    ("chatgpt-4o-", "o200k_base"),
    ("gpt-4o-", "o200k_base"),
    ("gpt-4-", "cl100k_base"),
    ("gpt-3.5-turbo-", "cl100k_base"),
    ("gpt-35-turbo-", "cl100k_base"),
    ("gpt-oss-", "o200k_harmony"),
    ("ft:gpt-4o", "o200k_base"),
    ("ft:gpt-4", "cl100k_base"),
    ("ft:gpt-3.5-turbo", "cl100k_base"),
    ("ft:davinci-002", "cl100k_base"),
    ("ft:babbage-002", "cl100k_base"),
];

/// The name of the encoding a model uses: an exact model name, else the first known prefix.
pub fn encoding_name_for_model(model: &str) -> Result<&'static str> {
    MODEL_TO_ENCODING
        .iter()
        .find(|&&(known, _)| known == model)
        .or_else(|| {
            MODEL_PREFIX_TO_ENCODING
                .iter()
                .find(|&&(prefix, _)| model.starts_with(prefix))
        })
        .map(|&(_, encoding)| encoding)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "Could not automatically map {model} to a tokeniser. Please use \
                 `tiktoken.get_encoding` to explicitly get the tokeniser you expect."
            ))
        })
}

/// The encoding a model uses.
pub fn encoding_for_model(model: &str) -> Result<Arc<Encoding>> {
    encoding(encoding_name_for_model(model)?)
}

#[cfg(test)]
mod tests;
