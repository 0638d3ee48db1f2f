"""Property: every record read is accounted for as kept, removed or rejected, whatever the input."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import tamis
from conftest import reference_normalize

good_lines = st.sampled_from(["a", "A.", "b", "  b ", "c", ""]).map(lambda text: json.dumps({"text": text}))
bad_lines = st.sampled_from(['{"text": 1}', '{"body": "a"}', "not json", '{"text": "a"', '["text"]'])
blank_lines = st.sampled_from(["", "   "])
files = st.lists(
    st.lists(st.one_of(good_lines, good_lines, bad_lines, blank_lines), max_size=25), min_size=1, max_size=3
)


@settings(max_examples=60, deadline=None)
@given(contents=files)
def test_kept_plus_removed_plus_rejected_is_records_read(contents: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        inputs = []
        for index, lines in enumerate(contents):
            path = directory / f"part{index}.jsonl"
            path.write_text("".join(line + "\n" for line in lines))
            inputs.append(path)
        output = directory / "out.jsonl"
        # With on_error="skip" even a file without records is accounted, not an error.
        stats = tamis.dedup_files_exact(inputs, output, on_error="skip")
        records = [line for lines in contents for line in lines if line.strip()]
        assert stats["records"] == len(records)
        assert stats["kept"] + stats["removed"] + stats["rejected"] == stats["records"]
        for file_stats, lines in zip(stats["files"], contents, strict=True):
            assert (
                file_stats["kept"] + file_stats["removed"] + file_stats["rejected"] == file_stats["records"]
            )
            assert file_stats["records"] == sum(1 for line in lines if line.strip())

        # Oracle: the kept lines are the first valid occurrence of each normalized text, in order.
        seen: set[str] = set()
        expected = []
        for line in records:
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(value, dict) or not isinstance(value.get("text"), str):
                continue
            key = reference_normalize(value["text"], "standard")
            if key not in seen:
                seen.add(key)
                expected.append(line)
        assert output.read_text().splitlines() == expected
