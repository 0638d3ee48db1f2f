"""Type stubs for the compiled engine module. Checked against the build by ``mypy.stubtest`` in CI."""

from collections.abc import Sequence
from os import PathLike
from typing import Any

import numpy as np
import numpy.typing as npt

from tamis.stats import DedupStats

__all__ = [
    "__version__",
    "dedup_exact",
    "dedup_files_exact",
    "dedup_files_fuzzy",
    "dedup_fuzzy",
    "normalize",
    "set_thread_count",
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
    fp_weight: float = 0.1,
    fn_weight: float = 0.9,
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
    threshold: float = 0.8,
    num_perm: int = 128,
    unit: str = "word",
    ngram: int = 5,
    normalize: str = "standard",
    method: str = "fss",
    seed: int = 1,
    bands: int | None = None,
    rows: int | None = None,
    fp_weight: float = 0.1,
    fn_weight: float = 0.9,
    verify: str = "exact",
    keep: str = "first",
    on_error: str = "fail",
    clusters: str | PathLike[str] | None = None,
    report: str | PathLike[str] | None = None,
    rejects: str | PathLike[str] | None = None,
    dry_run: bool = False,
    progress: bool = False,
) -> dict[str, Any]: ...
