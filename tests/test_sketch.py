"""tamis.sketch and the column-level helpers: inputs, determinism, empty documents, accuracy, errors."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import datasketch
import numpy as np
import polars as pl
import pyarrow as pa
import pytest

import tamis
from conftest import SAMPLE

EMPTY = np.iinfo(np.uint32).max


def poe_texts(limit: int = 600, min_words: int = 30) -> list[str]:
    texts = []
    with SAMPLE.open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)["text"]
            if len(text.split()) >= min_words:
                texts.append(text)
            if len(texts) == limit:
                break
    return texts


TEXTS = poe_texts()


def edited(text: str, rng: random.Random, edits: int) -> str:
    """A near-duplicate: ``edits`` words deleted, replaced or inserted."""
    words = text.split()
    for _ in range(edits):
        at = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.4:
            del words[at]
        elif roll < 0.8:
            words[at] = "zzz" + words[at]
        else:
            words.insert(at, "inserted")
    return " ".join(words)


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Brute force on Python sets of the shingle hashes."""
    left, right = set(a.tolist()), set(b.tolist())
    union = left | right
    return len(left & right) / len(union) if union else 0.0


@pytest.mark.parametrize("method", ["fss", "classic"])
def test_list_pyarrow_polars_agree(method: str) -> None:
    texts: list[str | None] = [*TEXTS[:200], None, "", "   "]
    want = tamis.sketch(texts, num_perm=64, method=method)  # type: ignore[arg-type]
    assert want.shape == (len(texts), 64)
    assert want.dtype == np.uint32

    class Texts(list):  # type: ignore[type-arg]
        pass

    for column in (
        tuple(texts),  # read through the iterator protocol; a list is read item by item
        iter(texts),
        Texts(texts),
        pa.array(texts, type=pa.string()),
        pa.array(texts, type=pa.large_string()),
        pa.chunked_array([texts[:50], texts[50:]], type=pa.string()),
        pl.Series(texts, dtype=pl.String),
    ):
        np.testing.assert_array_equal(tamis.sketch(column, num_perm=64, method=method), want)  # type: ignore[arg-type]


def test_rows_are_independent_of_the_batch() -> None:
    whole = tamis.sketch(TEXTS[:100])
    for row in (0, 17, 99):
        np.testing.assert_array_equal(tamis.sketch([TEXTS[row]])[0], whole[row])
    assert tamis.sketch([]).shape == (0, 128)


_THREADS_SCRIPT = """
import hashlib, json, sys
import tamis
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
runs = [(m, u) for m in ("fss", "classic") for u in ("word", "char")]
sigs = [tamis.sketch(texts, num_perm=64, method=m, unit=u) for m, u in runs]
print(hashlib.sha256(b"".join(s.tobytes() for s in sigs)).hexdigest())
"""


def test_results_do_not_depend_on_the_thread_count() -> None:
    digests = set()
    for threads in ("1", "2", "5"):
        result = subprocess.run(
            [sys.executable, "-c", _THREADS_SCRIPT, str(SAMPLE)],
            capture_output=True,
            text=True,
            check=True,
            env={"RAYON_NUM_THREADS": threads, "PATH": ""},
            timeout=300,
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1


@pytest.mark.parametrize("method", ["fss", "classic"])
def test_empty_documents_give_the_empty_signature_and_never_pair(method: str) -> None:
    texts = ["", None, "...!!!", "   ", "", TEXTS[0], TEXTS[0]]
    sigs = tamis.sketch(texts, num_perm=32, method=method)  # type: ignore[arg-type]
    assert (sigs[:5] == EMPTY).all()
    assert (sigs[5] != EMPTY).all()
    pairs = tamis.lsh_pairs(sigs, bands=8, rows=4)
    assert pairs.tolist() == [[5, 6]]
    assert tamis.jaccard(sigs[0], sigs[1]) == 0.0
    assert tamis.jaccard(sigs[5], sigs[6]) == 1.0


def test_normalization_happens_before_shingling() -> None:
    a, b = "The Raven, by Edgar Allan POE!", "the raven by edgar allan poe"
    np.testing.assert_array_equal(*tamis.sketch([a, b], ngram=2))
    raw = tamis.sketch([a, b], ngram=2, normalize="none")
    assert tamis.jaccard(raw[0], raw[1]) < 1.0
    char = tamis.sketch([a, b], unit="char", ngram=3)
    np.testing.assert_array_equal(char[0], char[1])


@pytest.mark.parametrize("method", ["fss", "classic"])
@pytest.mark.parametrize("unit", ["word", "char"])
def test_estimated_jaccard_tracks_exact_jaccard(method: str, unit: str) -> None:
    rng = random.Random(7)
    originals = TEXTS[:150]
    copies = [edited(text, rng, rng.randint(1, 6)) for text in originals]
    num_perm = 256
    ngram = 5 if unit == "char" else 3
    sigs = tamis.sketch(originals + copies, num_perm=num_perm, unit=unit, ngram=ngram, method=method)  # type: ignore[arg-type]
    sets = tamis.shingles(originals + copies, unit=unit, ngram=ngram)  # type: ignore[arg-type]
    n = len(originals)
    estimated = tamis.jaccard(sigs[:n], sigs[n:])
    exact = np.array([exact_jaccard(sets[i], sets[n + i]) for i in range(n)])
    assert 0.3 < exact.mean() < 0.99  # real near-duplicates, not trivial pairs
    errors = np.abs(estimated - exact)
    # Standard error of one estimate is sqrt(J(1-J)/k) <= 0.031 at k = 256.
    assert errors.mean() < 0.03
    assert errors.max() < 0.15
    assert abs((estimated - exact).mean()) < 0.01  # no bias


def test_lsh_pairs_find_near_duplicates_with_high_recall() -> None:
    rng = random.Random(11)
    originals = TEXTS[:300]
    copies = [edited(text, rng, 1) for text in originals[:100]]
    texts = originals + copies
    sigs = tamis.sketch(texts, num_perm=128)
    sets = tamis.shingles(texts)
    truth = {
        (i, j)
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if exact_jaccard(sets[i], sets[j]) >= 0.8
    }
    assert len(truth) >= 50
    # The recall-weighted banding that tamis.dedup uses (17 x 7 at 0.8). Over 20 seeds it found every pair
    # here; datasketch's even weights (9 x 13) find about 91% of them, by design of that S-curve.
    weights = (0.02, 0.98)
    pairs = {tuple(p) for p in tamis.lsh_pairs(sigs, threshold=0.8, weights=weights).tolist()}
    assert len(truth & pairs) / len(truth) >= 0.95
    params = tamis.lsh_params(0.8, 128, *weights)
    explicit = tamis.lsh_pairs(sigs, bands=params.bands, rows=params.rows)
    assert {tuple(p) for p in explicit.tolist()} == pairs
    assert explicit.dtype == np.uint32
    assert explicit.shape[1] == 2
    assert (explicit[:, 0] < explicit[:, 1]).all()


def test_lsh_pairs_equal_brute_force_banding() -> None:
    sigs = tamis.sketch([*TEXTS[:80], *(t.upper() for t in TEXTS[:20])], num_perm=32, ngram=2)
    bands, rows = 16, 2
    keys = [[sigs[d, b * rows : (b + 1) * rows].tobytes() for b in range(bands)] for d in range(len(sigs))]
    want = [
        [i, j]
        for i in range(len(sigs))
        for j in range(i + 1, len(sigs))
        if any(keys[i][b] == keys[j][b] for b in range(bands))
    ]
    assert tamis.lsh_pairs(sigs, bands=bands, rows=rows).tolist() == want
    sigs64 = sigs.astype(np.uint64)
    sigs64[sigs == EMPTY] = np.iinfo(np.uint64).max
    assert tamis.lsh_pairs(sigs64, bands=bands, rows=rows).tolist() == want


def test_lsh_params_match_datasketch_and_show_the_s_curve() -> None:
    for threshold, num_perm, weights in [
        (0.8, 128, (0.5, 0.5)),
        (0.5, 64, (0.3, 0.7)),
        (0.9, 256, (0.5, 0.5)),
    ]:
        params = tamis.lsh_params(threshold, num_perm, *weights)
        lsh = datasketch.MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
        assert (params.bands, params.rows) == (lsh.b, lsh.r)
        assert params.threshold == threshold
        assert params.num_perm == num_perm
    params = tamis.lsh_params(0.8, 128)
    assert params.probability(0.0) == 0.0
    assert params.probability(1.0) == 1.0
    assert params.probability(0.9) > 0.9 > 0.1 > params.probability(0.5)
    grid, curve = params.s_curve(11)
    assert grid.shape == curve.shape == (11,)
    assert (np.diff(curve) >= 0).all()
    assert 0.6 < params.knee < 0.9


def test_jaccard_helper() -> None:
    a = np.array([1, 2, 3, 4], dtype=np.uint32)
    b = np.array([1, 2, 0, 0], dtype=np.uint32)
    assert tamis.jaccard(a, b) == 0.5
    np.testing.assert_array_equal(tamis.jaccard(np.stack([a, a]), np.stack([a, b])), [1.0, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        tamis.jaccard(a, b[:3])


def test_bad_arguments_raise_clear_errors() -> None:
    texts = ["some text here"]
    with pytest.raises(tamis.InvalidOptionError, match="num_perm"):
        tamis.sketch(texts, num_perm=0)
    with pytest.raises(ValueError, match="shingle unit"):
        tamis.sketch(texts, unit="token")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shingle size"):
        tamis.sketch(texts, ngram=0)
    with pytest.raises(ValueError, match="method"):
        tamis.sketch(texts, method="oph")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="normalization"):
        tamis.sketch(texts, normalize="lower")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        tamis.sketch(texts, seed=-1)
    with pytest.raises(TypeError, match="wrap it in a list"):
        tamis.sketch("a single string")
    with pytest.raises(TypeError, match="row 1"):
        tamis.sketch(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="strings"):
        tamis.sketch(pa.array([1, 2]))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        tamis.lsh_params(1.0, 128)
    with pytest.raises(ValueError, match="threshold"):
        tamis.lsh_params(0.0, 128)
    with pytest.raises(ValueError, match="weights"):
        tamis.lsh_params(0.5, 128, 0.7, 0.7)
    sigs = tamis.sketch(texts, num_perm=16)
    with pytest.raises(ValueError, match="exceeds num_perm"):
        tamis.lsh_pairs(sigs, bands=8, rows=4)
    with pytest.raises(ValueError, match="either threshold"):
        tamis.lsh_pairs(sigs, bands=4)
    with pytest.raises(ValueError, match="not both"):
        tamis.lsh_pairs(sigs, bands=4, rows=4, threshold=0.5)
    with pytest.raises(TypeError, match="uint32 or uint64"):
        tamis.lsh_pairs(sigs.astype(np.int64), bands=4, rows=4)


@pytest.mark.parametrize("method", ["fss", "classic"])
def test_sketch_tokens_of_prebuilt_sets(method: str) -> None:
    words = [text.lower().split() for text in TEXTS[:50]]
    sigs = tamis.sketch_tokens(words, num_perm=64, method=method)  # type: ignore[arg-type]
    assert sigs.shape == (50, 64)
    again = tamis.sketch_tokens(
        [[w.encode() for w in reversed(ws)] * 2 for ws in words], num_perm=64, method=method
    )  # type: ignore[arg-type]
    np.testing.assert_array_equal(sigs, again)  # a set: order, repeats and str/bytes do not matter
    assert (tamis.sketch_tokens([[]], num_perm=8) == EMPTY).all()
    with pytest.raises(TypeError, match="str or bytes"):
        tamis.sketch_tokens([[1, 2]])


def test_sketch_tokens_reads_every_shape_of_input_alike() -> None:
    # A list of lists of bytes is read on every core without the interpreter; every other shape (and
    # any document holding something else) is read one token at a time. All must agree.
    class Token(bytes):
        pass

    sets = [[f"{i % 97} {j}".encode() for j in range(i % 40)] for i in range(3000)]
    expected = tamis.sketch_tokens(tuple(tuple(s) for s in sets), num_perm=32)
    assert expected.shape == (3000, 32)
    np.testing.assert_array_equal(tamis.sketch_tokens(sets, num_perm=32), expected)
    np.testing.assert_array_equal(tamis.sketch_tokens(iter(sets), num_perm=32), expected)
    mixed = [
        [t.decode() for t in s] if i % 3 == 0 else [Token(t) for t in s] if i % 3 == 1 else s
        for i, s in enumerate(sets)
    ]
    np.testing.assert_array_equal(tamis.sketch_tokens(mixed, num_perm=32), expected)  # type: ignore[arg-type]
    # Documents that are not exact lists, among lists: those are read one token at a time, the rest
    # on every core.
    containers = [tuple(s) if i % 5 == 0 else iter(s) if i % 5 == 1 else s for i, s in enumerate(sets)]
    np.testing.assert_array_equal(tamis.sketch_tokens(containers, num_perm=32), expected)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not iterable"):
        tamis.sketch_tokens([*sets[:300], 7, *sets[300:]])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="str or bytes, got int"):
        tamis.sketch_tokens([*sets[:100], [b"a", 7], *sets[100:]])  # type: ignore[list-item]


def test_str_tokens_are_read_as_their_utf8_bytes() -> None:
    # Workers read str tokens without the interpreter: ASCII from the string itself, others from the
    # UTF-8 the interpreter may have cached or encoded by tamis. Each must equal the encoded bytes.
    stems = ["ascii", "café", "crème", "Ωμέγα", "∑≤", "𝔘𝔫𝔦", "😀"]
    words = [[f"{stems[(i + j) % 7]}{i}-{j}" for j in range(i % 30 + 1)] for i in range(400)]
    expected = tamis.sketch_tokens([[w.encode() for w in ws] for ws in words], num_perm=64)
    fresh = tamis.sketch_tokens(words, num_perm=64)  # no UTF-8 cached yet: encoded by tamis
    np.testing.assert_array_equal(fresh, expected)
    serial = tamis.sketch_tokens(tuple(tuple(ws) for ws in words), num_perm=64)  # caches UTF-8
    np.testing.assert_array_equal(serial, expected)
    np.testing.assert_array_equal(tamis.sketch_tokens(words, num_perm=64), expected)
    with pytest.raises(UnicodeEncodeError):
        tamis.sketch_tokens([*words[:50], ["fine", "lone \ud800 surrogate"], *words[50:]])
