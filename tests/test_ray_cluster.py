"""`tamis dedup --engine ray` on a real two-node Ray cluster on this machine (a head node and a second
worker node joined over loopback): the same records kept and the same clusters as the local engine."""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE, run_cli
from ray_support import local_clusters, sample_texts

RAY = Path(sys.executable).with_name("ray")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ray(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RAY), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


@pytest.fixture
def two_node_cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # Ray 2.5x clusters authenticate with a token; every process of this test (nodes, drivers) shares one.
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN", secrets.token_hex(32))
    address = f"127.0.0.1:{_free_port()}"
    try:
        head = _ray(
            "start",
            "--head",
            f"--port={address.split(':')[1]}",
            "--num-cpus=1",
            "--node-ip-address=127.0.0.1",
            "--include-dashboard=false",
            "--disable-usage-stats",
        )
        assert head.returncode == 0, head.stderr
        worker = _ray(
            "start",
            f"--address={address}",
            "--num-cpus=1",
            "--node-ip-address=127.0.0.1",
            "--disable-usage-stats",
        )
        assert worker.returncode == 0, worker.stderr
        yield address
    finally:
        _ray("stop", "--force")


def test_two_node_cluster_gives_the_local_result(two_node_cluster: str, tmp_path: Path) -> None:
    nodes = subprocess.run(
        [
            sys.executable,
            "-c",
            "import ray, sys; ray.init(address=sys.argv[1], log_to_driver=False); "
            "print(sum(node['Alive'] for node in ray.nodes()))",
            two_node_cluster,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert nodes.stdout.strip().splitlines()[-1] == "2"

    # The sample split over three files, read in name order (row numbers follow it).
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    inputs = tmp_path / "in"
    inputs.mkdir()
    third = len(lines) // 3 + 1
    for part in range(3):
        (inputs / f"part-{part}.jsonl").write_text("".join(lines[part * third : (part + 1) * third]))

    output, clusters = tmp_path / "out", tmp_path / "clusters"
    ran = run_cli(
        "dedup",
        "--engine",
        "ray",
        "--address",
        two_node_cluster,
        inputs,
        "-o",
        output,
        "--clusters",
        clusters,
        "-q",
        timeout=900,  # a whole pipeline of Ray Data shuffles on two 1-CPU nodes
    )
    assert ran.returncode == 0, ran.stderr
    assert not list(tmp_path.glob(".*.partial"))

    texts = sample_texts()
    texts[10], texts[11], texts[12] = (json.loads(lines[i])["text"] for i in (10, 11, 12))
    expected, expected_kept, _ = local_clusters(texts)
    kept_ids = [
        json.loads(line)["id"]
        for path in sorted(output.glob("*.json"))
        for line in path.read_text().splitlines()
    ]
    all_ids = [json.loads(line)["id"] for line in lines]
    # Few rows removed: they are filtered in place, so the kept records keep the input order.
    assert kept_ids == [all_ids[row] for row in sorted(expected_kept)]
    table = pq.read_table(clusters)
    got = dict(zip(table["row"].to_pylist(), table["cluster"].to_pylist(), strict=True))
    assert got == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "ray", "--report", "r.html"], "--report is not supported with --engine ray"),
        (["--engine", "ray", "--exact"], "--exact is not supported with --engine ray"),
        (["--engine", "ray", "--field", "meta.text"], "--field cannot be a dotted path"),
        (["--work-dir", "w"], "need --engine ray"),
        (["--resume"], "need --engine ray"),
    ],
)
def test_options_the_ray_engine_does_not_take_are_refused(
    tmp_path: Path, args: list[str], message: str
) -> None:
    ran = run_cli("dedup", SAMPLE, "-o", tmp_path / "out", *args)
    assert ran.returncode == 1
    assert message in ran.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    ran = run_cli("dedup", "--engine", "ray", tmp_path / "absent", "-o", tmp_path / "out")
    assert ran.returncode == 1
    assert "no such file or directory" in ran.stderr


def test_an_unreachable_cluster_is_a_clear_error(tmp_path: Path) -> None:
    # Nothing listens on a port just freed; Ray alone would retry for minutes.
    address = f"127.0.0.1:{_free_port()}"
    ran = run_cli("dedup", "--engine", "ray", "--address", address, SAMPLE, "-o", tmp_path / "out")
    assert ran.returncode == 1
    assert f"--address {address}: cannot reach a Ray cluster there" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "out").exists()


def test_only_host_port_addresses_are_probed() -> None:
    from tamis.errors import TamisIOError
    from tamis.ray._cli import _check_reachable

    for left_to_ray in ["auto", "local", "anyscale://my-cluster:443", "ray://head"]:
        _check_reachable(left_to_ray, timeout=0.5)  # no probe, no error: Ray resolves these itself
    for unreachable in [f"127.0.0.1:{_free_port()}", f"ray://127.0.0.1:{_free_port()}"]:
        with pytest.raises(TamisIOError, match="cannot reach a Ray cluster"):
            _check_reachable(unreachable, timeout=0.5)
