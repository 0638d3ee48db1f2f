"""Parquet in, Parquet out: the text column is read alone, kept rows keep every column and the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tamis
from conftest import SAMPLE, run_cli


@pytest.fixture
def table() -> pa.Table:
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()[:1500]]
    return pa.table(
        {
            "id": pa.array(range(len(texts)), type=pa.int64()),
            "text": pa.array(texts),
            "meta": pa.array([{"body": text, "n": i} for i, text in enumerate(texts)]),
        }
    )


@pytest.mark.parametrize("method", [[], ["--exact"]], ids=["near", "exact"])
def test_kept_rows_keep_the_schema_and_match_the_in_memory_result(
    tmp_path: Path, table: pa.Table, method: list[str]
) -> None:
    source = tmp_path / "in.parquet"
    pq.write_table(table, source, row_group_size=400)
    output = tmp_path / "out.parquet"
    result = run_cli("dedup", source, "-o", output, *method)
    assert result.returncode == 0, result.stderr
    kept = pq.read_table(output)
    assert kept.schema == table.schema
    texts = table.column("text").to_pylist()
    expected = tamis.dedup_exact(texts).keep if method else tamis.dedup(texts).keep
    assert kept.column("id").to_pylist() == [i for i, k in enumerate(expected) if k]
    assert kept.num_rows < table.num_rows


def test_nested_field_and_null_texts(tmp_path: Path, table: pa.Table) -> None:
    rows = table.slice(0, 200).to_pylist()
    rows[5]["meta"] = None
    source = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), source)
    output = tmp_path / "out.parquet"
    failed = run_cli("dedup", source, "-o", output, "--field", "meta.body")
    assert failed.returncode == 1
    assert "in.parquet:6: field 'meta.body' is null, expected a string" in failed.stderr
    assert not output.exists()
    skipped = run_cli("dedup", source, "-o", output, "--field", "meta.body", "--on-error", "skip")
    assert skipped.returncode == 0, skipped.stderr
    assert "rejected 1." in skipped.stderr
    assert 5 not in pq.read_table(output).column("id").to_pylist()


def test_parquet_needs_a_parquet_or_directory_output(tmp_path: Path, table: pa.Table) -> None:
    pq.write_table(table, tmp_path / "a.parquet")
    pq.write_table(table.drop_columns(["meta"]), tmp_path / "b.parquet")
    as_jsonl = run_cli("dedup", tmp_path / "a.parquet", "-o", tmp_path / "out.jsonl")
    assert as_jsonl.returncode == 1
    assert "must be a .parquet file" in as_jsonl.stderr
    mixed = run_cli("dedup", tmp_path / "a.parquet", tmp_path / "b.parquet", "-o", tmp_path / "one.parquet")
    assert mixed.returncode == 1
    assert "schema differs" in mixed.stderr
    out = tmp_path / "out"
    per_file = run_cli("dedup", tmp_path / "a.parquet", tmp_path / "b.parquet", "-o", f"{out}/", "--exact")
    assert per_file.returncode == 0, per_file.stderr
    assert pq.read_table(out / "a.parquet").schema == table.schema
    assert pq.read_table(out / "b.parquet").num_rows == 0, "b repeats a's texts: all its rows are duplicates"


def test_tokens_counts_a_parquet_column(tmp_path: Path, table: pa.Table) -> None:
    source = tmp_path / "in.parquet"
    pq.write_table(table, source)
    result = run_cli("tokens", source, "--encoding", "cl100k_base", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    encoding = tamis.get_encoding("cl100k_base")
    assert stats["tokens"] == sum(len(encoding.encode_ordinary(t)) for t in table.column("text").to_pylist())
