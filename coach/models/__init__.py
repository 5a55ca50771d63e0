"""Model backends behind one seam (:class:`Backend`); :func:`build_backend` picks one by name."""

from __future__ import annotations

from coach.config import BackendName, Settings
from coach.models.base import (
    Backend,
    BackendProfile,
    GenerationParams,
    ModelError,
    ModelUnavailable,
)

__all__ = [
    "Backend",
    "BackendProfile",
    "GenerationParams",
    "ModelError",
    "ModelUnavailable",
    "build_backend",
]


def build_backend(settings: Settings, name: BackendName | None = None) -> Backend:
    """The backend called ``name`` (default: ``settings.backend``). Heavy imports happen here,
    not at import time, so that a grounded or fake coach never loads llama.cpp."""
    chosen = name or settings.backend
    if chosen == "grounded":
        from coach.models.grounded import GroundedBackend

        return GroundedBackend()
    if chosen == "fake":
        from coach.models.langchain import FakeBackend

        return FakeBackend()
    if chosen == "openai":
        from coach.models.openai_backend import OpenAIBackend

        return OpenAIBackend(settings)
    from coach.models.embedded import EmbeddedBackend

    return EmbeddedBackend(settings, profile=settings.embedded_profile)
