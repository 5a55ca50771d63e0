"""The conversation store: SQLAlchemy 2 (async) models and one repository bound to one person.

SQLite by default, PostgreSQL with the same code: only portable types (strings, text, integers,
timestamps, JSON) and no database-specific SQL. The schema comes from the Alembic migrations
in ``coach.migrations``, applied when the app starts. Deletes are explicit, child rows first, so
they do not depend on a database enforcing ``ON DELETE CASCADE``.

People are anonymous: ``owner`` is the SHA-256 of the session token held in the person's cookie,
so the database never holds a usable cookie value. Every query of :class:`Repository` filters by
its owner; nothing here can read another person's rows.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
    delete,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from coach.crypto import Cipher, SealedJSON, SealedText, attach

PLAN_DAYS = 30
TITLE_CHARS = 60


def owner_key(session_token: str) -> str:
    """The owner id stored in the database for a session token."""
    return hashlib.sha256(session_token.encode()).hexdigest()


def new_id() -> str:
    """A conversation id: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware in UTC (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    # Named constraints and indexes, the same on every database, so migrations can refer to them.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_CHARS + 1))
    # The safety flag that sticks for the rest of the conversation ("none" until a sticky hit).
    risk: Mapped[str] = mapped_column(String(32), default="none")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    owner: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(8))  # "user" or "coach"
    # Encrypted at rest when COACH_ENCRYPTION_KEY is set (see coach.crypto).
    text: Mapped[str] = mapped_column(SealedText)
    # The coach's whole public answer (principles, safety) for a coach message; None for the user.
    answer: Mapped[dict[str, Any] | None] = mapped_column(SealedJSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Plan(Base):
    __tablename__ = "plans"

    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_on: Mapped[date] = mapped_column(Date)


class PlanDay(Base):
    __tablename__ = "plan_days"
    __table_args__ = (UniqueConstraint("owner", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class PlanState:
    """Where a person is in the 30-day plan.

    ``today`` is the first day not yet marked done (so no step is ever skipped, whatever the
    calendar says); ``calendar_day`` is days since the start + 1, capped at 30, for reference.
    """

    started_on: date | None
    done: tuple[int, ...]

    @property
    def started(self) -> bool:
        return self.started_on is not None

    @property
    def today(self) -> int | None:
        if not self.started:
            return None
        undone = [day for day in range(1, PLAN_DAYS + 1) if day not in self.done]
        return undone[0] if undone else PLAN_DAYS

    @property
    def finished(self) -> bool:
        return len(self.done) == PLAN_DAYS

    def calendar_day(self, on: date) -> int | None:
        if self.started_on is None:
            return None
        return max(1, min(PLAN_DAYS, (on - self.started_on).days + 1))


class Database:
    """The engine and session factory; created in the app's lifespan, never at import."""

    def __init__(self, url: str, cipher: Cipher | None = None) -> None:
        # hide_parameters: SQL logging and errors never show values (they hold message text).
        # SQLite has one writer at a time: a writer waits up to 30 s for the lock (not 5) so that
        # a burst of chats queues instead of failing with "database is locked".
        sqlite = url.startswith("sqlite")
        self.engine: AsyncEngine = create_async_engine(
            url, hide_parameters=True, connect_args={"timeout": 30} if sqlite else {}
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.cipher = cipher
        attach(self.engine, cipher)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    async def migrate(self) -> None:
        """Bring the schema to the newest migration (see :mod:`coach.migrations`)."""
        from coach import migrations

        async with self.engine.begin() as connection:
            await connection.run_sync(migrations.upgrade)

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def repository(self, owner: str) -> AsyncIterator[Repository]:
        async with self.sessions() as session:
            yield Repository(session, owner, sealed=self.cipher is not None)

    async def purge(self, before: datetime) -> int:
        """Delete every conversation (with its messages) untouched since ``before``, whoever's
        it is: the retention rule (``COACH_RETENTION_DAYS``). Returns how many went."""
        async with self.sessions() as session:
            old = select(Conversation.id).where(Conversation.updated_at < before)
            await session.execute(delete(Message).where(Message.conversation_id.in_(old)))
            gone = await session.execute(
                delete(Conversation).where(Conversation.updated_at < before)
            )
            await session.commit()
            await _forget(session)
        return _rowcount(gone)


class Repository:
    """Every read and write of one person's data. Each write commits at once."""

    def __init__(self, session: AsyncSession, owner: str, sealed: bool = False) -> None:
        self.session = session
        self.owner = owner
        self.sealed = sealed  # message text is encrypted at rest: titles must not quote it

    # -- conversations -----------------------------------------------------------------------

    async def start_conversation(self, first_message: str) -> Conversation:
        await self._ensure_person()
        title = first_message.replace("\n", " ").strip()
        if len(title) > TITLE_CHARS:
            title = title[: TITLE_CHARS - 1].rstrip() + "…"
        if self.sealed:  # a title would keep the first words in clear: name it by its time
            title = f"Conversation of {utcnow():%d %b %Y, %H:%M} UTC"
        conversation = Conversation(id=new_id(), owner=self.owner, title=title)
        self.session.add(conversation)
        await self.session.commit()
        return conversation

    async def conversation(self, conversation_id: str) -> Conversation | None:
        query = select(Conversation).where(
            Conversation.id == conversation_id, Conversation.owner == self.owner
        )
        return (await self.session.scalars(query)).one_or_none()

    async def conversations(self) -> list[tuple[Conversation, int]]:
        """Newest first, each with its number of messages."""
        counts = (
            select(Message.conversation_id, func.count(Message.id).label("n"))
            .where(Message.owner == self.owner)
            .group_by(Message.conversation_id)
            .subquery()
        )
        query = (
            select(Conversation, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.conversation_id == Conversation.id)
            .where(Conversation.owner == self.owner)
            .order_by(Conversation.updated_at.desc(), Conversation.id)
        )
        return [(row[0], int(row[1])) for row in (await self.session.execute(query)).all()]

    async def messages(self, conversation_id: str, last: int | None = None) -> list[Message]:
        """Oldest first; only the ``last`` newest when given (a chat turn needs no more)."""
        query = select(Message).where(
            Message.conversation_id == conversation_id, Message.owner == self.owner
        )
        if last is None:
            return list((await self.session.scalars(query.order_by(Message.id))).all())
        newest = await self.session.scalars(query.order_by(Message.id.desc()).limit(last))
        return list(reversed(newest.all()))

    async def add_message(
        self, conversation: Conversation, role: str, text: str, answer: dict[str, Any] | None = None
    ) -> Message:
        if conversation.owner != self.owner:
            raise PermissionError("a conversation can only be written by its owner")
        message = Message(
            conversation_id=conversation.id, owner=self.owner, role=role, text=text, answer=answer
        )
        conversation.updated_at = utcnow()
        self.session.add_all([message, conversation])
        await self.session.commit()
        return message

    async def flag(self, conversation: Conversation, risk: str) -> None:
        """Make ``risk`` stick for the rest of the conversation."""
        conversation.risk = risk
        self.session.add(conversation)
        await self.session.commit()

    async def delete_conversation(self, conversation_id: str) -> bool:
        if await self.conversation(conversation_id) is None:
            return False
        await self.session.execute(
            delete(Message).where(
                Message.conversation_id == conversation_id, Message.owner == self.owner
            )
        )
        await self.session.execute(
            delete(Conversation).where(
                Conversation.id == conversation_id, Conversation.owner == self.owner
            )
        )
        await self.session.commit()
        await _forget(self.session)
        return True

    # -- the 30-day plan ---------------------------------------------------------------------

    async def plan(self) -> PlanState:
        plan = await self.session.get(Plan, self.owner)
        days = await self.session.scalars(
            select(PlanDay.day).where(PlanDay.owner == self.owner).order_by(PlanDay.day)
        )
        return PlanState(plan.started_on if plan else None, tuple(days.all()))

    async def start_plan(self, on: date) -> PlanState:
        """Start (or restart) the plan on ``on``, forgetting the days done before."""
        await self._ensure_person()
        await self.session.execute(delete(PlanDay).where(PlanDay.owner == self.owner))
        plan = await self.session.get(Plan, self.owner)
        if plan is None:
            self.session.add(Plan(owner=self.owner, started_on=on))
        else:
            plan.started_on = on
        await self.session.commit()
        return await self.plan()

    async def mark_day(self, day: int, done: bool, on: date) -> PlanState:
        """Mark ``day`` done (or not done again); starts the plan on ``on`` if needed."""
        if not 1 <= day <= PLAN_DAYS:
            raise ValueError(f"day must be between 1 and {PLAN_DAYS}, not {day}")
        state = await self.plan()
        if not state.started:
            await self.start_plan(on)
        await self.session.execute(
            delete(PlanDay).where(PlanDay.owner == self.owner, PlanDay.day == day)
        )
        if done:
            self.session.add(PlanDay(owner=self.owner, day=day))
        await self.session.commit()
        return await self.plan()

    # -- everything of one person ------------------------------------------------------------

    async def person_created(self) -> datetime | None:
        person = await self.session.get(Person, self.owner)
        return person.created_at if person else None

    async def delete_everything(self) -> dict[str, int]:
        """Delete every row of this person; returns how many rows of each kind went."""
        counts: dict[str, int] = {}
        for name, model in (
            ("messages", Message),
            ("conversations", Conversation),
            ("plan_days", PlanDay),
            ("plans", Plan),
        ):
            rows = await self.session.execute(delete(model).where(model.owner == self.owner))
            counts[name] = _rowcount(rows)
        rows = await self.session.execute(delete(Person).where(Person.id == self.owner))
        counts["people"] = _rowcount(rows)
        await self.session.commit()
        await _forget(self.session)
        return counts

    async def _ensure_person(self) -> None:
        if await self.session.get(Person, self.owner) is None:
            self.session.add(Person(id=self.owner))
            await self.session.flush()


class _NoDebug(logging.Filter):
    """Drops DEBUG records: aiosqlite logs there every statement with its parameters, and
    SQLAlchemy every row it fetches; both hold message text. (SQLAlchemy's INFO statements are
    logged without their parameters: ``hide_parameters``.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


for _name in ("aiosqlite", "sqlalchemy.engine.Engine"):
    logging.getLogger(_name).addFilter(_NoDebug())


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Each SQLite connection: deleted rows are overwritten with zeros (secure_delete), and the
    write-ahead log lets readers and a writer work at once."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


async def _forget(session: AsyncSession) -> None:
    """After a delete on SQLite: copy the write-ahead log into the database file and empty it, so
    no file keeps the deleted text (secure_delete has zeroed it in the database pages)."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await session.commit()


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", -1)
    return int(count) if isinstance(count, int) and count >= 0 else 0
