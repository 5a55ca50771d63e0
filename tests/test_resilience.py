"""The one retry layer around the remote model, against respx (no network): explicit timeouts, a
429 that honours Retry-After, 5xx retried with jitter until the circuit breaker opens, the
deadline per answer, malformed answers, a stream cut mid-answer, and the fallback that says so.
Time is a fake clock: nothing here sleeps."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import respx
from langchain_core.prompt_values import PromptValue
from remote_model import CHAT, chat_body, remote_settings

from coach.config import Settings
from coach.models import (
    BackendProfile,
    GenerationParams,
    ModelError,
    StreamInterrupted,
    build_backend,
)
from coach.models.langchain import FakeBackend
from coach.models.openai_backend import OpenAIBackend
from coach.models.resilience import (
    CircuitBreaker,
    CircuitOpen,
    ResilientBackend,
    answer_scope,
)
from coach.prompts import render
from coach.service import Coach, Done, Token

PARAMS = GenerationParams(max_tokens=40, temperature=0.2, stop=("\n",), seed=3)


def settings(**overrides: object) -> Settings:
    return remote_settings(**{"openai_read_timeout": 7.0, "seed": 3, "candidates": 2, **overrides})


def prompt() -> PromptValue:
    return render(
        "reply", "chat", {"message": "I'm tired", "context": None, "principles": [], "lead": ""}
    )


def sse_chunk(text: str) -> bytes:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "tiny",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


class CutStream(httpx.SyncByteStream):
    """A streamed answer whose connection drops after ``pieces``."""

    def __init__(self, *pieces: str) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            yield sse_chunk(piece)
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def streamed(*pieces: str) -> httpx.Response:
    content = b"".join(sse_chunk(p) for p in pieces) + b"data: [DONE]\n\n"
    return httpx.Response(200, content=content, headers={"content-type": "text/event-stream"})


class Clock:
    """A fake monotonic clock; ``sleep`` records the wait and moves time on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def resilient(
    clock: Clock,
    *,
    retries: int = 2,
    deadline: float = 60.0,
    failures: int = 5,
    fallback: object = None,
    **overrides: object,
) -> ResilientBackend:
    return ResilientBackend(
        OpenAIBackend(settings(**overrides)),
        (lambda: fallback) if fallback is not None else None,  # type: ignore[arg-type,return-value]
        retries=retries,
        deadline=deadline,
        breaker=CircuitBreaker(failures, 30.0, clock=clock),
        where="model.test",
        sleep=clock.sleep,
        clock=clock,
        rng=lambda: 0.5,
    )


# -- configuration ---------------------------------------------------------------------------------


def test_the_sdk_does_not_retry_and_timeouts_are_explicit() -> None:
    backend = build_backend(settings(openai_connect_timeout=4.0))
    assert isinstance(backend, ResilientBackend)
    primary = backend.primary
    assert isinstance(primary, OpenAIBackend)
    assert primary.client.max_retries == 0  # exactly one retry layer: ours
    timeout = primary.client.timeout
    assert isinstance(timeout, httpx.Timeout)
    assert timeout.connect == 4.0 and timeout.read == 7.0
    with pytest.raises(ValueError, match="less than or equal to 5"):
        settings(openai_connect_timeout=6.0)


@respx.mock
def test_each_attempt_gets_what_is_left_of_the_deadline(clock: Clock) -> None:
    route = respx.post(CHAT).mock(return_value=httpx.Response(200, json=chat_body("That's hard.")))
    backend = resilient(clock, deadline=3.0)
    assert backend.generate(prompt(), PARAMS) == "That's hard."
    sent = route.calls.last.request.extensions["timeout"]
    assert sent["read"] == pytest.approx(3.0) and sent["connect"] == pytest.approx(3.0)
    long = resilient(clock, deadline=60.0)
    long.generate(prompt(), PARAMS)
    sent = route.calls.last.request.extensions["timeout"]
    assert sent["read"] == 7.0 and sent["connect"] == 5.0


# -- 429 -------------------------------------------------------------------------------------------


@respx.mock
@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"Retry-After": "2"}, 2.0), ({"retry-after-ms": "1500"}, 1.5)],
    ids=["seconds", "milliseconds"],
)
def test_a_429_waits_what_retry_after_says(
    clock: Clock, headers: dict[str, str], wait: float
) -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(429, json={"error": {"message": "slow down"}}, headers=headers),
            httpx.Response(200, json=chat_body("That sounds exhausting.")),
        ]
    )
    backend = resilient(clock)
    assert backend.generate(prompt(), PARAMS) == "That sounds exhausting."
    assert route.call_count == 2 and clock.sleeps == [wait]
    assert backend.breaker.state == "closed"


@respx.mock
def test_a_retry_after_past_the_deadline_is_not_waited(clock: Clock) -> None:
    route = respx.post(CHAT).mock(
        return_value=httpx.Response(429, json={}, headers={"Retry-After": "120"})
    )
    with answer_scope() as scope, pytest.raises(ModelError, match="principle cards"):
        resilient(clock, deadline=30.0).generate(prompt(), PARAMS)
    assert route.call_count == 1 and clock.sleeps == []
    assert scope.stood_in == "grounded" and "model.test" in (scope.notice or "")


# -- 5xx, timeouts, the breaker --------------------------------------------------------------------


@respx.mock
def test_5xx_is_retried_with_jitter_then_falls_back(clock: Clock) -> None:
    route = respx.post(CHAT).mock(return_value=httpx.Response(500, json={}))
    with answer_scope() as scope, pytest.raises(ModelError, match="failed \\(500\\)"):
        resilient(clock, retries=2).generate(prompt(), PARAMS)
    assert route.call_count == 3
    # Equal jitter: half of 0.5 * 2**n fixed, half random (rng 0.5 here): 0.375, then 0.75.
    assert clock.sleeps == [0.375, 0.75]
    assert scope.stood_in == "grounded"


def test_the_jitter_spreads_the_waits() -> None:
    clock = Clock()
    low = ResilientBackend(
        FakeBackend(),
        None,
        retries=1,
        deadline=9,
        breaker=CircuitBreaker(5, 1),
        rng=lambda: 0.0,
        clock=clock,
    )
    high = ResilientBackend(
        FakeBackend(),
        None,
        retries=1,
        deadline=9,
        breaker=CircuitBreaker(5, 1),
        rng=lambda: 0.999,
        clock=clock,
    )
    assert [low._backoff(n) for n in range(5)] == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert all(high._backoff(n) > low._backoff(n) for n in range(5))
    assert high._backoff(10) < 8.0  # capped


@respx.mock
def test_the_breaker_opens_and_then_skips_the_remote_model(clock: Clock) -> None:
    route = respx.post(CHAT).mock(return_value=httpx.Response(503, json={}))
    backend = resilient(clock, retries=1, failures=4)
    for _ in range(2):
        with pytest.raises(ModelError):
            backend.generate(prompt(), PARAMS)
    assert route.call_count == 4 and backend.breaker.state == "open"
    with pytest.raises(ModelError) as skipped:
        backend.generate(prompt(), PARAMS)
    assert route.call_count == 4, "an open breaker must not call the server"
    assert isinstance(skipped.value.__cause__, CircuitOpen)

    clock.now += 31  # after reset_after: one trial call, and it succeeds
    route.mock(return_value=httpx.Response(200, json=chat_body("That sounds hard.")))
    assert backend.breaker.state == "half-open"
    assert backend.generate(prompt(), PARAMS) == "That sounds hard."
    assert backend.breaker.state == "closed"


def test_a_failed_trial_opens_the_breaker_again() -> None:
    clock = Clock()
    breaker = CircuitBreaker(2, 10.0, clock=clock)
    breaker.failed()
    breaker.failed()
    assert breaker.state == "open" and not breaker.allow()
    clock.now += 10
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.failed()
    assert breaker.state == "open" and not breaker.allow()


@respx.mock
def test_a_timeout_is_retried_then_falls_back(clock: Clock) -> None:
    route = respx.post(CHAT).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(ModelError, match="did not answer in time"):
        resilient(clock, retries=1).generate(prompt(), PARAMS)
    assert route.call_count == 2 and len(clock.sleeps) == 1


@respx.mock
def test_the_deadline_ends_the_retries(clock: Clock) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        # Each attempt hangs for 4 s, or until its read timeout (what is left of the 10 s).
        clock.now += min(4.0, request.extensions["timeout"]["read"])
        raise httpx.ReadTimeout("slow", request=request)

    started = clock.now
    route = respx.post(CHAT).mock(side_effect=slow)
    with pytest.raises(ModelError):
        resilient(clock, retries=5, deadline=10.0).generate(prompt(), PARAMS)
    # 0-4 s, wait 0.375, 4.4-8.4 s, wait 0.75, then 9.1-10 s with a 0.875 s timeout; no more.
    assert route.call_count == 3
    assert route.calls.last.request.extensions["timeout"]["read"] == pytest.approx(0.875)
    assert clock.now - started == pytest.approx(10.0)


@respx.mock
def test_one_deadline_covers_every_call_of_an_answer(clock: Clock) -> None:
    respx.post(CHAT).mock(return_value=httpx.Response(200, json=chat_body("That's hard.")))
    backend = resilient(clock, deadline=10.0)
    with answer_scope():
        backend.generate(prompt(), PARAMS)
        clock.now += 11
        with pytest.raises(ModelError, match="principle cards"):
            backend.generate(prompt(), PARAMS)


# -- answers that cannot be read -------------------------------------------------------------------


@respx.mock
@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="this is not json"),
        httpx.Response(200, content=b'{"choices": [', headers={"content-type": "application/json"}),
        httpx.Response(401, json={"error": {"message": "bad key"}}),
    ],
    ids=["not-json", "truncated-json", "401"],
)
def test_answers_that_cannot_be_read_are_not_retried(
    clock: Clock, response: httpx.Response
) -> None:
    route = respx.post(CHAT).mock(return_value=response)
    backend = resilient(clock)
    with answer_scope() as scope, pytest.raises(ModelError, match="principle cards"):
        backend.generate(prompt(), PARAMS)
    assert route.call_count == 1 and clock.sleeps == []
    assert scope.stood_in == "grounded" and backend.breaker.state == "closed"


# -- streams ---------------------------------------------------------------------------------------


@respx.mock
def test_a_stream_cut_mid_answer_is_interrupted_not_retried(clock: Clock) -> None:
    route = respx.post(CHAT).mock(
        return_value=httpx.Response(
            200,
            stream=CutStream("That sounds ", "really hard. "),
            headers={"content-type": "text/event-stream"},
        )
    )
    pieces: list[str] = []
    with pytest.raises(StreamInterrupted, match="broke off"):
        for piece in resilient(clock).stream(prompt(), PARAMS):
            pieces.append(piece)
    assert pieces == ["That sounds ", "really hard. "]
    assert route.call_count == 1


@respx.mock
def test_a_stream_that_fails_before_its_first_piece_is_retried(clock: Clock) -> None:
    route = respx.post(CHAT).mock(
        side_effect=[httpx.Response(502, json={}), streamed("That ", "sounds ", "hard.")]
    )
    assert list(resilient(clock).stream(prompt(), PARAMS)) == ["That ", "sounds ", "hard."]
    assert route.call_count == 2 and len(clock.sleeps) == 1


@respx.mock
def test_the_embedded_fallback_streams_and_the_answer_says_so(clock: Clock) -> None:
    respx.post(CHAT).mock(return_value=httpx.Response(500, json={}))
    stand_in = FakeBackend(["It sounds like a long week. I'm here for you."])
    stand_in.name = "embedded"
    backend = resilient(clock, retries=0, fallback=stand_in)
    with answer_scope() as scope:
        text = "".join(backend.stream(prompt(), PARAMS))
    assert text == "It sounds like a long week. I'm here for you."
    assert scope.stood_in == "embedded"
    assert scope.notice == (
        "The remote model at model.test is not answering right now, so the model on this "
        "server wrote this answer."
    )


class Unavailable:
    name = "embedded"
    profile: BackendProfile = "completion"


def test_an_embedded_fallback_that_cannot_load_means_the_cards(clock: Clock) -> None:
    def broken() -> Unavailable:
        raise ModelError("not installed")

    backend = ResilientBackend(
        FakeBackend(),
        broken,  # type: ignore[arg-type]
        retries=0,
        deadline=5,
        breaker=CircuitBreaker(5, 1),
    )
    assert backend._fallback_backend() is None


# -- through the pipeline --------------------------------------------------------------------------


@respx.mock
def test_a_failed_remote_model_gives_grounded_suggestions_that_say_so() -> None:
    respx.post(CHAT).mock(return_value=httpx.Response(500, json={}))
    coach = Coach(settings(openai_retries=0), build_backend(settings(openai_retries=0)))
    with answer_scope():
        outcome = coach.reply("I'm so tired of my boss taking credit for everything", n=3)
    answer = outcome.answer
    assert len(answer.suggestions) == 3
    assert {s.source for s in answer.suggestions} == {"grounded"}
    assert answer.backend == "grounded" and answer.notice and "model.test" in answer.notice


@respx.mock
def test_a_cut_stream_ends_the_chat_answer_after_the_sentences_already_sent() -> None:
    respx.post(CHAT).mock(
        return_value=httpx.Response(
            200,
            stream=CutStream("It makes sense that you feel tired and lonely. ", "What part of"),
            headers={"content-type": "text/event-stream"},
        )
    )
    coach = Coach(settings(), build_backend(settings()))
    with answer_scope():
        events = list(coach.chat_stream("I feel so tired and lonely lately."))
    tokens = "".join(e.text for e in events if isinstance(e, Token))
    done = events[-1]
    assert isinstance(done, Done)
    assert tokens == "It makes sense that you feel tired and lonely."
    assert done.outcome.model_error and "broke off" in done.outcome.model_error
    assert done.outcome.answer.suggestions[0].source == "model"
