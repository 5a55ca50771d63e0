"""The screening rules: loaded from ``rules.yaml`` (package data), compiled once, matched here.

Two kinds of rule, both data (see the top of ``rules.yaml`` for the full description):

- **Window rules** (the main layer, because they generalise): a rule names two or more
  *concepts* (lexicons: lists of words and short phrases, e.g. ``partner_subject``,
  ``violence_verb``, ``me_body``) and fires when one hit of each occurs close together, inside
  one sentence by default, optionally in order and with at most a few words between them. So
  "my bf shoved me", "she scratches and hits me" and "husbnd hit me again" are one rule, not
  three phrases. A rule may name concepts that veto it nearby (``unless``: an accident, a game,
  consent, a trivial reason for a joke), concepts that must not sit between its parts
  (``barrier``: another subject), and one part whose denial cancels it (``negate``).
- **Pattern rules**: Python regular expressions over the folded text, for signals that are
  phrases by nature (slang such as "kms", method questions, numbers in ages).

Pattern language, shared by both: regular expressions over the folded text (lower case, no
apostrophes), where a literal space means "one or more non-letter characters" and ``{name}``
inserts a macro or a lexicon. A negated hit ("he has never hit me", "i would never hurt myself")
is skipped and the search goes on, so a hit elsewhere in the text still counts. Allow-list
patterns (idioms such as "I could kill him for eating my leftovers") blank out only the span they
match before the categories are searched; the blank is a sentence break, so no window crosses it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any, NamedTuple, get_args

import yaml

from coach.prefilter import LiteralIndex, Needs, conjoin, needed_all
from coach.safety.folding import spelled_out_view, views
from coach.schemas import Risk

RISKS: tuple[Risk, ...] = tuple(r for r in get_args(Risk) if r != "none")
_MACRO = re.compile(r"\{([a-z_0-9]+)\}")
_WORD = re.compile(r"[a-z0-9]+")
_CLAUSE_END = re.compile(r"[.!?;:,\n]")
_SENTENCE_END = re.compile(r"[.!?;\n]+")
_BLANK = " ; "  # what an allowed idiom is replaced with: a sentence break, so words never join
_SCOPES = ("sentence", "text")
_OPENERS = frozenset({"even though", "even tho", "even if", "even when", "even after"})


class RulesError(ValueError):
    """The rules file is malformed (unknown macro, bad regex, unknown category)."""


class LazyPattern:
    """A regular expression compiled on first use.

    The loose form of every rule (words may be glued together) is only needed for the rare text
    spelled out letter by letter, so it is not compiled at start-up; :meth:`RuleSet.compile_all`
    compiles every one (the tests call it, so a bad loose form cannot wait for production).
    """

    __slots__ = ("_pattern", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._pattern: re.Pattern[str] | None = None

    def get(self) -> re.Pattern[str]:
        if self._pattern is None:
            self._pattern = re.compile(self.source)
        return self._pattern

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.get().search(text, pos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.get().finditer(text)


Compiled = tuple[re.Pattern[str], LazyPattern]  # (strict, loose)


# ---- negation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Negation:
    cues: frozenset[str]
    stops: frozenset[str]
    window: int
    before_subject: re.Pattern[str]
    breakers: re.Pattern[str]
    not_negations: re.Pattern[str]

    def negates(self, view: str, m: re.Match[str]) -> bool:
        """Whether a pattern rule's match is denied ("he never hit me", "I'm not suicidal")."""
        if self.breakers.match(view, m.end()):
            return False  # "never hit me until last night", "hasn't hit me yet"
        core = m.start("core") if "core" in m.re.groupindex and m.group("core") else -1
        if core >= 0:
            # Rules with a subject: the denial sits between the subject and the verb, or right
            # before the subject ("it's not that he hits me").
            return self.between(view, m.start(), core) or self.before(view, m.start())
        return self.looking_back(view, m.start())

    def between(self, view: str, start: int, end: int) -> bool:
        """A denial between a subject and its verb ("he has never hit me")."""
        return self._has_cue(view[start:end])

    def before(self, view: str, start: int) -> bool:
        """A denial right before a subject ("it's not that he...", "i don't think he...")."""
        return bool(self.before_subject.search(view[max(0, start - 60) : start]))

    def looking_back(self, view: str, start: int) -> bool:
        """A denial in the few words before ``start``, stopping at another subject or clause."""
        before = _CLAUSE_END.split(view[max(0, start - 80) : start])[-1]
        words = _WORD.findall(self.not_negations.sub(" ", before))
        for word in reversed(words[-self.window :]):
            if word in self.cues:
                return True
            if word in self.stops:
                return False  # the denial belongs to another subject ("if i dont leave he ...")
        return False

    def broken(self, view: str, end: int) -> bool:
        """The denial does not hold after all ("never hit me until last night")."""
        return self.breakers.match(view, end) is not None

    def _has_cue(self, text: str) -> bool:
        return any(w in self.cues for w in _WORD.findall(self.not_negations.sub(" ", text)))


# ---- rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A pattern rule: one regular expression."""

    id: str
    category: str
    strict: re.Pattern[str]
    loose: LazyPattern
    negatable: bool
    requires: re.Pattern[str] | None = None  # another pattern that must also occur in the text
    unless: tuple[re.Pattern[str], ...] = ()  # patterns that cancel the rule anywhere in the text
    # Literal sets every match has a literal of (see prefilter.py); the loose form has the same
    # ones, since it differs only in what separates the words.
    literals: Needs = None
    requires_literals: Needs = None  # the same for ``requires``


@dataclass(frozen=True)
class WindowRule:
    """A co-occurrence rule: one hit of each concept in ``parts``, close together."""

    id: str
    category: str
    parts: tuple[str, ...]  # concept keys (a lexicon name or an inline pattern)
    ordered: bool
    window: int  # at most this many words from the first part to the last
    gaps: tuple[int | None, ...]  # ordered rules: at most this many words between parts k and k+1
    scope: str  # "sentence": all parts in one sentence; "text": anywhere within the window
    barrier: tuple[str, ...]  # concepts that must not occur between the parts
    unless: tuple[str, ...]  # concepts that veto the rule within ``unless_window`` / sentence
    unless_window: int | None  # words either side of the parts; None: the whole sentence
    unless_text: tuple[str, ...]  # concepts that veto the rule anywhere in the text
    negate: int | None  # which part a denial before it cancels; None: no negation
    requires: str | None  # a concept that must occur somewhere in the text

    @cached_property
    def needs(self) -> frozenset[str]:
        """The concepts that must all occur in a text for the rule to fire."""
        return frozenset(self.parts) | ({self.requires} if self.requires else set())


class Hit(NamedTuple):
    first: int  # index of the first word the hit covers
    last: int  # index of the last word
    start: int  # character offsets in the view
    end: int
    sentence: int


@dataclass
class _View:
    """One folded view of the text, with its words and sentences, and concept hits cached."""

    text: str
    loose: bool
    concepts: Mapping[str, Compiled]
    possible: frozenset[str]  # the concepts the prefilter could not rule out
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    _cache: dict[str, list[Hit]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for m in _WORD.finditer(self.text):
            self.starts.append(m.start())
            self.ends.append(m.end())
        self.sentences = [0] + [m.end() for m in _SENTENCE_END.finditer(self.text)]

    def hits(self, key: str) -> list[Hit]:
        found = self._cache.get(key)
        if found is None and key not in self.possible:
            found = self._cache[key] = []
        if found is None:
            strict, loose = self.concepts[key]
            matches = (loose if self.loose else strict).finditer(self.text)
            found = [self._hit(m.start(), m.end()) for m in matches]
            self._cache[key] = found
        return found

    def _hit(self, start: int, end: int) -> Hit:
        first = bisect_right(self.ends, start)
        last = max(first, bisect_left(self.starts, end) - 1)
        return Hit(first, last, start, end, bisect_right(self.sentences, start) - 1)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    windows: tuple[WindowRule, ...]
    concepts: Mapping[str, Compiled]
    allow_strict: re.Pattern[str]
    allow_loose: LazyPattern
    negation: Negation
    output_always: tuple[Rule, ...]
    output_when_flagged: Mapping[str, tuple[Rule, ...]]
    concept_literals: Mapping[str, Needs] = field(default_factory=dict)
    allow_literals: Needs = None

    @cached_property
    def _rule_order(self) -> dict[str, int]:
        return {rule.id: position for position, rule in enumerate(self.rules)}

    @cached_property
    def concept_index(self) -> LiteralIndex[str]:
        return LiteralIndex({key: self.concept_literals.get(key) for key in self.concepts})

    @cached_property
    def rule_needs(self) -> dict[str, Needs]:
        """What a text must contain for each pattern and output rule (by id) and the allow-list
        (``""``) to match.

        A pattern rule fires only if what it ``requires`` occurs too, so it needs the literals of
        both: a rule whose requirement cannot occur is not run. (Output rules do not apply
        ``requires``, so theirs are left out.)
        """
        outputs = (*self.output_always, *self.output_when_flagged_rules())
        needs = {"": self.allow_literals} | {r.id: r.literals for r in outputs}
        return needs | {r.id: conjoin(r.literals, r.requires_literals) for r in self.rules}

    @cached_property
    def rule_index(self) -> LiteralIndex[str]:
        return LiteralIndex(self.rule_needs)

    def detect(self, text: str) -> dict[str, list[str]]:
        """Categories hit in ``text``, each with the ids of the rules that matched."""
        found: dict[str, list[str]] = {}
        for raw, loose in _all_views(text):
            view, runnable = self._allowed(raw, loose)
            possible = self.concept_index.candidates(view)
            prepared = _View(view, loose, self.concepts, possible)
            for window in self.windows:
                if not window.needs <= possible or window.id in found.get(window.category, ()):
                    continue
                if self._fires(window, prepared):
                    found.setdefault(window.category, []).append(window.id)
            # the few the prefilter left, not all few hundred, in the file's order
            for position in sorted(self._rule_order[i] for i in runnable if i in self._rule_order):
                rule = self.rules[position]
                if rule.id in found.get(rule.category, ()):
                    continue
                if self._hit(rule, view, loose):
                    found.setdefault(rule.category, []).append(rule.id)
        return found

    def _allowed(self, raw: str, loose: bool) -> tuple[str, frozenset[str]]:
        """The view with allowed idioms blanked out, and the ids of the rules that may match it."""
        runnable = self.rule_index.candidates(raw)
        if "" not in runnable:
            return raw, runnable
        view = (self.allow_loose.get() if loose else self.allow_strict).sub(_BLANK, raw)
        return view, (runnable if view == raw else self.rule_index.candidates(view))

    def compile_all(self) -> None:
        """Compile every lazily compiled (loose) form now; raises RulesError on a bad one."""
        rules = (*self.rules, *self.output_always, *self.output_when_flagged_rules())
        lazies = [r.loose for r in rules] + [c[1] for c in self.concepts.values()]
        for lazy in lazies:
            try:
                lazy.get()
            except re.error as exc:
                raise RulesError(f"bad loose form {lazy.source[:60]!r}: {exc}") from exc

    def output_when_flagged_rules(self) -> tuple[Rule, ...]:
        return tuple(r for rules in self.output_when_flagged.values() for r in rules)

    def output_hits(self, text: str, flag: str) -> list[str]:
        """Ids of output-only rules that the model's text trips (negation is not applied)."""
        rules = (*self.output_always, *self.output_when_flagged.get(flag, ()))
        hits: list[str] = []
        for view, loose in _all_views(text):
            runnable = self.rule_index.candidates(view)
            hits += [
                r.id
                for r in rules
                if r.id not in hits and r.id in runnable and _search(r, view, loose)
            ]
        return hits

    # -- pattern rules

    def _hit(self, rule: Rule, view: str, loose: bool) -> bool:
        # The rule's own pattern first: it is the rare part, while `requires` and `unless` are
        # often whole lexicons of common words that would be searched for nothing.
        pattern = rule.loose if loose else rule.strict
        pos = 0
        while (m := pattern.search(view, pos)) is not None:
            if not (rule.negatable and self.negation.negates(view, m)):
                return _context_allows(rule, view)
            pos = m.start() + 1
        return False

    # -- window rules

    def _fires(self, rule: WindowRule, view: _View) -> bool:
        if rule.requires is not None and not view.hits(rule.requires):
            return False
        # the rarest part is usually the last (the crisis concept): look for it first, stop early
        if not all(view.hits(key) for key in reversed(rule.parts)):
            return False
        if any(view.hits(key) for key in rule.unless_text):
            return False
        lists = [view.hits(key) for key in rule.parts]
        combos = _ordered(rule, view, lists) if rule.ordered else _unordered(rule, lists)
        return any(self._accept(rule, view, combo) for combo in combos)

    def _accept(self, rule: WindowRule, view: _View, combo: tuple[Hit, ...]) -> bool:
        if any(_barred(view.hits(key), combo) for key in rule.barrier):
            return False
        if rule.unless and _vetoed(rule, view, combo):
            return False
        return rule.negate is None or not self._denied(rule, view, combo)

    def _denied(self, rule: WindowRule, view: _View, combo: tuple[Hit, ...]) -> bool:
        assert rule.negate is not None
        target = combo[rule.negate]
        text = view.text
        if self.negation.broken(text, max(h.end for h in combo)):
            return False  # "he never hit me until last night"
        opening = _WORD.findall(text[target.start : target.end])[:2]
        if opening and (opening[0] in self.negation.stops or " ".join(opening) in _OPENERS):
            return False  # the part starts its own clause ("he won't ... even though i asked")
        first = min(combo, key=lambda h: h.start)
        if rule.ordered and first.start < target.start:
            # a subject first: the denial sits between it and the negated part, or right before
            # the subject ("it's not that he hits me", "i don't think he would hurt me")
            return self.negation.between(text, first.end, target.start) or self.negation.before(
                text, first.start
            )
        return self.negation.looking_back(text, target.start)


def _ordered(rule: WindowRule, view: _View, lists: list[list[Hit]]) -> Iterator[tuple[Hit, ...]]:
    """Every choice of one hit per part, in order, within the gap, window and scope."""

    def extend(prefix: tuple[Hit, ...], k: int) -> Iterator[tuple[Hit, ...]]:
        if k == len(lists):
            yield prefix
            return
        head, prev = prefix[0], prefix[-1]
        gap = rule.gaps[k - 1]
        for hit in lists[k]:
            if hit.first <= prev.last or hit.start < prev.end:
                continue
            if gap is not None and hit.first - prev.last - 1 > gap:
                break  # hits are in text order: later ones are further away
            if hit.last - head.first + 1 > rule.window:
                break
            if rule.scope == "sentence" and hit.sentence != head.sentence:
                break
            yield from extend((*prefix, hit), k + 1)

    for hit in lists[0]:
        yield from extend((hit,), 1)


def _unordered(rule: WindowRule, lists: list[list[Hit]]) -> Iterator[tuple[Hit, ...]]:
    """Every choice of one hit per part, in any order, within the window and scope."""

    def extend(prefix: tuple[Hit, ...], k: int) -> Iterator[tuple[Hit, ...]]:
        if k == len(lists):
            yield prefix
            return
        for hit in lists[k]:
            if rule.scope == "sentence" and hit.sentence != prefix[0].sentence:
                continue
            lo = min(hit.first, *(h.first for h in prefix))
            hi = max(hit.last, *(h.last for h in prefix))
            if hi - lo + 1 > rule.window:
                continue
            if any(_overlap(hit, h) for h in prefix):
                continue
            yield from extend((*prefix, hit), k + 1)

    for hit in lists[0]:
        yield from extend((hit,), 1)


def _overlap(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _barred(barriers: list[Hit], combo: tuple[Hit, ...]) -> bool:
    ordered = sorted(combo, key=lambda h: h.start)
    for a, b in pairwise(ordered):
        if any(a.end <= x.start and x.end <= b.start for x in barriers):
            return True
    return False


def _vetoed(rule: WindowRule, view: _View, combo: tuple[Hit, ...]) -> bool:
    lo = min(h.first for h in combo)
    hi = max(h.last for h in combo)
    sentences = {h.sentence for h in combo}
    for key in rule.unless:
        for hit in view.hits(key):
            if rule.unless_window is None:
                if hit.sentence in sentences:
                    return True
            elif hit.last >= lo - rule.unless_window and hit.first <= hi + rule.unless_window:
                return True
    return False


def _search(rule: Rule, view: str, loose: bool) -> bool:
    return (rule.loose if loose else rule.strict).search(view) is not None


def _context_allows(rule: Rule, view: str) -> bool:
    """A pattern rule's conditions on the rest of the text: what it requires, and no veto."""
    if rule.requires is not None and rule.requires.search(view) is None:
        return False
    return not any(p.search(view) for p in rule.unless)


# The output screen folds each candidate for the input rules and again for the output rules; the
# views are a pure function of the text, so the second time is a lookup.
@lru_cache(maxsize=64)
def _all_views(text: str) -> tuple[tuple[str, bool], ...]:
    out = [(view, False) for view in views(text)]
    joined = spelled_out_view(text)
    return (*out, (joined, True)) if joined is not None else tuple(out)


# ---- loading and compiling -------------------------------------------------------------------


def _expand(pattern: str, macros: Mapping[str, str], where: str, depth: int = 0) -> str:
    if depth > 6:
        raise RulesError(f"macros nest too deeply in {where}")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise RulesError(f"unknown macro {{{name}}} in {where}; known: {sorted(macros)!r}")
        return "(?:" + _expand(macros[name], macros, f"macro {name!r}", depth + 1) + ")"

    return _MACRO.sub(sub, pattern)


def _separators(pattern: str, sep: str) -> str:
    """Replace each literal space outside a character class by ``sep`` (" ?" by an optional one)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == " ":
            optional = pattern[i + 1 : i + 2] == "?"
            out.append(r"[\W_]*" if optional else sep)
            i += 2 if optional else 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _compile(pattern: str, macros: Mapping[str, str], where: str) -> Compiled:
    """The strict form (words apart) and the loose form (words may be glued: spelled-out text)."""
    expanded = _expand(pattern, macros, where)
    try:
        strict = re.compile(_separators(expanded, r"[\W_]+"))
    except re.error as exc:
        raise RulesError(f"bad regular expression in {where}: {exc}") from exc
    return strict, LazyPattern(_separators(expanded, r"[\W_]*"))


def _lexicon_pattern(entries: Iterable[Any], where: str) -> str:
    items = [str(e) for e in entries]
    if not items:
        raise RulesError(f"lexicon {where!r} is empty")
    return "|".join(f"(?:{e})" for e in items)


def _word_bounded(pattern: str) -> str:
    """A concept matches whole words only: "hit" is not found inside "white"."""
    return rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])"


def _rules(
    entries: Iterable[Any],
    category: str,
    prefix: str,
    macros: Mapping[str, str],
    concepts: dict[str, Compiled] | None = None,
) -> tuple[tuple[Rule, ...], tuple[WindowRule, ...]]:
    patterns: list[Rule] = []
    windows: list[WindowRule] = []
    for i, entry in enumerate(entries):
        spec = {"re": entry} if isinstance(entry, str) else dict(entry)
        rule_id = str(spec.get("id") or f"{prefix}[{i}]")
        if "near" in spec:
            if concepts is None:
                raise RulesError(f"{rule_id}: window rules are for user text only")
            windows.append(_window(spec, rule_id, category, macros, concepts))
            continue
        if "re" not in spec:
            raise RulesError(f"{rule_id}: a rule needs `re` (a pattern) or `near` (concepts)")
        strict, loose = _compile(str(spec["re"]), macros, rule_id)
        requires = _compile(spec["requires"], macros, rule_id)[0] if "requires" in spec else None
        negatable = bool(spec.get("negatable", True))
        unless_spec = spec.get("unless") or []
        unless = tuple(
            _compile(_word_bounded(f"{{{u}}}" if u in macros else str(u)), macros, rule_id)[0]
            for u in ([unless_spec] if isinstance(unless_spec, str) else unless_spec)
        )
        literals = needed_all(strict.pattern)
        needs = needed_all(requires.pattern) if requires is not None else None
        patterns.append(
            Rule(rule_id, category, strict, loose, negatable, requires, unless, literals, needs)
        )
    return tuple(patterns), tuple(windows)


_WINDOW_KEYS = frozenset(
    {
        "id",
        "near",
        "ordered",
        "window",
        "gap",
        "scope",
        "barrier",
        "unless",
        "unless_window",
        "unless_text",
        "negate",
        "requires",
        "note",
    }
)


def _window(
    spec: Mapping[str, Any],
    rule_id: str,
    category: str,
    macros: Mapping[str, str],
    concepts: dict[str, Compiled],
) -> WindowRule:
    unknown = set(spec) - _WINDOW_KEYS
    if unknown:
        raise RulesError(f"{rule_id}: unknown keys {sorted(unknown)!r}")

    def concept(item: Any) -> str:
        key = str(item)
        if key not in concepts:  # not a lexicon name: an inline pattern
            strict, loose = _compile(_word_bounded(key), macros, rule_id)
            concepts[key] = (strict, loose)
        return key

    def many(value: Any) -> tuple[str, ...]:
        items = [] if value is None else [value] if isinstance(value, str) else list(value)
        return tuple(concept(v) for v in items)

    parts = many(spec["near"])
    if not parts:
        raise RulesError(f"{rule_id}: `near` needs at least one concept")
    scope = str(spec.get("scope", "sentence"))
    if scope not in _SCOPES:
        raise RulesError(f"{rule_id}: scope must be one of {_SCOPES!r}")
    ordered = bool(spec.get("ordered", True))
    negate_spec = spec.get("negate", "last")
    negate: int | None
    if negate_spec is False or negate_spec is None:
        negate = None
    elif negate_spec == "last":
        negate = len(parts) - 1
    elif isinstance(negate_spec, int) and not isinstance(negate_spec, bool):
        negate = negate_spec
    else:
        names = list(spec["near"])
        if negate_spec not in names:
            raise RulesError(f"{rule_id}: negate names {negate_spec!r}, not one of its parts")
        negate = names.index(negate_spec)
    if negate is not None and not 0 <= negate < len(parts):
        raise RulesError(f"{rule_id}: negate index {negate} out of range")
    requires = spec.get("requires")
    unless_window = spec.get("unless_window")
    gap = spec.get("gap")
    gaps = list(gap) if isinstance(gap, list) else [gap] * max(1, len(parts) - 1)
    if len(gaps) != max(1, len(parts) - 1):
        raise RulesError(f"{rule_id}: `gap` needs one value per pair of neighbouring parts")
    return WindowRule(
        id=rule_id,
        category=category,
        parts=parts,
        ordered=ordered,
        window=int(spec.get("window", 12)),
        gaps=tuple(None if g is None else int(g) for g in gaps),
        scope=scope,
        barrier=many(spec.get("barrier")),
        unless=many(spec.get("unless")),
        unless_window=None if unless_window is None else int(unless_window),
        unless_text=many(spec.get("unless_text")),
        negate=negate,
        requires=None if requires is None else concept(requires),
    )


def _either(patterns: Iterable[str], macros: Mapping[str, str]) -> Compiled:
    joined = "|".join(f"(?:{p})" for p in patterns) or r"(?!)"
    return _compile(joined, macros, "allow")


def build(data: Mapping[str, Any]) -> RuleSet:
    """Compile a rules document (the parsed ``rules.yaml``)."""
    macros: dict[str, str] = dict(data.get("macros") or {})
    lexicons: Mapping[str, Any] = data.get("lexicons") or {}
    clash = set(lexicons) & set(macros)
    if clash:
        raise RulesError(f"names used both as macro and lexicon: {sorted(clash)!r}")
    for name, entries in lexicons.items():
        macros[name] = _lexicon_pattern(entries, name)
    concepts: dict[str, Compiled] = {}
    for name in lexicons:
        strict, loose = _compile(_word_bounded(f"{{{name}}}"), macros, f"lexicon {name!r}")
        concepts[name] = (strict, loose)
    categories: Mapping[str, Any] = data["categories"]
    unknown = set(categories) - set(RISKS)
    if unknown:
        raise RulesError(f"unknown categories {sorted(unknown)!r}; expected some of {RISKS!r}")
    rules: list[Rule] = []
    windows: list[WindowRule] = []
    for cat, items in categories.items():
        found = _rules(items, cat, cat, macros, concepts)
        rules += found[0]
        windows += found[1]
    allow_strict, allow_loose = _either(data.get("allow") or [], macros)
    neg = data["negation"]
    negation = Negation(
        cues=frozenset(neg["cues"]),
        stops=frozenset(neg["stops"]),
        window=int(neg["window"]),
        before_subject=_compile(neg["before_subject"], macros, "negation.before_subject")[0],
        breakers=_compile(neg["breakers"], macros, "negation.breakers")[0],
        not_negations=_compile(neg["not_negations"], macros, "negation.not_negations")[0],
    )
    output = data.get("output") or {}
    flagged = {
        cat: _rules(items, cat, f"output.{cat}", macros)[0]
        for cat, items in (output.get("when_flagged") or {}).items()
    }
    always = _rules(output.get("always") or [], "output", "output.always", macros)[0]
    ids = [r.id for r in (*rules, *always, *(r for rs in flagged.values() for r in rs))]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise RulesError(f"rule ids must be unique (the prefilter keys on them): {repeated!r}")
    concept_literals = {key: needed_all(strict.pattern) for key, (strict, _) in concepts.items()}
    allow_literals = needed_all(allow_strict.pattern)
    return RuleSet(
        rules=tuple(rules),
        windows=tuple(windows),
        concepts=concepts,
        allow_strict=allow_strict,
        allow_loose=allow_loose,
        negation=negation,
        output_always=always,
        output_when_flagged=flagged,
        concept_literals=concept_literals,
        allow_literals=allow_literals,
    )


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when PyYAML has it


def load_yaml(name: str) -> Any:
    """Parse a YAML data file shipped inside this package."""
    text = resources.files("coach.safety").joinpath(name).read_text("utf-8")
    return yaml.load(text, Loader=_LOADER)  # a safe loader, C or Python


@cache
def ruleset() -> RuleSet:
    """The packaged rules, compiled once per process."""
    return build(load_yaml("rules.yaml"))
