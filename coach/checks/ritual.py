"""ritual: concrete = action + moment + duration."""

from __future__ import annotations

import re

from ._text import _prepare, _quote
from .result import CheckResult

_RITUAL_ACTIONS = re.compile(
    r"\b(?:walk|walking|cook|cooking|talk|talking|share|sharing|ask|asking|sit|sitting|hug|hugging|"
    r"hold|holding|cuddle|cuddling|kiss|write|writing|read|reading|eat|eating|have (?:coffee|tea|"
    r"breakfast|dinner|lunch)|drink|check in|checking in|put (?:away|down)|turn off|plan|planning|"
    r"play|playing|text|texting|send|tell|telling|name|list|listen|listening|take turns|meditate|"
    r"breathe|dance|dancing|stretch|pray|look back|say|saying|thank|thanking|appreciate|"
    r"compliment|leave a note|make|making|prepare|call|calling|cook|go|run|bike|swim|garden|"
    r"watch|review|celebrate|recall|remember|describe|answer|trade|swap|massage|bath|shower|"
    r"journal|journaling|draw|sing|pick|choose|schedule|do|spend|spending|connect|date|"
    r"hang out|meet|sit down|unplug|turn off)\b"
)
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_RITUAL_WHEN = re.compile(
    r"\b(?:tonight|today|tomorrow|this (?:evening|morning|afternoon|weekend|week)"
    r"|(?:every|each|one|on|this|next|most|all) "
    rf"(?:day|night|morning|evening|afternoon|weekday|weekend|{_DAYS})s?|daily|nightly|weekly"
    r"|in the (?:morning|evening|afternoon)"
    r"|at (?:night|noon|midnight|bedtime|breakfast|lunch|dinner)"
    r"|(?:before|after|during|over|at) (?:bed|bedtime|dinner|breakfast|lunch|work|school|coffee"
    r"|the (?:kids|children) (?:are|go)|you (?:wake|get home|go to)|waking|getting home"
    r"|the (?:first|morning|evening|commute|walk|meal|dishes))"
    rf"|{_DAYS}s?|mornings|evenings|nights|weekends"
    r"|(?:when|as soon as) (?:you|one of you|either of you|you both|we) (?:\w+ )?"
    r"(?:get|come|wake|arrive|sit|finish|go)"
    r"|at \d{1,2}(?::\d{2})? ?(?:am|pm|a\.m\.|p\.m\.|o'clock)?"
    r"|\d{1,2}(?::\d{2})? ?(?:am|pm|o'clock)"
    r"|once a (?:day|week)|twice a (?:day|week)|\w+ times a (?:day|week)|morning|evening|bedtime)\b"
)
_NUMBER_WORDS = (
    r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|forty-five|"
    r"sixty|ninety|a|an|a few|half an?|a couple of|a quarter of an?"
)
_RITUAL_HOW_LONG = re.compile(
    rf"\b(?:(?:{_NUMBER_WORDS})(?:[ -](?:to|or|-)[ -]?(?:{_NUMBER_WORDS}))?[ -]?"
    r"(?:minutes?|mins?|hours?|hrs?|seconds?|secs?|songs?|breaths?)\b"
    r"|\d+ ?(?:m|min|h)\b|one (?:song|cup of (?:coffee|tea)|episode|round|question each|"
    r"thing each)|(?:a|one|three|two) (?:questions?|things?|highs? and lows?) each)"
)


def ritual(text: str) -> CheckResult:
    """Is a ritual step concrete: an action, a when (moment of day or time), a how long."""
    prepared = _prepare(text)
    missing = []
    reasons = []
    checks = (
        ("an action", _RITUAL_ACTIONS, "(e.g. 'walk', 'ask', 'share')"),
        ("a when", _RITUAL_WHEN, "(a moment of the day or a time, e.g. 'after dinner')"),
        ("a how long", _RITUAL_HOW_LONG, "(a duration, e.g. '15 minutes')"),
    )
    for name, pattern, example in checks:
        match = pattern.search(prepared)
        if match:
            reasons.append(f"has {name}: {_quote([match.group(0)])}")
        else:
            missing.append(name)
            reasons.append(f"missing {name} {example}")
    label = "vague" if missing else "concrete"
    return CheckResult("ritual", label, not missing, tuple(reasons))
