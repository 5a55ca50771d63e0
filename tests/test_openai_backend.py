"""The OpenAI-compatible backend against respx: plain, streamed, every failure a clear error."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from remote_model import BASE, chat_body, remote_settings

from coach.config import Settings
from coach.models import GenerationParams, ModelError, ModelUnavailable
from coach.models.openai_backend import OpenAIBackend
from coach.prompts import render

PARAMS = GenerationParams(max_tokens=40, temperature=0.2, stop=("\n",), seed=3)


def _settings(**overrides: object) -> Settings:
    return remote_settings(**{"openai_read_timeout": 0.5, **overrides})


def _prompt(profile: str = "chat"):  # type: ignore[no-untyped-def]
    return render(
        "reply", profile, {"message": "I'm tired", "context": None, "principles": [], "lead": ""}
    )  # type: ignore[arg-type]


@pytest.fixture
def backend() -> OpenAIBackend:
    backend = OpenAIBackend(_settings())
    backend.client = backend.client.with_options(max_retries=0)
    return backend


@respx.mock
def test_plain_chat_reply_and_request_shape(backend: OpenAIBackend) -> None:
    route = respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=chat_body("That sounds exhausting."))
    )
    assert backend.generate(_prompt(), PARAMS) == "That sounds exhausting."
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "tiny"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert sent["max_tokens"] == 40 and sent["stop"] == ["\n"] and sent["seed"] == 3


@respx.mock
def test_completion_profile_uses_the_completions_endpoint() -> None:
    backend = OpenAIBackend(_settings(openai_profile="completion"))
    respx.post(f"{BASE}/completions").mock(
        return_value=httpx.Response(
            200,
            json={
                "id": "x",
                "object": "text_completion",
                "created": 1,
                "model": "tiny",
                "choices": [{"index": 0, "text": "That sounds hard.", "finish_reason": "stop"}],
            },
        )
    )
    assert backend.generate(_prompt("completion"), PARAMS) == "That sounds hard."


@respx.mock
def test_streamed_chat_reply(backend: OpenAIBackend) -> None:
    chunks = ["That ", "sounds ", "hard."]
    lines = [
        "data: "
        + json.dumps(
            {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "tiny",
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
        )
        for piece in chunks
    ]
    body = "\n\n".join([*lines, "data: [DONE]"]) + "\n\n"
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})
    )
    assert list(backend.stream(_prompt(), PARAMS)) == chunks


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(429, json={"error": {"message": "slow down"}}), "rate-limiting"),
        (httpx.Response(500, json={"error": {"message": "boom"}}), r"failed \(500\)"),
        (httpx.Response(401, json={"error": {"message": "bad key"}}), "API key"),
        (httpx.Response(404, json={"error": {"message": "no model"}}), "COACH_OPENAI_MODEL"),
        (httpx.Response(200, text="this is not json"), "could not be read"),
        (httpx.Response(200, json={"choices": []}), "without any text"),
    ],
    ids=["429", "500", "401", "404", "malformed", "empty"],
)
@respx.mock
def test_failures_become_clear_model_errors(
    backend: OpenAIBackend, response: httpx.Response, message: str
) -> None:
    respx.post(f"{BASE}/chat/completions").mock(return_value=response)
    with pytest.raises(ModelError, match=message):
        backend.generate(_prompt(), PARAMS)


@respx.mock
def test_timeout_becomes_a_clear_model_error(backend: OpenAIBackend) -> None:
    respx.post(f"{BASE}/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(ModelError, match="did not answer in time"):
        backend.generate(_prompt(), PARAMS)


@respx.mock
def test_connection_refused_names_the_setting(backend: OpenAIBackend) -> None:
    respx.post(f"{BASE}/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(ModelError, match="COACH_OPENAI_BASE_URL"):
        backend.generate(_prompt(), PARAMS)


def test_timeouts_are_explicit() -> None:
    client = OpenAIBackend(_settings(openai_read_timeout=12.0)).client
    assert isinstance(client.timeout, httpx.Timeout)
    assert client.timeout.connect == 5.0 and client.timeout.read == 12.0


def test_no_key_and_no_server_is_a_clear_error() -> None:
    with pytest.raises(ModelUnavailable, match="COACH_OPENAI_API_KEY"):
        OpenAIBackend(Settings(backend="openai", _env_file=None))  # type: ignore[call-arg]
