"""Tokenizer speed: tamis vs tiktoken, side by side in one run, on the same texts and the same rank files.

    uv run python bench/bench_tokenizer.py [--size-mb 20] [--encodings cl100k_base,o200k_base] [--repeat 3]

Each measurement runs in its own process (so load time and RSS are its own). tiktoken runs offline: its rank
files are the ones bundled with tamis, decompressed to a temporary directory (tiktoken's own sha256 check
applies). Reported:

- import, load: in a fresh process, seconds to import the library, then seconds to get a ready encoding
  (tamis: bundled zstd file; tiktoken: plain rank file on disk), and the process RSS right after (Python +
  the library + the encoding);
- 1 thread: MB/s of ``encode_ordinary`` called once per record, in a Python loop; both libraries in one
  process (tamis' pool set to one thread), their passes over the corpus alternated (tiktoken first in odd
  rounds, tamis first in even ones), --repeat rounds: each library's best pass, and the median over rounds of
  the ratio of the two passes of a round. On a shared machine whose speed drifts by tens of percent within
  minutes, two passes a second apart see the same machine where two processes minutes apart did not;
- batch: MB/s of ``encode_ordinary_batch`` on every record at once, on 1 and on 2 threads (tiktoken
  ``num_threads=N``; tamis ``_tamis.set_thread_count(N)`` in its own process), and tamis ``count_batch``; the
  2-thread / 1-thread ratio says how each library scales on a second core. tamis' 1- and 2-thread processes
  run ``BATCH_PAIRS`` times, alternated: the best of each, and the median ratio of the pairs;
- pathological inputs: seconds for one ``encode_ordinary`` call (in one process, the best of --repeat
  calls or of as many as fit in one second, whichever is more: one slow call on a shared machine is noise) on
  100 KB and 1 MB of a degenerate text, and the ratio (10 means linear). tiktoken gets --patho-timeout
  seconds per input and may crash. tamis encodes a text of 64 KB or more on all cores; its 1 MB time on
  one thread (``_tamis.set_thread_count(1)``) is the last column.

The corpus is real text: the records of examples/poe.jsonl and, when ``../shared/corpora/gutenberg`` exists,
paragraphs of the Gutenberg books (bench/corpus.py), up to --size-mb.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
ASSETS = ROOT / "crates" / "tamis-core" / "assets"
DATA = BENCH / "data"
# Seconds of calls timed per pathological input, at the least (see the module docstring).
PATHOLOGICAL_BUDGET_S = 1.0
CONTENDERS = ("tiktoken", "tamis")
# tamis' batch runs on one and on two threads (separate processes: the pool's size is fixed per process) are
# alternated this many times; the 2/1 ratio of each pair is reported with the best runs'.
BATCH_PAIRS = 5
sys.path.insert(0, str(BENCH))


# ------------------------------------------------------------------------------------------------------------
# Inputs


def corpus(size_mb: int) -> list[str]:
    """Real paragraphs, about ``size_mb`` MB of UTF-8, cached under bench/data/."""
    path = DATA / f"tokenizer-{size_mb}mb.json"
    if path.exists():
        texts: list[str] = json.loads(path.read_text(encoding="utf-8"))
        return texts
    texts = [json.loads(line)["text"] for line in (ROOT / "examples" / "poe.jsonl").open(encoding="utf-8")]
    try:
        from corpus import GUTENBERG, gutenberg_paragraphs

        if GUTENBERG.exists():
            texts += [text for _, text in gutenberg_paragraphs()]
    except ImportError:
        pass
    budget = size_mb * 1_000_000
    chosen, total = [], 0
    while total < budget:
        for text in texts:
            chosen.append(text)
            total += len(text.encode("utf-8"))
            if total >= budget:
                break
    DATA.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(chosen, ensure_ascii=False), encoding="utf-8")
    return chosen


def pathological(kind: str, size: int) -> str:
    rng = random.Random(99)
    if kind == "one letter":
        return "a" * size
    if kind == "random lowercase":
        return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=size))
    if kind == "random CJK":
        return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(size // 3))
    if kind == "spaces then a letter":
        return " " * (size - 1) + "a"
    if kind == "newlines":
        return "\n" * size
    if kind == "random base64":
        return base64.b64encode(rng.randbytes(size * 3 // 4)).decode("ascii")
    if kind == "digits":
        return "".join(rng.choices("0123456789", k=size))
    if kind == "random bytes as text":  # U+FFFD for each invalid sequence, cut to ``size`` bytes
        return rng.randbytes(size).decode("utf-8", "replace").encode()[:size].decode("utf-8", "ignore")
    raise ValueError(kind)


PATHOLOGICAL = [
    "one letter",
    "random lowercase",
    "random CJK",
    "spaces then a letter",
    "newlines",
    "random base64",
    "digits",
    "random bytes as text",
]


# ------------------------------------------------------------------------------------------------------------
# Workers (one process each)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def import_library(contender: str) -> None:
    """Imports a library and what its ``load`` uses, so that ``load`` times the encoding alone."""
    if contender == "tamis":
        import tamis  # noqa: F401
    else:
        import tiktoken
        import tiktoken.load  # noqa: F401
        from tiktoken_ext import openai_public  # noqa: F401


def load(contender: str, name: str, rank_dir: str) -> Any:
    if contender == "tamis":
        import tamis

        return tamis.get_encoding(name)
    import tiktoken
    import tiktoken.load
    from tiktoken_ext import openai_public

    def offline(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        path = Path(rank_dir) / url.rsplit("/", 1)[-1]
        return tiktoken.load.load_tiktoken_bpe(str(path), expected_hash=expected_hash)

    openai_public.load_tiktoken_bpe = offline
    return tiktoken.Encoding(**getattr(openai_public, name)())


def worker(args: argparse.Namespace) -> dict[str, Any]:
    if args.threads and args.contender != "tiktoken":
        from tamis import _tamis

        _tamis.set_thread_count(args.threads)  # before any parallel call
    if args.task == "throughput":
        return alternated_throughput(args)
    started = time.perf_counter()
    import_library(args.contender)
    imported = time.perf_counter()
    encoding = load(args.contender, args.encoding, args.rank_dir)
    result: dict[str, Any] = {
        "import_s": imported - started,
        "load_s": time.perf_counter() - imported,
        "rss_mb": rss_mb(),
    }
    if args.task == "load":
        pass
    elif args.task == "batch":
        texts = corpus(args.size_mb)
        best = float("inf")
        batch_tokens = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            batch = encoding.encode_ordinary_batch(texts, num_threads=args.threads)
            best = min(best, time.perf_counter() - started)
            batch_tokens = sum(map(len, batch))
            del batch
        result.update(batch_s=best, batch_tokens=batch_tokens)
        if args.contender == "tamis":
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                counted = int(encoding.count_batch(texts).sum())
                best = min(best, time.perf_counter() - started)
            result.update(count_s=best, count_tokens=counted)
    else:
        text = pathological(args.kind, args.size)
        best = float("inf")
        count = 0
        calls = 0
        spent = 0.0
        # At least --repeat calls, and more while they add up to under PATHOLOGICAL_BUDGET_S: the same
        # rule for both libraries, so a call of 1 s is timed --repeat times and one of 20 ms about 50.
        while calls < args.repeat or spent < PATHOLOGICAL_BUDGET_S:
            started = time.perf_counter()
            tokens = encoding.encode_ordinary(text)
            elapsed = time.perf_counter() - started
            best = min(best, elapsed)
            spent += elapsed
            calls += 1
            count = len(tokens)
            del tokens  # freeing the list is not part of the next call's time
        result.update(seconds=best, tokens=count, calls=calls)
    return result


def alternated_throughput(args: argparse.Namespace) -> dict[str, Any]:
    """One-thread ``encode_ordinary`` loops of both libraries, in one process, their passes alternated."""
    encodings = {contender: load(contender, args.encoding, args.rank_dir) for contender in CONTENDERS}
    texts = corpus(args.size_mb)
    size = sum(len(text.encode("utf-8")) for text in texts)
    best = dict.fromkeys(CONTENDERS, float("inf"))
    tokens = dict.fromkeys(CONTENDERS, 0)
    round_ratios = []
    for round_index in range(args.repeat):
        order = CONTENDERS if round_index % 2 == 0 else CONTENDERS[::-1]
        seconds = {}
        for contender in order:
            encoding = encodings[contender]
            started = time.perf_counter()
            tokens[contender] = sum(len(encoding.encode_ordinary(text)) for text in texts)
            seconds[contender] = time.perf_counter() - started
            best[contender] = min(best[contender], seconds[contender])
        round_ratios.append(seconds["tiktoken"] / seconds["tamis"])
    return {
        "bytes": size,
        "tokens": tokens,
        "single_s": best,
        "median_round_ratio": statistics.median(round_ratios),
    }


# ------------------------------------------------------------------------------------------------------------
# Driver


def run_worker(extra: list[str], rank_dir: str, timeout: float | None = None) -> dict[str, Any] | str:
    command = [sys.executable, __file__, "--worker", "--rank-dir", rank_dir, *extra]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s"
    if done.returncode != 0:
        return "crash (stack overflow)" if "StackOverflow" in done.stderr else "crash"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def decompress_rank_files(target: Path) -> None:
    import zstandard

    for source in ASSETS.glob("*.tiktoken.zst"):
        data = zstandard.ZstdDecompressor().decompress(source.read_bytes(), max_output_size=1 << 24)
        (target / source.name.removesuffix(".zst")).write_bytes(data)


def ratio(ours: float, theirs: float) -> str:
    return f"{theirs / ours:.1f}x" if ours > 0 else ""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=20)
    parser.add_argument("--encodings", default="cl100k_base,o200k_base")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--patho-timeout", type=float, default=120.0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rank-dir", help=argparse.SUPPRESS)
    parser.add_argument("--contender", help=argparse.SUPPRESS)
    parser.add_argument("--encoding", help=argparse.SUPPRESS)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return

    texts = corpus(args.size_mb)
    size = sum(len(text.encode("utf-8")) for text in texts)
    print(
        f"corpus: {len(texts):,} records, {size / 1e6:.1f} MB; {os.cpu_count()} CPU cores; "
        f"load average {os.getloadavg()[0]:.1f}; repeat {args.repeat}\n"
    )
    with tempfile.TemporaryDirectory() as rank_dir:
        decompress_rank_files(Path(rank_dir))
        for name in args.encodings.split(","):
            common = ["--encoding", name, "--size-mb", str(args.size_mb), "--repeat", str(args.repeat)]
            throughput = run_worker(["--task", "throughput", "--threads", "1", *common], rank_dir)
            assert isinstance(throughput, dict), throughput
            results = {}
            for contender in CONTENDERS:
                result = run_worker(["--contender", contender, "--task", "load", *common], rank_dir)
                assert isinstance(result, dict), result
                result.update(
                    bytes=throughput["bytes"],
                    tokens=throughput["tokens"][contender],
                    single_s=throughput["single_s"][contender],
                )
                runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
                for _ in range(BATCH_PAIRS if contender == "tamis" else 1):
                    for threads in (1, 2):
                        batch = run_worker(
                            ["--contender", contender, "--task", "batch", "--threads", str(threads), *common],
                            rank_dir,
                        )
                        assert isinstance(batch, dict), batch
                        assert (
                            batch["batch_tokens"]
                            == result["tokens"]
                            == batch.get("count_tokens", result["tokens"])
                        )
                        runs[threads].append(batch)
                for threads, measured in runs.items():
                    for key in ("batch", "count"):
                        if f"{key}_s" in measured[0]:
                            result[f"{key}{threads}_s"] = min(run[f"{key}_s"] for run in measured)
                for key in ("batch", "count"):
                    if f"{key}_s" in runs[1][0]:
                        result[f"{key}_pair_ratio"] = statistics.median(
                            one[f"{key}_s"] / two[f"{key}_s"]
                            for one, two in zip(runs[1], runs[2], strict=True)
                        )
                results[contender] = result
            ours, theirs = results["tamis"], results["tiktoken"]
            assert ours["tokens"] == theirs["tokens"], (ours, theirs)
            mb = ours["bytes"] / 1e6
            print(f"### {name} ({ours['tokens']:,} tokens)\n")
            print("| measure | tiktoken | tamis | tamis speed-up |")
            print("|---|---:|---:|---:|")
            for label, key in (("import (s)", "import_s"), ("load (s)", "load_s")):
                print(f"| {label} | {theirs[key]:.3f} | {ours[key]:.3f} | {ratio(ours[key], theirs[key])} |")
            print(f"| RSS after load (MB) | {theirs['rss_mb']:.0f} | {ours['rss_mb']:.0f} | |")
            for label, key in (
                ("1 thread, encode_ordinary (MB/s)", "single_s"),
                ("batch, 1 thread (MB/s)", "batch1_s"),
                ("batch, 2 threads (MB/s)", "batch2_s"),
            ):
                speed_up = ratio(ours[key], theirs[key])
                print(f"| {label} | {mb / theirs[key]:.1f} | {mb / ours[key]:.1f} | {speed_up} |")
            print(
                f"| 1 thread, median of the rounds' ratios ({args.repeat} rounds) | | | "
                f"{throughput['median_round_ratio']:.1f}x |"
            )
            print(
                f"| batch, 2 threads / 1 thread | {theirs['batch1_s'] / theirs['batch2_s']:.2f}x | "
                f"{ours['batch1_s'] / ours['batch2_s']:.2f}x | |"
            )
            print(
                f"| batch, 2 threads / 1 thread, median of {BATCH_PAIRS} alternated pairs of runs | | "
                f"{ours['batch_pair_ratio']:.2f}x | |"
            )
            for threads in (1, 2):
                key = f"count{threads}_s"
                print(
                    f"| count_batch, {threads} thread{'s' if threads > 1 else ''} (MB/s) | | "
                    f"{mb / ours[key]:.1f} | {ratio(ours[key], theirs[f'batch{threads}_s'])} |"
                )
            print(f"| count_batch, 2 threads / 1 thread | | {ours['count1_s'] / ours['count2_s']:.2f}x | |")
            print(
                f"| count_batch, 2 threads / 1 thread, median of {BATCH_PAIRS} alternated pairs | | "
                f"{ours['count_pair_ratio']:.2f}x | |"
            )
            print()

            print(f"Pathological inputs ({name}): seconds for one encode_ordinary call\n")
            print(
                "| input | tiktoken 100 KB | tiktoken 1 MB | ratio | tamis 100 KB | tamis 1 MB | ratio "
                "| tamis 1 MB, 1 thread |"
            )
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            for kind in PATHOLOGICAL:
                cells, seconds = [], []
                for contender, size_bytes, threads in (
                    ("tiktoken", 100_000, 0),
                    ("tiktoken", 1_000_000, 0),
                    ("tamis", 100_000, 0),
                    ("tamis", 1_000_000, 0),
                    ("tamis", 1_000_000, 1),
                ):
                    extra = ["--threads", str(threads)] if threads else []
                    outcome = run_worker(
                        [
                            "--contender",
                            contender,
                            "--task",
                            "pathological",
                            "--encoding",
                            name,
                            "--kind",
                            kind,
                            "--size",
                            str(size_bytes),
                            "--repeat",
                            str(args.repeat),
                            *extra,
                        ],
                        rank_dir,
                        timeout=args.patho_timeout,
                    )
                    cells.append(f"{outcome['seconds']:.3f}" if isinstance(outcome, dict) else outcome)
                    seconds.append(outcome["seconds"] if isinstance(outcome, dict) else None)
                    if size_bytes == 1_000_000 and not threads:
                        small, big = seconds[-2:]
                        cells.append(f"{big / small:.1f}" if small and big else "")
                print(f"| {kind} | " + " | ".join(cells) + " |")
            print()


if __name__ == "__main__":
    main()
