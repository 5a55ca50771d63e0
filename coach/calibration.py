"""How often the checks agree with trained human annotators.

The labelled corpora live outside the package, in ``shared/data/`` beside the repository (see its
README). They are measurement data only: nothing here learns from them, the checks are
hand-written rules.

Tasks (one :class:`Result` per task and split):

``question_annomi``
    AnnoMI therapist utterances that annotators coded as a question (``question`` is ``open`` or
    ``closed``). Gold is that code; predicted is :func:`coach.checks.question`'s label, with
    ``none`` (no question found) mapped to ``closed``: these rows are questions by definition, and
    one the check cannot see has no question mark and no question word, i.e. a statement said
    with a rising tone ("And you still drink on weekends.") or a cut-off fragment, which MI coding
    calls closed. Measured on dev the choice hardly matters (33 such rows, 15 closed and 18 open;
    mapping to ``open`` instead moves macro-F1 by less than 0.001).

``fixing_esconv``
    ESConv supporter turns: gold ``fixing`` where the strategy is ``Providing Suggestions``, gold
    ``not_fixing`` where it is ``Reflection of feelings`` or ``Restatement or Paraphrasing``.
    Other strategies are left out. Predicted is :func:`coach.checks.fixing`'s label.

``fixing_annomi``
    AnnoMI therapist utterances: gold ``fixing`` where ``input`` is ``advice``; gold
    ``not_fixing`` where ``reflection`` is ``simple`` or ``complex`` and ``input`` is not
    ``advice`` (a reflection that also gives advice counts as advice). Everything else is left out.

Tuning discipline: rules are tuned on ``dev`` only. :func:`dev_errors` lists misclassified rows
and refuses any split but ``dev``; the ``test`` figures are reported, never inspected row by row.

Run ``python -m coach.calibration`` for the table (``--json`` for machine-readable output).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coach import checks

__all__ = [
    "TASKS",
    "Example",
    "Result",
    "accuracy",
    "balanced_accuracy",
    "calibrate",
    "confusion_matrix",
    "default_data_dir",
    "dev_errors",
    "evaluate",
    "fixing_task_annomi",
    "fixing_task_esconv",
    "load_jsonl",
    "macro_f1",
    "question_task",
]

ENV_VAR = "COACH_LABELS_DIR"
ANNOMI_FILE = "annomi_therapist.jsonl"
ESCONV_FILE = "esconv_supporter.jsonl"


def default_data_dir() -> Path:
    """``$COACH_LABELS_DIR`` if set, else ``shared/data`` beside the repository."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def _data_dir(data_dir: Path | str | None) -> Path:
    return Path(data_dir) if data_dir is not None else default_data_dir()


def load_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# --------------------------------------------------------------------------------------------
# Metrics (binary or multi-class; labels are strings)
# --------------------------------------------------------------------------------------------


def _label_set(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None
) -> list[str]:
    if labels is not None:
        return list(labels)
    return sorted(set(gold) | set(predicted))


def confusion_matrix(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, dict[str, int]]:
    """``matrix[gold_label][predicted_label]`` = count, every label present in both levels."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    names = _label_set(gold, predicted, labels)
    matrix = {g: dict.fromkeys(names, 0) for g in names}
    for g, p in zip(gold, predicted, strict=True):
        matrix.setdefault(g, dict.fromkeys(names, 0))
        matrix[g][p] = matrix[g].get(p, 0) + 1
    return matrix


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)


def _per_label(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None
) -> list[tuple[float, float, float]]:
    """(precision, recall, F1) per gold label; 0 where undefined."""
    out = []
    for label in _label_set(gold, predicted, labels):
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        n_pred = sum(p == label for p in predicted)
        n_gold = sum(g == label for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append((precision, recall, f1))
    return out


def macro_f1(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None
) -> float:
    """Unweighted mean of per-label F1 (over ``labels``, default: every label seen)."""
    scores = _per_label(gold, predicted, labels)
    return sum(f for _, _, f in scores) / len(scores) if scores else 0.0


def balanced_accuracy(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None
) -> float:
    """Mean recall over the gold labels (labels absent from gold are skipped)."""
    names = [label for label in _label_set(gold, predicted, labels) if label in set(gold)]
    if not names:
        return 0.0
    recalls = _per_label(gold, predicted, names)
    return sum(r for _, r, _ in recalls) / len(recalls)


# --------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    gold: str


@dataclass(frozen=True)
class Task:
    name: str
    labels: tuple[str, str]
    examples: Callable[[str, Path], list[Example]]
    predict: Callable[[str], str]


def _rows(data_dir: Path, filename: str, split: str) -> Iterable[dict[str, object]]:
    return (r for r in load_jsonl(data_dir / filename) if r.get("split") == split)


def _question_examples(split: str, data_dir: Path) -> list[Example]:
    return [
        Example(str(r["id"]), str(r["text"]), str(r["question"]))
        for r in _rows(data_dir, ANNOMI_FILE, split)
        if r.get("question") in ("open", "closed")
    ]


def _predict_question(text: str) -> str:
    label = checks.question(text).label
    return "closed" if label == "none" else label


_ESCONV_FIXING = frozenset({"Providing Suggestions"})
_ESCONV_VALIDATING = frozenset({"Reflection of feelings", "Restatement or Paraphrasing"})


def _esconv_examples(split: str, data_dir: Path) -> list[Example]:
    out = []
    for r in _rows(data_dir, ESCONV_FILE, split):
        strategy = r.get("strategy")
        if strategy in _ESCONV_FIXING:
            out.append(Example(str(r["id"]), str(r["text"]), "fixing"))
        elif strategy in _ESCONV_VALIDATING:
            out.append(Example(str(r["id"]), str(r["text"]), "not_fixing"))
    return out


def _annomi_fixing_examples(split: str, data_dir: Path) -> list[Example]:
    out = []
    for r in _rows(data_dir, ANNOMI_FILE, split):
        if r.get("input") == "advice":
            out.append(Example(str(r["id"]), str(r["text"]), "fixing"))
        elif r.get("reflection") in ("simple", "complex"):
            out.append(Example(str(r["id"]), str(r["text"]), "not_fixing"))
    return out


def _predict_fixing(text: str) -> str:
    return checks.fixing(text).label


TASKS: dict[str, Task] = {
    "question_annomi": Task(
        "question_annomi", ("open", "closed"), _question_examples, _predict_question
    ),
    "fixing_esconv": Task(
        "fixing_esconv", ("fixing", "not_fixing"), _esconv_examples, _predict_fixing
    ),
    "fixing_annomi": Task(
        "fixing_annomi", ("fixing", "not_fixing"), _annomi_fixing_examples, _predict_fixing
    ),
}


@dataclass(frozen=True)
class Result:
    """Agreement of one check with human labels on one split."""

    task: str
    split: str
    n: int
    accuracy: float
    macro_f1: float
    balanced_accuracy: float
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "task": self.task,
            "split": self.split,
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "balanced_accuracy": round(self.balanced_accuracy, 4),
            "confusion": {g: dict(row) for g, row in self.confusion.items()},
        }


def evaluate(task: str, split: str, data_dir: Path | str | None = None) -> Result:
    """Measure one task on one split."""
    spec = TASKS[task]
    examples = spec.examples(split, _data_dir(data_dir))
    gold = [e.gold for e in examples]
    predicted = [spec.predict(e.text) for e in examples]
    return Result(
        task=task,
        split=split,
        n=len(examples),
        accuracy=accuracy(gold, predicted),
        macro_f1=macro_f1(gold, predicted, spec.labels),
        balanced_accuracy=balanced_accuracy(gold, predicted, spec.labels),
        confusion=confusion_matrix(gold, predicted, spec.labels),
    )


def question_task(split: str, data_dir: Path | str | None = None) -> Result:
    """AnnoMI open vs closed questions (see module docstring)."""
    return evaluate("question_annomi", split, data_dir)


def fixing_task_esconv(split: str, data_dir: Path | str | None = None) -> Result:
    """ESConv Providing Suggestions vs Reflection of feelings / Restatement or Paraphrasing."""
    return evaluate("fixing_esconv", split, data_dir)


def fixing_task_annomi(split: str, data_dir: Path | str | None = None) -> Result:
    """AnnoMI advice vs reflections (see module docstring)."""
    return evaluate("fixing_annomi", split, data_dir)


def calibrate(
    data_dir: Path | str | None = None, splits: Sequence[str] = ("dev", "test")
) -> list[Result]:
    """Every task on every split, task by task."""
    return [evaluate(task, split, data_dir) for task in TASKS for split in splits]


def dev_errors(
    task: str, data_dir: Path | str | None = None, split: str = "dev"
) -> list[tuple[Example, str]]:
    """Misclassified ``dev`` rows as (example, predicted), for tuning. Refuses other splits."""
    if split != "dev":
        raise ValueError("only dev errors may be inspected; test is for reporting only")
    spec = TASKS[task]
    out = []
    for example in spec.examples(split, _data_dir(data_dir)):
        predicted = spec.predict(example.text)
        if predicted != example.gold:
            out.append((example, predicted))
    return out


def format_table(results: Iterable[Result]) -> str:
    lines = [f"{'task':<16} {'split':<5} {'n':>5} {'acc':>6} {'macroF1':>8} {'balAcc':>7}"]
    for r in results:
        lines.append(
            f"{r.task:<16} {r.split:<5} {r.n:>5} {r.accuracy:>6.3f} {r.macro_f1:>8.3f} "
            f"{r.balanced_accuracy:>7.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Measure the checks against human labels.")
    parser.add_argument("--data-dir", default=None, help=f"labels folder (default ${ENV_VAR})")
    parser.add_argument("--split", action="append", choices=["dev", "test"], default=None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results = calibrate(args.data_dir, tuple(args.split or ("dev", "test")))
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        print(format_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
