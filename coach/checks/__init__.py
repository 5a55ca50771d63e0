"""Deterministic checks on one suggestion: fast, explainable, no model.

Each check returns a :class:`CheckResult` with a label, whether that label is acceptable for a
suggestion, and human-readable reasons naming the rule that fired. The rules are hand-written and
were tuned only on the ``dev`` split of the human-labelled corpora in ``../shared/data/`` (see
:mod:`coach.calibration`, which measures them on ``dev`` and ``test``).

The checks:

- :func:`question` - open / closed / no question (motivational-interviewing sense: an open question
  invites a story, a closed one asks for yes/no, a choice, or a specific fact).
- :func:`fixing` - does the text give advice or a solution instead of listening.
- :func:`feeling` - does the text acknowledge or reflect a feeling.
- :func:`blame` - "you always", "you never", "it's your fault", name-calling.
- :func:`pressure` - "we need to talk", "you have to tell me", ultimatums.
- :func:`ritual` - is a ritual step concrete: an action, a moment of the day, a duration.
- :func:`length` and :func:`distinct` - size and near-duplicates.

:func:`check_suggestion` applies the checks that matter for one of the four jobs
(``reply``, ``questions``, ``ritual``, ``chat``).

The package has one module per concern: ``_text`` (shared text preparation), ``result``,
``questions``, ``fixing``, ``feeling``, ``tone`` (blame, dismissive, pressure), ``ritual``,
``length``, ``similarity`` (distinct) and ``jobs``. Everything public is importable from
:mod:`coach.checks` itself.
"""

from __future__ import annotations

from ._text import word_count
from .feeling import feeling
from .fixing import LISTEN_CAP as LISTEN_CAP
from .fixing import fixing
from .jobs import MAX_WORDS, TASKS, check_suggestion, failures, passes
from .length import length
from .questions import count_questions, question
from .result import CheckResult
from .ritual import ritual
from .similarity import DUPLICATE_JACCARD as DUPLICATE_JACCARD
from .similarity import distinct
from .tone import blame, pressure
from .tone import dismissive as dismissive

__all__ = [
    "MAX_WORDS",
    "TASKS",
    "CheckResult",
    "blame",
    "check_suggestion",
    "count_questions",
    "distinct",
    "failures",
    "feeling",
    "fixing",
    "length",
    "passes",
    "pressure",
    "question",
    "ritual",
    "word_count",
]
