"""Request and response shapes of the web API (the jobs answer :class:`coach.schemas.Answer`).

Text fields have a generous hard cap here so that a huge body is refused before anything reads
it; the real limit (``COACH_MAX_INPUT_CHARS``, after normalising) is enforced by the coach.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from coach.schemas import PrincipleRef, Style

RAW_TEXT_CAP = 100_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReplyRequest(Strict):
    message: str = Field(max_length=RAW_TEXT_CAP, description="What your partner said.")
    context: str | None = Field(None, max_length=RAW_TEXT_CAP)
    n: int = Field(3, ge=1, le=6, description="How many replies.")


class QuestionsRequest(Strict):
    context: str | None = Field(None, max_length=RAW_TEXT_CAP)
    style: Style | None = Field(None, description="How your partner shows care.")
    n: int = Field(5, ge=1, le=10, description="How many questions.")


class RitualRequest(Strict):
    day: int | None = Field(
        None, ge=1, le=30, description="Day of the plan; default: today's day of your plan, or 1."
    )
    context: str | None = Field(None, max_length=RAW_TEXT_CAP)


class ChatRequest(Strict):
    message: str = Field(max_length=RAW_TEXT_CAP)
    conversation_id: str | None = Field(
        None, max_length=64, description="Continue this conversation; omit to start a new one."
    )
    retry: bool = Field(
        False,
        description="Answer this message again after an answer that broke off: when it is the "
        "conversation's last message, it is not stored twice.",
    )


class ConversationSummary(BaseModel):
    id: str
    title: str
    risk: str
    messages: int
    created_at: datetime
    updated_at: datetime


class ConversationList(BaseModel):
    conversations: list[ConversationSummary]


class StoredMessage(BaseModel):
    role: Literal["user", "coach"]
    text: str
    created_at: datetime
    answer: dict[str, Any] | None = Field(
        None, description="The coach's whole answer (principles, safety); coach messages only."
    )
    incomplete: bool = Field(
        False, description="The coach's answer broke off: this is as far as it got."
    )


class ConversationDetail(BaseModel):
    id: str
    title: str
    risk: str
    created_at: datetime
    updated_at: datetime
    messages: list[StoredMessage]


class PlanStep(BaseModel):
    day: int
    phase: str
    text: str
    why: str
    principles: list[PrincipleRef]


class PlanRequest(Strict):
    action: Literal["start", "done", "undo"] = Field(
        description="start (or restart) the plan; mark a day done; or undo a day."
    )
    day: int | None = Field(None, ge=1, le=30, description="For done/undo; default: today.")


class PlanView(BaseModel):
    started: bool
    started_on: date | None
    today: int | None = Field(description="The first day not yet done (null before the start).")
    calendar_day: int | None = Field(description="Days since the start + 1, capped at 30.")
    days: int
    done: list[int]
    finished: bool
    step: PlanStep = Field(description="The step for today (day 1 before the plan starts).")


class Export(BaseModel):
    exported_at: datetime
    person: dict[str, Any]
    conversations: list[ConversationDetail]
    plan: PlanView
