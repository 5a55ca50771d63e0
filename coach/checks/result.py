"""The outcome of one check: :class:`CheckResult`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one text."""

    check: str
    label: str
    passed: bool
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "check": self.check,
            "label": self.label,
            "passed": self.passed,
            "reasons": list(self.reasons),
        }
