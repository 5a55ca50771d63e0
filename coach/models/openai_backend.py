"""The ``openai`` backend: any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp server, Ollama).

The SDK's own retry layer is the only one (``max_retries``), and every call has explicit connect and
read timeouts. SDK errors become :class:`ModelError` with a sentence a person can act on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import httpx
import openai
from langchain_core.messages import convert_to_openai_messages
from langchain_core.prompt_values import ChatPromptValue, PromptValue
from openai.types import Completion
from openai.types.chat import ChatCompletion

from coach.config import Settings
from coach.models.base import BackendProfile, GenerationParams, ModelError, ModelUnavailable


class OpenAIBackend:
    name = "openai"

    def __init__(self, settings: Settings, client: openai.OpenAI | None = None) -> None:
        self.model = settings.openai_model
        self.profile: BackendProfile = settings.openai_profile
        self.client = client or _client(settings)

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        with _translated_errors(self.client.base_url):
            if isinstance(prompt, ChatPromptValue):
                chat = self.client.chat.completions.create(
                    model=self.model, messages=_messages(prompt), **_options(params)
                )
                _expect(chat, ChatCompletion)
                return _first_text(chat.choices[0].message.content if chat.choices else None)
            completion = self.client.completions.create(
                model=self.model, prompt=prompt.to_string(), **_options(params)
            )
            _expect(completion, Completion)
            return _first_text(completion.choices[0].text if completion.choices else None)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        with _translated_errors(self.client.base_url):
            if isinstance(prompt, ChatPromptValue):
                chunks = self.client.chat.completions.create(
                    model=self.model, messages=_messages(prompt), stream=True, **_options(params)
                )
                for chunk in chunks:
                    if chunk.choices and chunk.choices[0].delta.content:
                        yield chunk.choices[0].delta.content
                return
            pieces = self.client.completions.create(
                model=self.model, prompt=prompt.to_string(), stream=True, **_options(params)
            )
            for piece in pieces:
                if piece.choices and piece.choices[0].text:
                    yield piece.choices[0].text


def _client(settings: Settings) -> openai.OpenAI:
    if settings.openai_api_key is None and settings.openai_base_url is None:
        raise ModelUnavailable(
            "The openai backend needs a key or a server: set COACH_OPENAI_API_KEY (and "
            "COACH_OPENAI_BASE_URL for a self-hosted server), or use --backend embedded."
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    timeout = httpx.Timeout(settings.openai_read_timeout, connect=settings.openai_connect_timeout)
    return openai.OpenAI(
        api_key=key, base_url=settings.openai_base_url, timeout=timeout, max_retries=2
    )


def _messages(prompt: ChatPromptValue) -> Any:
    return convert_to_openai_messages(prompt.to_messages())


def _options(params: GenerationParams) -> dict[str, Any]:
    options: dict[str, Any] = {"max_tokens": params.max_tokens, "temperature": params.temperature}
    if params.stop:
        options["stop"] = list(params.stop)[:4]  # the API takes at most four stop sequences
    if params.seed is not None:
        options["seed"] = params.seed
    return options


def _expect(answer: object, kind: type) -> None:
    # The SDK hands back the raw body as a string when a server answers 200 with something
    # that is not JSON; that is a malformed answer, not text to show.
    if not isinstance(answer, kind):
        raise ModelError("The model server's answer could not be read (malformed response).")


def _first_text(text: str | None) -> str:
    if text is None:
        raise ModelError("The model server answered without any text.")
    return text


class _translated_errors:
    """Turn SDK exceptions into ModelError with a sentence that says what to do."""

    def __init__(self, where: object) -> None:
        self.where = str(where)

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: Any
    ) -> Literal[False]:
        if error is None or isinstance(error, ModelError):
            return False
        message = _describe(error, self.where)
        if message is None:
            return False
        raise ModelError(message) from error


def _describe(error: BaseException, where: str) -> str | None:
    if isinstance(error, openai.APITimeoutError):
        return (
            f"The model server at {where} did not answer in time. "
            "Try again, or raise COACH_OPENAI_READ_TIMEOUT."
        )
    if isinstance(error, openai.APIConnectionError):
        return (
            f"Could not reach the model server at {where}. "
            "Check COACH_OPENAI_BASE_URL and that it is running."
        )
    if isinstance(error, openai.RateLimitError):
        return "The model server is rate-limiting us (429). Wait a moment and try again."
    if isinstance(error, openai.AuthenticationError):
        return "The model server refused the API key (401). Check COACH_OPENAI_API_KEY."
    if isinstance(error, openai.NotFoundError):
        return "The model server does not know that model (404). Check COACH_OPENAI_MODEL."
    if isinstance(error, openai.InternalServerError):
        return f"The model server failed ({error.status_code}). Try again later."
    if isinstance(error, openai.APIStatusError):
        return f"The model server answered with an error ({error.status_code})."
    if isinstance(error, openai.APIResponseValidationError | ValueError | KeyError | TypeError):
        return "The model server's answer could not be read (malformed response)."
    return None
