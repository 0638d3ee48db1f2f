"""Lone surrogates in Python str inputs: a clear tamis error naming the row, never a crash.

A Python str may hold a lone surrogate (``"\\udc80"``, what ``errors="surrogateescape"`` leaves for
undecodable bytes); it has no UTF-8 form. The deduplication and sketching calls refuse it with
``InvalidInputError`` (a ``ValueError``); the tokenizer replaces it with U+FFFD, as tiktoken does
(``test_tokenizer_tiktoken.py::test_lone_surrogates_match``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import tamis

BAD = ["fine text here", "undecodable \udc80 byte", "more fine text"]

CALLS: dict[str, Callable[[list[str]], Any]] = {
    "dedup_exact": tamis.dedup_exact,
    "dedup": tamis.dedup,
    "sketch": tamis.sketch,
    "shingles": tamis.shingles,
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_column_calls_refuse_a_lone_surrogate_naming_the_row(call: Callable[[list[str]], Any]) -> None:
    with pytest.raises(tamis.InvalidInputError, match="row 1: text is not valid Unicode") as caught:
        call(BAD)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\udc80" * 1000, "emoji cut in half \ud83d"])
def test_normalize_refuses_a_lone_surrogate(text: str) -> None:
    with pytest.raises(tamis.InvalidInputError, match="not valid Unicode"):
        tamis.normalize(text)
