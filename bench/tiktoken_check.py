"""Checks that tamis gives tiktoken's token ids, on all 7 bundled encodings.

Offline: tiktoken's encodings are built from tamis's own bundled rank files (their sha256 is the one
tiktoken expects; gpt2 uses r50k_base's ranks, which equal the ones tiktoken derives from GPT-2's
vocab.bpe/encoder.json). Texts: the corpora under shared/corpora (gutenberg windows, chatterbot
yml files and lines, hh-rlhf dialogues), random strings over mixed scripts, and long pathological
pieces.

    pip install tiktoken
    cargo build --release -p tamis-core --example tokenize_ids
    python bench/tiktoken_check.py target/release/examples/tokenize_ids /work/shared/corpora
"""

import glob
import gzip
import json
import random
import string
import subprocess
import sys
from pathlib import Path

import tiktoken
import tiktoken_ext.openai_public as openai_public
from tiktoken.load import load_tiktoken_bpe

ASSETS = Path(__file__).resolve().parent.parent / "crates/tamis-core/assets"
NAMES = ["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]


def bundled_file(url, expected_hash=None):
    name = url.rsplit("/", 1)[-1]
    return subprocess.run(
        ["zstd", "-dc", str(ASSETS / f"{name}.zst")], capture_output=True, check=True
    ).stdout


def tiktoken_encoding(name):
    # tiktoken's own constructors, reading tamis's bundled file instead of downloading (tamis
    # checks the sha256 of these files when it loads them).
    load_tiktoken_bpe.__globals__["read_file_cached"] = bundled_file
    spec = openai_public.r50k_base() | {"name": "gpt2"} if name == "gpt2" else getattr(openai_public, name)()
    return tiktoken.Encoding(**spec)


def corpus_texts(root):
    texts = []
    for path in sorted(glob.glob(f"{root}/gutenberg/*/*.txt")):
        data = Path(path).read_text(encoding="utf-8", errors="replace")
        for start in (0, len(data) // 2, max(0, len(data) - 30000)):
            texts.append(("gutenberg", data[start : start + 30000]))
    for path in sorted(glob.glob(f"{root}/chatterbot/*/*.yml")):
        data = Path(path).read_text(encoding="utf-8")
        texts.append(("chatterbot", data))
        texts.extend(("chatterbot", line) for line in data.splitlines())
    for path in sorted(glob.glob(f"{root}/hh-rlhf/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                texts.extend(("hh-rlhf", record[k]) for k in ("chosen", "rejected"))
    return texts


def random_texts(rng):
    def code_point():
        while True:
            cp = rng.choice(
                [
                    rng.randrange(0x20, 0x7F),
                    rng.randrange(0x80, 0x800),
                    rng.randrange(0x800, 0x10000),
                    rng.randrange(0x10000, 0x110000),
                    rng.choice([0x20, 0x0A, 0x0D, 0x09, 0x27, 0xA0, 0x3000, 0x301, 0x17F]),
                ]
            )
            if not 0xD800 <= cp < 0xE000:
                return chr(cp)

    atoms = [
        "'s",
        "'LL",
        "'re",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "123",
        "4567",
        "<|endoftext|>",
        "<|fim_prefix|>",
        "<|call|>",
        "<|reserved_200018|>",
        "Hello",
        "WORLD",
        "café",
        "中文",
        "😀",
        "👍🏽",
        "...",
        "//",
        "é\u0301",
    ]
    texts = [
        (
            "random",
            "".join(
                rng.choice(atoms) if rng.random() < 0.4 else code_point() for _ in range(rng.randrange(0, 80))
            ),
        )
        for _ in range(3000)
    ]
    n = 20000

    def pick(alphabet, k=n):
        return "".join(rng.choice(alphabet) for _ in range(k))

    texts += [
        ("long", t)
        for t in [
            "a" * n,
            pick(string.ascii_lowercase),
            pick([chr(c) for c in range(0x4E00, 0xA000)], n // 3),
            " " * n + "x",
            "\n" * n,
            pick(string.ascii_letters + string.digits + "+/"),
            pick(string.digits),
            pick("ab"),
            pick(" \n"),
            pick(" a"),
            pick("aA"),
        ]
    ]
    return texts


def main():
    ids_tool, corpora = sys.argv[1], sys.argv[2]
    texts = corpus_texts(corpora) + random_texts(random.Random(1234))
    jobs, expected = [], []
    for name in NAMES:
        encoding = tiktoken_encoding(name)
        for source, text in texts:
            special = source == "random"
            jobs.append((name, source, text, special))
            expected.append(
                encoding.encode(text, allowed_special="all") if special else encoding.encode_ordinary(text)
            )
    requests = "".join(json.dumps({"encoding": n, "text": t, "special": s}) + "\n" for n, _, t, s in jobs)
    ours = subprocess.run(
        [ids_tool], input=requests.encode(), capture_output=True, check=True
    ).stdout.splitlines()
    stats, failures = {}, 0
    for (name, source, text, _), want, got in zip(jobs, expected, ours, strict=True):
        row = stats.setdefault((name, source), [0, 0, 0, 0])
        row[0] += 1
        row[1] += len(text.encode())
        row[2] += len(want)
        if json.loads(got) != want:
            row[3] += 1
            failures += 1
            if failures <= 5:
                print("MISMATCH", name, source, repr(text[:120]))
    for (name, source), (count, size, tokens, bad) in sorted(stats.items()):
        print(f"{name:14} {source:10} texts={count:6} bytes={size:9} tokens={tokens:8} mismatches={bad}")
    print(f"{len(jobs)} encodings compared, {failures} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
