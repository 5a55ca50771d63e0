"""``coach safety``: train the screen's classifier and measure the screen on labelled sets.

- ``coach safety train`` refits the n-gram classifier on every labelled set and writes the table
  the package ships (``coach/safety/classifier.npz``);
- ``coach safety crossval`` estimates it honestly: each held-out set is scored by a classifier
  trained without it (leave one set out), next to the rules and to both together;
- ``coach safety score FILE`` runs the shipped screen on one set (for a new blind set: run once).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import track
from rich.table import Table

from coach.safety.rules import ruleset

safety_app = typer.Typer(help="Train the screen's n-gram classifier and measure the screen.")
console = Console()
SetsOption = Annotated[
    list[Path] | None,
    typer.Option("--sets", help="Labelled safety sets (default: tests/fixtures/safety_*.yaml)."),
]


def _sets(paths: list[Path] | None) -> list[Path]:
    from coach.safety.training import safety_sets

    found = paths or safety_sets()
    if not found:
        console.print(
            "[red]error:[/red] no safety sets found; run from the repository or pass --sets"
        )
        raise typer.Exit(2)
    return found


@safety_app.command()
def train(
    sets: SetsOption = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the table.")] = None,
) -> None:
    """Refit the classifier on every labelled set plus the ordinary coaching inputs."""
    import numpy as np

    from coach.safety import training
    from coach.safety.classifier import TABLE

    examples = training.labelled(_sets(sets)) + training.ordinary()
    arrays = training.train_arrays(examples)
    target = out or Path(__file__).with_name(TABLE)
    np.savez_compressed(target, **arrays)  # type: ignore[arg-type]
    crises = sum(e.risk != "none" for e in examples)
    console.print(
        f"{len(examples)} examples ({crises} crises), {len(arrays['grams'])} n-grams -> {target}"
    )


@safety_app.command()
def crossval(
    sets: SetsOption = None,
    held: Annotated[
        list[str] | None, typer.Option(help="Names of the sets to hold out, one at a time.")
    ] = None,
) -> None:
    """Leave one set out: recall and false alarms of rules, classifier and both, per set."""
    from coach.safety import training

    paths = _sets(sets)
    chosen = (
        [p for p in paths if p.name in held] if held else [p for p in paths if "heldout" in p.name]
    )
    ordinary = training.ordinary()
    table = Table(
        "held out", "crises", "rules", "clf", "both", "near", "rules FA", "clf FA", "both FA"
    )
    for test in track(chosen, description="training without each set"):
        classifier = training.train(training.labelled([p for p in paths if p != test]) + ordinary)
        rows = [
            (
                e.risk != "none",
                bool(ruleset().detect(e.text)),
                classifier.category(e.text) is not None,
            )
            for e in training.labelled([test])
        ]
        crisis = [r for r in rows if r[0]]
        near = [r for r in rows if not r[0]]
        table.add_row(
            test.stem.removeprefix("safety_"),
            str(len(crisis)),
            *(str(sum(x)) for x in _columns(crisis)),
            str(len(near)),
            *(str(sum(x)) for x in _columns(near)),
        )
    console.print(table)


def _columns(rows: list[tuple[bool, bool, bool]]) -> tuple[list[bool], list[bool], list[bool]]:
    return [r[1] for r in rows], [r[2] for r in rows], [r[1] or r[2] for r in rows]


@safety_app.command()
def score(
    path: Annotated[
        Path, typer.Argument(help="A safety set: crisis (text, risk) and near_misses.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Run the shipped screen (rules and classifier) on one labelled set."""
    from coach.safety import training
    from coach.safety.screen import detect

    verdicts = [(e, detect(e.text)) for e in training.labelled([path])]  # each text screened once
    crises = [(e, found) for e, found in verdicts if e.risk != "none"]
    near = [(e, found) for e, found in verdicts if e.risk == "none"]
    missed = [e.text for e, found in crises if not found]
    wrong = [e.text for e, found in crises if found and e.risk not in found]
    alarms = [e.text for e, found in near if found]
    figures = {
        "caught": len(crises) - len(missed),
        "crises": len(crises),
        "right_category": len(crises) - len(missed) - len(wrong),
        "false_alarms": len(alarms),
        "near_misses": len(near),
        "missed": missed,
        "flagged_near_misses": alarms,
    }
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    console.print(
        f"recall {figures['caught']}/{len(crises)} ({figures['right_category']} in the right "
        f"category), false alarms {len(alarms)}/{len(near)}"
    )
    for text in missed:
        console.print(f"  [red]missed[/red] {text}")
    for text in alarms:
        console.print(f"  [yellow]flagged[/yellow] {text}")
