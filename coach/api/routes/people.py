"""A person's own data: conversations, the 30-day plan, export and delete."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal, cast

from fastapi import APIRouter, HTTPException, Response

from coach.api.deps import RepoDep, SessionDep
from coach.api.errors import ERRORS
from coach.api.schemas import (
    ConversationDetail,
    ConversationList,
    ConversationSummary,
    Export,
    PlanRequest,
    PlanStep,
    PlanView,
    StoredMessage,
)
from coach.grounding import why
from coach.knowledge import load_knowledge
from coach.store import PLAN_DAYS, Conversation, PlanState, Repository

router = APIRouter(prefix="/api", tags=["your data"], responses=ERRORS)


def _today() -> date:
    return datetime.now(UTC).date()


async def _detail(repo: Repository, conversation: Conversation) -> ConversationDetail:
    messages = [
        StoredMessage(
            role=cast(Literal["user", "coach"], m.role),
            text=m.text,
            created_at=m.created_at,
            answer=m.answer,
            incomplete=bool(m.answer and m.answer.get("incomplete")),
        )
        for m in await repo.messages(conversation.id)
    ]
    return ConversationDetail(
        id=conversation.id,
        title=conversation.title,
        risk=conversation.risk,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        messages=messages,
    )


def plan_view(state: PlanState) -> PlanView:
    day = state.today or 1
    card = load_knowledge().phase_for_day(day)
    assert card.phase is not None
    step = PlanStep(
        day=day, phase=card.phase.name, text=card.phase.step, why=why(card), principles=[card.ref()]
    )
    return PlanView(
        started=state.started,
        started_on=state.started_on,
        today=state.today,
        calendar_day=state.calendar_day(_today()),
        days=PLAN_DAYS,
        done=list(state.done),
        finished=state.finished,
        step=step,
    )


@router.get("/conversations")
async def conversations(repo: RepoDep) -> ConversationList:
    """Your conversations, newest first."""
    rows = await repo.conversations()
    return ConversationList(
        conversations=[
            ConversationSummary(
                id=c.id,
                title=c.title,
                risk=c.risk,
                messages=count,
                created_at=c.created_at,
                updated_at=c.updated_at,
            )
            for c, count in rows
        ]
    )


@router.get("/conversations/{conversation_id}")
async def conversation(conversation_id: str, repo: RepoDep) -> ConversationDetail:
    """One of your conversations with all its messages."""
    found = await repo.conversation(conversation_id)
    if found is None:
        raise HTTPException(404, "No conversation with that id.")
    return await _detail(repo, found)


@router.delete("/conversations/{conversation_id}", status_code=204)
async def delete_conversation(conversation_id: str, repo: RepoDep) -> Response:
    """Delete one conversation and its messages for good."""
    if not await repo.delete_conversation(conversation_id):
        raise HTTPException(404, "No conversation with that id.")
    return Response(status_code=204)


@router.get("/plan")
async def plan(repo: RepoDep) -> PlanView:
    """Where you are in the 30-day plan. Today's day is the first day not yet done."""
    return plan_view(await repo.plan())


@router.post("/plan")
async def update_plan(body: PlanRequest, repo: RepoDep) -> PlanView:
    """Start (or restart) the plan, mark a day done (default: today), or undo a day."""
    if body.action == "start":
        return plan_view(await repo.start_plan(_today()))
    day = body.day or (await repo.plan()).today or 1
    return plan_view(await repo.mark_day(day, body.action == "done", _today()))


@router.get("/export")
async def export(repo: RepoDep, response: Response) -> Export:
    """Everything the coach holds about you, as one JSON document."""
    details = [await _detail(repo, c) for c, _ in await repo.conversations()]
    created = await repo.person_created()
    response.headers["Content-Disposition"] = 'attachment; filename="coach-export.json"'
    return Export(
        exported_at=datetime.now(UTC),
        person={"created_at": created},
        conversations=details,
        plan=plan_view(await repo.plan()),
    )


@router.delete("/me", status_code=204)
async def delete_me(repo: RepoDep, session: SessionDep) -> Response:
    """Delete everything of yours (conversations, messages, plan) and end the session."""
    await repo.delete_everything()
    session.clear()
    return Response(status_code=204)
