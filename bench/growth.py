"""Growth: time and prompt tokens of one chat turn after 10, 100 and 1,000 earlier turns.

Through the API path (``POST /api/chat``), where the history comes from the store: three
conversations of one person are filled with earlier exchanges, then each gets new turns in
turn (round-robin, so the machine's load falls on all three alike). The model is a scripted
completion-profile backend, so the prompt is the one the embedded model would get; its tokens are
counted with the packaged Gemma tokenizer.

    python bench/growth.py [--turns 15] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import TimedBackend, bench_settings, median, ms, pct, table, write_section
from fastapi.testclient import TestClient
from langchain_core.prompt_values import PromptValue
from pydantic import SecretStr

from coach.api import create_app
from coach.api.deps import get_coach
from coach.api.session import COOKIE_NAME
from coach.models import BackendProfile, GenerationParams
from coach.models.embedded import default_model_path
from coach.service import Coach
from coach.store import Database, owner_key

SIZES = (10, 100, 1000)
ANSWER = "That sounds like a lot to carry. What would help you most this week?"


class ScriptedCompletion:
    """A base-model stand-in: completion prompts, one fixed answer, streamed word by word."""

    name = "scripted"
    profile: BackendProfile = "completion"

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return ANSWER

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        for index, word in enumerate(ANSWER.split(" ")):
            yield word if index == 0 else f" {word}"


async def fill(url: str, owner: str, conversation_id: str, exchanges: int) -> None:
    """Add ``exchanges`` earlier user/coach pairs to a conversation, straight into the store."""
    database = Database(url)
    try:
        async with database.repository(owner) as repo:
            conversation = await repo.conversation(conversation_id)
            assert conversation is not None
            for index in range(exchanges):
                await repo.add_message(conversation, "user", f"Earlier worry number {index}.")
                await repo.add_message(conversation, "coach", ANSWER, {"reply": ANSWER})
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=15, help="measured turns per conversation")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()

    from llama_cpp import Llama

    tokenizer = Llama(model_path=str(default_model_path()), vocab_only=True, verbose=False)

    def tokens(prompt: PromptValue) -> int:
        return len(tokenizer.tokenize(prompt.to_string().encode(), add_bos=True))

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'coach.sqlite3'}"
        settings = bench_settings(
            backend="fake",
            database_url=url,
            session_secret=SecretStr("bench-secret-" + "x" * 32),
            rate_per_session=10**6,
            rate_per_address=10**6,
        )
        backend = TimedBackend(ScriptedCompletion())
        app = create_app(settings)
        app.dependency_overrides[get_coach] = lambda: Coach(settings, backend)
        seconds: dict[int, list[float]] = {n: [] for n in SIZES}
        prompt_tokens: dict[int, list[int]] = {n: [] for n in SIZES}
        with TestClient(app) as client:
            ids: dict[int, str] = {}
            for n in SIZES:
                first = client.post("/api/chat", json={"message": "We keep drifting apart."})
                ids[n] = first.json()["conversation_id"]
            token = app.state.sessions.load(client.cookies[COOKIE_NAME])
            for n in SIZES:  # the first exchange is there already
                asyncio.run(fill(url, owner_key(token), ids[n], n - 1))
            for turn in range(args.turns + 1):
                for n in SIZES:
                    body: dict[str, Any] = {"message": f"And today? ({turn})"}
                    body["conversation_id"] = ids[n]
                    backend.take()
                    started = time.perf_counter()
                    response = client.post("/api/chat", json=body)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise SystemExit(f"{response.status_code}: {response.text[:300]}")
                    if turn == 0:
                        continue  # warm-up
                    seconds[n].append(elapsed)
                    prompt_tokens[n].append(tokens(backend.prompts[-1]))

    rows = [
        [
            f"{n:,}",
            ms(median(seconds[n])),
            ms(pct(seconds[n], 95)),
            f"{median(prompt_tokens[n]):.0f}",
            max(prompt_tokens[n]),
        ]
        for n in SIZES
    ]
    time_ratio = median(seconds[1000]) / median(seconds[10])
    token_ratio = median(prompt_tokens[1000]) / median(prompt_tokens[10])
    database = "PostgreSQL" if args.database_url else "SQLite (a temporary file)"
    body = f"""
`python bench/growth.py`: one person, three conversations holding 10, 100 and 1,000 earlier
exchanges in the store ({database}); {args.turns} more turns each through `POST /api/chat`,
round-robin; the prompt is the completion prompt the embedded model gets
(`COACH_HISTORY_TURNS`={settings.history_turns}), counted with the Gemma tokenizer.

{table(["earlier turns", "time per turn p50", "p95", "prompt tokens p50", "max"], rows)}

- **Time per turn, 1,000 / 10 earlier turns: {time_ratio:.2f}**.
- **Prompt tokens, 1,000 / 10 earlier turns: {token_ratio:.2f}** (the service keeps the last
  {settings.history_turns} exchanges).
"""
    write_section("growth", "Growth: a chat turn after 10, 100 and 1,000 earlier turns", body)


if __name__ == "__main__":
    main()
