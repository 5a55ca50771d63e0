"""A bounded load test on loopback: uvicorn in a thread on 127.0.0.1, a fake streaming model, and
200 people chatting at once through httpx.AsyncClient. No request may fail and no message may be
lost (every turn's two messages are in the database, the coach's as streamed). Reports time to
first token (p50, p95, p99) and the whole run on stdout and in ``tests/artifacts/load.json``."""

from __future__ import annotations

import asyncio
import json
import ssl
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from langchain_core.prompt_values import PromptValue
from web_fixtures import live_server, parse_sse, rows, web_settings

from coach.api import create_app
from coach.api.deps import get_coach
from coach.models import BackendProfile, GenerationParams
from coach.service import Coach

CHATS = 200
CONCURRENCY = 200  # all of them at once
TIME_LIMIT = 180.0  # the whole run stops by itself after this
ARTIFACT = Path(__file__).parent / "artifacts" / "load.json"
SENTENCES = (
    "It makes sense that you feel tired and far apart. ",
    "Small moments of attention add up over a week. ",
    "What part of your evenings feels most rushed for you both?",
)


class StreamingFake:
    """A model that streams three sentences word by word, with a little latency per word."""

    name = "fake"
    profile: BackendProfile = "chat"

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return "".join(SENTENCES)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        for sentence in SENTENCES:
            for word in sentence.split(" "):
                time.sleep(0.002)
                yield word + " "


@dataclass
class Result:
    ttft: float
    total: float
    conversation_id: str
    reply: str
    streamed: str


# One TLS context for every client: making one per client costs more than a chat (plain HTTP here).
_TLS = ssl.create_default_context()


async def one_chat(url: str, n: int, gate: asyncio.Semaphore) -> Result:
    person = httpx.AsyncClient(base_url=url, timeout=60, verify=_TLS)  # one person (cookie) each
    async with gate, person as client:
        started = time.perf_counter()
        first: float | None = None
        body = ""
        async with client.stream(
            "POST",
            "/api/chat",
            json={"message": f"We feel tired and far apart lately ({n})."},
            headers={"Accept": "text/event-stream"},
        ) as response:
            response.raise_for_status()
            async for chunk in response.aiter_text():
                if first is None and "event: token" in chunk:
                    first = time.perf_counter()
                body += chunk
        total = time.perf_counter() - started
    events = parse_sse(body)
    name, done = events[-1]
    assert name == "done", events[-1]
    streamed = "".join(data["text"] for kind, data in events if kind == "token")
    assert first is not None
    return Result(first - started, total, done["conversation_id"], done["reply"], streamed)


async def run(url: str) -> tuple[list[Result], float]:
    gate = asyncio.Semaphore(CONCURRENCY)
    started = time.perf_counter()
    results = await asyncio.wait_for(
        asyncio.gather(*(one_chat(url, n, gate) for n in range(CHATS))), TIME_LIMIT
    )
    return list(results), time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def test_200_concurrent_chats_lose_nothing(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, rate_per_session=10_000, rate_per_address=10_000)
    app = create_app(settings)
    backend = StreamingFake()
    app.dependency_overrides[get_coach] = lambda: Coach(app.state.settings, backend)
    with live_server(app) as url:
        results, wall = asyncio.run(run(url))

    assert len(results) == CHATS
    assert all(r.streamed == r.reply and r.reply for r in results)
    stored = rows(settings, "SELECT conversation_id, role, text FROM messages ORDER BY id")
    assert len(stored) == 2 * CHATS, "messages were lost"
    coach_said = {cid: text for cid, role, text in stored if role == "coach"}
    assert {r.conversation_id: r.reply for r in results} == coach_said
    assert len({r.conversation_id for r in results}) == CHATS

    ttft = [r.ttft for r in results]
    figures: dict[str, Any] = {
        "chats": CHATS,
        "concurrency": CONCURRENCY,
        "errors": 0,
        "lost_messages": 0,
        "wall_seconds": round(wall, 2),
        "chats_per_second": round(CHATS / wall, 1),
        "ttft_ms": {
            "p50": round(1000 * statistics.median(ttft), 1),
            "p95": round(1000 * percentile(ttft, 95), 1),
            "p99": round(1000 * percentile(ttft, 99), 1),
            "max": round(1000 * max(ttft), 1),
        },
        "total_ms": {
            "p50": round(1000 * statistics.median(r.total for r in results), 1),
            "p99": round(1000 * percentile([r.total for r in results], 99), 1),
        },
        "setup": "uvicorn in a thread on 127.0.0.1, SQLite (WAL), fake model streaming "
        "3 sentences word by word (2 ms a word), one httpx.AsyncClient per person",
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n")
    print("\nload test:", json.dumps(figures))
