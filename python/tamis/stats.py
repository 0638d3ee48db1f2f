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


class NearDedupStats(TypedDict):
    """What each stage of a near-duplicate run did."""

    records: int
    nulls: int
    exact_duplicates: int
    """Records identical to an earlier one after normalization."""
    candidates: int
    """Pairs of distinct texts proposed by LSH."""
    verified: int
    """Candidates whose similarity reached the threshold."""
    rejected: int
    """Candidates below the threshold (LSH false positives)."""
    clusters: int
    removed: int
    bands: int
    rows: int


class ThresholdOutcome(TypedDict):
    threshold: float
    verified: int
    clusters: int
    removed: int


class ThresholdGuide(TypedDict):
    """What a dry run learned: candidate similarities, and what other thresholds would remove."""

    histogram: list[tuple[float, int]]
    outcomes: list[ThresholdOutcome]


class _NearFileStatsRequired(DedupStats):
    near: NearDedupStats


class NearFileStats(_NearFileStatsRequired, total=False):
    """A near-duplicate run over files: the file account plus the stages (and, for a dry run, a guide)."""

    guide: ThresholdGuide
    tokens_in: int
    """With ``tokens=ENCODING``: tokens of every record read."""
    tokens_out: int
    """With ``tokens=ENCODING``: tokens of the records kept."""


class FileTokens(TypedDict):
    """The token count of one input file."""

    path: str
    documents: int
    tokens: int
    text_bytes: int
    """UTF-8 bytes of the texts counted (the selected field, not the whole JSON line)."""
    blank_lines: int


class TokenStats(TypedDict):
    """A token-count run (``tamis tokens``). Percentiles are of tokens per document, nearest rank."""

    encoding: str
    documents: int
    tokens: int
    text_bytes: int
    blank_lines: int
    p50: int
    p90: int
    p99: int
    max: int
    seconds: float
    files: list[FileTokens]
