"""From result rows to the figures that matter, and the gates a run must meet.

Per job (and overall): the case pass rate with a Wilson 95% interval, the pass rate of each grader
layer, the raw model-candidate pass rate (how often the model's own text passed the checks), the
grounded fallback rate (share of shown suggestions built from the cards instead), the recall of
expected principles, model errors and time. Per principle: the pass rate of the cases that expect
it, and the judge's pass rate on its rubric.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.evaluation.graders import LAYERS
from coach.evaluation.stats import Rate
from coach.schemas import TASKS

Row = dict[str, Any]
OVERALL = "overall"


def _rate(flags: Iterable[bool]) -> Rate:
    values = list(flags)
    return Rate(sum(values), len(values))


def _layer_rate(rows: Sequence[Row], layer: str) -> Rate:
    """Cases whose scored grades of ``layer`` all passed, among cases with any scored grade."""
    outcomes = []
    for row in rows:
        scored = [
            g["passed"] for g in row["grades"] if g["layer"] == layer and g["passed"] is not None
        ]
        if scored:
            outcomes.append(all(scored))
    return _rate(outcomes)


def _judge(rows: Sequence[Row]) -> dict[str, object]:
    graded = [g for row in rows for g in row["grades"] if g["layer"] == "judge"]
    skipped = sum(1 for g in graded if g["detail"].startswith("skipped"))
    scored = [g["passed"] for g in graded if g["passed"] is not None]
    unscored = len(graded) - len(scored) - skipped
    return {
        "status": "skipped" if graded and skipped == len(graded) else "scored",
        "grades": _rate(scored).as_dict(),
        "unscored": unscored,
    }


def figures(rows: Sequence[Row]) -> dict[str, object]:
    """The figures for one group of rows (a job, or everything)."""
    candidates = [c["passed"] for row in rows for c in row["candidates"]]
    shown = sum(row["suggestions"] for row in rows)
    grounded = sum(row["grounded"] for row in rows)
    recalls = [row["recall"] for row in rows]
    return {
        "cases": _rate(row["passed"] for row in rows).as_dict(),
        "layers": {layer: _layer_rate(rows, layer).as_dict() for layer in LAYERS},
        "candidates": _rate(candidates).as_dict(),
        "grounded_fallback": {
            "grounded": grounded,
            "shown": shown,
            "rate": round(grounded / shown, 4) if shown else None,
        },
        "recall": round(sum(recalls) / len(recalls), 4) if recalls else None,
        "judge": _judge(rows),
        "model_errors": sum(1 for row in rows if row["model_error"]),
        "model_calls": sum(row["model_calls"] for row in rows),
        "cache_hits": sum(row["cache_hits"] for row in rows),
        "seconds": round(sum(row["seconds"] for row in rows), 2),
    }


def by_principle(rows: Sequence[Row]) -> dict[str, dict[str, object]]:
    ids = sorted({pid for row in rows for pid in row["expected_principles"]})
    out: dict[str, dict[str, object]] = {}
    for pid in ids:
        mine = [row for row in rows if pid in row["expected_principles"]]
        judged = [
            g["passed"]
            for row in mine
            for g in row["grades"]
            if g["name"] == f"judge {pid}" and g["passed"] is not None
        ]
        found = [pid in row["cited"] or pid in {h["id"] for h in row["retrieved"]} for row in mine]
        out[pid] = {
            "cases": _rate(row["passed"] for row in mine).as_dict(),
            "found": _rate(found).as_dict(),
            "judge": _rate(judged).as_dict(),
        }
    return out


def counts(rows: Sequence[Row]) -> dict[str, int]:
    passed = sum(1 for r in rows if r["passed"])
    return {"passed": passed, "failed": len(rows) - passed}


def pass_rates(rows: Sequence[Row]) -> dict[str, Any]:
    """Only the case pass rates per job and overall: enough for the gates (and for ``compare``)."""
    jobs = {
        job: {"cases": _rate(r["passed"] for r in rows if r["job"] == job).as_dict()}
        for job in TASKS
        if any(r["job"] == job for r in rows)
    }
    return {"jobs": jobs, OVERALL: {"cases": _rate(r["passed"] for r in rows).as_dict()}}


def summarise(rows: Sequence[Row], meta: dict[str, object]) -> dict[str, Any]:
    jobs = {
        job: figures([r for r in rows if r["job"] == job])
        for job in TASKS
        if any(r["job"] == job for r in rows)
    }
    return {
        "meta": meta,
        "jobs": jobs,
        OVERALL: figures(rows),
        "principles": by_principle(rows),
        "counts": counts(rows),
    }


def worst(rows: Sequence[Row], limit: int = 15) -> list[Row]:
    """Failed rows, most failed grades first."""
    failed = [r for r in rows if not r["passed"]]
    return sorted(failed, key=lambda r: (-len(r["failed"]), r["job"], r["case"], r["repeat"]))[
        :limit
    ]


# --------------------------------------------------------------------------------------------
# Gates
# --------------------------------------------------------------------------------------------


class Gates(BaseModel):
    """Thresholds from ``evals/gates.yaml`` (or ``--gates``)."""

    model_config = ConfigDict(extra="forbid")

    min_pass_rate: dict[str, float] = Field(
        default_factory=dict,
        description="Minimum case pass rate per job (reply, questions, ritual, chat) or 'overall'.",
    )
    max_regression_p: float | None = Field(
        default=0.05,
        ge=0,
        le=1,
        description="compare: fail when B has more regressions than fixes and McNemar's p is "
        "below this.",
    )


class GateError(ValueError):
    """The gates file is unreadable or names an unknown job."""


def load_gates(path: Path | None) -> Gates:
    """The gates in ``path``; no file means no thresholds (and says so in the output)."""
    if path is None or not path.is_file():
        return Gates()
    try:
        gates = Gates.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (yaml.YAMLError, ValidationError) as error:
        raise GateError(f"{path}: {error}") from None
    unknown = set(gates.min_pass_rate) - {*TASKS, OVERALL}
    if unknown:
        raise GateError(f"{path}: unknown job(s) in min_pass_rate: {sorted(unknown)!r}")
    return gates


def check_gates(summary: dict[str, Any], gates: Gates) -> list[dict[str, object]]:
    """One row per threshold (gate, threshold, value, passed); jobs not in the run are skipped."""
    results: list[dict[str, object]] = []
    for job, threshold in sorted(gates.min_pass_rate.items()):
        group = summary[OVERALL] if job == OVERALL else summary["jobs"].get(job)
        if group is None:
            continue
        rate = group["cases"]["rate"]
        passed = rate is not None and rate >= threshold
        results.append(
            {
                "gate": f"min_pass_rate.{job}",
                "rule": f"pass rate >= {threshold}",
                "threshold": threshold,
                "value": rate,
                "passed": passed,
            }
        )
    return results
