"""tamis.dedup (near duplicates) against brute-force exact Jaccard on real text."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import combinations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

import tamis
from conftest import SAMPLE, reference_normalize

THRESHOLD = 0.8


def shingles(text: str, n: int = 5) -> frozenset[tuple[str, ...]]:
    """Oracle shingling: word n-grams of the normalized text (one shingle for shorter texts)."""
    words = [word for word in reference_normalize(text, "standard").split() if any(c.isalnum() for c in word)]
    if not words:
        return frozenset()
    if len(words) < n:
        return frozenset([tuple(words)])
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def brute_force_pairs(texts: list[str]) -> set[tuple[int, int]]:
    """Every pair with exact Jaccard >= THRESHOLD. Pairs sharing no shingle have Jaccard 0, so enumerating
    the pairs that share one (through an inverted index) is exhaustive."""
    sets = [shingles(text) for text in texts]
    postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for row, shingle_set in enumerate(sets):
        for shingle in shingle_set:
            postings[shingle].append(row)
    candidates: set[tuple[int, int]] = set()
    for rows in postings.values():
        if len(rows) < 200:  # boilerplate shingles shared by hundreds are covered by other shingles
            candidates.update(combinations(rows, 2))
    pairs = set()
    for a, b in candidates:
        union = len(sets[a] | sets[b])
        if union and len(sets[a] & sets[b]) / union >= THRESHOLD:
            pairs.add((a, b))
    return pairs


@pytest.fixture(scope="module")
def sample_texts() -> list[str]:
    return [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def truth(sample_texts: list[str]) -> set[tuple[int, int]]:
    return brute_force_pairs(sample_texts)


def test_membership_recall_and_precision_against_brute_force(
    sample_texts: list[str], truth: set[tuple[int, int]]
) -> None:
    result = tamis.dedup(sample_texts, threshold=THRESHOLD)
    truth_members = {row for pair in truth for row in pair}
    found_members = set(np.flatnonzero(result.cluster >= 0).tolist())
    assert len(truth_members) > 500, "the sample must hold real near duplicates"
    recall = len(truth_members & found_members) / len(truth_members)
    precision = len(truth_members & found_members) / len(found_members)
    assert recall >= 0.98, recall
    assert precision >= 0.99, precision
    stats = result.stats
    assert stats["records"] == len(sample_texts)
    assert stats["removed"] == int((~result.keep).sum())
    assert stats["verified"] + stats["rejected"] == stats["candidates"]


def test_every_cluster_keeps_exactly_one_survivor(sample_texts: list[str]) -> None:
    result = tamis.dedup(sample_texts, keep="longest")
    lengths = np.array([len(text.encode()) for text in sample_texts])
    for cluster in np.unique(result.cluster[result.cluster >= 0]):
        members = np.flatnonzero(result.cluster == cluster)
        survivors = members[result.keep[members]]
        assert len(survivors) == 1
        longest = members[lengths[members] == lengths[members].max()]
        assert survivors[0] == longest.min(), "longest, ties broken by input order"
    assert result.keep[result.cluster < 0].all()


def test_similarity_to_survivor_is_exact_jaccard(sample_texts: list[str]) -> None:
    result = tamis.dedup(sample_texts)
    checked = 0
    for row in np.flatnonzero((result.cluster >= 0) & ~result.keep)[:200]:
        members = np.flatnonzero(result.cluster == result.cluster[row])
        survivor = members[result.keep[members]][0]
        a, b = shingles(sample_texts[row]), shingles(sample_texts[survivor])
        if a and b:
            assert result.similarity[row] == pytest.approx(len(a & b) / len(a | b), abs=0.02)
            checked += 1
    assert checked > 50


def test_frames_and_filter_keep_the_callers_type() -> None:
    frame = pl.DataFrame(
        {"id": [1, 2, 3], "text": ["the cat sat on the warm mat", "The cat sat on the warm mat!", "dog"]}
    )
    result = tamis.dedup(frame, ngram=3)
    assert result.keep.tolist() == [True, False, True]
    assert result.filter(frame)["id"].to_list() == [1, 3]
    table = frame.to_arrow()
    assert tamis.dedup(table, ngram=3).filter(table).column("id").to_pylist() == [1, 3]
    assert result.pairs.to_pylist() == [{"a": 0, "b": 1, "similarity": 1.0}]
    assert tamis.dedup(pa.array(frame["text"].to_list()), ngram=3).keep.tolist() == [True, False, True]


def test_keep_max_score() -> None:
    frame = pl.DataFrame({"text": ["same words here again now"] * 3, "quality": [0.2, 0.9, 0.5]})
    result = tamis.dedup(frame, keep="max", score="quality")
    assert result.keep.tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"threshold": 1.5}, "threshold"),
        ({"bands": 4}, "give both bands and rows"),
        ({"bands": 64, "rows": 4}, "exceeds num_perm"),
        ({"keep": "best"}, "unknown keep policy"),
        ({"verify": "maybe"}, "unknown verification"),
        ({"keep": "max"}, "needs score"),
    ],
)
def test_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tamis.dedup(["a b c"], **options)  # type: ignore[arg-type]
