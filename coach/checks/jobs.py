"""Job rules: which checks apply to a suggestion of each job (``reply``, ``questions``,
``ritual``, ``chat``), and its word limit."""

from __future__ import annotations

import re
from dataclasses import replace

from ._text import _prepare, _quote
from .feeling import feeling
from .fixing import fixing
from .length import length
from .questions import count_questions, question
from .result import CheckResult
from .ritual import ritual
from .tone import blame, dismissive, pressure

MAX_WORDS = {"reply": 50, "questions": 40, "ritual": 80, "chat": 180}
TASKS = tuple(MAX_WORDS)

# "Why did you...", "why do you always", "why can't you": asks for a defence, not a story.
_ACCUSING_WHY = re.compile(
    r"\bwhy (?:on earth |the hell )?(?:did|didn't|do|don't|would|wouldn't|can't|won't|couldn't|"
    r"are|aren't|were|weren't|have|haven't|is|isn't|must|should|shouldn't) "
    r"(?:you|he|she|they|we)\b(?! (?:think|feel|say|suppose|imagine|believe|reckon|find|"
    r"want|wish|like|love|enjoy|care|value))"
)


def _accusing_why(text: str) -> str | None:
    match = _ACCUSING_WHY.search(_prepare(text))
    if match:
        return f"accusing 'why' asks for a defence: {_quote([match.group(0)])}"
    return None


def check_suggestion(task: str, text: str) -> list[CheckResult]:
    """The checks that apply to one suggestion of a job.

    - ``reply``: not fixing, reflects a feeling, no closed question and at most one question,
      no blame, no pressure, at most 50 words.
    - ``questions``: an open question (no question at all fails too), no accusing "why did you",
      no blame, no pressure, at most 40 words.
    - ``ritual``: concrete (action, when, how long), no blame, no pressure, at most 80 words.
    - ``chat``: no blame, no pressure, at most 180 words.

    Every job also runs :func:`dismissive`: no turning away, minimising or belittling.
    """
    if task not in MAX_WORDS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    results: list[CheckResult] = []
    if task == "reply":
        q = question(text)
        n = count_questions(text)
        if n > 1:
            q = replace(q, passed=False, reasons=(*q.reasons, f"more than one question ({n})"))
        results += [fixing(text), feeling(text), q]
    elif task == "questions":
        q = question(text)
        q = replace(q, passed=q.label == "open")
        if q.label == "none":
            q = replace(q, reasons=(*q.reasons, "a question to ask must be an open question"))
        why = _accusing_why(text)
        if why:
            q = replace(q, passed=False, reasons=(*q.reasons, why))
        results.append(q)
    elif task == "ritual":
        results.append(ritual(text))
    results += [blame(text), dismissive(text), pressure(text), length(text, MAX_WORDS[task])]
    return results


def failures(task: str, text: str) -> list[CheckResult]:
    """The results of :func:`check_suggestion` that did not pass."""
    return [r for r in check_suggestion(task, text) if not r.passed]


def passes(task: str, text: str) -> bool:
    """Whether every check for ``task`` passes on ``text``."""
    return all(r.passed for r in check_suggestion(task, text))
