"""Near-duplicate removal on a Ray cluster: the same stages and the same answer as :func:`tamis.dedup`, on
Ray Data, with tamis' Rust kernels doing the work inside each task.

>>> import ray, tamis.ray                                           # doctest: +SKIP
>>> result = tamis.ray.dedup(ray.data.read_parquet("s3://bucket/crawl/"), column="text")  # doctest: +SKIP
>>> result.kept.write_parquet("s3://bucket/crawl-dedup/")           # doctest: +SKIP

Needs the ``ray`` extra: ``pip install "tamis[ray]"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

try:
    import ray
    import ray.data
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError('tamis.ray needs Ray Data: pip install "tamis[ray]"') from error

from tamis.errors import InvalidOptionError
from tamis.near import Keep
from tamis.ray._checkpoints import Checkpoints
from tamis.ray._pipeline import Pipeline
from tamis.text import Normalize

__all__ = ["RayDedupResult", "dedup"]


@dataclass(frozen=True)
class RayDedupResult:
    """What :func:`dedup` found; each table is a Ray Dataset."""

    kept: ray.data.Dataset
    """The input rows that survive, with the input's columns (rows outside clusters, one survivor per
    cluster, rows with a null text)."""
    clusters: ray.data.Dataset
    """One row per record in a cluster: ``row`` (position in the input), ``cluster`` (the cluster's
    smallest row), ``survivor``, ``kept`` and ``similarity`` (to the survivor)."""
    pairs: ray.data.Dataset
    """The edges that joined clusters: ``a < b`` rows and their ``similarity`` (1 for exact
    duplicates)."""
    stats: dict[str, Any]
    """``records``, ``nulls``, ``exact_duplicates``, ``candidates``, ``verified``, ``rejected``,
    ``clusters``, ``removed``, ``bands``, ``rows``, ``resumed_stages`` (stages read back from
    ``work_dir``) and ``stage_seconds`` (wall time of each stage; the kept rows are computed lazily,
    when ``kept`` is consumed)."""


def dedup(
    dataset: ray.data.Dataset,
    column: str = "text",
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    unit: Literal["word", "char"] = "word",
    ngram: int = 5,
    normalize: Normalize = "standard",
    method: Literal["fss", "classic"] = "fss",
    seed: int = 1,
    bands: int | None = None,
    rows: int | None = None,
    fp_weight: float = 0.02,
    fn_weight: float = 0.98,
    verify: Literal["exact", "estimate"] = "exact",
    keep: Keep = "first",
    score: str | None = None,
    work_dir: str | None = None,
    resume: bool = False,
    partitions: int | None = None,
    driver_limit: int = 5_000_000,
) -> RayDedupResult:
    """Remove near duplicates from ``dataset`` on Ray: the options and the answer of :func:`tamis.dedup`
    (for the same input, options and seed, the same clusters and survivors, whatever the number of
    workers and blocks; rows are numbered in the dataset's order).

    ``work_dir`` keeps each finished stage as Parquet; ``resume=True`` reads back the finished stages of an
    earlier run with the same options. ``partitions`` sets the shuffle width (default: the cluster's CPUs,
    more for big inputs). Components and the final filter run on the driver when they involve at most
    ``driver_limit`` edges or removed rows (a shortcut that gives the same answer; 0 always shuffles).
    """
    if keep in ("max", "min") and score is None:
        raise InvalidOptionError(f"keep={keep!r} needs score=<name of a numeric column>")
    options: dict[str, Any] = {
        "threshold": threshold,
        "num_perm": num_perm,
        "unit": unit,
        "ngram": ngram,
        "normalize": normalize,
        "method": method,
        "seed": seed,
        "bands": bands,
        "rows": rows,
        "fp_weight": fp_weight,
        "fn_weight": fn_weight,
        "verify": verify,
        "keep": keep,
    }
    checkpoints = Checkpoints(work_dir, resume, {"column": column, "score": score, "options": options})
    pipeline = Pipeline(column, options, score, checkpoints, partitions, driver_limit)
    kept, clusters, pairs = pipeline.run(dataset)
    stats = dict(pipeline.stats)
    stats["rejected"] = stats["candidates"] - stats["verified"]
    stats["resumed_stages"] = list(checkpoints.resumed)
    stats["stage_seconds"] = dict(checkpoints.seconds)
    return RayDedupResult(kept=kept, clusters=clusters, pairs=pairs, stats=stats)
