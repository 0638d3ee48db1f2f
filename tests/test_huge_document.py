"""A 100 MB single document goes through every stage without error and with bounded memory."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

PEAK_RSS_LIMIT_MB = 1500


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(1)
    words = ["".join(rng.choice("abcdefghij") for _ in range(6)) for _ in range(5000)]
    text = " ".join(rng.choices(words, k=15_000_000))[:100_000_000]
    path = tmp_path_factory.mktemp("huge") / "huge.jsonl"
    with path.open("w") as sink:
        sink.write(json.dumps({"text": text}) + "\n")
        sink.write(json.dumps({"text": "a small document"}) + "\n")
        sink.write(json.dumps({"text": text}) + "\n")
    return path


@pytest.mark.parametrize("method", [[], ["--exact"]], ids=["near", "exact"])
def test_huge_document_is_deduplicated_with_bounded_memory(
    huge: Path, tmp_path: Path, method: list[str]
) -> None:
    output = tmp_path / "out.jsonl"
    script = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
    )
    command = [sys.executable, "-m", "tamis", "dedup", str(huge), "-o", str(output), "-q", *method]
    result = subprocess.run(
        [sys.executable, "-c", script, *command], capture_output=True, text=True, check=True
    )
    code, peak_mb = map(int, result.stdout.split())
    assert code == 0, result.stderr
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb} MB"
    kept = output.read_bytes().splitlines()
    assert len(kept) == 2, "the repeated 100 MB document is removed, the small one kept"
    assert kept[0] == huge.read_bytes().splitlines()[0]
