"""Embedded latency of ``reply``: time to the first suggestion and to all of them.

The reply eval cases through ``Coach.reply`` on the packaged Gemma 3 270M with the default
settings. "All suggestions" is when ``reply`` returns (what ``/api/reply`` waits for).
"First suggestion" is when the first model candidate that the coach keeps has been written and
checked, the earliest a suggestion could be shown; when no model line passes, the first
suggestion is a grounded one, ready only at the end.

    python bench/embedded_latency.py [--limit 20] [--repeat 1]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

from common import THREADS_HELP, bench_settings, cases, median, pct, table, write_section
from langchain_core.prompt_values import PromptValue

from coach.evaluation.cases import ReplyCase
from coach.models import BackendProfile, GenerationParams
from coach.models.embedded import EmbeddedBackend
from coach.service import Coach


@dataclass
class Clocked:
    """The embedded backend, noting when each candidate finished."""

    inner: EmbeddedBackend
    finished: list[float] = field(default_factory=list)
    name: str = "embedded"
    profile: BackendProfile = "completion"

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        text = self.inner.generate(prompt, params)
        self.finished.append(time.perf_counter())
        return text

    def stream(self, prompt: PromptValue, params: GenerationParams):  # type: ignore[no-untyped-def]
        return self.inner.stream(prompt, params)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=20, help="reply cases")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    args = parser.parse_args()
    settings = bench_settings(backend="embedded", model_threads=args.threads)
    backend = Clocked(EmbeddedBackend(settings))
    coach = Coach(settings, backend)
    chosen = [c for c in cases("reply") if isinstance(c, ReplyCase) and c.expect_risk == "none"]
    chosen = chosen[: args.limit]
    coach.reply("warm up", None, 1)  # load the model
    first: list[float] = []
    every: list[float] = []
    grounded_first = 0
    model_lines = 0
    shown = 0
    for repeat in range(args.repeat):
        for index, case in enumerate(chosen):
            coach.settings = settings.model_copy(update={"seed": 7 + 1000 * repeat + index})
            backend.finished.clear()
            started = time.perf_counter()
            outcome = coach.reply(case.input.message, case.input.context, case.input.n)
            done = time.perf_counter()
            every.append(done - started)
            kept = {s.text for s in outcome.answer.suggestions if s.source == "model"}
            model_lines += len(kept)
            shown += len(outcome.answer.suggestions)
            ready = [
                at
                for at, c in zip(backend.finished, outcome.candidates, strict=False)
                if c.text in kept
            ]
            if ready:
                first.append(ready[0] - started)
            else:
                grounded_first += 1
                first.append(done - started)

    rows = [
        ["first suggestion", f"{median(first):.2f} s", f"{pct(first, 95):.2f} s"],
        ["all suggestions", f"{median(every):.2f} s", f"{pct(every, 95):.2f} s"],
    ]
    body = f"""
`python bench/embedded_latency.py`: {len(every)} replies ({len(chosen)} reply eval cases x
{args.repeat}), `n` as each case asks (3 by default), the `{backend.profile}` prompts (`tuned`: with
the shipped LoRA adapter), at most {settings.candidates} candidates of at most
{settings.max_tokens} tokens each (sampling stops once `n` distinct ones passed),
{settings.model_threads} thread(s), temperature {settings.temperature}.

{table(["time to", "p50", "p95"], rows)}

- First suggestion / all suggestions at the median: {median(first) / median(every):.2f}.
- {grounded_first} of {len(every)} replies had no model line that passed the checks (their
  first suggestion is grounded, ready with the rest); the model wrote {model_lines} of the
  {shown} suggestions shown.
- `/api/reply` answers once all suggestions are ready; the first-suggestion time is what a
  streamed reply could reach.
"""
    write_section("latency", "Embedded model: reply latency", body)


if __name__ == "__main__":
    main()
