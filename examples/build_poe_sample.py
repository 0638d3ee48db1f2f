"""Rebuild examples/poe.jsonl from the Project Gutenberg books in ../shared/corpora (developer tool).

One record per paragraph, in book order. The books overlap (collected works, selections, single-story
editions, the Project Gutenberg licence in every file), so the sample holds real duplicates, many of them
differing only in line wrapping or punctuation.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

BOOKS = [
    "The Works of Edgar Allan Poe — Volume 1.txt",
    "The Works of Edgar Allan Poe — Volume 2.txt",
    "Selections from Poe.txt",
    "First Project Gutenberg Collection of Edgar Allan Poe.txt",
    "The Fall of the House of Usher.txt",
    "The Masque of the Red Death.txt",
    "The Cask of Amontillado.txt",
    "The Raven.txt",
    "The RavenIllustrated.txt",
    "The Raven, and The Philosophy of Composition.txt",
    "Le Corbeau = The Raven.txt",
    "Short-Stories.txt",
]


def paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return [block.strip("\n") for block in blocks if block.strip()]


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    books = root.parent / "shared" / "corpora" / "gutenberg" / "Poe, Edgar Allan"
    out = root / "examples" / "poe.jsonl"
    with out.open("w", encoding="utf-8") as sink:
        for name in BOOKS:
            text = (books / name).read_text(encoding="utf-8")
            title = name.removesuffix(".txt")
            for number, paragraph in enumerate(paragraphs(text), start=1):
                record = {"id": f"{title}#{number}", "book": title, "paragraph": number, "text": paragraph}
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
