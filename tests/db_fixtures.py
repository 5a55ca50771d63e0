"""The databases the storage tests run against: a SQLite file and a real PostgreSQL server.

``tests/run.sh`` starts PostgreSQL and exports ``COACH_TEST_POSTGRES_URL`` (an admin URL); every
test then gets a database of its own, created empty and dropped afterwards. Without the variable
the PostgreSQL cases are skipped, saying why. The variable is read at import, before the autouse
fixture in ``conftest`` clears every ``COACH_*`` variable.

A test module takes the fixture with ``from db_fixtures import *  # noqa: F403``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

__all__ = ["database_url"]

POSTGRES_URL = os.environ.get("COACH_TEST_POSTGRES_URL", "")
NO_POSTGRES = "COACH_TEST_POSTGRES_URL is unset (tests/run.sh starts PostgreSQL and sets it)"
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=needs_postgres),
]
# For a test of a PostgreSQL-only set-up (many processes on one database).
postgres_only = pytest.mark.parametrize("database_url", DATABASES[1:], indirect=True)


async def _admin(sql: str) -> None:
    import asyncpg

    url = make_url(POSTGRES_URL)
    connection = await asyncpg.connect(
        user=url.username, host=url.host, port=url.port, database=url.database
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped (with its connections) afterwards."""
    name = f"coach_test_{secrets.token_hex(6)}"
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL database of this test's own."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}"
        return
    with postgres_database() as url:
        yield url
