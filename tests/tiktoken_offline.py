"""tiktoken itself, working offline: its encodings are built from the rank files bundled with tamis.

The bundled ``crates/tamis-core/assets/*.tiktoken.zst`` files are decompressed into a temporary directory and
loaded with ``tiktoken.load.load_tiktoken_bpe`` (which checks tiktoken's own sha256), and the constructor
arguments (patterns, special tokens) come from tiktoken's ``tiktoken_ext.openai_public`` at run time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

tiktoken = pytest.importorskip("tiktoken")
zstandard = pytest.importorskip("zstandard")
openai_public = pytest.importorskip("tiktoken_ext.openai_public")

ASSETS = Path(__file__).resolve().parents[1] / "crates" / "tamis-core" / "assets"
NAMES = ["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]

_CACHE: dict[str, Any] = {}
_DIR = tempfile.TemporaryDirectory(prefix="tamis-tiktoken-")


def _local_rank_file(url: str) -> Path:
    name = url.rsplit("/", 1)[-1]
    target = Path(_DIR.name) / name
    if not target.exists():
        compressed = (ASSETS / f"{name}.zst").read_bytes()
        target.write_bytes(zstandard.ZstdDecompressor().decompress(compressed, max_output_size=1 << 24))
    return target


def _offline_load(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
    ranks: dict[bytes, int] = tiktoken.load.load_tiktoken_bpe(
        str(_local_rank_file(url)), expected_hash=expected_hash
    )
    return ranks


def _gpt2_ranks(*_args: object, **_kwargs: object) -> dict[bytes, int]:
    # GPT-2's vocab.bpe/encoder.json give exactly r50k_base's ranks; tiktoken checks that too.
    return _offline_load(
        "r50k_base.tiktoken", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"
    )


def reference(name: str) -> Any:
    """``tiktoken.Encoding`` for a bundled encoding, built offline; cached."""
    if name not in _CACHE:
        patch = pytest.MonkeyPatch()
        patch.setattr(openai_public, "load_tiktoken_bpe", _offline_load)
        patch.setattr(openai_public, "data_gym_to_mergeable_bpe_ranks", _gpt2_ranks)
        try:
            constructor: Callable[[], dict[str, Any]] = getattr(openai_public, name)
            _CACHE[name] = tiktoken.Encoding(**constructor())
        finally:
            patch.undo()
    return _CACHE[name]
