"""The eval report, the statistics, run comparison and the calibration command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coach.cli import app
from coach.config import Settings
from coach.evaluation import report
from coach.evaluation.cases import load_cases
from coach.evaluation.compare import compare, significant_regression
from coach.evaluation.runner import EvalRun, run_all
from coach.evaluation.stats import mcnemar, wilson
from coach.evaluation.summary import summarise
from coach.models.langchain import FakeBackend

FIXTURES = Path(__file__).parent / "fixtures" / "evals"
runner = CliRunner()
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


# -- statistics -----------------------------------------------------------------------------------


def test_wilson_interval_known_values() -> None:
    low, high = wilson(8, 10)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    low, high = wilson(0, 10)  # type: ignore[misc]
    assert low == 0.0 and round(high, 4) == 0.2775
    assert wilson(0, 0) is None


def test_mcnemar_exact_for_small_counts() -> None:
    # b=1, c=9: two-sided exact binomial p = 2 * (C(10,0) + C(10,1)) / 2**10.
    test = mcnemar(1, 9)
    assert test.method == "exact" and test.p_value == pytest.approx(0.021484375)
    assert mcnemar(3, 3).p_value == 1.0
    assert mcnemar(0, 0).p_value == 1.0


def test_mcnemar_chi_square_for_large_counts() -> None:
    # b=10, c=30: (|10-30| - 1)^2 / 40 = 9.025, p = 0.002663 with 1 degree of freedom.
    test = mcnemar(10, 30)
    assert test.method == "chi2" and test.p_value == pytest.approx(0.0026631, abs=1e-6)


# -- report ---------------------------------------------------------------------------------------


def _rows(tmp_path: Path) -> list[dict]:  # type: ignore[type-arg]
    source = (FIXTURES / "cases" / "scripted.yaml").read_text(encoding="utf-8")
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "hostile.yaml").write_text(
        source.replace("Things aren't great with us.", json.dumps(HOSTILE)), encoding="utf-8"
    )
    settings = Settings(backend="fake", seed=7, candidates=2, _env_file=None)  # type: ignore[call-arg]
    lines = [
        "Tonight after dinner, sit together for 10 minutes.",
        HOSTILE + " What is on your mind?",
    ]
    job = EvalRun(settings=settings, backend=FakeBackend(lines), cases=load_cases(cases))
    return run_all(job)


def test_report_is_self_contained_with_chart_and_escaped_text(tmp_path: Path) -> None:
    rows = _rows(tmp_path)
    assert any(not r["passed"] for r in rows)
    summary = summarise(rows, {"backend": "scripted <b>"})
    page = report.render(
        summary,
        rows,
        [{"gate": "min_pass_rate.chat", "threshold": 0.9, "value": 0.5, "passed": False}],
    )
    assert "<svg" in page and "<rect" in page and "answer shown passes" in page
    assert "<script" not in page
    assert "<img" not in page
    assert "scripted <b>" not in page
    assert "&lt;script&gt;" in page and "scripted &lt;b&gt;" in page
    assert not re.search(r"https?://|url\(|@import|<(?:link|iframe|object)", page)
    assert not re.search(r"<[^>]*\b(?:src|href)=", page), "no tag may load or link anything"
    assert (
        "fake-chat-advises" in page and "ask-first" in page
    )  # the worst cases, with the failed check
    assert "FAIL" in page


# -- compare --------------------------------------------------------------------------------------


def _row(case: str, passed: bool, job: str = "reply") -> dict[str, object]:
    return {
        "case": case,
        "job": job,
        "repeat": 0,
        "passed": passed,
        "failed": [] if passed else ["#1 fixing"],
    }


def test_compare_pairs_cases_and_tests_the_discordant_ones() -> None:
    a = [_row(f"c{i}", True) for i in range(10)] + [_row("c10", False), _row("only-a", True)]
    b = [_row(f"c{i}", i != 0) for i in range(10)] + [_row("c10", True), _row("only-b", True)]
    result = compare(a, b)  # type: ignore[arg-type]
    assert result.pairs == 11
    assert [c.case for c in result.regressions] == ["c0"] and [c.case for c in result.fixes] == [
        "c10"
    ]
    assert result.test.p_value == 1.0
    assert result.only_a == ["only-a#0"] and result.only_b == ["only-b#0"]
    assert not significant_regression(result, 0.05)


def test_compare_command_fails_on_a_significant_regression(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, rows in (
        (a, [_row(f"c{i}", True) for i in range(12)]),
        (b, [_row(f"c{i}", i >= 9) for i in range(12)]),
    ):
        folder.mkdir()
        (folder / "results.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
        )
    gates = tmp_path / "gates.yaml"
    gates.write_text("max_regression_p: 0.05\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "compare", str(a), str(b), "--gates", str(gates)])
    assert result.exit_code == 1, result.output
    assert "9 regressions, 0 fixes" in result.output  # exact p = 2 / 2**9
    assert result.output.strip().splitlines()[-1] == "3 passed, 9 failed"
    same = runner.invoke(app, ["eval", "compare", str(a), str(a), "--gates", str(gates)])
    assert same.exit_code == 0 and same.output.strip().splitlines()[-1] == "12 passed, 0 failed"


def test_compare_command_names_a_missing_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "compare", str(tmp_path / "x"), str(tmp_path / "y")])
    assert result.exit_code == 2 and "no eval results" in result.output


# -- calibrate ------------------------------------------------------------------------------------


def test_calibrate_command_on_a_small_fixture() -> None:
    labels = FIXTURES / "labels"
    result = runner.invoke(app, ["eval", "calibrate", "--data", str(labels), "--json"])
    assert result.exit_code == 0, result.output
    found = {(r["task"], r["split"]): r for r in json.loads(result.stdout)}
    assert {key: r["n"] for key, r in found.items()} == {
        ("question_annomi", "dev"): 2,
        ("question_annomi", "test"): 2,
        ("fixing_esconv", "dev"): 2,
        ("fixing_esconv", "test"): 2,
        ("fixing_annomi", "dev"): 2,
        ("fixing_annomi", "test"): 0,
    }
    for key in [("question_annomi", "dev"), ("question_annomi", "test"), ("fixing_esconv", "test")]:
        assert found[key]["accuracy"] == 1.0 and found[key]["macro_f1"] == 1.0, key
    assert found[("question_annomi", "dev")]["confusion"] == {
        "open": {"open": 1, "closed": 0},
        "closed": {"open": 0, "closed": 1},
    }
    table = runner.invoke(app, ["eval", "calibrate", "--data", str(labels), "--split", "dev"])
    assert table.exit_code == 0 and "question_annomi" in table.output and "test" not in table.output


def test_calibrate_command_refuses_a_missing_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "calibrate", "--data", str(tmp_path / "none")])
    assert result.exit_code == 2
