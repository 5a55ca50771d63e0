"""The shapes every job answers with: the CLI's ``--json``, the web API and the evals use them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Task = Literal["chat", "reply", "ritual", "questions"]
TASKS: tuple[Task, ...] = ("chat", "reply", "ritual", "questions")
Style = Literal["action", "activity", "quiet"]
Risk = Literal[
    "none", "self_harm", "abuse", "sexual_violence", "minor", "harm_to_others", "surveillance"
]


class Resource(BaseModel):
    name: str
    contact: str


class Safety(BaseModel):
    """What the safety screen found. ``risk == "none"`` means coaching may go ahead."""

    risk: Risk = "none"
    message: str = ""
    resources: list[Resource] = Field(default_factory=list)


class PrincipleRef(BaseModel):
    id: str
    title: str
    sources: list[str]


class Suggestion(BaseModel):
    text: str
    principles: list[str] = Field(description="Ids of the principle cards this suggestion applies.")
    why: str = Field(description="Why it works, in one sentence, naming the principle.")
    source: Literal["model", "grounded"]


class Answer(BaseModel):
    """One job's answer. ``reply`` is set for chat only; ``day`` and ``phase`` for ritual only."""

    task: Task
    suggestions: list[Suggestion] = Field(default_factory=list)
    reply: str | None = None
    principles: list[PrincipleRef] = Field(default_factory=list)
    day: int | None = None
    phase: str | None = None
    backend: str
    safety: Safety = Field(default_factory=Safety)
    notice: str | None = Field(
        None, description="Set when the remote model failed and another backend answered."
    )

    def public(self) -> dict[str, object]:
        """The documented JSON shape: job-specific keys appear only for their job."""
        return self.model_dump(exclude_none=True)
