"""The account a deduplication run returns."""

from __future__ import annotations

from typing import TypedDict


class FileStats(TypedDict):
    """One input file. ``records == kept + removed + rejected``."""

    path: str
    records: int
    kept: int
    removed: int
    rejected: int
    blank_lines: int
    """Blank lines of JSONL files: not records, not copied."""
    bytes: int
    """Uncompressed bytes of the lines read, newlines included."""


class DedupStats(TypedDict):
    """A whole run. ``records == kept + removed + rejected``, and likewise for each file."""

    records: int
    kept: int
    removed: int
    rejected: int
    blank_lines: int
    bytes_in: int
    bytes_out: int
    seconds: float
    files: list[FileStats]
