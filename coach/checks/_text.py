"""Text preparation shared by the checks: normalising, words, sentences, quoting, and
matching rules with negations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from coach.prefilter import Prefiltered

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_BRACKETED = re.compile(r"\[[^\]]*\]")
# "I-I", "what-what", "So-so": a word stuttered with a hyphen becomes the word once.
_STUTTER = re.compile(r"\b(\w{1,4})-(?=\1)", re.IGNORECASE)
_FALSE_START = re.compile(r"\b(\w+(?:'\w+)?(?: \w+(?:'\w+)?){0,3})(?:-+|\u2014|\u2013)\s*\1\b")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")


# Every check prepares the same candidate again; keep the last few hundred (pure, text only).
@lru_cache(maxsize=512)
def _prepare(text: str) -> str:
    """Lower-case, straight apostrophes, no transcript artefacts, dashes as clause breaks."""
    text = text.translate(_APOSTROPHES).lower()
    text = _BRACKETED.sub(" ", text)
    text = _STUTTER.sub("", text)
    # False starts: "can you- can you tell me" -> "can you tell me".
    text = _FALSE_START.sub(r"\1", text)
    text = re.sub(r"\s*(?:--+|\u2014|\u2013| - )\s*|(?<=\w)- ", ", ", text)
    return re.sub(r"\s+", " ", text).strip()


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    """Number of words: runs of letters/digits (with inner apostrophes or hyphens) in ``text``."""
    return len(re.findall(r"\w+(?:['\u2019-]\w+)*", text))


def _sentences(prepared: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(prepared)]
    return [p for p in parts if p]


def _quote(words: Iterable[str]) -> str:
    return "'" + " ".join(words) + "'"


_QUOTED = re.compile(r'"[^"\n]{1,300}"')


def _unquoted(prepared: str) -> str:
    """Without double-quoted speech: 'He said "you never listen"' reports, it does not blame."""
    return _QUOTED.sub(" ", prepared)


# Intensifiers before a feeling or an insult word: shared by feeling and blame.
_ADVERBS = (
    r"(?:so |really |very |pretty |quite |incredibly |such a |a bit |a little |kind of |"
    r"sort of |still |also |a |totally |completely |deeply |understandably |just )*"
)

# A negation just before a match ("I don't think you're lazy", "it's not your fault").
_NEGATION_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bnor) (?:\w+ ){0,3}$|\b(?:not|n't)$")
_REPORTED_BEFORE = re.compile(
    r"\b(?:feel|feeling|felt|think|thinking|believe|worry|worried|afraid|scared|fear|said|says)"
    r" (?:like |that )?$"
)
_NEGATION_INSIDE = re.compile(r"\bnot\b|n't\b")


def _match_rules(
    prepared: str, rules: Prefiltered[tuple[str, re.Pattern[str]]], *, negation_inside: bool
) -> list[str]:
    reasons = []
    for reason, pattern in rules.candidates(prepared):
        for match in pattern.finditer(prepared):
            before = prepared[max(0, match.start() - 30) : match.start()]
            if _NEGATION_BEFORE.search(before):
                continue
            # "You feel like you're worthless" reports their view of themselves.
            if _REPORTED_BEFORE.search(before):
                continue
            # "you're not lazy": a negation inside the match cancels name-calling.
            if negation_inside and _NEGATION_INSIDE.search(match.group(0)):
                continue
            reasons.append(f"{reason}: {_quote([match.group(0).strip(' ,.!?')])}")
            break
    return reasons
