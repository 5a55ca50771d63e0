"""Loading and rendering the prompt templates in ``prompts/``.

One file per job and model profile: ``{task}.{profile}.j2``. ``chat`` templates (instruction-tuned
models) define two blocks, ``system`` and ``user``, rendered as separate messages so that user text
can never forge a role boundary. ``completion`` templates (base models) render to one string, and
so do ``tuned`` templates: the instruction format the coach's own LoRA adapter was trained on.

Templates run in Jinja's sandbox with ``StrictUndefined``: a missing variable is an error, not an
empty string, and user text only ever arrives as a variable, never as template source.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import FileSystemLoader, StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.prompt_values import ChatPromptValue, PromptValue, StringPromptValue

from coach.schemas import Task

Profile = Literal["chat", "completion", "tuned"]
PROFILES: tuple[Profile, ...] = ("chat", "completion", "tuned")


class PromptError(RuntimeError):
    """A template is missing or was given the wrong variables."""


@cache  # asked on every render: the answer cannot change while the process runs
def prompt_dir() -> Path:
    """Where the templates are: inside the installed wheel, or ``prompts/`` in a checkout."""
    packaged = Path(__file__).parent / "_prompts"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "prompts"


@lru_cache
def _environment(directory: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_name(task: Task, profile: Profile) -> str:
    return f"{task}.{profile}.j2"


@lru_cache
def template_variables(task: Task, profile: Profile) -> frozenset[str]:
    """The variables a template reads. Cached: parsing a template costs more than rendering it,
    and every candidate of every request asks."""
    env = _environment(prompt_dir())
    name = template_name(task, profile)
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return frozenset(meta.find_undeclared_variables(env.parse(source)))


def render(
    task: Task,
    profile: Profile,
    variables: dict[str, Any],
    history: list[tuple[str, str]] | None = None,
) -> PromptValue:
    """Render the template for ``task`` and ``profile``.

    ``history`` (pairs of ``("user"|"coach", text)``) becomes real chat messages for the chat
    profile; completion templates receive it as the variable ``history`` instead.
    """
    env = _environment(prompt_dir())
    template = env.get_template(template_name(task, profile))
    missing = template_variables(task, profile) - set(variables) - {"history"}
    if missing:
        raise PromptError(f"template {template.name!r} needs variables {sorted(missing)!r}")
    if profile != "chat":
        text = template.render(**variables, history=history or [])
        return StringPromptValue(text=text)
    context = template.new_context({**variables, "history": []})
    blocks = {name: "".join(block(context)).strip() for name, block in template.blocks.items()}
    if set(blocks) != {"system", "user"}:
        raise PromptError(f"chat template {template.name!r} must define blocks system and user")
    messages: list[BaseMessage] = [SystemMessage(content=blocks["system"])]
    for role, text in history or []:
        messages.append(HumanMessage(content=text) if role == "user" else AIMessage(content=text))
    messages.append(HumanMessage(content=blocks["user"]))
    return ChatPromptValue(messages=messages)
