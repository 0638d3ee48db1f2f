"""Paths that would lose data or do nothing: every output that names an input, an output folder that is the
input folder, and a folder with no dataset file. Each is refused before any work, with a message saying
why, and the inputs are left byte for byte as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli

LINES = '{"text": "the same words in this record"}\n{"text": "the same words in this record"}\n'


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "in.jsonl"
    path.parent.mkdir()
    path.write_text(LINES)
    return path


OUTPUT_OPTIONS = [
    pytest.param(["--exact", "--duplicates"], id="exact-duplicates"),
    pytest.param(["--exact", "--rejects"], id="exact-rejects"),
    pytest.param(["--rejects"], id="near-rejects"),
    pytest.param(["--clusters"], id="near-clusters"),
    pytest.param(["--report"], id="near-report"),
]


@pytest.mark.parametrize("method", [[], ["--exact"]], ids=["near", "exact"])
def test_output_equal_to_input_is_refused(source: Path, tmp_path: Path, method: list[str]) -> None:
    result = run_cli("dedup", source, "-o", source, *method)
    assert result.returncode == 1
    assert "is also an input" in result.stderr
    assert source.read_text() == LINES


@pytest.mark.parametrize("option", OUTPUT_OPTIONS)
def test_side_output_equal_to_input_is_refused(source: Path, tmp_path: Path, option: list[str]) -> None:
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", source, "-o", output, *option, source)
    assert result.returncode == 1, result.stderr
    assert "is also an input" in result.stderr
    assert source.read_text() == LINES
    assert not output.exists()


@pytest.mark.parametrize("method", [[], ["--exact"]], ids=["near", "exact"])
def test_output_folder_equal_to_input_folder_is_refused(source: Path, method: list[str]) -> None:
    result = run_cli("dedup", source.parent, "-o", f"{source.parent}/", *method)
    assert result.returncode == 1
    assert "is also an input" in result.stderr
    assert sorted(path.name for path in source.parent.iterdir()) == ["in.jsonl"]
    assert source.read_text() == LINES


def test_per_doc_token_counts_equal_to_input_are_refused(source: Path) -> None:
    result = run_cli("tokens", source, "--per-doc", source)
    assert result.returncode == 1
    assert "is also an input" in result.stderr
    assert source.read_text() == LINES


@pytest.mark.parametrize("method", [[], ["--exact"]], ids=["near", "exact"])
def test_folder_without_dataset_files_is_an_error(tmp_path: Path, method: list[str]) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.md").write_text("not a dataset\n")
    (folder / ".hidden.jsonl").write_text(LINES)
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", folder, "-o", output, *method)
    assert result.returncode == 1
    assert "holds no .jsonl" in result.stderr
    assert not output.exists()
    pattern = run_cli("dedup", str(folder / "**" / "*.jsonl.zst"), "-o", output, *method)
    assert pattern.returncode == 1
    assert "matches no file" in pattern.stderr
    assert not output.exists()
