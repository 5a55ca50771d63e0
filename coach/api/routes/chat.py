"""``POST /api/chat``: JSON by default, server-sent events with ``Accept: text/event-stream``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from coach.api import turns
from coach.api.deps import CoachDep, DatabaseDep, OwnerDep, RepoDep, RequestIdDep, SettingsDep
from coach.api.schemas import ChatRequest
from coach.text import clean_input

router = APIRouter(prefix="/api", tags=["chat"])
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
) -> Any:
    """Talk with the coach. The first answer of a conversation carries the disclaimer."""
    message = clean_input(body.message, limit=settings.max_input_chars)
    turn = await turns.begin(repo, body.conversation_id, message)
    if wants_stream(request):
        events = turns.stream(turn, coach, database, owner, request_id)
        return StreamingResponse(events, media_type="text/event-stream", headers=STREAM_HEADERS)
    outcome = await run_in_threadpool(coach.chat, turn.message, turn.history, turn.prior)
    return await turns.finish(repo, turn, outcome)
