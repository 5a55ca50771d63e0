"""Many workers on one PostgreSQL database: two separate uvicorn processes (two ports, the same
database and session secret) serve one person's conversation in turns, as a load balancer would
send it. Both start at once on an empty database, so they also race to migrate it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest
from db_fixtures import *  # noqa: F403
from db_fixtures import postgres_only
from processes import child, clean_env, free_port
from typer.testing import CliRunner
from web_fixtures import TEST_SECRET, parse_sse

from coach.api.session import COOKIE_NAME
from coach.cli import app as cli_app
from coach.config import get_settings

STREAM = {"Accept": "text/event-stream"}


@contextmanager
def workers(database_url: str, count: int) -> Iterator[list[str]]:
    env = clean_env(
        COACH_DATABASE_URL=database_url, COACH_SESSION_SECRET=TEST_SECRET, COACH_BACKEND="fake"
    )
    with ExitStack() as stack:
        # All started before any is waited for, so their migrations on start overlap.
        children = [
            stack.enter_context(
                child(
                    ["-m", "uvicorn", "coach.api:app", "--host", "127.0.0.1", "--port", str(port)],
                    port,
                    env,
                )
            )
            for port in (free_port() for _ in range(count))
        ]
        yield [running.wait_until_ready("/healthz") for running in children]


@postgres_only
def test_a_conversation_goes_on_through_another_worker(database_url: str) -> None:
    with workers(database_url, 2) as (first, second):
        with httpx.Client(base_url=first, timeout=30) as browser:
            started = browser.post("/api/chat", json={"message": "We keep missing each other."})
            assert started.status_code == 200
            conversation_id = started.json()["conversation_id"]
            cookie = browser.cookies[COOKIE_NAME]

        # The same browser, its next requests sent to the other worker.
        with httpx.Client(base_url=second, cookies={COOKIE_NAME: cookie}, timeout=30) as browser:
            body = {"message": "How do we start again?", "conversation_id": conversation_id}
            with browser.stream("POST", "/api/chat", json=body, headers=STREAM) as response:
                events = dict(parse_sse(response.read().decode()))
            assert events["done"]["conversation_id"] == conversation_id
            assert "disclaimer" not in events  # not a new conversation on this worker either
            stored = browser.get(f"/api/conversations/{conversation_id}").json()
            assert [m["role"] for m in stored["messages"]] == ["user", "coach", "user", "coach"]
            listed = browser.get("/api/conversations").json()["conversations"]
            assert [c["id"] for c in listed] == [conversation_id]

        with httpx.Client(base_url=first, timeout=30) as stranger:
            assert stranger.get(f"/api/conversations/{conversation_id}").status_code == 404
        with httpx.Client(base_url=first, cookies={COOKIE_NAME: cookie}, timeout=30) as browser:
            again = browser.get(f"/api/conversations/{conversation_id}").json()
            assert len(again["messages"]) == 4


def test_serve_refuses_many_workers_without_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each worker would sign cookies with its own random secret: sessions would break."""
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: pytest.fail("must not start"))
    get_settings.cache_clear()
    result = CliRunner().invoke(cli_app, ["serve", "--workers", "2", "--backend", "grounded"])
    get_settings.cache_clear()
    assert result.exit_code == 2 and "COACH_SESSION_SECRET" in result.output
