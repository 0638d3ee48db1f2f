"""Tokenization with exactly tiktoken's token ids, offline.

The API mirrors tiktoken's, so ``import tamis as tiktoken`` works for the common calls::

    >>> import tamis
    >>> enc = tamis.get_encoding("cl100k_base")
    >>> enc.encode("hello world")
    [15339, 1917]
    >>> enc.decode([15339, 1917])
    'hello world'

The bundled encodings (``gpt2``, ``r50k_base``, ``p50k_base``, ``p50k_edit``, ``cl100k_base``,
``o200k_base``, ``o200k_harmony``) ship inside the package: nothing is downloaded. Beyond tiktoken:
:meth:`Encoding.count` and :meth:`Encoding.count_batch` count without building token lists, batch calls
accept a list, a pyarrow array or a polars Series and run on all cores with the GIL released, and
:meth:`Encoding.encode_batch_to_numpy` returns a whole batch as two flat arrays.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Collection, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

from tamis import _tamis
from tamis.errors import InvalidInputError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from tamis.stats import TokenStats

AllowedSpecial = Literal["all"] | Collection[str]
TextColumn = object
"""A list of ``str``, a pyarrow Array or ChunkedArray of strings, or a polars Series of strings."""

_ALL = "all"


def _raise_disallowed(token: str) -> None:
    raise ValueError(
        f"Encountered text corresponding to disallowed special token {token!r}.\n"
        "If you want this text to be encoded as a special token, "
        f"pass it to `allowed_special`, e.g. `allowed_special={{{token!r}, ...}}`.\n"
        f"If you want this text to be encoded as normal text, disable the check for this token "
        f"by passing `disallowed_special=(enc.special_tokens_set - {{{token!r}}})`.\n"
        "To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    )


@functools.lru_cache(maxsize=128)
def _token_regex(tokens: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(token) for token in tokens))


def _replace_surrogates(text: str) -> str:
    """What tiktoken encodes for a str holding lone surrogates: each one becomes U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _is_valid_unicode(text: object) -> bool:
    if not isinstance(text, str):
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _as_token_list(tokens: Sequence[int]) -> Sequence[int]:
    # A numpy array converts far faster with one tolist() than element by element.
    tolist = getattr(tokens, "tolist", None)
    return tolist() if callable(tolist) else tokens


class Encoding:
    """A tokenizer: a regex pre-split, byte-pair merges and special tokens, as ``tiktoken.Encoding``."""

    name: str
    max_token_value: int
    _pat_str: str
    _special_tokens: dict[str, int]
    _core: _tamis.CoreEncoding

    def __init__(
        self,
        name: str,
        *,
        pat_str: str,
        mergeable_ranks: dict[bytes, int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = None,
    ) -> None:
        """A custom encoding, built exactly as ``tiktoken.Encoding(...)`` is.

        A ``pat_str`` equal to a bundled encoding's runs on tamis's linear-time splitter; any other pattern
        runs on a backtracking regex engine (slower, like tiktoken's).
        """
        core = _tamis.CoreEncoding(name, pat_str, mergeable_ranks, special_tokens, explicit_n_vocab)
        self._setup(core)
        self.__dict__["_mergeable_ranks"] = dict(mergeable_ranks)

    @classmethod
    def _from_core(cls, core: _tamis.CoreEncoding) -> Encoding:
        encoding = cls.__new__(cls)
        encoding._setup(core)
        return encoding

    def _setup(self, core: _tamis.CoreEncoding) -> None:
        self._core = core
        self.name = core.name
        self._pat_str = core.pat_str
        self._special_tokens = dict(core.special_tokens())
        self.max_token_value = core.max_token_value

    def __repr__(self) -> str:
        return f"<Encoding {self.name!r}>"

    # ----------------------------------------------------------------------------------------------------
    # Encoding

    def _check(self, text: str, disallowed_special: Literal["all"] | Collection[str]) -> bool:
        """Checks a custom ``disallowed_special`` here; returns whether the engine checks ``"all"``."""
        if disallowed_special == _ALL:
            return True
        if disallowed_special:
            tokens = frozenset(disallowed_special)
            match = _token_regex(tokens).search(text)
            if match is not None:
                _raise_disallowed(match.group())
        return False

    def encode_ordinary(self, text: str) -> list[int]:
        """Encodes ``text``, treating special-token text as ordinary text.

        >>> import tamis
        >>> tamis.get_encoding("cl100k_base").encode_ordinary("hello world")
        [15339, 1917]
        """
        try:
            return self._core.encode_ordinary(text)
        except UnicodeEncodeError:
            return self._core.encode_ordinary(_replace_surrogates(text))

    def encode(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: AllowedSpecial = _ALL,
    ) -> list[int]:
        """Encodes ``text`` into token ids, with tiktoken's handling of special tokens.

        ``allowed_special`` ("all" or a set) lists the special tokens encoded as such. Text matching a
        special token in ``disallowed_special`` (by default: every special token not allowed) raises
        ``ValueError``; pass ``disallowed_special=()`` to encode it as ordinary text.

        >>> import tamis
        >>> enc = tamis.get_encoding("cl100k_base")
        >>> enc.encode("hello <|endoftext|>", allowed_special="all")
        [15339, 220, 100257]
        """
        check = self._check(text, disallowed_special)
        try:
            return self._core.encode(text, allowed_special, check)
        except UnicodeEncodeError:
            return self._core.encode(_replace_surrogates(text), allowed_special, check)

    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: AllowedSpecial = _ALL,
    ) -> npt.NDArray[np.uint32]:
        """:meth:`encode`, returning a numpy ``uint32`` array."""
        check = self._check(text, disallowed_special)
        try:
            return self._core.encode_to_numpy(text, allowed_special, check)
        except UnicodeEncodeError:
            return self._core.encode_to_numpy(_replace_surrogates(text), allowed_special, check)

    def count(
        self,
        text: str,
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: AllowedSpecial = _ALL,
    ) -> int:
        """``len(self.encode(text, ...))``, without building the list.

        >>> import tamis
        >>> tamis.get_encoding("o200k_base").count("hello world")
        2
        """
        check = self._check(text, disallowed_special)
        try:
            return self._core.count(text, allowed_special, check)
        except UnicodeEncodeError:
            return self._core.count(_replace_surrogates(text), allowed_special, check)

    def _batch_texts(self, texts: TextColumn, disallowed_special: AllowedSpecial) -> tuple[Any, bool]:
        """Texts for an engine batch call (lone surrogates replaced as tiktoken does), and the check flag."""
        if disallowed_special != _ALL and disallowed_special:
            rows: Any = texts
            rows = rows.to_pylist() if hasattr(rows, "to_pylist") else rows  # pyarrow
            rows = rows.to_list() if hasattr(rows, "to_list") else rows  # polars
            for row in rows:
                if row is not None:
                    self._check(row, disallowed_special)
        return texts, disallowed_special == _ALL

    @staticmethod
    def _retry_valid(texts: TextColumn) -> list[Any] | None:
        """The texts with lone surrogates replaced, or None if none had any (the error was another)."""
        if isinstance(texts, (list, tuple)) and not all(_is_valid_unicode(text) for text in texts):
            return [_replace_surrogates(t) if isinstance(t, str) else t for t in texts]
        return None

    def encode_ordinary_batch(self, text: TextColumn, *, num_threads: int = 8) -> list[list[int]]:
        """:meth:`encode_ordinary` on each text, on all cores; results in input order.

        ``text`` is a list of str, a pyarrow string array or a polars Series (null rows give ``[]``).
        ``num_threads`` is accepted for tiktoken compatibility; tamis uses its own pool of all cores.
        """
        try:
            return self._core.encode_ordinary_batch(text)
        except InvalidInputError:
            fixed = self._retry_valid(text)
            if fixed is None:
                raise
            return self._core.encode_ordinary_batch(fixed)

    def encode_batch(
        self,
        text: TextColumn,
        *,
        num_threads: int = 8,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: AllowedSpecial = _ALL,
    ) -> list[list[int]]:
        """:meth:`encode` on each text, on all cores with the GIL released; results in input order.

        ``text`` is a list of str, a pyarrow string array or a polars Series (null rows give ``[]``).
        """
        texts, check = self._batch_texts(text, disallowed_special)
        try:
            return self._core.encode_batch(texts, allowed_special, check)
        except InvalidInputError:
            fixed = self._retry_valid(texts)
            if fixed is None:
                raise
            return self._core.encode_batch(fixed, allowed_special, check)

    def encode_batch_to_numpy(
        self,
        text: TextColumn,
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: AllowedSpecial = _ALL,
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
        """A whole batch as two arrays: ``ids`` (every token, row after row) and ``offsets`` (length
        ``len(text) + 1``): row ``i`` holds ``ids[offsets[i]:offsets[i + 1]]``.

        >>> import tamis
        >>> ids, offsets = tamis.get_encoding("cl100k_base").encode_batch_to_numpy(["hello world", "hi"])
        >>> ids.tolist(), offsets.tolist()
        ([15339, 1917, 6151], [0, 2, 3])
        """
        texts, check = self._batch_texts(text, disallowed_special)
        try:
            return self._core.encode_batch_flat(texts, allowed_special, check)
        except InvalidInputError:
            fixed = self._retry_valid(texts)
            if fixed is None:
                raise
            return self._core.encode_batch_flat(fixed, allowed_special, check)

    def count_batch(
        self,
        text: TextColumn,
        *,
        allowed_special: AllowedSpecial = frozenset(),
        disallowed_special: AllowedSpecial = _ALL,
    ) -> npt.NDArray[np.int64]:
        """The token count of each text (:meth:`count`), on all cores; null rows count 0.

        >>> import tamis
        >>> tamis.get_encoding("cl100k_base").count_batch(["hello world", "hi", ""]).tolist()
        [2, 1, 0]
        """
        texts, check = self._batch_texts(text, disallowed_special)
        try:
            return self._core.count_batch(texts, allowed_special, check)
        except InvalidInputError:
            fixed = self._retry_valid(texts)
            if fixed is None:
                raise
            return self._core.count_batch(fixed, allowed_special, check)

    def encode_single_token(self, text_or_bytes: str | bytes) -> int:
        """The id of one token given by its text or bytes; ``KeyError`` if it is not a token."""
        if isinstance(text_or_bytes, str):
            text_or_bytes = text_or_bytes.encode("utf-8")
        return self._core.encode_single_token(text_or_bytes)

    def _encode_single_piece(self, text_or_bytes: str | bytes) -> list[int]:
        if isinstance(text_or_bytes, str):
            text_or_bytes = text_or_bytes.encode("utf-8")
        return self._core.encode_single_piece(text_or_bytes)

    # ----------------------------------------------------------------------------------------------------
    # Decoding

    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """The bytes of ``tokens``, concatenated (not necessarily valid UTF-8)."""
        return self._core.decode_bytes(_as_token_list(tokens))

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        """The text of ``tokens``; invalid UTF-8 is handled by ``errors`` (as in ``bytes.decode``).

        >>> import tamis
        >>> tamis.get_encoding("cl100k_base").decode([15339, 1917])
        'hello world'
        """
        return self._core.decode_bytes(_as_token_list(tokens)).decode("utf-8", errors=errors)

    def decode_single_token_bytes(self, token: int) -> bytes:
        """The bytes of one token; ``KeyError`` for an id that is not a token."""
        return self._core.decode_single_token_bytes(token)

    def decode_tokens_bytes(self, tokens: Sequence[int]) -> list[bytes]:
        """The bytes of each token."""
        return self._core.decode_tokens_bytes(_as_token_list(tokens))

    def decode_with_offsets(self, tokens: Sequence[int]) -> tuple[str, list[int]]:
        """The text of ``tokens`` and the character index where each token starts (a token starting
        inside a character belongs to that character). Raises ``UnicodeDecodeError`` on invalid UTF-8.
        """
        tokens = _as_token_list(tokens)
        try:
            return self._core.decode_with_offsets(tokens)
        except ValueError as error:
            if isinstance(error, KeyError):
                raise
            # The bytes are not UTF-8: raise the very error tiktoken raises.
            self._core.decode_bytes(tokens).decode("utf-8", errors="strict")
            raise

    def decode_batch(
        self, batch: Sequence[Sequence[int]], *, errors: str = "replace", num_threads: int = 8
    ) -> list[str]:
        """:meth:`decode` on each token list, on all cores."""
        return [data.decode("utf-8", errors=errors) for data in self.decode_bytes_batch(batch)]

    def decode_bytes_batch(self, batch: Sequence[Sequence[int]], *, num_threads: int = 8) -> list[bytes]:
        """:meth:`decode_bytes` on each token list, on all cores."""
        return self._core.decode_bytes_batch([_as_token_list(tokens) for tokens in batch])

    # ----------------------------------------------------------------------------------------------------
    # Vocabulary

    def token_byte_values(self) -> list[bytes]:
        """Every mergeable token's bytes, sorted."""
        return self._core.token_byte_values()

    @property
    def eot_token(self) -> int:
        """The id of ``<|endoftext|>`` (``KeyError`` if the encoding has none)."""
        return self._special_tokens["<|endoftext|>"]

    @functools.cached_property
    def special_tokens_set(self) -> set[str]:
        """The texts of the special tokens."""
        return set(self._special_tokens)

    def is_special_token(self, token: int) -> bool:
        """Whether ``token`` is the id of a special token."""
        return self._core.is_special_token(token)

    @property
    def n_vocab(self) -> int:
        """``max_token_value + 1``."""
        return self.max_token_value + 1

    @functools.cached_property
    def _mergeable_ranks(self) -> dict[bytes, int]:
        # For built-in encodings, built on first use (tiktoken's README builds custom encodings from it).
        return self._core.mergeable_ranks()

    # ----------------------------------------------------------------------------------------------------
    # Pickling: a bundled encoding travels by name, a custom one by its definition (as tiktoken does).

    def __getstate__(self) -> object:
        if _ENCODINGS.get(self.name) is self:
            return self.name
        return {
            "name": self.name,
            "pat_str": self._pat_str,
            "mergeable_ranks": self._mergeable_ranks,
            "special_tokens": self._special_tokens,
        }

    def __setstate__(self, value: object) -> None:
        if isinstance(value, str):
            self._setup(get_encoding(value)._core)
            return
        assert isinstance(value, dict)
        self.__init__(**value)  # type: ignore[misc]


_ENCODINGS: dict[str, Encoding] = {}
_LOCK = threading.Lock()


def get_encoding(encoding_name: str) -> Encoding:
    """A bundled encoding by name, loaded on first use and then shared. ``ValueError`` if unknown.

    >>> import tamis
    >>> tamis.get_encoding("o200k_base").n_vocab
    200019
    """
    if not isinstance(encoding_name, str):
        raise ValueError(f"Expected a string in get_encoding, got {type(encoding_name)}")
    encoding = _ENCODINGS.get(encoding_name)
    if encoding is not None:
        return encoding
    with _LOCK:
        encoding = _ENCODINGS.get(encoding_name)
        if encoding is None:
            encoding = Encoding._from_core(_tamis.CoreEncoding.get(encoding_name))
            _ENCODINGS[encoding_name] = encoding
        return encoding


def list_encoding_names() -> list[str]:
    """The names of the bundled encodings."""
    return _tamis.list_encoding_names()


def encoding_name_for_model(model_name: str) -> str:
    """The name of the encoding a model uses (tiktoken's table); ``KeyError`` if unknown.

    >>> import tamis
    >>> tamis.encoding_name_for_model("gpt-4o")
    'o200k_base'
    """
    return _tamis.encoding_name_for_model(model_name)


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding a model uses; ``KeyError`` if the model is unknown."""
    return get_encoding(encoding_name_for_model(model_name))


def count_tokens_files(
    inputs: Sequence[str | PathLike[str]],
    *,
    encoding: str | Encoding = "cl100k_base",
    field: str = "text",
    format: Literal["jsonl", "text"] | None = None,
    per_doc: str | PathLike[str] | None = None,
    progress: bool = False,
) -> TokenStats:
    """Counts the tokens of every record of JSONL or text files (optionally .gz/.zst), on all cores.

    Special-token text inside a record is counted as ordinary text (:meth:`Encoding.encode_ordinary`).
    ``per_doc`` writes one JSON line per record: ``{"file", "line", "tokens", "bytes"}``. Returns totals,
    per-file counts and tokens-per-document percentiles (nearest rank).
    """
    if isinstance(encoding, str):
        encoding = get_encoding(encoding)
    stats: TokenStats = _tamis.count_tokens_files(
        inputs, encoding=encoding._core, field=field, format=format, per_doc=per_doc, progress=progress
    )
    return stats


__all__ = [
    "Encoding",
    "count_tokens_files",
    "encoding_for_model",
    "encoding_name_for_model",
    "get_encoding",
    "list_encoding_names",
]
