"""The evals: the case files, the runner on the scripted fake, the cache, the judge and the gates.

Everything runs on the fake and grounded backends; nothing reaches the network.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coach.cli import app
from coach.config import Settings, get_settings
from coach.evaluation.cache import CachingBackend, CallCache
from coach.evaluation.cases import CaseError, json_schema, load_cases, parse_case_file
from coach.evaluation.judge import Judge, parse_grade, rubric
from coach.evaluation.runner import EvalRun, run_all
from coach.evaluation.summary import Gates, check_gates, summarise
from coach.knowledge import load_knowledge
from coach.models import GenerationParams, ModelError
from coach.models.grounded import GroundedBackend
from coach.models.langchain import FakeBackend

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "evals" / "cases"
FIXTURES = Path(__file__).parent / "fixtures" / "evals"
runner = CliRunner()

# The fake's lines, in the order the scripted cases ask for them (see fixtures/evals/cases).
SCRIPT = [
    "Tonight after dinner, sit together for 10 minutes with phones away.",  # chat: no question
    "That sounds lonely. What would you like to feel more of with your partner?",  # chat: asks
    "You should just quit that job.",  # reply: fixing -> fails
    "That sounds so draining. I'm here for you.",  # reply: passes
    "Do you like living together?",  # questions: closed -> fails
    "What part of this week felt heaviest for you?",  # questions: open -> passes
]


def _run(
    backend: object,
    cache: CallCache | None = None,
    judge: Judge | None = None,
    settings: Settings | None = None,
) -> list[dict]:  # type: ignore[type-arg]
    # Recall 0: these tests are about the runner, not about which cards BM25 finds.
    chosen = settings or Settings(
        backend="fake", seed=7, candidates=2, eval_min_recall=0, _env_file=None
    )  # type: ignore[call-arg]
    job = EvalRun(
        settings=chosen,
        backend=backend,  # type: ignore[arg-type]
        cases=load_cases(FIXTURES / "cases"),
        cache=cache,
        judge=judge,
    )
    return run_all(job)


# -- case files ---------------------------------------------------------------------------------


def test_every_case_file_validates_and_cites_real_principles() -> None:
    cases = load_cases(CASES)  # validates each file and checks every principle id and job
    jobs = [c.job for c in cases]
    minimum = {"reply": 20, "questions": 15, "ritual": 10, "chat": 15}
    assert all(jobs.count(job) >= count for job, count in minimum.items()), jobs
    assert len({c.id for c in cases}) == len(cases)
    days = {c.input.day for c in cases if c.job == "ritual"}  # type: ignore[union-attr]
    assert len(days) >= 10
    assert sum(c.ask_first for c in cases) >= 3
    kb = load_knowledge()
    assert all(pid in kb.by_id for c in cases for pid in c.expected_principles)


def test_exported_json_schema_is_current() -> None:
    on_disk = json.loads((ROOT / "evals" / "schema.json").read_text(encoding="utf-8"))
    assert on_disk == json_schema(), "run: coach eval schema --out evals/schema.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "cases:\n- {id: x, job: ritual, input: {}, expected_principles: [a]}",
            "day",
        ),
        (
            "cases:\n- {id: x, job: reply, input: {message: m, style: q}, expected_principles: []}",
            "style",
        ),
        (
            "cases:\n- {id: Not_Kebab, job: chat, input: {message: hi}, expected_principles: [a]}",
            "kebab",
        ),
        ("cases: [", "YAML"),
    ],
)
def test_malformed_cases_are_refused(text: str, message: str) -> None:
    with pytest.raises(CaseError, match=message):
        parse_case_file(text, "bad.yaml")


def test_unknown_or_misplaced_principles_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "cases:\n"
        "- {id: a, job: chat, input: {message: hi}, expected_principles: [no-such-card]}\n"
        "- {id: b, job: questions, input: {}, expected_principles: [rituals-of-connection]}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        CaseError, match=r"unknown principle id 'no-such-card'.*does not serve the 'questions' job"
    ):
        load_cases(tmp_path)


def test_case_patterns_pick_by_glob_job_and_tag() -> None:
    assert {c.id for c in load_cases(CASES, "reply-one-*")} == {"reply-one-word-day"}
    assert {c.job for c in load_cases(CASES, "ritual")} == {"ritual"}
    assert all(c.ask_first for c in load_cases(CASES, "tag:ask-first"))
    with pytest.raises(CaseError, match="no case matches"):
        load_cases(CASES, "nothing-*")


# -- runner on the scripted fake ---------------------------------------------------------------


def test_runner_on_scripted_fake_counts_exactly() -> None:
    fake = FakeBackend(SCRIPT)
    rows = {r["case"]: r for r in _run(fake)}
    assert {case: row["passed"] for case, row in rows.items()} == {
        "fake-chat-advises": False,
        "fake-chat-asks": True,
        "fake-reply": True,
        "fake-questions": True,
    }
    assert rows["fake-chat-advises"]["failed"] == ["ask-first"]
    assert [c["passed"] for c in rows["fake-reply"]["candidates"]] == [False, True]
    assert [c["passed"] for c in rows["fake-questions"]["candidates"]] == [False, True]
    assert rows["fake-reply"]["shown"] == [SCRIPT[3]]
    assert rows["fake-questions"]["shown"][0] == SCRIPT[5]
    assert rows["fake-questions"]["grounded"] == 1

    summary = summarise(list(rows.values()), {"backend": "fake"})
    assert summary["counts"] == {"passed": 3, "failed": 1}
    overall = summary["overall"]
    assert (overall["candidates"]["passed"], overall["candidates"]["n"]) == (4, 6)
    assert overall["grounded_fallback"] == {"grounded": 1, "shown": 5, "rate": 0.2}
    assert summary["jobs"]["chat"]["cases"]["passed"] == 1
    assert summary["jobs"]["reply"]["candidates"]["rate"] == 0.5
    assert overall["judge"]["status"] == "skipped"
    assert len(fake.history) == 6


def test_grounded_backend_never_calls_a_model() -> None:
    rows = _run(GroundedBackend())
    assert all(r["model_calls"] == 0 and not r["candidates"] for r in rows)
    assert all(r["grounded"] == r["suggestions"] for r in rows)


# -- cache ----------------------------------------------------------------------------------------


def test_second_run_is_served_from_the_cache(tmp_path: Path) -> None:
    cache = CallCache(tmp_path / "calls.sqlite3")
    fake = FakeBackend(SCRIPT)
    first = _run(fake, cache)
    assert len(fake.history) == 6 and len(cache) == 6
    second = _run(fake, cache)
    assert len(fake.history) == 6, "the second run called the model"
    assert [r["shown"] for r in second] == [r["shown"] for r in first]
    assert sum(r["cache_hits"] for r in second) == 6 and sum(r["model_calls"] for r in second) == 0


class _FailsOnce:
    """A backend whose first call fails with a ModelError."""

    name = "flaky"
    profile = "completion"

    def __init__(self) -> None:
        self.calls = 0

    def generate(self, prompt: object, params: GenerationParams) -> str:
        self.calls += 1
        if self.calls == 1:
            raise ModelError("the server is down")
        return "That sounds so draining. I'm here for you."

    def stream(self, prompt: object, params: GenerationParams):  # type: ignore[no-untyped-def]
        yield self.generate(prompt, params)


def test_errors_are_never_cached(tmp_path: Path) -> None:
    cache = CallCache(tmp_path / "calls.sqlite3")
    inner = _FailsOnce()
    wrapper = CachingBackend(inner, cache)  # type: ignore[arg-type]
    from langchain_core.prompt_values import StringPromptValue

    prompt, params = StringPromptValue(text="Partner said: hi"), GenerationParams()
    with pytest.raises(ModelError):
        wrapper.generate(prompt, params)
    assert len(cache) == 0
    assert wrapper.generate(prompt, params) == inner.generate(prompt, params)
    assert len(cache) == 1
    calls = inner.calls
    assert CachingBackend(inner, cache).generate(prompt, params)  # type: ignore[arg-type]
    assert inner.calls == calls
    assert CachingBackend(inner, cache, repeat=1).generate(prompt, params)  # type: ignore[arg-type]
    assert inner.calls == calls + 1, "another repeat index is another sample"


def test_model_error_in_a_run_is_reported_and_falls_back(tmp_path: Path) -> None:
    cache = CallCache(tmp_path / "calls.sqlite3")
    rows = _run(_FailsOnce(), cache)
    assert rows[0]["model_error"] == "the server is down"
    assert rows[0]["grounded"] == rows[0]["suggestions"] == 1


class _Broken:
    """A backend with a bug: it raises something that is not a ModelError."""

    name = "broken"
    profile = "completion"

    def generate(self, prompt: object, params: GenerationParams) -> str:
        raise KeyError("choices")

    def stream(self, prompt: object, params: GenerationParams):  # type: ignore[no-untyped-def]
        raise KeyError("choices")


def test_a_crashing_case_is_reported_and_the_run_goes_on() -> None:
    rows = _run(_Broken())
    assert len(rows) == 4 and not any(r["passed"] for r in rows)
    assert rows[2]["failed"] == ["crashed"]
    assert rows[2]["grades"][0]["detail"] == "KeyError: 'choices'"
    assert summarise(rows, {})["counts"] == {"passed": 0, "failed": 4}


# -- judge ----------------------------------------------------------------------------------------


def test_rubric_is_written_from_the_card() -> None:
    card = load_knowledge().by_id["validate-and-reflect"]
    text = rubric(card).text
    assert card.title in text
    assert all(item in text for item in [*card.do, *card.avoid])


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("Warm and on point.\nGRADE: PASS", "pass"),
        ("grade: fail", "fail"),
        ("GRADE: PASS\nno, GRADE: **FAIL**", "fail"),
        ("Looks fine to me.", None),
    ],
)
def test_parse_grade(text: str, grade: str | None) -> None:
    assert parse_grade(text) == grade


def test_unparseable_judge_grades_are_unscored_not_failed() -> None:
    judge_lines = [
        "Names the feeling.\nGRADE: PASS",
        "I am not sure.",
        "Gives advice.\nGRADE: FAIL",
        "GRADE: PASS",
    ]
    judge = Judge(FakeBackend(judge_lines), "fake-judge")
    rows = {r["case"]: r for r in _run(FakeBackend(SCRIPT), judge=judge)}
    verdicts = {
        case: [g["passed"] for g in row["grades"] if g["layer"] == "judge"]
        for case, row in rows.items()
    }
    assert verdicts == {
        "fake-chat-advises": [True],
        "fake-chat-asks": [None],
        "fake-reply": [False],
        "fake-questions": [True],
    }
    assert rows["fake-chat-asks"]["passed"] is True, "an unscored grade must not fail the case"
    assert rows["fake-reply"]["passed"] is False
    judge_figures = summarise(list(rows.values()), {})["overall"]["judge"]
    assert judge_figures["grades"]["passed"] == 2 and judge_figures["grades"]["n"] == 3
    assert judge_figures["unscored"] == 1


# -- gates and the command ------------------------------------------------------------------------


def test_gates_compare_pass_rates_per_job() -> None:
    rows = _run(FakeBackend(SCRIPT))
    summary = summarise(rows, {})
    results = check_gates(summary, Gates(min_pass_rate={"chat": 0.5, "reply": 1.0, "ritual": 0.9}))
    assert [(g["gate"], g["passed"]) for g in results] == [
        ("min_pass_rate.chat", True),
        ("min_pass_rate.reply", True),
    ]
    failing = check_gates(summary, Gates(min_pass_rate={"overall": 0.9}))
    assert failing == [
        {
            "gate": "min_pass_rate.overall",
            "rule": "pass rate >= 0.9",
            "threshold": 0.9,
            "value": 0.75,
            "passed": False,
        }
    ]


def _eval(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / "run"
    args = [
        "eval",
        "--backend",
        "grounded",
        "--cases-dir",
        str(FIXTURES / "cases"),
        "--out",
        str(out),
    ]
    args += ["--cache", str(tmp_path / "cache.sqlite3"), "--no-progress", *extra]
    result = runner.invoke(app, args)
    return result.exit_code, result.output, out


def test_eval_command_writes_results_summary_and_report(tmp_path: Path) -> None:
    gates = tmp_path / "gates.yaml"
    gates.write_text("min_pass_rate: {reply: 1.0}\n", encoding="utf-8")
    code, output, out = _eval(tmp_path, "--gates", str(gates))
    assert code == 0, output
    assert re.fullmatch(r"\d+ passed, \d+ failed", output.strip().splitlines()[-1])
    rows = [
        json.loads(line)
        for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(rows) == 4 and summary["meta"]["backend"] == "grounded"
    assert summary["gates"][0]["gate"] == "min_pass_rate.reply"
    assert (out / "report.html").is_file()


def test_eval_command_exits_1_when_a_gate_fails(tmp_path: Path) -> None:
    gates = tmp_path / "gates.yaml"
    gates.write_text("min_pass_rate: {overall: 1.01}\n", encoding="utf-8")
    code, output, _ = _eval(tmp_path, "--gates", str(gates))
    assert code == 1
    assert re.fullmatch(r"\d+ passed, \d+ failed", output.strip().splitlines()[-1])


def test_eval_command_refuses_bad_input_with_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["eval", "--cases-dir", str(tmp_path / "none"), "--backend", "grounded"]
    )
    assert result.exit_code == 2
    assert "no case folder" in result.output


class _JudgeServer(ThreadingHTTPServer):
    """A local OpenAI-compatible endpoint that always grades PASS and records what it was sent.

    A real socket on 127.0.0.1, so the test covers the ``openai`` SDK whatever HTTP library it uses.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, object]]] = []
        super().__init__(("127.0.0.1", 0), _JudgeHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _JudgeHandler(BaseHTTPRequestHandler):
    server: _JudgeServer

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
        message = {"role": "assistant", "content": "Names the feeling.\nGRADE: PASS"}
        answer = {
            "id": "j1",
            "object": "chat.completion",
            "created": 1,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def judge_server() -> Iterator[_JudgeServer]:
    server = _JudgeServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_judge_runs_on_an_openai_compatible_endpoint_and_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, judge_server: _JudgeServer
) -> None:
    monkeypatch.setenv("COACH_JUDGE_API_KEY", "sk-judge")
    get_settings.cache_clear()
    judge = ["--judge-url", judge_server.url, "--judge-model", "judge-tiny"]
    try:
        code, output, out = _eval(tmp_path, *judge)
        assert code == 0, output
        assert len(judge_server.requests) == 4  # one expected principle per scripted case
        headers, sent = judge_server.requests[-1]
        assert headers["authorization"] == "Bearer sk-judge"
        assert sent["model"] == "judge-tiny" and sent["temperature"] == 0.0
        assert "PASS if the answer:" in sent["messages"][1]["content"]  # type: ignore[index]
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["overall"]["judge"]["grades"] == {
            "passed": 4,
            "n": 4,
            "rate": 1.0,
            "ci95": [0.5101, 1.0],
        }
        assert summary["meta"]["judge"] == "judge-tiny"
        _eval(tmp_path, *judge)
        assert len(judge_server.requests) == 4, "the second run's grades come from the cache"
    finally:
        get_settings.cache_clear()
