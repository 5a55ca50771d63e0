"""The mocked OpenAI-compatible server the remote-model tests talk to (respx intercepts it)."""

from __future__ import annotations

from typing import Any

from coach.config import Settings

BASE = "http://model.test/v1"
CHAT = f"{BASE}/chat/completions"


def remote_values(**overrides: Any) -> dict[str, Any]:
    """Settings values pointing the coach at :data:`BASE`; ``overrides`` win."""
    return {
        "openai_base_url": BASE,
        "openai_api_key": "sk-test",
        "openai_model": "tiny",
        **overrides,
    }


def chat_body(text: str) -> dict[str, object]:
    """A non-streamed chat completion answering ``text``, as the server would send it."""
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "tiny",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
        ],
    }


def remote_settings(**overrides: Any) -> Settings:
    """The ``openai`` backend on :data:`BASE`, no ``.env`` file read."""
    return Settings(**remote_values(backend="openai", **overrides), _env_file=None)
