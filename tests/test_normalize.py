"""tamis.normalize against an independent Python implementation of the same rules."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tamis
from conftest import reference_normalize

# Characters Python 3.11's Unicode database knows (the oracle cannot judge newer ones) and no surrogates.
known_chars = st.characters(exclude_categories=("Cs", "Cn"))
texts = st.text(alphabet=known_chars | st.sampled_from(" \t\n\u3000\u00a0,.!?'\"-—…«»"), max_size=80)


@pytest.mark.parametrize("mode", ["none", "whitespace", "standard"])
@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_matches_reference(mode: str, text: str) -> None:
    assert tamis.normalize(text, mode) == reference_normalize(text, mode)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Hello,   World! ", "hello world"),
        ("ＡＢＣ ﬁne x²", "abc fine x2"),
        ("«Bonjour» — dit-il…", "bonjour ditil"),
        ("你好，世界。", "你好世界"),
    ],
)
def test_standard_examples(text: str, expected: str) -> None:
    assert tamis.normalize(text) == expected


def test_composed_and_decomposed_forms_are_equal() -> None:
    composed = unicodedata.normalize("NFC", "café")
    decomposed = unicodedata.normalize("NFD", "café")
    assert composed != decomposed
    assert tamis.normalize(composed) == tamis.normalize(decomposed)


def test_unknown_mode_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown normalization 'nfc'"):
        tamis.normalize("x", "nfc")  # type: ignore[arg-type]
