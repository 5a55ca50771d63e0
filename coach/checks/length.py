"""length: at most so many words."""

from __future__ import annotations

from ._text import word_count
from .result import CheckResult


def length(text: str, max_words: int) -> CheckResult:
    """At most ``max_words`` words."""
    n = word_count(text)
    if n > max_words:
        return CheckResult("length", "too_long", False, (f"{n} words > {max_words}",))
    return CheckResult("length", "ok", True, (f"{n} words <= {max_words}",))
