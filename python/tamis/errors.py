"""Exceptions raised by tamis.

Every error derives from :class:`TamisError` *and* from the builtin exception a Python user would expect, so
``except ValueError`` or ``except FileNotFoundError`` keep working. Messages say what was wrong and where
(file and line, or row).
"""

from __future__ import annotations


class TamisError(Exception):
    """Base class of every error raised by tamis."""


class InvalidInputError(TamisError, ValueError):
    """A record cannot be read: malformed JSON, invalid UTF-8, an empty input file."""


class CorruptInputError(InvalidInputError):
    """A compressed input (.gz, .zst) is truncated or corrupt."""


class InvalidOptionError(TamisError, ValueError):
    """An option makes no sense: an unknown mode, an output path that is also an input."""


class FieldNotFoundError(TamisError, KeyError):
    """The selected field is missing from a record."""

    def __str__(self) -> str:
        # KeyError would show the message in quotes; ours is a sentence, not a key.
        return str(self.args[0]) if self.args else ""


class FieldTypeError(TamisError, TypeError):
    """The selected field holds something other than a string."""


class NotFoundError(TamisError, KeyError, ValueError):
    """An unknown name: encoding, model or token."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class TamisIOError(TamisError, OSError):
    """The operating system refused to read or write a file."""


class TamisFileNotFoundError(TamisIOError, FileNotFoundError):
    """An input file does not exist."""


__all__ = [
    "CorruptInputError",
    "FieldNotFoundError",
    "FieldTypeError",
    "InvalidInputError",
    "InvalidOptionError",
    "NotFoundError",
    "TamisError",
    "TamisFileNotFoundError",
    "TamisIOError",
]
