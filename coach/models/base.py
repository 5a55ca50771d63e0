"""The one seam every model backend implements.

A backend turns a rendered prompt into text, whole or streamed. It knows nothing of jobs, cards or
checks: the pipeline in ``coach.service`` does that, the same for every backend.

Errors: a backend raises :class:`ModelError` (or a subclass) with a message a person can act on;
never a raw SDK or HTTP exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from langchain_core.prompt_values import PromptValue

BackendProfile = Literal["chat", "completion", "tuned", "none"]


class ModelError(RuntimeError):
    """The model could not answer; the message says why and what to do."""


class ModelUnavailable(ModelError):
    """The model cannot be reached or loaded at all (missing file, server down, bad key)."""


class TransientModelError(ModelError):
    """A failure worth another try: rate-limited (429), a server error (5xx), a timeout or a lost
    connection. ``retry_after`` is the server's Retry-After in seconds, when it sent one."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, rate_limited: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited


class StreamInterrupted(ModelError):
    """The model's stream broke after some of its text had been sent: the answer is incomplete."""


@dataclass(frozen=True)
class GenerationParams:
    max_tokens: int = 60
    temperature: float = 0.8
    stop: tuple[str, ...] = ()
    seed: int | None = None
    # Seconds this call may take at most (what is left of the answer's deadline); None: the
    # backend's own timeouts only.
    timeout: float | None = None


@runtime_checkable
class Backend(Protocol):
    """``profile`` says which prompt templates fit: ``chat`` for instruction-tuned models,
    ``completion`` for base models, ``tuned`` for the embedded model with the coach's LoRA adapter,
    ``none`` for backends that write no text (grounded)."""

    name: str
    profile: BackendProfile

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str: ...

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]: ...


@dataclass
class Wrapping:
    """A backend around another one (timing, recording, rewriting prompts): it answers to the
    inner backend's name and profile and passes every call on; subclasses override what they
    change."""

    inner: Backend

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def profile(self) -> BackendProfile:
        return self.inner.profile

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return self.inner.generate(prompt, params)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        return self.inner.stream(prompt, params)
