"""Shared helpers for the tamis test suite."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

# Ray starts its workers with `uv run` when the driver runs under uv: in a fresh environment, without the
# extension under test. Ray reads this once, when it is imported, so it is set before any test imports it.
os.environ["RAY_ENABLE_UV_RUN_RUNTIME_ENV"] = "0"

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "poe.jsonl"

# Unicode's White_Space property (what Rust's char::is_whitespace uses). Python's str.split() also splits on
# U+001C..U+001F, so the oracle spells the set out.
_WHITE_SPACE = re.compile("[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def reference_normalize(text: str, mode: str) -> str:
    """An independent, slow implementation of tamis' normalization modes, used as the oracle."""
    if mode == "none":
        return text
    if mode == "standard":
        text = unicodedata.normalize("NFKC", text)
        text = "".join(char.lower() for char in text)
        text = "".join(char for char in text if not unicodedata.category(char).startswith("P"))
    return _WHITE_SPACE.sub(" ", text).strip(" ")


def run_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Runs ``python -m tamis`` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "tamis", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def read_json_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def sample() -> Path:
    return SAMPLE
