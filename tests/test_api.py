"""The web API through FastAPI's test client, on the fake and grounded backends and a temporary
SQLite file: the jobs' JSON, chat (whole and streamed), sessions and isolation between people,
storage order, deletion, the plan, errors and headers."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from langchain_core.prompt_values import PromptValue
from typer.testing import CliRunner
from web_fixtures import *  # noqa: F403
from web_fixtures import (
    BrokenBackend,
    another_person,
    live_server,
    parse_sse,
    rows,
    web_settings,
)

from coach import safety
from coach.api import create_app
from coach.api.deps import get_coach
from coach.api.session import COOKIE_NAME, InsecureSecret, resolve_secret
from coach.cli import app as cli_app
from coach.config import Settings
from coach.knowledge import load_knowledge
from coach.models import BackendProfile, GenerationParams
from coach.models.langchain import FakeBackend
from coach.service import Coach
from coach.store import owner_key

STREAM = {"Accept": "text/event-stream"}


def _stream(client: TestClient, body: dict[str, object]) -> list[tuple[str, object]]:
    with client.stream("POST", "/api/chat", json=body, headers=STREAM) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return parse_sse(response.read().decode())


# -- the three jobs answer exactly what the CLI prints -------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "argv"),
    [
        (
            "/api/reply",
            {"message": "I'm exhausted, the baby was up all night again", "n": 4},
            ["reply", "I'm exhausted, the baby was up all night again", "--n", "4"],
        ),
        (
            "/api/questions",
            {"context": "we drifted since the move", "style": "quiet", "n": 5},
            ["questions", "-c", "we drifted since the move", "--style", "quiet", "--n", "5"],
        ),
        (
            "/api/ritual",
            {"day": 16, "context": "long distance"},
            ["ritual", "--day", "16", "-c", "long distance"],
        ),
    ],
)
def test_jobs_answer_the_same_json_as_the_cli(
    tmp_path: Path, path: str, body: dict[str, object], argv: list[str]
) -> None:
    with TestClient(create_app(web_settings(tmp_path, backend="grounded"))) as client:
        response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    printed = CliRunner().invoke(cli_app, [*argv, "--backend", "grounded", "--json"])
    assert printed.exit_code == 0, printed.output
    assert response.json() == json.loads(printed.stdout)


def test_reply_on_the_fake_model(api_client: TestClient) -> None:
    data = api_client.post(
        "/api/reply", json={"message": "Work was awful, my boss yelled at me"}
    ).json()
    assert data["task"] == "reply" and data["backend"] == "fake"
    assert len(data["suggestions"]) == 3
    assert {s["source"] for s in data["suggestions"]} <= {"model", "grounded"}
    assert all(s["why"] and s["principles"] for s in data["suggestions"])


def test_ritual_without_a_day_uses_todays_day_of_the_plan(api_client: TestClient) -> None:
    assert api_client.post("/api/ritual", json={}).json()["day"] == 1
    api_client.post("/api/plan", json={"action": "start"})
    for _ in range(8):
        api_client.post("/api/plan", json={"action": "done"})
    data = api_client.post("/api/ritual", json={}).json()
    assert data["day"] == 9
    assert data["phase"] == load_knowledge().phase_for_day(9).phase.name  # type: ignore[union-attr]


# -- input errors: 422 with one clear sentence ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("/api/reply", {"message": "   \u200b "}, "empty"),
        ("/api/reply", {"message": "x" * 4001}, "limit is 4000"),
        ("/api/reply", {"message": "hi", "n": 99}, "n: Input should be less than or equal to 6"),
        ("/api/reply", {}, "message: Field required"),
        (
            "/api/reply",
            {"message": "hi", "colour": "red"},
            "colour: Extra inputs are not permitted",
        ),
        ("/api/questions", {"style": "loud"}, "style: Input should be"),
        ("/api/ritual", {"day": 31}, "day: Input should be less than or equal to 30"),
        ("/api/chat", {"message": ""}, "empty"),
        (
            "/api/plan",
            {"action": "done", "day": 0},
            "day: Input should be greater than or equal to 1",
        ),
    ],
)
def test_input_errors_answer_422_with_a_clear_message(
    api_client: TestClient, path: str, body: dict[str, object], says: str
) -> None:
    response = api_client.post(path, json=body)
    assert response.status_code == 422
    data = response.json()
    assert says in data["detail"], data
    assert data["request_id"] == response.headers["x-request-id"]


def test_an_empty_chat_message_stores_nothing(
    api_client: TestClient, api_settings: Settings
) -> None:
    api_client.post("/api/chat", json={"message": " \n "})
    assert rows(api_settings, "SELECT count(*) FROM messages") == [(0,)]


def test_unexpected_errors_answer_500_with_a_request_id_and_no_details(
    api_app: FastAPI, api_client: TestClient
) -> None:
    api_app.dependency_overrides[get_coach] = lambda: Coach(api_app.state.settings, BrokenBackend())
    response = api_client.post("/api/chat", json={"message": "How do I open up more?"})
    assert response.status_code == 500
    data = response.json()
    assert set(data) == {"detail", "request_id"}
    assert data["request_id"] == response.headers["x-request-id"]
    assert "kaboom" not in response.text and "Traceback" not in response.text


# -- chat -----------------------------------------------------------------------------------------


def test_chat_json_starts_with_the_disclaimer_and_keeps_history(
    api_app: FastAPI, api_client: TestClient
) -> None:
    fake = FakeBackend()
    api_app.dependency_overrides[get_coach] = lambda: Coach(api_app.state.settings, fake)
    first = api_client.post(
        "/api/chat", json={"message": "My partner shuts down when I ask about feelings."}
    )
    assert first.status_code == 200, first.text
    data = first.json()
    assert data["disclaimer"] == safety.DISCLAIMER
    assert data["task"] == "chat" and data["reply"] and data["principles"]
    assert data["safety"]["risk"] == "none"
    conversation_id = data["conversation_id"]

    second = api_client.post(
        "/api/chat",
        json={"message": "What could I say tonight?", "conversation_id": conversation_id},
    )
    assert second.status_code == 200
    assert "disclaimer" not in second.json()
    assert second.json()["conversation_id"] == conversation_id
    asked = fake.history[-1].to_string()
    assert "My partner shuts down" in asked and data["reply"] in asked

    stored = api_client.get(f"/api/conversations/{conversation_id}").json()
    assert [m["role"] for m in stored["messages"]] == ["user", "coach", "user", "coach"]
    assert stored["messages"][1]["answer"]["reply"] == data["reply"]


def test_a_long_conversation_shows_the_model_only_its_last_exchanges(tmp_path: Path) -> None:
    """The model sees the current message and the last ``history_turns`` exchanges, read from
    the store (which reads only a turn's newest messages: see bench/growth.py for the cost)."""
    app = create_app(web_settings(tmp_path, history_turns=2))
    fake = FakeBackend()
    app.dependency_overrides[get_coach] = lambda: Coach(app.state.settings, fake)
    with TestClient(app) as client:
        conversation_id = None
        for index in range(6):
            body = {"message": f"Worry number {index}.", "conversation_id": conversation_id}
            conversation_id = client.post("/api/chat", json=body).json()["conversation_id"]
    asked = fake.history[-1].to_string()
    assert [f"Worry number {i}." in asked for i in range(6)] == [False] * 3 + [True] * 3


def test_chat_streams_tokens_then_done(api_client: TestClient) -> None:
    events = _stream(api_client, {"message": "How can I show my partner I appreciate them?"})
    names = [name for name, _ in events]
    assert names[:2] == ["start", "disclaimer"]
    assert names[-1] == "done" and names.count("done") == 1
    assert "token" in names and set(names[2:-1]) == {"token"}
    start, done = events[0][1], events[-1][1]
    assert isinstance(start, dict) and isinstance(done, dict)
    assert events[1][1] == {"text": safety.DISCLAIMER}
    streamed = "".join(data["text"] for name, data in events if name == "token")  # type: ignore[index]
    assert streamed == done["reply"]
    assert done["conversation_id"] == start["conversation_id"]
    assert done["principles"] and done["safety"]["risk"] == "none"
    assert done["disclaimer"] == safety.DISCLAIMER

    later = _stream(
        api_client,
        {"message": "Thanks. And tomorrow?", "conversation_id": start["conversation_id"]},
    )
    assert [n for n, _ in later if n in ("start", "disclaimer")] == ["start"]
    assert later[-1][0] == "done"


def test_a_failing_model_mid_stream_is_an_in_band_error(
    api_app: FastAPI, api_client: TestClient
) -> None:
    api_app.dependency_overrides[get_coach] = lambda: Coach(api_app.state.settings, BrokenBackend())
    events = _stream(api_client, {"message": "How do I open up more?"})
    assert events[-1][0] == "error"
    error = events[-1][1]
    assert isinstance(error, dict) and error["request_id"] and "kaboom" not in error["message"]


def test_the_persons_message_is_stored_before_the_model_is_called(
    api_app: FastAPI, api_client: TestClient, api_settings: Settings
) -> None:
    seen: list[list[tuple[object, ...]]] = []

    def look_in_the_database() -> None:
        seen.append(rows(api_settings, "SELECT role, text FROM messages"))

    backend = BrokenBackend(on_call=look_in_the_database)
    api_app.dependency_overrides[get_coach] = lambda: Coach(api_app.state.settings, backend)
    response = api_client.post("/api/chat", json={"message": "We argued about the holidays again."})
    assert response.status_code == 500
    assert seen == [[("user", "We argued about the holidays again.")]]
    conversations = api_client.get("/api/conversations").json()["conversations"]
    assert len(conversations) == 1 and conversations[0]["messages"] == 1
    assert conversations[0]["title"] == "We argued about the holidays again."


def test_a_sticky_safety_hit_sticks_for_the_conversation(
    api_client: TestClient, api_settings: Settings
) -> None:
    crisis = "I want to kill myself"
    risk = safety.screen(crisis).risk
    assert risk != "none" and safety.sticky(risk)
    first = api_client.post("/api/chat", json={"message": crisis}).json()
    assert first["safety"]["risk"] == risk and first["safety"]["resources"]
    assert first["reply"] == first["safety"]["message"]
    conversation_id = first["conversation_id"]
    assert rows(api_settings, "SELECT risk FROM conversations") == [(risk,)]

    later = api_client.post(
        "/api/chat",
        json={"message": "How do I plan a nice date?", "conversation_id": conversation_id},
    ).json()
    assert later["safety"]["risk"] == risk
    fresh = api_client.post("/api/chat", json={"message": "How do I plan a nice date?"}).json()
    assert fresh["safety"]["risk"] == "none"


def test_unknown_conversation_is_404_and_stores_nothing(
    api_client: TestClient, api_settings: Settings
) -> None:
    response = api_client.post("/api/chat", json={"message": "hello", "conversation_id": "nope"})
    assert response.status_code == 404
    assert rows(api_settings, "SELECT count(*) FROM messages") == [(0,)]


# -- sessions and people --------------------------------------------------------------------------


def test_the_session_cookie_is_signed_httponly_and_lax(
    api_client: TestClient, api_settings: Settings
) -> None:
    assert "set-cookie" not in api_client.get("/healthz").headers
    response = api_client.get("/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    value = api_client.cookies[COOKIE_NAME]
    token = value.split(".")[0]
    assert len(token) >= 43  # token_urlsafe(32): 256 bits
    api_client.post("/api/chat", json={"message": "hello there"})
    assert "set-cookie" not in api_client.get("/api/plan").headers  # known session: no new cookie
    assert rows(api_settings, "SELECT owner FROM conversations") == [(owner_key(token),)]


def test_a_tampered_cookie_starts_a_new_session(api_client: TestClient) -> None:
    api_client.post("/api/chat", json={"message": "hello there"})
    assert len(api_client.get("/api/conversations").json()["conversations"]) == 1
    value = api_client.cookies[COOKIE_NAME]
    api_client.cookies.clear()
    forged = ("A" if value[0] != "A" else "B") + value[1:]
    api_client.cookies.set(COOKIE_NAME, forged)
    response = api_client.get("/api/conversations")
    assert response.json()["conversations"] == []
    assert COOKIE_NAME in response.headers["set-cookie"]


def test_two_people_cannot_see_each_others_data(api_app: FastAPI, api_client: TestClient) -> None:
    mine = api_client.post("/api/chat", json={"message": "A private worry about us"}).json()
    api_client.post("/api/plan", json={"action": "done"})
    other = another_person(api_app)
    path = f"/api/conversations/{mine['conversation_id']}"

    assert other.get(path).status_code == 404
    assert other.delete(path).status_code == 404
    assert (
        other.post(
            "/api/chat", json={"message": "hi", "conversation_id": mine["conversation_id"]}
        ).status_code
        == 404
    )
    assert other.get("/api/conversations").json()["conversations"] == []
    assert other.get("/api/plan").json()["done"] == []
    theirs = other.post("/api/chat", json={"message": "Something of my own"}).json()
    export = other.get("/api/export").json()
    assert [c["id"] for c in export["conversations"]] == [theirs["conversation_id"]]
    assert "A private worry" not in json.dumps(export)

    assert api_client.get(path).status_code == 200
    assert [c["id"] for c in api_client.get("/api/conversations").json()["conversations"]] == [
        mine["conversation_id"]
    ]


def test_export_holds_all_of_the_persons_data(api_client: TestClient) -> None:
    first = api_client.post("/api/chat", json={"message": "First worry"}).json()
    api_client.post("/api/chat", json={"message": "Second worry"})
    api_client.post("/api/plan", json={"action": "done", "day": 1})
    response = api_client.get("/api/export")
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert set(data) == {"exported_at", "person", "conversations", "plan"}
    assert data["person"]["created_at"]
    assert len(data["conversations"]) == 2
    texts = [m["text"] for c in data["conversations"] for m in c["messages"]]
    assert "First worry" in texts and "Second worry" in texts and first["reply"] in texts
    assert data["plan"]["done"] == [1]


def test_deleting_a_conversation_deletes_its_rows(
    api_client: TestClient, api_settings: Settings
) -> None:
    keep = api_client.post("/api/chat", json={"message": "keep this one"}).json()["conversation_id"]
    gone = api_client.post("/api/chat", json={"message": "delete this one"}).json()[
        "conversation_id"
    ]
    assert api_client.delete(f"/api/conversations/{gone}").status_code == 204
    assert api_client.get(f"/api/conversations/{gone}").status_code == 404
    assert rows(api_settings, "SELECT count(*) FROM messages WHERE conversation_id = ?", gone) == [
        (0,)
    ]
    assert rows(api_settings, "SELECT id FROM conversations") == [(keep,)]
    assert rows(api_settings, "SELECT count(*) FROM messages WHERE conversation_id = ?", keep) == [
        (2,)
    ]


def test_deleting_me_deletes_every_row_and_ends_the_session(
    api_app: FastAPI, api_client: TestClient, api_settings: Settings
) -> None:
    other = another_person(api_app)
    other.post("/api/chat", json={"message": "not yours to delete"})
    api_client.post("/api/chat", json={"message": "mine"})
    api_client.post("/api/plan", json={"action": "done"})
    owner = rows(api_settings, "SELECT owner FROM plans")[0][0]

    response = api_client.delete("/api/me")
    assert response.status_code == 204
    assert (
        f"{COOKIE_NAME}=" in response.headers["set-cookie"]
        and "Max-Age=0" in response.headers["set-cookie"]
    )
    for table, column in (
        ("messages", "owner"),
        ("conversations", "owner"),
        ("plans", "owner"),
        ("plan_days", "owner"),
        ("people", "id"),
    ):
        assert rows(api_settings, f"SELECT count(*) FROM {table} WHERE {column} = ?", owner) == [
            (0,)
        ], table
    assert rows(api_settings, "SELECT count(*) FROM messages") == [(2,)]  # the other person's turn
    assert len(other.get("/api/conversations").json()["conversations"]) == 1


# -- the 30-day plan ------------------------------------------------------------------------------


def test_plan_progress_is_stored(api_client: TestClient) -> None:
    plan = api_client.get("/api/plan").json()
    assert plan["started"] is False and plan["today"] is None and plan["step"]["day"] == 1
    plan = api_client.post("/api/plan", json={"action": "start"}).json()
    assert (
        plan["started"] and plan["today"] == 1 and plan["calendar_day"] == 1 and plan["done"] == []
    )
    plan = api_client.post("/api/plan", json={"action": "done"}).json()
    assert plan["done"] == [1] and plan["today"] == 2
    assert plan["step"]["day"] == 2 and plan["step"]["text"] and plan["step"]["principles"]
    api_client.post("/api/plan", json={"action": "done", "day": 3})
    plan = api_client.get("/api/plan").json()
    assert plan["done"] == [1, 3] and plan["today"] == 2  # the first day not yet done
    plan = api_client.post("/api/plan", json={"action": "undo", "day": 1}).json()
    assert plan["done"] == [3] and plan["today"] == 1
    plan = api_client.post("/api/plan", json={"action": "start"}).json()
    assert plan["done"] == [] and plan["today"] == 1


def test_marking_a_day_starts_the_plan_and_all_30_finish_it(api_client: TestClient) -> None:
    for day in range(1, 31):
        plan = api_client.post("/api/plan", json={"action": "done", "day": day}).json()
    assert plan["started"] and plan["finished"] and plan["today"] == 30 and len(plan["done"]) == 30


# -- the app itself ---------------------------------------------------------------------------


def test_the_page_has_a_strict_csp_and_no_inline_script(api_client: TestClient) -> None:
    response = api_client.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts and all(body.strip() == "" for body in scripts)
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert safety.DISCLAIMER in unescape(html)
    for asset in ("/static/app.js", "/static/app.css"):
        assert api_client.get(asset).status_code == 200


def test_health_docs_and_openapi(api_client: TestClient) -> None:
    assert api_client.get("/healthz").json() == {"status": "ok", "backend": "fake"}
    docs = api_client.get("/docs")
    assert docs.status_code == 200 and "/docs-static/swagger-ui-bundle.js" in docs.text
    assert api_client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    paths = set(api_client.get("/openapi.json").json()["paths"])
    assert paths >= {
        "/api/reply",
        "/api/questions",
        "/api/ritual",
        "/api/chat",
        "/api/conversations",
        "/api/conversations/{conversation_id}",
        "/api/plan",
        "/api/export",
        "/api/me",
        "/v1/chat/completions",
        "/v1/models",
        "/healthz",
    }


def test_creating_the_app_opens_no_database(tmp_path: Path) -> None:
    settings = web_settings(tmp_path)
    app = create_app(settings)
    assert not (tmp_path / "coach.sqlite3").exists()
    with TestClient(app):
        assert (tmp_path / "coach.sqlite3").exists()


def test_message_text_is_never_logged(
    api_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "zebra-pineapple-4711"
    api_client.post("/api/chat", json={"message": f"My partner said {secret} to me"})
    with api_client.stream(
        "POST", "/api/chat", json={"message": f"again {secret}"}, headers=STREAM
    ) as response:
        response.read()
    api_client.post("/api/reply", json={"message": f"{secret} happened today"})
    captured = capsys.readouterr()
    assert "chat_turn_started" in captured.out + captured.err
    assert secret not in captured.out + captured.err


def test_session_secret_rules() -> None:
    def settings(**values: object) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]

    assert len(resolve_secret(settings())) >= 40
    assert resolve_secret(settings()) != resolve_secret(settings())
    assert resolve_secret(settings(session_secret="k" * 40)) == "k" * 40
    for placeholder in ("changethis", "secret", "short"):
        with pytest.raises(InsecureSecret, match="COACH_SESSION_SECRET"):
            resolve_secret(settings(session_secret=placeholder))
        assert (
            resolve_secret(settings(session_secret=placeholder, environment="development"))
            == placeholder
        )


class SlowBackend:
    """Streams sentence after sentence until it is closed; records that it was closed."""

    name = "slow"
    profile: BackendProfile = "chat"

    def __init__(self) -> None:
        self.closed = threading.Event()

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return "That sounds hard."

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        try:
            for _ in range(600):
                time.sleep(0.05)
                yield "That sounds really hard for you. "
        finally:
            self.closed.set()


def test_a_client_that_leaves_mid_stream_ends_the_models_stream(tmp_path: Path) -> None:
    app = create_app(web_settings(tmp_path))
    backend = SlowBackend()
    app.dependency_overrides[get_coach] = lambda: Coach(app.state.settings, backend)
    with live_server(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        body = {"message": "We keep arguing about chores."}
        with client.stream("POST", "/api/chat", json=body, headers=STREAM) as response:
            for line in response.iter_lines():
                if line.startswith("event: token"):
                    break
        assert backend.closed.wait(timeout=10), "the model kept writing for nobody"
