"""The eval cases: one pydantic schema, YAML files in ``evals/cases/``, and their loader.

A case file is a mapping with an optional ``description`` and a list of ``cases``. Each case names
its job (``reply``, ``questions``, ``ritual`` or ``chat``), the job's input, the principle cards a
good answer draws on, and tags. The job decides the shape of ``input`` (a discriminated union), so a
``ritual`` case without a ``day`` or a ``reply`` case with a ``style`` is refused with a message
that names the file and the case.

``evals/schema.json`` is exported from :class:`CaseFile` (``coach eval schema``); editors that read
JSON Schema can check case files as they are written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.knowledge import KnowledgeBase, load_knowledge
from coach.schemas import Risk, Style

ASK_FIRST = "ask-first"
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CaseError(ValueError):
    """A case file is missing, malformed, or names something that does not exist."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReplyInput(_Strict):
    message: str = Field(min_length=1, description="What the partner said, as the user pastes it.")
    context: str | None = Field(None, description="A few words from the user about the situation.")
    n: int = Field(3, ge=1, le=6, description="How many replies to ask for.")


class QuestionsInput(_Strict):
    context: str | None = Field(None, description="A few words about the situation, or nothing.")
    style: Style | None = Field(None, description="How the partner shows care.")
    n: int = Field(5, ge=1, le=10, description="How many questions to ask for.")


class RitualInput(_Strict):
    day: int = Field(ge=1, le=30, description="Day of the 30-day plan.")
    context: str | None = Field(None, description="A few words about the couple's life.")


class Turn(_Strict):
    role: Literal["user", "coach"]
    text: str = Field(min_length=1)


class ChatInput(_Strict):
    message: str = Field(min_length=1, description="The user's message to the coach.")
    history: list[Turn] = Field(default_factory=list, description="Earlier turns, oldest first.")


class _CaseBase(_Strict):
    id: str = Field(description="Unique across all case files; kebab-case.")
    expected_principles: list[str] = Field(
        min_length=1,
        description="Ids of the principle cards a good answer draws on (see `coach principles`).",
    )
    tags: list[str] = Field(
        default_factory=list,
        description=f"Who and what the case is about; '{ASK_FIRST}' means the right answer asks "
        "before it advises.",
    )
    expect_risk: Risk = Field(
        "none", description="What the safety screen should find; 'none' means coaching goes ahead."
    )
    note: str | None = Field(None, description="Why the case is here, for the next reader.")

    @field_validator("id")
    @classmethod
    def _kebab_id(cls, value: str) -> str:
        if not _KEBAB.match(value):
            raise ValueError(f"case id {value!r} is not kebab-case")
        return value

    @field_validator("tags")
    @classmethod
    def _kebab_tags(cls, value: list[str]) -> list[str]:
        bad = [tag for tag in value if not _KEBAB.match(tag)]
        if bad:
            raise ValueError(f"tags must be kebab-case: {bad!r}")
        return value

    @property
    def ask_first(self) -> bool:
        return ASK_FIRST in self.tags


class ReplyCase(_CaseBase):
    job: Literal["reply"]
    input: ReplyInput


class QuestionsCase(_CaseBase):
    job: Literal["questions"]
    input: QuestionsInput


class RitualCase(_CaseBase):
    job: Literal["ritual"]
    input: RitualInput


class ChatCase(_CaseBase):
    job: Literal["chat"]
    input: ChatInput


Case = Annotated[ReplyCase | QuestionsCase | RitualCase | ChatCase, Field(discriminator="job")]
AnyCase = ReplyCase | QuestionsCase | RitualCase | ChatCase


class CaseFile(_Strict):
    """One YAML file of cases."""

    description: str | None = None
    cases: list[Case] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a case file."""
    schema = CaseFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Connection coach eval case file"
    return schema


def write_json_schema(path: Path) -> None:
    path.write_text(
        json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def parse_case_file(text: str, name: str = "<text>") -> CaseFile:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CaseError(f"{name}: not valid YAML ({error})") from None
    try:
        return CaseFile.model_validate(raw)
    except ValidationError as error:
        raise CaseError(f"{name}: {error}") from None


def case_files(directory: Path) -> list[Path]:
    """YAML files in ``directory`` (sorted)."""
    if not directory.is_dir():
        raise CaseError(f"no case folder at {str(directory)!r}; pass --cases-dir")
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def check_references(cases: Iterable[AnyCase], knowledge: KnowledgeBase | None = None) -> None:
    """Every expected principle exists and serves the case's job; ids are unique."""
    kb = knowledge or load_knowledge()
    seen: set[str] = set()
    problems: list[str] = []
    for case in cases:
        if case.id in seen:
            problems.append(f"duplicate case id {case.id!r}")
        seen.add(case.id)
        for pid in case.expected_principles:
            card = kb.by_id.get(pid)
            if card is None:
                problems.append(f"{case.id}: unknown principle id {pid!r}")
            elif case.job not in card.tasks:
                problems.append(f"{case.id}: principle {pid!r} does not serve the {case.job!r} job")
    if problems:
        raise CaseError("; ".join(problems))


def matches(case: AnyCase, pattern: str | None) -> bool:
    """``pattern`` is a glob on the id (``reply-*``), a job name, or ``tag:NAME``."""
    if not pattern:
        return True
    from fnmatch import fnmatchcase

    for part in (p.strip() for p in pattern.split(",")):
        if part.startswith("tag:") and part[4:] in case.tags:
            return True
        if part == case.job or fnmatchcase(case.id, part):
            return True
    return False


def load_cases(directory: Path, pattern: str | None = None) -> list[AnyCase]:
    """Every case in ``directory/*.yaml`` (validated, references checked), then filtered."""
    cases: list[AnyCase] = []
    for path in case_files(directory):
        cases += parse_case_file(path.read_text(encoding="utf-8"), str(path)).cases
    check_references(cases)
    chosen = [c for c in cases if matches(c, pattern)]
    if not chosen:
        raise CaseError(f"no case matches {pattern!r} in {str(directory)!r}")
    return chosen
