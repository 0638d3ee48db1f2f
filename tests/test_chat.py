"""`tamis dedup --chat`: conversations in the OpenAI/HF chat format, on real hh-rlhf transcripts."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from conftest import ROOT, read_json_lines, reference_normalize, run_cli

CHATS = ROOT / "tests" / "data" / "hh-rlhf-chat.jsonl"


def first_user(record: dict[str, object]) -> str:
    messages = record["messages"]
    assert isinstance(messages, list)
    return next(message["content"] for message in messages if message["role"] == "user")


def test_first_user_scope_groups_conversations_sharing_their_opening_prompt(tmp_path: Path) -> None:
    records = [json.loads(line) for line in CHATS.read_text(encoding="utf-8").splitlines()]
    output, clusters = tmp_path / "out.jsonl", tmp_path / "clusters.jsonl"
    result = run_cli(
        "dedup", CHATS, "-o", output, "--field", "messages", "--chat", "--chat-scope", "first-user",
        "--clusters", clusters,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    # Oracle: conversations whose first user message is the same text (after normalization).
    by_prompt: dict[str, list[int]] = defaultdict(list)
    for row, record in enumerate(records):
        by_prompt[reference_normalize(first_user(record), "standard")].append(row)
    cluster_of = {entry["row"]: entry["cluster"] for entry in read_json_lines(clusters)}
    shared = [rows for rows in by_prompt.values() if len(rows) > 1]
    assert len(shared) >= 250, "chosen and rejected transcripts open with the same prompt"
    for rows in shared:
        assert len({cluster_of.get(row, -1) for row in rows}) == 1
        assert cluster_of.get(rows[0], -1) >= 0
    kept = output.read_text(encoding="utf-8").splitlines()
    assert len(kept) <= len(by_prompt)
    assert all(json.loads(line)["id"].endswith("chosen") for line in kept[:50]), "first of each pair is kept"


def test_whole_conversation_scope_keeps_conversations_that_differ(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    result = run_cli("dedup", CHATS, "-o", output, "--field", "messages", "--chat", "--exact")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in CHATS.read_text(encoding="utf-8").splitlines()]
    distinct = {json.dumps(r["messages"], sort_keys=True) for r in records}
    # Exact dedup of whole conversations keeps at least every textually distinct conversation's normal form.
    assert len(output.read_text().splitlines()) <= len(distinct)
    assert len(output.read_text().splitlines()) > 300


def test_chat_field_that_is_not_a_message_list_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"messages": "just text"}\n')
    result = run_cli("dedup", source, "-o", tmp_path / "out.jsonl", "--field", "messages", "--chat")
    assert result.returncode == 1
    assert "in.jsonl:1: field 'messages' is not a list of {role, content} messages" in result.stderr


def test_chat_scope_needs_chat(tmp_path: Path) -> None:
    result = run_cli("dedup", CHATS, "-o", tmp_path / "o.jsonl", "--chat-scope", "user")
    assert result.returncode == 1
    assert "--chat-scope needs --chat" in result.stderr
