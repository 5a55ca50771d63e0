"""The one retry layer around a remote model: retries, a circuit breaker, a deadline per answer and
a fallback that is never remote.

- **Retries**: a call that failed with a :class:`TransientModelError` (429, 5xx, a timeout, a lost
  connection) is tried again, at most ``retries`` more times. A 429 waits what the server's
  Retry-After says; anything else backs off exponentially with jitter (half fixed, half random),
  so that many workers do not come back at the same instant.
- **Deadline**: one answer (all of its calls, retries and waits included) may take at most
  ``deadline`` seconds. Each attempt is given what is left as its timeout; a wait that would end
  past the deadline is not waited.
- **Circuit breaker**: ``failures`` failed attempts in a row (429 excluded: the server is up and
  says when to come back) open it; while open, calls skip the remote model at once. After
  ``reset_after`` seconds one trial call goes through: success closes it, failure opens it again.
- **Fallback**: when the remote model fails for good, the embedded model answers instead, or (the
  grounded fallback) the call raises :class:`ModelError` and the pipeline builds the answer from
  the principle cards, as it does for any failed model.
- **Streams**: a stream is retried until its first piece arrives. After that nothing can be taken
  back, so a break raises :class:`StreamInterrupted` and the answer is marked incomplete.

What stood in for the remote model is written on the current :class:`AnswerScope` (the web app
opens one per request, the CLI per command), and the pipeline says so in the answer.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TypeVar

import structlog
from langchain_core.prompt_values import PromptValue

from coach.models.base import (
    Backend,
    BackendProfile,
    GenerationParams,
    ModelError,
    StreamInterrupted,
    TransientModelError,
)

log = structlog.get_logger(__name__)
T = TypeVar("T")


# -- what stood in, per answer -------------------------------------------------------------------


@dataclass
class AnswerScope:
    """One answer's deadline (set on its first remote call) and what stood in for the model.

    Mutable on purpose: worker threads see the same object through copies of the context."""

    deadline: float | None = None
    stood_in: str | None = None  # the backend that answered instead of the remote model
    remote: str = ""  # where the remote model is (host), for the notice

    @property
    def notice(self) -> str | None:
        if self.stood_in is None:
            return None
        where = f" at {self.remote}" if self.remote else ""
        if self.stood_in == "grounded":
            instead = "this answer was built from the coach's principle cards on this server"
        else:
            instead = "the model on this server wrote this answer"
        return f"The remote model{where} is not answering right now, so {instead}."


_SCOPE: ContextVar[AnswerScope | None] = ContextVar("coach_answer_scope", default=None)


@contextmanager
def answer_scope() -> Iterator[AnswerScope]:
    """Open a scope for one answer (one web request, one CLI command)."""
    scope = AnswerScope()
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def current_scope() -> AnswerScope | None:
    return _SCOPE.get()


# -- the circuit breaker -------------------------------------------------------------------------


class CircuitBreaker:
    """Closed, open, or half-open (one trial call). Thread-safe: worker threads share it."""

    def __init__(
        self, failures: int, reset_after: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = failures
        self.reset_after = reset_after
        self.clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._trial or self.clock() - self._opened_at >= self.reset_after:
                return "half-open"
            return "open"

    def allow(self) -> bool:
        """May a call go to the remote model now?"""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trial or self.clock() - self._opened_at < self.reset_after:
                return False
            self._trial = True  # the one trial call; others keep skipping until it ends
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial = False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self.threshold:
                log.warning("circuit_breaker_opened", failures=self._failures)
                self._opened_at = self.clock()
                self._trial = False

    def release(self) -> None:
        """A call that ended without a verdict on the server (e.g. a 401) ends a trial."""
        with self._lock:
            self._trial = False


class CircuitOpen(ModelError):
    """The breaker is open: the remote model is skipped for a while."""


class DeadlineExceeded(ModelError):
    """The answer's time with the remote model is used up."""


# -- the wrapper ---------------------------------------------------------------------------------


class ResilientBackend:
    """A remote backend with retries, a deadline, a circuit breaker and a fallback."""

    def __init__(
        self,
        primary: Backend,
        fallback: Callable[[], Backend] | None,
        *,
        retries: int,
        deadline: float,
        breaker: CircuitBreaker,
        where: str = "",
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.primary = primary
        self.name: str = primary.name
        self.profile: BackendProfile = primary.profile
        self._make_fallback = fallback
        self._fallback: Backend | None = None
        self.retries = retries
        self.deadline = deadline
        self.breaker = breaker
        self.where = where
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.clock = clock
        self.rng = rng

    # -- the Backend seam --------------------------------------------------------------------

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        try:
            return self._retrying(
                lambda p: self.primary.generate(prompt, p), params, self._deadline()
            )
        except ModelError as error:
            fallback = self._stand_in(error)
            return fallback.generate(prompt, params)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        deadline = self._deadline()
        try:
            first, pieces = self._open_stream(prompt, params, deadline)
        except ModelError as error:
            fallback = self._stand_in(error)
            yield from fallback.stream(prompt, params)
            return
        if pieces is None:  # the model said nothing at all
            self.breaker.succeeded()
            return
        try:
            yield first
            while True:
                if self.clock() > deadline:
                    raise DeadlineExceeded("The model server did not finish its answer in time.")
                try:
                    piece = next(pieces)
                except StopIteration:
                    break
                yield piece
        except ModelError as error:
            if isinstance(error, TransientModelError) and not error.rate_limited:
                self.breaker.failed()
            log.warning("remote_stream_interrupted", error=type(error).__name__)
            raise StreamInterrupted(
                f"The model's answer broke off before it was finished. {error}"
            ) from error
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()
        self.breaker.succeeded()

    # -- steps -------------------------------------------------------------------------------

    def _deadline(self) -> float:
        scope = current_scope()
        if scope is None:
            return self.clock() + self.deadline
        if scope.deadline is None:
            scope.deadline = self.clock() + self.deadline
        return scope.deadline

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return ceiling / 2 + self.rng() * ceiling / 2

    def _retrying(
        self, call: Callable[[GenerationParams], T], params: GenerationParams, deadline: float
    ) -> T:
        last: ModelError | None = None
        for attempt in range(self.retries + 1):
            if not self.breaker.allow():
                raise CircuitOpen(
                    "The model server failed several times in a row; it is skipped for a while."
                ) from last
            left = deadline - self.clock()
            if left <= 0:
                self.breaker.release()
                raise DeadlineExceeded("The model server did not answer in time.") from last
            try:
                result = call(replace(params, timeout=left))
            except TransientModelError as error:
                if error.rate_limited:
                    self.breaker.release()
                else:
                    self.breaker.failed()
                last = error
                wait = error.retry_after
                if wait is None or not error.rate_limited:
                    wait = max(wait or 0.0, self._backoff(attempt))
                log.info(
                    "remote_model_retry",
                    attempt=attempt + 1,
                    error=type(error.__cause__ or error).__name__,
                    rate_limited=error.rate_limited,
                    wait=round(wait, 3),
                )
                if attempt == self.retries or self.clock() + wait >= deadline:
                    break
                self.sleep(wait)
                continue
            except ModelError:
                self.breaker.release()  # the server answered (401, 404, malformed): not down
                raise
            self.breaker.succeeded()
            return result
        assert last is not None
        raise last

    def _open_stream(
        self, prompt: PromptValue, params: GenerationParams, deadline: float
    ) -> tuple[str, Iterator[str] | None]:
        """Start the stream and wait for its first piece, with retries: until then nothing has
        been shown, so another try (or the fallback) is still invisible to the person."""

        def first_piece(p: GenerationParams) -> tuple[str, Iterator[str] | None]:
            pieces = iter(self.primary.stream(prompt, p))
            try:
                return next(pieces), pieces
            except StopIteration:
                return "", None
            except BaseException:
                close = getattr(pieces, "close", None)
                if close is not None:
                    close()
                raise

        return self._retrying(first_piece, params, deadline)

    def _stand_in(self, error: ModelError) -> Backend:
        """The fallback for this call, noted on the answer's scope; raise if it is the cards."""
        scope = current_scope()
        fallback = self._fallback_backend()
        stood_in = fallback.name if fallback is not None else "grounded"
        if scope is not None:
            scope.stood_in = stood_in
            scope.remote = self.where
        log.warning("remote_model_fallback", to=stood_in, error=type(error).__name__)
        if fallback is None:
            raise ModelError(f"{error} The answer was built from the principle cards.") from error
        return fallback

    def _fallback_backend(self) -> Backend | None:
        """The fallback, made on first use; None means the principle cards (grounded)."""
        if self._fallback is None and self._make_fallback is not None:
            try:
                made = self._make_fallback()
            except ModelError as error:  # e.g. the embedded model is not installed
                log.warning("fallback_unavailable", error=type(error).__name__)
                made = None
            self._make_fallback = None
            self._fallback = made if made is not None and made.profile != "none" else None
        return self._fallback
