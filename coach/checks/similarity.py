"""distinct: no two suggestions the same or near-alike."""

from __future__ import annotations

from ._text import _prepare, _words
from .result import CheckResult


def _normalised(text: str) -> str:
    return " ".join(_words(_prepare(text)))


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


DUPLICATE_JACCARD = 0.7


def distinct(texts: list[str]) -> CheckResult:
    """No two texts alike: same after normalising, or token-set Jaccard >= 0.7."""
    reasons = []
    normal = [_normalised(t) for t in texts]
    tokens = [set(n.split()) for n in normal]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if normal[i] == normal[j]:
                reasons.append(f"#{i + 1} and #{j + 1} are the same after normalising")
            else:
                score = _jaccard(tokens[i], tokens[j])
                if score >= DUPLICATE_JACCARD:
                    reasons.append(f"#{i + 1} and #{j + 1} are near-alike (Jaccard {score:.2f})")
    if reasons:
        return CheckResult("distinct", "duplicates", False, tuple(reasons))
    return CheckResult("distinct", "distinct", True, (f"{len(texts)} texts, no two alike",))
