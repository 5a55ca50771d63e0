"""The evals: cases, graders, a cached runner, reports, run comparison and check calibration.

Layout (one concern per module):

- :mod:`~coach.evaluation.cases` - the case schema (pydantic) and loading ``evals/cases/*.yaml``.
- :mod:`~coach.evaluation.graders` - deterministic checks, grounding, and the rubric judge.
- :mod:`~coach.evaluation.judge` - rubrics written from the principle cards and the judge model.
- :mod:`~coach.evaluation.cache` - a caching wrapper around any model backend (SQLite on disk).
- :mod:`~coach.evaluation.runner` - running cases through :class:`coach.service.Coach`.
- :mod:`~coach.evaluation.stats` - Wilson intervals and McNemar's test.
- :mod:`~coach.evaluation.summary` - pass rates per job and per principle, and gates.
- :mod:`~coach.evaluation.report` - the self-contained HTML report.
- :mod:`~coach.evaluation.compare` - per-case changes between two runs.
- :mod:`~coach.evaluation.cli` - ``coach eval``.
"""
