"""What every benchmark shares: the machine and the date, percentiles, timing backends, the
eval cases as realistic inputs, and writing one section of ``BENCHMARKS.md``.

Each script measures its two sides in one run, interleaved, so that whatever else the machine is
doing weighs on both alike; it reports ratios and distributions, never a lone absolute figure.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from langchain_core.prompt_values import PromptValue

from coach.config import Settings
from coach.evaluation.cases import AnyCase, load_cases
from coach.models import GenerationParams, Wrapping

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "BENCHMARKS.md"
SEEDS = ROOT.parent / "shared" / "seeds"
HEADER = """# Benchmarks

Measured by the scripts in `bench/` (`python bench/run_all.py`, or one script at a time; each
rewrites its own section below). Every figure is a ratio or a distribution of two things measured
side by side in one run, interleaved, so the machine's other load weighs on both alike. Each
section names its machine and date. Absolute times are this machine's only: it is shared, so
read them for shape, not as a promise.
"""


def machine() -> str:
    """One line: CPU, cores, memory, Python, llama-cpp-python, load average."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.M)
        memory = f", {int(found.group(1)) / 2**20:.0f} GiB" if found else ""
    load = f", 1-minute load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, llama-cpp-python {version('llama_cpp_python')}"
        f"{load} when the section was written"
    )


def stamp() -> str:
    return f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}."


def pct(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(name: str, title: str, body: str) -> None:
    """Replace (or add) the section ``name`` of BENCHMARKS.md, keeping the others."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    section = f"{start}\n## {title}\n\n{stamp()}\n\n{body.strip()}\n{end}"
    text = REPORT.read_text(encoding="utf-8") if REPORT.is_file() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    REPORT.write_text(text, encoding="utf-8")
    print(section)


def bench_settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, seed=7, **overrides)  # type: ignore[arg-type]


def cases(job: str | None = None) -> list[AnyCase]:
    """The eval cases (inputs written for the evals), optionally of one job only."""
    found = load_cases(ROOT / "evals" / "cases")
    return [c for c in found if job is None or c.job == job]


def reply_messages() -> list[tuple[str, str | None]]:
    return [(c.input.message, c.input.context) for c in cases("reply")]  # type: ignore[union-attr]


def articles(seeds: Path = SEEDS) -> str:
    """The five source articles as one text, read now (never copied into the repo)."""
    files = sorted(seeds.glob("[0-9][0-9][0-9]_*.txt"))
    if len(files) != 5:
        raise SystemExit(f"expected the five articles in {seeds}, found {len(files)}")
    return "\n\n".join(f.read_text(encoding="utf-8").strip() for f in files)


@dataclass
class TimedBackend(Wrapping):
    """Wraps a backend and records how long each of its calls took (the model's own time)."""

    seconds: list[float] = field(default_factory=list)
    prompts: list[PromptValue] = field(default_factory=list)

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        self.prompts.append(prompt)
        started = time.perf_counter()
        try:
            return self.inner.generate(prompt, params)
        finally:
            self.seconds.append(time.perf_counter() - started)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        self.prompts.append(prompt)
        pieces = self.inner.stream(prompt, params)
        spent = 0.0
        try:
            while True:
                started = time.perf_counter()
                try:
                    piece = next(pieces)
                except StopIteration:
                    spent += time.perf_counter() - started
                    return
                spent += time.perf_counter() - started
                yield piece
        finally:
            self.seconds.append(spent)
            close = getattr(pieces, "close", None)
            if close:
                close()

    def take(self) -> float:
        """The model time recorded since the last call, and forget it."""
        total = sum(self.seconds)
        self.seconds.clear()
        self.prompts.clear()
        return total


# llama.cpp's threads spin while they wait for each other: on a 2-core machine that is busy with
# other work, two threads ran 4 to 15 times slower than one (both sides of a ratio alike, but the
# runs took hours). The embedded benchmarks take --threads; the product's default is 2.
THREADS_HELP = "llama.cpp threads (default 1: see bench/common.py)"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
