"""The retention rule: conversations untouched for ``COACH_RETENTION_DAYS`` days are deleted, for
good (the store zeroes the deleted bytes). The web app applies it when it starts and then hourly.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import structlog

from coach.store import Database, utcnow

log = structlog.get_logger(__name__)
EVERY_SECONDS = 3600.0


def cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


async def apply(database: Database, days: int) -> int:
    """Delete what is older than the rule allows; returns how many conversations went."""
    gone = await database.purge(cutoff(days))
    if gone:
        log.info("retention_purged", conversations=gone, days=days)
    return gone


async def keep_applying(database: Database, days: int, every: float = EVERY_SECONDS) -> None:
    """Apply the rule every ``every`` seconds until cancelled (the app applies it once itself
    before it takes requests)."""
    while True:
        await asyncio.sleep(every)
        try:
            await apply(database, days)
        except Exception as error:  # a failed sweep is retried at the next one
            log.error("retention_failed", error=type(error).__name__)
