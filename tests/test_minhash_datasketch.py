"""tamis.MinHash / LeanMinHash / MinHashLSH against datasketch 2.0 as the oracle."""

from __future__ import annotations

import hashlib
import json
import pickle
import random
from collections.abc import Callable

import datasketch
import numpy as np
import pytest
from datasketch.lsh import _optimal_param
from hypothesis import given, settings
from hypothesis import strategies as st

import tamis
from conftest import SAMPLE

SCHEMES = ["affine32", "affine64", "legacy"]


def poe_paragraphs(limit: int = 400) -> list[str]:
    texts = []
    with SAMPLE.open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line)["text"]
            if len(text.split()) >= 8:
                texts.append(text)
            if len(texts) == limit:
                break
    return texts


PARAGRAPHS = poe_paragraphs()


def tokens(text: str) -> list[bytes]:
    return [word.encode("utf-8") for word in text.split()]


def both(cls_args: dict[str, object], values: list[bytes]) -> tuple[datasketch.MinHash, tamis.MinHash]:
    ours = tamis.MinHash(**cls_args)  # type: ignore[arg-type]
    theirs = datasketch.MinHash(**cls_args)  # type: ignore[arg-type]
    ours.update_batch(values)
    theirs.update_batch(values)
    return theirs, ours


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 42), (7, 2**32 - 1), (256, 0)])
def test_hashvalues_equal_on_real_text(scheme: str, num_perm: int, seed: int) -> None:
    args = {"num_perm": num_perm, "seed": seed, "scheme": scheme}
    for text in PARAGRAPHS[:60]:
        theirs, ours = both(args, tokens(text))
        assert ours.hashvalues.dtype == theirs.hashvalues.dtype
        np.testing.assert_array_equal(ours.hashvalues, theirs.hashvalues)
        assert ours.count() == theirs.count()
        assert ours.is_empty() is theirs.is_empty() is False
    np.testing.assert_array_equal(
        tamis.MinHash(**args).permutations,  # type: ignore[arg-type]
        datasketch.MinHash(**args).permutations,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_update_one_by_one_and_bulk_equal_update_batch(scheme: str) -> None:
    docs = [tokens(text) for text in PARAGRAPHS[:80]] + [[]]
    theirs = datasketch.MinHash.bulk(docs, num_perm=64, seed=5, scheme=scheme)
    ours = tamis.MinHash.bulk(docs, num_perm=64, seed=5, scheme=scheme)
    generated = list(tamis.MinHash.generator(docs, num_perm=64, seed=5, scheme=scheme))
    assert len(ours) == len(theirs) == len(generated)
    for mine, gen, oracle in zip(ours, generated, theirs, strict=True):
        np.testing.assert_array_equal(mine.hashvalues, oracle.hashvalues)
        np.testing.assert_array_equal(gen.hashvalues, oracle.hashvalues)
        assert mine.hashvalues.dtype == oracle.hashvalues.dtype
    one = tamis.MinHash(num_perm=64, seed=5, scheme=scheme)
    for token in docs[3]:
        one.update(token)
    np.testing.assert_array_equal(one.hashvalues, theirs[3].hashvalues)
    assert ours[-1].is_empty()
    assert theirs[-1].is_empty()


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.binary(max_size=20), max_size=60),
    scheme=st.sampled_from(SCHEMES),
    seed=st.integers(0, 2**32 - 1),
    num_perm=st.integers(1, 80),
)
def test_hashvalues_equal_on_generated_token_sets(
    values: list[bytes], scheme: str, seed: int, num_perm: int
) -> None:
    theirs, ours = both({"num_perm": num_perm, "seed": seed, "scheme": scheme}, values)
    np.testing.assert_array_equal(ours.hashvalues, theirs.hashvalues)
    assert ours.is_empty() == theirs.is_empty()
    assert ours == tamis.MinHash(hashvalues=theirs.hashvalues, seed=seed, scheme=scheme)  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.integers(0, 2**32 - 1), max_size=40), scheme=st.sampled_from(SCHEMES))
def test_custom_hashfunc(values: list[int], scheme: str) -> None:
    args = {"num_perm": 32, "scheme": scheme, "hashfunc": lambda x: x}
    theirs, ours = both(args, values)  # type: ignore[arg-type]
    np.testing.assert_array_equal(ours.hashvalues, theirs.hashvalues)


def test_numpy_tokens_hash_like_hashlib() -> None:
    values = np.arange(30, dtype=np.int64)
    theirs, ours = both({"num_perm": 16}, values)  # type: ignore[arg-type]
    np.testing.assert_array_equal(ours.hashvalues, theirs.hashvalues)
    with pytest.raises(TypeError):
        tamis.MinHash().update("a str")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_jaccard_merge_union_count_equal_datasketch(scheme: str) -> None:
    args = {"num_perm": 128, "seed": 3, "scheme": scheme}
    a_text, b_text = PARAGRAPHS[10], PARAGRAPHS[10] + " " + PARAGRAPHS[11]
    ta, oa = both(args, tokens(a_text))
    tb, ob = both(args, tokens(b_text))
    assert oa.jaccard(ob) == ta.jaccard(tb)
    assert 0 < oa.jaccard(ob) < 1
    union = tamis.MinHash.union(oa, ob)
    np.testing.assert_array_equal(union.hashvalues, datasketch.MinHash.union(ta, tb).hashvalues)
    oa.merge(ob)
    ta.merge(tb)
    np.testing.assert_array_equal(oa.hashvalues, ta.hashvalues)
    assert oa.count() == ta.count()
    assert oa.digest().tolist() == ta.digest().tolist()
    copy, oracle_copy = oa.copy(), ta.copy()
    before = oa.digest()
    for token in (b"something", b"new", b"entirely"):
        copy.update(token)
        oracle_copy.update(token)
    np.testing.assert_array_equal(copy.hashvalues, oracle_copy.hashvalues)
    np.testing.assert_array_equal(oa.hashvalues, before)  # the copy is independent
    oa.clear()
    ta.clear()
    np.testing.assert_array_equal(oa.hashvalues, ta.hashvalues)
    assert oa.is_empty()
    assert len(oa) == 128


def test_mismatched_sketches_raise_value_error() -> None:
    a = tamis.MinHash(num_perm=32, seed=1)
    for other in (
        tamis.MinHash(num_perm=32, seed=2),
        tamis.MinHash(num_perm=16, seed=1),
        tamis.MinHash(num_perm=32, seed=1, scheme="legacy"),
    ):
        with pytest.raises(ValueError, match="Cannot compute Jaccard"):
            a.jaccard(other)
        with pytest.raises(ValueError, match="Cannot merge"):
            a.merge(other)
        with pytest.raises(ValueError, match="same seed"):
            tamis.MinHash.union(a, other)
    with pytest.raises(ValueError, match="less than 2"):
        tamis.MinHash.union(a)
    with pytest.raises(tamis.InvalidOptionError):
        tamis.MinHash(num_perm=0)
    with pytest.raises(ValueError, match="scheme must be specified"):
        tamis.MinHash(hashvalues=[1, 2, 3])
    with pytest.raises(ValueError, match="scheme"):
        tamis.MinHash(scheme="affine16")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="out of range"):
        tamis.MinHash(hashvalues=[2**40], scheme="affine32")
    with pytest.raises(ValueError, match="out of range"):
        tamis.MinHash(hashfunc=lambda x: 2**40).update(b"x")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_pickling_round_trip(scheme: str) -> None:
    m = tamis.MinHash(num_perm=64, seed=9, scheme=scheme)  # type: ignore[arg-type]
    m.update_batch(tokens(PARAGRAPHS[0]))
    back = pickle.loads(pickle.dumps(m))
    assert back == m
    assert back.hashvalues.dtype == m.hashvalues.dtype
    back.update(b"more")  # still usable
    lean = tamis.LeanMinHash(m)
    assert pickle.loads(pickle.dumps(lean)) == lean
    assert hash(pickle.loads(pickle.dumps(lean))) == hash(lean)
    # datasketch's byte layout, both ways.
    oracle = datasketch.LeanMinHash(datasketch.MinHash(hashvalues=m.hashvalues, seed=9, scheme=scheme))
    buf = bytearray(lean.bytesize())
    lean.serialize(buf)
    assert datasketch.LeanMinHash.deserialize(buf) == oracle
    theirs = bytearray(oracle.bytesize())
    oracle.serialize(theirs)
    assert bytes(theirs) == bytes(buf)
    assert tamis.LeanMinHash.deserialize(theirs) == lean
    with pytest.raises(TypeError):
        lean.update(b"x")


LSH_THRESHOLDS = [0.05, 0.1, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99]
LSH_WEIGHTS = [(0.5, 0.5), (0.3, 0.7), (0.7, 0.3), (0.1, 0.9)]


@pytest.mark.parametrize("num_perm", [16, 64, 128])
@pytest.mark.parametrize("weights", LSH_WEIGHTS)
def test_lsh_b_r_equal_datasketch(num_perm: int, weights: tuple[float, float]) -> None:
    for threshold in LSH_THRESHOLDS:
        expected = _optimal_param(threshold, num_perm, *weights)
        assert tamis.lsh_params(threshold, num_perm, *weights)[:2] == expected, threshold
        if expected[0] < 2:  # datasketch refuses a single band, and so do we
            with pytest.raises(ValueError, match="b < 2"):
                tamis.MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
            continue
        theirs = datasketch.MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
        ours = tamis.MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
        assert (ours.b, ours.r) == (theirs.b, theirs.r), threshold
        assert ours.hashranges == theirs.hashranges


def near_duplicate_corpus(count: int, seed: int = 0) -> list[list[bytes]]:
    """Poe paragraphs plus edited copies (a few words dropped or replaced)."""
    rng = random.Random(seed)
    docs = [tokens(text) for text in PARAGRAPHS[:count]]
    for doc in list(docs):
        copy = list(doc)
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(copy))
            if rng.random() < 0.5:
                del copy[at]
            else:
                copy[at] = b"edited"
        docs.append(copy)
    rng.shuffle(docs)
    return docs


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("threshold", "params"), [(0.5, None), (0.8, None), (0.0, (16, 4))])
def test_lsh_query_results_equal_datasketch(
    scheme: str, threshold: float, params: tuple[int, int] | None
) -> None:
    docs = near_duplicate_corpus(150)
    sketches = datasketch.MinHash.bulk(docs, num_perm=64, seed=1, scheme=scheme)
    ours_sketches = tamis.MinHash.bulk(docs, num_perm=64, seed=1, scheme=scheme)
    theirs = datasketch.MinHashLSH(threshold=threshold, num_perm=64, params=params)
    ours = tamis.MinHashLSH(threshold=threshold, num_perm=64, params=params)
    with ours.insertion_session() as session:
        for key, m in enumerate(ours_sketches):
            session.insert(f"doc{key}", m)
    for key, m in enumerate(sketches):
        theirs.insert(f"doc{key}", m)
    found = 0
    for m, mine in zip(sketches, ours_sketches, strict=True):
        expected = set(theirs.query(m))
        assert set(ours.query(mine)) == expected
        assert set(ours.query(m)) == expected  # datasketch's own sketches work too
        found += len(expected) > 1
    assert found > 10  # the corpus has real near-duplicates
    # remove, contains, keys
    for key in ("doc0", "doc7"):
        ours.remove(key)
        theirs.remove(key)
        assert key not in ours
        assert key not in ours.keys
    for m in sketches[:40]:
        assert set(ours.query(m)) == set(theirs.query(m))
    assert len(ours) == len(ours.keys) == len(docs) - 2
    with pytest.raises(ValueError, match="does not exist"):
        ours.remove("doc0")
    with pytest.raises(ValueError, match="already exists"):
        ours.insert("doc1", ours_sketches[1])
    # pickling keeps the index
    back = pickle.loads(pickle.dumps(ours))
    assert (back.b, back.r) == (ours.b, ours.r)
    for m in sketches[:40]:
        assert set(back.query(m)) == set(theirs.query(m))


def _hashed_bucket(band: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(band, digest_size=8).digest(), "little")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("hashfunc", "prepickle"), [(None, False), (_hashed_bucket, False), (None, True)])
def test_lsh_hashtables_and_counts_equal_datasketch(
    scheme: str, hashfunc: Callable[[bytes], int] | None, prepickle: bool
) -> None:
    docs = near_duplicate_corpus(80, seed=5)
    sketches = datasketch.MinHash.bulk(docs, num_perm=64, seed=1, scheme=scheme)
    options = {"threshold": 0.7, "num_perm": 64, "hashfunc": hashfunc, "prepickle": prepickle}
    theirs, ours = datasketch.MinHashLSH(**options), tamis.MinHashLSH(**options)
    for key, m in enumerate(sketches):
        theirs.insert(("doc", key), m)
        ours.insert(("doc", key), m)

    def same_tables() -> None:
        assert ours.get_counts() == theirs.get_counts()
        assert len(ours.hashtables) == len(theirs.hashtables) == ours.b
        for mine, reference in zip(ours.hashtables, theirs.hashtables, strict=True):
            assert set(mine.keys()) == set(reference.keys())
            assert all(mine[bucket] == reference.get(bucket) for bucket in reference)
            assert len(mine) == reference.size()

    same_tables()
    assert max(max(counts.values()) for counts in ours.get_counts()) > 1  # shared buckets exist
    subset = [("doc", 3), ("doc", 50), ("doc", 3), ("absent", 0)]
    assert ours.get_subset_counts(*subset) == theirs.get_subset_counts(*subset)
    for key in [("doc", 0), ("doc", 11)]:  # the snapshot follows removals
        ours.remove(key)
        theirs.remove(key)
    same_tables()


def test_lsh_merge_and_errors() -> None:
    docs = near_duplicate_corpus(40, seed=3)
    sketches = tamis.MinHash.bulk(docs, num_perm=32)
    left, right = tamis.MinHashLSH(0.6, 32), tamis.MinHashLSH(0.6, 32)
    oracle = datasketch.MinHashLSH(0.6, 32)
    for key, m in enumerate(sketches):
        (left if key % 2 else right).insert(key, m)
        oracle.insert(key, datasketch.MinHash(hashvalues=m.hashvalues, scheme="affine32"))
    left.merge(right)
    assert not left.is_empty()
    assert len(left) == len(sketches)
    for m in sketches:
        assert set(left.query(m)) == set(
            oracle.query(datasketch.LeanMinHash(seed=1, hashvalues=m.hashvalues, scheme="affine32"))
        )
    with pytest.raises(ValueError, match="overlapping"):
        left.merge(right, check_overlap=True)
    with pytest.raises(ValueError, match="different initialization"):
        left.merge(tamis.MinHashLSH(0.9, 32))
    with pytest.raises(ValueError, match="Expecting minhash with length"):
        left.query(tamis.MinHash(num_perm=16))
    with pytest.raises(ValueError, match="does not match scheme"):
        left.query(tamis.MinHash(num_perm=32, scheme="legacy"))
    with pytest.raises(ValueError, match="threshold"):
        tamis.MinHashLSH(threshold=1.5)
    with pytest.raises(ValueError, match="Too few"):
        tamis.MinHashLSH(num_perm=1)
    with pytest.raises(ValueError, match="sum to 1"):
        tamis.MinHashLSH(weights=(0.6, 0.6))
    with pytest.raises(ValueError, match="b < 2"):
        tamis.MinHashLSH(num_perm=8, params=(1, 8))
    with pytest.raises(ValueError, match="product of b and r"):
        tamis.MinHashLSH(num_perm=8, params=(4, 4))
    assert tamis.MinHashLSH().is_empty()


def test_datasketch_docstring_example_with_numpy_rows() -> None:
    data = np.random.RandomState(0).randint(low=0, high=30, size=(100, 10))
    ours, theirs = tamis.MinHash.bulk(data, num_perm=128), datasketch.MinHash.bulk(data, num_perm=128)
    ours_lsh, theirs_lsh = tamis.MinHashLSH(threshold=0.5, num_perm=128), datasketch.MinHashLSH(0.5, 128)
    for key, (mine, oracle) in enumerate(zip(ours, theirs, strict=True)):
        np.testing.assert_array_equal(mine.hashvalues, oracle.hashvalues)
        ours_lsh.insert(key, mine)
        theirs_lsh.insert(key, oracle)
    for mine, oracle in zip(ours, theirs, strict=True):
        assert sorted(ours_lsh.query(mine)) == sorted(theirs_lsh.query(oracle))
    generated = tamis.MinHash.bulk((iter([b"x", b"y"]) for _ in range(3)), num_perm=8)
    assert len(generated) == 3
    assert generated[0] == generated[2]
