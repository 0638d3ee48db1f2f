"""Near-duplicate dedup end to end: tamis vs a datasketch pipeline vs a rensa pipeline, in one run.

    uv run --group bench python bench/bench_pipeline.py [--part all|scale|quality|memory] [--size-mb 550]

Same shingles for everyone. tamis compares word 5-grams of its ``standard`` normalization (NFKC, lowercase,
punctuation removed, white space collapsed), cut at Unicode word boundaries. After that normalization the
words are (almost exactly: a symbol such as "+" stays inside a word here) ``tamis.normalize(text).split()``,
so the peers' Python shingling is: those words, 5-grams joined by a space (fewer than 5 words: one shingle
of all of them; no word: no shingle). That is cheaper than a regex and the same definition as tamis'. The
brute-force truth (exact Jaccard >= 0.8, found exhaustively) uses the same shingle sets.

The peers, as their users would write them (MinHash with 128 slots, LSH at threshold 0.8, no verification):
- datasketch: Python shingling, ``MinHash.bulk`` (permutations shared), ``MinHashLSH(threshold=0.8,
  num_perm=128)``: each document queries the index, then joins it (the same candidate pairs as inserting
  all then querying all, in one pass);
- rensa: Python shingling, ``RMinHash.from_token_sets`` (rayon), ``RMinHashLSH(0.8, 128, 16)``
  ``insert_many`` + ``query_all`` per batch of records;
- both join their candidate pairs by union-find and keep the first record of each cluster.
tamis: the ``tamis dedup`` CLI with its defaults (exact duplicates first, MinHash, LSH, every candidate
verified by exact Jaccard), or ``tamis.dedup`` on a list.

Part 1, scale: each contender in its own child process does the whole job on a >= 500 MB JSONL crawl with
real near duplicates (bench/corpus.py near_crawl_jsonl): read the file, shingle, sketch, index, cluster,
write the kept lines. Wall time (interpreter start included), MB/s, peak RSS of the child (its VmHWM),
kept records, and how the outputs agree.

Part 2, quality: the three pipelines on the same --docs documents (bench_minhash's corpus: distinct
Gutenberg/Poe paragraphs plus 10% edited copies) against the brute-force truth: recall and precision of
cluster membership, recall of truth pairs (both records in one cluster), precision of the edges each
pipeline joins (tamis: its verified edges, ``DedupResult.pairs``; peers: their LSH candidates).

Part 3, memory: peak RSS of ``tamis dedup`` at several sizes on the crawl (half exact re-crawls) and on a
low-duplication corpus (distinct_jsonl: nearly every record survives to the MinHash stage).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import orjson

import tamis
from corpus import crawl_jsonl, distinct_jsonl, near_crawl_jsonl

THRESHOLD = 0.8
NUM_PERM = 128
NGRAM = 5
RENSA_BANDS = 16
BATCH_RECORDS = 10_000
PEERS = ("rensa", "datasketch")

Unit = TypeVar("Unit", str, bytes)
Pair = tuple[int, int]


# Python shingling, the same definition as tamis' (see the module docstring).


def ngrams(words: list[Unit], separator: Unit) -> list[Unit]:
    if len(words) <= NGRAM:
        return [separator.join(words)] if words else []
    # zip over shifted lists (they end together at the last window): about 20% faster than slicing.
    return list(map(separator.join, zip(*(words[i:] for i in range(NGRAM)), strict=False)))


def str_shingles(text: str) -> list[str]:
    return ngrams(tamis.normalize(text).split(), " ")


def byte_shingles(text: str) -> list[bytes]:
    """The same shingles as UTF-8 bytes (datasketch hashes bytes); the normalized text has only ASCII
    spaces, so splitting the bytes gives the same words."""
    return ngrams(tamis.normalize(text).encode().split(), b" ")


# The peers: incremental indexes that return the candidate pairs (earlier record, new record).


class PeerIndex(Protocol):
    def add(self, texts: Sequence[str]) -> list[Pair]: ...


# Each peer imports its library only when used: importing datasketch alone takes about a second, which
# the rensa child process should not pay.


class DatasketchIndex:
    def __init__(self) -> None:
        from datasketch import MinHash, MinHashLSH

        self.sketch_all = MinHash.bulk
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.size = 0

    def add(self, texts: Sequence[str]) -> list[Pair]:
        pairs = []
        for sketch in self.sketch_all([byte_shingles(t) for t in texts], num_perm=NUM_PERM):
            pairs.extend((other, self.size) for other in self.lsh.query(sketch))
            self.lsh.insert(self.size, sketch, check_duplication=False)
            self.size += 1
        return pairs


class RensaIndex:
    def __init__(self) -> None:
        from rensa import RMinHash, RMinHashLSH

        self.sketch_all = RMinHash.from_token_sets
        self.lsh = RMinHashLSH(THRESHOLD, NUM_PERM, RENSA_BANDS)
        self.size = 0

    def add(self, texts: Sequence[str]) -> list[Pair]:
        sketches = self.sketch_all([str_shingles(t) for t in texts], NUM_PERM, 1)
        self.lsh.insert_many(sketches, start_key=self.size)
        found = self.lsh.query_all(sketches)
        # A batch finds its pairs with earlier batches and within itself (both ways: keep one).
        first = self.size
        self.size += len(sketches)
        return [
            (other, first + row) for row, keys in enumerate(found) for other in keys if other < first + row
        ]


def peer_index(name: str) -> PeerIndex:
    return DatasketchIndex() if name == "datasketch" else RensaIndex()


class UnionFind:
    """Clusters of record numbers; each cluster's root is its first (smallest) record."""

    def __init__(self) -> None:
        self.parent: list[int] = []

    def grow(self, count: int) -> None:
        """Adds ``count`` records, each alone in its cluster."""
        start = len(self.parent)
        self.parent.extend(range(start, start + count))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union_all(self, pairs: Iterable[Pair]) -> None:
        for a, b in pairs:
            root_a, root_b = self.find(a), self.find(b)
            if root_a != root_b:
                self.parent[max(root_a, root_b)] = min(root_a, root_b)

    def roots(self) -> list[int]:
        return [self.find(x) for x in range(len(self.parent))]


def clustered(roots: list[int]) -> set[int]:
    """Records in a cluster of two or more."""
    sizes: dict[int, int] = {}
    for root in roots:
        sizes[root] = sizes.get(root, 0) + 1
    return {x for x, root in enumerate(roots) if sizes[root] > 1}


# Part 1: each contender does the whole job from the JSONL file, in its own process.


def line_batches(path: Path, limit_bytes: int | None) -> Iterator[list[bytes]]:
    """The file's lines in batches, stopping after ``limit_bytes`` (whole lines) when given."""
    read = 0
    with path.open("rb") as lines:
        while batch := list(itertools.islice(lines, BATCH_RECORDS)):
            yield batch
            read += sum(map(len, batch))
            if limit_bytes is not None and read >= limit_bytes:
                return


def run_peer(name: str, source: Path, output: Path, limit_bytes: int | None) -> None:
    """Read, shingle, sketch, index, union-find, then write the first record of each cluster."""
    index = peer_index(name)
    clusters = UnionFind()
    for batch in line_batches(source, limit_bytes):
        texts = [orjson.loads(line)["text"] for line in batch]
        clusters.grow(len(texts))
        clusters.union_all(index.add(texts))
    rows = itertools.count()
    with output.open("wb") as sink:
        for batch in line_batches(source, limit_bytes):
            for line in batch:
                row = next(rows)
                if clusters.find(row) == row:
                    sink.write(line)


def run_tamis(source: Path, output: Path) -> None:
    """`tamis dedup INPUT -o OUTPUT -q` (the CLI's defaults), in this process."""
    from tamis.cli import main as tamis_main

    if status := tamis_main(["dedup", str(source), "-o", str(output), "-q"]):
        raise SystemExit(status)


def own_peak_rss_mb() -> float:
    """This process' peak RSS since it started (VmHWM). Not ru_maxrss: Linux counts in a child's ru_maxrss
    the RSS of the parent it was forked from, which would charge the benchmark's own memory to it."""
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float


def measure(contender: str, source: Path, output: Path, limit_mb: int | None = None) -> Measured:
    """Wall time (interpreter start included) and peak RSS of one contender in its own child process."""
    argv = [sys.executable, __file__, "--contender", contender, "--input", str(source)]
    argv += ["--output", str(output), *(["--limit-mb", str(limit_mb)] if limit_mb else [])]
    start = time.perf_counter()
    child = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    return Measured(seconds, float(child.stdout.split()[-1]))


def count_lines(path: Path) -> int:
    with path.open("rb") as lines:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: lines.read(1 << 24), b""))


def line_hashes(path: Path) -> set[int]:
    with path.open("rb") as lines:
        return {hash(line) for line in lines}


def prefix_bytes(path: Path, limit_mb: int | None) -> int:
    """Bytes that a peer reads with --limit-mb: whole batches until the limit."""
    if limit_mb is None:
        return path.stat().st_size
    return sum(sum(map(len, batch)) for batch in line_batches(path, limit_mb * 1_000_000))


def scale(size_mb: int, source: Path | None, datasketch_mb: int | None) -> None:
    source = source or near_crawl_jsonl(size_mb * 1_000_000)
    megabytes = source.stat().st_size / 1e6
    records = count_lines(source)
    print(f"\n### Part 1, scale: the whole job on {source.name} ({megabytes:,.0f} MB, {records:,} records)\n")
    print("| contender | input MB | seconds | MB/s | peak RSS (MB) | kept records | tamis speed-up |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
        outputs = {name: Path(scratch) / f"{name}.jsonl" for name in ("tamis", *PEERS)}
        tamis_run = measure("tamis", source, outputs["tamis"])
        tamis_rate = megabytes / tamis_run.seconds
        print(
            f"| tamis dedup (CLI) | {megabytes:,.0f} | {tamis_run.seconds:.1f} | {tamis_rate:.1f} | "
            f"{tamis_run.peak_rss_mb:,.0f} | {count_lines(outputs['tamis']):,} | |",
            flush=True,
        )
        for name in PEERS:
            limit = datasketch_mb if name == "datasketch" else None
            read_mb = prefix_bytes(source, limit) / 1e6
            run = measure(name, source, outputs[name], limit)
            rate = read_mb / run.seconds
            print(
                f"| {name} pipeline | {read_mb:,.0f} | {run.seconds:.1f} | {rate:.1f} | "
                f"{run.peak_rss_mb:,.0f} | {count_lines(outputs[name]):,} | {tamis_rate / rate:.1f}x |",
                flush=True,
            )
        print("\ntamis speed-up: tamis' MB/s over the peer's (the ratio of seconds on the same input).")
        if datasketch_mb:
            print(
                f"datasketch ran on the first {datasketch_mb} MB only (--datasketch-mb): its kept count "
                "covers that prefix, and it is left out of the agreement."
            )
        agreement(outputs, full=[name for name in PEERS if name != "datasketch" or not datasketch_mb])


def agreement(outputs: dict[str, Path], full: list[str]) -> None:
    """Kept records shared by tamis and each peer that ran on the whole file (informative only)."""
    tamis_kept = line_hashes(outputs["tamis"])
    print("\nAgreement of the outputs with tamis' (records, by their exact line):\n")
    print("| peer | kept by both | removed by the peer, kept by tamis | kept by the peer, removed by tamis |")
    print("|---|---:|---:|---:|")
    for name in full:
        kept = line_hashes(outputs[name])
        both, only_tamis, only_peer = len(kept & tamis_kept), len(tamis_kept - kept), len(kept - tamis_kept)
        print(f"| {name} | {both:,} | {only_tamis:,} | {only_peer:,} |")


# Part 2: quality against the brute-force truth, on documents in memory.


@dataclass
class Quality:
    seconds: float
    members: set[int]
    roots: list[int]
    edges: list[Pair]


def peer_quality(name: str, docs: list[str]) -> Quality:
    start = time.perf_counter()
    edges = peer_index(name).add(docs)
    clusters = UnionFind()
    clusters.grow(len(docs))
    clusters.union_all(edges)
    roots = clusters.roots()
    seconds = time.perf_counter() - start
    return Quality(seconds, clustered(roots), roots, edges)


def tamis_quality(docs: list[str]) -> Quality:
    start = time.perf_counter()
    result = tamis.dedup(docs, threshold=THRESHOLD, num_perm=NUM_PERM)
    seconds = time.perf_counter() - start
    cluster = result.cluster.tolist()
    # Records outside clusters get their own negative label, so that only clustered records share one.
    roots = [label if label >= 0 else -1 - row for row, label in enumerate(cluster)]
    edges = list(zip(result.edge_a.tolist(), result.edge_b.tolist(), strict=True))
    return Quality(seconds, {row for row, label in enumerate(cluster) if label >= 0}, roots, edges)


def quality(n_docs: int) -> None:
    from bench_minhash import build_corpus, exact_pairs  # imports datasketch and rensa

    docs = build_corpus(n_docs)
    sets = [frozenset(byte_shingles(doc)) for doc in docs]
    start = time.perf_counter()
    truth_pairs = exact_pairs(sets, THRESHOLD)
    truth_seconds = time.perf_counter() - start
    truth = {row for pair in truth_pairs for row in pair}
    megabytes = sum(len(doc.encode()) for doc in docs) / 1e6

    def similar(a: int, b: int) -> bool:
        return len(sets[a] & sets[b]) >= THRESHOLD * len(sets[a] | sets[b])

    print(f"\n### Part 2, quality: {len(docs):,} documents ({megabytes:.1f} MB), J >= {THRESHOLD}\n")
    print(
        f"Brute-force truth ({truth_seconds:.0f} s): {len(truth_pairs):,} pairs, {len(truth):,} records "
        "in them.\n"
    )
    print(
        "| pipeline | seconds | docs/s | member recall | member precision | pair recall | edges "
        "| edge precision | tamis speed-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = {
        "datasketch (MinHashLSH, union-find)": peer_quality("datasketch", docs),
        "rensa (RMinHashLSH, union-find)": peer_quality("rensa", docs),
        "tamis.dedup (verified by exact Jaccard)": tamis_quality(docs),
    }
    tamis_seconds = results["tamis.dedup (verified by exact Jaccard)"].seconds
    for name, found in results.items():
        hits = len(found.members & truth)
        pair_hits = sum(found.roots[a] == found.roots[b] for a, b in truth_pairs)
        true_edges = sum(similar(a, b) for a, b in found.edges)
        speedup = "" if name.startswith("tamis") else f"{found.seconds / tamis_seconds:.0f}x"
        print(
            f"| {name} | {found.seconds:.2f} | {len(docs) / found.seconds:,.0f} "
            f"| {hits / max(len(truth), 1):.3f} | {hits / max(len(found.members), 1):.3f} "
            f"| {pair_hits / max(len(truth_pairs), 1):.3f} | {len(found.edges):,} "
            f"| {true_edges / max(len(found.edges), 1):.3f} | {speedup} |"
        )
    print(
        "\nMember: a record in a cluster of two or more (truth: in a pair with J >= 0.8). Pair recall: truth "
        "pairs whose two records share a cluster. Edges: the pairs that each pipeline joins (peers: LSH "
        "candidates; tamis: exact-duplicate and verified edges, a spanning set, not all pairs); edge "
        "precision: edges with exact J >= 0.8."
    )


# Part 3: peak RSS of the CLI by input size.


def memory(sizes_mb: list[int]) -> None:
    print("\n### Part 3, memory: peak RSS of `tamis dedup` (defaults) by input size\n")
    print("| corpus | MB | records | seconds | MB/s | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for corpus_name, build in [("crawl (half exact re-crawls)", crawl_jsonl), ("distinct", distinct_jsonl)]:
        points = []
        for size in sizes_mb:
            source = build(size * 1_000_000)
            megabytes = source.stat().st_size / 1e6
            with tempfile.TemporaryDirectory(dir=source.parent) as scratch:
                run = measure("tamis", source, Path(scratch) / "out.jsonl")
            points.append((megabytes, run.peak_rss_mb))
            print(
                f"| {corpus_name} | {megabytes:,.0f} | {count_lines(source):,} | {run.seconds:.1f} "
                f"| {megabytes / run.seconds:.1f} | {run.peak_rss_mb:,.0f} |",
                flush=True,
            )
        (small_mb, small_rss), (large_mb, large_rss) = points[0], points[-1]
        if large_mb > small_mb:
            growth = (large_rss - small_rss) / (large_mb - small_mb) * 100
            print(f"| {corpus_name}: growth | | | | | {growth:,.0f} MB per 100 MB of input |")


def describe_machine() -> None:
    extension = Path(tamis._tamis.__file__)
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(extension.stat().st_mtime))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}; "
        f"tamis {tamis.__version__} ({extension}, built {built}), datasketch 2, rensa 0.5; "
        f"load average at start {' '.join(f'{load:.2f}' for load in os.getloadavg())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=["all", "scale", "quality", "memory"], default="all")
    parser.add_argument("--size-mb", type=int, default=550, help="scale: size of the near-duplicate crawl")
    parser.add_argument("--scale-input", type=Path, help="scale: this JSONL file instead of the crawl")
    parser.add_argument("--datasketch-mb", type=int, help="scale: run datasketch on this prefix only")
    parser.add_argument("--docs", type=int, default=20_000, help="quality: number of documents")
    parser.add_argument("--memory-mb", default="250,500,1000", help="memory: input sizes, comma-separated")
    # A child process running one contender, then printing its peak RSS (used by the scale and memory parts).
    parser.add_argument("--contender", choices=["tamis", *PEERS], help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit-mb", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.contender:
        if args.contender == "tamis":
            run_tamis(args.input, args.output)
        else:
            run_peer(args.contender, args.input, args.output, args.limit_mb and args.limit_mb * 1_000_000)
        print(f"{own_peak_rss_mb():.1f}")
        return
    describe_machine()
    if args.part in ("all", "scale"):
        scale(args.size_mb, args.scale_input, args.datasketch_mb)
    if args.part in ("all", "quality"):
        quality(args.docs)
    if args.part in ("all", "memory"):
        memory([int(size) for size in args.memory_mb.split(",")])


if __name__ == "__main__":
    main()
