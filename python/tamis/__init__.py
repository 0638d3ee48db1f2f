"""tamis: prepare text datasets for language models. Python is the interface; Rust is the engine."""

from __future__ import annotations

from tamis._tamis import __version__
from tamis.dedup import ExactDedup, dedup_exact, dedup_files_exact
from tamis.errors import (
    CorruptInputError,
    FieldNotFoundError,
    FieldTypeError,
    InvalidInputError,
    InvalidOptionError,
    NotFoundError,
    TamisError,
    TamisFileNotFoundError,
    TamisIOError,
)
from tamis.minhash import (
    LeanMinHash,
    LshParams,
    MinHash,
    MinHashLSH,
    jaccard,
    lsh_pairs,
    lsh_params,
    shingles,
    sketch,
    sketch_tokens,
)
from tamis.near import DedupResult, dedup, dedup_files
from tamis.text import normalize

__all__ = [
    "CorruptInputError",
    "DedupResult",
    "ExactDedup",
    "FieldNotFoundError",
    "FieldTypeError",
    "InvalidInputError",
    "InvalidOptionError",
    "LeanMinHash",
    "LshParams",
    "MinHash",
    "MinHashLSH",
    "NotFoundError",
    "TamisError",
    "TamisFileNotFoundError",
    "TamisIOError",
    "__version__",
    "dedup",
    "dedup_exact",
    "dedup_files",
    "dedup_files_exact",
    "jaccard",
    "lsh_pairs",
    "lsh_params",
    "normalize",
    "shingles",
    "sketch",
    "sketch_tokens",
]
