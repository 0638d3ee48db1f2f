"""Null rows inside pyarrow and polars columns, through every API that takes a column of texts.

The policy (the same for a list holding ``None``): a null is a missing text, never an error and never a
duplicate. ``dedup_exact`` and ``dedup`` keep it (alone in its cluster), ``sketch`` gives it the empty
signature, ``shingles`` an empty set, and the tokenizer's batch calls ``[]`` tokens and a count of 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

import tamis

TEXTS: list[str | None] = [
    None,
    "the quick brown fox jumps over the lazy dog",
    None,
    "The quick brown fox jumps over the lazy dog!",
    "",
    None,
    "an unrelated sentence about something else entirely",
]
NULLS = [row for row, text in enumerate(TEXTS) if text is None]


def columns() -> list[Any]:
    """The same column as pyarrow (plain, large, view, chunked with a null-only chunk) and polars."""
    return [
        pa.array(TEXTS, type=pa.string()),
        pa.array(TEXTS, type=pa.large_string()),
        pa.array(TEXTS, type=pa.string_view()),
        pa.chunked_array([TEXTS[:1], TEXTS[1:]], type=pa.string()),
        pl.Series(TEXTS, dtype=pl.String),
    ]


COLUMN_IDS = ["string", "large_string", "string_view", "chunked", "polars"]


@pytest.mark.parametrize("column", columns(), ids=COLUMN_IDS)
def test_dedup_exact_keeps_nulls_as_their_own_rows(column: Any) -> None:
    result = tamis.dedup_exact(column)
    assert result.keep.tolist() == [True, True, True, False, True, True, True]
    for row in NULLS:
        assert result.duplicate_of[row] == row


@pytest.mark.parametrize("column", columns(), ids=COLUMN_IDS)
def test_near_dedup_keeps_nulls_outside_clusters(column: Any) -> None:
    result = tamis.dedup(column, ngram=3)
    from_list = tamis.dedup(TEXTS, ngram=3)
    assert result.keep.tolist() == from_list.keep.tolist() == [True, True, True, False, True, True, True]
    assert [result.cluster[row] for row in NULLS] == [-1, -1, -1]
    assert result.stats == from_list.stats


def test_near_dedup_of_a_frame_with_null_texts_filters_in_place() -> None:
    frame = pl.DataFrame({"id": list(range(len(TEXTS))), "text": TEXTS})
    kept = tamis.dedup(frame, ngram=3).filter(frame)
    assert kept["id"].to_list() == [0, 1, 2, 4, 5, 6]
    table = frame.to_arrow()
    assert tamis.dedup(table, ngram=3).filter(table).column("id").to_pylist() == [0, 1, 2, 4, 5, 6]


@pytest.mark.parametrize("column", columns(), ids=COLUMN_IDS)
def test_sketch_and_shingles_give_nulls_the_empty_set(column: Any) -> None:
    signatures = tamis.sketch(column, num_perm=32)
    empty = np.full(32, 2**32 - 1, dtype=np.uint32)
    for row in NULLS:
        np.testing.assert_array_equal(signatures[row], empty)
    np.testing.assert_array_equal(signatures, tamis.sketch(TEXTS, num_perm=32))
    sets = tamis.shingles(column)
    assert [len(sets[row]) for row in NULLS] == [0, 0, 0]
    assert len(sets[1]) > 0


Call = Callable[[tamis.Encoding, Any], Any]
TOKENIZER_CALLS: dict[str, Call] = {
    "encode_ordinary_batch": lambda enc, column: enc.encode_ordinary_batch(column),
    "encode_batch": lambda enc, column: enc.encode_batch(column),
    "encode_batch_checked": lambda enc, col: enc.encode_batch(col, disallowed_special={"<|fim_prefix|>"}),
    "count_batch": lambda enc, column: enc.count_batch(column).tolist(),
    "encode_batch_to_numpy": lambda enc, column: [a.tolist() for a in enc.encode_batch_to_numpy(column)],
}


@pytest.mark.parametrize("call", TOKENIZER_CALLS.values(), ids=TOKENIZER_CALLS.keys())
@pytest.mark.parametrize("column", columns(), ids=COLUMN_IDS)
def test_tokenizer_batches_treat_nulls_as_empty(column: Any, call: Call) -> None:
    enc = tamis.get_encoding("cl100k_base")
    as_empty = [text if text is not None else "" for text in TEXTS]
    assert call(enc, column) == call(enc, as_empty) == call(enc, TEXTS)
