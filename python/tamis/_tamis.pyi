"""Type stubs for the compiled engine module. Checked against the build by ``mypy.stubtest`` in CI."""

from collections.abc import Iterable, Sequence
from os import PathLike
from typing import Any, final

import numpy as np
import numpy.typing as npt

from tamis.stats import DedupStats, TokenStats

__all__ = [
    "CoreEncoding",
    "DatasketchHasher",
    "DatasketchIndex",
    "NearPlan",
    "__version__",
    "bucket_links",
    "choose_survivors",
    "count_tokens_files",
    "dedup_exact",
    "dedup_files_exact",
    "dedup_files_fuzzy",
    "dedup_fuzzy",
    "dedupe_links",
    "encoding_name_for_model",
    "jaccard_rows",
    "large_star",
    "list_encoding_names",
    "lsh_pairs",
    "lsh_params",
    "normalize",
    "partition_of",
    "set_thread_count",
    "shingles",
    "sketch",
    "sketch_tokens",
    "small_star",
    "star_labels",
    "union_find_labels",
]

__version__: str

def normalize(text: str, mode: str = "standard") -> str: ...
def set_thread_count(count: int) -> None: ...
def dedup_exact(
    texts: Any, *, normalize: str = "standard"
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]]: ...
def dedup_files_exact(
    inputs: Sequence[str | PathLike[str]],
    output: str | PathLike[str],
    *,
    field: str = "text",
    format: str | None = None,
    chat: str | None = None,
    normalize: str = "standard",
    on_error: str = "fail",
    duplicates: str | PathLike[str] | None = None,
    rejects: str | PathLike[str] | None = None,
    progress: bool = False,
) -> DedupStats: ...
def dedup_fuzzy(
    texts: Any,
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    unit: str = "word",
    ngram: int = 5,
    normalize: str = "standard",
    method: str = "fss",
    seed: int = 1,
    bands: int | None = None,
    rows: int | None = None,
    fp_weight: float = 0.02,
    fn_weight: float = 0.98,
    verify: str = "exact",
    keep: str = "first",
    scores: npt.NDArray[np.float64] | None = None,
) -> dict[str, Any]: ...
def dedup_files_fuzzy(
    inputs: Sequence[str | PathLike[str]],
    output: str | PathLike[str],
    *,
    field: str = "text",
    format: str | None = None,
    chat: str | None = None,
    threshold: float = 0.8,
    num_perm: int = 128,
    unit: str = "word",
    ngram: int = 5,
    normalize: str = "standard",
    method: str = "fss",
    seed: int = 1,
    bands: int | None = None,
    rows: int | None = None,
    fp_weight: float = 0.02,
    fn_weight: float = 0.98,
    verify: str = "exact",
    keep: str = "first",
    score_field: str | None = None,
    on_error: str = "fail",
    clusters: str | PathLike[str] | None = None,
    id_field: str | None = None,
    report: str | PathLike[str] | None = None,
    tokens: str | None = None,
    rejects: str | PathLike[str] | None = None,
    dry_run: bool = False,
    progress: bool = False,
) -> dict[str, Any]: ...
def sketch(
    texts: Any,
    *,
    num_perm: int = 128,
    unit: str = "word",
    ngram: int = 5,
    normalize: str = "standard",
    seed: int = 1,
    method: str = "fss",
) -> npt.NDArray[np.uint32]: ...
def sketch_tokens(
    token_sets: Iterable[Iterable[str | bytes]], *, num_perm: int = 128, seed: int = 1, method: str = "fss"
) -> npt.NDArray[np.uint32]: ...
def shingles(
    texts: Any, *, unit: str = "word", ngram: int = 5, normalize: str = "standard"
) -> list[npt.NDArray[np.uint64]]: ...
def lsh_params(
    threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]: ...
def lsh_pairs(signatures: npt.NDArray[Any], bands: int, rows: int) -> npt.NDArray[np.uint32]: ...
def jaccard_rows(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[np.float64]: ...

@final
class DatasketchHasher:
    def __new__(cls, num_perm: int, seed: int, scheme: str) -> DatasketchHasher: ...
    @property
    def num_perm(self) -> int: ...
    def permutations(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]: ...
    def update_tokens(self, hashvalues: npt.NDArray[Any], tokens: Iterable[Any]) -> None: ...
    def update_hashes(self, hashvalues: npt.NDArray[Any], hashes: npt.NDArray[np.uint64]) -> None: ...
    def sketch_docs(self, docs: Iterable[Iterable[Any]]) -> npt.NDArray[np.uint64]: ...

@final
class DatasketchIndex:
    def __new__(cls, bands: int, rows: int, num_perm: int) -> DatasketchIndex: ...
    def __len__(self) -> int: ...
    def __contains__(self, id: int, /) -> bool: ...
    def insert(self, id: int, signature: npt.NDArray[Any]) -> None: ...
    def query(self, signature: npt.NDArray[Any]) -> list[int]: ...
    def remove(self, id: int) -> None: ...

@final
class CoreEncoding:
    def __new__(
        cls,
        name: str,
        pat_str: str,
        mergeable_ranks: dict[bytes, int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = None,
    ) -> CoreEncoding: ...
    @staticmethod
    def get(name: str) -> CoreEncoding: ...
    @property
    def name(self) -> str: ...
    @property
    def pat_str(self) -> str: ...
    @property
    def n_vocab(self) -> int: ...
    @property
    def max_token_value(self) -> int: ...
    def special_tokens(self) -> list[tuple[str, int]]: ...
    def is_special_token(self, token: int) -> bool: ...
    def encode_ordinary(self, text: str) -> list[int]: ...
    def encode(self, text: str, allowed: Any, check: bool) -> list[int]: ...
    def encode_to_numpy(self, text: str, allowed: Any, check: bool) -> npt.NDArray[np.uint32]: ...
    def count(self, text: str, allowed: Any, check: bool) -> int: ...
    def encode_ordinary_batch(self, texts: Any) -> list[list[int]]: ...
    def encode_batch(self, texts: Any, allowed: Any, check: bool) -> list[list[int]]: ...
    def encode_batch_flat(
        self, texts: Any, allowed: Any, check: bool
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]: ...
    def count_batch(self, texts: Any, allowed: Any, check: bool) -> npt.NDArray[np.int64]: ...
    def encode_single_token(self, token: bytes) -> int: ...
    def encode_single_piece(self, piece: bytes) -> list[int]: ...
    def decode_bytes(self, tokens: Sequence[int]) -> bytes: ...
    def decode_bytes_batch(self, batch: Sequence[Sequence[int]]) -> list[bytes]: ...
    def decode_single_token_bytes(self, token: int) -> bytes: ...
    def decode_tokens_bytes(self, tokens: Sequence[int]) -> list[bytes]: ...
    def decode_with_offsets(self, tokens: Sequence[int]) -> tuple[str, list[int]]: ...
    def mergeable_ranks(self) -> dict[bytes, int]: ...
    def token_byte_values(self) -> list[bytes]: ...

def list_encoding_names() -> list[str]: ...
def encoding_name_for_model(model: str) -> str: ...
def count_tokens_files(
    inputs: Sequence[str | PathLike[str]],
    *,
    encoding: CoreEncoding,
    field: str = "text",
    format: str | None = None,
    per_doc: str | PathLike[str] | None = None,
    progress: bool = False,
) -> TokenStats: ...

# The partitioned near-duplicate pipeline's kernels (tamis.ray).
_U64 = npt.NDArray[np.uint64]

@final
class NearPlan:
    def __new__(
        cls,
        *,
        threshold: float = 0.8,
        num_perm: int = 128,
        unit: str = "word",
        ngram: int = 5,
        normalize: str = "standard",
        method: str = "fss",
        seed: int = 1,
        bands: int | None = None,
        rows: int | None = None,
        fp_weight: float = 0.02,
        fn_weight: float = 0.98,
        verify: str = "exact",
        keep: str = "first",
    ) -> NearPlan: ...
    @property
    def bands(self) -> int: ...
    @property
    def rows(self) -> int: ...
    def band_rows(self, texts: Any, rows: _U64, parts: int) -> dict[str, npt.NDArray[Any]]: ...
    def pair_similarity(self, a: Any, b: Any) -> npt.NDArray[np.float64]: ...

def bucket_links(
    band: npt.NDArray[np.uint32], hash: _U64, row: _U64, key_high: _U64, key_low: _U64, parts: int
) -> dict[str, npt.NDArray[Any]]: ...
def dedupe_links(a: _U64, b: _U64, exact: npt.NDArray[np.bool_]) -> dict[str, npt.NDArray[Any]]: ...
def partition_of(keys: _U64, parts: int) -> npt.NDArray[np.uint32]: ...
def large_star(src: _U64, dst: _U64) -> dict[str, Any]: ...
def small_star(src: _U64, dst: _U64) -> dict[str, Any]: ...
def star_labels(leaf: _U64, centre: _U64) -> dict[str, _U64]: ...
def union_find_labels(a: _U64, b: _U64) -> dict[str, _U64]: ...
def choose_survivors(
    root: _U64,
    row: _U64,
    length: _U64,
    score: npt.NDArray[np.float64] | None = None,
    keep: str = "first",
) -> dict[str, _U64]: ...
