"""The coach pointed at a model server, as the README shows for many machines: llama-cpp-python's
OpenAI-compatible server runs the packaged GGUF on a loopback port, and the coach's ``openai``
backend talks to it with the ``completion`` profile (the GGUF is a base model). Few tokens, so
it stays quick; the model's wording is not judged here, only that its lines come through the
whole pipeline (checks, grounded fallback, streaming)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from processes import clean_env, free_port, server_process

from coach.config import Settings
from coach.models import build_backend
from coach.models.embedded import default_model_path
from coach.service import Coach, Done, Token

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def model_server() -> Iterator[str]:
    port = free_port()
    args = ["-m", "llama_cpp.server", "--model", str(default_model_path())]
    args += ["--model_alias", "gemma-3-270m", "--host", "127.0.0.1", "--port", str(port)]
    # One thread: llama.cpp threads spin while they wait, and on a busy 2-core machine two of
    # them made each answer ten times slower.
    args += ["--n_ctx", "1024", "--n_threads", "1", "--n_threads_batch", "1", "--verbose", "False"]
    with server_process(args, port, clean_env(), "/v1/models", timeout=120) as base:
        yield f"{base}/v1"


@pytest.fixture
def coach(model_server: str) -> Coach:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        backend="openai",
        openai_base_url=model_server,
        openai_model="gemma-3-270m",
        openai_profile="completion",
        fallback="grounded",  # a failing server shows as a model error, not as embedded text
        candidates=2,
        max_tokens=12,
        chat_max_tokens=24,
        seed=3,
    )
    return Coach(settings, build_backend(settings))


def test_reply_candidates_come_from_the_model_server(coach: Coach) -> None:
    outcome = coach.reply("I'm so tired, work was endless today.", n=2)
    assert outcome.model_error is None
    assert len(outcome.candidates) == 2 and all(c.text for c in outcome.candidates)
    assert len(outcome.answer.suggestions) == 2  # model lines that passed, cards for the rest
    assert outcome.answer.backend == "openai"


def test_chat_streams_from_the_model_server(coach: Coach) -> None:
    events = list(coach.chat_stream("We only talk about chores lately."))
    done = events[-1]
    assert isinstance(done, Done) and done.outcome.model_error is None
    tokens = "".join(e.text for e in events if isinstance(e, Token))
    assert tokens == done.outcome.answer.reply and tokens.strip()
