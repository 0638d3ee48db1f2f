"""Helpers shared by the Ray tests: the sample as texts, and the comparison with the local engine."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

import tamis
from conftest import SAMPLE


def sample_texts() -> list[str | None]:
    """The Poe sample (real duplicates and near duplicates), with a null and two empty texts."""
    texts: list[str | None] = [json.loads(line)["text"] for line in SAMPLE.open(encoding="utf-8")]
    texts[10] = None
    texts[11] = texts[12] = ""
    return texts


def local_clusters(texts: list[str | None], **options: Any) -> tuple[dict[int, int], set[int], Any]:
    """The local engine's answer as ``{row: smallest row of its cluster}``, the kept rows, and the result."""
    local = tamis.dedup(texts, **options)
    first_row: dict[int, int] = {}
    clusters = {}
    for row, cluster in enumerate(local.cluster.tolist()):
        if cluster >= 0:
            clusters[row] = first_row.setdefault(cluster, row)
    kept = set(np.flatnonzero(local.keep).tolist())
    return clusters, kept, local


def assert_same_as_local(result: Any, texts: list[str | None], **options: Any) -> None:
    """``result`` (a tamis.ray result over ``texts`` with a column ``n`` = row) equals tamis.dedup's."""
    expected, expected_kept, local = local_clusters(texts, **options)
    assert local.stats["clusters"] > 100, "the sample should exercise many clusters"
    members = {row["row"]: row for row in result.clusters.take_all()}
    assert {row: member["cluster"] for row, member in members.items()} == expected
    kept_rows = [row["n"] for row in result.kept.take_all()]
    assert sorted(kept_rows) == sorted(expected_kept)
    assert len(kept_rows) == len(set(kept_rows))
    for row, member in members.items():
        assert member["similarity"] == local.similarity[row], f"row {row}"
        assert member["kept"] == (row in expected_kept)
    for name in ("records", "nulls", "exact_duplicates", "candidates", "verified", "clusters", "removed"):
        assert result.stats[name] == local.stats[name], name
