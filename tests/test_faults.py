"""The fault matrix end to end: the web app on the ``openai`` backend, its model server faked with
respx, and for each fault what the person saw (the streamed events) and what was stored (the
SQLite file, read directly). README's "Reliability and privacy" table is this file in words."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from langchain_core.prompt_values import PromptValue
from remote_model import CHAT, remote_values
from test_resilience import CutStream, sse_chunk, streamed
from web_fixtures import live_server, parse_sse, rows, web_settings

from coach.api import create_app
from coach.api.deps import get_coach
from coach.api.queue import ModelQueue
from coach.config import Settings
from coach.models import BackendProfile, GenerationParams
from coach.service import Coach

STREAM = {"Accept": "text/event-stream"}
MESSAGE = "I feel so tired and lonely lately."
GOOD = "It makes sense that you feel tired and lonely. "


def remote_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values = remote_values(openai_retries=1, openai_breaker_failures=4, **overrides)
    return web_settings(tmp_path, backend="openai", **values)


Remote = tuple[TestClient, Settings, respx.MockRouter]


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Remote]:
    settings = remote_settings(tmp_path)
    with (
        respx.mock(assert_all_called=False) as router,
        TestClient(create_app(settings)) as client,
    ):
        yield client, settings, router


def chat(client: TestClient, **body: Any) -> list[tuple[str, Any]]:
    with client.stream("POST", "/api/chat", json={"message": MESSAGE, **body}, headers=STREAM) as r:
        assert r.status_code == 200, r.read()
        return parse_sse(r.read().decode())


def said(events: list[tuple[str, Any]]) -> str:
    return "".join(data["text"] for name, data in events if name == "token")


def stored(settings: Settings) -> list[tuple[str, str, dict[str, Any] | None]]:
    found = rows(settings, "SELECT role, text, answer FROM messages ORDER BY id")
    return [(role, text, json.loads(answer) if answer else None) for role, text, answer in found]


# -- the remote model fails: the cards answer, and say so ------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.Response(500, json={"error": {"message": "boom"}}),
        httpx.Response(
            200, content=b"data: {not json\n\n", headers={"content-type": "text/event-stream"}
        ),
    ],
    ids=["timeout", "unreachable", "500", "malformed"],
)
def test_a_failed_remote_model_is_answered_from_the_cards(remote: Remote, fault: Any) -> None:
    client, settings, router = remote
    route = router.post(CHAT)
    route.side_effect = fault if isinstance(fault, Exception) else None
    if not isinstance(fault, Exception):
        route.return_value = fault
    events = chat(client)
    name, done = events[-1]
    assert name == "done"
    assert said(events) == done["reply"] and done["reply"]
    assert done["backend"] == "grounded"
    assert done["notice"].startswith("The remote model at model.test is not answering")
    assert done["suggestions"][0]["source"] == "grounded"
    assert [(role, text) for role, text, _ in stored(settings)] == [
        ("user", MESSAGE),
        ("coach", done["reply"]),
    ]
    assert stored(settings)[1][2]["notice"] == done["notice"]  # type: ignore[index]


def test_a_429_is_waited_out_and_the_model_answers(remote: Remote) -> None:
    client, settings, router = remote
    route = router.post(CHAT).mock(
        side_effect=[
            httpx.Response(429, json={}, headers={"Retry-After": "0.2"}),
            streamed(GOOD, "What feels heaviest right now?"),
        ]
    )
    started = time.monotonic()
    events = chat(client)
    assert time.monotonic() - started >= 0.2
    assert route.call_count == 2
    name, done = events[-1]
    assert name == "done" and done["backend"] == "openai" and "notice" not in done
    assert said(events).startswith(GOOD.strip())
    assert stored(settings)[1][2]["backend"] == "openai"  # type: ignore[index]


def test_the_breaker_opens_after_repeated_5xx(remote: Remote) -> None:
    client, _, router = remote
    route = router.post(CHAT).mock(return_value=httpx.Response(503, json={}))
    for _ in range(2):  # two answers, two attempts each: four failures open the breaker
        assert chat(client)[-1][1]["backend"] == "grounded"
    assert route.call_count == 4
    events = chat(client)
    assert events[-1][1]["backend"] == "grounded" and events[-1][1]["notice"]
    assert route.call_count == 4, "the open breaker still called the model server"


# -- a stream cut mid-answer -----------------------------------------------------------------------


def test_a_cut_stream_is_an_error_event_the_fragment_is_stored_and_retry_works(
    remote: Remote,
) -> None:
    client, settings, router = remote
    cut = httpx.Response(
        200,
        stream=CutStream(GOOD, "What part of"),
        headers={"content-type": "text/event-stream"},
    )
    route = router.post(CHAT).mock(return_value=cut)
    events = chat(client)
    name, error = events[-1]
    assert name == "error" and "done" not in [n for n, _ in events]
    assert error["incomplete"] is True and error["request_id"]
    assert said(events) == GOOD.strip()
    conversation_id = error["conversation_id"]
    saved = stored(settings)
    assert [(r, t) for r, t, _ in saved] == [("user", MESSAGE), ("coach", GOOD.strip())]
    assert saved[1][2]["incomplete"] is True  # type: ignore[index]
    detail = client.get(f"/api/conversations/{conversation_id}").json()
    assert [m["incomplete"] for m in detail["messages"]] == [False, True]

    route.mock(return_value=streamed(GOOD, "What feels heaviest right now?"))
    again = chat(client, conversation_id=conversation_id, retry=True)
    assert again[-1][0] == "done"
    sent = route.calls.last.request
    history = [m["content"] for m in json.loads(sent.content)["messages"][1:]]
    assert history.count(MESSAGE) == 1, "the fragment or the message went to the model twice"
    assert [r for r, _, _ in stored(settings)] == ["user", "coach", "coach"]  # stored once


def test_a_retry_of_another_message_is_stored_as_new(remote: Remote) -> None:
    client, settings, router = remote
    router.post(CHAT).mock(return_value=streamed(GOOD))
    first = chat(client)
    conversation_id = first[0][1]["conversation_id"]
    chat(client, conversation_id=conversation_id, retry=True)  # the last answer was complete
    assert [r for r, _, _ in stored(settings)] == ["user", "coach", "user", "coach"]


# -- the person closes the page mid-answer ---------------------------------------------------------


class Endless:
    """Streams sentence after sentence until it is closed."""

    name = "endless"
    profile: BackendProfile = "chat"

    def __init__(self) -> None:
        self.closed = threading.Event()

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return GOOD

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        try:
            for _ in range(2000):
                time.sleep(0.02)
                yield "It makes sense that you feel tired. "
        finally:
            self.closed.set()


def live(tmp_path: Path, backend: Any, **overrides: Any) -> tuple[FastAPI, Settings]:
    settings = web_settings(tmp_path, **overrides)
    app = create_app(settings)
    app.dependency_overrides[get_coach] = lambda: Coach(app.state.settings, backend)
    return app, settings


def test_a_closed_page_stops_the_model_and_keeps_the_fragment(tmp_path: Path) -> None:
    backend = Endless()
    app, settings = live(tmp_path, backend)
    with live_server(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        with client.stream("POST", "/api/chat", json={"message": MESSAGE}, headers=STREAM) as r:
            for line in r.iter_lines():
                if line.startswith("event: token"):
                    break
        assert backend.closed.wait(timeout=10), "the model kept writing for nobody"
        deadline = time.monotonic() + 10
        while len(stored(settings)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    saved = stored(settings)
    assert saved[0][:2] == ("user", MESSAGE)
    assert saved[1][0] == "coach" and saved[1][1].startswith("It makes sense")
    assert saved[1][2]["incomplete"] is True  # type: ignore[index]


# -- the embedded model's queue --------------------------------------------------------------------


def test_a_full_model_queue_answers_503_with_retry_after(tmp_path: Path) -> None:
    backend = Endless()
    app, settings = live(tmp_path, backend)
    with live_server(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        app.state.queue = ModelQueue(concurrency=1, waiting=0)
        with client.stream("POST", "/api/chat", json={"message": MESSAGE}, headers=STREAM) as r:
            for line in r.iter_lines():
                if line.startswith("event: token"):
                    break
            busy = client.post("/api/chat", json={"message": "Another worry"}, headers=STREAM)
            reply = client.post("/api/reply", json={"message": "I'm tired"})
        for refused in (busy, reply):
            assert refused.status_code == 503
            assert int(refused.headers["retry-after"]) >= 1
            assert refused.json()["request_id"] == refused.headers["x-request-id"]
            assert "busy" in refused.json()["detail"]
        assert backend.closed.wait(timeout=10)
        time.sleep(0.2)
        assert [t for r_, t, _ in stored(settings) if r_ == "user"] == [MESSAGE]
        assert app.state.queue.load == 0, "the slot was not given back"
        assert client.post("/api/reply", json={"message": "I'm tired"}).status_code == 200


class Counting(Endless):
    """Counts how many generations run at once."""

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1
        return GOOD


def test_queued_answers_wait_their_turn(tmp_path: Path) -> None:
    backend = Counting()
    app, _ = live(tmp_path, backend)
    results: list[int] = []
    with live_server(app) as url:
        app.state.queue = ModelQueue(concurrency=1, waiting=3)

        def ask() -> None:
            with httpx.Client(base_url=url, timeout=20) as client:
                results.append(client.post("/api/reply", json={"message": "I'm tired"}).status_code)

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert results == [200, 200, 200, 200]
    assert backend.most == 1, "two generations ran at once"


def test_the_embedded_backend_gets_a_queue_and_others_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grounded = create_app(web_settings(tmp_path, backend="grounded"))
    with TestClient(grounded):
        assert grounded.state.queue is None
    import coach.api as api

    monkeypatch.setattr(api, "build_backend", lambda settings: Endless())  # no GGUF needed
    embedded = create_app(web_settings(tmp_path, backend="embedded", embedded_queue=3))
    with TestClient(embedded):
        queue = embedded.state.queue
        assert queue.concurrency == 1 and queue.waiting == 3


def test_sse_chunk_helper_is_an_openai_chunk() -> None:
    assert json.loads(sse_chunk("x").decode()[6:])["choices"][0]["delta"] == {"content": "x"}
