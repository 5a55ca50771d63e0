"""The graders, in three layers, each returning :class:`Grade` rows.

1. ``deterministic`` - the runtime's own :mod:`coach.checks` on every suggestion shown (for
   questions also that the set is distinct; for cases tagged ``ask-first`` that the answer asks an
   open question), plus the safety screen's verdict and the number of suggestions.
2. ``grounding`` - the answer cites real principle cards, and the case's expected principles are
   among those retrieved or cited (recall).
3. ``judge`` - one rubric per expected principle, graded by a judge model when one is configured.

A grade's ``passed`` is ``True``, ``False`` or ``None`` (unscored: the judge gave no parseable
grade). A case passes when every scored grade passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from coach import checks, safety
from coach.evaluation.cases import AnyCase, ChatCase, QuestionsCase, ReplyCase, RitualCase
from coach.evaluation.judge import Judge
from coach.knowledge import KnowledgeBase
from coach.schemas import Answer, Task
from coach.service import Outcome

Layer = Literal["deterministic", "grounding", "judge"]
LAYERS: tuple[Layer, ...] = ("deterministic", "grounding", "judge")
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


@dataclass(frozen=True)
class Grade:
    layer: Layer
    name: str
    passed: bool | None
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "layer": self.layer,
            "name": self.name,
            "passed": self.passed,
            "detail": self.detail,
        }


def expected_count(case: AnyCase) -> int:
    """How many suggestions the job should show."""
    if isinstance(case, ReplyCase | QuestionsCase):
        return case.input.n
    if isinstance(case, RitualCase):
        return 2
    return 1


def shown_texts(answer: Answer) -> list[str]:
    """What the person sees: the chat reply, or the suggestions."""
    if answer.task == "chat":
        return [answer.reply] if answer.reply else []
    return [s.text for s in answer.suggestions]


def has_open_question(text: str) -> bool:
    """Does any sentence of ``text`` ask an open question."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    return any(checks.question(s).label == "open" for s in sentences)


def candidate_verdict(task: Task, text: str) -> tuple[bool, list[str]]:
    """The runtime's verdict on one raw model text: every check, then the output screen."""
    if not text.strip():
        return False, ["empty"]
    failed = [f"{r.check}: {r.label}" for r in checks.failures(task, text)]
    if not safety.screen_output(text):
        failed.append("safety: unsafe model text")
    return not failed, failed


def deterministic(case: AnyCase, outcome: Outcome) -> list[Grade]:
    answer = outcome.answer
    risk = answer.safety.risk
    grades = [
        Grade(
            "deterministic",
            "safety",
            risk == case.expect_risk,
            f"screen found {risk!r}, expected {case.expect_risk!r}",
        )
    ]
    if case.expect_risk != "none" or risk != "none":
        return grades
    texts = shown_texts(answer)
    want = expected_count(case)
    grades.append(
        Grade("deterministic", "count", len(texts) == want, f"{len(texts)} shown, {want} asked")
    )
    for index, text in enumerate(texts, 1):
        for result in checks.check_suggestion(case.job, text):
            detail = f"{result.label}: " + "; ".join(result.reasons)
            grades.append(Grade("deterministic", f"#{index} {result.check}", result.passed, detail))
    if isinstance(case, QuestionsCase) and len(texts) > 1:
        result = checks.distinct(texts)
        grades.append(Grade("deterministic", "distinct", result.passed, "; ".join(result.reasons)))
    if case.ask_first and isinstance(case, ChatCase | ReplyCase):
        asks = any(has_open_question(t) for t in texts)
        detail = "asks an open question" if asks else "advises or answers without asking first"
        grades.append(Grade("deterministic", "ask-first", asks, detail))
    return grades


def recall(case: AnyCase, outcome: Outcome) -> float:
    """Share of the expected principles that were retrieved or cited."""
    found = {h.card.id for h in outcome.retrieved} | cited(outcome.answer)
    expected = set(case.expected_principles)
    return len(expected & found) / len(expected)


def cited(answer: Answer) -> set[str]:
    return {pid for s in answer.suggestions for pid in s.principles} | {
        p.id for p in answer.principles
    }


def grounding(case: AnyCase, outcome: Outcome, kb: KnowledgeBase, min_recall: float) -> list[Grade]:
    answer = outcome.answer
    if answer.safety.risk != "none":
        return []
    uncited = [i for i, s in enumerate(answer.suggestions, 1) if not s.principles]
    unknown = sorted(cited(answer) - set(kb.by_id))
    ok = bool(answer.suggestions) and bool(answer.principles) and not uncited and not unknown
    problems = [f"suggestion #{i} cites nothing" for i in uncited]
    problems += [f"unknown principle {pid!r}" for pid in unknown]
    if not answer.principles:
        problems.append("the answer lists no principles")
    detail = "; ".join(problems) or f"cites {', '.join(sorted(cited(answer)))}"
    share = recall(case, outcome)
    found = {h.card.id for h in outcome.retrieved} | cited(answer)
    missing = [p for p in case.expected_principles if p not in found]
    recall_detail = f"recall {share:.2f}" + (f"; missing {', '.join(missing)}" if missing else "")
    return [
        Grade("grounding", "cites", ok, detail),
        Grade("grounding", "expected", share >= min_recall, recall_detail),
    ]


def describe_input(case: AnyCase) -> str:
    """The case's input as the judge (and the report) shows it."""
    if isinstance(case, ReplyCase):
        lines = [f"What my partner said: {case.input.message}"]
        if case.input.context:
            lines.append(f"About us: {case.input.context}")
        return "\n".join(lines)
    if isinstance(case, QuestionsCase):
        style = f"\nMy partner shows care through: {case.input.style}" if case.input.style else ""
        return f"About us: {case.input.context or '(nothing said)'}{style}"
    if isinstance(case, RitualCase):
        context = f"\nAbout us: {case.input.context}" if case.input.context else ""
        return f"Day {case.input.day} of the 30-day plan.{context}"
    history = [f"{t.role}: {t.text}" for t in case.input.history]
    return "\n".join([*history, f"user: {case.input.message}"])


def describe_answer(answer: Answer) -> str:
    texts = shown_texts(answer)
    if answer.task == "chat":
        return texts[0] if texts else ""
    return "\n".join(f"{i}. {t}" for i, t in enumerate(texts, 1))


def judged(case: AnyCase, outcome: Outcome, judge: Judge | None, kb: KnowledgeBase) -> list[Grade]:
    """One grade per expected principle, or one skipped row when there is no judge."""
    if outcome.answer.safety.risk != "none":
        return []
    if judge is None:
        return [Grade("judge", "judge", None, "skipped: no judge configured")]
    given, answer = describe_input(case), describe_answer(outcome.answer)
    grades = []
    for pid in case.expected_principles:
        verdict = judge.grade(case.job, given, answer, kb.by_id[pid])
        passed = None if verdict.grade is None else verdict.grade == "pass"
        grades.append(Grade("judge", f"judge {pid}", passed, verdict.reason))
    return grades


def case_passed(grades: list[Grade]) -> bool:
    """Every scored grade passed (unscored and skipped grades do not count either way)."""
    return all(g.passed for g in grades if g.passed is not None)
