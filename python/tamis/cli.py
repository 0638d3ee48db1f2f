"""The ``tamis`` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tamis import __version__, _tamis
from tamis.dedup import dedup_files_exact
from tamis.errors import InvalidOptionError, TamisError
from tamis.near import dedup_files
from tamis.tokenizer import count_tokens_files, encoding_name_for_model, list_encoding_names

if TYPE_CHECKING:
    from tamis.stats import DedupStats, NearFileStats, ThresholdGuide, TokenStats
    from tamis.text import ChatScope

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tamis",
        description="Prepare text datasets for language models: deduplicate, tokenize.",
    )
    parser.add_argument("--version", action="version", version=f"tamis {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dedup = commands.add_parser(
        "dedup",
        help="remove duplicate and near-duplicate records from JSONL or text files",
        description=(
            "Remove near-duplicate records (MinHash + LSH, every candidate verified by exact Jaccard), "
            "exact duplicates included. Inputs (JSONL or text, optionally .gz/.zst) are deduplicated "
            "together, in order; kept records are written unchanged. --exact removes only exact duplicates."
        ),
    )
    dedup.add_argument("inputs", nargs="+", metavar="INPUT", help="input files")
    dedup.add_argument("-o", "--output", required=True, help="output file (kept lines copied unchanged)")
    dedup.add_argument(
        "--exact",
        action="store_true",
        help="only exact duplicates: identical text after normalization (faster, one pass)",
    )
    dedup.add_argument("--field", default="text", help="dotted path of the text field (default: text)")
    dedup.add_argument(
        "--format",
        choices=["jsonl", "text"],
        help="input format (default: from the file extension; .txt is one document per line)",
    )
    dedup.add_argument(
        "--chat",
        action="store_true",
        help="the field is a list of chat messages {role, content}; compare whole conversations",
    )
    dedup.add_argument(
        "--chat-scope",
        choices=["all", "user", "first-user", "system"],
        help="with --chat: which messages to compare (default all; first-user finds shared opening prompts)",
    )
    dedup.add_argument(
        "--normalize",
        choices=["none", "whitespace", "standard"],
        default="standard",
        help="text normalization before comparing (default: standard = NFKC, lowercase, no punctuation, "
        "collapsed white space)",
    )
    near = dedup.add_argument_group("near duplicates (the default method)")
    near.add_argument(
        "--threshold", type=float, default=0.8, help="Jaccard similarity threshold (default 0.8)"
    )
    near.add_argument("--num-perm", type=int, default=128, help="MinHash signature size (default 128)")
    near.add_argument("--ngram", type=int, default=5, help="shingle size in units (default 5)")
    near.add_argument("--unit", choices=["word", "char"], default="word", help="shingle unit (default word)")
    near.add_argument("--bands", type=int, help="LSH bands (with --rows; default: chosen from the threshold)")
    near.add_argument("--rows", type=int, help="LSH rows per band (with --bands)")
    near.add_argument("--fp-weight", type=float, default=0.02, help="false-positive weight (default 0.02)")
    near.add_argument("--fn-weight", type=float, default=0.98, help="false-negative weight (default 0.98)")
    near.add_argument("--seed", type=int, default=1, help="MinHash seed (default 1)")
    near.add_argument(
        "--verify",
        choices=["exact", "estimate"],
        default="exact",
        help="confirm candidates by exact Jaccard (default) or by the signature estimate",
    )
    survivors = near.add_mutually_exclusive_group()
    survivors.add_argument(
        "--keep",
        choices=["first", "longest", "shortest"],
        default="first",
        help="survivor of each cluster (ties: the earliest record)",
    )
    survivors.add_argument(
        "--keep-max", metavar="FIELD", help="keep the record with the highest numeric FIELD (dotted path)"
    )
    survivors.add_argument(
        "--keep-min", metavar="FIELD", help="keep the record with the lowest numeric FIELD (dotted path)"
    )
    near.add_argument("--clusters", metavar="PATH", help="write one JSON line per record in a cluster")
    near.add_argument(
        "--id-field", metavar="FIELD", help='with --clusters: repeat this field\'s value (JSONL) as "id"'
    )
    near.add_argument("--report", metavar="PATH", help="write a self-contained HTML report")
    near.add_argument(
        "--tokens",
        metavar="ENCODING",
        help="also count tokens in and out with this encoding (o200k_base, cl100k_base, ...; slower)",
    )
    near.add_argument(
        "--dry-run",
        action="store_true",
        help="run every stage but write nothing; show candidate similarities and other thresholds' effect",
    )
    dedup.add_argument(
        "--duplicates", metavar="PATH", help="with --exact: write one JSON line per removed record"
    )
    dedup.add_argument(
        "--on-error",
        choices=["fail", "skip"],
        default="fail",
        help="on a bad record: stop with an error (default) or skip it and count it as rejected",
    )
    dedup.add_argument("--rejects", metavar="PATH", help="write one JSON line per rejected record")
    dedup.add_argument("--threads", type=int, help="worker threads (default: all cores)")
    dedup.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    scale = dedup.add_argument_group(
        "scale out (--engine ray: INPUT files or directories of Parquet/JSONL, -o a directory)"
    )
    scale.add_argument(
        "--engine",
        choices=["local", "ray"],
        default="local",
        help="local: this machine (default); ray: a Ray cluster, same result (needs tamis[ray])",
    )
    scale.add_argument("--address", help="with --engine ray: the cluster to join (default: start one here)")
    scale.add_argument("--work-dir", metavar="DIR", help="with --engine ray: keep each finished stage here")
    scale.add_argument(
        "--resume", action="store_true", help="with --work-dir: reuse the stages an earlier run finished"
    )
    dedup.set_defaults(run=_run_dedup)

    tokens = commands.add_parser(
        "tokens",
        help="count the tokens of JSONL or text files (tiktoken-identical encodings, offline)",
        description=(
            "Count tokens per record with a bundled tiktoken encoding: total tokens, documents, bytes and "
            "tokens-per-document percentiles. Special-token text in records is counted as ordinary text."
        ),
    )
    tokens.add_argument("inputs", nargs="+", metavar="INPUT", help="input files (.jsonl, .txt, .gz, .zst)")
    tokens.add_argument("--field", default="text", help="dotted path of the text field (default: text)")
    tokens.add_argument(
        "--format",
        choices=["jsonl", "text"],
        help="input format (default: from the file extension; .txt is one document per line)",
    )
    tokens.add_argument(
        "--encoding",
        default="cl100k_base",
        choices=list_encoding_names(),
        help="encoding (default: cl100k_base)",
    )
    tokens.add_argument(
        "--model", help="pick the encoding of this model instead (e.g. gpt-4o); overrides --encoding"
    )
    tokens.add_argument("--per-doc", metavar="PATH", help="write one JSON line per record with its count")
    tokens.add_argument("--json", action="store_true", help="print the totals as one JSON object")
    tokens.add_argument("--threads", type=int, help="worker threads (default: all cores)")
    tokens.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    tokens.set_defaults(run=_run_tokens)
    return parser


def _run_tokens(args: argparse.Namespace) -> int:
    if args.threads is not None:
        _tamis.set_thread_count(args.threads)
    encoding = encoding_name_for_model(args.model) if args.model else args.encoding
    stats = count_tokens_files(
        args.inputs,
        encoding=encoding,
        field=args.field,
        format=args.format,
        per_doc=args.per_doc,
        progress=not args.quiet and not args.json,
    )
    if args.json:
        print(json.dumps(stats))
        return 0
    print(_tokens_summary(stats, args.per_doc))
    return 0


def _tokens_summary(stats: TokenStats, per_doc: str | None) -> str:
    documents = stats["documents"]
    seconds = max(stats["seconds"], 1e-9)
    per_token = stats["text_bytes"] / stats["tokens"] if stats["tokens"] else 0.0
    rows = [
        ("encoding", stats["encoding"]),
        ("documents", f"{documents:,}"),
        ("tokens", f"{stats['tokens']:,}"),
        ("text bytes", f"{stats['text_bytes']:,} ({per_token:.2f} bytes/token)"),
        (
            "tokens/doc",
            f"p50 {stats['p50']:,}  p90 {stats['p90']:,}  p99 {stats['p99']:,}  max {stats['max']:,}",
        ),
        ("time", f"{stats['seconds']:.2f} s ({stats['text_bytes'] / seconds / 1e6:,.1f} MB/s)"),
    ]
    if stats["blank_lines"]:
        rows.append(("blank lines", f"{stats['blank_lines']:,} (skipped)"))
    if per_doc:
        rows.append(("per document", per_doc))
    return "\n".join(f"{name:<12} {value}" for name, value in rows)


def _run_dedup(args: argparse.Namespace) -> int:
    if args.engine == "ray":
        if args.address is None:
            # A cluster started here runs its workers on this interpreter; under `uv run`, Ray would instead
            # start them in a fresh `uv run` environment. Ray reads this switch when it is imported.
            os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
        from tamis.ray._cli import run_dedup

        return run_dedup(args)
    if args.address or args.work_dir or args.resume:
        raise InvalidOptionError("--address, --work-dir and --resume need --engine ray")
    if args.chat_scope and not args.chat:
        raise InvalidOptionError("--chat-scope needs --chat")
    chat: ChatScope | None = (args.chat_scope or "all") if args.chat else None
    if args.threads is not None:
        _tamis.set_thread_count(args.threads)
    if args.exact:
        stats: DedupStats = dedup_files_exact(
            args.inputs,
            args.output,
            field=args.field,
            format=args.format,
            chat=chat,
            normalize=args.normalize,
            on_error=args.on_error,
            duplicates=args.duplicates,
            rejects=args.rejects,
            progress=not args.quiet,
        )
        if not args.quiet:
            print(_summary(stats, args.output, args.duplicates, args.rejects), file=sys.stderr)
        return 0
    if args.duplicates:
        raise InvalidOptionError(
            "--duplicates lists exact duplicates; with near duplicates use --clusters PATH"
        )
    near_stats = dedup_files(
        args.inputs,
        args.output,
        field=args.field,
        format=args.format,
        chat=chat,
        **near_options(args),
        on_error=args.on_error,
        clusters=args.clusters,
        id_field=args.id_field,
        report=args.report,
        tokens=args.tokens,
        rejects=args.rejects,
        dry_run=args.dry_run,
        progress=not args.quiet,
    )
    if not args.quiet:
        output = None if args.dry_run else args.output
        print(_summary(near_stats, output, None, args.rejects), file=sys.stderr)
        print(_near_summary(near_stats, args.clusters, args.report), file=sys.stderr)
    if "guide" in near_stats:
        print(_guide(near_stats["guide"], args.threshold))
    return 0


def near_options(args: argparse.Namespace) -> dict[str, Any]:
    """The near-duplicate options of ``tamis dedup``, shared by both engines."""
    return {
        "threshold": args.threshold,
        "num_perm": args.num_perm,
        "unit": args.unit,
        "ngram": args.ngram,
        "normalize": args.normalize,
        "seed": args.seed,
        "bands": args.bands,
        "rows": args.rows,
        "fp_weight": args.fp_weight,
        "fn_weight": args.fn_weight,
        "verify": args.verify,
        "keep": "max" if args.keep_max else "min" if args.keep_min else args.keep,
        "score": args.keep_max or args.keep_min,
    }


def _guide(guide: ThresholdGuide, threshold: float) -> str:
    counts = [count for _, count in guide["histogram"]]
    widest = max(max(counts), 1)
    lines = ["Dry run: nothing was written.", "", "Exact Jaccard of the LSH candidate pairs:"]
    for low, count in guide["histogram"]:
        if low < 0.5 and count == 0:
            continue
        marker = " <- threshold" if low <= threshold < low + 0.05 else ""
        lines.append(f"  {low:4.2f}-{low + 0.05:4.2f} {count:8,} {'#' * round(40 * count / widest)}{marker}")
    lines += ["", "With the same candidates, a threshold of:"]
    for outcome in guide["outcomes"]:
        lines.append(
            f"  {outcome['threshold']:.2f}: {outcome['verified']:,} verified pairs, "
            f"{outcome['clusters']:,} clusters, {outcome['removed']:,} records removed"
        )
    lines.append("(lower thresholds would also pick a looser LSH banding and find more: lower bounds)")
    return "\n".join(lines)


def _near_summary(stats: NearFileStats, clusters: str | None, report: str | None) -> str:
    near = stats["near"]
    text = (
        f"Near duplicates: {near['clusters']:,} clusters; {near['exact_duplicates']:,} exact duplicates; "
        f"LSH ({near['bands']} bands x {near['rows']} rows) proposed {near['candidates']:,} candidate pairs, "
        f"{near['verified']:,} verified, {near['rejected']:,} rejected below the threshold."
    )
    if "tokens_in" in stats and "tokens_out" in stats:
        text += f" Tokens: {stats['tokens_in']:,} in, {stats['tokens_out']:,} kept."
    if clusters:
        text += f" Clusters are listed in {clusters}."
    if report:
        text += f" Report: {report}."
    return text


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _summary(stats: DedupStats, output: str | None, duplicates: str | None, rejects: str | None) -> str:
    records = stats["records"]
    seconds = max(stats["seconds"], 1e-9)
    share = 100 * stats["removed"] / records if records else 0.0
    files = len(stats["files"])
    parts = [
        f"Read {records:,} records ({_megabytes(stats['bytes_in'])}) from {files} file{_plural(files)} in"
        f" {stats['seconds']:.2f} s ({stats['bytes_in'] / seconds / 1e6:,.1f} MB/s, "
        f"{records / seconds:,.0f} records/s).",
        f"Kept {stats['kept']:,}, removed {stats['removed']:,} duplicates ({share:.1f}%), "
        f"rejected {stats['rejected']:,}.",
        f"Wrote {_megabytes(stats['bytes_out'])} to {output}." if output else "Wrote nothing (dry run).",
    ]
    if stats["blank_lines"]:
        parts.append(f"Skipped {stats['blank_lines']:,} blank lines.")
    if duplicates:
        parts.append(f"Removed records are listed in {duplicates}.")
    if rejects:
        parts.append(f"Rejected records are listed in {rejects}.")
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except TamisError as error:
        print(f"tamis: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("tamis: interrupted; no output was written", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
