"""The store's schema as Alembic migrations: the one source of truth, on SQLite and PostgreSQL.

The app migrates to the newest revision when it starts (:meth:`coach.store.Database.migrate`), and
``coach db upgrade`` does the same by hand (before starting many workers, say). On PostgreSQL an
advisory lock held for the migration's transaction makes workers that start together take turns:
the first one migrates, the others find nothing left to do.

A database made before migrations existed (the store used ``create_all``) has the tables of the
first revision but no ``alembic_version``: it is stamped at that revision rather than created
again. To change the schema, change the models in ``coach.store`` and run
``coach db revision -m "what changed"``; ``tests/test_store.py`` fails while models and
migrations disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from coach.store import Base

FIRST_REVISION = "0001"
# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that serialises migrations.
_LOCK_KEY = 0x636F616368  # "coach"


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, without an ini file; ``env.py`` runs on ``connection``."""
    settings = Config()
    settings.set_main_option("script_location", str(Path(__file__).parent))
    settings.attributes["connection"] = connection
    return settings


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Migrate the database behind ``connection`` to ``revision`` (inside its transaction)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables and "conversations" in tables:
        command.stamp(config(connection), FIRST_REVISION)
    command.upgrade(config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Undo migrations down to ``revision`` (``base``: no tables left)."""
    command.downgrade(config(connection), revision)


def head() -> str:
    """The newest revision."""
    return ScriptDirectory.from_config(config()).get_current_head() or ""


def current(connection: Connection) -> str | None:
    """The revision the database is at (None before any migration)."""
    return MigrationContext.configure(connection).get_current_revision()


def drift(connection: Connection) -> list[Any]:
    """How the migrated database differs from the models (empty when they agree)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def revision(connection: Connection, message: str) -> None:
    """Write a new migration file with what the models changed since the newest revision."""
    versions = Path(__file__).parent / "versions"
    number = len(list(versions.glob("[0-9][0-9][0-9][0-9]_*.py"))) + 1
    command.revision(config(connection), message=message, autogenerate=True, rev_id=f"{number:04d}")
