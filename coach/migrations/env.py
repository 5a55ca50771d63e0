"""Alembic's environment: always handed an open connection by :mod:`coach.migrations`.

The app and ``coach db`` open the connection themselves (an async engine, so one database URL
serves both the app and its migrations); this file only binds it to the models' metadata.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import TypeDecorator

from coach.store import Base


def _render_item(kind: str, item: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Write a model's own column types (``UTCDateTime``) as the plain type they store."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl!r}"
    return False


connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("Run migrations with `coach db upgrade` (or start the app), not `alembic`.")
# Batch mode lets later migrations alter columns on SQLite, which has almost no ALTER TABLE.
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
