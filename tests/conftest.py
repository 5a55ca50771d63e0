"""Shared fixtures. No test reaches the network: real model calls are only the embedded GGUF."""

from __future__ import annotations

import pytest

from coach.config import Settings
from coach.models.grounded import GroundedBackend
from coach.models.langchain import FakeBackend
from coach.service import Coach


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep the developer's own COACH_* variables and .env out of the tests."""
    import os

    for name in list(os.environ):
        if name.startswith("COACH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-never-used")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def settings() -> Settings:
    return Settings(backend="fake", seed=7, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def coach(settings: Settings, fake: FakeBackend) -> Coach:
    return Coach(settings, fake)


@pytest.fixture
def grounded_coach(settings: Settings) -> Coach:
    return Coach(settings, GroundedBackend())
