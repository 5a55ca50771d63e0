"""``coach db``: the store's migrations by hand (the app also migrates when it starts).

Alembic and the store are imported by the commands, so other ``coach`` commands start quickly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from coach.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Connection

db_app = typer.Typer(
    help="The conversation store's schema (COACH_DATABASE_URL): migrate, show, add a migration.",
    no_args_is_help=True,
)
T = TypeVar("T")


def _on_database(work: Callable[[Connection], T]) -> T:
    from coach.store import Database

    async def main() -> T:
        database = Database(get_settings().database_url)
        try:
            async with database.engine.begin() as connection:
                return await connection.run_sync(work)
        finally:
            await database.dispose()

    return asyncio.run(main())


@db_app.command()
def upgrade() -> None:
    """Migrate to the newest revision (run it once before starting many workers)."""
    from coach import migrations

    _on_database(migrations.upgrade)
    typer.echo(f"at revision {migrations.head()}")


@db_app.command()
def current() -> None:
    """The revision the database is at, and the newest one."""
    from coach import migrations

    at = _on_database(migrations.current)
    typer.echo(f"database: {at or 'no migrations applied'}; newest: {migrations.head()}")


@db_app.command()
def revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration changes.")],
) -> None:
    """Write a new migration from what the models in coach.store changed (for developers)."""
    from coach import migrations

    _on_database(lambda connection: migrations.revision(connection, message))
