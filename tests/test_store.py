"""The conversation store on SQLite and on a real PostgreSQL server (see ``db_fixtures``): the
migrations build the models' schema, every read and write is one person's, deletes really delete,
and the plan's day rule."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

import pytest
from db_fixtures import *  # noqa: F403
from db_fixtures import postgres_only
from sqlalchemy import Connection, inspect, text

from coach import migrations
from coach.store import PLAN_DAYS, Base, Database, PlanState, owner_key

T = TypeVar("T")
ALICE, BOB = owner_key("alice-token"), owner_key("bob-token")


async def _open(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    database = Database(url)
    try:
        return await work(database)
    finally:
        await database.dispose()


def run(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """``work`` on the migrated store."""

    async def migrated(database: Database) -> T:
        await database.migrate()
        return await work(database)

    return asyncio.run(_open(url, migrated))


def inspect_db(url: str, look: Callable[[Connection], T]) -> T:
    """Look at the database directly, bypassing the repository (to prove what is really there)."""

    async def looking(database: Database) -> T:
        async with database.engine.connect() as connection:
            return await connection.run_sync(look)

    return asyncio.run(_open(url, looking))


def count(url: str, table: str) -> int:
    return inspect_db(url, lambda c: int(c.execute(text(f"SELECT count(*) FROM {table}")).one()[0]))


def test_the_migrations_build_exactly_the_models_schema(database_url: str) -> None:
    """Migrations are the schema's source of truth: change a model, add a migration."""
    run(database_url, lambda database: database.migrate())  # a second run has nothing to do
    assert inspect_db(database_url, migrations.current) == migrations.head()
    assert inspect_db(database_url, migrations.drift) == []


def test_a_store_made_before_migrations_is_adopted_not_rebuilt(database_url: str) -> None:
    async def create_all_and_write(database: Database) -> None:
        async with database.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        async with database.repository(ALICE) as alice:
            await alice.start_conversation("kept across the upgrade")

    asyncio.run(_open(database_url, create_all_and_write))
    run(database_url, lambda database: database.migrate())
    assert inspect_db(database_url, migrations.current) == migrations.head()
    assert count(database_url, "conversations") == 1


def test_the_first_migration_can_be_undone(database_url: str) -> None:
    def downgrade(connection: Connection) -> list[str]:
        migrations.downgrade(connection, "base")
        return sorted(inspect(connection).get_table_names())

    run(database_url, lambda database: database.migrate())
    assert inspect_db(database_url, downgrade) == ["alembic_version"]


@postgres_only
def test_workers_starting_together_migrate_once(database_url: str) -> None:
    async def main() -> None:
        databases = [Database(database_url) for _ in range(3)]
        try:
            await asyncio.gather(*(database.migrate() for database in databases))
        finally:
            for database in databases:
                await database.dispose()

    asyncio.run(main())
    assert inspect_db(database_url, migrations.drift) == []


def test_owner_key_hides_the_token() -> None:
    assert owner_key("alice-token") != "alice-token" and len(ALICE) == 64
    assert owner_key("alice-token") == ALICE and ALICE != BOB


def test_a_person_only_sees_their_own_conversations(database_url: str) -> None:
    async def work(database: Database) -> None:
        async with database.repository(ALICE) as alice, database.repository(BOB) as bob:
            mine = await alice.start_conversation("Our evenings feel distant")
            await alice.add_message(mine, "user", "Our evenings feel distant")
            await alice.add_message(
                mine, "coach", "That sounds lonely.", {"reply": "That sounds lonely."}
            )
            theirs = await bob.start_conversation("Something else")

            assert await bob.conversation(mine.id) is None
            assert await bob.messages(mine.id) == []
            assert not await bob.delete_conversation(mine.id)
            with pytest.raises(PermissionError):
                await bob.add_message(mine, "user", "sneaking in")
            assert [(c.id, n) for c, n in await alice.conversations()] == [(mine.id, 2)]
            assert [(c.id, n) for c, n in await bob.conversations()] == [(theirs.id, 0)]
            messages = await alice.messages(mine.id)
            assert [(m.role, m.text) for m in messages] == [
                ("user", "Our evenings feel distant"),
                ("coach", "That sounds lonely."),
            ]
            assert messages[1].answer == {"reply": "That sounds lonely."}
            assert messages[0].created_at.tzinfo is not None

    run(database_url, work)
    assert count(database_url, "messages") == 2


def test_titles_are_short_and_conversations_newest_first(database_url: str) -> None:
    async def work(database: Database) -> None:
        async with database.repository(ALICE) as alice:
            old = await alice.start_conversation("x" * 200)
            new = await alice.start_conversation("line one\nline two")
            assert len(old.title) <= 60 and old.title.endswith("…")
            assert new.title == "line one line two"
            assert [c.id for c, _ in await alice.conversations()] == [new.id, old.id]
            await alice.add_message(old, "user", "bump")
            assert [c.id for c, _ in await alice.conversations()] == [old.id, new.id]

    run(database_url, work)


def test_the_safety_flag_is_stored(database_url: str) -> None:
    async def work(database: Database) -> str:
        async with database.repository(ALICE) as alice:
            conversation = await alice.start_conversation("hi")
            assert conversation.risk == "none"
            await alice.flag(conversation, "self_harm")
        async with database.repository(ALICE) as again:
            found = await again.conversation(conversation.id)
            assert found is not None
            return found.risk

    assert run(database_url, work) == "self_harm"


def test_a_turn_can_read_only_the_newest_messages(database_url: str) -> None:
    async def work(database: Database) -> None:
        async with database.repository(ALICE) as alice:
            conversation = await alice.start_conversation("long one")
            for index in range(7):
                await alice.add_message(conversation, "user", f"m{index}")
            newest = await alice.messages(conversation.id, last=3)
            assert [m.text for m in newest] == ["m4", "m5", "m6"]
            assert len(await alice.messages(conversation.id)) == 7

    run(database_url, work)


def test_deleting_a_conversation_removes_its_messages(database_url: str) -> None:
    async def work(database: Database) -> None:
        async with database.repository(ALICE) as alice:
            gone = await alice.start_conversation("gone")
            kept = await alice.start_conversation("kept")
            for conversation in (gone, kept):
                await alice.add_message(conversation, "user", conversation.title)
            assert await alice.delete_conversation(gone.id)
            assert not await alice.delete_conversation(gone.id)

    run(database_url, work)
    assert count(database_url, "conversations") == 1 and count(database_url, "messages") == 1


def test_delete_everything_takes_only_that_persons_rows(database_url: str) -> None:
    async def work(database: Database) -> dict[str, int]:
        async with database.repository(ALICE) as alice, database.repository(BOB) as bob:
            for repo in (alice, bob):
                conversation = await repo.start_conversation("hello")
                await repo.add_message(conversation, "user", "hello")
                await repo.mark_day(1, True, date(2025, 1, 1))
            counts = await alice.delete_everything()
            assert await alice.conversations() == [] and not (await alice.plan()).started
            assert len(await bob.conversations()) == 1 and (await bob.plan()).done == (1,)
            return counts

    counts = run(database_url, work)
    assert counts == {"messages": 1, "conversations": 1, "plan_days": 1, "plans": 1, "people": 1}
    for table in ("messages", "conversations", "plan_days", "plans", "people"):
        assert count(database_url, table) == 1, table


def test_plan_progress(database_url: str) -> None:
    async def work(database: Database) -> None:
        async with database.repository(ALICE) as alice:
            assert await alice.plan() == PlanState(None, ())
            state = await alice.start_plan(date(2025, 3, 1))
            assert state.started and state.today == 1
            state = await alice.mark_day(1, True, date(2025, 3, 1))
            state = await alice.mark_day(1, True, date(2025, 3, 1))  # twice is still once
            assert state.done == (1,) and state.today == 2
            state = await alice.mark_day(2, False, date(2025, 3, 1))
            assert state.done == (1,)
            with pytest.raises(ValueError, match="between 1 and 30"):
                await alice.mark_day(31, True, date(2025, 3, 1))
            restarted = await alice.start_plan(date(2025, 4, 1))
            assert restarted == PlanState(date(2025, 4, 1), ())

    run(database_url, work)


@pytest.mark.parametrize(
    ("done", "today"),
    [((), 1), ((1, 2, 3), 4), ((1, 3), 2), ((2, 3), 1), (tuple(range(1, 31)), 30)],
)
def test_today_is_the_first_day_not_done(done: tuple[int, ...], today: int) -> None:
    assert PlanState(date(2025, 1, 1), done).today == today
    assert PlanState(date(2025, 1, 1), done).finished == (len(done) == PLAN_DAYS)


def test_calendar_day_counts_from_the_start_and_caps_at_30() -> None:
    state = PlanState(date(2025, 1, 1), ())
    assert state.calendar_day(date(2025, 1, 1)) == 1
    assert state.calendar_day(date(2025, 1, 5)) == 5
    assert state.calendar_day(date(2025, 6, 1)) == 30
    assert PlanState(None, ()).calendar_day(date(2025, 1, 1)) is None
    assert PlanState(None, ()).today is None
