"""Run eval cases through the real coaching pipeline and grade every answer.

Each (case, repeat) gets its own :class:`~coach.service.Coach` over a
:class:`~coach.evaluation.cache.CachingBackend` that wraps the one shared model backend, so model
calls are cached per repeat and the raw output of each case can be read back. Remote backends
(``openai``) run cases on a thread pool; the embedded model runs them one at a time (a llama.cpp
context is not shared between threads anyway).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from coach.config import Settings
from coach.evaluation import graders
from coach.evaluation.cache import CachingBackend, CallCache
from coach.evaluation.cases import AnyCase, ChatCase, QuestionsCase, ReplyCase
from coach.evaluation.judge import Judge
from coach.knowledge import KnowledgeBase, load_knowledge
from coach.models import Backend
from coach.service import Coach, Outcome, Turn, tidy

Row = dict[str, Any]
PARALLEL_BACKENDS = frozenset({"openai"})
SEED_STEP = 1000  # repeat r samples with seed + r * SEED_STEP, so repeats differ but are repeatable


@dataclass
class EvalRun:
    """What to run: the cases, how often, on which backend, with which cache and judge."""

    settings: Settings
    backend: Backend
    cases: list[AnyCase]
    repeat: int = 1
    cache: CallCache | None = None
    judge: Judge | None = None
    workers: int = 1
    knowledge: KnowledgeBase = field(default_factory=load_knowledge)

    def jobs(self) -> list[tuple[AnyCase, int]]:
        return [(case, r) for r in range(self.repeat) for case in self.cases]


def ask(coach: Coach, case: AnyCase) -> Outcome:
    """Put one case to the coach through the job it names."""
    if isinstance(case, ReplyCase):
        return coach.reply(case.input.message, case.input.context, case.input.n)
    if isinstance(case, QuestionsCase):
        return coach.questions(case.input.context, case.input.style, case.input.n)
    if isinstance(case, ChatCase):
        history = [Turn(t.role, t.text) for t in case.input.history]
        return coach.chat(case.input.message, history)
    return coach.ritual(case.input.day, case.input.context)


def _settings_for(settings: Settings, repeat: int) -> Settings:
    seed = (settings.seed or 0) + repeat * SEED_STEP
    # Every candidate is sampled and graded: the raw pass rate is a figure the evals report.
    return settings.model_copy(update={"seed": seed, "stop_early": False})


def _candidates(case: AnyCase, outcome: Outcome, raw: list[str]) -> list[dict[str, object]]:
    """Every raw model candidate with the runtime's verdict.

    For chat the coach keeps only the passing sentences, so the raw streamed answer is graded as a
    whole here: it is what the model offered, before the coach cut it.
    """
    if isinstance(case, ChatCase):
        out = []
        for text in raw:
            tidied = tidy(text, "chat")
            passed, failures = graders.candidate_verdict("chat", tidied)
            out.append({"text": tidied, "passed": passed, "failures": failures})
        return out
    return [
        {"text": c.text, "passed": c.passed, "failures": list(c.failures)}
        for c in outcome.candidates
    ]


def run_one(run: EvalRun, case: AnyCase, repeat: int) -> Row:
    """Ask, grade and describe one (case, repeat)."""
    wrapper = CachingBackend(run.backend, run.cache, repeat)
    coach = Coach(_settings_for(run.settings, repeat), wrapper, run.knowledge)
    started = time.perf_counter()
    try:
        outcome = ask(coach, case)
    # The run must report every case: a crash in one (a template or pipeline bug) is a finding
    # for the report, not a reason to lose the other cases' results.
    except Exception as error:
        return crashed(case, repeat, error, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    grades = graders.deterministic(case, outcome)
    grades += graders.grounding(case, outcome, run.knowledge, run.settings.eval_min_recall)
    grades += graders.judged(case, outcome, run.judge, run.knowledge)
    answer = outcome.answer
    return {
        **_identity(case, repeat),
        "passed": graders.case_passed(grades),
        "answer": answer.public(),
        "shown": graders.shown_texts(answer),
        "retrieved": [{"id": h.card.id, "score": round(h.score, 4)} for h in outcome.retrieved],
        "cited": sorted(graders.cited(answer)),
        "recall": round(graders.recall(case, outcome), 4),
        "grades": [g.as_dict() for g in grades],
        "failed": [g.name for g in grades if g.passed is False],
        "candidates": _candidates(case, outcome, wrapper.raw),
        "suggestions": len(answer.suggestions),
        "grounded": outcome.grounded_count,
        "model_error": outcome.model_error,
        "model_calls": wrapper.misses,
        "cache_hits": wrapper.hits,
        "seconds": round(seconds, 3),
    }


def crashed(case: AnyCase, repeat: int, error: Exception, seconds: float) -> Row:
    """The row for a case whose pipeline raised: failed, with the error as its one grade."""
    grade = graders.Grade("deterministic", "crashed", False, f"{type(error).__name__}: {error}")
    return {
        **_identity(case, repeat),
        "passed": False,
        "answer": None,
        "shown": [],
        "retrieved": [],
        "cited": [],
        "recall": 0.0,
        "grades": [grade.as_dict()],
        "failed": [grade.name],
        "candidates": [],
        "suggestions": 0,
        "grounded": 0,
        "model_error": None,
        "model_calls": 0,
        "cache_hits": 0,
        "seconds": round(seconds, 3),
    }


def _identity(case: AnyCase, repeat: int) -> Row:
    """The fields that say which case and repeat a row is, the same for every outcome."""
    return {
        "case": case.id,
        "job": case.job,
        "repeat": repeat,
        "tags": list(case.tags),
        "expected_principles": list(case.expected_principles),
        "input": case.input.model_dump(exclude_none=True),
    }


def run_all(run: EvalRun, on_done: Callable[[Row], None] | None = None) -> list[Row]:
    """Every (case, repeat), in case order; ``on_done`` is called as each one finishes."""
    jobs = run.jobs()

    def one(job: tuple[AnyCase, int]) -> Row:
        row = run_one(run, *job)
        if on_done:
            on_done(row)
        return row

    if run.workers > 1 and run.backend.name in PARALLEL_BACKENDS:
        with ThreadPoolExecutor(max_workers=run.workers) as pool:
            return list(pool.map(one, jobs))
    return [one(job) for job in jobs]


def failed_checks(row: Row) -> Iterable[dict[str, Any]]:
    return (g for g in row["grades"] if g["passed"] is False)
