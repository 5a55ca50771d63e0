"""The queue in front of a model that runs one generation at a time (the embedded backend).

An answer takes a slot for as long as it uses the model (a streamed chat: until its stream ends).
At most ``concurrency`` answers hold a slot and at most ``waiting`` more wait for one; past that,
or after ``wait_timeout`` seconds of waiting, the request is refused at once with 503 and a
Retry-After estimated from how long answers have been taking. Remote, grounded and fake backends
need no queue (``app.state.queue`` is None).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import structlog
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

log = structlog.get_logger(__name__)


class QueueFull(Exception):
    """No slot now and no room to wait for one."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"The coach is busy with other answers. Please try again in {retry_after} seconds."
        )
        self.retry_after = retry_after


class ModelQueue:
    """A bounded queue of answers for one exclusive model. Lives on one event loop."""

    def __init__(self, concurrency: int, waiting: int, wait_timeout: float = 60.0) -> None:
        self.concurrency = concurrency
        self.waiting = waiting
        self.wait_timeout = wait_timeout
        self._slots = asyncio.Semaphore(concurrency)
        self._held = 0  # answers holding or waiting for a slot
        self._seconds = 5.0  # a running average of how long an answer holds its slot

    @property
    def load(self) -> int:
        return self._held

    def retry_after(self) -> int:
        ahead = max(1, self._held - self.concurrency + 1)
        return max(1, math.ceil(self._seconds * ahead / self.concurrency))

    async def enter(self) -> Callable[[], None]:
        """Take a slot (waiting if there is room to); returns the function that gives it back."""
        if self._held >= self.concurrency + self.waiting:
            log.warning("model_queue_full", held=self._held)
            raise QueueFull(self.retry_after())
        self._held += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_timeout)
        except BaseException as error:
            self._held -= 1
            if isinstance(error, TimeoutError):
                raise QueueFull(self.retry_after()) from error
            raise
        started = time.monotonic()
        left = False

        def leave() -> None:
            nonlocal left
            if left:
                return
            left = True
            self._held -= 1
            self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)
            self._slots.release()

        return leave


@asynccontextmanager
async def slot(queue: ModelQueue | None) -> AsyncIterator[None]:
    """Hold a slot of ``queue`` (if there is one) for the block."""
    if queue is None:
        yield
        return
    leave = await queue.enter()
    try:
        yield
    finally:
        leave()


class HeldStream(StreamingResponse):
    """A streamed response that, however it ends (finished, failed, or the client left), closes
    its body at once, so the body's ``finally`` stops the model now rather than whenever the
    generator is collected, and then gives its queue slot back."""

    def __init__(
        self,
        content: AsyncGenerator[str, None],
        *,
        leave: Callable[[], None] | None = None,
        media_type: str = "text/event-stream",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self.content = content
        self.leave = leave

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            try:
                with anyio.CancelScope(shield=True):
                    await self.content.aclose()
            finally:
                if self.leave is not None:
                    self.leave()
