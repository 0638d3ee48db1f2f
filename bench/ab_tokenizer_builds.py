"""Two builds of the extension, A and B, in one process: a one-thread loop of ``encode_ordinary`` over the
records of the tokenizer bench's corpus (the extension's own, without tamis' Python layer), the builds
alternated every ``--chunk`` records (which goes first alternates too).

    uv run python bench/ab_tokenizer_builds.py A.so B.so [--encoding o200k_base] [--passes 6]

Each ``.so`` is a build of ``tamis._tamis`` (``cargo build --release -p tamis-py`` leaves it at
``target/release/lib_tamis.so``; copy it aside before building the other). Prints each pass's MB/s of both
and B's speed over A's (A's time / B's time), then that ratio over all passes and its median and range.

On a shared machine whose speed drifts by tens of percent within seconds, builds timed in turns of whole
passes, or in separate processes, differ by more than most changes do; alternated every few hundred
records, both see the same machine, and A against a copy of itself gives 0.98-1.02 per pass.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tokenizer import corpus


def load_build(path: str) -> ModuleType:
    """Loads one build of ``tamis._tamis`` from ``path``: two builds are two files, so two modules."""
    loader = importlib.machinery.ExtensionFileLoader("tamis._tamis", path)
    spec = importlib.util.spec_from_file_location("tamis._tamis", path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument("--passes", type=int, default=6)
    parser.add_argument("--chunk", type=int, default=500, help="records per turn")
    parser.add_argument("--size-mb", type=int, default=20)
    args = parser.parse_args()

    builds = {"A": load_build(args.a), "B": load_build(args.b)}
    for build in builds.values():
        build.set_thread_count(1)
    encodings = {name: build.CoreEncoding.get(args.encoding) for name, build in builds.items()}
    texts = corpus(args.size_mb)
    size = sum(len(text.encode("utf-8")) for text in texts)
    chunks = [texts[at : at + args.chunk] for at in range(0, len(texts), args.chunk)]
    ratios = []
    totals = {"A": 0.0, "B": 0.0}
    for pass_index in range(args.passes):
        seconds = {"A": 0.0, "B": 0.0}
        for chunk_index, chunk in enumerate(chunks):
            order = ("A", "B") if (chunk_index + pass_index) % 2 == 0 else ("B", "A")
            for name in order:
                encode = encodings[name].encode_ordinary
                started = time.perf_counter()
                for text in chunk:
                    encode(text)
                seconds[name] += time.perf_counter() - started
        ratios.append(seconds["A"] / seconds["B"])
        for name in totals:
            totals[name] += seconds[name]
        print(
            f"pass {pass_index + 1}: A {size / seconds['A'] / 1e6:.1f} MB/s, "
            f"B {size / seconds['B'] / 1e6:.1f} MB/s, B/A {ratios[-1]:.3f}",
            flush=True,
        )
    print(
        f"B/A ({args.encoding}): {totals['A'] / totals['B']:.3f} over all passes, "
        f"median {statistics.median(ratios):.3f}, range {min(ratios):.3f}-{max(ratios):.3f}"
    )


if __name__ == "__main__":
    main()
