"""Pathological 1 MB inputs: tamis encodes them without error, with tiktoken's ids wherever tiktoken itself
finishes. tiktoken runs in a subprocess under a time limit, since it is quadratic on some of these inputs.
Speed (linearity) is measured by ``bench/bench_tokenizer.py``, not here.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tamis

pytest.importorskip("tiktoken")
pytest.importorskip("zstandard")

TESTS = Path(__file__).resolve().parent
SIZE = 1_000_000
TIKTOKEN_SECONDS = 60


def pathological(size: int) -> dict[str, str]:
    """The inputs, cheapest for tiktoken first; each about ``size`` bytes of UTF-8."""
    rng = random.Random(1234)
    return {
        # Arbitrary bytes read as UTF-8 (U+FFFD for each invalid sequence), cut to ``size`` bytes.
        "random_bytes_as_text": rng.randbytes(size)
        .decode("utf-8", "replace")
        .encode()[:size]
        .decode("utf-8", "ignore"),
        "random_lowercase": "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=size)),
        "random_base64": base64.b64encode(rng.randbytes(size * 3 // 4)).decode("ascii"),
        "random_cjk": "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(size // 3)),
        "digits": "".join(rng.choices("0123456789", k=size)),
        "newlines": "\n" * size,
        "spaces_then_letter": " " * (size - 1) + "a",
        "one_letter": "a" * size,
    }


_REFERENCE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from test_tokenizer_pathological import pathological
    from tiktoken_offline import reference
    enc = reference(sys.argv[2])
    out = sys.argv[3]
    for kind, text in pathological(int(sys.argv[4])).items():
        try:
            tokens = enc.encode_ordinary(text)
        except BaseException as error:  # tiktoken panics (regex stack overflow) on some inputs
            with open(f"{out}/{kind}.failed", "w") as sink:
                sink.write(repr(error))
            continue
        with open(f"{out}/{kind}.json", "w") as sink:
            json.dump(tokens, sink)
    """
)


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base", "r50k_base"])
def test_pathological_inputs(name: str, tmp_path: Path) -> None:
    ours = tamis.get_encoding(name)
    # If tiktoken does not finish every input in time, compare the ones it did.
    with contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run(
            [sys.executable, "-c", _REFERENCE, str(TESTS), name, str(tmp_path), str(SIZE)],
            timeout=TIKTOKEN_SECONDS,
            check=True,
            capture_output=True,
        )
    compared = 0
    for kind, text in pathological(SIZE).items():
        tokens = ours.encode_ordinary(text)
        assert ours.decode(tokens) == text, kind
        assert ours.count(text, disallowed_special=()) == len(tokens)
        done = tmp_path / f"{kind}.json"
        if done.exists():
            assert tokens == json.loads(done.read_text()), kind
            compared += 1
    failed = sorted(path.stem for path in tmp_path.glob("*.failed"))
    print(f"{name}: compared {compared} inputs with tiktoken; tiktoken failed on {failed}")
    # The cheap inputs always finish in tiktoken; the test must compare something real.
    assert compared >= 3
