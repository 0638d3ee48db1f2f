"""Near-duplicate deduplication of in-memory data (lists, pyarrow, polars)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

from tamis import _tamis
from tamis.stats import NearDedupStats, NearFileStats
from tamis.text import ChatScope, Normalize

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Keep = Literal["first", "longest", "shortest", "max", "min"]


@dataclass(frozen=True)
class DedupResult:
    """The outcome of :func:`dedup` for ``n`` rows."""

    keep: npt.NDArray[np.bool_]
    """Rows to keep: records outside clusters, one survivor per cluster, and null rows."""
    cluster: npt.NDArray[np.int64]
    """Cluster number of each row (0, 1, ... by first row), -1 for rows in no cluster."""
    similarity: npt.NDArray[np.float64]
    """Similarity of each clustered row to its cluster's survivor (NaN outside clusters)."""
    edge_a: npt.NDArray[np.uint32]
    edge_b: npt.NDArray[np.uint32]
    edge_similarity: npt.NDArray[np.float64]
    stats: NearDedupStats

    @property
    def pairs(self) -> Any:
        """The edges that joined clusters as a pyarrow Table ``(a, b, similarity)``: exact duplicates
        (similarity 1) and verified near-duplicate candidates. Needs pyarrow."""
        import pyarrow as pa

        return pa.table({"a": self.edge_a, "b": self.edge_b, "similarity": self.edge_similarity})

    def filter(self, data: Any) -> Any:
        """``data`` without its removed rows, in the caller's type (polars DataFrame/Series, pyarrow Table/
        Array, or a list)."""
        if hasattr(data, "filter") and type(data).__module__.startswith("polars"):
            import polars as pl

            return data.filter(pl.Series(self.keep))
        if type(data).__module__.startswith("pyarrow"):
            import pyarrow as pa

            return data.filter(pa.array(self.keep))
        return [item for item, kept in zip(data, self.keep.tolist(), strict=True) if kept]


def _column(data: Any, column: str) -> Any:
    module = type(data).__module__
    if module.startswith("polars") and hasattr(data, "columns"):
        return data[column]
    if module.startswith("pyarrow") and hasattr(data, "column_names"):
        return data.column(column)
    return data


def dedup(
    data: Any,
    column: str = "text",
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    unit: Literal["word", "char"] = "word",
    ngram: int = 5,
    normalize: Normalize = "standard",
    method: Literal["fss", "classic"] = "fss",
    seed: int = 1,
    bands: int | None = None,
    rows: int | None = None,
    fp_weight: float = 0.02,
    fn_weight: float = 0.98,
    verify: Literal["exact", "estimate"] = "exact",
    keep: Keep = "first",
    score: str | None = None,
) -> DedupResult:
    """Find near-duplicate rows (Jaccard similarity of word n-grams >= ``threshold``).

    ``data`` is a polars DataFrame or pyarrow Table (``column`` names the text column), or directly a
    column: a list of str, a pyarrow array or a polars Series. Exact duplicates (after ``normalize``) are
    grouped first; the distinct texts are sketched with MinHash (``num_perm`` slots), LSH proposes
    candidate pairs (``bands`` x ``rows``, chosen from the threshold and the false positive/negative
    weights unless given), and every candidate is verified (``verify="exact"``: exact Jaccard of the
    shingle sets). Since every candidate is verified, the default weights (0.02 / 0.98) favour recall: a
    false positive costs one Jaccard computation, a false negative leaves a duplicate in the data. Verified
    edges form clusters; ``keep`` picks each cluster's survivor (``"max"``/``"min"``
    use the numeric column ``score``), ties going to the earliest row.

    >>> import tamis
    >>> texts = ["the cat sat on the mat today", "The cat sat on the mat today!", "a dog"]
    >>> tamis.dedup(texts, ngram=3).keep.tolist()
    [True, False, True]
    """
    scores = None
    if keep in ("max", "min"):
        if score is None:
            raise ValueError(f"keep={keep!r} needs score=<name of a numeric column>")
        import numpy as np

        scores = np.asarray(_column(data, score), dtype=np.float64)
    result = _tamis.dedup_fuzzy(
        _column(data, column),
        threshold=threshold,
        num_perm=num_perm,
        unit=unit,
        ngram=ngram,
        normalize=normalize,
        method=method,
        seed=seed,
        bands=bands,
        rows=rows,
        fp_weight=fp_weight,
        fn_weight=fn_weight,
        verify=verify,
        keep=keep,
        scores=scores,
    )
    return DedupResult(**result)


def dedup_files(
    inputs: Sequence[str | PathLike[str]],
    output: str | PathLike[str],
    *,
    field: str = "text",
    format: Literal["jsonl", "text"] | None = None,
    chat: ChatScope | None = None,
    threshold: float = 0.8,
    num_perm: int = 128,
    unit: Literal["word", "char"] = "word",
    ngram: int = 5,
    normalize: Normalize = "standard",
    method: Literal["fss", "classic"] = "fss",
    seed: int = 1,
    bands: int | None = None,
    rows: int | None = None,
    fp_weight: float = 0.02,
    fn_weight: float = 0.98,
    verify: Literal["exact", "estimate"] = "exact",
    keep: Keep = "first",
    score: str | None = None,
    on_error: Literal["fail", "skip"] = "fail",
    clusters: str | PathLike[str] | None = None,
    id_field: str | None = None,
    report: str | PathLike[str] | None = None,
    tokens: str | None = None,
    rejects: str | PathLike[str] | None = None,
    dry_run: bool = False,
    progress: bool = False,
) -> NearFileStats:
    """Remove near duplicates from JSONL or text files (plain, .gz, .zst) into ``output``, as ``tamis dedup``.

    Same stages and options as :func:`dedup` (``keep="max"``/``"min"`` compare the numeric field at the
    dotted path ``score``; records without it never win; a non-numeric value is a bad record); ``chat``
    reads the field as a list of ``{role, content}``
    messages and compares those in the scope (``"all"``, ``"user"``, ``"first-user"``, ``"system"``);
    texts are never all held in memory (records are re-read for
    verification and writing). Kept lines are copied byte for byte. ``clusters`` receives one JSON line per
    record in a cluster: ``{"row", "file", "line", "id", "cluster", "kept", "similarity"}`` (``id``: the
    value of ``id_field``, when given); ``tokens="o200k_base"`` also counts the tokens read and kept (a
    tokenizer pass: slower); ``report`` a
    self-contained HTML report (summary, LSH S-curve, similarity and cluster-size histograms, the largest
    clusters with their differences). ``dry_run=True`` runs every stage but writes nothing, and adds a
    ``guide``: the histogram of candidate similarities and what thresholds 0.1 and 0.05 either side would
    remove (with the same LSH candidates, so lower thresholds are lower bounds). Outputs are written
    atomically; ``kept + removed + rejected == records`` for the run and for each file.
    """
    return _tamis.dedup_files_fuzzy(  # type: ignore[return-value]
        [*inputs],
        output,
        field=field,
        format=format,
        chat=chat,
        threshold=threshold,
        num_perm=num_perm,
        unit=unit,
        ngram=ngram,
        normalize=normalize,
        method=method,
        seed=seed,
        bands=bands,
        rows=rows,
        fp_weight=fp_weight,
        fn_weight=fn_weight,
        verify=verify,
        keep=keep,
        score_field=score,
        on_error=on_error,
        clusters=clusters,
        id_field=id_field,
        report=report,
        tokens=tokens,
        rejects=rejects,
        dry_run=dry_run,
        progress=progress,
    )
