"""The conversation store: people, conversations, messages and the 30-day plan.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OWNER = sa.String(length=64)


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", OWNER, nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner", OWNER, nullable=False),
        sa.Column("title", sa.String(length=61), nullable=False),
        sa.Column("risk", sa.String(length=32), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(op.f("ix_conversations_owner"), "conversations", ["owner"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("owner", OWNER, nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(op.f("ix_messages_conversation_id"), "messages", ["conversation_id"])
    op.create_index(op.f("ix_messages_owner"), "messages", ["owner"])
    op.create_table(
        "plans",
        sa.Column("owner", OWNER, nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("owner", name=op.f("pk_plans")),
    )
    op.create_table(
        "plan_days",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", OWNER, nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        _when("done_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_days")),
        sa.UniqueConstraint("owner", "day", name=op.f("uq_plan_days_owner_day")),
    )
    op.create_index(op.f("ix_plan_days_owner"), "plan_days", ["owner"])


def downgrade() -> None:
    for table in ("plan_days", "plans", "messages", "conversations", "people"):
        op.drop_table(table)
