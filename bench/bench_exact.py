"""Exact deduplication of a >= 200 MB JSONL crawl: tamis vs a plain Python baseline vs polars, in one run.

    uv run --group bench python bench/bench_exact.py [--size-mb 220] [--repeat 2]

Each contender runs in its own process (so peak RSS is its own), on the same file, deduplicating by the raw
"text" field and writing the kept records to a file. Reports wall time (best of --repeat), MB/s, peak RSS and
the kept count (all must agree), then the ratios. tamis is also shown with its normalizing modes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import crawl_jsonl


def run_python_baseline(source: Path, output: Path) -> int:
    import orjson
    import xxhash

    seen: set[bytes] = set()
    kept = 0
    with source.open("rb") as lines, output.open("wb") as sink:
        for line in lines:
            if not line.strip():
                continue
            key = xxhash.xxh3_128_digest(orjson.loads(line)["text"].encode("utf-8"))
            if key not in seen:
                seen.add(key)
                sink.write(line)
                kept += 1
    return kept


def run_polars(source: Path, output: Path) -> int:
    import polars as pl

    frame = pl.read_ndjson(source).unique(subset=["text"], keep="first", maintain_order=True)
    frame.write_ndjson(output)
    return frame.height


def run_tamis(source: Path, output: Path, normalize: str) -> int:
    import tamis

    stats = tamis.dedup_files_exact([source], output, normalize=normalize)  # type: ignore[arg-type]
    return stats["kept"]


CONTENDERS = {
    "python (orjson + xxh3 set)": ["python"],
    "polars read_ndjson + unique": ["polars"],
    "tamis --normalize none": ["tamis", "none"],
    "tamis --normalize whitespace": ["tamis", "whitespace"],
    "tamis --normalize standard": ["tamis", "standard"],
}


def child(kind: str, source: Path, output: Path, normalize: str | None) -> None:
    started = time.perf_counter()
    if kind == "python":
        kept = run_python_baseline(source, output)
    elif kind == "polars":
        kept = run_polars(source, output)
    else:
        kept = run_tamis(source, output, normalize or "none")
    seconds = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "kept": kept, "rss_mb": peak_rss_mb}))


def measure(args: list[str], source: Path) -> tuple[float, int, float]:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "out.jsonl"
        command = [sys.executable, __file__, "--child", *args[:1], str(source), str(output), *args[1:]]
        completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
        result = json.loads(completed.stdout)
        return result["seconds"], result["kept"], result["rss_mb"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=220)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, source, output, *rest = args.child
        child(kind, Path(source), Path(output), rest[0] if rest else None)
        return

    source = crawl_jsonl(args.size_mb * 1_000_000)
    size_mb = source.stat().st_size / 1e6
    with source.open("rb") as lines:
        records = sum(1 for _ in lines)
    print(f"corpus: {source.name}, {size_mb:.0f} MB, {records:,} records; {os.cpu_count()} CPUs\n")
    rows = []
    for name, spec in CONTENDERS.items():
        runs = [measure(spec, source) for _ in range(args.repeat)]
        seconds = min(run[0] for run in runs)
        rows.append((name, seconds, runs[0][1], max(run[2] for run in runs)))
    baseline = rows[0][1]
    polars = rows[1][1]
    print("| contender | seconds | MB/s | kept | peak RSS (MB) | vs python | vs polars |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, seconds, kept, rss in rows:
        print(
            f"| {name} | {seconds:.2f} | {size_mb / seconds:.0f} | {kept:,} | {rss:.0f} | "
            f"{baseline / seconds:.1f}x | {polars / seconds:.2f}x |"
        )
    raw = {row[2] for row in rows[:3]}
    if len(raw) != 1:
        raise SystemExit(f"contenders disagree on the kept count: {raw}")


if __name__ == "__main__":
    main()
