"""The ``coach`` command line: the four jobs, the principle list, the checks and the screen.

Every job takes ``--json`` for the machine-readable answer (the same shape as the web API).
Errors end in one readable line and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from coach import checks, safety
from coach.config import BackendName, get_settings
from coach.knowledge import load_knowledge
from coach.models import ModelError, build_backend
from coach.models.resilience import answer_scope
from coach.schemas import Answer, Risk, Style
from coach.service import Coach, Outcome, Turn
from coach.text import EmptyInput, InputTooLong

app = typer.Typer(
    help="A coach for emotional intimacy between partners. Coaching and education, not therapy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
check_app = typer.Typer(
    help="Run one of the coach's deterministic checks on text.", no_args_is_help=True
)
app.add_typer(check_app, name="check")
console = Console()
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]
ContextOpt = Annotated[
    str | None, typer.Option("--context", "-c", help="A few words about your situation.")
]
BackendOpt = Annotated[
    BackendName | None,
    typer.Option("--backend", "-b", help="Model backend (default: COACH_BACKEND or embedded)."),
]
T = TypeVar("T")


def _coach(backend: BackendName | None) -> Coach:
    settings = get_settings()
    return Coach(settings, build_backend(settings, backend))


def _run(action: Callable[[], T]) -> T:
    """Turn the errors a person can fix into one line and exit code 2."""
    try:
        with answer_scope():  # one answer: one deadline for a remote model; what stood in
            return action()
    except (EmptyInput, InputTooLong, ValueError, ModelError) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None


def _show(outcome: Outcome, as_json: bool) -> None:
    answer = outcome.answer
    if as_json:
        typer.echo(json.dumps(answer.public(), ensure_ascii=False, indent=2))
        return
    _print_answer(answer, outcome.model_error)


def _print_answer(answer: Answer, model_error: str | None) -> None:
    if answer.safety.risk != "none":
        console.print(f"[bold yellow]{answer.safety.message}[/bold yellow]")
        for resource in answer.safety.resources:
            console.print(f"  • {resource.name}: [bold]{resource.contact}[/bold]")
        return
    if model_error:
        err.print(f"[dim]The model failed ({model_error}); showing grounded suggestions.[/dim]")
    if answer.day:
        console.print(f"[bold]Day {answer.day} of 30 — {answer.phase}[/bold]")
    if answer.reply is not None:
        console.print(answer.reply)
    else:
        for number, suggestion in enumerate(answer.suggestions, 1):
            console.print(f"[bold]{number}.[/bold] {suggestion.text}")
            console.print(f"   [dim]why: {suggestion.why}[/dim]")
    sources = "; ".join(f"{p.title}" for p in answer.principles)
    console.print(f"[dim]principles: {sources} · backend: {answer.backend}[/dim]")


@app.command()
def reply(
    message: Annotated[str, typer.Argument(help="What your partner said, pasted as it is.")],
    context: ContextOpt = None,
    n: Annotated[int, typer.Option(min=1, max=6, help="How many replies.")] = 3,
    backend: BackendOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Validating replies you could send to what your partner said."""
    _show(_run(lambda: _coach(backend).reply(message, context, n)), as_json)


@app.command()
def questions(
    context: ContextOpt = None,
    style: Annotated[
        Style | None,
        typer.Option(help="How your partner shows care: action, activity or quiet."),
    ] = None,
    n: Annotated[int, typer.Option(min=1, max=10, help="How many questions.")] = 5,
    backend: BackendOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Open-ended questions to ask your partner."""
    _show(_run(lambda: _coach(backend).questions(context, style, n)), as_json)


@app.command()
def ritual(
    day: Annotated[int, typer.Option(min=1, max=30, help="Day of the 30-day plan.")] = 1,
    context: ContextOpt = None,
    backend: BackendOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Today's step in the 30-day plan of connection rituals."""
    _show(_run(lambda: _coach(backend).ritual(day, context)), as_json)


@app.command()
def ask(
    message: Annotated[str, typer.Argument(help="Your question or situation.")],
    backend: BackendOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """One question to the coach, answered from the principle cards."""
    _show(_run(lambda: _coach(backend).chat(message)), as_json)


@app.command()
def chat(backend: BackendOpt = None) -> None:
    """Talk with the coach; history is kept until you quit (Ctrl-D or 'quit')."""
    coach = _coach(backend)
    console.print(f"[dim]{safety.DISCLAIMER}[/dim]")
    history: list[Turn] = []
    flag: Risk = "none"
    while True:
        try:
            message = console.input("[bold green]you>[/bold green] ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if message.strip().lower() in {"quit", "exit", ":q"}:
            return
        if not message.strip():
            continue
        outcome = _run(partial(coach.chat, message, list(history), flag))
        if safety.sticky(outcome.answer.safety.risk):
            flag = outcome.answer.safety.risk
        history += [Turn("user", message), Turn("coach", outcome.answer.reply or "")]
        _print_answer(outcome.answer, outcome.model_error)


@app.command()
def principles(as_json: JsonFlag = False) -> None:
    """List the principle cards the coach draws on, with their source articles."""
    cards = load_knowledge().cards
    if as_json:
        typer.echo(
            json.dumps(
                [c.model_dump(exclude_none=True) for c in cards], ensure_ascii=False, indent=2
            )
        )
        return
    table = Table(title=f"{len(cards)} principle cards")
    for column in ("id", "title", "tasks", "sources"):
        table.add_column(column, overflow="fold")
    for card in cards:
        table.add_row(card.id, card.title, ", ".join(card.tasks), "; ".join(card.sources))
    console.print(table)


@app.command()
def screen(
    text: Annotated[str, typer.Argument(help="Text to run through the safety screen.")],
    locale: Annotated[str | None, typer.Option(help="Resource locale, e.g. US or GB.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the safety screen on a text (no model involved)."""
    verdict = safety.screen(text, locale=locale or get_settings().locale)
    if as_json:
        typer.echo(json.dumps(verdict.model_dump(), ensure_ascii=False, indent=2))
        return
    console.print(f"risk: [bold]{verdict.risk}[/bold]")
    if verdict.message:
        console.print(verdict.message)
    for resource in verdict.resources:
        console.print(f"  • {resource.name}: {resource.contact}")


CheckName = Literal["question", "fixing"]


def _check_command(name: CheckName) -> Callable[..., None]:
    function: Callable[[str], checks.CheckResult] = getattr(checks, name)

    def command(
        text: Annotated[str | None, typer.Argument(help="The text to check.")] = None,
        jsonl: Annotated[
            Path | None,
            typer.Option(
                help="A JSON-lines file with a 'text' field; prints each line back with its label."
            ),
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        if jsonl is not None:
            _check_jsonl(function, jsonl)
            return
        if text is None:
            err.print("[red]error:[/red] give a TEXT or --jsonl FILE")
            raise typer.Exit(2)
        result = function(text)
        if as_json:
            typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            console.print(f"{result.label}: " + "; ".join(result.reasons))

    command.__doc__ = f"Label a text with the {name} check."
    return command


def _check_jsonl(function: Callable[[str], checks.CheckResult], path: Path) -> None:
    if not path.is_file():
        err.print(f"[red]error:[/red] no file at {str(path)!r}")
        raise typer.Exit(2)
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = row["text"]
            except (json.JSONDecodeError, KeyError, TypeError):
                where = f"line {number} of {str(path)!r}"
                err.print(f"[red]error:[/red] {where} is not JSON with a 'text' field")
                raise typer.Exit(2) from None
            result = function(text)
            row.update(label=result.label, reasons=list(result.reasons))
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


check_app.command("question")(_check_command("question"))
check_app.command("fixing")(_check_command("fixing"))


from coach.serve import serve  # noqa: E402

app.command("serve")(serve)

from coach.evaluation.cli import eval_app  # noqa: E402

app.add_typer(eval_app, name="eval")

from coach.database_cli import db_app  # noqa: E402

app.add_typer(db_app, name="db")

from coach.training.cli import train_app  # noqa: E402

app.add_typer(train_app, name="train")

from coach.safety.cli import safety_app  # noqa: E402

app.add_typer(safety_app, name="safety")
