"""The near-duplicate pipeline on Ray Data. Stages, each a few Ray Data operations around Rust kernels:

1. ``documents``: every row numbered by its position in the input (the order ``keep="first"`` uses).
2. ``links``: band rows per batch, grouped by bucket (a shuffle) into exact-duplicate links and
   candidate pairs, then deduplicated (a second shuffle).
3. ``pairs``: candidates joined with both texts (two hash joins), verified, exact links added.
4. ``components``: connected components (large-star/small-star rounds, or union-find on the driver when
   the edges are few).
5. ``clusters``: survivors per cluster and each member's similarity to its survivor.
Then the kept rows: the input without the removed rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import ray
import ray.data

from tamis.errors import FieldNotFoundError, FieldTypeError
from tamis.ray import _kernels
from tamis.ray._checkpoints import Checkpoints, StageResult
from tamis.ray._components import components
from tamis.ray._kernels import ROW
from tamis.ray._ops import per_batch, per_partition


@ray.remote
def _count(table: pa.Table, column: str) -> tuple[int, int]:
    return table.num_rows, table[column].null_count


@ray.remote
def _number(table: pa.Table, first: int) -> pa.Table:
    return _kernels.number_rows(table, first)


class Pipeline:
    def __init__(
        self,
        column: str,
        options: dict[str, Any],
        score: str | None,
        checkpoints: Checkpoints,
        partitions: int | None,
        driver_limit: int,
    ) -> None:
        self.column = column
        self.options = options
        self.score = score
        self.checkpoints = checkpoints
        self.partitions = partitions
        self.driver_limit = driver_limit
        self.stats: dict[str, Any] = {}
        plan = _kernels.plan(options)  # checks the options before any work
        self.stats.update(bands=plan.bands, rows=plan.rows)
        self.parts = 1

    def _stage(self, name: str, compute: Any) -> ray.data.Dataset:
        dataset, stats = self.checkpoints.stage(name, compute)
        self.stats.update(stats)
        return dataset

    def run(self, dataset: ray.data.Dataset) -> tuple[ray.data.Dataset, ray.data.Dataset, ray.data.Dataset]:
        docs = self._stage("documents", lambda: self._documents(dataset))
        # The kept rows come out in input order when few enough rows are removed to filter in place.
        docs.context.execution_options.preserve_order = True
        cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
        band_rows = self.stats["records"] * (self.stats["bands"] + 1)
        self.parts = self.partitions or max(2, cpus, band_rows // 2_000_000)
        texts = docs.select_columns([ROW, self.column])
        links = self._stage("links", lambda: self._links(docs))
        pairs = self._stage("pairs", lambda: self._pairs(links, texts))
        labels = self._stage("components", lambda: (components(pairs, self.parts, self.driver_limit), {}))
        clusters = self._stage("clusters", lambda: self._clusters(labels, docs, texts))
        return self._kept(docs, clusters), clusters, pairs

    def _documents(self, dataset: ray.data.Dataset) -> StageResult:
        self._check_columns(dataset)
        # A dataset keeps the context it was created with: its blocks come in order only if that one
        # preserves order, whatever the current context says.
        options = dataset.context.execution_options
        preserve_order, options.preserve_order = options.preserve_order, True
        try:
            blocks = dataset.to_arrow_refs()
        finally:
            options.preserve_order = preserve_order
        counts = ray.get([_count.remote(block, self.column) for block in blocks])
        firsts = np.concatenate([[0], np.cumsum([rows for rows, _ in counts])]).tolist()
        numbered = [_number.remote(block, first) for block, first in zip(blocks, firsts, strict=False)]
        records = int(firsts[-1])
        if not numbered:
            empty = pa.table({self.column: pa.array([], pa.string()), ROW: pa.array([], pa.uint64())})
            return ray.data.from_arrow(empty), {"records": 0, "nulls": 0}
        docs = ray.data.from_arrow_refs(numbered)  # type: ignore[arg-type]
        return docs, {"records": records, "nulls": sum(nulls for _, nulls in counts)}

    def _check_columns(self, dataset: ray.data.Dataset) -> None:
        schema = dataset.schema()
        names = list(schema.names) if schema is not None else []
        for name, role in ((self.column, "text"), (self.score, "score")):
            if name is not None and name not in names:
                raise FieldNotFoundError(
                    f"no {role} column {name!r} in the dataset (columns: {', '.join(names)})"
                )
        if schema is not None:
            text_type = schema.types[names.index(self.column)]
            if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type)):
                raise FieldTypeError(f"column {self.column!r} holds {text_type}, not text")

    def _links(self, docs: ray.data.Dataset) -> StageResult:
        parts = self.parts
        band_rows = per_batch(docs, _kernels.band_rows, column=self.column, options=self.options, parts=parts)
        bucketed = per_partition(band_rows, parts, _kernels.bucket_links, parts=parts)
        return per_partition(bucketed, parts, _kernels.dedupe_links), {}

    def _with_texts(self, pairs: ray.data.Dataset, texts: ray.data.Dataset, left: str, right: str) -> Any:
        """``pairs`` with the similarity of the texts of rows ``left`` and ``right`` (two hash joins)."""
        joined = pairs.join(
            texts.rename_columns({ROW: left, self.column: "_text_left"}), "inner", self.parts, on=(left,)
        ).join(
            texts.rename_columns({ROW: right, self.column: "_text_right"}), "inner", self.parts, on=(right,)
        )
        return per_batch(
            joined, _kernels.pair_similarity, left="_text_left", right="_text_right", options=self.options
        )

    def _pairs(self, links: ray.data.Dataset, texts: ray.data.Dataset) -> StageResult:
        exact = per_batch(links, _kernels.links_of_kind, exact=True).materialize()
        candidates = per_batch(links, _kernels.links_of_kind, exact=False)
        scored = self._with_texts(candidates, texts, "a", "b").materialize()
        verified = per_batch(scored, _kernels.at_least, threshold=self.options["threshold"]).materialize()
        stats = {
            "exact_duplicates": exact.count(),
            "candidates": scored.count(),
            "verified": verified.count(),
        }
        return exact.union(verified), stats

    def _clusters(
        self, labels: ray.data.Dataset, docs: ray.data.Dataset, texts: ray.data.Dataset
    ) -> StageResult:
        keep = self.options["keep"]
        if keep == "first":
            members = per_batch(labels, _kernels.survivor_is_root)
        else:
            attributes = per_batch(docs, _kernels.member_attributes, column=self.column, score=self.score)
            with_attributes = labels.join(attributes, "inner", self.parts, on=("row",))
            by_cluster = per_batch(with_attributes, _kernels.with_partition, key="root", parts=self.parts)
            survivors = per_partition(by_cluster, self.parts, _kernels.choose_survivors, keep=keep)
            members = labels.join(survivors, "inner", self.parts, on=("root",))
        scored = self._with_texts(members, texts, "row", "survivor")
        clusters = per_batch(scored, _kernels.cluster_rows).materialize()
        members = clusters.count()
        # Each cluster has exactly one survivor.
        kept = int(clusters.sum("kept") or 0) if members else 0
        return clusters, {"clusters": kept, "removed": members - kept}

    def _kept(self, docs: ray.data.Dataset, clusters: ray.data.Dataset) -> ray.data.Dataset:
        removed = per_batch(clusters, _kernels.removed_rows)
        if self.stats["removed"] <= self.driver_limit:
            # Few enough to send to every task: the rows keep their order and blocks, no shuffle.
            tables = ray.get(removed.to_arrow_refs())
            rows = np.sort(np.concatenate([t["row"].to_numpy() for t in tables] or [np.zeros(0)]))
            return per_batch(docs, _kernels.drop_rows, removed=ray.put(rows.astype(np.uint64)))
        return docs.join(
            removed.rename_columns({"row": ROW}), "left_anti", self.parts, on=(ROW,)
        ).drop_columns([ROW])
