"""Near-duplicate signatures: MinHash and LSH.

Two layers:

- The fast path for whole columns: :func:`sketch` turns texts into a ``(n_docs, num_perm)`` signature matrix
  (normalize, shingle, sketch, all in Rust on every core with the GIL released), :func:`lsh_params` shows the
  banding a threshold implies, :func:`lsh_pairs` finds the candidate pairs of a matrix and :func:`jaccard`
  estimates similarities from signatures.
- A drop-in for ``datasketch`` 2.0: :class:`MinHash`, :class:`LeanMinHash` and :class:`MinHashLSH` take the
  same arguments and give the same hash values and query results for the same scheme and seed, with the
  hashing and the index in Rust.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator
from functools import lru_cache
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from tamis import _tamis
from tamis._band_tables import BandTable, build_tables
from tamis.errors import InvalidOptionError
from tamis.text import Normalize

Scheme = Literal["affine32", "affine64", "legacy"]
Method = Literal["fss", "classic"]
Unit = Literal["word", "char"]
TextColumn = object
"""A list of ``str``/``None``, a pyarrow Array or ChunkedArray of strings, or a polars Series of strings."""

_SCHEMES: tuple[str, ...] = ("affine32", "affine64", "legacy")
_DTYPES: dict[str, type[np.unsignedinteger[Any]]] = {
    "affine32": np.uint32,
    "affine64": np.uint64,
    "legacy": np.uint64,
}
_MAX_HASH: dict[str, int] = {"affine32": (1 << 32) - 1, "affine64": (1 << 64) - 1, "legacy": (1 << 32) - 1}
_MAX_TOKEN_HASH: dict[str, int] = {
    "affine32": (1 << 32) - 1,
    "affine64": (1 << 64) - 1,
    "legacy": (1 << 64) - 1,
}
_HASH_RANGE = 1 << 32


# ---------------------------------------------------------------------------------------------------------
# The fast path
# ---------------------------------------------------------------------------------------------------------


def sketch(
    texts: TextColumn,
    *,
    num_perm: int = 128,
    unit: Unit = "word",
    ngram: int = 5,
    normalize: Normalize = "standard",
    seed: int = 1,
    method: Method = "fss",
) -> npt.NDArray[np.uint32]:
    """MinHash signatures of a column of texts: a ``(len(texts), num_perm)`` ``uint32`` matrix.

    Each text is normalized (``normalize``, as :func:`tamis.normalize`), cut into ``ngram``-grams of
    ``unit`` (``"word"``: Unicode words; ``"char"``: characters, for scripts without spaces and for code),
    and sketched with ``method``: ``"fss"`` (Fast Similarity Sketching cut after three rounds, O(n) plus at
    most about k²/4 on small sets, the default) or ``"classic"`` (``num_perm`` independent permutations,
    O(n·k)). The fraction of equal slots of two rows estimates the Jaccard similarity of their shingle sets
    (see :func:`jaccard`).

    ``texts`` is a list of str (``None`` for missing values), a pyarrow array or a polars Series (read in
    place). An empty or missing text has the *empty signature* (every slot ``2**32 - 1``), which matches
    nothing. Work runs on all cores with the GIL released; the result does not depend on the thread count.

    >>> import tamis
    >>> sigs = tamis.sketch(["the quick brown fox jumps over the lazy dog", "unrelated"], num_perm=64)
    >>> sigs.shape, sigs.dtype
    ((2, 64), dtype('uint32'))
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 1 << 64:
        raise InvalidOptionError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    return _tamis.sketch(
        texts, num_perm=num_perm, unit=unit, ngram=ngram, normalize=normalize, seed=seed, method=method
    )


def sketch_tokens(
    token_sets: Iterable[Iterable[str | bytes]],
    *,
    num_perm: int = 128,
    seed: int = 1,
    method: Method = "fss",
) -> npt.NDArray[np.uint32]:
    """MinHash signatures of pre-built token sets (your own shingles, words or ids as str or bytes): a
    ``(n_sets, num_perm)`` ``uint32`` matrix. Each token is hashed with xxh3; repeats do not matter; an
    empty set has the empty signature. A list of lists of ``bytes`` is read by every core (the GIL held
    while reading, as Python objects require); other shapes are read one token at a time. The sketches
    are computed in Rust on every core with the GIL released.

    >>> import tamis
    >>> sigs = tamis.sketch_tokens([["a", "b", "c"], [b"c", b"b", b"a"]], num_perm=8)
    >>> bool((sigs[0] == sigs[1]).all())
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 1 << 64:
        raise InvalidOptionError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    return _tamis.sketch_tokens(token_sets, num_perm=num_perm, seed=seed, method=method)


def shingles(
    texts: TextColumn, *, unit: Unit = "word", ngram: int = 5, normalize: Normalize = "standard"
) -> list[npt.NDArray[np.uint64]]:
    """The exact shingle sets behind :func:`sketch` (sorted, distinct ``uint64`` hashes), one per text.

    ``texts`` is a column as for :func:`sketch`; an empty or missing text has the empty set. Useful to
    compute exact Jaccard similarities and check the estimates.
    """
    return _tamis.shingles(texts, unit=unit, ngram=ngram, normalize=normalize)


class LshParams(NamedTuple):
    """The LSH banding chosen for a threshold: ``bands`` bands of ``rows`` slots each."""

    bands: int
    rows: int
    threshold: float
    num_perm: int

    def probability(self, similarity: float | npt.ArrayLike) -> Any:
        """P(two documents of Jaccard ``similarity`` become candidates) = ``1 - (1 - s**rows)**bands``."""
        s = np.asarray(similarity, dtype=np.float64)
        result = 1.0 - (1.0 - s**self.rows) ** self.bands
        return float(result) if result.ndim == 0 else result

    def s_curve(self, points: int = 101) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(similarities, probabilities)`` on an even grid of ``points`` over [0, 1], for plotting."""
        grid = np.linspace(0.0, 1.0, points)
        return grid, np.asarray(self.probability(grid), dtype=np.float64)

    @property
    def knee(self) -> float:
        """``(1/bands) ** (1/rows)``, the similarity where the S-curve is steepest (roughly its 50% point)."""
        return float((1.0 / self.bands) ** (1.0 / self.rows))


def lsh_params(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> LshParams:
    """The ``(bands, rows)`` that ``datasketch.MinHashLSH(threshold, num_perm, weights=(fp_weight,
    fn_weight))`` picks: the pair minimizing the weighted areas of false positives (below ``threshold``)
    and false negatives (above it) under the S-curve.

    >>> import tamis
    >>> p = tamis.lsh_params(0.8, 128)
    >>> p.bands, p.rows
    (9, 13)
    >>> round(p.probability(0.9), 3)
    0.929
    """
    bands, rows = _tamis.lsh_params(threshold, num_perm, fp_weight, fn_weight)
    return LshParams(bands, rows, threshold, num_perm)


def lsh_pairs(
    signatures: npt.NDArray[np.uint32] | npt.NDArray[np.uint64],
    *,
    bands: int | None = None,
    rows: int | None = None,
    threshold: float | None = None,
    weights: tuple[float, float] = (0.5, 0.5),
) -> npt.NDArray[np.uint32]:
    """Candidate pairs of a signature matrix: rows ``(i, j)``, ``i < j``, sharing at least one LSH band.

    Give either ``bands`` and ``rows``, or a Jaccard ``threshold`` (banding as :func:`lsh_params`). Returns
    a sorted ``(m, 2)`` ``uint32`` array, each pair once. Empty-document rows never pair. Candidates are
    not verified: filter them with :func:`jaccard` (estimated) or exact shingle sets.
    """
    matrix = np.ascontiguousarray(signatures)
    if matrix.ndim != 2:
        raise InvalidOptionError(f"signatures must be a 2-D matrix, got {matrix.ndim} dimension(s)")
    if threshold is not None:
        if bands is not None or rows is not None:
            raise InvalidOptionError("give either threshold or bands and rows, not both")
        bands, rows = lsh_params(threshold, matrix.shape[1], *weights)[:2]
    elif bands is None or rows is None:
        raise InvalidOptionError("give either threshold, or both bands and rows")
    return _tamis.lsh_pairs(matrix, bands, rows)


def jaccard(
    a: npt.NDArray[np.uint32] | npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint32] | npt.NDArray[np.uint64],
) -> Any:
    """Estimated Jaccard similarity: the fraction of equal slots of two signatures (1-D, returns a float)
    or of two matrices row by row (2-D, returns an array). An empty-document signature matches nothing
    (estimate 0).
    """
    left, right = np.asarray(a), np.asarray(b)
    if left.shape != right.shape or left.dtype != right.dtype:
        raise InvalidOptionError(
            f"signatures must have the same shape and dtype, got {left.shape} {left.dtype} "
            f"and {right.shape} {right.dtype}"
        )
    if left.ndim == 1:
        return float(_tamis.jaccard_rows(left.reshape(1, -1), right.reshape(1, -1))[0])
    return _tamis.jaccard_rows(np.ascontiguousarray(left), np.ascontiguousarray(right))


# ---------------------------------------------------------------------------------------------------------
# The datasketch drop-in
# ---------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _hasher(num_perm: int, seed: int, scheme: str) -> _tamis.DatasketchHasher:
    return _tamis.DatasketchHasher(num_perm, seed, scheme)


@lru_cache(maxsize=64)
def _permutations(num_perm: int, seed: int, scheme: str) -> npt.NDArray[Any]:
    a, b = _hasher(num_perm, seed, scheme).permutations()
    perms = np.array([a, b], dtype=_DTYPES[scheme])
    perms.setflags(write=False)
    return perms


def _check_seed(seed: int) -> int:
    # numpy's RandomState, which datasketch seeds, takes integers in [0, 2**32).
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 1 << 32:
        raise InvalidOptionError(f"seed must be an integer between 0 and 2**32 - 1, got {seed!r}")
    return int(seed)


def _to_scheme_array(values: Any, scheme: str, what: str) -> npt.NDArray[Any]:
    dtype = _DTYPES[scheme]
    if isinstance(values, np.ndarray):
        if (
            values.dtype.kind in "iu"
            and values.size
            and (int(values.max()) > _MAX_HASH[scheme] or int(values.min()) < 0)
        ):
            raise InvalidOptionError(f"{what} out of range for scheme {scheme!r}")
        return values.astype(dtype)
    try:
        return np.array(values, dtype=dtype)
    except OverflowError as err:
        raise InvalidOptionError(f"{what} out of range for scheme {scheme!r}: {err}") from err


def _same_kind(first: Any, other: Any, what: str) -> None:
    if getattr(other, "scheme", None) != first.scheme:
        raise InvalidOptionError(f"Cannot {what} MinHash with different permutation schemes")
    if other.seed != first.seed:
        raise InvalidOptionError(f"Cannot {what} MinHash with different seeds")
    if len(first) != len(other):
        raise InvalidOptionError(f"Cannot {what} MinHash with different numbers of permutation functions")


class MinHash:
    """A MinHash sketch of one set, compatible with ``datasketch.MinHash`` (2.0).

    Same constructor, methods and attributes; the same ``hashvalues`` for the same ``num_perm``, ``seed``
    and ``scheme`` (``"affine32"``, the default, ``"affine64"`` or ``"legacy"``). Hashing and permuting run
    in Rust; :meth:`update_batch` and :meth:`bulk` release the GIL.

    Differences: ``gpu_mode`` is accepted and ignored (the CPU path is fast); ``permutations`` are always
    derived from ``seed`` (passing different ones raises ``ValueError``).
    """

    def __init__(
        self,
        num_perm: int = 128,
        seed: int = 1,
        gpu_mode: Literal["disable", "detect", "always"] = "disable",
        hashfunc: Callable[[Any], int] | None = None,
        hashobj: object | None = None,
        hashvalues: npt.ArrayLike | None = None,
        permutations: Any = None,
        scheme: Scheme | None = None,
    ) -> None:
        if scheme is None:
            if hashvalues is not None or permutations is not None:
                raise InvalidOptionError(
                    "scheme must be specified explicitly when initializing from existing hash values or "
                    "permutations: pass the scheme of the MinHash they came from, or scheme='legacy' for "
                    "values created by datasketch before 2.0.0."
                )
            scheme = "affine32"
        elif scheme not in _SCHEMES:
            raise InvalidOptionError(f"scheme must be one of {', '.join(_SCHEMES)}, got {scheme!r}")
        if hashvalues is not None:
            num_perm = len(hashvalues)  # type: ignore[arg-type]
        if num_perm < 1:
            raise InvalidOptionError("num_perm must be positive")
        if num_perm > _HASH_RANGE:
            raise InvalidOptionError(f"Cannot have more than {_HASH_RANGE} number of permutation functions")
        if hashfunc is not None and not callable(hashfunc):
            raise InvalidOptionError("The hashfunc must be a callable.")
        if hashobj is not None:
            import warnings

            warnings.warn("hashobj is deprecated, use hashfunc instead.", DeprecationWarning, stacklevel=2)
        self.scheme: str = scheme
        self.seed: int = _check_seed(seed)
        self.num_perm: int = num_perm
        self.hashfunc: Callable[[Any], int] | None = hashfunc
        self._gpu_mode = gpu_mode
        if hashvalues is not None:
            if scheme == "legacy":
                self.hashvalues: npt.NDArray[Any] = np.array(hashvalues, dtype=np.uint64)
            else:
                self.hashvalues = _to_scheme_array(hashvalues, scheme, "hash values")
        else:
            self.hashvalues = np.full(num_perm, _MAX_HASH[scheme], dtype=_DTYPES[scheme])
        if permutations is not None:
            given = np.asarray(permutations)
            if given.shape != (2, num_perm) or not np.array_equal(given, self.permutations):
                raise InvalidOptionError(
                    "tamis.MinHash derives its permutations from seed; pass the permutations of a MinHash "
                    "with the same seed, scheme and num_perm (or none)"
                )

    @classmethod
    def _from_row(cls, template: MinHash, row: npt.NDArray[Any]) -> MinHash:
        m = cls.__new__(cls)
        m.scheme, m.seed, m.num_perm = template.scheme, template.seed, template.num_perm
        m.hashfunc, m._gpu_mode = template.hashfunc, template._gpu_mode
        m.hashvalues = row
        return m

    @property
    def permutations(self) -> npt.NDArray[Any]:
        """``(2, num_perm)`` array of the affine parameters ``a`` and ``b``, as datasketch draws them."""
        return _permutations(len(self), self.seed, self.scheme)

    def _rust(self) -> _tamis.DatasketchHasher:
        return _hasher(len(self), self.seed, self.scheme)

    def _ensure_writable(self) -> None:
        values = self.hashvalues
        if (
            not isinstance(values, np.ndarray)
            or values.dtype != _DTYPES[self.scheme]
            or not values.flags.c_contiguous
            or not values.flags.writeable
        ):
            self.hashvalues = np.array(values, dtype=_DTYPES[self.scheme])

    def _hash_array(self, hashes: list[Any]) -> npt.NDArray[np.uint64]:
        try:
            array = np.array(hashes, dtype=np.uint64)
        except OverflowError as err:
            raise InvalidOptionError(
                f"hashfunc returned a value out of range for scheme {self.scheme!r}: {err}. Use a hash "
                "function matching the scheme width, or scheme='affine64' for 64-bit hash values."
            ) from err
        if array.size and int(array.max()) > _MAX_TOKEN_HASH[self.scheme]:
            raise InvalidOptionError(
                f"hashfunc returned a value out of range for scheme {self.scheme!r}. Use a hash function "
                "matching the scheme width, or scheme='affine64' for 64-bit hash values."
            )
        return array

    def update(self, b: Any) -> None:
        """Add one value (``bytes`` with the default SHA-1 hash function)."""
        self._ensure_writable()
        if self.hashfunc is None:
            self._rust().update_tokens(self.hashvalues, (b,))
        else:
            self._rust().update_hashes(self.hashvalues, self._hash_array([self.hashfunc(b)]))

    def update_batch(self, b: Iterable[Any]) -> None:
        """Add many values at once (hashed and folded in Rust, GIL released)."""
        self._ensure_writable()
        if self.hashfunc is None:
            self._rust().update_tokens(self.hashvalues, b)
        else:
            hashes = [self.hashfunc(item) for item in b]
            if hashes:
                self._rust().update_hashes(self.hashvalues, self._hash_array(hashes))

    def jaccard(self, other: MinHash) -> float:
        """Estimated Jaccard similarity: the fraction of equal hash values."""
        _same_kind(self, other, "compute Jaccard given")
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / float(len(self))

    def count(self) -> float:
        """Estimated cardinality of the set (datasketch's estimator)."""
        k = len(self)
        return float(float(k) / np.sum(self.hashvalues / float(_MAX_HASH[self.scheme])) - 1.0)

    def merge(self, other: MinHash) -> None:
        """Make this MinHash the union of itself and ``other``."""
        _same_kind(self, other, "merge")
        self.hashvalues = np.minimum(other.hashvalues, self.hashvalues)

    def digest(self) -> npt.NDArray[Any]:
        """A copy of the hash values."""
        return np.array(self.hashvalues, copy=True)

    def is_empty(self) -> bool:
        """True while nothing has been added."""
        return not np.any(self.hashvalues != _MAX_HASH[self.scheme])

    def clear(self) -> None:
        """Forget every value added."""
        self.hashvalues = np.full(len(self), _MAX_HASH[self.scheme], dtype=_DTYPES[self.scheme])

    def copy(self) -> MinHash:
        """An independent copy."""
        return MinHash._from_row(self, self.digest())

    def __len__(self) -> int:
        return len(self.hashvalues)

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.scheme == other.scheme
            and self.seed == other.seed
            and bool(np.array_equal(self.hashvalues, other.hashvalues))
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_perm={len(self)}, seed={self.seed}, scheme={self.scheme!r})"

    @classmethod
    def union(cls, *mhs: MinHash) -> MinHash:
        """A new MinHash, the union of at least two MinHash of the same seed, size and scheme."""
        if len(mhs) < 2:
            raise InvalidOptionError("Cannot union less than 2 MinHash")
        first = mhs[0]
        if any(m.seed != first.seed or len(m) != len(first) or m.scheme != first.scheme for m in mhs):
            raise InvalidOptionError(
                "The unioning MinHash must have the same seed, number of permutation functions and scheme"
            )
        values = np.minimum.reduce([m.hashvalues for m in mhs])
        if cls is LeanMinHash:
            return LeanMinHash(seed=first.seed, hashvalues=values, scheme=first.scheme)  # type: ignore[arg-type]
        return MinHash._from_row(first, np.asarray(values, dtype=_DTYPES[first.scheme]))

    @classmethod
    def bulk(cls, b: Iterable[Iterable[Any]], **minhash_kwargs: Any) -> list[MinHash]:
        """One MinHash per token list of ``b``, all with ``minhash_kwargs``; sketched in parallel in Rust."""
        template = MinHash(**minhash_kwargs)
        if template.hashfunc is not None:
            return list(cls.generator(b, **minhash_kwargs))
        docs = b if isinstance(b, (list, tuple)) else list(b)
        matrix = template._rust().sketch_docs(docs).astype(_DTYPES[template.scheme], copy=False)
        base = template.hashvalues
        if template.is_empty():
            return [MinHash._from_row(template, row) for row in matrix]
        return [MinHash._from_row(template, np.minimum(base, row)) for row in matrix]

    @classmethod
    def generator(cls, b: Iterable[Iterable[Any]], **minhash_kwargs: Any) -> Generator[MinHash, None, None]:
        """Like :meth:`bulk`, one MinHash at a time."""
        template = MinHash(**minhash_kwargs)
        for tokens in b:
            m = template.copy()
            m.update_batch(tokens)
            yield m

    def __getstate__(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "seed": self.seed,
            "num_perm": self.num_perm,
            "hashfunc": self.hashfunc,
            "hashvalues": self.hashvalues,
            "_gpu_mode": self._gpu_mode,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("scheme", "legacy")
        state.pop("permutations", None)
        state.pop("_a_gpu", None)
        state.pop("_b_gpu", None)
        state.setdefault("_gpu_mode", "disable")
        state.setdefault("num_perm", len(state["hashvalues"]))
        self.__dict__.update(state)


_VALUE_FORMATS = {"legacy": "I", "affine32": "I", "affine64": "Q"}
_SCHEME_CODES = {"affine32": 1, "affine64": 2}
_SCHEME_NAMES = {code: scheme for scheme, code in _SCHEME_CODES.items()}


class LeanMinHash(MinHash):
    """An immutable, compact MinHash (hash values, seed and scheme only), compatible with
    ``datasketch.LeanMinHash``, including its byte serialization."""

    def __init__(
        self,
        minhash: MinHash | None = None,
        seed: int | None = None,
        hashvalues: npt.ArrayLike | None = None,
        scheme: Scheme | None = None,
    ) -> None:
        if minhash is not None:
            if scheme is not None and scheme != minhash.scheme:
                raise InvalidOptionError(
                    f"scheme {scheme!r} conflicts with the scheme {minhash.scheme!r} of the given MinHash"
                )
            self._initialize_slots(minhash.seed, minhash.hashvalues, minhash.scheme)
        elif hashvalues is not None and seed is not None:
            if scheme is None:
                raise InvalidOptionError(
                    "scheme must be specified explicitly when initializing from existing hash values: pass "
                    "the scheme of the MinHash they came from, or scheme='legacy' for hash values created by "
                    "datasketch before 2.0.0."
                )
            self._initialize_slots(seed, hashvalues, scheme)
        else:
            raise InvalidOptionError(
                "Init parameters cannot be None: make sure to set either minhash or both of hash values "
                "and seed"
            )

    def _initialize_slots(self, seed: int, hashvalues: Any, scheme: str) -> None:
        if scheme not in _SCHEMES:
            raise InvalidOptionError(f"scheme must be one of {', '.join(_SCHEMES)}, got {scheme!r}")
        self.seed = _check_seed(seed)
        self.scheme = scheme
        if scheme == "legacy":
            self.hashvalues = np.array(hashvalues, dtype=np.uint64)
        else:
            self.hashvalues = _to_scheme_array(hashvalues, scheme, "hash values")
            if len(self.hashvalues) == 0:
                raise InvalidOptionError("hashvalues must not be empty")
        self.num_perm = len(self.hashvalues)
        self.hashfunc = None
        self._gpu_mode = "disable"

    def update(self, b: Any) -> None:
        raise TypeError("Cannot update a LeanMinHash")

    def update_batch(self, b: Iterable[Any]) -> None:
        raise TypeError("Cannot update a LeanMinHash")

    def copy(self) -> LeanMinHash:
        lean = object.__new__(LeanMinHash)
        lean._initialize_slots(self.seed, self.hashvalues, self.scheme)
        return lean

    def _format(self, byteorder: str) -> str:
        if self.scheme == "legacy":
            return f"{byteorder}qi{len(self)}I"
        return f"{byteorder}qiB{len(self)}{_VALUE_FORMATS[self.scheme]}"

    def bytesize(self, byteorder: str = "@") -> int:
        """Bytes :meth:`serialize` writes."""
        return struct.calcsize(self._format(byteorder))

    def serialize(self, buf: Any, byteorder: str = "@") -> None:
        """Write this sketch into the writable buffer ``buf`` (datasketch's layout)."""
        if len(buf) < self.bytesize(byteorder):
            raise InvalidOptionError("The buffer does not have enough space for holding this MinHash.")
        values = [int(v) for v in self.hashvalues]
        if self.scheme == "legacy":
            struct.pack_into(self._format(byteorder), buf, 0, self.seed, len(self), *values)
        else:
            code = _SCHEME_CODES[self.scheme]
            struct.pack_into(self._format(byteorder), buf, 0, self.seed, -len(self), code, *values)

    @classmethod
    def deserialize(cls, buf: Any, byteorder: str = "@") -> LeanMinHash:
        """Read a sketch written by :meth:`serialize` (ours or datasketch's)."""
        head = f"{byteorder}qi"
        try:
            seed, num_perm = struct.unpack_from(head, buf, 0)
        except TypeError:
            buf = memoryview(buf)
            seed, num_perm = struct.unpack_from(head, buf, 0)
        if num_perm >= 0:
            scheme = "legacy"
            offset = struct.calcsize(head)
        else:
            num_perm = -num_perm
            (code,) = struct.unpack_from(byteorder + "B", buf, struct.calcsize(head))
            if code not in _SCHEME_NAMES:
                raise InvalidOptionError(f"Unknown permutation scheme code: {code}")
            scheme = _SCHEME_NAMES[code]
            offset = struct.calcsize(f"{byteorder}qiB0{_VALUE_FORMATS[scheme]}")
        values = struct.unpack_from(f"{byteorder}{num_perm}{_VALUE_FORMATS[scheme]}", buf, offset)
        lean = object.__new__(LeanMinHash)
        lean._initialize_slots(seed, values, scheme)
        return lean

    def __getstate__(self) -> bytearray:  # type: ignore[override]
        buf = bytearray(self.bytesize())
        self.serialize(buf)
        return buf

    def __setstate__(self, buf: Any) -> None:
        lean = LeanMinHash.deserialize(buf)
        self._initialize_slots(lean.seed, lean.hashvalues, lean.scheme)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash((self.scheme, self.seed, tuple(int(v) for v in self.hashvalues)))


class _Keys:
    """The keys of a :class:`MinHashLSH`, like datasketch's ``lsh.keys``: membership, size, iteration."""

    def __init__(self, ids: dict[Hashable, int]) -> None:
        self._ids = ids

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._ids)

    def keys(self) -> list[Hashable]:
        return list(self._ids)

    def size(self) -> int:
        return len(self._ids)

    def has_key(self, key: Hashable) -> bool:
        return key in self._ids


class MinHashLSH:
    """An LSH index over MinHash, compatible with ``datasketch.MinHashLSH`` (2.0, in-memory storage).

    Same arguments, the same ``b`` and ``r`` for a threshold, the same query results for the same hash
    values (of :class:`MinHash`, :class:`LeanMinHash` or datasketch's own). Buckets live in Rust.
    ``storage_config`` must be ``None`` or ``{"type": "dict"}``.
    """

    def __init__(
        self,
        threshold: float = 0.9,
        num_perm: int = 128,
        weights: tuple[float, float] = (0.5, 0.5),
        params: tuple[int, int] | None = None,
        storage_config: dict[str, Any] | None = None,
        prepickle: bool | None = None,
        hashfunc: Callable[[bytes], bytes] | None = None,
    ) -> None:
        if storage_config and storage_config.get("type", "dict") != "dict":
            raise InvalidOptionError(
                "tamis.MinHashLSH keeps its index in memory: storage_config type must be 'dict'"
            )
        if threshold > 1.0 or threshold < 0.0:
            raise InvalidOptionError("threshold must be in [0.0, 1.0]")
        if num_perm < 2:
            raise InvalidOptionError("Too few permutation functions")
        if any(w < 0.0 or w > 1.0 for w in weights):
            raise InvalidOptionError("Weight must be in [0.0, 1.0]")
        if sum(weights) != 1.0:
            raise InvalidOptionError("Weights must sum to 1.0")
        self.h = num_perm
        self.threshold = threshold
        if params is not None:
            self.b, self.r = params
            if self.b * self.r > num_perm:
                raise InvalidOptionError(
                    f"The product of b and r in params is {self.b} * {self.r} = {self.b * self.r} -- it must "
                    f"be less than num_perm {num_perm}. Did you forget to specify num_perm?"
                )
        else:
            if not 0.0 < threshold < 1.0:
                raise InvalidOptionError(
                    f"threshold must be strictly between 0 and 1 to choose bands and rows, got {threshold}"
                )
            self.b, self.r = _tamis.lsh_params(threshold, num_perm, *weights)
        if self.b < 2:
            raise InvalidOptionError("The number of bands are too small (b < 2)")
        self.prepickle = bool(prepickle)
        self.hashfunc = hashfunc
        self.hashranges = [(i * self.r, (i + 1) * self.r) for i in range(self.b)]
        self._reset()

    def _reset(self) -> None:
        self._index = _tamis.DatasketchIndex(self.b, self.r, self.h)
        self._ids: dict[Hashable, int] = {}
        self._keys_of: dict[int, Hashable] = {}
        self._signatures: dict[int, npt.NDArray[Any]] = {}
        self._next_id = 0
        self._tables: list[BandTable] | None = None
        self._minhash_scheme: str | None = None
        self.keys = _Keys(self._ids)

    def _check(self, minhash: Any) -> npt.NDArray[Any]:
        if len(minhash) != self.h:
            raise InvalidOptionError(f"Expecting minhash with length {self.h}, got {len(minhash)}")
        scheme = getattr(minhash, "scheme", None)
        if scheme is not None and self._minhash_scheme is not None and scheme != self._minhash_scheme:
            raise InvalidOptionError(
                f"MinHash scheme {scheme!r} does not match scheme {self._minhash_scheme!r} of the MinHash "
                "previously given to this index"
            )
        values = np.asarray(minhash.hashvalues)
        if values.dtype not in (np.uint32, np.uint64):
            values = values.astype(np.uint64)
        return np.ascontiguousarray(values)

    def insert(self, key: Hashable, minhash: Any, check_duplication: bool = True) -> None:
        """Index ``minhash`` under ``key`` (a new key)."""
        values = self._check(minhash)
        if key in self._ids:
            raise InvalidOptionError("The given key already exists")
        ident = self._next_id
        self._index.insert(ident, values)
        self._next_id += 1
        self._ids[key] = ident
        self._keys_of[ident] = key
        self._signatures[ident] = values[: self.b * self.r].copy()
        self._tables = None
        if self._minhash_scheme is None:
            self._minhash_scheme = getattr(minhash, "scheme", None)

    def query(self, minhash: Any) -> list[Hashable]:
        """The keys whose MinHash shares at least one band with ``minhash`` (each once)."""
        values = self._check(minhash)
        keys_of = self._keys_of
        return [keys_of[ident] for ident in self._index.query(values)]

    def remove(self, key: Hashable) -> None:
        """Remove ``key`` from the index; ``ValueError`` if it is not there."""
        if key not in self._ids:
            raise InvalidOptionError("The given key does not exist")
        ident = self._ids.pop(key)
        self._index.remove(ident)
        del self._keys_of[ident]
        del self._signatures[ident]
        self._tables = None

    def merge(self, other: MinHashLSH, check_overlap: bool = False) -> None:
        """Add every key of ``other`` (same ``num_perm``, ``b`` and ``r``) to this index."""
        if type(other) is not type(self):
            raise InvalidOptionError(f"Cannot merge type MinHashLSH and type {type(other).__name__}.")
        if (self.h, self.b, self.r) != (other.h, other.b, other.r):
            raise InvalidOptionError("Cannot merge MinHashLSH with different initialization parameters.")
        if (
            self._minhash_scheme is not None
            and other._minhash_scheme is not None
            and self._minhash_scheme != other._minhash_scheme
        ):
            raise InvalidOptionError(
                f"Cannot merge MinHashLSH indexed with MinHash scheme {other._minhash_scheme!r} into one "
                f"indexed with scheme {self._minhash_scheme!r}"
            )
        if check_overlap and set(self._ids).intersection(other._ids):
            raise InvalidOptionError("The keys are overlapping, duplicate key exists.")
        for key, ident in other._ids.items():
            self.insert(key, _Signature(other._signatures[ident], self.h))
        if self._minhash_scheme is None:
            self._minhash_scheme = other._minhash_scheme

    def is_empty(self) -> bool:
        """True when no key is indexed."""
        return len(self._ids) == 0

    def __contains__(self, key: Hashable) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def insertion_session(self, buffer_size: int = 50000) -> MinHashLSHInsertionSession:
        """A context manager for many inserts (datasketch's API; inserts are immediate here)."""
        return MinHashLSHInsertionSession(self, buffer_size)

    def deletion_session(self, buffer_size: int = 50000) -> MinHashLSHDeletionSession:
        """A context manager for many removals (datasketch's API; removals are immediate here)."""
        return MinHashLSHDeletionSession(self, buffer_size)

    @property
    def hashtables(self) -> list[BandTable]:
        """One table per band, bucket key -> set of keys, as datasketch's (a snapshot, rebuilt after a
        change: insert and remove through the index)."""
        if self._tables is None:
            entries = ((key, self._signatures[ident]) for key, ident in self._ids.items())
            self._tables = build_tables(entries, self.hashranges, self.hashfunc, self.prepickle)
        return self._tables

    def get_counts(self) -> list[dict[Any, int]]:
        """For each band, the number of keys in each bucket (datasketch's ``get_counts``)."""
        return [table.itemcounts() for table in self.hashtables]

    def get_subset_counts(self, *keys: Hashable) -> list[dict[Any, int]]:
        """:meth:`get_counts` restricted to ``keys`` (unknown keys count nowhere, as in datasketch)."""
        indexed = [key for key in dict.fromkeys(keys) if key in self._ids]
        entries = ((key, self._signatures[self._ids[key]]) for key in indexed)
        tables = build_tables(entries, self.hashranges, self.hashfunc, self.prepickle)
        return [table.itemcounts() for table in tables]

    def __getstate__(self) -> dict[str, Any]:
        state = {
            "h": self.h,
            "b": self.b,
            "r": self.r,
            "threshold": self.threshold,
            "prepickle": self.prepickle,
            "hashfunc": self.hashfunc,
            "scheme": self._minhash_scheme,
            "entries": [(key, self._signatures[ident]) for key, ident in self._ids.items()],
        }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.h, self.b, self.r = state["h"], state["b"], state["r"]
        self.threshold = state["threshold"]
        self.prepickle, self.hashfunc = state["prepickle"], state["hashfunc"]
        self.hashranges = [(i * self.r, (i + 1) * self.r) for i in range(self.b)]
        self._reset()
        for key, values in state["entries"]:
            self.insert(key, _Signature(values, self.h))
        self._minhash_scheme = state["scheme"]


class _Signature:
    """Stored band values re-inserted by merge and unpickling (padded to ``num_perm`` slots)."""

    def __init__(self, values: npt.NDArray[Any], num_perm: int) -> None:
        padded = np.zeros(num_perm, dtype=values.dtype)
        padded[: len(values)] = values
        self.hashvalues = padded

    def __len__(self) -> int:
        return len(self.hashvalues)


class MinHashLSHInsertionSession:
    """``with lsh.insertion_session() as session: session.insert(key, minhash)``."""

    def __init__(self, lsh: MinHashLSH, buffer_size: int) -> None:
        self.lsh = lsh
        self.buffer_size = buffer_size

    def __enter__(self) -> MinHashLSHInsertionSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing is buffered; kept for datasketch compatibility."""

    def insert(self, key: Hashable, minhash: Any, check_duplication: bool = True) -> None:
        self.lsh.insert(key, minhash, check_duplication=check_duplication)


class MinHashLSHDeletionSession:
    """``with lsh.deletion_session() as session: session.remove(key)``."""

    def __init__(self, lsh: MinHashLSH, buffer_size: int) -> None:
        self.lsh = lsh
        self.buffer_size = buffer_size

    def __enter__(self) -> MinHashLSHDeletionSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing is buffered; kept for datasketch compatibility."""

    def remove(self, key: Hashable) -> None:
        self.lsh.remove(key)
