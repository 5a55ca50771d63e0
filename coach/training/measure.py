"""Base model against tuned model on the same inputs, through the coach's own pipeline.

Only needs llama-cpp-python (no torch): the adapter is applied by llama.cpp at load time.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from coach import prompts
from coach.config import Settings
from coach.models import GenerationParams
from coach.models.embedded import EmbeddedBackend, default_adapter_path
from coach.service import STYLE_HINTS, Coach, Outcome, _lead, _verdict, tidy
from coach.training.generate import load

STYLES = {hint: style for style, hint in STYLE_HINTS.items()}

# Ten fixed inputs for the CI test and the first rows of the samples file: two or three per job.
FIXED: list[tuple[str, dict[str, Any]]] = [
    ("reply", {"message": "My boss yelled at me in front of the whole team today."}),
    ("reply", {"message": "I'm worried my dad isn't taking his medication."}),
    ("reply", {"message": "I finally finished the first draft of my book!"}),
    ("reply", {"message": "Nobody at the party talked to me all night."}),
    ("questions", {"context": "we just moved to a new city", "style_hint": None}),
    ("questions", {"context": "he lost his mother last year", "style_hint": STYLE_HINTS["quiet"]}),
    ("questions", {"context": "we both work too much", "style_hint": STYLE_HINTS["activity"]}),
    ("ritual", {"day": 3, "context": "we have a toddler"}),
    ("ritual", {"day": 17, "context": "she works night shifts"}),
    ("ritual", {"day": 24, "context": None}),
]


def backends(settings: Settings | None = None) -> dict[str, EmbeddedBackend]:
    """``base`` (no adapter, completion prompts) and ``tuned`` (the shipped adapter)."""
    settings = settings or Settings(_env_file=None)
    return {
        "base": EmbeddedBackend(settings.model_copy(update={"lora_path": "none"})),
        "tuned": EmbeddedBackend(settings.model_copy(update={"lora_path": None})),
    }


def _variables(task: str, inputs: dict[str, Any]) -> dict[str, Any]:
    from coach.knowledge import load_knowledge

    variables: dict[str, Any] = {"principles": [], "context": None, "style_hint": None}
    variables.update(inputs)
    if task == "ritual":
        phase = load_knowledge().phase_for_day(int(inputs["day"])).phase
        assert phase is not None
        variables.update(phase_name=phase.name, step=phase.step)
    return variables


def raw_candidate(
    backend: EmbeddedBackend, task: str, inputs: dict[str, Any], temperature: float = 0.0
) -> tuple[str, bool]:
    """One raw candidate as the pipeline makes it (the first lead for a base model), and whether
    it passes the runtime's checks."""
    lead = _lead(task, 0) if backend.profile == "completion" else ""  # type: ignore[arg-type]
    prompt = prompts.render(
        task,  # type: ignore[arg-type]
        backend.profile,  # type: ignore[arg-type]
        {**_variables(task, inputs), "lead": lead},
    )
    stop = ("\n", '"', "Partner said", "Situation:") if backend.profile == "completion" else ()
    params = GenerationParams(max_tokens=60, temperature=temperature, stop=stop, seed=1)
    raw = backend.generate(prompt, params)
    verdict = _verdict(task, tidy(lead + raw, task))  # type: ignore[arg-type]
    return lead + raw, verdict.passed


def _run(coach: Coach, task: str, inputs: dict[str, Any], n: int) -> Outcome:
    if task == "reply":
        return coach.reply(inputs["message"], inputs.get("context"), n=n)
    if task == "questions":
        style = STYLES.get(inputs.get("style_hint") or "")
        return coach.questions(inputs.get("context"), style, n=n)
    if task == "ritual":
        return coach.ritual(int(inputs["day"]), inputs.get("context"))
    return coach.chat(inputs["message"])


def heldout_comparison(
    limit: int = 25, candidates: int = 3, only: tuple[str, ...] = ("base", "tuned")
) -> dict[str, Any]:
    """Per model: the share of raw candidates passing the checks and of shown suggestions that
    fell back to the grounded builder, over the first ``limit`` distinct held-out inputs per job."""
    rows = load("heldout")
    inputs: list[tuple[str, dict[str, Any]]] = []
    for task in ("reply", "questions", "ritual", "chat"):
        seen: list[dict[str, Any]] = []
        for row in rows:
            if row["task"] == task and row["inputs"] not in seen:
                seen.append(row["inputs"])
        inputs += [(task, i) for i in seen[:limit]]
    settings = Settings(candidates=candidates, seed=1, stop_early=False, _env_file=None)
    result: dict[str, Any] = {"inputs": len(inputs), "candidates": candidates, "models": {}}
    for name, backend in backends(settings).items():
        if name not in only:
            continue
        coach = Coach(settings, backend)
        started = time.monotonic()
        per_task: dict[str, list[int]] = {}
        for task, given in inputs:
            outcome = _run(coach, task, given, candidates)
            counts = per_task.setdefault(task, [0, 0, 0, 0])
            counts[0] += sum(c.passed for c in outcome.candidates)
            counts[1] += len(outcome.candidates)
            counts[2] += outcome.grounded_count
            counts[3] += len(outcome.answer.suggestions)
        totals = [sum(c[i] for c in per_task.values()) for i in range(4)]
        result["models"][name] = {
            "profile": backend.profile,
            "raw_passed": totals[0],
            "raw_total": totals[1],
            "raw_pass_rate": round(totals[0] / max(totals[1], 1), 4),
            "grounded": totals[2],
            "shown": totals[3],
            "fallback_rate": round(totals[2] / max(totals[3], 1), 4),
            "by_task": {
                task: {
                    "raw_pass_rate": round(c[0] / max(c[1], 1), 4),
                    "fallback_rate": round(c[2] / max(c[3], 1), 4),
                    "raw": f"{c[0]}/{c[1]}",
                    "grounded": f"{c[2]}/{c[3]}",
                }
                for task, c in per_task.items()
            },
            "seconds": round(time.monotonic() - started, 1),
        }
    return result


def _adapter_line() -> str:
    record_path = default_adapter_path().with_name("adapter.json")
    if not record_path.is_file():
        return "No adapter record found next to the default adapter."
    record = json.loads(record_path.read_text(encoding="utf-8"))
    return (
        f"The adapter: sha256 {record['sha256'][:12]}..., data version {record['data_version']}, "
        f"{record['steps']} steps x {record['batch']} sequences, lr {record['learning_rate']}, "
        f"seed {record['seed']}; loss {record['loss_first10_mean']} -> "
        f"{record['loss_last10_mean']} (mean of first/last 10 steps), "
        f"{record['seconds_train']:.0f} s of training."
    )


def write_samples(path: Path, count: int = 20) -> dict[str, int]:
    """``count`` inputs (the fixed ten, then held-out ones), base and tuned output side by side,
    unedited, at temperature 0; returns how many of each passed."""
    rows = load("heldout")
    picked = list(FIXED)
    for task in ("reply", "questions", "ritual", "chat"):
        picked += [(task, r["inputs"]) for r in rows if r["task"] == task][:3]
    picked = picked[:count]
    models = backends()
    passed = {"base": 0, "tuned": 0}
    lines = [
        "# Base against tuned: raw outputs, unedited",
        "",
        "Gemma 3 270M (Q4_K_M), temperature 0, one candidate per input, as the pipeline asks for",
        "it: the base model gets the few-shot `completion` prompt with the first lead (the lead is",
        "part of the shown text), the tuned model (with `coach/data/adapter/coach-lora.gguf`) gets",
        "the `tuned` prompt. Pass means the runtime's checks and output screen accept the text",
        "after `tidy`. Written by `coach.training.measure.write_samples`.",
        "",
        _adapter_line(),
        "",
    ]
    for number, (task, inputs) in enumerate(picked, 1):
        shown = ", ".join(f"{k}={v!r}" for k, v in inputs.items() if v is not None)
        lines += [f"## {number}. {task}: {shown}", ""]
        for name, backend in models.items():
            text, ok = raw_candidate(backend, task, inputs)
            passed[name] += ok
            mark = "pass" if ok else "FAIL"
            body = text.replace("\n", "\\n")
            lines.append(f"- **{name}** ({mark}): `{body}`")
        lines.append("")
    lines.insert(  # after the adapter line
        9,
        f"\nPassed: base {passed['base']}/{len(picked)}, tuned {passed['tuned']}/{len(picked)}.\n",
    )
    path.write_text("\n".join(lines), encoding="utf-8")
    return passed
