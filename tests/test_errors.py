"""Engine errors reach Python as exceptions deriving from tamis.TamisError and the expected builtin."""

from __future__ import annotations

from pathlib import Path

import pytest

import tamis


def test_missing_file_is_file_not_found_with_filename(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(FileNotFoundError) as caught:
        tamis.dedup_files_exact([missing], tmp_path / "out.jsonl")
    assert isinstance(caught.value, tamis.TamisError)
    assert caught.value.filename == str(missing)
    assert caught.value.errno == 2


def test_missing_field_is_a_key_error_with_a_readable_message(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"body": "x"}\n')
    with pytest.raises(KeyError) as caught:
        tamis.dedup_files_exact([source], tmp_path / "out.jsonl")
    assert isinstance(caught.value, tamis.FieldNotFoundError)
    assert str(caught.value) == f"{source}:1: field 'text' not found"


def test_wrong_field_type_is_a_type_error(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": ["x"]}\n')
    with pytest.raises(TypeError, match="is an array, expected a string") as caught:
        tamis.dedup_files_exact([source], tmp_path / "out.jsonl")
    assert isinstance(caught.value, tamis.FieldTypeError)


def test_truncated_gzip_is_corrupt_input(tmp_path: Path) -> None:
    import gzip

    payload = gzip.compress(b"".join(b'{"text": "doc %d"}\n' % i for i in range(20_000)))
    source = tmp_path / "in.jsonl.gz"
    source.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(tamis.CorruptInputError, match=r"in\.jsonl\.gz: corrupt or truncated"):
        tamis.dedup_files_exact([source], tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_unknown_format_from_extension(tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    source.write_text("a\n")
    with pytest.raises(ValueError, match="cannot tell the format"):
        tamis.dedup_files_exact([source], tmp_path / "out.jsonl")
    # An explicit format overrides the extension.
    stats = tamis.dedup_files_exact([source], tmp_path / "out.jsonl", format="text")
    assert stats["kept"] == 1
