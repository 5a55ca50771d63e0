"""A literal prefilter: which rules could match a text at all, decided without running them.

The safety screen and the checks each run a few hundred regular expressions over a short text,
and most of them fail; Python's ``re`` has no multi-pattern search, and a failing search still
scans the whole text. Each expression is therefore read once, from its parse tree, for a few
sets of literal strings (its factors) of which *every* match must contain at least one each:
``kill(?:ed|ing)? (?:myself|me)`` needs one of "kill", "killed", "killing" and one of "myself",
"me"; ``(?:cut|burn)ing`` needs "cuting" or "burning". A text that lacks every literal of any one
factor cannot match, and the expression is skipped. Asking for all the factors rather than the
single most selective one leaves far fewer expressions to run: "me" is in many texts, "kill" and
"me" together in few.

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
from functools import reduce
from itertools import accumulate, repeat
from operator import add, itemgetter, or_
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Generic, TypeVar

import ahocorasick

Needed = frozenset[str] | None  # None: nothing is known, the expression must always run
# Every set must have a literal in the text (a conjunction); None: nothing known, always run.
Needs = tuple[frozenset[str], ...] | None
K = TypeVar("K", bound=Hashable)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_MAX_STRINGS = 64  # a part matching more distinct strings than this is not spelled out
_MAX_REPEAT = 3
_MAX_FACTORS = 3  # a few sets rule out nearly all a pattern's can; more only grow the index
_MIN_EXTRA_LENGTH = 2  # a set beyond the first needs literals this long (a letter is everywhere)


def needed(pattern: str) -> Needed:
    """Literals of which every match of ``pattern`` contains one; None if none can be named.

    The most selective of :func:`needed_all`'s factors.
    """
    factors = needed_all(pattern)
    return factors[0] if factors else None


def needed_all(pattern: str) -> Needs:
    """Sets of literals of which every match of ``pattern`` contains one each; None if none.

    A sequence needs what each of its parts needs, so ``kill(?:ed|ing)? (?:myself|me)`` needs
    one of "kill", "killed", "killing" *and* one of "myself", "me". Asking for all of them rules
    out far more texts than asking for the single best set: a text with "me" but no "kill" is
    skipped too. At most ``_MAX_FACTORS`` are kept, the most selective first.
    """
    try:
        tree = _parser.parse(pattern)
    except (re.error, RecursionError, AttributeError, TypeError):
        return None
    if tree.state.flags & re.IGNORECASE:
        return None
    return _kept(_factors(tree)) or None


def conjoin(*needs: Needs) -> Needs:
    """What a text needs for several patterns all to match in it: every factor of each, the
    most selective ``_MAX_FACTORS`` kept (None if nothing is known of any)."""
    return _kept([factor for factors in needs for factor in factors or ()]) or None


def _kept(factors: list[frozenset[str]]) -> tuple[frozenset[str], ...]:
    """The most selective factors, less those another kept one implies (a text containing
    "killing" contains "kill": asking for both finds nothing more)."""
    kept: list[frozenset[str]] = []
    for factor in sorted(factors, key=_selectivity, reverse=True):  # stable: ties keep order
        if kept and min(map(len, factor)) < _MIN_EXTRA_LENGTH:
            continue  # found in nearly every text: not worth its automaton hits
        if not any(_implies(other, factor) for other in kept):
            kept.append(factor)
    return tuple(kept[:_MAX_FACTORS])


def _implies(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether a text containing a literal of ``a`` always contains one of ``b``."""
    return all(any(y in x for y in b) for x in a)


def _factors(items: Iterable[tuple[Any, Any]]) -> list[frozenset[str]]:
    """Every literal set a sequence needs, in the order its parts come.

    Neighbouring parts that match only a few fixed strings are spelled out together, so
    ``kill(?:ed|ing)?`` needs one of "kill", "killed", "killing", and ``m(?:yself|e)`` (Python's
    parser factors ``myself|me`` that way) needs "myself" or "me", not just "m".
    """
    out: list[frozenset[str]] = []
    run: list[frozenset[str]] = []
    for op, av in items:
        strings = _strings(op, av)
        if strings is not None:
            run.append(strings)
            continue
        out += _spelled(run)
        run = []
        out += _item(op, av)
    return out + _spelled(run)


def _item(op: Any, av: Any) -> list[frozenset[str]]:
    """What one part that is not a few fixed strings needs: a group or a required repeat what
    its inside needs; an alternation one set, the union of each branch's best."""
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, inner = av
        return [] if add_flags & re.IGNORECASE else _factors(inner)
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _factors(av)
    if op is sre.BRANCH:
        union = _union((_best(_factors(branch)) for branch in av[1]), limit=None)
        return [] if union is None else [union]
    if op in _REPEATS:
        low, _high, inner = av
        return _factors(inner) if low >= 1 else []
    return []  # classes, any-character, references: nothing known


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


def _spelled(run: list[frozenset[str]]) -> list[frozenset[str]]:
    """What a run of few-string parts needs: their strings joined, or failing that (too many
    combinations) each part that cannot be empty."""
    joined: frozenset[str] | None = frozenset({""})
    for strings in run:
        joined = None if joined is None else _product(joined, strings)
    if joined is not None:
        return [] if "" in joined or not joined else [joined]
    return [strings for strings in run if "" not in strings]


def _union(alternatives: Iterable[Needed], limit: int | None = _MAX_STRINGS) -> Needed:
    """Every branch must name its strings, or nothing is known about the alternation; nor is it
    past ``limit`` strings."""
    out: set[str] = set()
    for strings in alternatives:
        if strings is None or (limit is not None and len(out) + len(strings) > limit):
            return None
        out |= strings
    return frozenset(out)


def _best(factors: list[frozenset[str]]) -> Needed:
    """The most selective factor (the first of equals), or None."""
    return max(factors, key=_selectivity, default=None)


def _selectivity(literals: frozenset[str]) -> tuple[int, int]:
    # The shortest literal decides how often the set is found in ordinary text ("he" is in
    # "the"); among equals, fewer literals are found less often.
    return min(len(x) for x in literals), -len(literals)


class LiteralIndex(Generic[K]):
    """Which of many patterns could match a text, found in one pass over it (Aho-Corasick).

    Each key needs a literal of every one of its factors (literal sets) in the text; a key
    needing nothing known (None) is always a candidate. One pass over the text finds the
    literals, and then, with no Python step per key:

    - keys with one factor are the union of the found literals' key sets;
    - keys with several are settled together in one integer. Each has a block of bits, one per
      factor and a guard bit above them, and a found literal sets the bits of the factors it is
      in. Adding 1 at the bottom of every block carries into the guard bit exactly when the
      whole block is set, so ``(found + low) & guards`` marks the keys whose every factor was
      found.
    """

    def __init__(self, needs: Mapping[K, Needs]) -> None:
        factors = {key: sets or () for key, sets in needs.items()}
        self._always = frozenset(key for key, sets in factors.items() if not sets)
        singles: dict[str, set[K]] = {}
        bits: dict[str, int] = {}
        self._low = self._guards = 0
        guard_keys: dict[int, K] = {}
        offset = 0
        for key, sets in factors.items():
            if len(sets) == 1:
                for literal in sets[0]:
                    singles.setdefault(literal, set()).add(key)
                continue
            for position, literals in enumerate(sets):
                for literal in literals:
                    bits[literal] = bits.get(literal, 0) | 1 << (offset + position)
            self._low |= 1 << offset
            self._guards |= 1 << (offset + len(sets))
            guard_keys[offset + len(sets)] = key
            offset += len(sets) + 1
        self._decode = _BitDecoder(guard_keys)
        # The automaton gives a literal's number; its single-factor keys and bits are looked up.
        words = sorted(singles.keys() | bits.keys())
        self._singles = [frozenset(singles.get(word, ())) for word in words]
        self._bits = [bits.get(word, 0) for word in words]
        self._automaton = ahocorasick.Automaton()
        for number, word in enumerate(words):
            self._automaton.add_word(word, number)
        if words:
            self._automaton.make_automaton()
        self._empty = not words

    @classmethod
    def of_patterns(cls, patterns: Iterable[re.Pattern[str]]) -> LiteralIndex[int]:
        """An index of compiled patterns by position (case-insensitive ones always run)."""
        return LiteralIndex(
            {
                i: None if p.flags & re.IGNORECASE else needed_all(p.pattern)
                for i, p in enumerate(patterns)
            }
        )

    def candidates(self, text: str) -> frozenset[K]:
        """The keys whose pattern may match ``text``: each of its factors has a literal in it,
        or nothing is known about it."""
        if self._empty:
            return self._always
        # A short literal can occur many times; take each literal once.
        found = set(map(itemgetter(1), self._automaton.iter(text)))
        keys = self._always.union(*map(self._singles.__getitem__, found))
        factors = reduce(or_, map(self._bits.__getitem__, found), 0)
        done = (factors + self._low) & self._guards
        return keys.union(self._decode(done)) if done else keys


class _BitDecoder(Generic[K]):
    """The keys of the set bits of an integer, given the key of each bit that may be set."""

    def __init__(self, keys_by_bit: Mapping[int, K]) -> None:
        width = max(keys_by_bit, default=0) + 1
        self._format = f"0{width}b"
        # In the binary spelling (most significant first), bit b is at index width - 1 - b.
        self._keys = {width - bit: key for bit, key in keys_by_bit.items()}

    def __call__(self, bits: int) -> Iterator[K]:
        # Split at the "1"s of the spelling: the running total of (gap + 1) is each "1"'s
        # index + 1. All of it runs in C (split, len, accumulate), not a Python step per bit.
        gaps = format(bits, self._format).split("1")
        gaps.pop()  # what follows the last "1"
        return map(self._keys.__getitem__, accumulate(map(add, map(len, gaps), repeat(1))))


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
