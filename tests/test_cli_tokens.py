"""`tamis tokens` end to end, with tiktoken's counts as the oracle."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

import tamis
from conftest import read_json_lines, run_cli
from tiktoken_offline import reference

DATA = Path(__file__).resolve().parent / "data"
MULTILINGUAL = DATA / "chatterbot_multilingual.jsonl"
POE = DATA / "poe_sample.jsonl"


def _nearest_rank(sorted_values: list[int], percent: int) -> int:
    return sorted_values[max(1, math.ceil(percent * len(sorted_values) / 100)) - 1]


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
def test_counts_match_tiktoken(tmp_path: Path, encoding: str) -> None:
    per_doc = tmp_path / "per_doc.jsonl"
    result = run_cli("tokens", MULTILINGUAL, POE, "--encoding", encoding, "--per-doc", per_doc, "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    enc = reference(encoding)
    texts = [
        json.loads(line)["text"]
        for path in (MULTILINGUAL, POE)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    counts = [len(enc.encode_ordinary(text)) for text in texts]
    assert stats["encoding"] == encoding
    assert stats["documents"] == len(texts)
    assert stats["tokens"] == sum(counts)
    assert stats["text_bytes"] == sum(len(text.encode("utf-8")) for text in texts)
    ordered = sorted(counts)
    assert [stats["p50"], stats["p90"], stats["p99"], stats["max"]] == [
        _nearest_rank(ordered, 50),
        _nearest_rank(ordered, 90),
        _nearest_rank(ordered, 99),
        ordered[-1],
    ]
    assert [file["documents"] for file in stats["files"]] == [484, 120]
    rows = read_json_lines(per_doc)
    assert [row["tokens"] for row in rows] == counts
    assert rows[0] == {
        "file": str(MULTILINGUAL),
        "line": 1,
        "tokens": counts[0],
        "bytes": len(texts[0].encode()),
    }


def test_human_summary_text_files_and_models(tmp_path: Path) -> None:
    lines = ["hello world", "<|endoftext|> counted as text", "", "日本語のテキスト"]
    source = tmp_path / "docs.txt.gz"
    with gzip.open(source, "wt", encoding="utf-8") as sink:
        sink.write("\n".join(lines) + "\n")
    result = run_cli("tokens", source, "--model", "gpt-4o", "-q")
    assert result.returncode == 0, result.stderr
    enc = tamis.get_encoding("o200k_base")
    total = sum(enc.count(line, disallowed_special=()) for line in lines)
    assert "o200k_base" in result.stdout
    assert f"tokens       {total:,}" in result.stdout
    assert "documents    4" in result.stdout


def test_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"body": "no text field"}\n', encoding="utf-8")
    per_doc = tmp_path / "per_doc.jsonl"
    result = run_cli("tokens", bad, "--per-doc", per_doc)
    assert result.returncode == 1
    assert f"{bad}:2" in result.stderr
    assert not per_doc.exists()
    result = run_cli("tokens", bad, "--field", "body", "--encoding", "nope")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_python_api(tmp_path: Path) -> None:
    stats = tamis.count_tokens_files([POE], encoding=tamis.get_encoding("r50k_base"))
    enc = reference("r50k_base")
    texts = [json.loads(line)["text"] for line in POE.read_text(encoding="utf-8").splitlines()]
    assert stats["tokens"] == sum(len(enc.encode_ordinary(text)) for text in texts)
    with pytest.raises(FileNotFoundError):
        tamis.count_tokens_files([tmp_path / "missing.jsonl"])
