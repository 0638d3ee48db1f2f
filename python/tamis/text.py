"""Text normalization."""

from __future__ import annotations

from typing import Literal

from tamis import _tamis

Normalize = Literal["none", "whitespace", "standard"]
ChatScope = Literal["all", "user", "first-user", "system"]
"""Which messages of a chat record are compared (see ``tamis dedup --chat``)."""


def normalize(text: str, mode: Normalize = "standard") -> str:
    """Return ``text`` as tamis compares it under ``mode``.

    - ``"none"``: unchanged.
    - ``"whitespace"``: every run of Unicode white space becomes one space; both ends trimmed.
    - ``"standard"``: NFKC, then lowercase (per character), then Unicode punctuation (categories P*)
      removed, then white space collapsed and trimmed.

    >>> import tamis
    >>> tamis.normalize("  Hello,   WORLD! ")
    'hello world'
    """
    return _tamis.normalize(text, mode)
