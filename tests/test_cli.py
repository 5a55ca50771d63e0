"""The command line through Typer's test runner, on the grounded and fake backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coach import checks
from coach.cli import app
from coach.knowledge import SOURCE_TITLES, load_knowledge

runner = CliRunner()
SUGGESTION_KEYS = {"text", "principles", "why", "source"}


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_reply_json_shape() -> None:
    data = _json(
        "reply", "My mom is in hospital and I can't focus on anything", "--backend", "grounded"
    )
    assert set(data) == {"task", "suggestions", "principles", "backend", "safety"}
    assert data["task"] == "reply" and data["backend"] == "grounded"
    assert data["safety"]["risk"] == "none"
    assert len(data["suggestions"]) == 3
    for suggestion in data["suggestions"]:
        assert set(suggestion) == SUGGESTION_KEYS
        assert checks.passes("reply", suggestion["text"])
    for principle in data["principles"]:
        assert set(principle) == {"id", "title", "sources"}
        assert set(principle["sources"]) <= set(SOURCE_TITLES)


def test_questions_json() -> None:
    data = _json(
        "questions", "--style", "quiet", "--n", "5", "-c", "new relationship", "-b", "grounded"
    )
    assert data["task"] == "questions" and len(data["suggestions"]) == 5


def test_ritual_json_has_day_and_phase() -> None:
    data = _json("ritual", "--day", "16", "-b", "grounded")
    assert data["day"] == 16 and data["phase"] == load_knowledge().phase_for_day(16).phase.name  # type: ignore[union-attr]


def test_ask_json_has_reply() -> None:
    data = _json("ask", "How can I show my partner I appreciate her?", "-b", "fake")
    assert data["task"] == "chat" and isinstance(data["reply"], str) and data["reply"]


def test_reply_human_output() -> None:
    result = runner.invoke(app, ["reply", "I feel like nobody listens to me", "-b", "grounded"])
    assert result.exit_code == 0 and "why:" in result.output


def test_bad_day_is_refused_without_traceback() -> None:
    result = runner.invoke(app, ["ritual", "--day", "40", "-b", "grounded"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_empty_message_is_a_clear_error() -> None:
    result = runner.invoke(app, ["reply", "  ", "-b", "grounded"])
    assert result.exit_code == 2 and "empty" in result.output


def test_principles_table_and_json() -> None:
    table = runner.invoke(app, ["principles"])
    assert table.exit_code == 0 and "principle cards" in table.output
    listed = _json("principles")
    assert {c["id"] for c in listed} == set(load_knowledge().by_id)


@pytest.mark.parametrize(
    ("check", "text", "label"),
    [
        ("question", "What made today hard?", "open"),
        ("question", "Did you eat?", "closed"),
        ("fixing", "You should call your boss tomorrow.", "fixing"),
        ("fixing", "That sounds so painful.", "not_fixing"),
    ],
)
def test_check_json(check: str, text: str, label: str) -> None:
    result = runner.invoke(app, ["check", check, text, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["check"] == check and data["label"] == label and isinstance(data["reasons"], list)


def test_check_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "How was your day?"}\n{"id": 2, "text": "Are you ok?"}\n')
    result = runner.invoke(app, ["check", "question", "--jsonl", str(source)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["label"]) for r in rows] == [(1, "open"), (2, "closed")]
    assert all("reasons" in r for r in rows)


def test_check_jsonl_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text("not json\n")
    result = runner.invoke(app, ["check", "fixing", "--jsonl", str(source)])
    assert result.exit_code == 2 and "line 1" in result.output


def test_screen_json() -> None:
    data = _json("screen", "he chokes me when he's angry")
    assert data["risk"] == "abuse" and data["resources"] and data["message"]


def test_chat_session_keeps_history_and_quits() -> None:
    result = runner.invoke(
        app, ["chat", "-b", "grounded"], input="My husband seems distant lately\nquit\n"
    )
    assert result.exit_code == 0
    assert "not a therapist" in result.output.lower() or "ai coach" in result.output.lower()
