"""Model backends behind one seam (:class:`Backend`); :func:`build_backend` picks one by name."""

from __future__ import annotations

from coach.config import BackendName, Settings
from coach.models.base import (
    Backend,
    BackendProfile,
    GenerationParams,
    ModelError,
    ModelUnavailable,
    StreamInterrupted,
    TransientModelError,
    Wrapping,
)

__all__ = [
    "Backend",
    "BackendProfile",
    "GenerationParams",
    "ModelError",
    "ModelUnavailable",
    "StreamInterrupted",
    "TransientModelError",
    "Wrapping",
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
        return _remote(settings)
    from coach.models.embedded import EmbeddedBackend

    return EmbeddedBackend(settings, profile=settings.embedded_profile)


def _remote(settings: Settings) -> Backend:
    """The OpenAI-compatible backend inside the one retry layer, with a fallback that never
    leaves this machine (``COACH_FALLBACK``: the principle cards or the embedded model)."""
    from coach.models.openai_backend import OpenAIBackend, remote_host
    from coach.models.resilience import CircuitBreaker, ResilientBackend

    def fallback() -> Backend:
        return build_backend(settings, settings.fallback)

    return ResilientBackend(
        OpenAIBackend(settings),
        fallback,
        retries=settings.openai_retries,
        deadline=settings.openai_deadline,
        breaker=CircuitBreaker(settings.openai_breaker_failures, settings.openai_breaker_reset),
        where=remote_host(settings),
    )
