"""Ctrl-C during a run: the process stops, says so, and leaves no output (not even a temporary file)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def big_input(path: Path, records: int = 400_000) -> None:
    with path.open("w") as sink:
        for i in range(records):
            words = " ".join(f"w{(i * 31 + j * 7) % 5003}" for j in range(24))
            sink.write(json.dumps({"id": i, "text": words}) + "\n")


@pytest.mark.parametrize("mode", [[], ["--exact"]], ids=["near", "exact"])
def test_sigint_leaves_nothing_and_a_rerun_succeeds(tmp_path: Path, mode: list[str]) -> None:
    source = tmp_path / "in.jsonl"
    big_input(source)
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "tamis", "dedup", str(source), "-o", str(out / "kept.jsonl"), *mode]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    # Wait until the run is under way: its hidden temporary output exists.
    deadline = time.monotonic() + 60
    while not any(out.iterdir()) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    if process.poll() is not None:
        pytest.fail("the run finished before it could be interrupted; make the input larger")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted; no output was written" in stderr
    assert list(out.iterdir()) == []

    rerun = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert [p.name for p in out.iterdir()] == ["kept.jsonl"]
