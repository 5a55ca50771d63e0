"""Prompt size: the coach's prompts against a baseline that pastes all five source articles.

Tokens: every prompt the coach renders for every eval case (all four jobs), in every profile
(``tuned``, what the packaged model gets with the coach's LoRA adapter, ``completion``, the base
model's few-shot prompts, and ``chat``, for instruction-tuned models),
counted with the packaged Gemma tokenizer; the baseline is the same prompt with the five articles
pasted in front (the chat profile: into the system message). The articles are read now from
``../shared/seeds/`` beside the repo, never copied into it.

Quality: the eval cases of one job (``reply`` by default) through the real pipeline on the
embedded model, once with the coach's prompts and once with the articles pasted in, with the
same seeds; pass rates of the answers shown and of the model's raw candidates.

    python bench/prompt_size.py [--job reply] [--limit 20] [--no-evals]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass

from common import (
    SEEDS,
    THREADS_HELP,
    articles,
    bench_settings,
    cases,
    median,
    table,
    write_section,
)
from langchain_core.messages import SystemMessage
from langchain_core.prompt_values import ChatPromptValue, PromptValue, StringPromptValue

from coach.evaluation.runner import EvalRun, ask, run_all
from coach.knowledge import load_knowledge
from coach.models import BackendProfile, GenerationParams, Wrapping
from coach.models.embedded import EmbeddedBackend, default_model_path
from coach.service import Coach

JOBS = ("reply", "questions", "ritual", "chat")
HEADERS = ["profile", "job", "prompts", "coach tokens p50", "baseline p50", "ratio p50", "max"]
EVAL_HEADERS = [
    "prompts",
    "cases passed",
    "raw candidates passing the checks",
    "suggestions written by the model",
    "minutes",
]


def pasted(prompt: PromptValue, text: str) -> PromptValue:
    """``prompt`` with the articles in front of it (chat: at the end of the system message)."""
    intro = f"Background reading, five articles on emotional intimacy:\n\n{text}\n\n"
    if isinstance(prompt, ChatPromptValue):
        first, *rest = prompt.to_messages()
        system = SystemMessage(content=f"{first.content}\n\n{intro}")
        return ChatPromptValue(messages=[system, *rest])
    return StringPromptValue(text=intro + prompt.to_string())


@dataclass
class PastedArticles(Wrapping):
    """The baseline: any backend, given every prompt with the five articles pasted in."""

    text: str = ""

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return self.inner.generate(pasted(prompt, self.text), params)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        return self.inner.stream(pasted(prompt, self.text), params)


class Recording:
    """A backend that writes nothing useful and keeps every prompt it is given."""

    name = "recording"

    def __init__(self, profile: BackendProfile) -> None:
        self.profile = profile
        self.prompts: list[PromptValue] = []

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        self.prompts.append(prompt)
        return "Okay."

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        self.prompts.append(prompt)
        yield "Okay."


def token_ratios(text: str) -> tuple[list[list[object]], float]:
    from llama_cpp import Llama

    tokenizer = Llama(model_path=str(default_model_path()), vocab_only=True, verbose=False)

    def count(prompt: PromptValue) -> int:
        if isinstance(prompt, ChatPromptValue):
            words = "\n".join(str(m.content) for m in prompt.to_messages())
        else:
            words = prompt.to_string()
        return len(tokenizer.tokenize(words.encode(), add_bos=True))

    settings = bench_settings()
    knowledge = load_knowledge()
    rows: list[list[object]] = []
    worst = 0.0
    for profile in ("tuned", "completion", "chat"):
        for job in JOBS:
            recorder = Recording(profile)  # type: ignore[arg-type]
            coach = Coach(settings, recorder, knowledge)
            for case in cases(job):
                if case.expect_risk == "none":
                    ask(coach, case)
            ours = [count(p) for p in recorder.prompts]
            theirs = [count(pasted(p, text)) for p in recorder.prompts]
            ratios = [o / t for o, t in zip(ours, theirs, strict=True)]
            worst = max(worst, max(ratios))
            rows.append(
                [
                    profile,
                    job,
                    len(ours),
                    f"{median(ours):.0f}",
                    f"{median(theirs):.0f}",
                    f"{median(ratios):.3f}",
                    f"{max(ratios):.3f}",
                ]
            )
    return rows, worst


def eval_pass_rates(
    job: str, limit: int, text: str, threads: int
) -> tuple[list[list[object]], str, str]:
    chosen = [c for c in cases(job) if c.expect_risk == "none"][:limit]
    # Room for the articles: both sides get the same context window and the same seeds.
    settings = bench_settings(
        backend="embedded", model_context=8192, embedded_max_seconds=600, model_threads=threads
    )
    model = EmbeddedBackend(settings)
    rows: list[list[object]] = []
    for label, backend in (
        ("the coach's prompts", model),
        ("all five articles pasted", PastedArticles(model, text)),
    ):
        started = time.perf_counter()
        results = run_all(EvalRun(settings=settings, backend=backend, cases=chosen))
        minutes = (time.perf_counter() - started) / 60
        passed = sum(1 for r in results if r["passed"])
        raw = [c for r in results for c in r["candidates"]]
        raw_passed = sum(1 for c in raw if c["passed"])
        shown = sum(r["suggestions"] - r["grounded"] for r in results)
        total = sum(r["suggestions"] for r in results)
        rows.append(
            [
                label,
                f"{passed}/{len(results)} ({passed / len(results):.0%})",
                f"{raw_passed}/{len(raw)} ({raw_passed / max(len(raw), 1):.0%})",
                f"{shown}/{total}",
                f"{minutes:.1f}",
            ]
        )
    ids = f"{len(chosen)} `{job}` cases"
    return rows, ids, model.profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job", default="reply", choices=JOBS)
    parser.add_argument("--limit", type=int, default=20, help="cases of that job")
    parser.add_argument("--no-evals", action="store_true", help="token counts only")
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    args = parser.parse_args()
    text = articles()
    rows, worst = token_ratios(text)
    verdict = "meets" if worst <= 0.15 else "misses"
    body = f"""
`python bench/prompt_size.py`: every prompt the coach renders for the eval cases (those that
reach a model), counted with the Gemma 3 tokenizer; the baseline pastes the five articles
({len(text.split()):,} words, read from `{SEEDS.parent.name}/{SEEDS.name}/` at bench time) in
front of the same prompt (chat profile: into the system message).

{table(HEADERS, rows)}

- **Largest ratio of any prompt: {worst:.3f}**; the target is at most 0.15: it {verdict} it.
"""
    if not args.no_evals:
        eval_rows, which, profile = eval_pass_rates(args.job, args.limit, text, args.threads)
        body += f"""
Evals, {which} on the embedded model (Gemma 3 270M, {profile} profile, default settings but
an 8,192-token context on both sides for the articles and {args.threads} thread(s); no judge:
deterministic and grounding graders):

{table(EVAL_HEADERS, eval_rows)}
"""
    write_section("prompt", "Prompt size: the coach's prompts vs pasting all five articles", body)


if __name__ == "__main__":
    main()
