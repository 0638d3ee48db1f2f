"""Read-only views of a :class:`tamis.MinHashLSH`'s buckets in datasketch's shapes.

datasketch exposes its buckets as ``lsh.hashtables`` (one ``DictSetStorage`` per band: bucket key ->
set of keys) and counts them with ``get_counts()``. tamis keeps its buckets in Rust, so these views are
rebuilt from the band values the index stores, with datasketch's bucket keys (the band's hash values
byte-swapped, passed through ``hashfunc`` if one was given) and its stored keys (pickled when
``prepickle`` is set). They are snapshots: insert and remove through the index.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

import numpy.typing as npt


class BandTable:
    """One band's buckets, like datasketch's ``DictSetStorage``: bucket key -> set of keys."""

    def __init__(self, buckets: dict[Any, set[Any]]) -> None:
        self._buckets = buckets

    def keys(self) -> Iterable[Any]:
        return self._buckets.keys()

    def get(self, key: Any) -> set[Any]:
        return self._buckets.get(key, set())

    def getmany(self, *keys: Any) -> list[set[Any]]:
        return [self.get(key) for key in keys]

    def itemcounts(self) -> dict[Any, int]:
        return {key: len(members) for key, members in self._buckets.items()}

    def size(self) -> int:
        return len(self._buckets)

    def has_key(self, key: Any) -> bool:
        return key in self._buckets

    def status(self) -> dict[str, int]:
        return {"keyspace_size": len(self._buckets)}

    def __getitem__(self, key: Any) -> set[Any]:
        return self.get(key)

    def __len__(self) -> int:
        return self.size()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._buckets)

    def __contains__(self, key: object) -> bool:
        return key in self._buckets


def band_keys(
    values: npt.NDArray[Any], hashranges: list[tuple[int, int]], hashfunc: Callable[[bytes], Any] | None
) -> list[Any]:
    """datasketch's bucket key of each band of ``values``."""
    keys = [bytes(values[start:end].byteswap().data) for start, end in hashranges]
    return keys if hashfunc is None else [hashfunc(key) for key in keys]


def build_tables(
    entries: Iterable[tuple[Hashable, npt.NDArray[Any]]],
    hashranges: list[tuple[int, int]],
    hashfunc: Callable[[bytes], Any] | None,
    prepickle: bool,
) -> list[BandTable]:
    """One :class:`BandTable` per band over ``entries`` (key, band values), in insertion order."""
    tables: list[dict[Any, set[Any]]] = [{} for _ in hashranges]
    for key, values in entries:
        stored = pickle.dumps(key) if prepickle else key
        for table, bucket in zip(tables, band_keys(values, hashranges, hashfunc), strict=True):
            table.setdefault(bucket, set()).add(stored)
    return [BandTable(table) for table in tables]
