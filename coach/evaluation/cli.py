"""``coach eval``: run the evals, compare two runs, measure the checks against human labels.

``coach eval`` on its own runs the cases; ``compare``, ``calibrate``, ``schema`` and ``rubric`` are
subcommands. A failed gate exits with 1; an error a person can fix (a bad case file, a missing run)
exits with 2 and one readable line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coach.config import BackendName, Settings, get_settings
from coach.evaluation import compare as comparing
from coach.evaluation import report
from coach.evaluation.cache import CachingBackend, CallCache, describe_model
from coach.evaluation.cases import CaseError, load_cases, write_json_schema
from coach.evaluation.judge import Judge, build_judge, rubric
from coach.evaluation.runner import EvalRun, Row, run_all
from coach.evaluation.summary import (
    OVERALL,
    GateError,
    check_gates,
    counts,
    load_gates,
    pass_rates,
    summarise,
)
from coach.knowledge import load_knowledge
from coach.models import ModelError, build_backend

eval_app = typer.Typer(
    help="Score the coach's answers against the principle cards (run with no subcommand).",
    invoke_without_command=True,
    no_args_is_help=False,
)
console = Console()
err = Console(stderr=True)
T = TypeVar("T")


def _guard(action: Callable[[], T]) -> T:
    try:
        return action()
    except (CaseError, GateError, comparing.RunError, ModelError, ValueError, OSError) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None


def _counts_line(passed: int, failed: int) -> None:
    typer.echo(f"{passed} passed, {failed} failed")


# --------------------------------------------------------------------------------------------
# coach eval
# --------------------------------------------------------------------------------------------


@eval_app.callback()
def run(
    ctx: typer.Context,
    backend: Annotated[
        BackendName | None, typer.Option("--backend", "-b", help="Backend to evaluate.")
    ] = None,
    cases: Annotated[
        str | None,
        typer.Option(
            help="Which cases: id glob (reply-*), job name, or tag:NAME; commas for several."
        ),
    ] = None,
    cases_dir: Annotated[Path | None, typer.Option(help="Folder of case files.")] = None,
    repeat: Annotated[int, typer.Option(min=1, max=20, help="Run every case N times.")] = 1,
    judge_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint of a judge model.")
    ] = None,
    judge_model: Annotated[str | None, typer.Option(help="Judge model name.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Run folder (default: a new one per run).")
    ] = None,
    cache: Annotated[Path | None, typer.Option(help="SQLite cache of model calls.")] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Call the model every time.")
    ] = False,
    gates: Annotated[
        Path | None, typer.Option(help="Gates file (default evals/gates.yaml).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="Parallel cases (openai backend only).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run the eval cases, write results.jsonl, summary.json and report.html, check the gates."""
    if ctx.invoked_subcommand is not None:
        return
    settings = get_settings()
    chosen = _guard(lambda: load_cases(cases_dir or settings.eval_cases_dir, cases))
    gate_spec = _guard(lambda: load_gates(gates or settings.eval_gates))
    model = _guard(lambda: build_backend(settings, backend))
    cache_path = None if no_cache else (cache or settings.eval_cache)
    store = CallCache(cache_path) if cache_path else None
    judge = _guard(lambda: _judge(settings, judge_url, judge_model, store))
    started = datetime.now(UTC)
    target = out or settings.eval_out_dir / f"{started:%Y%m%dT%H%M%SZ}-{model.name}"
    job = EvalRun(
        settings=settings,
        backend=model,
        cases=chosen,
        repeat=repeat,
        cache=store,
        judge=judge,
        workers=workers or settings.eval_workers,
    )
    rows = _guard(lambda: _run_with_progress(job, progress))
    meta = {
        "backend": model.name,
        "model": describe_model(model),
        "date": started.isoformat(timespec="seconds"),
        "cases": len(chosen),
        "pattern": cases,
        "repeat": repeat,
        "judge": judge.model if judge else None,
        "command": "coach eval " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["eval"] else None,
    }
    summary = summarise(rows, meta)
    gate_results = check_gates(summary, gate_spec)
    summary["gates"] = gate_results
    write_run(target, rows, summary, gate_results)
    if store:
        store.close()
    print_summary(summary)
    console.print(f"report: {target / comparing.REPORT}")
    _exit_on_gates(gate_results, summary["counts"])


def _judge(
    settings: Settings, url: str | None, model: str | None, store: CallCache | None
) -> Judge | None:
    judge = build_judge(settings, url, model)
    if judge is not None and store is not None:
        judge.backend = CachingBackend(judge.backend, store)
    return judge


def _run_with_progress(job: EvalRun, show: bool) -> list[Row]:
    columns = (
        TextColumn("[bold]eval[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, disable=not show, transient=False) as bar:
        task = bar.add_task(job.backend.name, total=len(job.jobs()))
        return run_all(job, on_done=lambda _row: bar.advance(task))


def write_run(
    target: Path, rows: Sequence[Row], summary: dict[str, Any], gates: Sequence[dict[str, Any]]
) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with (target / comparing.RESULTS).open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    (target / comparing.SUMMARY).write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (target / comparing.REPORT).write_text(report.render(summary, rows, gates), encoding="utf-8")


def _rate_text(rate: dict[str, Any]) -> str:
    if rate["rate"] is None:
        return "n/a"
    low, high = rate["ci95"]
    return f"{rate['rate']:.2f} [{low:.2f}, {high:.2f}] ({rate['passed']}/{rate['n']})"


def print_summary(summary: dict[str, Any]) -> None:
    table = Table(title=f"evals · {summary['meta']['backend']}")
    for column in (
        "job",
        "cases pass (95% CI)",
        "raw candidates pass",
        "grounded fallback",
        "recall",
        "judge",
    ):
        table.add_column(column)
    for name, f in [*summary["jobs"].items(), (OVERALL, summary[OVERALL])]:
        fallback = f["grounded_fallback"]
        judge = f["judge"]
        table.add_row(
            name,
            _rate_text(f["cases"]),
            _rate_text(f["candidates"]),
            "n/a"
            if fallback["rate"] is None
            else f"{fallback['rate']:.0%} ({fallback['grounded']}/{fallback['shown']})",
            "n/a" if f["recall"] is None else f"{f['recall']:.2f}",
            "skipped" if judge["status"] == "skipped" else _rate_text(judge["grades"]),
        )
    console.print(table)


def _exit_on_gates(gates: Sequence[dict[str, Any]], counts: dict[str, int]) -> None:
    for gate in gates:
        mark = "[green]pass[/green]" if gate["passed"] else "[red]FAIL[/red]"
        console.print(f"gate {gate['gate']} ({gate['rule']}): {gate['value']} {mark}")
    if not gates:
        console.print("[dim]no gates configured[/dim]")
    _counts_line(counts["passed"], counts["failed"])
    if any(not g["passed"] for g in gates):
        raise typer.Exit(1)


# --------------------------------------------------------------------------------------------
# coach eval compare
# --------------------------------------------------------------------------------------------


@eval_app.command("compare")
def compare_runs(
    run_a: Annotated[Path, typer.Argument(help="The baseline run folder.")],
    run_b: Annotated[Path, typer.Argument(help="The run to judge against it.")],
    gates: Annotated[
        Path | None, typer.Option(help="Gates file (default evals/gates.yaml).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Per-case changes from RUN_A to RUN_B, McNemar's test, and RUN_B's gates."""
    settings = get_settings()
    rows_a = _guard(lambda: comparing.load_rows(run_a))
    rows_b = _guard(lambda: comparing.load_rows(run_b))
    spec = _guard(lambda: load_gates(gates or settings.eval_gates))
    result = comparing.compare(rows_a, rows_b)
    gate_results = check_gates(pass_rates(rows_b), spec)
    if spec.max_regression_p is not None:
        regressed = comparing.significant_regression(result, spec.max_regression_p)
        gate_results.append(
            {
                "gate": "no_significant_regression",
                "rule": f"not (regressions > fixes and McNemar p < {spec.max_regression_p})",
                "threshold": spec.max_regression_p,
                "value": round(result.test.p_value, 4),
                "passed": not regressed,
            }
        )
    if as_json:
        typer.echo(json.dumps({**result.as_dict(), "gates": gate_results}, indent=2))
    else:
        _print_comparison(result)
    _exit_on_gates(gate_results, counts(rows_b))


def _print_comparison(result: comparing.Comparison) -> None:
    table = Table(title=f"{result.pairs} paired case runs")
    for column in ("job", "A pass", "B pass"):
        table.add_column(column)
    for job, (a, b) in result.jobs.items():
        table.add_row(job, a.text(), b.text())
    console.print(table)
    for change in result.regressions:
        console.print(
            f"[red]- regressed[/red] {change.case} ({change.job}): {', '.join(change.failed_after)}"
        )
    for change in result.fixes:
        console.print(f"[green]+ fixed[/green]    {change.case} ({change.job})")
    for name in result.only_a:
        console.print(f"[dim]only in A: {name}[/dim]")
    for name in result.only_b:
        console.print(f"[dim]only in B: {name}[/dim]")
    test = result.test
    console.print(
        f"McNemar ({test.method}): {test.regressions} regressions, {test.fixes} fixes, "
        f"p = {test.p_value:.4g}"
    )


# --------------------------------------------------------------------------------------------
# coach eval calibrate / schema / rubric
# --------------------------------------------------------------------------------------------


@eval_app.command()
def calibrate(
    data: Annotated[
        Path | None, typer.Option(help="Folder of the labelled corpora (default ../shared/data).")
    ] = None,
    split: Annotated[list[str] | None, typer.Option(help="dev and/or test (default both).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """How often the checks agree with human labels (accuracy, macro-F1, balanced accuracy)."""
    from coach import calibration

    splits = tuple(split or ("dev", "test"))
    unknown = sorted(set(splits) - {"dev", "test"})
    if unknown:
        err.print(f"[red]error:[/red] unknown split(s) {unknown!r}; use dev or test")
        raise typer.Exit(2)
    results = _guard(lambda: calibration.calibrate(data, splits))
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results], indent=2))
        return
    table = Table(title="checks against human labels")
    for column in ("task", "split", "n", "accuracy", "macro-F1", "balanced acc."):
        table.add_column(column, no_wrap=True)
    for r in results:
        scores = (r.accuracy, r.macro_f1, r.balanced_accuracy)
        table.add_row(r.task, r.split, str(r.n), *(f"{v:.3f}" for v in scores))
    console.print(table)
    typer.echo("confusion (gold -> predicted counts):")
    for r in results:
        cells = "; ".join(
            f"{gold} -> " + ", ".join(f"{p} {n}" for p, n in row.items())
            for gold, row in r.confusion.items()
        )
        typer.echo(f"  {r.task} {r.split}: {cells}")


@eval_app.command()
def schema(
    out: Annotated[Path, typer.Option(help="Where to write the JSON Schema.")] = Path(
        "evals/schema.json"
    ),
) -> None:
    """Export the JSON Schema of the case files."""
    _guard(lambda: write_json_schema(out))
    console.print(f"wrote {out}")


@eval_app.command("rubric")
def show_rubric(
    principle: Annotated[
        list[str] | None, typer.Argument(help="Principle ids (default: all).")
    ] = None,
) -> None:
    """Print the judge's rubric for principles, as generated from their cards."""
    kb = load_knowledge()
    ids = principle or [c.id for c in kb.cards]
    unknown = [p for p in ids if p not in kb.by_id]
    if unknown:
        err.print(f"[red]error:[/red] unknown principle id(s) {unknown!r}; see 'coach principles'")
        raise typer.Exit(2)
    for pid in ids:
        typer.echo(f"== {pid}\n{rubric(kb.by_id[pid]).text}\n")
