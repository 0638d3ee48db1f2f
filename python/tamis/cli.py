"""The ``tamis`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tamis import __version__
from tamis.dedup import dedup_files_exact
from tamis.errors import TamisError

if TYPE_CHECKING:
    from tamis.stats import DedupStats

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
        help="remove duplicate records from JSONL or text files",
        description=(
            "Remove duplicate records. Inputs (JSONL or text, optionally .gz/.zst) are deduplicated "
            "together, in order; the first occurrence is kept and written unchanged."
        ),
    )
    dedup.add_argument("inputs", nargs="+", metavar="INPUT", help="input files")
    dedup.add_argument("-o", "--output", required=True, help="output file (JSONL lines copied unchanged)")
    dedup.add_argument(
        "--exact",
        action="store_true",
        help="exact deduplication: identical text after normalization",
    )
    dedup.add_argument("--field", default="text", help="dotted path of the text field (default: text)")
    dedup.add_argument(
        "--format",
        choices=["jsonl", "text"],
        help="input format (default: from the file extension; .txt is one document per line)",
    )
    dedup.add_argument(
        "--normalize",
        choices=["none", "whitespace", "standard"],
        default="standard",
        help="text normalization before comparing (default: standard = NFKC, lowercase, no punctuation, "
        "collapsed white space)",
    )
    dedup.add_argument("--duplicates", metavar="PATH", help="write one JSON line per removed record")
    dedup.add_argument(
        "--on-error",
        choices=["fail", "skip"],
        default="fail",
        help="on a bad record: stop with an error (default) or skip it and count it as rejected",
    )
    dedup.add_argument("--rejects", metavar="PATH", help="write one JSON line per rejected record")
    dedup.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    dedup.set_defaults(run=_run_dedup)
    return parser


def _run_dedup(args: argparse.Namespace) -> int:
    if not args.exact:
        print(
            "tamis: error: only exact deduplication is available in this version; pass --exact",
            file=sys.stderr,
        )
        return EXIT_ERROR
    stats = dedup_files_exact(
        args.inputs,
        args.output,
        field=args.field,
        format=args.format,
        normalize=args.normalize,
        on_error=args.on_error,
        duplicates=args.duplicates,
        rejects=args.rejects,
        progress=not args.quiet,
    )
    if not args.quiet:
        print(_summary(stats, args.output, args.duplicates, args.rejects), file=sys.stderr)
    return 0


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _summary(stats: DedupStats, output: str, duplicates: str | None, rejects: str | None) -> str:
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
        f"Wrote {_megabytes(stats['bytes_out'])} to {output}.",
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
