"""The embedded backend with the real packaged GGUF (Gemma 3 270M): loads, generates, and the
pipeline on top of it always returns checked, cited suggestions."""

from __future__ import annotations

import pytest

from coach import checks
from coach.config import Settings
from coach.models import GenerationParams
from coach.models.embedded import EmbeddedBackend
from coach.prompts import render
from coach.service import Coach

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def backend() -> EmbeddedBackend:
    return EmbeddedBackend(Settings(seed=1, _env_file=None))  # type: ignore[call-arg]


def test_one_short_generation(backend: EmbeddedBackend) -> None:
    prompt = render(
        "reply",
        "completion",
        {"message": "I'm so tired today", "context": None, "principles": [], "lead": "That sounds"},
    )
    text = backend.generate(
        prompt, GenerationParams(max_tokens=12, temperature=0.0, stop=("\n",), seed=1)
    )
    assert isinstance(text, str) and text.strip()
    again = backend.generate(
        prompt, GenerationParams(max_tokens=12, temperature=0.0, stop=("\n",), seed=1)
    )
    assert again == text  # greedy decoding is repeatable


def test_reply_pipeline_on_the_embedded_model(backend: EmbeddedBackend) -> None:
    settings = Settings(seed=5, candidates=4, _env_file=None)  # type: ignore[call-arg]
    outcome = Coach(settings, backend).reply(
        "My sister cancelled on my birthday again and I feel stupid for caring"
    )
    # sampling stops once three distinct candidates passed (at most the four configured)
    assert 3 <= len(outcome.candidates) <= 4
    assert len(outcome.answer.suggestions) >= 3
    assert all(checks.passes("reply", s.text) for s in outcome.answer.suggestions)
    assert all(s.principles for s in outcome.answer.suggestions)
