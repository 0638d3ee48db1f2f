"""tamis: prepare text datasets for language models. Python is the interface; Rust is the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from tamis.near import DedupResult, dedup, dedup_files
from tamis.text import normalize
from tamis.tokenizer import (
    Encoding,
    count_tokens_files,
    encoding_for_model,
    encoding_name_for_model,
    get_encoding,
    list_encoding_names,
)

if TYPE_CHECKING:
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

# The MinHash module needs numpy at import time; loading it on first use keeps `import tamis` (and so the
# CLI) free of numpy, whose BLAS threads would otherwise compete with tamis' own on small machines.
_LAZY = {
    "LeanMinHash",
    "LshParams",
    "MinHash",
    "MinHashLSH",
    "jaccard",
    "lsh_pairs",
    "lsh_params",
    "shingles",
    "sketch",
    "sketch_tokens",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from tamis import minhash

        return getattr(minhash, name)
    raise AttributeError(f"module 'tamis' has no attribute {name!r}")


__all__ = [
    "CorruptInputError",
    "DedupResult",
    "Encoding",
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
    "count_tokens_files",
    "dedup",
    "dedup_exact",
    "dedup_files",
    "dedup_files_exact",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "jaccard",
    "list_encoding_names",
    "lsh_pairs",
    "lsh_params",
    "normalize",
    "shingles",
    "sketch",
    "sketch_tokens",
]
