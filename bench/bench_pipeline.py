"""Near-duplicate dedup end to end: tamis vs a datasketch pipeline vs a rensa pipeline, in one run.

    uv run --group bench python bench/bench_pipeline.py [--size-mb 550] [--docs 20000]

Part 1, scale: `tamis dedup` (the CLI, near duplicates, defaults) on a >= 500 MB JSONL crawl built from real
text (bench/corpus.py), at two sizes, reporting MB/s and the peak RSS of the process.

Part 2, side by side with quality: the three pipelines on the same --docs real documents (bench_minhash's
corpus: distinct Gutenberg/Poe paragraphs plus 10% edited copies), each from raw text to clusters:
- datasketch: Python shingling (lowercase \\w+ words, 5-grams), MinHash(128).update_batch, MinHashLSH(0.8)
  insert + query, candidates joined by union-find (no verification, as datasketch users do);
- rensa: the same Python shingling, RMinHash, RMinHashLSH(0.8) insert_many + query_all, union-find;
- tamis: `tamis.dedup(texts)` (Rust shingling, MinHash, LSH, exact-Jaccard verification, clusters).
Quality: records in a cluster vs records in a pair with exact Jaccard >= 0.8 of the Python shingle sets,
found exhaustively (prefix filtering): membership recall and precision.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import datasketch
import rensa

import tamis
from bench_minhash import build_corpus, exact_pairs, python_shingles
from corpus import crawl_jsonl

THRESHOLD = 0.8
NUM_PERM = 128


def union_find_members(n: int, pairs: set[tuple[int, int]]) -> set[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    sizes: dict[int, int] = {}
    for x in range(n):
        sizes[find(x)] = sizes.get(find(x), 0) + 1
    return {x for x in range(n) if sizes[find(x)] > 1}


def datasketch_pipeline(docs: list[str]) -> set[int]:
    lsh = datasketch.MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    sketches = []
    for key, doc in enumerate(docs):
        minhash = datasketch.MinHash(num_perm=NUM_PERM)
        minhash.update_batch(python_shingles(doc))
        sketches.append(minhash)
        lsh.insert(key, minhash)
    pairs = {(min(i, j), max(i, j)) for i, m in enumerate(sketches) for j in lsh.query(m) if i != j}
    return union_find_members(len(docs), pairs)


def rensa_pipeline(docs: list[str]) -> set[int]:
    sets = [[shingle.decode() for shingle in python_shingles(doc)] for doc in docs]
    sketches = rensa.RMinHash.from_token_sets(sets, NUM_PERM, 1)
    lsh = rensa.RMinHashLSH(THRESHOLD, NUM_PERM, 16)
    lsh.insert_many(sketches)
    results = lsh.query_all(sketches)
    pairs = {(min(i, j), max(i, j)) for i, found in enumerate(results) for j in found if i != j}
    return union_find_members(len(docs), pairs)


def tamis_pipeline(docs: list[str]) -> set[int]:
    result = tamis.dedup(docs, threshold=THRESHOLD, num_perm=NUM_PERM)
    return {int(row) for row in (result.cluster >= 0).nonzero()[0]}


def scale(size_mb: int) -> tuple[float, float, float]:
    """(MB, seconds, peak RSS MB) of `tamis dedup` on a crawl of at least size_mb, in a child process."""
    source = crawl_jsonl(size_mb * 1_000_000)
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "tamis", "dedup", str(source), "-o", f"{scratch}/out.jsonl", "-q"]
        script = (
            "import resource, subprocess, sys, time\n"
            "t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True)\n"
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
        )
        child = [sys.executable, "-c", script, *command]
        out = subprocess.run(child, capture_output=True, text=True, check=True)
        seconds, rss = map(float, out.stdout.split())
    return source.stat().st_size / 1e6, seconds, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=550)
    parser.add_argument("--docs", type=int, default=20_000)
    args = parser.parse_args()

    print("### Scale: `tamis dedup` (near duplicates) on a JSONL crawl\n")
    print("| input | seconds | MB/s | peak RSS (MB) |")
    print("|---:|---:|---:|---:|")
    for size in (args.size_mb // 2, args.size_mb):
        mb, seconds, rss = scale(size)
        print(f"| {mb:,.0f} MB | {seconds:.1f} | {mb / seconds:.0f} | {rss:.0f} |")

    docs = build_corpus(args.docs)
    truth_pairs = exact_pairs([frozenset(python_shingles(doc)) for doc in docs], THRESHOLD)
    truth = {row for pair in truth_pairs for row in pair}
    megabytes = sum(len(doc.encode()) for doc in docs) / 1e6
    print(f"\n### Side by side on {len(docs):,} documents ({megabytes:.1f} MB), J >= {THRESHOLD}\n")
    print(f"Exact truth: {len(truth_pairs):,} pairs, {len(truth):,} records in them.\n")
    print("| pipeline | seconds | docs/s | recall | precision | tamis speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = []
    for name, pipeline in [
        ("datasketch (Python shingles, MinHashLSH, union-find)", datasketch_pipeline),
        ("rensa (Python shingles, RMinHashLSH, union-find)", rensa_pipeline),
        ("tamis.dedup (verified by exact Jaccard)", tamis_pipeline),
    ]:
        start = time.perf_counter()
        members = pipeline(docs)
        seconds = time.perf_counter() - start
        hits = len(members & truth)
        rows.append((name, seconds, hits / max(len(truth), 1), hits / max(len(members), 1)))
    tamis_seconds = rows[-1][1]
    for name, seconds, recall, precision in rows:
        speedup = "" if name.startswith("tamis") else f"{seconds / tamis_seconds:.0f}x"
        rate = len(docs) / seconds
        print(f"| {name} | {seconds:.2f} | {rate:,.0f} | {recall:.3f} | {precision:.3f} | {speedup} |")
    print(f"\n{os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
