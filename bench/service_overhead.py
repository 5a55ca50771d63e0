"""Service overhead: ``POST /api/reply`` on the fake model against a bare FastAPI JSON endpoint.

Both run as uvicorn processes (one worker, no access log) on loopback, started side by side and
measured in alternating rounds: latency with one client sending requests one after another,
throughput with ``wrk`` (Debian's package: ``apt-get install wrk``) keeping a few connections
busy. In-process, the coach's own work per request is ``Coach.reply`` minus the model's time,
split by step.

    python bench/service_overhead.py [--rounds 5] [--requests 200] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from common import (
    ROOT,
    TimedBackend,
    bench_settings,
    median,
    ms,
    pct,
    reply_messages,
    table,
    write_section,
)

from coach import checks, prompts, safety
from coach.models.langchain import DEFAULT_FAKE_LINES, FakeBackend
from coach.service import Coach, _principles


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn(app: str, env: dict[str, str], app_dir: Path) -> Iterator[str]:
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", app, "--app-dir", str(app_dir)]
    args += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen([*args, "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(f"{base}/api/reply", json={"message": "hello"}, timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"{app} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def bodies() -> list[dict[str, object]]:
    return [{"message": m, "context": c} for m, c in reply_messages()]


def latencies(base: str, count: int) -> list[float]:
    """Seconds per request, one request after another on one keep-alive connection."""
    payloads = bodies()
    seconds = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for index in range(count):
            started = time.perf_counter()
            response = client.post("/api/reply", json=payloads[index % len(payloads)])
            seconds.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{base}: {response.status_code} {response.text[:200]}")
    return seconds


def wrk_script(directory: Path) -> Path:
    lines = ["local bodies = {"]
    lines += [f"  {json.dumps(json.dumps(body))}," for body in bodies()]
    lines += [
        "}",
        "local i = 0",
        "request = function()",
        "  i = i % #bodies + 1",
        '  return wrk.format("POST", "/api/reply", '
        '{["Content-Type"] = "application/json"}, bodies[i])',
        "end",
    ]
    path = directory / "reply.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def throughput(base: str, script: Path, seconds: int) -> float:
    """Requests per second from wrk (one thread, four connections); non-2xx answers fail."""
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors from {base}:\n{out}")
    found = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if not found:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return float(found.group(1))


def own_work(iterations: int) -> tuple[list[float], dict[str, list[float]]]:
    """Per request: seconds of ``Coach.reply`` outside the model, and each step's seconds."""
    settings = bench_settings(backend="fake")
    backend = TimedBackend(FakeBackend())
    coach = Coach(settings, backend)
    messages = reply_messages()
    n = max(3, settings.candidates)
    lines = [DEFAULT_FAKE_LINES[i % len(DEFAULT_FAKE_LINES)] for i in range(n)]
    own: list[float] = []
    steps: dict[str, list[float]] = {
        k: [] for k in ("input screen", "retrieval", "rendering", "checks", "output screen")
    }
    for message, context in messages[:3]:  # warm up: caches and lazy imports, not timed
        coach.reply(message, context, 3)
    backend.take()
    for index in range(iterations):
        message, context = messages[index % len(messages)]
        started = time.perf_counter()
        coach.reply(message, context, 3)
        total = time.perf_counter() - started
        own.append(total - backend.take())
        # The same steps on the same input, one at a time, to show where the time goes.
        clock = time.perf_counter()
        safety.screen_all([message, context])
        steps["input screen"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        hits = coach.knowledge.retrieve(f"{message} {context}", "reply", settings.top_k)
        steps["retrieval"].append(time.perf_counter() - clock)
        cards = [h.card for h in hits]
        variables = {"message": message, "context": context, "principles": _principles(cards)}
        variables["lead"] = ""
        clock = time.perf_counter()
        for _ in lines:
            prompts.render("reply", "chat", variables)
        steps["rendering"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        for line in lines:
            checks.failures("reply", line)
        steps["checks"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        for line in lines:
            safety.screen_output(line)
        steps["output screen"].append(time.perf_counter() - clock)
    return own, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200, help="per side and round")
    parser.add_argument("--seconds", type=int, default=5, help="wrk run per side and round")
    parser.add_argument("--iterations", type=int, default=300, help="in-process replies")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the throughput figures: apt-get install wrk")

    own: list[float] = []
    steps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
        env |= {
            "COACH_BACKEND": "fake",
            "COACH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/coach.sqlite3",
            "COACH_SESSION_SECRET": secrets.token_urlsafe(32),
            # The limits of issue 6 guard a public service; here one client is the whole load.
            "COACH_RATE_PER_SESSION": "1000000",
            "COACH_RATE_PER_ADDRESS": "1000000",
        }
        bench_dir = Path(__file__).resolve().parent
        sides = {
            "bare": stack.enter_context(uvicorn("bare_app:app", env, bench_dir)),
            "coach": stack.enter_context(uvicorn("coach.api:app", env, ROOT)),
        }
        script = wrk_script(Path(tmp))
        lat: dict[str, list[float]] = {"bare": [], "coach": []}
        rps: dict[str, list[float]] = {"bare": [], "coach": []}
        for base in sides.values():
            latencies(base, 50)  # warm up: imports, first model call, connection pools
        for _ in range(args.rounds):
            # The in-process own work too, a share per round, so a busy moment of the shared
            # machine weighs on it as on the HTTP figures.
            round_own, round_steps = own_work(max(1, args.iterations // args.rounds))
            own += round_own
            for name, values in round_steps.items():
                steps.setdefault(name, []).extend(values)
            for side, base in sides.items():
                lat[side] += latencies(base, args.requests)
            for side, base in sides.items():
                rps[side].append(throughput(base, script, args.seconds))

    ratios = [c / b for c, b in zip(rps["coach"], rps["bare"], strict=True)]
    overhead = median(lat["coach"]) - median(lat["bare"])
    rounds = ", ".join(f"{r:.2f}" for r in ratios)
    rows = [
        [side, ms(median(lat[side])), ms(pct(lat[side], 95)), f"{median(rps[side]):.0f}"]
        for side in ("bare", "coach")
    ]
    step_rows = [[name, ms(median(values)), ms(pct(values, 95))] for name, values in steps.items()]
    verdict_own = "meets" if median(own) < 0.005 else "misses"
    verdict_rps = "meets" if median(ratios) >= 0.5 else "misses"
    body = f"""
`python bench/service_overhead.py`: {len(lat["coach"])} requests per side one after another
({args.rounds} alternating rounds, each after its share of the in-process replies), then wrk
(1 thread, 4 connections, {args.seconds} s) per side and round; one uvicorn worker each,
request bodies cycling through the {len(bodies())} reply eval messages. The coach answers
`/api/reply` with `n` 3 on the fake model
({max(3, bench_settings().candidates)} candidates checked per request).

{table(["endpoint", "latency p50", "p95", "throughput (req/s, median of rounds)"], rows)}

- **Throughput, coach / bare: {median(ratios):.2f}** (rounds: {rounds}); the target is at
  least 0.5: it {verdict_rps} it.
- Latency added by the coach over HTTP (p50 coach - p50 bare): {ms(overhead)}.
- **The coach's own work per request** (in-process `Coach.reply` minus the fake model's time,
  {len(own)} requests): **p50 {ms(median(own))}**, p95 {ms(pct(own, 95))}; the target is under
  5 ms p50: it {verdict_own} it.

Where the own work goes (the same steps timed one by one on the same inputs, per request):

{table(["step", "p50", "p95"], step_rows)}
"""
    write_section("service", "Service overhead: /api/reply (fake model) vs a bare endpoint", body)


if __name__ == "__main__":
    main()
