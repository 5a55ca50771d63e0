"""The three one-shot jobs. Each answers exactly what the CLI's ``--json`` prints.

Each holds a slot of the model queue (if the backend has one) while the model works."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from coach.api.deps import CoachDep, QueueDep, RepoDep
from coach.api.errors import ERRORS
from coach.api.queue import slot
from coach.api.schemas import QuestionsRequest, ReplyRequest, RitualRequest
from coach.schemas import Answer

router = APIRouter(prefix="/api", tags=["jobs"], responses=ERRORS)
ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"model": Answer, "description": "The answer (job-specific keys only)."}
}


@router.post("/reply", responses=ANSWER)
async def reply(body: ReplyRequest, coach: CoachDep, queue: QueueDep) -> dict[str, Any]:
    """Validating replies you could send to what your partner said."""
    async with slot(queue):
        outcome = await run_in_threadpool(coach.reply, body.message, body.context, body.n)
    return outcome.answer.public()


@router.post("/questions", responses=ANSWER)
async def questions(body: QuestionsRequest, coach: CoachDep, queue: QueueDep) -> dict[str, Any]:
    """Open-ended questions to ask, fitted to how your partner shows care."""
    async with slot(queue):
        outcome = await run_in_threadpool(coach.questions, body.context, body.style, body.n)
    return outcome.answer.public()


@router.post("/ritual", responses=ANSWER)
async def ritual(
    body: RitualRequest, coach: CoachDep, repo: RepoDep, queue: QueueDep
) -> dict[str, Any]:
    """A step of the 30-day plan: the given day, else today's day of your plan, else day 1."""
    day = body.day or (await repo.plan()).today or 1
    async with slot(queue):
        outcome = await run_in_threadpool(coach.ritual, day, body.context)
    return outcome.answer.public()
