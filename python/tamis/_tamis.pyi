"""Type stubs for the compiled engine module. Checked against the build by ``mypy.stubtest`` in CI."""

from collections.abc import Sequence
from os import PathLike
from typing import Any

import numpy as np
import numpy.typing as npt

from tamis.stats import DedupStats

__all__ = ["__version__", "dedup_exact", "dedup_files_exact", "normalize"]

__version__: str

def normalize(text: str, mode: str = "standard") -> str: ...
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
