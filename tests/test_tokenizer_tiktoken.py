"""tamis's tokenizer against tiktoken itself: same ids, errors and decoding, for every bundled encoding.

tiktoken runs offline on the rank files bundled with tamis (see ``tiktoken_offline.py``).
"""

from __future__ import annotations

import json
import pickle
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tamis
from tiktoken_offline import NAMES, reference

DATA = Path(__file__).resolve().parent / "data"


def _texts(name: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines if line.strip()]


REAL = _texts("chatterbot_multilingual.jsonl") + _texts("poe_sample.jsonl")

SPECIAL_CASES = [
    "",
    " ",
    "hello world",
    "<|endoftext|>",
    "a<|endoftext|>b",
    "<|endoftext|><|endoftext|>",
    "<|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>",
    "<|endofprompt|> trailing",
    "<|start|>user<|message|>hi<|end|>",
    "<|reserved_200100|>",
    "<|endoftext",
    "<|<|endoftext|>|>",
    "<|endoftext|> then <|fim_prefix|>",
    "<|fim_prefix|> before <|endoftext|>",
    "<|endoftext|><|start|>x<|reserved_200013|>",
]


@pytest.fixture(scope="module", params=NAMES)
def pair(request: pytest.FixtureRequest) -> tuple[tamis.Encoding, object]:
    return tamis.get_encoding(request.param), reference(request.param)


def test_properties_match(pair: tuple[tamis.Encoding, object]) -> None:
    ours, theirs = pair
    assert ours.name == theirs.name  # type: ignore[attr-defined]
    assert ours.n_vocab == theirs.n_vocab  # type: ignore[attr-defined]
    assert ours.max_token_value == theirs.max_token_value  # type: ignore[attr-defined]
    assert ours.eot_token == theirs.eot_token  # type: ignore[attr-defined]
    assert ours.special_tokens_set == theirs.special_tokens_set  # type: ignore[attr-defined]
    assert ours._special_tokens == theirs._special_tokens  # type: ignore[attr-defined]
    assert repr(ours) == repr(theirs)
    for token in [0, 100, ours.eot_token, ours.max_token_value]:
        assert ours.is_special_token(token) == theirs.is_special_token(token)  # type: ignore[attr-defined]


def test_vocabulary_matches(pair: tuple[tamis.Encoding, object]) -> None:
    ours, theirs = pair
    assert ours.token_byte_values() == theirs.token_byte_values()  # type: ignore[attr-defined]
    assert ours._mergeable_ranks == theirs._mergeable_ranks  # type: ignore[attr-defined]


def test_real_multilingual_text(pair: tuple[tamis.Encoding, object]) -> None:
    ours, theirs = pair
    for text in REAL:
        expected = theirs.encode_ordinary(text)  # type: ignore[attr-defined]
        assert ours.encode_ordinary(text) == expected, text[:80]
        assert ours.encode(text) == theirs.encode(text)  # type: ignore[attr-defined]
        assert ours.count(text) == len(expected)
        assert ours.decode(expected) == text
    assert ours.encode_batch(REAL) == theirs.encode_batch(REAL)  # type: ignore[attr-defined]
    assert ours.encode_ordinary_batch(REAL) == theirs.encode_ordinary_batch(REAL)  # type: ignore[attr-defined]


def test_one_large_text_matches(pair: tuple[tamis.Encoding, object]) -> None:
    """Texts of 64 KB and more are encoded on all cores, in stretches whose pieces are stitched back
    and long pieces merged in parts: the result must be tiktoken's, whatever the cuts hit."""
    ours, theirs = pair
    rng = random.Random(3)
    shuffled = REAL * 3
    rng.shuffle(shuffled)
    # Real text, then a long run of letters and one of spaces (single pieces cut into parts).
    text = "\n\n".join(shuffled) + "".join(rng.choice("abcdefghij") for _ in range(70_000))
    text += " " * 50_000 + "end"
    assert len(text.encode()) > 4 * 65_536
    expected = theirs.encode(text, disallowed_special=())  # type: ignore[attr-defined]
    assert ours.encode(text, disallowed_special=()) == expected
    assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)  # type: ignore[attr-defined]
    assert ours.count(text, disallowed_special=()) == len(expected)


def test_batches_accept_arrow_and_polars(pair: tuple[tamis.Encoding, object]) -> None:
    polars = pytest.importorskip("polars")
    ours, theirs = pair
    expected = theirs.encode_batch(REAL)  # type: ignore[attr-defined]
    assert ours.encode_batch(pa.array(REAL)) == expected
    assert ours.encode_batch(pa.chunked_array([REAL[:10], REAL[10:]], type=pa.large_string())) == expected
    assert ours.encode_batch(polars.Series(REAL)) == expected
    counts = ours.count_batch(polars.Series(REAL))
    assert counts.dtype == np.int64
    assert counts.tolist() == [len(tokens) for tokens in expected]
    ids, offsets = ours.encode_batch_to_numpy(REAL)
    assert ids.dtype == np.uint32
    assert offsets.tolist()[0] == 0
    assert len(offsets) == len(REAL) + 1
    rows = [ids[offsets[i] : offsets[i + 1]].tolist() for i in range(len(REAL))]
    assert rows == expected
    assert ours.encode_to_numpy(REAL[0]).tolist() == expected[0]


def test_null_rows_are_empty() -> None:
    enc = tamis.get_encoding("cl100k_base")
    assert enc.encode_batch(pa.array(["hi", None])) == [[6151], []]
    assert enc.count_batch(["hi", None]).tolist() == [1, 0]


@pytest.mark.parametrize("text", SPECIAL_CASES)
def test_special_tokens(pair: tuple[tamis.Encoding, object], text: str) -> None:
    ours, theirs = pair
    specials = sorted(ours.special_tokens_set)
    options: list[dict[str, object]] = [
        {"allowed_special": "all"},
        {"disallowed_special": ()},
        {"allowed_special": {"<|endoftext|>"}},
        {"allowed_special": set(specials[:2]), "disallowed_special": ()},
        {"allowed_special": "all", "disallowed_special": "all"},
        {"disallowed_special": {"<|endoftext|>"}},
        {"allowed_special": {"<|endoftext|>"}, "disallowed_special": {"<|fim_prefix|>", "endo"}},
        {},
    ]
    for kwargs in options:
        try:
            expected = theirs.encode(text, **kwargs)  # type: ignore[attr-defined]
        except ValueError as error:
            message = str(error)
        else:
            message = ""
        if message:
            with pytest.raises(ValueError, match="disallowed special token") as raised:
                ours.encode(text, **kwargs)  # type: ignore[arg-type]
            assert str(raised.value) == message
            with pytest.raises(ValueError, match="disallowed special token"):
                ours.encode_batch(["fine", text], **kwargs)  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="disallowed special token"):
                ours.count(text, **kwargs)  # type: ignore[arg-type]
            continue
        assert ours.encode(text, **kwargs) == expected, kwargs  # type: ignore[arg-type]
        assert ours.encode_batch([text, text], **kwargs) == [expected, expected]  # type: ignore[arg-type]
        assert ours.count(text, **kwargs) == len(expected)  # type: ignore[arg-type]
        assert ours.encode_to_numpy(text, **kwargs).tolist() == expected  # type: ignore[arg-type]
        assert ours.decode(expected) == text


def test_single_tokens_and_decoding(pair: tuple[tamis.Encoding, object]) -> None:
    ours, theirs = pair
    for token in [0, 1, 255, 256, 1000, ours.eot_token, ours.max_token_value]:
        data = theirs.decode_single_token_bytes(token)  # type: ignore[attr-defined]
        assert ours.decode_single_token_bytes(token) == data
        assert ours.encode_single_token(data) == theirs.encode_single_token(data)  # type: ignore[attr-defined]
    assert ours.encode_single_token("<|endoftext|>") == ours.eot_token
    tokens = theirs.encode("héllo wörld 日本語 🎉")  # type: ignore[attr-defined]
    assert ours.decode_tokens_bytes(tokens) == theirs.decode_tokens_bytes(tokens)  # type: ignore[attr-defined]
    assert ours.decode_with_offsets(tokens) == theirs.decode_with_offsets(tokens)  # type: ignore[attr-defined]
    assert ours.decode_batch([tokens, tokens[:3]]) == theirs.decode_batch([tokens, tokens[:3]])  # type: ignore[attr-defined]
    assert ours.decode_bytes_batch([tokens]) == theirs.decode_bytes_batch([tokens])  # type: ignore[attr-defined]
    assert ours.decode(np.array(tokens, dtype=np.uint32)) == theirs.decode(tokens)  # type: ignore[attr-defined]
    # A token cut inside a character: replacement on decode, like tiktoken.
    emoji = theirs.encode("🎉")  # type: ignore[attr-defined]
    if len(emoji) > 1:
        assert ours.decode(emoji[:1]) == theirs.decode(emoji[:1])  # type: ignore[attr-defined]
        assert ours.decode(emoji[:1], errors="ignore") == ""
        with pytest.raises(UnicodeDecodeError):
            ours.decode_with_offsets(emoji[:1])
        with pytest.raises(UnicodeDecodeError):
            theirs.decode_with_offsets(emoji[:1])  # type: ignore[attr-defined]


def test_errors_match() -> None:
    import tiktoken

    with pytest.raises(ValueError, match="no_such_encoding"):
        tiktoken.get_encoding("no_such_encoding")
    with pytest.raises(ValueError, match="no_such_encoding"):
        tamis.get_encoding("no_such_encoding")
    with pytest.raises(KeyError):
        tiktoken.encoding_name_for_model("no-such-model")
    with pytest.raises(KeyError):
        tamis.encoding_name_for_model("no-such-model")
    with pytest.raises(KeyError):
        tamis.encoding_for_model("no-such-model")
    enc = tamis.get_encoding("cl100k_base")
    theirs = reference("cl100k_base")
    for call in ("encode_single_token",):
        with pytest.raises(KeyError):
            getattr(theirs, call)(b"not a single token at all")
        with pytest.raises(KeyError):
            getattr(enc, call)(b"not a single token at all")
    with pytest.raises(KeyError):
        theirs.decode_single_token_bytes(enc.n_vocab + 10)
    with pytest.raises(KeyError):
        enc.decode_single_token_bytes(enc.n_vocab + 10)
    with pytest.raises(KeyError):
        enc.decode([1, enc.n_vocab + 10])
    with pytest.raises(ValueError, match="Expected a string"):
        tamis.get_encoding(3)  # type: ignore[arg-type]


def test_model_table_matches() -> None:
    import tiktoken.model

    models = list(tiktoken.model.MODEL_TO_ENCODING) + [
        f"{prefix}suffix" for prefix in tiktoken.model.MODEL_PREFIX_TO_ENCODING
    ]
    for model in models:
        assert tamis.encoding_name_for_model(model) == tiktoken.encoding_name_for_model(model), model
    assert tamis.encoding_for_model("gpt-4o") is tamis.get_encoding("o200k_base")
    assert tamis.list_encoding_names() == NAMES
    assert set(tamis.list_encoding_names()) == set(tiktoken.list_encoding_names())


def test_registry_and_pickle() -> None:
    enc = tamis.get_encoding("o200k_base")
    assert tamis.get_encoding("o200k_base") is enc
    assert pickle.loads(pickle.dumps(enc)) is not None
    assert pickle.loads(pickle.dumps(enc)).encode("hi there") == enc.encode("hi there")
    assert enc.__getstate__() == "o200k_base"


def test_custom_encoding_like_tiktoken_readme() -> None:
    import tiktoken

    base = tamis.get_encoding("cl100k_base")
    kwargs = {
        "name": "cl100k_im",
        "pat_str": base._pat_str,
        "mergeable_ranks": base._mergeable_ranks,
        "special_tokens": {**base._special_tokens, "<|im_start|>": 100264, "<|im_end|>": 100265},
    }
    ours = tamis.Encoding(**kwargs)  # type: ignore[arg-type]
    theirs = tiktoken.Encoding(**kwargs)  # type: ignore[arg-type]
    text = "<|im_start|>user\nhello<|im_end|>"
    assert ours.encode(text, allowed_special="all") == theirs.encode(text, allowed_special="all")
    assert ours.n_vocab == theirs.n_vocab
    clone = pickle.loads(pickle.dumps(ours))
    assert clone.encode(text, allowed_special="all") == ours.encode(text, allowed_special="all")
    # A pattern no bundled encoding uses runs on the general regex engine.
    small = {bytes([i]): i for i in range(256)} | {b"ab": 256, b"abc": 257}
    pattern = r"\w+|\s+|[^\w\s]+"
    simple_ours = tamis.Encoding("tiny", pat_str=pattern, mergeable_ranks=small, special_tokens={})
    simple_theirs = tiktoken.Encoding("tiny", pat_str=pattern, mergeable_ranks=small, special_tokens={})
    for text in ["abc abcab, ab!", "", "xyz"]:
        assert simple_ours.encode(text) == simple_theirs.encode(text)
    with pytest.raises(ValueError, match="explicit_n_vocab"):
        tamis.Encoding("bad", pat_str=r"\w+", mergeable_ranks=small, special_tokens={}, explicit_n_vocab=5)


def test_custom_vocabulary_works_out_its_merge_filter_exactly() -> None:
    """A custom encoding whose ranks are no bundled vocabulary's (here o200k_base without its last token)
    works out its own merge filter (the pairs that can ever merge) from its tokens: the ids stay
    tiktoken's on real text and on random letters, base64 and CJK, where the filter turns most pairs
    away."""
    import tiktoken

    base = tamis.get_encoding("o200k_base")
    ranks = dict(base._mergeable_ranks)
    del ranks[base.decode_single_token_bytes(199_997)]
    kwargs = {"name": "trimmed", "pat_str": base._pat_str, "mergeable_ranks": ranks, "special_tokens": {}}
    ours = tamis.Encoding(**kwargs)  # type: ignore[arg-type]
    theirs = tiktoken.Encoding(**kwargs)  # type: ignore[arg-type]
    rng = random.Random(11)
    alphabets = [
        "abcdefghijklmnopqrstuvwxyz",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        "".join(map(chr, range(0x4E00, 0x4F00))),
    ]
    texts = ["".join(rng.choices(alphabet, k=3_000)) for alphabet in alphabets] + REAL[:200]
    assert ours.encode_ordinary_batch(texts) == theirs.encode_ordinary_batch(texts)


def test_token_ints_shared_across_results_stay_exact() -> None:
    """Large results reuse one Python int per token id (ids past the cache, here 5,000,000, get fresh
    ones): the same ids as tiktoken before and after the cache exists, for single texts and batches,
    and every returned list is the caller's own."""
    import tiktoken

    base = tamis.get_encoding("cl100k_base")
    kwargs = {
        "name": "cl100k_far_special",
        "pat_str": base._pat_str,
        "mergeable_ranks": base._mergeable_ranks,
        "special_tokens": {**base._special_tokens, "<|far|>": 5_000_000},
    }
    ours = tamis.Encoding(**kwargs)  # type: ignore[arg-type]
    theirs = tiktoken.Encoding(**kwargs)  # type: ignore[arg-type]
    small = "hello <|far|> world<|endoftext|>"
    assert ours.encode(small, allowed_special="all") == theirs.encode(small, allowed_special="all")
    rows = [*REAL * 4, small]
    expected = theirs.encode_batch(rows, allowed_special="all")
    assert sum(map(len, expected)) > 65_536  # enough to build the shared ints
    assert ours.encode_batch(rows, allowed_special="all") == expected
    assert ours.encode_ordinary_batch(rows) == theirs.encode_ordinary_batch(rows)
    assert ours.encode(small, allowed_special="all") == theirs.encode(small, allowed_special="all")
    first = ours.encode_ordinary("hello world")
    first.append(-1)
    assert ours.encode_ordinary("hello world") == theirs.encode_ordinary("hello world")


def test_large_results_filled_by_every_core_hold_exact_references() -> None:
    """Results of 65,536 tokens or more are written by the worker threads, and the references their
    items hold are added to each shared int at the end: the ids are tiktoken's, every int's
    reference count goes up by exactly its number of uses (and back down when the lists go), and
    each list is the caller's own."""
    import sys

    ours, theirs = tamis.get_encoding("cl100k_base"), reference("cl100k_base")
    # Empty rows between the others, and several worker tasks' worth of tokens (each task takes
    # 32,768), so that tasks start and end inside rows and next to empty ones; over 1,024 rows, whose
    # token vectors are then freed by every core while the lists live on.
    rows = [text for text in REAL * 6 for text in (text, "")]
    expected = theirs.encode_ordinary_batch(rows)
    total = sum(map(len, expected))
    assert total > 4 * 32_768
    ours.encode_ordinary_batch(rows)  # builds the shared ints
    the = ours.encode_single_token(b" the")  # past the interpreter's own small ints (0-256)
    shared = next(token for row in ours.encode_ordinary_batch(rows) for token in row if token == the)
    before = sys.getrefcount(shared)
    batch = ours.encode_ordinary_batch(rows)
    assert batch == expected
    uses = sum(row.count(the) for row in expected)
    assert uses > 100
    assert sys.getrefcount(shared) == before + uses
    batch[0].append(-1)
    batch[2].clear()
    assert ours.encode_ordinary_batch(rows[:3]) == expected[:3]
    del batch
    assert sys.getrefcount(shared) == before

    text = " ".join(rows)
    single = ours.encode_ordinary(text)
    assert single == theirs.encode_ordinary(text)
    assert len(single) > 65_536
    assert sys.getrefcount(shared) == before + single.count(the)
    del single
    assert sys.getrefcount(shared) == before


# --------------------------------------------------------------------------------------------------------
# Generated text


_SAMPLED = (
    " \n\r\t\u00a0\u3000\u200b'’sSdDtT0123456789.,;!?-_()[]{}\"éÉßçñ" + "日本語中文한국어ไทยहिन्दी🎉👍🏽\u0301"
)
_ALPHABET = st.characters(codec="utf-8") | st.sampled_from(list(_SAMPLED))
_RUNS = st.builds(
    lambda char, count: char * count,
    st.sampled_from([" ", "\n", "\r\n", "\t", "0", "1", "9", "!", ".", "-", "a", "Z", "é", "日", "'", " \n"]),
    st.integers(1, 300),
)
TEXT = st.lists(st.text(_ALPHABET, max_size=40) | _RUNS, max_size=12).map("".join)
# Python str may hold lone surrogates; tiktoken encodes them as U+FFFD.
SURROGATE_TEXT = st.lists(
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3)
    | st.text(_ALPHABET, max_size=10),
    min_size=1,
    max_size=6,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_generated_text_matches(text: str) -> None:
    for name in NAMES:
        ours, theirs = tamis.get_encoding(name), reference(name)
        expected = theirs.encode_ordinary(text)
        assert ours.encode_ordinary(text) == expected, name
        assert ours.encode(text, disallowed_special=()) == expected
        assert ours.count(text, disallowed_special=()) == len(expected)
        assert ours.decode(expected) == text
        assert ours.decode_bytes(expected) == text.encode("utf-8")


@settings(max_examples=60, deadline=None)
@given(text=SURROGATE_TEXT)
def test_lone_surrogates_match(text: str) -> None:
    for name in ("cl100k_base", "o200k_base", "gpt2"):
        ours, theirs = tamis.get_encoding(name), reference(name)
        expected = theirs.encode(text)
        assert ours.encode(text) == expected
        assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)
        assert ours.encode_batch([text, "ok"]) == theirs.encode_batch([text, "ok"])
        assert ours.count_batch([text]).tolist() == [len(expected)]


def test_random_unicode_blocks_match() -> None:
    rng = random.Random(7)
    blocks = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F)]
    blocks += [(0xE00, 0xE7F), (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0x1F300, 0x1F6FF)]
    texts = []
    for _ in range(200):
        low, high = rng.choice(blocks)
        texts.append("".join(chr(rng.randint(low, high)) if rng.random() > 0.15 else " " for _ in range(200)))
    for name in NAMES:
        ours, theirs = tamis.get_encoding(name), reference(name)
        assert ours.encode_ordinary_batch(texts) == theirs.encode_ordinary_batch(texts), name
