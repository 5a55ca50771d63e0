"""Rubrics written from the principle cards, and a judge model that grades answers against them.

A rubric is generated from one card: its title and summary say what the principle is, its ``do``
list what a good answer shows, its ``avoid`` list what fails it. Nothing is written by hand, so a
rubric changes when its card does.

The judge is any backend behind the usual seam; in practice an OpenAI-compatible endpoint
(``--judge-url``, ``--judge-model``, key from ``COACH_JUDGE_API_KEY``), wrapped in the same call
cache as the coach's model. Its answer must end with ``GRADE: PASS`` or ``GRADE: FAIL``; anything
else, and any model error, is *unscored*: it counts neither as a pass nor as a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompt_values import ChatPromptValue

from coach.config import Settings
from coach.knowledge import Card
from coach.models import Backend, GenerationParams, ModelError

Grade = Literal["pass", "fail"]
_GRADE = re.compile(r"GRADE:\s*\**\s*(PASS|FAIL)\b", re.IGNORECASE)
JUDGE_PARAMS = GenerationParams(max_tokens=300, temperature=0.0, stop=(), seed=0)

JUDGE_SYSTEM = """\
You grade one answer written by a relationship coach against one coaching principle.
The coach's job was: {job}.
Read the rubric, then the person's input and the coach's answer. Judge only this principle.
Give one or two sentences of reasons, then end with a last line that is exactly
GRADE: PASS
or
GRADE: FAIL"""

JOBS = {
    "reply": "suggest validating replies the person could send to what their partner said",
    "questions": "suggest open-ended questions the person could ask their partner",
    "ritual": "give today's concrete step in a 30-day plan of small connection rituals",
    "chat": "answer the person's message as a warm, brief coach",
}


@dataclass(frozen=True)
class Rubric:
    principle: str
    text: str


def rubric(card: Card) -> Rubric:
    """The rubric for one principle, generated from the card's summary, do and avoid lists."""
    lines = [f"Principle: {card.title}", card.summary.strip(), "", "PASS if the answer:"]
    lines += [f"- {item}" for item in card.do]
    lines += ["", "FAIL if the answer shows any of:"]
    lines += [f"- {item}" for item in card.avoid]
    lines += [
        "",
        "An answer need not show every PASS point; it passes when it applies the principle in a "
        "way that fits the person's situation and shows none of the FAIL points.",
    ]
    return Rubric(card.id, "\n".join(lines))


def parse_grade(text: str) -> Grade | None:
    """The last ``GRADE: PASS|FAIL`` in ``text``, or None when there is none (unscored)."""
    found = _GRADE.findall(text)
    if not found:
        return None
    return "pass" if found[-1].upper() == "PASS" else "fail"


@dataclass(frozen=True)
class Verdict:
    principle: str
    grade: Grade | None  # None: unscored (no parseable grade, or the judge failed)
    reason: str


class Judge:
    """Grades an answer against a principle's rubric with ``backend``."""

    def __init__(self, backend: Backend, model: str) -> None:
        self.backend = backend
        self.model = model

    def prompt(self, job: str, given: str, answer: str, rubric_: Rubric) -> ChatPromptValue:
        user = (
            f"Rubric:\n{rubric_.text}\n\n"
            f"The person's input:\n<<<\n{given}\n>>>\n\n"
            f"The coach's answer:\n<<<\n{answer}\n>>>"
        )
        system = JUDGE_SYSTEM.format(job=JOBS.get(job, job))
        return ChatPromptValue(messages=[SystemMessage(system), HumanMessage(user)])

    def grade(self, job: str, given: str, answer: str, card: Card) -> Verdict:
        try:
            text = self.backend.generate(
                self.prompt(job, given, answer, rubric(card)), JUDGE_PARAMS
            )
        except ModelError as error:
            return Verdict(card.id, None, f"judge failed: {error}")
        grade = parse_grade(text)
        reason = (
            text.strip()
            if grade
            else f"no GRADE line in the judge's answer: {text.strip()[:200]!r}"
        )
        return Verdict(card.id, grade, reason)


def judge_settings(settings: Settings, url: str | None, model: str | None) -> Settings | None:
    """Settings for an OpenAI-compatible judge, or None when no judge is configured."""
    url = url or settings.judge_url
    model = model or settings.judge_model
    if not url and not model:
        return None
    if not model:
        raise ValueError("a judge needs a model name: pass --judge-model or set COACH_JUDGE_MODEL")
    return settings.model_copy(
        update={
            "openai_base_url": url,
            "openai_api_key": settings.judge_api_key,
            "openai_model": model,
            "openai_profile": "chat",
        }
    )


def build_judge(
    settings: Settings, url: str | None = None, model: str | None = None
) -> Judge | None:
    """A judge on an OpenAI-compatible endpoint (``openai`` SDK), or None if none is configured."""
    chosen = judge_settings(settings, url, model)
    if chosen is None:
        return None
    from coach.models.openai_backend import OpenAIBackend

    return Judge(OpenAIBackend(chosen), chosen.openai_model)
