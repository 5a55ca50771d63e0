"""The bare side of the service-overhead benchmark: one FastAPI JSON endpoint, no coach.

It takes the same request body as ``POST /api/reply`` (the same pydantic model) and answers a
canned reply of the same shape and size, so the two sides differ only by the coach's own work
and its web plumbing (sessions, request ids, security headers, the thread pool).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from coach.api.schemas import ReplyRequest
from coach.config import Settings
from coach.models.langchain import FakeBackend
from coach.service import Coach

_SETTINGS = Settings(_env_file=None, backend="fake", seed=7)  # type: ignore[call-arg]
CANNED = (
    Coach(_SETTINGS, FakeBackend()).reply("I had the longest day at work.", None, 3).answer.public()
)
app = FastAPI()


@app.post("/api/reply")
async def reply(body: ReplyRequest) -> dict[str, Any]:
    return CANNED
