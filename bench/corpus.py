"""Builds the benchmark corpora from real text (the Project Gutenberg books shared with tamis developers).

The corpus looks like a crawl: one JSON record per paragraph with a few metadata fields, the whole library
once, then several partial re-crawls of the same paragraphs, shuffled. Built once, cached under bench/data/.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
GUTENBERG = ROOT.parent / "shared" / "corpora" / "gutenberg"


def gutenberg_paragraphs() -> list[tuple[str, str]]:
    """(book, paragraph) pairs from every shared Gutenberg book, in a fixed order."""
    paragraphs = []
    for book in sorted(GUTENBERG.glob("*/*.txt")):
        text = book.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        name = f"{book.parent.name}/{book.stem}"
        paragraphs.extend((name, block.strip()) for block in re.split(r"\n\s*\n", text) if block.strip())
    return paragraphs


def crawl_jsonl(min_bytes: int, seed: int = 0) -> Path:
    """A JSONL file of at least ``min_bytes``: every paragraph once, then 50% re-crawls until big enough."""
    path = DATA / f"crawl-{min_bytes // 1_000_000}mb.jsonl"
    if path.exists() and path.stat().st_size >= min_bytes:
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paragraphs = gutenberg_paragraphs()
    written = 0
    crawl = 0
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8") as sink:
        while written < min_bytes:
            batch = paragraphs if crawl == 0 else [p for p in paragraphs if rng.random() < 0.5]
            batch = list(batch)
            rng.shuffle(batch)
            for number, (book, text) in enumerate(batch):
                record = {
                    "id": f"{crawl}-{number}",
                    "url": f"https://books.example/{book}#{number}",
                    "crawl": crawl,
                    "meta": {"source": "gutenberg", "book": book},
                    "text": text,
                }
                line = json.dumps(record, ensure_ascii=False) + "\n"
                sink.write(line)
                written += len(line.encode("utf-8"))
                if written >= min_bytes and crawl > 0:
                    break
            crawl += 1
    temp.rename(path)
    print(f"built {path} ({path.stat().st_size / 1e6:.0f} MB, {crawl} crawls)", file=sys.stderr)
    return path
