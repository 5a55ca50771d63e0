"""Dependencies as ``Annotated`` aliases, so route signatures read like English.

Everything heavy (database, coach, session codec) is created in the app's lifespan and kept on
``app.state``; these functions only hand it out, so tests swap any of them with
``app.dependency_overrides``. They are ``async`` because they never block: FastAPI runs a plain
``def`` dependency in its thread pool, one thread hop per dependency per request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from coach.api.queue import ModelQueue
from coach.api.session import Session
from coach.config import Settings
from coach.service import Coach
from coach.store import Database, Repository


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_coach(request: Request) -> Coach:
    coach: Coach = request.app.state.coach
    return coach


async def get_queue(request: Request) -> ModelQueue | None:
    queue: ModelQueue | None = getattr(request.app.state, "queue", None)
    return queue


async def get_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


async def get_owner(session: Annotated[Session, Depends(get_session)]) -> str:
    """The person's owner id; using it makes sure they get a session cookie."""
    return session.owner


async def get_request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
CoachDep = Annotated[Coach, Depends(get_coach)]
QueueDep = Annotated[ModelQueue | None, Depends(get_queue)]
SessionDep = Annotated[Session, Depends(get_session)]
OwnerDep = Annotated[str, Depends(get_owner)]
RequestIdDep = Annotated[str, Depends(get_request_id)]


async def get_repository(database: DatabaseDep, owner: OwnerDep) -> AsyncIterator[Repository]:
    async with database.repository(owner) as repository:
        yield repository


RepoDep = Annotated[Repository, Depends(get_repository)]
