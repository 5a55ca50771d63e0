"""Small statistics for pass/fail counts: Wilson intervals and McNemar's paired test.

Standard library only. Wilson rather than the normal approximation because eval counts are small
and rates sit near 0 or 1, where the normal interval leaves [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
EXACT_BELOW = 25  # McNemar: exact binomial when fewer than this many discordant pairs


@dataclass(frozen=True)
class Rate:
    """``passed`` of ``n`` with a Wilson 95% interval."""

    passed: int
    n: int

    @property
    def value(self) -> float | None:
        return self.passed / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.passed, self.n)

    def as_dict(self) -> dict[str, object]:
        low_high = self.interval
        return {
            "passed": self.passed,
            "n": self.n,
            "rate": None if self.value is None else round(self.value, 4),
            "ci95": None if low_high is None else [round(low_high[0], 4), round(low_high[1], 4)],
        }

    def text(self) -> str:
        """``0.85 [0.64, 0.95] (17/20)``, or ``n/a`` when there is nothing to count."""
        if self.value is None or self.interval is None:
            return "n/a"
        low, high = self.interval
        return f"{self.value:.2f} [{low:.2f}, {high:.2f}] ({self.passed}/{self.n})"


def wilson(passed: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for ``passed`` successes in ``n`` trials (None when n is 0)."""
    if n <= 0:
        return None
    if not 0 <= passed <= n:
        raise ValueError(f"passed must be between 0 and n ({n}), not {passed}")
    p = passed / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class McNemar:
    """McNemar's test on paired pass/fail outcomes.

    ``regressions`` (b): passed in A, failed in B. ``fixes`` (c): failed in A, passed in B.
    """

    regressions: int
    fixes: int
    p_value: float
    method: str  # "exact" (binomial) or "chi2" (with continuity correction)

    def as_dict(self) -> dict[str, object]:
        return {
            "regressions": self.regressions,
            "fixes": self.fixes,
            "p_value": round(self.p_value, 6),
            "method": self.method,
        }


def mcnemar(regressions: int, fixes: int) -> McNemar:
    """Two-sided McNemar test: exact binomial below 25 discordant pairs, else chi-square (1 df)
    with continuity correction."""
    b, c = regressions, fixes
    n = b + c
    if n == 0:
        return McNemar(b, c, 1.0, "exact")
    if n < EXACT_BELOW:
        tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2**n
        return McNemar(b, c, min(1.0, 2 * tail), "exact")
    statistic = (abs(b - c) - 1) ** 2 / n
    return McNemar(b, c, math.erfc(math.sqrt(statistic / 2)), "chi2")
