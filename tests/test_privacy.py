"""Privacy: no message text in any log at any level, deletion that removes the bytes from every
database file, encryption at rest, retention, an export of one's own data only, and a page that
says where words are sent (a remote model only when configured)."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import respx
from cryptography.fernet import Fernet
from db_fixtures import *  # noqa: F403
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text
from web_fixtures import BrokenBackend, another_person, db_path, rows, web_settings

from coach.api import create_app
from coach.api.deps import get_coach
from coach.config import Settings
from coach.crypto import LOCKED, BadKey, Cipher
from coach.models import build_backend
from coach.service import Coach
from coach.store import Database, owner_key, utcnow

CANARY = "canary-quokka-7731"
STREAM = {"Accept": "text/event-stream"}


def everything_a_person_can_do(client: TestClient, text: str) -> None:
    """Every route that takes text, whole and streamed, plus reading, exporting and deleting."""
    response = client.post("/api/chat", json={"message": f"My partner said {text} to me"})
    assert response.status_code == 200, response.text
    first = response.json()
    with client.stream(
        "POST",
        "/api/chat",
        json={"message": f"again {text}", "conversation_id": first["conversation_id"]},
        headers=STREAM,
    ) as response:
        response.read()
    client.post("/api/reply", json={"message": f"{text} happened", "context": text})
    client.post("/api/questions", json={"context": text})
    client.post("/api/ritual", json={"context": text})
    user = {"role": "user", "content": f"{text} again"}
    client.post("/v1/chat/completions", json={"messages": [user]})
    client.post("/v1/chat/completions", json={"messages": [user], "stream": True})
    client.post("/api/chat", json={"message": f"{text} " * 2000})  # too long: 422
    client.post("/api/chat", json={"message": text, "conversation_id": "nope"})  # 404
    client.get(f"/api/conversations/{first['conversation_id']}")
    client.get("/api/export")
    client.delete(f"/api/conversations/{first['conversation_id']}")
    client.delete("/api/me")


def every_level(caplog: pytest.LogCaptureFixture) -> None:
    """DEBUG for the root logger and for the libraries that set their own level."""
    for name in (None, "sqlalchemy", "aiosqlite", "openai", "httpx", "httpcore", "alembic"):
        caplog.set_level(logging.DEBUG, logger=name)


def all_logs(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> str:
    captured = capsys.readouterr()
    records = [
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
    ]
    return "\n".join([captured.out, captured.err, caplog.text, *records])


def test_no_message_text_in_any_log_at_any_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    every_level(caplog)
    with TestClient(create_app(web_settings(tmp_path)), raise_server_exceptions=False) as client:
        everything_a_person_can_do(client, CANARY)
    (tmp_path / "broken").mkdir()
    broken = create_app(web_settings(tmp_path / "broken"))
    broken.dependency_overrides[get_coach] = lambda: Coach(broken.state.settings, BrokenBackend())
    with TestClient(broken, raise_server_exceptions=False) as client:
        client.post("/api/chat", json={"message": f"failing {CANARY}"})
        with client.stream(
            "POST", "/api/chat", json={"message": f"failing {CANARY}"}, headers=STREAM
        ) as response:
            response.read()
    logs = all_logs(capsys, caplog)
    assert "chat_turn_started" in logs and "unhandled_error" in logs
    assert "sqlalchemy" in logs.lower(), "SQL logging was not captured: the test proves nothing"
    assert CANARY not in logs


def test_no_message_text_in_the_logs_of_the_remote_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    every_level(caplog)
    base = "http://model.test/v1"
    settings = web_settings(
        tmp_path,
        backend="openai",
        openai_base_url=base,
        openai_api_key=SecretStr("sk-test"),
        openai_retries=0,
    )
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{base}/chat/completions").mock(
            side_effect=[
                httpx.Response(500, json={"error": {"message": f"echo {CANARY}"}}),
                httpx.Response(200, text=f"not json {CANARY}"),
                httpx.Response(400, json={"error": {"message": f"echo {CANARY}"}}),
            ]
            * 20
        )
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            everything_a_person_can_do(client, CANARY)
    logs = all_logs(capsys, caplog)
    assert "openai._base_client" in logs, "the SDK's debug log was not captured"
    assert CANARY not in logs


# -- deletion removes the bytes --------------------------------------------------------------------


def files_holding(folder: Path, needle: str) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if p.is_file() and needle.encode() in p.read_bytes()
    )


def test_deleting_removes_the_bytes_from_every_database_file(tmp_path: Path) -> None:
    settings = web_settings(tmp_path)
    keep, gone, mine = "keep-wombat-1", "gone-wombat-2", "mine-wombat-3"
    with TestClient(create_app(settings)) as client:
        other = another_person(client.app)  # type: ignore[arg-type]
        other.post("/api/chat", json={"message": f"not yours {keep}"})
        first = client.post("/api/chat", json={"message": f"delete this {gone}"}).json()
        client.post("/api/chat", json={"message": f"and this {mine}"})
        assert files_holding(tmp_path, gone), "the canary was never written: the test is void"
        assert rows(settings, "PRAGMA journal_mode") == [("wal",)]

        assert client.delete(f"/api/conversations/{first['conversation_id']}").status_code == 204
        assert files_holding(tmp_path, gone) == []
        assert files_holding(tmp_path, mine)

        assert client.delete("/api/me").status_code == 204
        assert files_holding(tmp_path, mine) == []
        assert files_holding(tmp_path, keep), "the other person's data went too"
    names = {p.name for p in tmp_path.iterdir()}
    assert db_path(settings).name in names


# -- encryption at rest ----------------------------------------------------------------------------


def encrypted(tmp_path: Path, key: str) -> Settings:
    return web_settings(tmp_path, encryption_key=SecretStr(key))


def test_message_bodies_are_encrypted_at_rest(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = encrypted(tmp_path, key)
    with TestClient(create_app(settings)) as client:
        first = client.post("/api/chat", json={"message": f"secretly {CANARY}"}).json()
        with client.stream(
            "POST",
            "/api/chat",
            json={"message": f"more {CANARY}", "conversation_id": first["conversation_id"]},
            headers=STREAM,
        ) as response:
            response.read()
        detail = client.get(f"/api/conversations/{first['conversation_id']}").json()
        export = client.get("/api/export").json()
        listed = client.get("/api/conversations").json()["conversations"]
        assert files_holding(tmp_path, CANARY) == [], "plain text reached a database file"
        assert files_holding(tmp_path, first["reply"][:30]) == []
    assert detail["messages"][0]["text"] == f"secretly {CANARY}"
    assert detail["messages"][1]["answer"]["reply"] == first["reply"]
    assert CANARY in json.dumps(export)
    assert listed[0]["title"].startswith("Conversation of ")  # a title would quote the text
    texts = rows(settings, "SELECT text FROM messages")
    assert all(t.startswith("fernet:") for (t,) in texts)
    stored = [json.loads(a) for (a,) in rows(settings, "SELECT answer FROM messages") if a]
    answers = [a for a in stored if a is not None]
    assert len(answers) == 2 and all(set(a) == {"fernet"} for a in answers)


def test_the_store_seals_text_on_every_database(database_url: str) -> None:
    """SQLite and PostgreSQL alike: the columns hold ciphertext, the repository reads text."""
    cipher = Cipher(Fernet.generate_key().decode())

    async def work() -> tuple[str, object, str, dict[str, object] | None]:
        database = Database(database_url, cipher)
        await database.migrate()
        try:
            async with database.repository(owner_key("alice")) as repo:
                conversation = await repo.start_conversation(f"hello {CANARY}")
                await repo.add_message(conversation, "coach", f"hi {CANARY}", {"reply": CANARY})
                read = (await repo.messages(conversation.id))[0]
            async with database.engine.connect() as connection:
                raw = (await connection.execute(text("SELECT text, answer FROM messages"))).one()
            return str(raw[0]), raw[1], read.text, read.answer
        finally:
            await database.dispose()

    import asyncio

    raw_text, raw_answer, text_read, answer_read = asyncio.run(work())
    assert raw_text.startswith("fernet:") and CANARY not in raw_text
    assert CANARY not in str(raw_answer)
    assert text_read == f"hi {CANARY}" and answer_read == {"reply": CANARY}


def test_keys_rotate_and_a_wrong_key_reads_as_locked(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with TestClient(create_app(encrypted(tmp_path, old))) as client:
        conversation = client.post("/api/chat", json={"message": f"hello {CANARY}"}).json()
        cookies = dict(client.cookies)
    path = f"/api/conversations/{conversation['conversation_id']}"
    with TestClient(create_app(encrypted(tmp_path, f"{new},{old}")), cookies=cookies) as client:
        assert client.get(path).json()["messages"][0]["text"] == f"hello {CANARY}"
    with TestClient(create_app(encrypted(tmp_path, new)), cookies=cookies) as client:
        messages = client.get(path).json()["messages"]
        assert messages[0]["text"] == LOCKED and CANARY not in json.dumps(messages)
    with TestClient(create_app(web_settings(tmp_path)), cookies=cookies) as client:
        assert client.get(path).json()["messages"][0]["text"] == LOCKED


def test_rows_written_before_encryption_still_read(tmp_path: Path) -> None:
    with TestClient(create_app(web_settings(tmp_path))) as client:
        conversation = client.post("/api/chat", json={"message": "plain and old"}).json()
        cookies = dict(client.cookies)
    key = Fernet.generate_key().decode()
    with TestClient(create_app(encrypted(tmp_path, key)), cookies=cookies) as client:
        got = client.get(f"/api/conversations/{conversation['conversation_id']}").json()
    assert got["messages"][0]["text"] == "plain and old"


def test_a_bad_key_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(BadKey, match="not a Fernet key"):
        Cipher("not-a-key")
    with (
        pytest.raises(BadKey, match="COACH_ENCRYPTION_KEY"),
        TestClient(create_app(encrypted(tmp_path, "short"))),
    ):
        pass


# -- retention -------------------------------------------------------------------------------------


def test_retention_deletes_old_conversations_at_start(tmp_path: Path) -> None:
    settings = web_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        old = client.post("/api/chat", json={"message": f"old {CANARY}"}).json()
        new = client.post("/api/chat", json={"message": "recent"}).json()
    long_ago = (utcnow() - timedelta(days=40)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(db_path(settings)) as connection:
        connection.execute(
            "UPDATE conversations SET updated_at = ? WHERE id = ?",
            (long_ago, old["conversation_id"]),
        )
    kept = settings.model_copy(update={"retention_days": 30})
    with TestClient(create_app(kept)):
        pass  # the sweep runs when the app starts
    assert rows(settings, "SELECT id FROM conversations") == [(new["conversation_id"],)]
    assert rows(settings, "SELECT count(*) FROM messages") == [(2,)]
    assert files_holding(tmp_path, CANARY) == []


def test_retention_is_off_unless_set(tmp_path: Path) -> None:
    assert Settings(_env_file=None).retention_days is None

    async def purge_nothing() -> int:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
        await database.migrate()
        try:
            return await database.purge(utcnow())
        finally:
            await database.dispose()

    import asyncio

    assert asyncio.run(purge_nothing()) == 0


# -- export ----------------------------------------------------------------------------------------


def test_export_holds_only_the_requesting_persons_data(tmp_path: Path) -> None:
    with TestClient(create_app(web_settings(tmp_path))) as alice:
        bob = another_person(alice.app)  # type: ignore[arg-type]
        alice.post("/api/chat", json={"message": f"alice {CANARY}"})
        alice.post("/api/plan", json={"action": "done", "day": 3})
        bob.post("/api/chat", json={"message": "bob's own worry"})
        theirs = bob.get("/api/export").json()
        mine = alice.get("/api/export").json()
    assert CANARY not in json.dumps(theirs) and "alice" not in json.dumps(theirs)
    assert theirs["plan"]["done"] == [] and len(theirs["conversations"]) == 1
    assert CANARY in json.dumps(mine) and "bob's own worry" not in json.dumps(mine)


# -- where words go --------------------------------------------------------------------------------


def test_local_backends_say_words_stay_on_this_server(tmp_path: Path) -> None:
    assert Settings(_env_file=None).backend == "embedded"
    for backend in ("grounded", "fake"):
        with TestClient(create_app(web_settings(tmp_path, backend=backend))) as client:
            about = client.get("/api/about").json()
            page = client.get("/").text
        assert about["processing"] == "local" and about["host"] is None
        assert "Your words are processed on this server" in page


def test_a_remote_model_is_named_on_the_page_and_nothing_more(tmp_path: Path) -> None:
    settings = web_settings(
        tmp_path,
        backend="openai",
        openai_base_url="https://user:hunter2@models.example:8443/v1?token=abc",
        openai_api_key=SecretStr("sk-test-remote"),
    )
    with TestClient(create_app(settings)) as client:
        about = client.get("/api/about").json()
        page = client.get("/").text
    assert about["processing"] == "remote" and about["host"] == "models.example:8443"
    assert about["fallback"] == "grounded"
    assert "Your words are sent to models.example:8443" in page
    for secret in ("hunter2", "token=abc", "sk-test-remote"):
        assert secret not in page and secret not in json.dumps(about)


def test_the_fallback_is_never_remote() -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, fallback="openai")
    grounded = build_backend(Settings(_env_file=None, backend="grounded"))
    assert grounded.name == "grounded"
