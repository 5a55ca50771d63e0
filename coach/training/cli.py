"""``coach train``: rebuild the training data and the LoRA adapter, and measure it.

``coach train`` retrains the adapter from ``coach/data/training/`` (needs the ``train`` extra:
``pip install -e '.[train]'``); ``coach train data`` rewrites the examples from the generator;
``coach train measure`` compares the base and the tuned model on the held-out inputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

train_app = typer.Typer(
    help="Train the embedded model's LoRA adapter (run with no subcommand) and measure it.",
    invoke_without_command=True,
    no_args_is_help=False,
)
console = Console()
err = Console(stderr=True)


@train_app.callback()
def train(
    ctx: typer.Context,
    steps: Annotated[int, typer.Option(min=1, help="Optimiser steps.")] = 40,
    batch: Annotated[int, typer.Option(min=1, help="Sequences per step.")] = 8,
    rank: Annotated[int, typer.Option(min=1, help="LoRA rank.")] = 8,
    learning_rate: Annotated[float, typer.Option(help="Peak learning rate.")] = 1e-3,
    seed: Annotated[int, typer.Option(help="Seed for sampling batches and LoRA init.")] = 8,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
    work: Annotated[
        Path, typer.Option(help="Scratch folder: base checkpoint, converter, losses.")
    ] = Path("runs/training"),
    out: Annotated[Path | None, typer.Option(help="Where the adapter is written.")] = None,
) -> None:
    """Train the adapter from the committed examples, write it as GGUF with its record."""
    if ctx.invoked_subcommand:
        return
    try:
        from coach.training.train import ADAPTER_DIR
        from coach.training.train import train as run_training
    except ImportError as error:  # pragma: no cover - depends on the extra
        err.print(f"[red]error:[/red] {error}. Install the extra: pip install -e '.[train]'")
        raise typer.Exit(2) from None
    try:
        record = run_training(
            steps=steps,
            batch=batch,
            rank=rank,
            learning_rate=learning_rate,
            seed=seed,
            threads=threads,
            work=work,
            out_dir=out or ADAPTER_DIR,
        )
    except ImportError as error:
        err.print(f"[red]error:[/red] {error}. Install the extra: pip install -e '.[train]'")
        raise typer.Exit(2) from None
    console.print_json(json.dumps(record))
    console.print(
        f"loss {record['loss_first10_mean']:.3f} -> {record['loss_last10_mean']:.3f} "
        f"(mean of first/last 10 steps), {record['seconds_total']:.0f} s; "
        f"curve: {(out or ADAPTER_DIR) / 'loss.svg'}"
    )


@train_app.command("data")
def data() -> None:
    """Rewrite coach/data/training/ from the generator (every example passes the checks)."""
    from coach.training.generate import write

    console.print_json(json.dumps(write()))


@train_app.command("measure")
def measure(
    limit: Annotated[int, typer.Option(min=1, help="Held-out inputs per job.")] = 25,
    candidates: Annotated[int, typer.Option(min=1, help="Candidates per input.")] = 3,
    out: Annotated[Path, typer.Option(help="JSON file for the numbers.")] = Path(
        "runs/training/measure.json"
    ),
    model: Annotated[
        str, typer.Option(help="base, tuned or both; one model's numbers merge into --out.")
    ] = "both",
) -> None:
    """Base against tuned on held-out inputs: raw candidates passing, grounded fallback."""
    from coach.training.measure import heldout_comparison

    only = ("base", "tuned") if model == "both" else (model,)
    result = heldout_comparison(limit=limit, candidates=candidates, only=only)
    if out.is_file() and model != "both":
        earlier = json.loads(out.read_text())
        if (earlier.get("inputs"), earlier.get("candidates")) == (
            result["inputs"],
            result["candidates"],
        ):
            result["models"] = {**earlier["models"], **result["models"]}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    for name, numbers in result["models"].items():
        console.print(
            f"{name}: raw pass {numbers['raw_pass_rate']:.0%} "
            f"({numbers['raw_passed']}/{numbers['raw_total']}), grounded fallback "
            f"{numbers['fallback_rate']:.0%} ({numbers['grounded']}/{numbers['shown']})"
        )
