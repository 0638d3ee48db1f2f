"""Ten million tiny documents through exact and near deduplication from the command line: the run finishes,
and every record is accounted for with the expected counts.

Record ``i`` is ``{"text": "doc <i mod 1,000,000> x"}``: one million distinct texts, each repeated ten times.
Two distinct texts share no word 5-gram (each has one shingle of all its words), so near dedup must find
exactly the exact duplicates.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_cli

RECORDS = 10_000_000
DISTINCT = 1_000_000


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.jsonl"
    block = 1_000_000
    with path.open("w") as sink:
        for start in range(0, RECORDS, block):
            sink.write("".join(f'{{"text": "doc {i % DISTINCT} x"}}\n' for i in range(start, start + block)))
    return path


def counts(summary: str) -> tuple[int, int, int, int]:
    match = re.search(
        r"Read ([\d,]+) records .* Kept ([\d,]+), removed ([\d,]+) duplicates .* rejected ([\d,]+)", summary
    )
    assert match, summary
    read, kept, removed, rejected = (int(group.replace(",", "")) for group in match.groups())
    return read, kept, removed, rejected


@pytest.mark.parametrize("method", [["--exact"], []], ids=["exact", "near"])
def test_ten_million_tiny_documents(tiny: Path, tmp_path: Path, method: list[str]) -> None:
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", tiny, "-o", output, *method)
    assert result.returncode == 0, result.stderr
    assert counts(result.stderr) == (RECORDS, DISTINCT, RECORDS - DISTINCT, 0)
    with output.open("rb") as kept, tiny.open("rb") as source:
        assert sum(1 for _ in kept) == DISTINCT
        kept.seek(0)
        # The first occurrence of each text is kept, in input order: the first million lines.
        assert all(a == b for a, b in zip(kept, source, strict=False))
