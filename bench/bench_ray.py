"""tamis.ray on this machine: wall time per stage with 1 and 2 worker CPUs, at two corpus sizes (to separate
each stage's fixed cost from its per-byte cost), next to the local engine on the same records. The figures
feed the 1 TB extrapolation in docs/scaling.md.

    make bench-ray            (or: uv run python bench/bench_ray.py)
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from pathlib import Path

# Under `uv run`, Ray would start its workers in a fresh `uv run` environment without the built extension;
# Ray reads this when imported.
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")

import ray
import ray.data

import tamis
import tamis.ray
from corpus import DATA, crawl_jsonl

SIZES_MB = (25, 50)


def head_of(path: Path, megabytes: int) -> Path:
    """The first ``megabytes`` of the crawl, whole lines."""
    out = DATA / f"ray-{megabytes}mb.jsonl"
    if not out.exists():
        with path.open("rb") as source, out.open("wb") as sink:
            written = 0
            for line in source:
                if written >= megabytes * 1_000_000:
                    break
                sink.write(line)
                written += len(line)
    return out


def run_ray(path: Path, cpus: int) -> dict[str, object]:
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        started = time.perf_counter()
        result = tamis.ray.dedup(ray.data.read_json(str(path)))
        kept_started = time.perf_counter()
        kept = result.kept.count()
        seconds = dict(result.stats["stage_seconds"])
        seconds["kept"] = round(time.perf_counter() - kept_started, 3)
        return {
            "total": round(time.perf_counter() - started, 2),
            "stages": seconds,
            "kept": kept,
            "records": result.stats["records"],
            "removed": result.stats["removed"],
        }
    finally:
        ray.shutdown()


def run_local(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    stats = tamis.dedup_files([path], DATA / "ray-local.jsonl")
    return time.perf_counter() - started, stats["kept"]


def kernel_costs(path: Path) -> dict[str, float]:
    """Seconds per MB of input for each Rust kernel, run in this process on all cores (no Ray): what
    a worker spends per MB, whatever the scheduler."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.json

    from tamis import _tamis
    from tamis.ray import _kernels

    megabytes = path.stat().st_size / 1e6
    started = time.perf_counter()
    texts = pyarrow.json.read_json(path)["text"].combine_chunks()
    read_seconds = time.perf_counter() - started
    plan = _tamis.NearPlan()
    rows = np.arange(len(texts), dtype=np.uint64)
    started = time.perf_counter()
    band = plan.band_rows(texts, rows, 1)
    band_seconds = time.perf_counter() - started
    started = time.perf_counter()
    links = _kernels.bucket_links(pa.table(band), 1)
    bucket_seconds = time.perf_counter() - started
    candidates = links.filter(pa.compute.invert(links["exact"]))
    a, b = candidates["a"].to_numpy(), candidates["b"].to_numpy()
    started = time.perf_counter()
    plan.pair_similarity(texts.take(a), texts.take(b))
    verify_seconds = time.perf_counter() - started
    return {
        "read_jsonl_s_per_mb": read_seconds / megabytes,
        "band_rows_s_per_mb": band_seconds / megabytes,
        "bucket_links_s_per_mb": bucket_seconds / megabytes,
        "verify_s_per_mb": verify_seconds / megabytes,
        "band_rows_per_mb": len(band["row"]) / megabytes,
        "candidates_per_mb": len(a) / megabytes,
        "links_per_mb": links.num_rows / megabytes,
    }


def shuffle_costs(cpus: int) -> dict[str, float]:
    """Wall time of one Ray Data shuffle (groupby + a Rust kernel per group) of band-row-like tables at two
    volumes: its fixed cost and its cost per GB on ``cpus`` CPUs."""
    import numpy as np
    import pyarrow as pa

    from tamis.ray._kernels import dedupe_links
    from tamis.ray._ops import per_partition

    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        seconds = {}
        for rows in (5_000_000, 40_000_000):
            generator = np.random.default_rng(rows)
            table = pa.table(
                {
                    "a": generator.integers(0, 2**40, rows, dtype=np.uint64),
                    "b": generator.integers(0, 2**40, rows, dtype=np.uint64),
                    "exact": np.zeros(rows, dtype=np.bool_),
                    "part": generator.integers(0, 2 * cpus, rows, dtype=np.uint32),
                }
            )
            dataset = ray.data.from_arrow([table.slice(i, rows // 8) for i in range(0, rows, rows // 8)])
            dataset = dataset.materialize()
            started = time.perf_counter()
            per_partition(dataset, 2 * cpus, dedupe_links).materialize()
            seconds[rows] = (time.perf_counter() - started, table.nbytes / 1e9)
        (small, small_gb), (big, big_gb) = seconds[5_000_000], seconds[40_000_000]
        per_gb = (big - small) / (big_gb - small_gb)
        return {"fixed_s": small - per_gb * small_gb, "s_per_gb": per_gb, "big_gb": big_gb, "big_s": big}
    finally:
        ray.shutdown()


def main() -> None:
    crawl = crawl_jsonl(60_000_000)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    results = {}
    for megabytes, cpus in itertools.product(SIZES_MB, (1, 2)):
        if megabytes != SIZES_MB[-1] and cpus == 1:
            continue
        path = head_of(crawl, megabytes)
        local_seconds, local_kept = run_local(path)
        measured = run_ray(path, cpus)
        assert measured["kept"] == local_kept, "tamis.ray must keep what the local engine keeps"
        results[f"{megabytes}MB/{cpus}cpu"] = {**measured, "local_seconds": round(local_seconds, 2)}
        print(f"{megabytes} MB, {cpus} CPU: {json.dumps(results[f'{megabytes}MB/{cpus}cpu'])}")
    print("kernel costs, all cores, no Ray:", json.dumps(kernel_costs(head_of(crawl, SIZES_MB[-1]))))
    for cpus in (2, 1):
        print(f"one shuffle, {cpus} CPU:", json.dumps(shuffle_costs(cpus)))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    two, one = results[f"{SIZES_MB[-1]}MB/2cpu"], results[f"{SIZES_MB[-1]}MB/1cpu"]
    print(f"2 CPUs vs 1 at {SIZES_MB[-1]} MB: {one['total'] / two['total']:.2f}x")  # type: ignore[operator]


if __name__ == "__main__":
    main()
