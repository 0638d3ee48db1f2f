"""A full disk: writing an output fails with a clear error, and nothing partial is left behind.

The child process runs with a file size limit (RLIMIT_FSIZE) and SIGXFSZ ignored, so a write past the limit
fails with EFBIG ("File too large") exactly where a full disk fails with ENOSPC: in the middle of an output.
"""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

LIMIT_BYTES = 256 * 1024


def limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """About 1 MB of distinct records: every one is kept, so the output outgrows the limit."""
    path = tmp_path / "data" / "in.jsonl"
    path.parent.mkdir()
    with path.open("w") as sink:
        for i in range(12_000):
            sink.write(json.dumps({"text": f"record {i} says something of its own: {i * 7919} {i:x}"}) + "\n")
    return path


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(["--exact"], id="exact"),
        pytest.param(["--exact", "--duplicates", "{out}/dups.jsonl"], id="exact-duplicates"),
        pytest.param([], id="near"),
        pytest.param(["--clusters", "{out}/clusters.jsonl", "--report", "{out}/report.html"], id="near-all"),
    ],
)
def test_a_failed_write_is_a_clear_error_and_leaves_no_output(
    source: Path, tmp_path: Path, options: list[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    command = [
        sys.executable, "-m", "tamis", "dedup", str(source), "-o", str(out / "kept.jsonl"),
        *(option.format(out=out) for option in options),
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=300, preexec_fn=limit_file_size
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("tamis: error: "), result.stderr
    assert "kept.jsonl" in result.stderr
    assert "File too large" in result.stderr
    assert list(out.iterdir()) == [], "no output and no temporary file left behind"
    assert sorted(path.name for path in source.parent.iterdir()) == ["in.jsonl"]
