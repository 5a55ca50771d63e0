"""What no model text may contain, whatever the model was told: its own instructions, the coach's
configuration or keys, or a step out of the coach's role.

Prompt injection can reach a model through a message, a pasted partner message or the stored
history, and a model may follow it. It cannot reach this check, which reads only the model's
output, nor the safety screen, which runs on the person's text before any model and is not
configurable from a request. (The model never sees configuration or keys in the first place: they
are in no prompt.) The pipeline treats a candidate or sentence that fails here like any other
that fails a check: it is not shown, and a grounded suggestion takes its place.
"""

from __future__ import annotations

import re
from functools import lru_cache

from coach.prompts import prompt_dir

# Talk about prompts, instructions and roles: a coach for couples has no reason to say any of it.
_ROLE_BREAK = re.compile(
    r"\b(?:system prompt|my (?:system )?(?:instructions|prompt|programming|guidelines)"
    r"|(?:ignore|disregard|forget) (?:all |any |the |your )?(?:previous |prior |above |earlier )?"
    r"(?:instructions|rules|prompt)"
    r"|as an ai(?: language)? model|developer mode|jailbr(?:eak|oken)|do anything now"
    r"|i am (?:now |no longer )?(?:not )?(?:a |an |your )?(?:unfiltered|unrestricted)"
    r"|(?:safety|content) (?:screen|filter)s? (?:is |are )?(?:off|disabled))",
    re.IGNORECASE,
)
# Things that look like keys or settings.
_SECRET = re.compile(
    r"\bsk-[A-Za-z0-9_-]{8,}|\bCOACH_[A-Z_]{3,}|\bBearer\s+[A-Za-z0-9._-]{8,}"
    r"|\b(?:api[ _-]?key|session[ _-]secret|encryption[ _-]key)\b",
    re.IGNORECASE,
)
_JINJA = re.compile(r"\{[{%#].*?[}%#]\}", re.DOTALL)
_WORD = re.compile(r"[a-z']+")
SHINGLE = 8  # words in a row shared with the instructions that count as echoing them


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


@lru_cache(maxsize=1)
def _instructions() -> frozenset[tuple[str, ...]]:
    """Eight-word runs of the fixed text of every chat template's system block."""
    runs: set[tuple[str, ...]] = set()
    for path in sorted(prompt_dir().glob("*.chat.j2")):
        source = path.read_text(encoding="utf-8")
        match = re.search(r"\{%\s*block system\s*%\}(.*?)\{%\s*endblock", source, re.DOTALL)
        if match:
            for line in _JINJA.sub("\n", match.group(1)).splitlines():
                runs |= _shingles(_words(line))
    return frozenset(runs)


def failures(text: str) -> list[str]:
    """Why ``text`` may not be shown (empty when it may)."""
    found = []
    if _ROLE_BREAK.search(text):
        found.append("guard: talks about its instructions or leaves its role")
    if _SECRET.search(text):
        found.append("guard: looks like configuration or a key")
    if _shingles(_words(text)) & _instructions():
        found.append("guard: repeats its instructions")
    return found
