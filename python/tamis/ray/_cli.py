"""``tamis dedup --engine ray``: Parquet or JSONL files in, the kept rows out in the same format."""

from __future__ import annotations

import argparse
import logging
import shutil
import socket
import sys
from pathlib import Path

import ray
import ray.data

from tamis.cli import near_options
from tamis.errors import InvalidOptionError, TamisFileNotFoundError, TamisIOError
from tamis.ray import dedup

_LOCAL_ONLY = {
    "exact": "--exact",
    "chat": "--chat",
    "report": "--report",
    "tokens": "--tokens",
    "dry_run": "--dry-run",
    "duplicates": "--duplicates",
    "rejects": "--rejects",
    "id_field": "--id-field",
    "format": "--format",
}


def run_dedup(args: argparse.Namespace) -> int:
    for option, flag in _LOCAL_ONLY.items():
        if getattr(args, option):
            raise InvalidOptionError(f"{flag} is not supported with --engine ray")
    if args.on_error != "fail":
        raise InvalidOptionError("--on-error skip is not supported with --engine ray")
    if "." in args.field:
        raise InvalidOptionError("--engine ray reads top-level columns: --field cannot be a dotted path")
    files = _input_files(args.inputs)
    parquet = all(path.suffix == ".parquet" for path in files)
    if args.address:
        _check_reachable(args.address)
    ray.init(address=args.address, logging_level=logging.WARNING, log_to_driver=False)
    # Ray Data logs every execution plan at INFO; the progress bars (or -q's silence) say enough.
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = not args.quiet
        context.execution_options.preserve_order = True  # the files' order is the rows' order
        paths = [str(path) for path in files]
        dataset = ray.data.read_parquet(paths) if parquet else ray.data.read_json(paths)
        result = dedup(
            dataset,
            args.field,
            **near_options(args),
            work_dir=args.work_dir,
            resume=args.resume,
        )
        _write_directory(result.kept, Path(args.output), parquet)
        if args.clusters:
            _write_directory(result.clusters, Path(args.clusters), parquet=True)
    finally:
        ray.shutdown()
    if not args.quiet:
        stats = result.stats
        print(
            f"{stats['records']:,} records: kept {stats['records'] - stats['removed']:,}, removed "
            f"{stats['removed']:,} in {stats['clusters']:,} clusters ({stats['exact_duplicates']:,} exact "
            f"duplicates; {stats['verified']:,} of {stats['candidates']:,} candidates verified) -> "
            f"{args.output}",
            file=sys.stderr,
        )
    return 0


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fails fast on a cluster address nothing listens on: Ray itself retries for minutes."""
    target = address.removeprefix("ray://")
    host, separator, port = target.rpartition(":")
    if "://" in target or not separator or not port.isdigit():
        return  # "auto", "local", other clients' "module://..." and forms Ray resolves itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as error:
        raise TamisIOError(f"--address {address}: cannot reach a Ray cluster there ({error})") from None


def _input_files(inputs: list[str]) -> list[Path]:
    """The Parquet or JSONL files of the inputs (directories are searched)."""
    files: list[Path] = []
    for given in map(Path, inputs):
        if given.is_dir():
            found = sorted(p for p in given.rglob("*") if p.is_file() and _is_data(p))
            if not found:
                raise InvalidOptionError(f"{given}: no .parquet or .jsonl(.gz) files in this directory")
            files.extend(found)
        elif given.is_file():
            files.append(given)
        else:
            raise TamisFileNotFoundError(f"{given}: no such file or directory")
    if len({path.suffix == ".parquet" for path in files}) > 1:
        raise InvalidOptionError("inputs mix Parquet and JSONL files; give one format")
    return files


def _is_data(path: Path) -> bool:
    name = path.name
    return name.endswith((".parquet", ".jsonl", ".jsonl.gz", ".json", ".json.gz"))


def _write_directory(dataset: ray.data.Dataset, output: Path, parquet: bool) -> None:
    """Writes into a sibling temporary directory, then swaps it in: no half-written output on failure."""
    partial = output.with_name(f".{output.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    if parquet:
        dataset.write_parquet(str(partial))
    else:
        dataset.write_json(str(partial))
    partial.mkdir(parents=True, exist_ok=True)
    if output.exists():
        shutil.rmtree(output)
    partial.rename(output)
