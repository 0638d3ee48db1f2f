"""Builds the benchmark corpora from real text (the Project Gutenberg books shared with tamis developers).

Three JSONL corpora, built once and cached under bench/data/ (one record per line, a few metadata fields):

- ``crawl_jsonl``: like a crawl, one record per paragraph: the whole library once, then several partial
  re-crawls of the same paragraphs (exact copies), shuffled;
- ``near_crawl_jsonl``: the same crawl, but about 30% of the re-crawled paragraphs of 20 words or more come
  back with 1 to 3 words deleted or replaced (near duplicates at Jaccard ~0.7-0.95, not only exact copies);
- ``distinct_jsonl``: records of 3 paragraphs drawn at random from the whole library, nearly all distinct
  (the low-duplication case, where every record survives to the MinHash stage).
"""

from __future__ import annotations

import itertools
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
GUTENBERG = ROOT.parent / "shared" / "corpora" / "gutenberg"

RECRAWL_FRACTION = 0.5
EDIT_FRACTION = 0.3
MIN_EDITED_WORDS = 20


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
    return _cached(path, min_bytes, lambda: _crawl_records(seed, edit_fraction=0.0))


def near_crawl_jsonl(min_bytes: int, seed: int = 0) -> Path:
    """``crawl_jsonl`` with edits: in each re-crawl, about 30% of the paragraphs of 20 words or more have 1
    to 3 words deleted or replaced by another word of the same paragraph. The same paragraphs are
    re-crawled as in ``crawl_jsonl`` with the same seed (the edits draw from their own generator)."""
    path = DATA / f"near-crawl-{min_bytes // 1_000_000}mb.jsonl"
    return _cached(path, min_bytes, lambda: _crawl_records(seed, edit_fraction=EDIT_FRACTION))


def distinct_jsonl(min_bytes: int, seed: int = 0) -> Path:
    """A JSONL file of at least ``min_bytes`` whose records are 3 random paragraphs of the library joined
    by a blank line: nearly every record is distinct (about 1,200 bytes a record)."""
    path = DATA / f"distinct-{min_bytes // 1_000_000}mb.jsonl"
    return _cached(path, min_bytes, lambda: _distinct_records(seed))


def edit_words(text: str, rng: random.Random) -> str:
    """``text`` with 1 to 3 words deleted or replaced by another word of it (a paragraph of at least
    ``MIN_EDITED_WORDS`` words; shorter ones are returned unchanged). White space becomes single spaces."""
    words = text.split()
    if len(words) < MIN_EDITED_WORDS:
        return text
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(words))
        if rng.random() < 0.5:
            del words[at]
        else:
            words[at] = rng.choice(words)
    return " ".join(words)


def _crawl_records(seed: int, edit_fraction: float) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    editor = random.Random(seed + 1)
    paragraphs = gutenberg_paragraphs()
    for crawl in itertools.count():
        batch = paragraphs if crawl == 0 else [p for p in paragraphs if rng.random() < RECRAWL_FRACTION]
        batch = list(batch)
        rng.shuffle(batch)
        for number, (book, text) in enumerate(batch):
            if crawl > 0 and edit_fraction and editor.random() < edit_fraction:
                text = edit_words(text, editor)
            yield {
                "id": f"{crawl}-{number}",
                "url": f"https://books.example/{book}#{number}",
                "crawl": crawl,
                "meta": {"source": "gutenberg", "book": book},
                "text": text,
            }


def _distinct_records(seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    paragraphs = gutenberg_paragraphs()
    for number in itertools.count():
        picked = rng.choices(paragraphs, k=3)
        yield {
            "id": f"mix-{number}",
            "url": f"https://books.example/mix/{number}",
            "meta": {"source": "gutenberg", "books": [book for book, _ in picked]},
            "text": "\n\n".join(text for _, text in picked),
        }


def _cached(path: Path, min_bytes: int, records: Callable[[], Iterator[dict[str, Any]]]) -> Path:
    """``path`` if it already holds ``min_bytes``, else written from ``records()`` (atomically)."""
    if path.exists() and path.stat().st_size >= min_bytes:
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    written = 0
    with temp.open("w", encoding="utf-8") as sink:
        for record in records():
            # A crawl always holds the whole library once (crawl 0), however small min_bytes is.
            if written >= min_bytes and record.get("crawl") != 0:
                break
            line = json.dumps(record, ensure_ascii=False) + "\n"
            sink.write(line)
            written += len(line.encode("utf-8"))
    temp.rename(path)
    print(f"built {path} ({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
    return path
