"""The committed LoRA adapter loads, switches the backend to the tuned prompts, and at temperature 0
on ten fixed inputs its outputs pass the checks more often than the base model's."""

from __future__ import annotations

import pytest

from coach.config import Settings
from coach.models.embedded import EmbeddedBackend, adapter_path, default_adapter_path
from coach.training.measure import FIXED, backends, raw_candidate

pytestmark = pytest.mark.embedded
# The adapter ships in the package; a checkout without it (COACH_LORA_PATH pointing elsewhere is a
# different matter) skips rather than fails these.
needs_adapter = pytest.mark.skipif(
    not default_adapter_path().is_file(),
    reason="no LoRA adapter is shipped yet (coach/data/adapter/coach-lora.gguf); see coach train",
)


def _settings(**changes: object) -> Settings:
    return Settings(_env_file=None, **changes)  # type: ignore[arg-type]


@needs_adapter
def test_the_adapter_is_on_by_default_and_can_be_turned_off(tmp_path: object) -> None:
    assert default_adapter_path().is_file()
    assert adapter_path(_settings()) == default_adapter_path()
    assert adapter_path(_settings(lora_path="none")) is None
    assert adapter_path(_settings(lora_path="")) is None
    assert EmbeddedBackend(_settings()).profile == "tuned"
    assert EmbeddedBackend(_settings(lora_path="none")).profile == "completion"


def test_a_missing_adapter_is_named() -> None:
    from coach.models import ModelUnavailable

    with pytest.raises(ModelUnavailable, match="COACH_LORA_PATH"):
        adapter_path(_settings(lora_path="/nowhere/adapter.gguf"))


@needs_adapter
def test_tuned_outputs_pass_more_often_than_base() -> None:
    models = backends(_settings())
    passed = {name: 0 for name in models}
    for task, inputs in FIXED:
        for name, backend in models.items():
            _, ok = raw_candidate(backend, task, inputs)
            passed[name] += ok
    assert passed["tuned"] > passed["base"], passed
