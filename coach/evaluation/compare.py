"""Compare two eval runs case by case, with McNemar's paired test on pass/fail.

Rows are paired by (case id, repeat); cases present in only one run are listed but not tested.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.evaluation.stats import McNemar, Rate, mcnemar

Row = dict[str, Any]
RESULTS = "results.jsonl"
SUMMARY = "summary.json"
REPORT = "report.html"


class RunError(ValueError):
    """A run folder is missing or unreadable."""


def load_rows(run: Path) -> list[Row]:
    path = run / RESULTS if run.is_dir() else run
    if not path.is_file():
        raise RunError(
            f"no eval results at {str(path)!r}; pass a run folder written by 'coach eval'"
        )
    rows = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    raise RunError(f"{path}: line {number} is not JSON") from None
    return rows


def load_summary(run: Path) -> dict[str, Any]:
    path = run / SUMMARY
    if not path.is_file():
        raise RunError(f"no summary at {str(path)!r}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Change:
    case: str
    job: str
    repeat: int
    before: bool
    after: bool
    failed_after: tuple[str, ...] = ()


@dataclass
class Comparison:
    pairs: int
    test: McNemar
    changes: list[Change] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    jobs: dict[str, tuple[Rate, Rate]] = field(default_factory=dict)

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.before and not c.after]

    @property
    def fixes(self) -> list[Change]:
        return [c for c in self.changes if not c.before and c.after]

    def as_dict(self) -> dict[str, object]:
        return {
            "pairs": self.pairs,
            "mcnemar": self.test.as_dict(),
            "regressions": [
                c.case if c.repeat == 0 else f"{c.case}#{c.repeat}" for c in self.regressions
            ],
            "fixes": [c.case if c.repeat == 0 else f"{c.case}#{c.repeat}" for c in self.fixes],
            "only_a": self.only_a,
            "only_b": self.only_b,
            "jobs": {
                job: {"a": a.as_dict(), "b": b.as_dict()} for job, (a, b) in self.jobs.items()
            },
        }


def _key(row: Row) -> tuple[str, int]:
    return str(row["case"]), int(row.get("repeat", 0))


def compare(rows_a: list[Row], rows_b: list[Row]) -> Comparison:
    a = {_key(r): r for r in rows_a}
    b = {_key(r): r for r in rows_b}
    shared = sorted(a.keys() & b.keys())
    changes = [
        Change(
            k[0],
            b[k]["job"],
            k[1],
            bool(a[k]["passed"]),
            bool(b[k]["passed"]),
            tuple(b[k]["failed"]),
        )
        for k in shared
        if bool(a[k]["passed"]) != bool(b[k]["passed"])
    ]
    regressions = sum(1 for c in changes if c.before)
    test = mcnemar(regressions, len(changes) - regressions)
    jobs: dict[str, tuple[Rate, Rate]] = {}
    for job in sorted({b[k]["job"] for k in shared}):
        keys = [k for k in shared if b[k]["job"] == job]
        jobs[job] = (
            Rate(sum(bool(a[k]["passed"]) for k in keys), len(keys)),
            Rate(sum(bool(b[k]["passed"]) for k in keys), len(keys)),
        )
    return Comparison(
        pairs=len(shared),
        test=test,
        changes=changes,
        only_a=[f"{c}#{r}" for c, r in sorted(a.keys() - b.keys())],
        only_b=[f"{c}#{r}" for c, r in sorted(b.keys() - a.keys())],
        jobs=jobs,
    )


def significant_regression(comparison: Comparison, max_p: float | None) -> bool:
    """B is worse than A: more regressions than fixes, and McNemar's p below ``max_p``."""
    if max_p is None:
        return False
    test = comparison.test
    return test.regressions > test.fixes and test.p_value < max_p
