"""One chat turn against the store, whole (JSON) or streamed (server-sent events).

Order matters: the person's message is stored (and committed) before the model is called, so a
model that fails or hangs never loses what they wrote. The conversation's safety flag is read
before the turn (``prior``) and written after it when the screen's hit is sticky.

Events of a streamed turn, in order (each ``data`` is JSON):

- ``start`` ``{"conversation_id", "new"}``;
- ``disclaimer`` ``{"text"}``, only when the conversation is new;
- ``token`` ``{"text"}``, a piece of the answer, any number of times;
- ``done``: the answer's public JSON plus ``conversation_id`` (and ``disclaimer`` when new);
- or, instead of ``done``, ``error`` ``{"message", "request_id"}``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, cast, get_args

import structlog
from fastapi import HTTPException
from starlette.concurrency import iterate_in_threadpool

from coach import safety
from coach.models import ModelError
from coach.schemas import Answer, Risk
from coach.service import Coach, Done, Outcome, Token, Turn
from coach.store import Database, Repository

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ChatTurn:
    conversation_id: str
    message: str
    history: list[Turn]
    prior: Risk
    new: bool


def _risk(value: str) -> Risk:
    return cast(Risk, value) if value in get_args(Risk) else "none"


async def begin(repo: Repository, conversation_id: str | None, message: str) -> ChatTurn:
    """Open (or start) the conversation and store the person's message."""
    if conversation_id:
        conversation = await repo.conversation(conversation_id)
        if conversation is None:
            raise HTTPException(404, "No conversation with that id.")
        history = [Turn(m.role, m.text) for m in await repo.messages(conversation.id)]
    else:
        conversation = await repo.start_conversation(message)
        history = []
    await repo.add_message(conversation, "user", message)
    log.info("chat_turn_started", conversation_id=conversation.id, history=len(history))
    return ChatTurn(
        conversation.id, message, history, _risk(conversation.risk), not conversation_id
    )


def payload(turn: ChatTurn, answer: Answer) -> dict[str, Any]:
    body: dict[str, Any] = {**answer.public(), "conversation_id": turn.conversation_id}
    if turn.new:
        body["disclaimer"] = safety.DISCLAIMER
    return body


async def finish(repo: Repository, turn: ChatTurn, outcome: Outcome) -> dict[str, Any]:
    """Store the coach's answer, make a sticky safety hit stick, and give the public JSON."""
    answer = outcome.answer
    conversation = await repo.conversation(turn.conversation_id)
    if conversation is not None:  # None if the person deleted it while the model was writing
        await repo.add_message(conversation, "coach", answer.reply or "", answer.public())
        risk = answer.safety.risk
        if safety.sticky(risk) and conversation.risk != risk:
            await repo.flag(conversation, risk)
    log.info(
        "chat_turn_done",
        conversation_id=turn.conversation_id,
        risk=answer.safety.risk,
        model_error=outcome.model_error is not None,
    )
    return payload(turn, answer)


def end(events: Iterator[object]) -> None:
    """Close a chat stream now rather than whenever it is collected (frees the model's lock)."""
    close = getattr(events, "close", None)
    if close is not None:
        close()


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream(
    turn: ChatTurn, coach: Coach, database: Database, owner: str, request_id: str
) -> AsyncIterator[str]:
    """The streamed turn. The blocking model runs in a worker thread, one piece at a time."""
    yield sse("start", {"conversation_id": turn.conversation_id, "new": turn.new})
    if turn.new:
        yield sse("disclaimer", {"text": safety.DISCLAIMER})
    events = coach.chat_stream(turn.message, turn.history, turn.prior)
    try:
        outcome: Outcome | None = None
        async for event in iterate_in_threadpool(events):
            if isinstance(event, Token):
                yield sse("token", {"text": event.text})
            elif isinstance(event, Done):
                outcome = event.outcome
        if outcome is None:
            raise RuntimeError("the chat stream ended without an answer")
        async with database.repository(owner) as repo:
            body = await finish(repo, turn, outcome)
        yield sse("done", body)
    except ModelError as error:
        log.warning("chat_stream_model_failed", conversation_id=turn.conversation_id)
        yield sse("error", {"message": str(error), "request_id": request_id})
    except Exception as error:  # headers are sent: the only way left to report is in-band
        log.error(
            "chat_stream_failed",
            error=type(error).__name__,
            conversation_id=turn.conversation_id,
            request_id=request_id,
        )
        message = f"Something went wrong on our side. Request id: {request_id}."
        yield sse("error", {"message": message, "request_id": request_id})
    finally:
        end(events)
