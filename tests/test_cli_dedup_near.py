"""`tamis dedup` (near duplicates, the default) end to end, as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

import tamis
from conftest import read_json_lines, run_cli


def test_sample_data_matches_the_in_memory_api(sample: Path, tmp_path: Path) -> None:
    output, clusters = tmp_path / "out.jsonl", tmp_path / "clusters.jsonl"
    result = run_cli("dedup", sample, "-o", output, "--clusters", clusters, "--id-field", "id")
    assert result.returncode == 0, result.stderr
    assert "Near duplicates:" in result.stderr
    assert "verified" in result.stderr

    lines = sample.read_bytes().splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    in_memory = tamis.dedup(texts)
    expected = [line for line, kept in zip(lines, in_memory.keep, strict=True) if kept]
    assert output.read_bytes().splitlines() == expected

    entries = read_json_lines(clusters)
    assert len(entries) == int((in_memory.cluster >= 0).sum())
    by_cluster: dict[int, list[dict[str, object]]] = {}
    for entry in entries:
        by_cluster.setdefault(int(entry["cluster"]), []).append(entry)  # type: ignore[call-overload]
        assert entry["line"] == int(entry["row"]) + 1  # type: ignore[call-overload]
        assert in_memory.cluster[int(entry["row"])] == entry["cluster"]  # type: ignore[call-overload]
        assert entry["id"] == json.loads(lines[int(entry["row"])])["id"]  # type: ignore[call-overload]
    for members in by_cluster.values():
        survivors = [m for m in members if m["kept"]]
        assert len(survivors) == 1
        assert survivors[0]["similarity"] == 1.0


def test_near_duplicates_across_files_and_formats(tmp_path: Path) -> None:
    story = "it was a dark and stormy night and the rain fell in torrents except at occasional intervals"
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"text": story}) + "\n" + json.dumps({"text": "other"}) + "\n"
    )
    (tmp_path / "b.txt").write_text(story.replace("occasional", "rare") + "\nsomething else entirely\n")
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", tmp_path / "a.jsonl", tmp_path / "b.txt", "-o", output, "--threshold", "0.5")
    assert result.returncode == 0, result.stderr
    kept = output.read_text().splitlines()
    assert len(kept) == 3
    assert "rare" not in output.read_text()


def test_keep_longest_and_thread_count_independence(sample: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_cli("dedup", sample, "-o", first, "--keep", "longest", "--threads", "1").returncode == 0
    assert run_cli("dedup", sample, "-o", second, "--keep", "longest").returncode == 0
    assert first.read_bytes() == second.read_bytes()
    lines = sample.read_bytes().splitlines()
    result = tamis.dedup([json.loads(line)["text"] for line in lines], keep="longest")
    assert first.read_bytes().splitlines() == [line for line, k in zip(lines, result.keep, strict=True) if k]
    assert not np.array_equal(result.keep, tamis.dedup([json.loads(line)["text"] for line in lines]).keep)


def test_bad_record_fails_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "a b c"}\n{"text": 5}\n')
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("dedup", source, "-o", out / "o.jsonl", "--clusters", out / "c.jsonl")
    assert result.returncode == 1
    assert "in.jsonl:2: field 'text' is a number" in result.stderr
    assert list(out.iterdir()) == []


def test_skip_accounts_for_every_record(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "one two three four five six"}\nnot json\n{"text": "one two three four five six!"}\n'
    )
    output, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = run_cli("dedup", source, "-o", output, "--on-error", "skip", "--rejects", rejects)
    assert result.returncode == 0, result.stderr
    assert "Read 3 records" in result.stderr
    assert "Kept 1, removed 1 duplicates (33.3%), rejected 1." in result.stderr
    assert [r["line"] for r in read_json_lines(rejects)] == [2]


def test_duplicates_file_needs_exact(sample: Path, tmp_path: Path) -> None:
    result = run_cli("dedup", sample, "-o", tmp_path / "o.jsonl", "--duplicates", tmp_path / "d.jsonl")
    assert result.returncode == 1
    assert "--clusters" in result.stderr


def test_directory_and_glob_inputs_expand_sorted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "part").mkdir(parents=True)
    (data / "b.jsonl").write_text('{"text": "second file words here and more"}\n')
    (data / "a.jsonl").write_text('{"text": "first file words here and more"}\n')
    (data / "part" / "c.txt").write_text("second file words here and more\n")
    (data / "README.md").write_text("not data\n")
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", data, "-o", output)
    assert result.returncode == 0, result.stderr
    assert "from 3 files" in result.stderr
    assert output.read_text().splitlines() == [
        '{"text": "first file words here and more"}',
        '{"text": "second file words here and more"}',
    ]
    pattern = run_cli("dedup", str(data / "*.jsonl"), "-o", output)
    assert pattern.returncode == 0, pattern.stderr
    assert "from 2 files" in pattern.stderr
    empty = run_cli("dedup", str(data / "*.parquet"), "-o", output)
    assert empty.returncode == 1
    assert "matches no file" in empty.stderr


def test_html_report_is_self_contained(sample: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", sample, "-o", output, "--report", report, "--tokens", "o200k_base")
    assert result.returncode == 0, result.stderr
    encoding = tamis.get_encoding("o200k_base")
    tokens_in = sum(encoding.count(json.loads(line)["text"]) for line in sample.read_text().splitlines())
    tokens_out = sum(encoding.count(json.loads(line)["text"]) for line in output.read_text().splitlines())
    assert f"Tokens: {tokens_in:,} in, {tokens_out:,} kept." in result.stderr
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    # Nothing is loaded from elsewhere (the texts themselves may mention URLs).
    for loader in ("<script", "<link", "src=", "@import", "url("):
        assert loader not in page
    assert page.count("<svg") == 3
    assert "Largest clusters" in page
    assert "<ins>" in page  # near duplicates are shown with their differences
    assert "6192" in page
    assert f"<b>{tokens_out}</b>" in page


def test_dry_run_writes_nothing_and_guides_the_threshold(sample: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", sample, "-o", output, "--clusters", tmp_path / "c.jsonl", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
    assert "Wrote nothing (dry run)." in result.stderr
    assert "<- threshold" in result.stdout
    removed = {}
    for line in result.stdout.splitlines():
        if "records removed" in line:
            threshold, rest = line.strip().split(":", 1)
            count = re.search(r"([\d,]+) records removed", rest)
            assert count is not None
            removed[float(threshold)] = int(count.group(1).replace(",", ""))
    assert sorted(removed) == [0.7, 0.75, 0.8, 0.85, 0.9]
    assert removed[0.7] >= removed[0.8] >= removed[0.9]
    real = tamis.dedup_files([sample], output)
    assert removed[0.8] == real["removed"]


def test_keep_max_field_picks_the_best_scored_record(tmp_path: Path) -> None:
    text = "a long enough sentence that repeats in every record of this small test file"
    lines = [json.dumps({"q": q, "text": text}) for q in (0.1, 0.7, None, 0.3)]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", source, "-o", output, "--keep-max", "q")
    assert result.returncode == 0, result.stderr
    assert output.read_text().splitlines() == [lines[1]]
    assert run_cli("dedup", source, "-o", output, "--keep-min", "q").returncode == 0
    assert output.read_text().splitlines() == [lines[0]]


def test_a_directory_output_gets_one_file_per_input(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "part").mkdir(parents=True)
    shared = '{"text": "shared words in both of the files here"}\n'
    (data / "a.jsonl").write_text(shared + '{"text": "only a"}\n')
    (data / "part" / "b.jsonl").write_text(shared + '{"text": "only b"}\n')
    out = tmp_path / "out"
    for method in ([], ["--exact"]):
        result = run_cli("dedup", data, "-o", f"{out}/", *method)
        assert result.returncode == 0, result.stderr
        assert (out / "a.jsonl").read_text().splitlines() == [
            '{"text": "shared words in both of the files here"}',
            '{"text": "only a"}',
        ]
        assert (out / "part" / "b.jsonl").read_text().splitlines() == ['{"text": "only b"}']
