"""The two Ray Data operations every stage is made of, with the kernel's options bound (``partial`` keeps
the kernels plain functions that Ray ships to workers by reference)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pyarrow as pa
import ray.data

Kernel = Callable[..., pa.Table]


def per_batch(dataset: ray.data.Dataset, kernel: Kernel, **options: Any) -> ray.data.Dataset:
    """``kernel`` on every Arrow batch."""
    return dataset.map_batches(partial(kernel, **options), batch_format="pyarrow")


def per_partition(dataset: ray.data.Dataset, groups: int, kernel: Kernel, **options: Any) -> ray.data.Dataset:
    """A shuffle by the ``part`` column into ``groups`` partitions, then ``kernel`` on each whole group."""
    grouped = dataset.groupby("part", num_partitions=groups)
    return grouped.map_groups(partial(kernel, **options), batch_format="pyarrow")
