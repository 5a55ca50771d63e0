"""An OpenAI-compatible face, so any OpenAI client or chat UI can talk to the coach.

Stateless, like OpenAI's API: nothing is stored, the client sends the whole conversation. The
last message must be the person's; earlier user and assistant messages are the history. System
and developer messages are ignored (the coach keeps its own instructions). The safety screen sees
every user message of the request: a sticky hit anywhere earlier keeps the conversation in safety
mode. A request with no assistant message yet is a new conversation, so its answer opens with the
disclaimer. ``model`` may be any name; the answer always says ``coach``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from coach import safety
from coach.api.deps import CoachDep, QueueDep, RequestIdDep, SettingsDep
from coach.api.errors import OPENAI_ERRORS
from coach.api.middleware import unexpected_error_body
from coach.api.queue import HeldStream, slot
from coach.api.turns import end
from coach.config import Settings
from coach.schemas import Risk
from coach.service import Coach, Done, Token, Turn
from coach.text import clean_input, normalise

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], responses=OPENAI_ERRORS)
MODEL_NAME = "coach"
_CREATED = int(time.time())


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens... are accepted, not used
    model: str = MODEL_NAME
    messages: list[ChatMessage] = Field(min_length=1, max_length=500)
    stream: bool = False


@dataclass(frozen=True)
class Talk:
    """The request as the coach sees it."""

    message: str
    history: list[Turn]
    prior: Risk
    new: bool


def _talk(request: CompletionRequest, settings: Settings) -> Talk:
    talk = [m for m in request.messages if m.role in ("user", "assistant")]
    if not talk or talk[-1].role != "user":
        raise HTTPException(422, "The last message must be a user message.")
    # Earlier user turns only set the sticky flag: detect, not screen, so that a history sent
    # again with every request is not counted again as new hits.
    found = set().union(
        *(safety.detect(normalise(m.text())) for m in talk[:-1] if m.role == "user")
    )
    carried = [risk for risk in safety.PRIORITY if risk in found and safety.sticky(risk)]
    prior: Risk = carried[0] if carried else "none"
    history = [Turn("user" if m.role == "user" else "coach", m.text()) for m in talk[:-1]]
    message = clean_input(talk[-1].text(), limit=settings.max_input_chars)
    new = not any(m.role == "assistant" for m in talk)
    return Talk(message, history, prior, new)


def _completion_id() -> str:
    return f"chatcmpl-{secrets.token_hex(12)}"


@router.get("/models")
async def models() -> dict[str, Any]:
    """The one model this server offers."""
    card = {"id": MODEL_NAME, "object": "model", "created": _CREATED, "owned_by": "coach"}
    return {"object": "list", "data": [card]}


@router.post("/chat/completions")
async def completions(
    body: CompletionRequest,
    settings: SettingsDep,
    coach: CoachDep,
    request_id: RequestIdDep,
    queue: QueueDep,
) -> Any:
    """Chat completions, whole or streamed (``stream: true``) in OpenAI's chunk format."""
    talk = _talk(body, settings)
    log.info("openai_chat", history=len(talk.history), stream=body.stream, prior=talk.prior)
    if body.stream:
        leave = await queue.enter() if queue is not None else None
        return HeldStream(_stream(talk, coach, request_id), leave=leave)
    async with slot(queue):
        outcome = await run_in_threadpool(coach.chat, talk.message, talk.history, talk.prior)
    answer = outcome.answer
    content = answer.reply or ""
    if talk.new:
        content = f"{safety.DISCLAIMER}\n\n{content}"
    return {
        "id": _completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_NAME,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "coach": _extras(answer.model_dump(include={"principles", "safety", "notice"})),
    }


def _extras(answer: dict[str, Any]) -> dict[str, Any]:
    """What the coach adds beyond OpenAI's shape: cited principles, the safety verdict, and a
    notice when another backend stood in for a failed remote model."""
    extras = {"principles": answer.get("principles", []), "safety": answer.get("safety", {})}
    if answer.get("notice"):
        extras["notice"] = answer["notice"]
    return extras


async def _stream(talk: Talk, coach: Coach, request_id: str) -> AsyncGenerator[str, None]:
    completion_id = _completion_id()
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_NAME,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    opening = f"{safety.DISCLAIMER}\n\n" if talk.new else ""
    yield chunk({"role": "assistant", "content": opening})
    events = coach.chat_stream(talk.message, talk.history, talk.prior)
    try:
        async for event in iterate_in_threadpool(events):
            if isinstance(event, Token):
                yield chunk({"content": event.text})
            elif isinstance(event, Done):
                answer = event.outcome.answer
                extras = _extras(answer.model_dump(include={"principles", "safety", "notice"}))
                yield chunk({}, "stop", coach=extras)
    except Exception as error:  # headers are sent: the only way left to report is in-band
        log.error("openai_stream_failed", error=type(error).__name__, request_id=request_id)
        yield f"data: {unexpected_error_body(request_id, openai_style=True).decode()}\n\n"
    finally:
        end(events)  # a client that goes away mid-answer ends the model's stream
    yield "data: [DONE]\n\n"
