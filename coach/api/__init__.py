"""The web service: ``create_app()`` builds it, ``app`` is the one uvicorn serves.

Importing this module opens nothing: the database, the model backend and the session secret are
set up in the lifespan, when the server starts, and kept on ``app.state`` (see ``deps``).

Routes: the jobs (``/api/reply``, ``/api/questions``, ``/api/ritual``), chat (``/api/chat``), a
person's data (``/api/conversations``, ``/api/plan``, ``/api/export``, ``/api/me``), an
OpenAI-compatible face (``/v1/chat/completions``, ``/v1/models``), the page (``/``),
``/healthz``, ``/api/about`` (where words are processed) and the docs (``/docs``).

Around every request: the session, the request context (request id, headers, the answer's scope),
then the limits (body size, rate). The embedded backend gets a bounded queue (``coach.api.queue``),
and ``COACH_RETENTION_DAYS`` a sweep at start and then hourly.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from coach import __version__, retention
from coach.api import errors
from coach.api.limits import Limits, LimitsMiddleware
from coach.api.middleware import RequestContextMiddleware
from coach.api.queue import ModelQueue
from coach.api.routes import chat, jobs, openai, pages, people
from coach.api.session import SessionCodec, SessionMiddleware, resolve_secret
from coach.api.web import web_dir
from coach.config import Settings, get_settings
from coach.crypto import Cipher
from coach.models import build_backend
from coach.service import Coach
from coach.store import Database

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; ``settings`` default to the environment's, read when the server starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen = settings or get_settings()
        app.state.settings = chosen
        app.state.sessions = SessionCodec(
            resolve_secret(chosen), chosen.session_days, chosen.cookie_secure
        )
        cipher = Cipher(chosen.encryption_key.get_secret_value()) if chosen.encryption_key else None
        app.state.database = Database(chosen.database_url, cipher)
        await app.state.database.migrate()
        app.state.coach = Coach(chosen, build_backend(chosen))
        app.state.limits = Limits.from_settings(chosen)
        # One generation at a time on the embedded model, through a bounded queue.
        exclusive = chosen.backend == "embedded"
        app.state.queue = ModelQueue(1, chosen.embedded_queue) if exclusive else None
        sweeper = None
        if chosen.retention_days:
            await retention.apply(app.state.database, chosen.retention_days)
            keep = retention.keep_applying(app.state.database, chosen.retention_days)
            sweeper = asyncio.create_task(keep)
        log.info("app_started", backend=chosen.backend, encrypted=cipher is not None)
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
            await app.state.database.dispose()

    app = FastAPI(
        title="The connection coach",
        version=__version__,
        description="Coaching and education for emotional intimacy between partners. Not therapy.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    # The last added runs first: the session wraps even the 500s of the request context, so a
    # new person whose message was stored before a failure still gets their cookie.
    app.add_middleware(LimitsMiddleware)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SessionMiddleware)
    for router in (pages.router, jobs.router, chat.router, people.router, openai.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=web_dir() / "static"), name="static")
    app.mount("/docs-static", StaticFiles(directory=pages.DOCS_STATIC), name="docs-static")
    return app


app = create_app()
