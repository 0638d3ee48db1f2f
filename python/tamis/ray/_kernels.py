"""The per-batch and per-partition functions Ray runs: Arrow columns in, the Rust kernels of
``tamis._tamis`` on them, Arrow tables out. No row is looked at in Python."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import ray

from tamis import _tamis

ROW = "_tamis_row"
"""The column holding each document's row number (its position in the input dataset)."""


@lru_cache(maxsize=4)
def _plan(options: tuple[tuple[str, Any], ...]) -> _tamis.NearPlan:
    return _tamis.NearPlan(**dict(options))


def plan(options: dict[str, Any]) -> _tamis.NearPlan:
    """The run's plan, built once per worker process."""
    return _plan(tuple(sorted(options.items())))


def _u64(column: pa.ChunkedArray | pa.Array) -> np.ndarray[Any, np.dtype[np.uint64]]:
    return np.ascontiguousarray(column.to_numpy(), dtype=np.uint64)


def _texts(column: pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def number_rows(table: pa.Table, first: int) -> pa.Table:
    rows = np.arange(first, first + table.num_rows, dtype=np.uint64)
    return table.append_column(ROW, pa.array(rows))


def band_rows(table: pa.Table, column: str, options: dict[str, Any], parts: int) -> pa.Table:
    out = plan(options).band_rows(_texts(table[column]), _u64(table[ROW]), parts)
    return pa.table(out)


def bucket_links(table: pa.Table, parts: int) -> pa.Table:
    out = _tamis.bucket_links(
        np.ascontiguousarray(table["band"].to_numpy(), dtype=np.uint32),
        _u64(table["hash"]),
        _u64(table["row"]),
        _u64(table["key_high"]),
        _u64(table["key_low"]),
        parts,
    )
    return pa.table(out)


def dedupe_links(table: pa.Table) -> pa.Table:
    exact = np.ascontiguousarray(table["exact"].to_numpy(zero_copy_only=False), dtype=np.bool_)
    out = _tamis.dedupe_links(_u64(table["a"]), _u64(table["b"]), exact)
    return pa.table({"a": out["a"], "b": out["b"], "exact": out["exact"]})


def pair_similarity(table: pa.Table, left: str, right: str, options: dict[str, Any]) -> pa.Table:
    """Adds ``similarity`` between the texts in columns ``left`` and ``right``."""
    similarity = plan(options).pair_similarity(_texts(table[left]), _texts(table[right]))
    return table.drop_columns([left, right]).append_column("similarity", pa.array(similarity))


def at_least(table: pa.Table, threshold: float) -> pa.Table:
    return table.filter(pc.greater_equal(table["similarity"], threshold))


def both_directions(table: pa.Table, parts: int) -> pa.Table:
    """Each edge from both ends, partitioned by its source (the large-star grouping)."""
    a, b = _u64(table["src"]), _u64(table["dst"])
    src, dst = np.concatenate([a, b]), np.concatenate([b, a])
    return pa.table({"src": src, "dst": dst, "part": _tamis.partition_of(src, parts)})


def _star(out: dict[str, Any], parts: int, by: str) -> pa.Table:
    src, dst = out["src"], out["dst"]
    changed = np.zeros(len(src), dtype=np.uint64)
    if len(changed):
        changed[0] = out["changed"]
    key = src if by == "src" else dst
    return pa.table({"src": src, "dst": dst, "changed": changed, "part": _tamis.partition_of(key, parts)})


def large_star(table: pa.Table, parts: int) -> pa.Table:
    """A large-star round; the edges come out partitioned by their larger end, for small-star."""
    return _star(_tamis.large_star(_u64(table["src"]), _u64(table["dst"])), parts, "src")


def small_star(table: pa.Table, parts: int) -> pa.Table:
    """A small-star round; the edges come out partitioned by their smaller end, for the final labels."""
    return _star(_tamis.small_star(_u64(table["src"]), _u64(table["dst"])), parts, "dst")


def star_labels(table: pa.Table) -> pa.Table:
    return pa.table(_tamis.star_labels(_u64(table["src"]), _u64(table["dst"])))


def with_partition(table: pa.Table, key: str, parts: int) -> pa.Table:
    return table.append_column("part", pa.array(_tamis.partition_of(_u64(table[key]), parts)))


def member_attributes(table: pa.Table, column: str, score: str | None) -> pa.Table:
    """``row``, text ``length`` in UTF-8 bytes and (for keep max/min) ``score`` (NaN when missing)."""
    texts = table[column]
    lengths = pc.fill_null(pc.binary_length(texts.cast(pa.large_string())), 0)
    columns: dict[str, Any] = {"row": table[ROW], "length": lengths.cast(pa.uint64())}
    if score is not None:
        columns["score"] = pc.fill_null(table[score].cast(pa.float64()), float("nan"))
    return pa.table(columns)


def choose_survivors(table: pa.Table, keep: str) -> pa.Table:
    score = None
    if "score" in table.column_names:
        score = np.ascontiguousarray(table["score"].to_numpy(), dtype=np.float64)
    out = _tamis.choose_survivors(_u64(table["root"]), _u64(table["row"]), _u64(table["length"]), score, keep)
    return pa.table(out)


def drop_rows(table: pa.Table, removed: ray.ObjectRef[Any]) -> pa.Table:
    """The batch without the rows whose number is in ``removed`` (a sorted array in the object store,
    shared by the tasks of a node), and without the row column."""
    sorted_removed: np.ndarray[Any, np.dtype[np.uint64]] = ray.get(removed)
    rows = _u64(table[ROW])
    position = np.searchsorted(sorted_removed, rows)
    found = np.zeros(len(rows), dtype=np.bool_)
    inside = position < len(sorted_removed)
    found[inside] = sorted_removed[position[inside]] == rows[inside]
    return table.filter(pa.array(~found)).drop_columns([ROW])


def links_of_kind(table: pa.Table, exact: bool) -> pa.Table:
    """The exact-duplicate links (with similarity 1) or the candidates to verify."""
    chosen = table.filter(pc.equal(table["exact"], exact)).select(["a", "b"])
    if exact:
        chosen = chosen.append_column("similarity", pa.array(np.ones(chosen.num_rows)))
    return chosen


def cluster_rows(table: pa.Table) -> pa.Table:
    """The clusters table: ``row``, ``cluster`` (its smallest row), ``survivor``, ``kept``, ``similarity``
    (to the survivor)."""
    return pa.table(
        {
            "row": table["row"],
            "cluster": table["root"],
            "survivor": table["survivor"],
            "kept": pc.equal(table["row"], table["survivor"]),
            "similarity": table["similarity"],
        }
    )


def removed_rows(table: pa.Table) -> pa.Table:
    """The ``row`` of the clustered records that are not their cluster's survivor."""
    return table.filter(pc.invert(table["kept"])).select(["row"])


def survivor_is_root(table: pa.Table) -> pa.Table:
    return table.append_column("survivor", table["root"])
