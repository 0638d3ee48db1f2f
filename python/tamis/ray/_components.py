"""Connected components of the verified-pair graph, on Ray Data: large-star and small-star rounds until
nothing changes (each round a shuffle grouped by one endpoint, the work in Rust), or one union-find on
the driver when the edges are few enough."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import ray
import ray.data

from tamis import _tamis
from tamis.ray import _kernels
from tamis.ray._ops import Kernel, per_batch, per_partition


def components(edges: ray.data.Dataset, parts: int, driver_limit: int) -> ray.data.Dataset:
    """``(row, root)`` for every row with an edge; ``root`` is the smallest row of its component.
    ``edges`` has columns ``a`` and ``b``."""
    if edges.count() <= driver_limit:
        return _on_driver(edges)
    return _star_rounds(edges, parts)


def _on_driver(edges: ray.data.Dataset) -> ray.data.Dataset:
    tables = ray.get(edges.select_columns(["a", "b"]).to_arrow_refs())
    table = pa.concat_tables(tables) if tables else pa.table({"a": [], "b": []})
    a = np.ascontiguousarray(table["a"].to_numpy(), dtype=np.uint64)
    b = np.ascontiguousarray(table["b"].to_numpy(), dtype=np.uint64)
    return ray.data.from_arrow(pa.table(_tamis.union_find_labels(a, b)))


def _star_rounds(edges: ray.data.Dataset, parts: int) -> ray.data.Dataset:
    current = edges.rename_columns({"a": "src", "b": "dst"}).select_columns(["src", "dst"])
    while True:
        large = _round(per_batch(current, _kernels.both_directions, parts=parts), parts, _kernels.large_star)
        # Large-star's edges come out partitioned by their larger end, as small-star groups them.
        small = _round(large, parts, _kernels.small_star)
        changed = _total(large, "changed") + _total(small, "changed")
        current = small
        if changed == 0:
            break
    # Converged: every component is a star around its smallest row; group the edges by that centre.
    return per_partition(current, parts, _kernels.star_labels)


def _round(dataset: ray.data.Dataset, parts: int, kernel: Kernel) -> ray.data.Dataset:
    materialized: ray.data.Dataset = per_partition(dataset, parts, kernel, parts=parts).materialize()
    return materialized


def _total(dataset: ray.data.Dataset, column: str) -> int:
    total = dataset.sum(column)
    return int(total) if isinstance(total, int | float) else 0
