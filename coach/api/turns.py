"""One chat turn against the store, whole (JSON) or streamed (server-sent events).

Order matters: the person's message is stored (and committed) before the model is called, so a
model that fails or hangs never loses what they wrote. The conversation's safety flag is read
before the turn (``prior``) and written after it when the screen's hit is sticky.

Events of a streamed turn, in order (each ``data`` is JSON):

- ``start`` ``{"conversation_id", "new"}``;
- ``disclaimer`` ``{"text"}``, only when the conversation is new;
- ``token`` ``{"text"}``, a piece of the answer, any number of times;
- ``done``: the answer's public JSON plus ``conversation_id`` (and ``disclaimer`` when new);
- or, instead of ``done``, ``error`` ``{"message", "request_id", "incomplete", "conversation_id"}``.

An answer that breaks off after some of it was sent (the model's stream was cut, the model failed,
or the person closed the page) is stored as far as it got and marked ``incomplete``; the
``error`` event says so, and sending the same message again with ``retry: true`` answers it again
without storing the message twice.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass
from typing import Any, cast, get_args

import anyio
import structlog
from fastapi import HTTPException
from starlette.concurrency import iterate_in_threadpool

from coach import safety
from coach.models import ModelError
from coach.schemas import Answer, Risk
from coach.service import Coach, Done, Outcome, Token, Turn
from coach.store import Database, Message, Repository

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


def incomplete(message: Message) -> bool:
    return bool(message.answer and message.answer.get("incomplete"))


def _unanswered(messages: list[Message], text: str) -> int | None:
    """Where the person's last message is, if it is ``text`` and has no complete answer."""
    for index in range(len(messages) - 1, -1, -1):
        found = messages[index]
        if found.role == "user":
            return index if found.text == text else None
        if not incomplete(found):
            return None
    return None


def history_window(history_turns: int) -> int:
    """How many of a conversation's newest messages a turn reads. The model sees only the last
    ``history_turns`` exchanges; twice that leaves room for broken-off answers, which are
    skipped, and keeps a turn's cost flat however long the conversation grows."""
    return 4 * history_turns + 2


async def begin(
    repo: Repository,
    conversation_id: str | None,
    message: str,
    retry: bool = False,
    *,
    history_turns: int,
) -> ChatTurn:
    """Open (or start) the conversation and store the person's message (once: a ``retry`` of
    a message whose answer broke off answers the stored one again)."""
    if conversation_id:
        conversation = await repo.conversation(conversation_id)
        if conversation is None:
            raise HTTPException(404, "No conversation with that id.")
        messages = await repo.messages(conversation.id, last=history_window(history_turns))
        again = _unanswered(messages, message) if retry else None
        earlier = messages if again is None else messages[:again]
        # An answer that broke off is kept for the person but not shown to the model again.
        history = [Turn(m.role, m.text) for m in earlier if not incomplete(m)]
    else:
        conversation = await repo.start_conversation(message)
        history, again = [], None
    if again is None:
        await repo.add_message(conversation, "user", message)
    log.info(
        "chat_turn_started",
        conversation_id=conversation.id,
        history=len(history),
        retry=again is not None,
    )
    return ChatTurn(
        conversation.id, message, history, _risk(conversation.risk), not conversation_id
    )


def payload(turn: ChatTurn, answer: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {**answer, "conversation_id": turn.conversation_id}
    if turn.new:
        body["disclaimer"] = safety.DISCLAIMER
    return body


def cut_short(outcome: Outcome) -> bool:
    """The model failed after some of its sentences had been sent: the answer is a fragment."""
    answer = outcome.answer
    return (
        outcome.model_error is not None
        and answer.safety.risk == "none"
        and bool(answer.suggestions)
        and answer.suggestions[0].source == "model"
    )


def public(answer: Answer, cut: bool) -> dict[str, Any]:
    body = answer.public()
    if cut:
        body["incomplete"] = True
    return body


async def finish(repo: Repository, turn: ChatTurn, outcome: Outcome) -> dict[str, Any]:
    """Store the coach's answer, make a sticky safety hit stick, and give the public JSON."""
    answer = outcome.answer
    cut = cut_short(outcome)
    body = public(answer, cut)
    conversation = await repo.conversation(turn.conversation_id)
    if conversation is not None:  # None if the person deleted it while the model was writing
        await repo.add_message(conversation, "coach", answer.reply or "", body)
        risk = answer.safety.risk
        if safety.sticky(risk) and conversation.risk != risk:
            await repo.flag(conversation, risk)
    log.info(
        "chat_turn_done",
        conversation_id=turn.conversation_id,
        risk=answer.safety.risk,
        model_error=outcome.model_error is not None,
        incomplete=cut,
        backend=answer.backend,
    )
    return payload(turn, body)


async def keep_fragment(
    database: Database, owner: str, turn: ChatTurn, text: str, backend: str
) -> None:
    """Store what was sent of an answer that broke off, marked incomplete (best effort: the
    turn is failing already, so a failure here is logged, not raised)."""
    answer = Answer(task="chat", reply=text, backend=backend)
    try:
        async with database.repository(owner) as repo:
            conversation = await repo.conversation(turn.conversation_id)
            if conversation is not None:
                await repo.add_message(conversation, "coach", text, public(answer, cut=True))
    except Exception as error:
        log.error("chat_fragment_not_stored", error=type(error).__name__)
        return
    log.info("chat_turn_incomplete", conversation_id=turn.conversation_id)


def end(events: Iterator[object]) -> None:
    """Close a chat stream now rather than whenever it is collected (frees the model's lock)."""
    close = getattr(events, "close", None)
    if close is not None:
        close()


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream(
    turn: ChatTurn, coach: Coach, database: Database, owner: str, request_id: str
) -> AsyncGenerator[str, None]:
    """The streamed turn. The blocking model runs in a worker thread, one piece at a time."""
    yield sse("start", {"conversation_id": turn.conversation_id, "new": turn.new})
    if turn.new:
        yield sse("disclaimer", {"text": safety.DISCLAIMER})
    events = coach.chat_stream(turn.message, turn.history, turn.prior)
    sent: list[str] = []
    stored = False

    def broke_off(message: str) -> dict[str, Any]:
        return {
            "message": message,
            "request_id": request_id,
            "incomplete": bool(sent),
            "conversation_id": turn.conversation_id,
        }

    try:
        outcome: Outcome | None = None
        async for event in iterate_in_threadpool(events):
            if isinstance(event, Token):
                sent.append(event.text)
                yield sse("token", {"text": event.text})
            elif isinstance(event, Done):
                outcome = event.outcome
        if outcome is None:
            raise RuntimeError("the chat stream ended without an answer")
        async with database.repository(owner) as repo:
            body = await finish(repo, turn, outcome)
        stored = True
        if body.get("incomplete"):
            message = "The answer broke off before it was finished. You can ask again."
            yield sse("error", broke_off(message))
        else:
            yield sse("done", body)
    except ModelError as error:
        log.warning("chat_stream_model_failed", conversation_id=turn.conversation_id)
        if sent:
            await keep_fragment(database, owner, turn, "".join(sent), coach.backend.name)
        stored = True
        yield sse("error", broke_off(str(error)))
    except Exception as error:  # headers are sent: the only way left to report is in-band
        log.error(
            "chat_stream_failed",
            error=type(error).__name__,
            conversation_id=turn.conversation_id,
            request_id=request_id,
        )
        if sent:
            await keep_fragment(database, owner, turn, "".join(sent), coach.backend.name)
        stored = True
        message = f"Something went wrong on our side. Request id: {request_id}."
        yield sse("error", broke_off(message))
    finally:
        end(events)
        if sent and not stored:  # the person left mid-answer: keep what they were sent
            with anyio.CancelScope(shield=True):
                await keep_fragment(database, owner, turn, "".join(sent), coach.backend.name)
