"""Fixtures and helpers shared by the web tests (API, store, OpenAI client, browser).

A test module takes the fixtures with ``from web_fixtures import *  # noqa: F403`` (``__all__``
lists only fixtures, so nothing else leaks in) and imports helpers by name. The apps run on the
fake or grounded backend and a temporary SQLite file; servers listen on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from langchain_core.prompt_values import PromptValue
from pydantic import SecretStr

from coach.api import create_app
from coach.config import BackendName, Settings
from coach.models import BackendProfile, GenerationParams

__all__ = ["api_app", "api_client", "api_settings"]

TEST_SECRET = "test-secret-that-is-long-enough-0123456789"


def web_settings(tmp_path: Path, backend: BackendName = "fake", **overrides: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        backend=backend,
        seed=7,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'coach.sqlite3'}",
        session_secret=SecretStr(TEST_SECRET),
        **overrides,
    )


def db_path(settings: Settings) -> Path:
    return Path(settings.database_url.removeprefix("sqlite+aiosqlite:///"))


def rows(settings: Settings, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Read the store's SQLite file directly, bypassing the app (to prove what is really there)."""
    with sqlite3.connect(db_path(settings)) as connection:
        return list(connection.execute(sql, params).fetchall())


def parse_sse(text: str) -> list[tuple[str, Any]]:
    """``[(event, data), ...]`` from a server-sent-events body whose data lines are JSON."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            joined = "\n".join(data)
            events.append((name, joined if joined == "[DONE]" else json.loads(joined)))
    return events


class BrokenBackend:
    """A backend whose model blows up with an unexpected error (not a ``ModelError``)."""

    name = "broken"
    profile: BackendProfile = "chat"

    def __init__(self, on_call: Any = None) -> None:
        self.on_call = on_call

    def _fail(self) -> None:
        if self.on_call is not None:
            self.on_call()
        raise RuntimeError("kaboom: internal detail that must not reach the client")

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        self._fail()
        return ""

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        self._fail()
        yield ""


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    return web_settings(tmp_path)


@pytest.fixture
def api_app(api_settings: Settings) -> FastAPI:
    return create_app(api_settings)


@pytest.fixture
def api_client(api_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(api_app, raise_server_exceptions=False) as client:
        yield client


def another_person(app: FastAPI) -> TestClient:
    """A second browser on the same running app (no lifespan of its own: the first one's runs)."""
    return TestClient(app, raise_server_exceptions=False)


def free_socket() -> socket.socket:
    # IPPROTO_TCP said outright: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it every response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread on a free loopback port."""
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
