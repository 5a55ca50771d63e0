"""Per-request plumbing: a request id, security headers, the answer's scope (its deadline with
a remote model, and what stood in if that model failed: :mod:`coach.models.resilience`), and a
last line of defence for errors.

An unexpected error answers 500 with the request id and nothing else: no traceback, no exception
message (it could quote what a person wrote). The log line carries the error's type, the route and
where it was raised, never message text.
"""

from __future__ import annotations

import json
import secrets
import traceback

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coach.models.resilience import answer_scope

log = structlog.get_logger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The interactive API docs (Swagger UI) need an inline script, so they get no CSP of ours.
_NO_CSP_PATHS = ("/docs", "/redoc")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    return f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"


def unexpected_error_body(request_id: str, openai_style: bool) -> bytes:
    message = f"Something went wrong on our side. Request id: {request_id}."
    if openai_style:
        body: dict[str, object] = {
            "error": {"message": message, "type": "server_error", "param": None, "code": None}
        }
    else:
        body = {"detail": message, "request_id": request_id}
    return json.dumps(body).encode()


class RequestContextMiddleware:
    """Request id in ``request.state.request_id`` and ``X-Request-ID``; headers; 500s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        extra = [*SECURITY_HEADERS, (b"x-request-id", request_id.encode())]
        if not path.startswith(_NO_CSP_PATHS):
            extra.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            with answer_scope():
                await self.app(scope, receive, send_with_headers)
        except Exception as error:  # the last line of defence: log without text, answer 500
            log.error(
                "unhandled_error",
                error=type(error).__name__,
                where=_where(error),
                path=path,
                request_id=request_id,
            )
            if started:
                return
            body = unexpected_error_body(request_id, path.startswith("/v1/"))
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
