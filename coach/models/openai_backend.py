"""The ``openai`` backend: any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp server, Ollama).

One call, one attempt: the SDK's retries are off (``max_retries=0``) because retrying, backing off
and the circuit breaker live in one place, :mod:`coach.models.resilience`. Every call has explicit
connect and read timeouts, shortened to what is left of the answer's deadline
(``GenerationParams.timeout``). SDK and transport errors become :class:`ModelError` with a
sentence a person can act on; the ones worth retrying are :class:`TransientModelError`, carrying
the server's Retry-After.

The SDK logs each request's options, message text included, at DEBUG: that record is dropped here,
so no log level ever shows what a person wrote.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import openai
from langchain_core.messages import convert_to_openai_messages
from langchain_core.prompt_values import ChatPromptValue, PromptValue
from openai.types import Completion
from openai.types.chat import ChatCompletion

from coach.config import Settings
from coach.models.base import (
    BackendProfile,
    GenerationParams,
    ModelError,
    ModelUnavailable,
    TransientModelError,
)


class _NoRequestOptions(logging.Filter):
    """Drops the SDK's DEBUG record of each request's options: they hold the message text."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Request options")


logging.getLogger("openai._base_client").addFilter(_NoRequestOptions())


class OpenAIBackend:
    name = "openai"

    def __init__(self, settings: Settings, client: openai.OpenAI | None = None) -> None:
        self.model = settings.openai_model
        self.profile: BackendProfile = settings.openai_profile
        self.client = client or _client(settings)
        self.read_timeout = settings.openai_read_timeout
        self.connect_timeout = settings.openai_connect_timeout

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        options = self._options(params)
        with _translated_errors(self.client.base_url):
            if isinstance(prompt, ChatPromptValue):
                chat = self.client.chat.completions.create(
                    model=self.model, messages=_messages(prompt), **options
                )
                _expect(chat, ChatCompletion)
                return _first_text(chat.choices[0].message.content if chat.choices else None)
            completion = self.client.completions.create(
                model=self.model, prompt=prompt.to_string(), **options
            )
            _expect(completion, Completion)
            return _first_text(completion.choices[0].text if completion.choices else None)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        options = self._options(params)
        with _translated_errors(self.client.base_url):
            if isinstance(prompt, ChatPromptValue):
                chunks = self.client.chat.completions.create(
                    model=self.model, messages=_messages(prompt), stream=True, **options
                )
                try:
                    for chunk in chunks:
                        if chunk.choices and chunk.choices[0].delta.content:
                            yield chunk.choices[0].delta.content
                finally:
                    chunks.close()  # a reader that stops early frees the connection at once
                return
            pieces = self.client.completions.create(
                model=self.model, prompt=prompt.to_string(), stream=True, **options
            )
            try:
                for piece in pieces:
                    if piece.choices and piece.choices[0].text:
                        yield piece.choices[0].text
            finally:
                pieces.close()

    def _options(self, params: GenerationParams) -> dict[str, Any]:
        options: dict[str, Any] = {
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
        }
        if params.stop:
            options["stop"] = list(params.stop)[:4]  # the API takes at most four stop sequences
        if params.seed is not None:
            options["seed"] = params.seed
        if params.timeout is not None:
            left = max(params.timeout, 0.01)
            options["timeout"] = httpx.Timeout(
                min(self.read_timeout, left), connect=min(self.connect_timeout, left)
            )
        return options


def remote_host(settings: Settings) -> str:
    """Where the openai backend sends text: the host (and port) of its server, nothing more."""
    url = httpx.URL(settings.openai_base_url or "https://api.openai.com/v1")
    return f"{url.host}:{url.port}" if url.port else url.host


def _client(settings: Settings) -> openai.OpenAI:
    if settings.openai_api_key is None and settings.openai_base_url is None:
        raise ModelUnavailable(
            "The openai backend needs a key or a server: set COACH_OPENAI_API_KEY (and "
            "COACH_OPENAI_BASE_URL for a self-hosted server), or use --backend embedded."
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    timeout = httpx.Timeout(settings.openai_read_timeout, connect=settings.openai_connect_timeout)
    # max_retries=0: the one retry layer is coach.models.resilience (see the module's docstring).
    return openai.OpenAI(
        api_key=key, base_url=settings.openai_base_url, timeout=timeout, max_retries=0
    )


def _messages(prompt: ChatPromptValue) -> Any:
    return convert_to_openai_messages(prompt.to_messages())


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
        # Host and port only: a base URL may carry credentials or a path that is nobody's business.
        url = httpx.URL(str(where))
        self.where = f"{url.host}:{url.port}" if url.port else url.host

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: Any
    ) -> Literal[False]:
        if error is None or isinstance(error, ModelError | GeneratorExit):
            return False
        transient = _transient(error, self.where)
        if transient is not None:
            raise transient from error
        message = _describe(error, self.where)
        if message is None:
            return False
        raise ModelError(message) from error


def _transient(error: BaseException, where: str) -> TransientModelError | None:
    """The failures worth another try, each with what it means for the person."""
    if isinstance(error, openai.APITimeoutError | httpx.TimeoutException):
        return TransientModelError(
            f"The model server at {where} did not answer in time. "
            "Try again, or raise COACH_OPENAI_READ_TIMEOUT."
        )
    if isinstance(error, openai.APIConnectionError | httpx.TransportError):
        return TransientModelError(
            f"Could not reach the model server at {where}, or it broke off its answer. "
            "Check COACH_OPENAI_BASE_URL and that it is running."
        )
    if isinstance(error, openai.RateLimitError):
        return TransientModelError(
            "The model server is rate-limiting us (429). Wait a moment and try again.",
            retry_after=_retry_after(error.response),
            rate_limited=True,
        )
    if isinstance(error, openai.InternalServerError):
        return TransientModelError(
            f"The model server failed ({error.status_code}). Try again later.",
            retry_after=_retry_after(error.response),
        )
    return None


def _retry_after(response: httpx.Response) -> float | None:
    """The server's Retry-After (``retry-after-ms``, seconds, or an HTTP date), in seconds."""
    headers = response.headers
    try:
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _describe(error: BaseException, where: str) -> str | None:
    if isinstance(error, openai.AuthenticationError):
        return "The model server refused the API key (401). Check COACH_OPENAI_API_KEY."
    if isinstance(error, openai.NotFoundError):
        return "The model server does not know that model (404). Check COACH_OPENAI_MODEL."
    if isinstance(error, openai.APIStatusError):
        return f"The model server answered with an error ({error.status_code})."
    if isinstance(error, openai.APIResponseValidationError | ValueError | KeyError | TypeError):
        return "The model server's answer could not be read (malformed response)."
    return None
