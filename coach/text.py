"""Normalising user text before anything else looks at it.

One function so that the safety screen, retrieval and the checks all see the same characters:
Unicode NFKC (folds full-width and styled letters), zero-width and control characters removed,
runs of blank space folded.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and invisible formatting characters that can hide words from a rule ("k\u200bill").
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
# ASCII's control characters but tab and newline: for ASCII text, the same characters the
# per-character category test below removes, found in one regex pass.
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class InputTooLong(ValueError):
    """The text is longer than the configured limit."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"The message is {length} characters long; the limit is {limit}. "
            "Shorten it or split it into several messages."
        )
        self.length = length
        self.limit = limit


class EmptyInput(ValueError):
    """Nothing left after normalising."""


def normalise(text: str) -> str:
    """Return ``text`` in NFKC with invisible and control characters removed (newlines kept)."""
    if text.isascii():  # most text: nothing for NFKC to fold, no invisible characters
        text = _ASCII_CONTROLS.sub("", text)
    else:
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE.sub("", text)
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def clean_input(text: str, *, limit: int, field: str = "message") -> str:
    """Normalise a required piece of user text and enforce the length limit."""
    cleaned = normalise(text)
    if not cleaned:
        raise EmptyInput(f"The {field} is empty. Type or paste some text.")
    if len(cleaned) > limit:
        raise InputTooLong(len(cleaned), limit)
    return cleaned


def clean_optional(text: str | None, *, limit: int, field: str = "context") -> str | None:
    """Like :func:`clean_input` for optional text: blank becomes ``None``."""
    if text is None or not normalise(text):
        return None
    return clean_input(text, limit=limit, field=field)
