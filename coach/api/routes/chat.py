"""``POST /api/chat``: JSON by default, server-sent events with ``Accept: text/event-stream``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from coach.api import turns
from coach.api.deps import (
    CoachDep,
    DatabaseDep,
    OwnerDep,
    QueueDep,
    RepoDep,
    RequestIdDep,
    SettingsDep,
)
from coach.api.errors import ERRORS
from coach.api.queue import HeldStream, slot
from coach.api.schemas import ChatRequest
from coach.text import clean_input

router = APIRouter(prefix="/api", tags=["chat"], responses=ERRORS)
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


@router.post(
    "/chat",
    responses={200: {"content": {"text/event-stream": {}}, "description": "See coach.api.turns."}},
)
async def chat(
    body: ChatRequest,
    request: Request,
    settings: SettingsDep,
    coach: CoachDep,
    repo: RepoDep,
    database: DatabaseDep,
    owner: OwnerDep,
    request_id: RequestIdDep,
    queue: QueueDep,
) -> Any:
    """Talk with the coach. The first answer of a conversation carries the disclaimer."""
    message = clean_input(body.message, limit=settings.max_input_chars)
    if wants_stream(request):
        # The queue first: a busy model answers 503 before anything is stored.
        leave = await queue.enter() if queue is not None else None
        try:
            turn = await turns.begin(
                repo,
                body.conversation_id,
                message,
                body.retry,
                history_turns=settings.history_turns,
            )
        except BaseException:
            if leave is not None:
                leave()
            raise
        events = turns.stream(turn, coach, database, owner, request_id)
        return HeldStream(events, leave=leave, headers=STREAM_HEADERS)
    async with slot(queue):
        turn = await turns.begin(
            repo, body.conversation_id, message, body.retry, history_turns=settings.history_turns
        )
        outcome = await run_in_threadpool(coach.chat, turn.message, turn.history, turn.prior)
    return await turns.finish(repo, turn, outcome)
