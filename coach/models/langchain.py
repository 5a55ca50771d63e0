"""Any LangChain chat model as a backend, and the scripted ``fake`` backend built on one.

The fake records every prompt it was given (``history``) so that tests can assert what the
pipeline asked, in the spirit of simonw/llm's MockModel.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.prompt_values import PromptValue

from coach.models.base import BackendProfile, GenerationParams, ModelError

# Lines the fake says when a test has not scripted any: one fits each job, so a fake-backed coach
# produces real candidates that go through the checks like any model's.
DEFAULT_FAKE_LINES: tuple[str, ...] = (
    "That sounds really hard, and it makes sense that you feel worn out. I'm here with you.",
    "What part of this week has felt heaviest for you?",
    "Tonight after dinner, sit together for 10 minutes with phones away and share one good moment.",
    "It sounds like you miss feeling close. What do you think your partner needs most right now?",
)


class ChatModelBackend:
    """Wraps a LangChain ``BaseChatModel`` so it can be dropped into the coach."""

    profile: BackendProfile = "chat"

    def __init__(self, model: BaseChatModel, name: str = "langchain") -> None:
        self.model = model
        self.name = name
        self.history: list[PromptValue] = []

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        self.history.append(prompt)
        try:
            message = self.model.invoke(prompt.to_messages(), stop=list(params.stop) or None)
        except ModelError:
            raise
        except (RuntimeError, ValueError, TypeError) as error:
            raise ModelError(f"the {self.name!r} model failed: {error}") from error
        return str(message.content)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        self.history.append(prompt)
        for chunk in self.model.stream(prompt.to_messages(), stop=list(params.stop) or None):
            yield str(chunk.content)


class FakeBackend(ChatModelBackend):
    """Scripted replies for tests, cycling through ``lines``; ``enqueue`` adds more."""

    def __init__(self, lines: Sequence[str] = DEFAULT_FAKE_LINES) -> None:
        super().__init__(FakeListChatModel(responses=list(lines)), name="fake")

    def enqueue(self, *lines: str) -> None:
        model = self.model
        assert isinstance(model, FakeListChatModel)
        model.responses = [*lines, *model.responses[model.i :], *model.responses[: model.i]]
        model.i = 0
