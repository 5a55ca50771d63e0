"""The literal prefilter: what it reads from a pattern, how the index combines a pattern's factors,
and that it never skips a rule that would have matched, in the safety screen (whose answers are
the same with and without it) and in the checks."""

from __future__ import annotations

import dataclasses
import importlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from coach.prefilter import LiteralIndex, Needs, Prefiltered, conjoin, needed, needed_all
from coach.safety.folding import spelled_out_view, views
from coach.safety.rules import RulesError, RuleSet, build, ruleset
from tests import test_safety

FIXTURES = Path(__file__).parent / "fixtures"
# The modules, not the check functions the package exports under the same names.
feeling, fixing, tone, _text = (
    importlib.import_module(f"coach.checks.{name}")
    for name in ("feeling", "fixing", "tone", "_text")
)
TRAINING = Path(__file__).parent.parent / "coach" / "data" / "training"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("kill myself", {"kill myself"}),
        # neighbouring fixed parts are spelled out together; 4 letters beat "me"
        (r"\bkill(?:ed|ing)?[\W_]+(?:myself|me)\b", {"kill", "killed", "killing"}),
        (r"(?:ed|ing)?[\W_]+(?:myself|me)\b", {"myself", "me"}),  # parsed as m(?:yself|e)
        ("pills?", {"pill", "pills"}),
        ("(?:ab){2}c", {"ababc"}),
        ("(?:cut|burn)ing", {"cuting", "burning"}),
        ("(?:cut|burn)?ing", {"ing", "cuting", "burning"}),
        ("x+yz", {"yz"}),  # the longer literal is the more selective
        ("(?:ab){2,}", {"ab"}),
        ("x[0-9]+(?:abcd){1,3}", {"abcd", "abcdabcd", "abcdabcdabcd"}),
        (r"(?<![a-z])pills(?![a-z])", {"pills"}),
        ("(?:kms|[0-9]+ pills)", {"kms", " pills"}),
    ],
)
def test_needed_literals(pattern: str, expected: set[str]) -> None:
    assert needed(pattern) == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    ["[a-z]+", "(?:ab)?", "(?:ab|)", ".*", "(?i)kill", "(?i:kill)", r"(.)\1", "(?:ab)*"],
)
def test_nothing_known_means_always_run(pattern: str) -> None:
    assert needed(pattern) is None
    assert LiteralIndex({"p": needed_all(pattern)}).candidates("") == {"p"}


def _sets(*sets: set[str]) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(s) for s in sets)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("kill myself", _sets({"kill myself"})),
        # every necessary part, the most selective first
        (
            r"\bkill(?:ed|ing)?[\W_]+(?:myself|me)\b",
            _sets({"kill", "killed", "killing"}, {"myself", "me"}),
        ),
        (r"pills?[\W_]+(?:taken|swallowed)", _sets({"taken", "swallowed"}, {"pill", "pills"})),
        # a group that must match gives what is inside it; an optional one gives nothing
        (r"(?:abc[\W_]+defg)+[\W_]+xyz", _sets({"defg"}, {"abc"}, {"xyz"})),
        (r"abc(?:[\W_]+defg)?", _sets({"abc"})),
        # an alternation is one factor: the union of each branch's best
        (r"(?:abc[\W_]+defgh|ijkl)[\W_]+mn", _sets({"defgh", "ijkl"}, {"mn"})),
        # a factor another one implies adds nothing ("killing" contains "kill")
        (r"kill[\W_]+killing", _sets({"killing"})),
        # single letters are in nearly every text: kept only when nothing better is known
        (r"a[\W_]+kill", _sets({"kill"})),
        ("x+", _sets({"x"})),
        # at most three, the most selective (ties keep the pattern's order)
        (
            r"alpha[\W_]+bravo[\W_]+charlie[\W_]+delta[\W_]+echo",
            _sets({"charlie"}, {"alpha"}, {"bravo"}),
        ),
    ],
)
def test_needed_all_factors(pattern: str, expected: tuple[frozenset[str], ...]) -> None:
    factors = needed_all(pattern)
    assert factors == expected
    assert needed(pattern) == expected[0]  # the single best is the first factor


def test_nothing_known_has_no_factors() -> None:
    assert needed_all("[a-z]+") is None
    assert needed_all("(?i)kill me") is None
    assert conjoin(None, None) is None
    assert conjoin(_sets({"abc"}), None) == _sets({"abc"})
    # the factors of both, the most selective first: 4 letters, then fewer literals
    assert conjoin(_sets({"pill", "pills"}), _sets({"kill"}, {"me"})) == _sets(
        {"kill"}, {"pill", "pills"}, {"me"}
    )


def test_index_needs_every_factor() -> None:
    index = LiteralIndex(
        {
            "both": _sets({"kill", "killing"}, {"me", "myself"}),
            "three": _sets({"aa"}, {"bb"}, {"cc"}),
            "one": _sets({"pills"}),  # one factor
            "never": None,
        }
    )
    assert index.candidates("kill him") == {"never"}
    assert index.candidates("kill me") == {"both", "never"}
    assert index.candidates("myself, killing") == {"both", "never"}  # in any order
    assert index.candidates("aa bb pills") == {"one", "never"}
    assert index.candidates("cc bb aa") == {"three", "never"}
    assert index.candidates("ccbbaa") == {"three", "never"}  # literals may even touch


def test_index_agrees_with_checking_every_key() -> None:
    """Many keys with one to four factors over a small alphabet, so that most texts satisfy
    some factors of a key but not all: the index against the definition, key by key."""
    rng = random.Random(7)
    words = ["ab", "bc", "ca", "abc", "cab", "bb", "a", "cc"]

    def factor() -> frozenset[str]:
        return frozenset(rng.sample(words, rng.randint(1, 2)))

    needs: dict[int, Needs] = {
        key: None if key % 17 == 0 else tuple(factor() for _ in range(rng.randint(1, 4)))
        for key in range(400)
    }
    index = LiteralIndex(needs)
    for _ in range(300):
        text = "".join(rng.choice("abc ") for _ in range(rng.randint(0, 12)))
        expected = {
            key
            for key, factors in needs.items()
            if all(any(w in text for w in f) for f in factors or ())
        }
        assert index.candidates(text) == expected, text


def test_index_names_the_patterns_that_may_match() -> None:
    index = LiteralIndex(
        {"a": _sets({"killing"}), "b": None, "c": _sets({"zzz"}), "d": _sets({"ill"})}
    )
    assert index.candidates("stop killing it") == {"a", "b", "d"}  # overlapping literals too
    assert index.candidates("") == {"b"}  # nothing known: always a candidate
    assert LiteralIndex({}).candidates("anything") == frozenset()


def test_rule_ids_must_be_unique() -> None:
    with pytest.raises(RulesError, match="unique"):
        build(
            {
                "negation": test_safety._NEGATION,
                "categories": {"abuse": [{"id": "x", "re": "hits me"}, {"id": "x", "re": "kicks"}]},
            }
        )


def _fixture_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(FIXTURES.glob("safety_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [item["text"] for item in data.get("crisis", [])]
        texts += list(data.get("near_misses", []))
    texts += [
        c.text for c in (*test_safety.CRISIS, *test_safety.DISGUISED, *test_safety.INJECTIONS)
    ]
    texts += list(test_safety.NEAR_MISSES)
    assert len(texts) > 500
    return texts


def _sampled_fixture_texts() -> list[str]:
    """Every third fixture text, for the two sweeps below that run every rule on every view: the
    whole set took about seven minutes of CI, and a third keeps each labelled file in the sample
    (the texts are in file order) while the counts asserted below still hold with room."""
    return _fixture_texts()[::3]


def _all_views(text: str) -> list[tuple[str, bool]]:
    out = [(view, False) for view in views(text)]
    joined = spelled_out_view(text)
    return out + ([(joined, True)] if joined else [])


def test_prefilter_never_skips_a_matching_pattern() -> None:
    """Every rule and concept that matches a view is a candidate for it; a pattern rule is
    indexed with what it ``requires``, so it may be left out only when that is absent."""
    rules = ruleset()
    rules.compile_all()
    every_rule = (*rules.rules, *rules.output_always, *rules.output_when_flagged_rules())
    pattern_rules = {r.id for r in rules.rules}  # output rules do not apply `requires`
    checked = conjunctive = pruned = 0
    for text in _sampled_fixture_texts():
        for view, loose in _all_views(text):
            runnable = rules.rule_index.candidates(view)
            possible = rules.concept_index.candidates(view)
            for rule in every_rule:
                factors = rules.rule_needs[rule.id] or ()
                if (rule.loose.get() if loose else rule.strict).search(view):
                    required = rule.requires if rule.id in pattern_rules else None
                    if required is not None and not required.search(view):
                        continue
                    assert rule.id in runnable, (rule.id, view)
                    checked += 1
                    conjunctive += len(factors) > 1
                elif len(factors) > 1 and rule.id not in runnable:
                    # left out although its best factor is in the text: a later one is not
                    pruned += any(literal in view for literal in factors[0])
            for key, (strict, lazy) in rules.concepts.items():
                if (lazy.get() if loose else strict).search(view):
                    assert key in possible, (key, view)
                    checked += 1
            if rules.allow_strict.search(view):
                assert "" in runnable, view
    assert checked > 1000
    # the conjunctive path is exercised both ways: matches through it, and rules it left out
    assert conjunctive > 500
    assert pruned > 1000


def _unfiltered(rules: RuleSet) -> RuleSet:
    return dataclasses.replace(
        rules,
        rules=tuple(
            dataclasses.replace(r, literals=None, requires_literals=None) for r in rules.rules
        ),
        concept_literals=dict.fromkeys(rules.concept_literals),
        allow_literals=None,
    )


def test_screen_answers_the_same_without_the_prefilter() -> None:
    rules = ruleset()
    plain = _unfiltered(rules)
    flags = ["none", *rules.output_when_flagged]
    for text in _sampled_fixture_texts():
        assert rules.detect(text) == plain.detect(text), text
        for flag in flags:
            assert rules.output_hits(text, flag) == plain.output_hits(text, flag), (text, flag)


def test_every_rule_is_prefiltered() -> None:
    """Not a correctness matter, a speed one: a rule the prefilter cannot read always runs."""
    rules = ruleset()
    unread = [r.id for r in rules.rules if r.literals is None]
    unread += [k for k, v in rules.concept_literals.items() if v is None]
    assert len(unread) <= 10, unread


def _check_texts() -> list[str]:
    """Coach-like and user-like text: the training targets and inputs, and the safety fixtures."""
    texts = list(_fixture_texts())
    for path in sorted(TRAINING.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.append(row["target"])
            texts += [str(v) for v in row["inputs"].values() if isinstance(v, str)]
    assert len(texts) > 2000
    return texts


@pytest.mark.parametrize(
    "rules",
    [
        feeling._FEELING_COMPILED,
        fixing._FIX_COMPILED,
        fixing._LISTEN_COMPILED,
        tone._BLAME_COMPILED,
        tone._DISMISSIVE_COMPILED,
        tone._PRESSURE_COMPILED,
    ],
    ids=["feeling", "fix", "listen", "blame", "dismissive", "pressure"],
)
def test_checks_prefilter_never_skips_a_matching_rule(rules: Prefiltered[tuple[Any, ...]]) -> None:
    matched = 0
    for text in _check_texts():
        prepared = _text._prepare(text)
        kept = list(rules.candidates(prepared))
        for rule in rules.rules:
            if rule[-1].search(prepared):
                assert rule in kept, (rule[0], prepared)
                matched += 1
    assert matched > 0
