"""Aggregate counts of screen hits by category: no text, no identifiers, nothing per user."""

from __future__ import annotations

import threading
from collections import Counter

from coach.schemas import Risk

_lock = threading.Lock()
_hits: Counter[str] = Counter()


def count_hit(risk: Risk) -> None:
    """Add one hit for ``risk`` (``"none"`` is not counted)."""
    if risk == "none":
        return
    with _lock:
        _hits[risk] += 1


def hit_counts() -> dict[str, int]:
    """A snapshot of the counts, one key per category that has been hit."""
    with _lock:
        return dict(_hits)


def reset_hit_counts() -> None:
    """Forget all counts (for tests)."""
    with _lock:
        _hits.clear()
