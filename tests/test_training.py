"""The training data: enough of it, every example passes the checks, a held-out split, a version."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from coach import checks, prompts
from coach.knowledge import load_knowledge
from coach.models.embedded import default_adapter_path
from coach.training import generate
from coach.training.train import prompt_for


def _all() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    return generate.load("train"), generate.load("heldout")


def test_enough_examples_in_every_job_and_a_heldout_set() -> None:
    train, heldout = _all()
    assert len(train) + len(heldout) >= 1500
    assert len(heldout) >= 200
    tasks = Counter(str(r["task"]) for r in [*train, *heldout])
    assert set(tasks) == {"reply", "questions", "ritual", "chat"}
    assert min(tasks.values()) >= 150


def test_every_example_passes_the_checks_and_cites_real_principles() -> None:
    known = set(load_knowledge().by_id)
    for row in [*_all()[0], *_all()[1]]:
        assert checks.passes(str(row["task"]), str(row["target"])), row
        principles = row["principles"]
        assert isinstance(principles, list) and principles
        assert set(principles) <= known, row


def test_heldout_inputs_are_not_in_train() -> None:
    train, heldout = _all()
    seen = {json.dumps(r["inputs"], sort_keys=True) for r in train}
    assert not [r for r in heldout if json.dumps(r["inputs"], sort_keys=True) in seen]


def test_varied_targets() -> None:
    train, _ = _all()
    for task in ("reply", "questions", "ritual", "chat"):
        targets = [r["target"] for r in train if r["task"] == task]
        assert len(set(targets)) >= 0.3 * len(targets), task


def test_the_generator_reproduces_the_committed_files(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    summary = generate.write(out)
    for name in ("train.jsonl", "heldout.jsonl"):
        assert (out / name).read_bytes() == (generate.DATA_DIR / name).read_bytes()
    recorded = json.loads((generate.DATA_DIR / "VERSION").read_text())
    assert summary["version"] == recorded["version"] == generate.data_version()


@pytest.mark.skipif(
    not default_adapter_path().is_file(),
    reason="no LoRA adapter is shipped yet (coach/data/adapter/coach-lora.gguf); see coach train",
)
def test_adapter_record_names_the_data_it_came_from() -> None:
    path = default_adapter_path()
    record = json.loads((path.parent / "adapter.json").read_text())
    assert record["data_version"] == generate.data_version()
    import hashlib

    assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"]
    assert (path.parent / "NOTICE").read_text().count("Gemma Terms of Use") >= 1


def test_training_prompts_are_the_runtime_tuned_templates() -> None:
    train, _ = _all()
    row = next(r for r in train if r["task"] == "reply")
    text = prompt_for(row)
    assert text.startswith("### Task: reply")
    assert text.endswith("### Reply:")
    assert "tuned" in prompts.PROFILES
