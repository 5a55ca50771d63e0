"""The screening rules: loaded from ``rules.yaml`` (package data), compiled once, matched here.

Pattern language (see the top of ``rules.yaml``): Python regular expressions over the folded text
(lower case, no apostrophes), where a literal space means "one or more non-letter characters" and
``{name}`` inserts a macro. Each match is then checked for negation ("he has never hit me"); a
negated match is skipped and the search goes on, so a hit elsewhere in the text still counts.
Allow-list patterns (idioms such as "I could kill him for eating my leftovers") blank out only
the span they match before the categories are searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, get_args

import yaml

from coach.safety.folding import spelled_out_view, views
from coach.schemas import Risk

RISKS: tuple[Risk, ...] = tuple(r for r in get_args(Risk) if r != "none")
_MACRO = re.compile(r"\{([a-z_]+)\}")
_WORD = re.compile(r"[a-z0-9]+")
_CLAUSE_END = re.compile(r"[.!?;:,\n]")
_BLANK = " ; "  # what an allowed idiom is replaced with: a clause break, so words never join


class RulesError(ValueError):
    """The rules file is malformed (unknown macro, bad regex, unknown category)."""


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    strict: re.Pattern[str]
    loose: re.Pattern[str]
    negatable: bool
    requires: re.Pattern[str] | None = None  # another pattern that must also occur in the text


@dataclass(frozen=True)
class Negation:
    cues: frozenset[str]
    stops: frozenset[str]
    window: int
    before_subject: re.Pattern[str]
    breakers: re.Pattern[str]
    not_negations: re.Pattern[str]

    def negates(self, view: str, m: re.Match[str]) -> bool:
        """Whether the match is denied ("he never hit me", "I'm not suicidal")."""
        if self.breakers.match(view, m.end()):
            return False  # "never hit me until last night", "hasn't hit me yet"
        core = m.start("core") if "core" in m.re.groupindex and m.group("core") else -1
        if core >= 0:
            # Rules with a subject: the denial sits between the subject and the verb, or right
            # before the subject ("it's not that he hits me").
            if self._has_cue(view[m.start() : core]):
                return True
            return bool(self.before_subject.search(view[max(0, m.start() - 60) : m.start()]))
        before = _CLAUSE_END.split(view[max(0, m.start() - 80) : m.start()])[-1]
        words = _WORD.findall(self.not_negations.sub(" ", before))
        for word in reversed(words[-self.window :]):
            if word in self.cues:
                return True
            if word in self.stops:
                return False  # the denial belongs to another subject ("if i dont leave he ...")
        return False

    def _has_cue(self, text: str) -> bool:
        return any(w in self.cues for w in _WORD.findall(self.not_negations.sub(" ", text)))


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    allow_strict: re.Pattern[str]
    allow_loose: re.Pattern[str]
    negation: Negation
    output_always: tuple[Rule, ...]
    output_when_flagged: Mapping[str, tuple[Rule, ...]]

    def detect(self, text: str) -> dict[str, list[str]]:
        """Categories hit in ``text``, each with the ids of the rules that matched."""
        found: dict[str, list[str]] = {}
        for view, loose in _all_views(text):
            view = (self.allow_loose if loose else self.allow_strict).sub(_BLANK, view)
            for rule in self.rules:
                if rule.id not in found.get(rule.category, ()) and self._hit(rule, view, loose):
                    found.setdefault(rule.category, []).append(rule.id)
        return found

    def output_hits(self, text: str, flag: str) -> list[str]:
        """Ids of output-only rules that the model's text trips (negation is not applied)."""
        rules = (*self.output_always, *self.output_when_flagged.get(flag, ()))
        hits: list[str] = []
        for view, loose in _all_views(text):
            hits += [r.id for r in rules if r.id not in hits and _search(r, view, loose)]
        return hits

    def _hit(self, rule: Rule, view: str, loose: bool) -> bool:
        if rule.requires is not None and rule.requires.search(view) is None:
            return False
        pattern = rule.loose if loose else rule.strict
        pos = 0
        while (m := pattern.search(view, pos)) is not None:
            if not (rule.negatable and self.negation.negates(view, m)):
                return True
            pos = m.start() + 1
        return False


def _search(rule: Rule, view: str, loose: bool) -> bool:
    return (rule.loose if loose else rule.strict).search(view) is not None


def _all_views(text: str) -> Iterator[tuple[str, bool]]:
    for view in views(text):
        yield view, False
    joined = spelled_out_view(text)
    if joined is not None:
        yield joined, True


# ---- loading and compiling -------------------------------------------------------------------


def _expand(pattern: str, macros: Mapping[str, str], where: str, depth: int = 0) -> str:
    if depth > 5:
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


def _compile(pattern: str, macros: Mapping[str, str], where: str) -> tuple[re.Pattern[str], ...]:
    """The strict form (words apart) and the loose form (words may be glued: spelled-out text)."""
    expanded = _expand(pattern, macros, where)
    try:
        return tuple(re.compile(_separators(expanded, sep)) for sep in (r"[\W_]+", r"[\W_]*"))
    except re.error as exc:
        raise RulesError(f"bad regular expression in {where}: {exc}") from exc


def _rules(
    entries: Iterable[Any], category: str, prefix: str, macros: Mapping[str, str]
) -> tuple[Rule, ...]:
    out = []
    for i, entry in enumerate(entries):
        spec = {"re": entry} if isinstance(entry, str) else dict(entry)
        rule_id = str(spec.get("id") or f"{prefix}[{i}]")
        strict, loose = _compile(str(spec["re"]), macros, rule_id)
        requires = _compile(spec["requires"], macros, rule_id)[0] if "requires" in spec else None
        negatable = bool(spec.get("negatable", True))
        out.append(Rule(rule_id, category, strict, loose, negatable, requires))
    return tuple(out)


def _either(patterns: Iterable[str], macros: Mapping[str, str]) -> tuple[re.Pattern[str], ...]:
    joined = "|".join(f"(?:{p})" for p in patterns) or r"(?!)"
    return _compile(joined, macros, "allow")


def build(data: Mapping[str, Any]) -> RuleSet:
    """Compile a rules document (the parsed ``rules.yaml``)."""
    macros: dict[str, str] = dict(data.get("macros") or {})
    categories: Mapping[str, Any] = data["categories"]
    unknown = set(categories) - set(RISKS)
    if unknown:
        raise RulesError(f"unknown categories {sorted(unknown)!r}; expected some of {RISKS!r}")
    rules = tuple(r for cat, items in categories.items() for r in _rules(items, cat, cat, macros))
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
        cat: _rules(items, cat, f"output.{cat}", macros)
        for cat, items in (output.get("when_flagged") or {}).items()
    }
    return RuleSet(
        rules=rules,
        allow_strict=allow_strict,
        allow_loose=allow_loose,
        negation=negation,
        output_always=_rules(output.get("always") or [], "output", "output.always", macros),
        output_when_flagged=flagged,
    )


def load_yaml(name: str) -> Any:
    """Parse a YAML data file shipped inside this package."""
    return yaml.safe_load(resources.files("coach.safety").joinpath(name).read_text("utf-8"))


@cache
def ruleset() -> RuleSet:
    """The packaged rules, compiled once per process."""
    return build(load_yaml("rules.yaml"))
