"""Embedded streaming: tokens per second through the coach's chat stream against llama-cpp-python
generating on its own, on the same prompt.

For each chat eval case: ``Coach.chat_stream`` on the embedded model (safety screen, retrieval,
rendering, the per-sentence checks and screen), counting the tokens the model gave; then the raw
``Llama.create_completion`` on the exact prompt the coach rendered, with the same settings, seed
and token count (so the very same tokens). The model's cache is reset before each side, so both
read the prompt; the order alternates between trials.

    python bench/embedded_stream.py [--repeat 2] [--threads 1] [--max-tokens 96]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from common import THREADS_HELP, bench_settings, cases, median, pct, table, write_section
from langchain_core.prompt_values import PromptValue

from coach.evaluation.cases import ChatCase
from coach.models import BackendProfile, GenerationParams
from coach.models.embedded import EmbeddedBackend
from coach.service import Coach, Turn


@dataclass
class Counting:
    """Passes the embedded backend through, counting the pieces (tokens) it streams and noting
    when the first one came."""

    inner: EmbeddedBackend
    pieces: int = 0
    first: float = 0.0
    prompt: PromptValue | None = None
    params: GenerationParams | None = None
    name: str = "embedded"
    profile: BackendProfile = field(default="completion")

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return "".join(self.stream(prompt, params))

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        self.prompt, self.params, self.pieces = prompt, params, 0
        for piece in self.inner.stream(prompt, params):
            self.pieces += 1
            if self.pieces == 1:
                self.first = time.perf_counter()
            yield piece


@dataclass(frozen=True)
class Run:
    """One side of a trial: tokens, seconds from the call to the end, and from the first token."""

    tokens: int
    total: float
    decoding: float

    @property
    def rate(self) -> float:
        return self.tokens / self.total

    @property
    def decode_rate(self) -> float:
        return (self.tokens - 1) / self.decoding


def generated(llama: Any, prompt: str) -> int:
    """Tokens the model generated after ``prompt``, read from its context: streamed pieces would
    undercount, since llama-cpp-python holds back text that could begin a stop string."""
    return int(llama.n_tokens) - len(llama.tokenize(prompt.encode("utf-8"), special=True))


def coach_side(coach: Coach, counter: Counting, case: ChatCase) -> Run:
    history = [Turn(t.role, t.text) for t in case.input.history]
    llama = counter.inner.llama
    llama.reset()
    started = time.perf_counter()
    for _ in coach.chat_stream(case.input.message, history):
        pass
    ended = time.perf_counter()
    assert counter.prompt is not None
    tokens = generated(llama, counter.prompt.to_string())
    return Run(tokens, ended - started, ended - counter.first)


def raw_side(llama: Any, prompt: str, params: GenerationParams, tokens: int) -> Run:
    llama.reset()
    started = time.perf_counter()
    first = started
    for count, _ in enumerate(
        llama.create_completion(
            prompt=prompt,
            stream=True,
            max_tokens=tokens,
            temperature=params.temperature,
            stop=list(params.stop) or None,
            seed=params.seed,
        )
    ):
        if count == 0:
            first = time.perf_counter()
    ended = time.perf_counter()
    return Run(generated(llama, prompt), ended - started, ended - first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="passes over the chat cases")
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    parser.add_argument("--max-tokens", type=int, default=96, help="cap per chat answer")
    args = parser.parse_args()
    settings = bench_settings(
        backend="embedded",
        embedded_max_seconds=600,
        model_threads=args.threads,
        chat_max_tokens=args.max_tokens,
    )
    counter = Counting(EmbeddedBackend(settings))
    coach = Coach(settings, counter)
    chats = [c for c in cases("chat") if isinstance(c, ChatCase) and c.expect_risk == "none"]
    whole: list[float] = []
    decoding: list[float] = []
    rates: dict[str, list[float]] = {"coach": [], "raw": []}
    tokens: list[int] = []
    coach_side(coach, counter, chats[0])  # warm up: load the model
    trial = 0
    for _ in range(args.repeat):
        for case in chats:
            trial += 1
            # A seed per trial: the same seed and settings give the raw side the same tokens.
            coach.settings = settings.model_copy(update={"seed": 7 + trial})
            if trial % 2:
                ours = coach_side(coach, counter, case)
                planned = ours.tokens
            else:  # raw first: a dry run of the coach finds the prompt and the token count
                planned = coach_side(coach, counter, case).tokens
            assert counter.prompt is not None and counter.params is not None
            prompt, params = counter.prompt.to_string(), counter.params
            # The last sampled token is never fed back into the context: ask for one more.
            theirs = raw_side(counter.inner.llama, prompt, params, max(planned, 0) + 1)
            if not trial % 2:
                ours = coach_side(coach, counter, case)
            if ours.tokens < 2 or theirs.tokens < 2:
                continue
            rates["coach"].append(ours.decode_rate)
            rates["raw"].append(theirs.decode_rate)
            whole.append(ours.rate / theirs.rate)
            decoding.append(ours.decode_rate / theirs.decode_rate)
            tokens.append(ours.tokens)

    rows = [
        [side, f"{median(v):.1f}", f"{pct(v, 5):.1f}", f"{pct(v, 95):.1f}"]
        for side, v in rates.items()
    ]
    verdict = "meets" if median(decoding) >= 0.9 else "misses"
    body = f"""
`python bench/embedded_stream.py`: {len(decoding)} trials ({args.repeat} passes over the
{len(chats)} chat eval cases that go to the model, a seed per trial), the packaged Gemma 3 270M
(Q4_K_M) with its `{EmbeddedBackend(settings).profile}` prompts, {settings.model_threads}
thread(s), temperature {settings.temperature}, answers capped at {settings.chat_max_tokens}
tokens. The coach's side is `Coach.chat_stream` from the call to its end (screen, retrieval,
rendering, each sentence checked and screened as it completes); the raw side is
`Llama.create_completion(stream=True)` on the very prompt the coach rendered, with the same
settings, seed and token count (read from the model's context), so the same tokens. The coach
stops a stream at the first sentence that fails its checks, so answers are short:
{median(tokens):.0f} tokens at the median (p95 {pct(tokens, 95):.0f}).

Decoding rate (tokens after the first, per second from the first token to the end):

{table(["side", "tokens/s p50", "p5", "p95"], rows)}

- **Coach stream / raw, tokens per second while decoding: {median(decoding):.3f}** at the
  median of per-trial ratios (p5 {pct(decoding, 5):.3f}, p95 {pct(decoding, 95):.3f}); the
  target is at least 0.9: it {verdict} it.
- The same, over the whole call (reading the prompt included): {median(whole):.3f}
  (p5 {pct(whole, 5):.3f}, p95 {pct(whole, 95):.3f}).
"""
    write_section("stream", "Embedded model: streaming through the coach vs raw generation", body)


if __name__ == "__main__":
    main()
