"""The ``grounded`` backend: no language model at all.

It writes no text of its own; the pipeline builds every suggestion from the principle cards
(``coach.grounding``). It exists so that "which backend" stays one setting.
"""

from __future__ import annotations

from collections.abc import Iterator

from langchain_core.prompt_values import PromptValue

from coach.models.base import BackendProfile, GenerationParams, ModelError


class GroundedBackend:
    name = "grounded"
    profile: BackendProfile = "none"

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        raise ModelError("the grounded backend has no language model; the pipeline builds its text")

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        raise ModelError("the grounded backend has no language model; the pipeline builds its text")
