"""Stage results kept in a work directory, so that a failed run resumes from its last finished stage."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import ray.data

from tamis.errors import InvalidOptionError

_DONE = "_tamis_stage.json"
_MANIFEST = "tamis-run.json"

StageResult = tuple[ray.data.Dataset, dict[str, Any]]


class Checkpoints:
    """Runs stages, materialized in Ray's object store, or written under ``work_dir`` (Parquet) when one is
    given. With ``resume``, a stage whose output is complete in ``work_dir`` is read back instead of run;
    the run's options must then equal those the work directory was made with."""

    def __init__(self, work_dir: str | None, resume: bool, run: dict[str, Any]) -> None:
        self.work_dir = Path(work_dir) if work_dir is not None else None
        self.resume = resume
        self.resumed: list[str] = []
        self.seconds: dict[str, float] = {}
        if self.work_dir is None:
            if resume:
                raise InvalidOptionError("resume=True needs a work_dir to resume from")
            return
        manifest = self.work_dir / _MANIFEST
        if resume and manifest.exists():
            previous = json.loads(manifest.read_text())
            if previous != run:
                raise InvalidOptionError(
                    f"{self.work_dir} holds a run with other options or input; "
                    f"resume with the same ones or use another work_dir (was {previous}, now {run})"
                )
        elif self.work_dir.exists():
            # A fresh run: stages left by an earlier run must not be mistaken for this one's.
            for done in self.work_dir.glob(f"*/{_DONE}"):
                done.unlink()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        _write_atomically(manifest, json.dumps(run, sort_keys=True, indent=1))

    def stage(self, name: str, compute: Callable[[], StageResult]) -> StageResult:
        started = time.perf_counter()
        try:
            return self._stage(name, compute)
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)

    def _stage(self, name: str, compute: Callable[[], StageResult]) -> StageResult:
        if self.work_dir is None:
            dataset, stats = compute()
            return dataset.materialize(), stats
        path = self.work_dir / name
        done = path / _DONE
        if self.resume and done.exists():
            self.resumed.append(name)
            return ray.data.read_parquet(str(path)), json.loads(done.read_text())["stats"]
        dataset, stats = compute()
        partial = self.work_dir / f".{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        dataset.write_parquet(str(partial))
        if not any(partial.glob("*.parquet")):
            # Ray writes no file for an empty dataset; keep its columns so that the stage reads back.
            partial.mkdir(parents=True, exist_ok=True)
            pq.write_table(_empty_like(dataset), partial / "empty.parquet")
        (partial / _DONE).write_text(json.dumps({"stats": stats}))
        shutil.rmtree(path, ignore_errors=True)
        partial.rename(path)
        return ray.data.read_parquet(str(path)), stats


def _empty_like(dataset: ray.data.Dataset) -> pa.Table:
    schema = dataset.schema()
    if schema is None:
        return pa.table({})
    return pa.schema(list(zip(schema.names, schema.types, strict=True))).empty_table()


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    partial.replace(path)
