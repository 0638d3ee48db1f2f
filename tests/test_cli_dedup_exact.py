"""`tamis dedup --exact` end to end, as a user runs it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import read_json_lines, reference_normalize, run_cli


def normalized_texts(path: Path) -> list[str]:
    return [
        reference_normalize(json.loads(line)["text"], "standard") for line in path.read_bytes().splitlines()
    ]


def test_sample_data_end_to_end(sample: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    duplicates = tmp_path / "dups.jsonl"
    result = run_cli("dedup", sample, "-o", output, "--exact", "--duplicates", duplicates)
    assert result.returncode == 0, result.stderr
    assert "Kept" in result.stderr
    assert "removed" in result.stderr

    input_lines = sample.read_bytes().splitlines()
    output_lines = output.read_bytes().splitlines()
    # Oracle: first occurrence of each normalized text, in input order, line bytes unchanged.
    seen: set[str] = set()
    expected = []
    for line, text in zip(input_lines, normalized_texts(sample), strict=True):
        if text not in seen:
            seen.add(text)
            expected.append(line)
    assert output_lines == expected
    assert 0 < len(output_lines) < len(input_lines)

    removed = read_json_lines(duplicates)
    assert len(removed) + len(output_lines) == len(input_lines)
    texts = normalized_texts(sample)
    for record in removed[:500]:
        original = record["duplicate_of"]
        assert isinstance(original, dict)
        assert original["line"] < record["line"]  # type: ignore[operator]
        assert texts[record["line"] - 1] == texts[original["line"] - 1]  # type: ignore[operator]


def test_several_inputs_are_deduplicated_together(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "one"}\n{"text": "two"}\n')
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as sink:
        sink.write('{"text": "TWO"}\n{"text": "three"}\n')
    (tmp_path / "c.txt").write_text("three\nfour\n")
    output = tmp_path / "out.jsonl"
    result = run_cli(
        "dedup", tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz", tmp_path / "c.txt", "-o", output, "--exact"
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text().splitlines() == [
        '{"text": "one"}',
        '{"text": "two"}',
        '{"text": "three"}',
        "four",
    ]
    assert "Read 6 records" in result.stderr
    assert "from 3 files" in result.stderr


def test_nested_field_and_normalize_none(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"meta": {"body": "A"}}\n{"meta": {"body": "a"}}\n{"meta": {"body": "A"}}\n')
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", source, "-o", output, "--exact", "--field", "meta.body", "--normalize", "none")
    assert result.returncode == 0, result.stderr
    assert len(output.read_text().splitlines()) == 2


BAD_INPUTS = [
    ("malformed.jsonl", b'{"text": "ok"}\n{"text": "broken"\n', "malformed.jsonl:2: malformed JSON"),
    ("missing.jsonl", b'{"text": "ok"}\n{"body": "x"}\n', "missing.jsonl:2: field 'text' not found"),
    ("number.jsonl", b'{"text": 7}\n', "number.jsonl:1: field 'text' is a number, expected a string"),
    ("utf8.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9"}\n', "utf8.jsonl:2: invalid UTF-8"),
    ("empty.jsonl", b"", "empty.jsonl: file is empty"),
    ("utf8.txt", b"fine\nbad \xff\n", "utf8.txt:2: invalid UTF-8"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_fails_clearly_and_writes_nothing(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    output = tmp_path / "out" / "result.jsonl"
    output.parent.mkdir()
    result = run_cli("dedup", source, "-o", output, "--exact", "--duplicates", tmp_path / "out" / "d.jsonl")
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.startswith("tamis: error: ")
    assert list(output.parent.iterdir()) == [], "no output and no temporary file left behind"


def test_missing_input_file(tmp_path: Path) -> None:
    result = run_cli("dedup", tmp_path / "nope.jsonl", "-o", tmp_path / "out.jsonl", "--exact")
    assert result.returncode == 1
    assert "nope.jsonl" in result.stderr
    assert "No such file" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "a"}\n{"text": "a"}\n')
    result = run_cli("dedup", source, "-o", source, "--exact")
    assert result.returncode == 1
    assert "is also an input" in result.stderr
    assert source.read_text() == '{"text": "a"}\n{"text": "a"}\n'


def test_skip_accounts_for_every_record(tmp_path: Path) -> None:
    lines = [
        b'{"text": "a"}',
        b'{"text": "A!"}',
        b'{"text": 1}',
        b"not json",
        b'{"other": "x"}',
        b'{"text": "caf\xe9"}',
        b'{"text": "b"}',
    ]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    output, rejects, duplicates = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl", tmp_path / "dups.jsonl"
    result = run_cli(
        "dedup", source, "-o", output, "--exact", "--on-error", "skip",
        "--rejects", rejects, "--duplicates", duplicates,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    kept = output.read_bytes().splitlines()
    rejected = read_json_lines(rejects)
    removed = read_json_lines(duplicates)
    assert kept == [lines[0], lines[6]]
    assert [r["line"] for r in rejected] == [3, 4, 5, 6]
    assert [r["line"] for r in removed] == [2]
    assert len(kept) + len(removed) + len(rejected) == len(lines)
    assert "Read 7 records" in result.stderr
    assert "Kept 2, removed 1 duplicates (14.3%), rejected 4." in result.stderr


def test_exact_flag_is_required_until_fuzzy_lands(tmp_path: Path, sample: Path) -> None:
    result = run_cli("dedup", sample, "-o", tmp_path / "out.jsonl")
    assert result.returncode == 1
    assert "--exact" in result.stderr
