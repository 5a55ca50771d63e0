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


def remote_settings(**overrides: Any) -> Settings:
    """The ``openai`` backend on :data:`BASE`, no ``.env`` file read."""
    return Settings(**remote_values(backend="openai", **overrides), _env_file=None)
