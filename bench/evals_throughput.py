"""Evals throughput: every eval case through the runner on the grounded and the fake backends.

Alternating rounds of the whole case set per backend, no call cache, no judge (the
deterministic and grounding graders run). Throughput is cases per second of wall time; the
per-case distribution comes from the runner's own timings.

    python bench/evals_throughput.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import time

from common import bench_settings, cases, median, pct, table, write_section

from coach.evaluation.runner import EvalRun, run_all
from coach.knowledge import load_knowledge
from coach.models import build_backend

BACKENDS = ("grounded", "fake")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    everything = cases()
    knowledge = load_knowledge()
    rates: dict[str, list[float]] = {b: [] for b in BACKENDS}
    per_case: dict[str, list[float]] = {b: [] for b in BACKENDS}
    passed: dict[str, float] = {}
    for _ in range(args.rounds):
        for name in BACKENDS:
            settings = bench_settings(backend=name, eval_cache=None)
            run = EvalRun(settings, build_backend(settings), everything, knowledge=knowledge)
            started = time.perf_counter()
            rows = run_all(run)
            rates[name].append(len(rows) / (time.perf_counter() - started))
            per_case[name] += [row["seconds"] for row in rows]
            passed[name] = sum(1 for row in rows if row["passed"]) / len(rows)

    table_rows = [
        [
            name,
            f"{median(rates[name]):.1f}",
            f"{median(per_case[name]) * 1000:.1f} ms",
            f"{pct(per_case[name], 95) * 1000:.1f} ms",
            f"{passed[name]:.0%}",
        ]
        for name in BACKENDS
    ]
    ratio = median(rates["fake"]) / median(rates["grounded"])
    body = f"""
`python bench/evals_throughput.py`: all {len(everything)} eval cases, {args.rounds} alternating
rounds per backend, one case at a time, no cache, no judge.

{table(["backend", "cases/s", "per case p50", "p95", "cases passed"], table_rows)}

- Fake / grounded throughput: {ratio:.2f} (the fake backend adds model candidates, each checked).
"""
    write_section("evals", "Evals throughput: grounded and fake backends", body)


if __name__ == "__main__":
    main()
