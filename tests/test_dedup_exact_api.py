"""tamis.dedup_exact: in-memory columns from lists, pyarrow and polars."""

from __future__ import annotations

import threading

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tamis
from conftest import reference_normalize


def first_occurrences(texts: list[str | None], mode: str) -> list[int]:
    """Oracle: the row of each text's first occurrence, by a plain dict."""
    seen: dict[str, int] = {}
    rows = []
    for row, text in enumerate(texts):
        if text is None:
            rows.append(row)
        else:
            rows.append(seen.setdefault(reference_normalize(text, mode), row))
    return rows


small_texts = st.lists(
    st.one_of(st.none(), st.sampled_from(["a", "A", "a!", " a ", "b", "B.", "", "  ", "ça", "ca\u0327"])),
    max_size=60,
)


@pytest.mark.parametrize("mode", ["none", "whitespace", "standard"])
@settings(max_examples=200, deadline=None)
@given(texts=small_texts)
def test_keeps_each_distinct_text_once_in_order(mode: str, texts: list[str | None]) -> None:
    result = tamis.dedup_exact(texts, normalize=mode)  # type: ignore[arg-type]
    expected_first = first_occurrences(texts, mode)
    assert result.duplicate_of.tolist() == expected_first
    assert result.keep.tolist() == [first == row for row, first in enumerate(expected_first)]
    kept = [
        reference_normalize(t, mode) for t, k in zip(texts, result.keep, strict=True) if k and t is not None
    ]
    assert len(kept) == len(set(kept)), "each distinct normalized text is kept exactly once"
    assert result.keep.dtype == np.bool_
    assert result.duplicate_of.dtype == np.uint64


def test_list_pyarrow_and_polars_agree() -> None:
    texts = ["Hello, world", "hello world!", None, "other", "OTHER", ""]
    from_list = tamis.dedup_exact(texts)
    from_arrow = tamis.dedup_exact(pa.array(texts))
    from_chunks = tamis.dedup_exact(pa.chunked_array([texts[:2], texts[2:]]))
    from_large = tamis.dedup_exact(pa.array(texts, type=pa.large_string()))
    from_view = tamis.dedup_exact(pa.array(texts, type=pa.string_view()))
    from_polars = tamis.dedup_exact(pl.Series(texts))
    assert from_list.keep.tolist() == [True, False, True, True, False, True]
    for other in (from_arrow, from_chunks, from_large, from_view, from_polars):
        assert other.keep.tolist() == from_list.keep.tolist()
        assert other.duplicate_of.tolist() == from_list.duplicate_of.tolist()


def test_mask_filters_a_polars_frame() -> None:
    frame = pl.DataFrame({"id": [1, 2, 3], "text": ["x", "X", "y"]})
    kept = frame.filter(pl.Series(tamis.dedup_exact(frame["text"]).keep))
    assert kept["id"].to_list() == [1, 3]


@pytest.mark.parametrize(
    ("texts", "error", "message"),
    [
        (["a", 3], TypeError, "row 1: expected str or None, got int"),
        (["a", b"b"], TypeError, "row 1: expected str or None, got bytes"),
        ("abc", TypeError, "got a single str"),
        (pa.array([1, 2]), TypeError, "expected a column of strings"),
        (["ok", "bad \udc80"], ValueError, "row 1: text is not valid Unicode"),
        (42, TypeError, "not iterable"),
    ],
)
def test_bad_columns_raise_clear_errors(texts: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        tamis.dedup_exact(texts)


def test_unknown_normalization_is_an_invalid_option() -> None:
    with pytest.raises(tamis.InvalidOptionError, match="unknown normalization"):
        tamis.dedup_exact(["a"], normalize="nfc")  # type: ignore[arg-type]


def test_empty_column() -> None:
    result = tamis.dedup_exact([])
    assert result.keep.shape == (0,)


def test_runs_in_parallel_python_threads_with_identical_results() -> None:
    texts = [f"document {i % 5000}" for i in range(200_000)]
    expected = tamis.dedup_exact(texts).keep
    results: list[np.ndarray] = []

    def work() -> None:
        results.append(tamis.dedup_exact(texts).keep)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    for result in results:
        assert np.array_equal(result, expected)
    assert int(expected.sum()) == 5000
