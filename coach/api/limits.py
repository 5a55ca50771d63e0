"""Guards in front of every route: the size of a request body (413) and how many answers one
session and one client address may ask for per minute (429 with Retry-After).

Rate limits are token buckets kept in this process's memory: each key holds up to ``per_minute``
tokens and gets them back at ``per_minute`` a minute. Only the routes that run the coach (the
jobs, chat and the OpenAI-compatible chat) take a token; reading your own data does not. Several
workers each count on their own: behind a load balancer, limit at the proxy as well.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coach.api.errors import error_response
from coach.config import Settings

log = structlog.get_logger(__name__)

# (method, path) of the routes that run the coach and so take a token.
COSTLY: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/api/reply"),
        ("POST", "/api/questions"),
        ("POST", "/api/ritual"),
        ("POST", "/api/chat"),
        ("POST", "/v1/chat/completions"),
    }
)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RateLimiter:
    """Token buckets by key; :meth:`take` answers 0 (go ahead) or the seconds to wait."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def take(self, key: str) -> float:
        now = self.clock()
        tokens, when = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - when) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > self.max_keys:
            self._prune(now)
        return 0.0

    def _prune(self, now: float) -> None:
        """Forget the buckets that have filled up again (they hold nothing worth keeping)."""
        refill = self.rate
        full = [k for k, (t, w) in self._buckets.items() if t + (now - w) * refill >= self.capacity]
        for key in full:
            del self._buckets[key]


@dataclass
class Limits:
    """The limits of one app, made in its lifespan from the settings."""

    max_body: int
    per_session: RateLimiter
    per_address: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            settings.max_body_bytes,
            RateLimiter(settings.rate_per_session),
            RateLimiter(settings.rate_per_address),
        )


class LimitsMiddleware:
    """413 for a body over the limit, 429 for too many answers; runs inside the request context
    (so refusals carry the request id) and after the session (so it knows the session)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits: Limits | None = getattr(scope["app"].state, "limits", None)
        if scope["type"] != "http" or limits is None:
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        if (method, scope["path"]) in COSTLY:
            wait = self._rate(scope, limits)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                message = f"Too many requests. Please wait {seconds} seconds and try again."
                response = error_response(Request(scope), 429, message, "rate_limit_exceeded")
                response.headers["Retry-After"] = str(seconds)
                await response(scope, receive, send)
                return
        if method in _BODY_METHODS:
            body = await _read_body(scope, receive, limits.max_body)
            if body is None:
                message = f"The request is too large; the limit is {limits.max_body} bytes."
                response = error_response(Request(scope), 413, message, "invalid_request_error")
                response.headers["Connection"] = "close"
                await response(scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    @staticmethod
    def _rate(scope: Scope, limits: Limits) -> float:
        client = scope.get("client")
        address = client[0] if client else "unknown"
        wait = limits.per_address.take(address)
        session = scope.get("state", {}).get("session")
        if wait == 0 and session is not None:
            wait = limits.per_session.take(session.token)  # kept in memory only, never logged
        if wait > 0:
            log.info("rate_limited", path=scope["path"])
        return wait


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when it is (or says it is) longer than ``limit`` bytes."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                if int(value) > limit:
                    return None
            except ValueError:
                return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left: let the app see that
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then the real messages (so a
    streamed response still hears the client leave)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
