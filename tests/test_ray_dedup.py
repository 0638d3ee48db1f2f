"""tamis.ray on a local Ray instance: the same clusters, survivors and similarities as the local engine,
through the distributed paths (star rounds, shuffled survivor choice, anti-join) and the driver
shortcuts, and a run that resumes after a failed stage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
import ray
import ray.data

import tamis.ray
from ray_support import assert_same_as_local, sample_texts
from tamis.errors import FieldNotFoundError, FieldTypeError, InvalidOptionError
from tamis.ray._checkpoints import Checkpoints
from tamis.ray._pipeline import Pipeline


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def dataset(texts: list[str | None], blocks: int) -> ray.data.Dataset:
    table = pa.table({"text": texts, "n": np.arange(len(texts))})
    return ray.data.from_arrow(table).repartition(blocks)


@pytest.mark.usefixtures("local_ray")
def test_a_failed_run_resumes_and_the_distributed_paths_equal_the_local_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = sample_texts()
    # driver_limit=0: components by star rounds, survivors by shuffle, kept rows by anti-join.
    options: dict[str, Any] = {
        "keep": "longest",
        "partitions": 3,
        "driver_limit": 0,
        "work_dir": str(tmp_path),
    }

    def fail(*_: Any) -> Any:
        raise RuntimeError("the clusters stage died")

    with monkeypatch.context() as patch:
        patch.setattr(Pipeline, "_clusters", fail)
        with pytest.raises(RuntimeError, match="clusters stage died"):
            tamis.ray.dedup(dataset(texts, 4), **options)
    finished = sorted(path.parent.name for path in tmp_path.glob("*/_tamis_stage.json"))
    assert finished == ["components", "documents", "links", "pairs"]

    # Other blocks this time: the row numbers, hence the answer, must not depend on them.
    result = tamis.ray.dedup(dataset(texts, 7), resume=True, **options)
    assert result.stats["resumed_stages"] == ["documents", "links", "pairs", "components"]
    assert_same_as_local(result, texts, keep="longest")


def test_resume_refuses_a_work_dir_made_with_other_options(tmp_path: Path) -> None:
    Checkpoints(str(tmp_path), False, {"options": {"threshold": 0.8}})
    with pytest.raises(InvalidOptionError, match="other options"):
        Checkpoints(str(tmp_path), True, {"options": {"threshold": 0.7}})
    with pytest.raises(InvalidOptionError, match="needs a work_dir"):
        Checkpoints(None, True, {})


@pytest.mark.usefixtures("local_ray")
def test_bad_arguments_are_clear_errors() -> None:
    small = ray.data.from_items([{"body": "a b c"}])
    with pytest.raises(FieldNotFoundError, match=r"no text column .text.*body"):
        tamis.ray.dedup(small)
    with pytest.raises(InvalidOptionError, match="needs score"):
        tamis.ray.dedup(small, "body", keep="max")
    with pytest.raises(FieldTypeError, match="not text"):
        tamis.ray.dedup(ray.data.from_items([{"text": 3}]))
    with pytest.raises(InvalidOptionError, match="threshold"):
        tamis.ray.dedup(small, "body", threshold=1.5)
