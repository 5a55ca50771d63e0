"""Calibration of the checks: metric functions, and the tasks on a small hand-written fixture.

The fixture rows under ``tests/fixtures/labels/`` are our own sentences, in the same format as
``shared/data``. Expected figures below are computed by hand from the rows and what each check
predicts for them (two deliberate misses per dev task so that the numbers are not all 1.0).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coach import calibration as cal

FIXTURE = Path(__file__).parent / "fixtures" / "labels"


def approx(value: float) -> object:
    return pytest.approx(value, abs=1e-9)


# --------------------------------------------------------------------------------------------
# Metrics on tiny known examples
# --------------------------------------------------------------------------------------------


def test_accuracy_counts_exact_matches() -> None:
    assert cal.accuracy(["a", "a", "a", "b"], ["a", "a", "b", "b"]) == approx(3 / 4)


def test_accuracy_of_nothing_is_zero() -> None:
    assert cal.accuracy([], []) == 0.0


def test_macro_f1_averages_per_label_f1() -> None:
    # a: precision 2/2, recall 2/3 -> F1 0.8; b: precision 1/2, recall 1/1 -> F1 2/3.
    assert cal.macro_f1(["a", "a", "a", "b"], ["a", "a", "b", "b"]) == approx((0.8 + 2 / 3) / 2)


def test_macro_f1_gives_zero_to_a_label_never_predicted() -> None:
    # a: precision 1/2, recall 1 -> 2/3; b: never predicted -> 0.
    assert cal.macro_f1(["a", "b"], ["a", "a"]) == approx(1 / 3)


def test_macro_f1_over_given_labels_counts_absent_ones_as_zero() -> None:
    assert cal.macro_f1(["a"], ["a"], labels=("a", "b")) == approx(0.5)


def test_balanced_accuracy_is_mean_recall() -> None:
    # recall a = 2/3, recall b = 1.
    assert cal.balanced_accuracy(["a", "a", "a", "b"], ["a", "a", "b", "b"]) == approx(5 / 6)
    assert cal.balanced_accuracy(["a", "b"], ["a", "a"]) == approx(0.5)


def test_balanced_accuracy_skips_labels_absent_from_gold() -> None:
    assert cal.balanced_accuracy(["a", "a"], ["a", "a"], labels=("a", "b")) == approx(1.0)


def test_confusion_matrix_is_gold_by_predicted_with_every_label() -> None:
    matrix = cal.confusion_matrix(["a", "a", "b"], ["a", "b", "b"], labels=("a", "b", "c"))
    assert matrix == {
        "a": {"a": 1, "b": 1, "c": 0},
        "b": {"a": 0, "b": 1, "c": 0},
        "c": {"a": 0, "b": 0, "c": 0},
    }


@pytest.mark.parametrize("metric", [cal.accuracy, cal.macro_f1, cal.balanced_accuracy])
def test_metrics_refuse_mismatched_lengths(metric: object) -> None:
    with pytest.raises(ValueError):
        metric(["a"], ["a", "b"])  # type: ignore[operator]


# --------------------------------------------------------------------------------------------
# Tasks on the fixture
# --------------------------------------------------------------------------------------------


def test_question_task_on_fixture_dev() -> None:
    # gold open: 3 right, "Did that surprise you?" predicted closed;
    # gold closed: 2 right, "What brand do you smoke?" predicted open.
    # Rows with question n/a or null are left out.
    r = cal.question_task("dev", FIXTURE)
    assert (r.task, r.split, r.n) == ("question_annomi", "dev", 7)
    assert r.confusion == {"open": {"open": 3, "closed": 1}, "closed": {"open": 1, "closed": 2}}
    assert r.accuracy == approx(5 / 7)
    # open: P 3/4, R 3/4 -> F1 3/4; closed: P 2/3, R 2/3 -> F1 2/3.
    assert r.macro_f1 == approx((3 / 4 + 2 / 3) / 2)
    assert r.balanced_accuracy == approx((3 / 4 + 2 / 3) / 2)


def test_question_task_on_fixture_test() -> None:
    r = cal.question_task("test", FIXTURE)
    assert r.n == 3
    assert r.confusion == {"open": {"open": 1, "closed": 0}, "closed": {"open": 0, "closed": 2}}
    assert (r.accuracy, r.macro_f1, r.balanced_accuracy) == (1.0, 1.0, 1.0)


def test_fixing_task_esconv_on_fixture_dev() -> None:
    # Providing Suggestions: 2 caught, "A warm bath before bed works wonders." missed.
    # Reflection/Restatement: 3 right, "You should not blame yourself so much." called fixing.
    # Question and Affirmation rows are left out.
    r = cal.fixing_task_esconv("dev", FIXTURE)
    assert r.n == 7
    assert r.confusion == {
        "fixing": {"fixing": 2, "not_fixing": 1},
        "not_fixing": {"fixing": 1, "not_fixing": 3},
    }
    assert r.accuracy == approx(5 / 7)
    # fixing: P 2/3, R 2/3; not_fixing: P 3/4, R 3/4.
    assert r.macro_f1 == approx((2 / 3 + 3 / 4) / 2)
    assert r.balanced_accuracy == approx((2 / 3 + 3 / 4) / 2)


def test_fixing_task_esconv_on_fixture_test() -> None:
    r = cal.fixing_task_esconv("test", FIXTURE)
    assert r.n == 3
    assert r.confusion == {
        "fixing": {"fixing": 1, "not_fixing": 0},
        "not_fixing": {"fixing": 0, "not_fixing": 2},
    }
    assert r.balanced_accuracy == 1.0


def test_fixing_task_annomi_on_fixture_dev() -> None:
    # advice -> fixing (caught); three reflections, one of which says "you should" -> fixing.
    # Question rows and the "information" row are left out.
    r = cal.fixing_task_annomi("dev", FIXTURE)
    assert r.n == 4
    assert r.confusion == {
        "fixing": {"fixing": 1, "not_fixing": 0},
        "not_fixing": {"fixing": 1, "not_fixing": 2},
    }
    assert r.accuracy == approx(3 / 4)
    # fixing: P 1/2, R 1 -> 2/3; not_fixing: P 1, R 2/3 -> 4/5.
    assert r.macro_f1 == approx((2 / 3 + 4 / 5) / 2)
    assert r.balanced_accuracy == approx((1 + 2 / 3) / 2)


def test_calibrate_runs_every_task_on_every_split() -> None:
    results = cal.calibrate(FIXTURE)
    assert [(r.task, r.split) for r in results] == [
        ("question_annomi", "dev"),
        ("question_annomi", "test"),
        ("fixing_esconv", "dev"),
        ("fixing_esconv", "test"),
        ("fixing_annomi", "dev"),
        ("fixing_annomi", "test"),
    ]
    assert [r.n for r in results] == [7, 3, 7, 3, 4, 2]


def test_calibrate_with_one_split() -> None:
    results = cal.calibrate(FIXTURE, splits=("dev",))
    assert {r.split for r in results} == {"dev"}
    assert len(results) == 3


def test_result_as_dict_is_plain_data() -> None:
    d = cal.question_task("dev", FIXTURE).as_dict()
    assert d["task"] == "question_annomi"
    assert d["split"] == "dev"
    assert d["n"] == 7
    assert d["accuracy"] == round(5 / 7, 4)
    assert d["confusion"] == {"open": {"open": 3, "closed": 1}, "closed": {"open": 1, "closed": 2}}


def test_labels_dir_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cal.ENV_VAR, str(FIXTURE))
    assert cal.default_data_dir() == FIXTURE
    assert cal.question_task("dev").n == 7


def test_default_labels_dir_is_shared_data_beside_the_repo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(cal.ENV_VAR, raising=False)
    repo = Path(cal.__file__).resolve().parents[1]
    assert cal.default_data_dir() == repo.parent / "shared" / "data"


def test_dev_errors_lists_dev_misses_only() -> None:
    errors = cal.dev_errors("question_annomi", FIXTURE)
    assert sorted((e.id, predicted) for e, predicted in errors) == [
        ("fixture-annomi-6", "closed"),
        ("fixture-annomi-7", "open"),
    ]
    with pytest.raises(ValueError):
        cal.dev_errors("question_annomi", FIXTURE, split="test")


def test_main_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cal.main(["--data-dir", str(FIXTURE), "--split", "dev"]) == 0
    out = capsys.readouterr().out
    assert "question_annomi" in out
    assert "test" not in out.split("\n", 1)[1]


# --------------------------------------------------------------------------------------------
# The real labels, when present: the dev figures the rules were tuned to must hold.
# (Test figures are reported by `python -m coach.calibration`, never asserted or tuned on.)
# --------------------------------------------------------------------------------------------

REAL = cal.default_data_dir()
needs_real = pytest.mark.skipif(
    not (REAL / cal.ANNOMI_FILE).exists() or not (REAL / cal.ESCONV_FILE).exists(),
    reason="shared/data labels not present",
)


@needs_real
def test_question_check_on_real_dev_labels() -> None:
    assert cal.question_task("dev").macro_f1 >= 0.78


@needs_real
def test_fixing_check_on_real_dev_labels() -> None:
    assert cal.fixing_task_esconv("dev").balanced_accuracy >= 0.78
