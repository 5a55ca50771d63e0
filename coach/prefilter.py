"""A literal prefilter: which rules could match a text at all, decided without running them.

The safety screen and the checks each run a few hundred regular expressions over a short text,
and most of them fail; Python's ``re`` has no multi-pattern search, and a failing search still
scans the whole text. Each expression is therefore read once, from its parse tree, for a set of
literal strings of which *every* match must contain at least one (``kill(?:ed|ing)? (?:myself|me)``
needs "kill", "killed" or "killing"; ``(?:cut|burn)ing`` needs "cuting" or "burning"). A text
that contains none of them cannot match, and the expression is skipped.

The prefilter is sound by construction: whatever it cannot analyse (a character class, an optional
part, a back-reference, case-insensitive flags) gives "nothing known", and such an expression is
always run. ``tests/test_prefilter.py`` checks it against every safety rule and every check rule
on the fixture and training texts.

It reads the tree with ``re._parser``, the standard library's own parser (private, but the same
module ``re.compile`` uses, and stable in shape from 3.11 to 3.13); if it ever fails on a
pattern, that pattern simply runs unfiltered.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Mapping
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Generic, TypeVar

import ahocorasick

Needed = frozenset[str] | None  # None: nothing is known, the expression must always run
K = TypeVar("K", bound=Hashable)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_MAX_STRINGS = 64  # a part matching more distinct strings than this is not spelled out
_MAX_REPEAT = 3


def needed(pattern: str) -> Needed:
    """Literals of which every match of ``pattern`` contains one; None if none can be named."""
    try:
        tree = _parser.parse(pattern)
    except (re.error, RecursionError, AttributeError, TypeError):
        return None
    if tree.state.flags & re.IGNORECASE:
        return None
    return _needed(tree)


def _needed(items: Iterable[tuple[Any, Any]]) -> Needed:
    """A sequence needs whatever any one of its parts needs: keep the most selective part.

    Neighbouring parts that match only a few fixed strings are spelled out together, so
    ``kill(?:ed|ing)?`` needs one of "kill", "killed", "killing", and ``m(?:yself|e)`` (Python's
    parser factors ``myself|me`` that way) needs "myself" or "me", not just "m".
    """
    best: Needed = None
    run: list[frozenset[str]] = []
    for op, av in items:
        strings = _strings(op, av)
        if strings is not None:
            run.append(strings)
            continue
        best = _better(best, _spelled(run))
        run = []
        best = _better(best, _item(op, av))
    return _better(best, _spelled(run))


def _item(op: Any, av: Any) -> Needed:
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, inner = av
        return None if add_flags & re.IGNORECASE else _needed(inner)
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _needed(av)
    if op is sre.BRANCH:
        return _union((_needed(branch) for branch in av[1]), limit=None)
    if op in _REPEATS:
        low, _high, inner = av
        return _needed(inner) if low >= 1 else None
    return None  # classes, any-character, references: nothing known


def _strings(op: Any, av: Any) -> frozenset[str] | None:
    """Every string one part can match, if there are few; None otherwise.

    Look-arounds and anchors match the empty string: counting them as "" can only add strings a
    match might not really take, so what is derived from the result stays necessary.
    """
    if op is sre.LITERAL:
        return frozenset({chr(av)})
    if op in _ZERO_WIDTH:
        return frozenset({""})
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, inner = av
        return None if add_flags & re.IGNORECASE else _sequence_strings(inner)
    if op is sre.BRANCH:
        return _union(_sequence_strings(branch) for branch in av[1])
    if op in _REPEATS:
        low, high, inner = av
        if high > _MAX_REPEAT:
            return None
        return _union(_sequence_strings([*inner] * times) for times in range(low, high + 1))
    return None


def _sequence_strings(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    out: frozenset[str] | None = frozenset({""})
    for op, av in items:
        strings = _strings(op, av)
        if strings is None or out is None:
            return None
        out = _product(out, strings)
    return out


def _product(heads: frozenset[str], tails: frozenset[str]) -> frozenset[str] | None:
    if len(heads) * len(tails) > _MAX_STRINGS:
        return None
    return frozenset(h + t for h in heads for t in tails)


def _spelled(run: list[frozenset[str]]) -> Needed:
    """What a run of few-string parts needs: their strings joined, or the best single part."""
    joined: frozenset[str] | None = frozenset({""})
    for strings in run:
        joined = None if joined is None else _product(joined, strings)
    if joined is not None:
        return None if "" in joined or not joined else joined
    best: Needed = None
    for strings in run:
        best = _better(best, None if "" in strings else strings)
    return best


def _union(alternatives: Iterable[Needed], limit: int | None = _MAX_STRINGS) -> Needed:
    """Every branch must name its strings, or nothing is known about the alternation; nor is it
    past ``limit`` strings."""
    out: set[str] = set()
    for strings in alternatives:
        if strings is None or (limit is not None and len(out) + len(strings) > limit):
            return None
        out |= strings
    return frozenset(out)


def _better(a: Needed, b: Needed) -> Needed:
    if a is None:
        return b
    if b is None:
        return a
    return a if _selectivity(a) >= _selectivity(b) else b


def _selectivity(literals: frozenset[str]) -> tuple[int, int]:
    # The shortest literal decides how often the set is found in ordinary text ("he" is in
    # "the"); among equals, fewer literals are found less often.
    return min(len(x) for x in literals), -len(literals)


class LiteralIndex(Generic[K]):
    """Which of many patterns could match a text, found in one pass over it (Aho-Corasick)."""

    def __init__(self, needs: Mapping[K, Needed]) -> None:
        self._always = frozenset(key for key, literals in needs.items() if literals is None)
        users: dict[str, set[K]] = {}
        for key, literals in needs.items():
            for literal in literals or ():
                users.setdefault(literal, set()).add(key)
        self._automaton = ahocorasick.Automaton()
        for literal, keys in users.items():
            self._automaton.add_word(literal, frozenset(keys))
        if users:
            self._automaton.make_automaton()
        self._empty = not users

    @classmethod
    def of_patterns(cls, patterns: Iterable[re.Pattern[str]]) -> LiteralIndex[int]:
        """An index of compiled patterns by position (case-insensitive ones always run)."""
        return LiteralIndex(
            {
                i: None if p.flags & re.IGNORECASE else needed(p.pattern)
                for i, p in enumerate(patterns)
            }
        )

    def candidates(self, text: str) -> frozenset[K]:
        """The keys whose pattern may match ``text``: a needed literal occurs, or none is known."""
        if self._empty:
            return self._always
        # A short literal can occur many times; take each literal's keys once.
        found = set(self._always).union(*{keys for _end, keys in self._automaton.iter(text)})
        return frozenset(found)


R = TypeVar("R", bound=tuple[Any, ...])


class Prefiltered(Generic[R]):
    """Rules in order, each a tuple whose last item is its compiled pattern, with their index."""

    def __init__(self, rules: Iterable[R]) -> None:
        self.rules: tuple[R, ...] = tuple(rules)
        self._index = LiteralIndex.of_patterns(rule[-1] for rule in self.rules)

    def candidates(self, text: str) -> Iterator[R]:
        """The rules, in order, less those whose pattern cannot match ``text``."""
        may = self._index.candidates(text)
        return (rule for i, rule in enumerate(self.rules) if i in may)
