"""Type stubs for the compiled engine module. Checked against the build by ``mypy.stubtest`` in CI."""

from collections.abc import Sequence
from os import PathLike
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

__version__: str

class FileStats(TypedDict):
    path: str
    records: int
    kept: int
    removed: int
    rejected: int
    blank_lines: int
    bytes: int

class DedupStats(TypedDict):
    records: int
    kept: int
    removed: int
    rejected: int
    blank_lines: int
    bytes_in: int
    bytes_out: int
    seconds: float
    files: list[FileStats]

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
