"""Deduplication API."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import TYPE_CHECKING, Literal, NamedTuple

from tamis import _tamis
from tamis.text import ChatScope, Normalize

if TYPE_CHECKING:
    # numpy is imported by the engine only when it returns arrays, so `tamis dedup` never pays for it.
    import numpy as np
    import numpy.typing as npt

    from tamis.stats import DedupStats


OnError = Literal["fail", "skip"]
TextColumn = object
"""A list of ``str``/``None``, a pyarrow Array or ChunkedArray of strings, or a polars Series of strings."""


class ExactDedup(NamedTuple):
    """Which rows of a column to keep after exact deduplication."""

    keep: npt.NDArray[np.bool_]
    """``keep[i]`` is True for the first occurrence of each distinct normalized text, and for null rows."""
    duplicate_of: npt.NDArray[np.uint64]
    """``duplicate_of[i]`` is the row of the first occurrence of row ``i``'s text (``i`` itself when kept)."""


def dedup_exact(texts: TextColumn, *, normalize: Normalize = "standard") -> ExactDedup:
    """Find exact duplicates in a column of texts.

    ``texts`` is a list of str (``None`` for missing values), a pyarrow array or chunked array, or a polars
    Series; Arrow data is read in place, without a copy. Texts are compared after ``normalize``:
    ``"none"`` (as stored), ``"whitespace"`` (runs of white space collapsed, ends trimmed) or ``"standard"``
    (NFKC, lowercase, punctuation removed, white space collapsed). The work runs on all cores with the GIL
    released.

    >>> import tamis
    >>> tamis.dedup_exact(["Hello, world", "hello world!", "other"]).keep.tolist()
    [True, False, True]
    """
    keep, first = _tamis.dedup_exact(texts, normalize=normalize)
    return ExactDedup(keep, first)


def dedup_files_exact(
    inputs: Sequence[str | PathLike[str]],
    output: str | PathLike[str],
    *,
    field: str = "text",
    format: Literal["jsonl", "text"] | None = None,
    chat: ChatScope | None = None,
    normalize: Normalize = "standard",
    on_error: OnError = "fail",
    duplicates: str | PathLike[str] | None = None,
    rejects: str | PathLike[str] | None = None,
    progress: bool = False,
) -> DedupStats:
    """Exact-deduplicate JSONL or text files (plain, .gz or .zst) into ``output``; returns the account.

    Inputs are deduplicated together, in the order given; the first occurrence is kept and its line is
    written unchanged. ``field`` is a dotted path into each JSON object (``"meta.body"``).
    ``chat`` reads the field as a list of ``{role, content}`` messages and compares the messages in that
    scope (``"all"``, ``"user"``, ``"first-user"``, ``"system"``). With ``on_error="skip"`` unreadable
    records are counted as rejected (listed in ``rejects``) instead of stopping the run. Outputs are
    written atomically: a failed run leaves no file behind.
    """
    return _tamis.dedup_files_exact(
        [*inputs],
        output,
        field=field,
        format=format,
        chat=chat,
        normalize=normalize,
        on_error=on_error,
        duplicates=duplicates,
        rejects=rejects,
        progress=progress,
    )
