"""Anonymous sessions: a random token in a signed, HttpOnly, SameSite=Lax cookie.

The token is ``secrets.token_urlsafe(32)`` (256 bits) signed with ``itsdangerous`` and
``COACH_SESSION_SECRET``. The database only sees its SHA-256 (:func:`coach.store.owner_key`).

:class:`SessionMiddleware` reads the cookie on every request and makes a :class:`Session`
available as ``request.state.session``; a new cookie is sent only if a route actually used the
session (so static files and health checks never create people), and a cleared session sends a
cookie that expires at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie

import structlog
from itsdangerous import BadSignature, TimestampSigner
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coach.config import Settings
from coach.store import owner_key

log = structlog.get_logger(__name__)

COOKIE_NAME = "coach_session"
# Values that people copy from examples; outside development they are refused.
PLACEHOLDER_SECRETS = frozenset(
    {"changethis", "changeme", "change-me", "change_me", "secret", "placeholder", "dev", "test"}
)
MIN_SECRET_CHARS = 16


class InsecureSecret(RuntimeError):
    """The configured session secret is a placeholder or too short."""


def resolve_secret(settings: Settings) -> str:
    """The secret to sign cookies with: the configured one, or a random one if none is set."""
    value = settings.session_secret.get_secret_value().strip() if settings.session_secret else ""
    if not value:
        log.warning(
            "session_secret_unset",
            detail="COACH_SESSION_SECRET is not set: using a random secret for this process; "
            "sessions will not survive a restart",
        )
        return secrets.token_urlsafe(32)
    if value.lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_CHARS:
        if settings.environment != "development":
            raise InsecureSecret(
                "COACH_SESSION_SECRET is a placeholder or shorter than "
                f"{MIN_SECRET_CHARS} characters. Set a random value, for example the output of "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        log.warning("session_secret_weak", environment=settings.environment)
    return value


@dataclass
class Session:
    token: str
    new: bool
    used: bool = False
    cleared: bool = False

    @property
    def owner(self) -> str:
        self.used = True
        return owner_key(self.token)

    def clear(self) -> None:
        """Forget this session: the response tells the browser to drop the cookie."""
        self.cleared = True


class SessionCodec:
    """Signs and checks cookie values and writes the ``Set-Cookie`` headers."""

    def __init__(self, secret: str, max_age_days: int, secure: bool) -> None:
        self.signer = TimestampSigner(secret, salt="coach.session")
        self.max_age = max_age_days * 24 * 3600
        self.secure = secure

    def load(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return self.signer.unsign(value, max_age=self.max_age).decode()
        except BadSignature:
            return None

    def set_header(self, token: str) -> bytes:
        return self._header(self.signer.sign(token).decode(), self.max_age)

    def clear_header(self) -> bytes:
        return self._header("", 0)

    def _header(self, value: str, max_age: int) -> bytes:
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE_NAME] = value
        morsel = cookie[COOKIE_NAME]
        morsel["path"] = "/"
        morsel["max-age"] = str(max_age)
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if self.secure:
            morsel["secure"] = True
        return morsel.OutputString().encode("latin-1")


class SessionMiddleware:
    """Puts a :class:`Session` on every HTTP request; the codec comes from ``app.state``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        codec: SessionCodec = scope["app"].state.sessions
        token = codec.load(HTTPConnection(scope).cookies.get(COOKIE_NAME))
        session = Session(token or secrets.token_urlsafe(32), new=token is None)
        scope.setdefault("state", {})["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                header = None
                if session.cleared:
                    header = codec.clear_header()
                elif session.new and session.used:
                    header = codec.set_header(session.token)
                if header is not None:
                    message = {
                        **message,
                        "headers": [*message.get("headers", []), (b"set-cookie", header)],
                    }
            await send(message)

        await self.app(scope, receive, send_with_cookie)
