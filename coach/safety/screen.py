"""The screen itself: pick one category by a fixed priority, attach the fixed reply and resources.

Priority (highest first) when several categories match in one turn, or a new hit meets a sticky
flag from earlier in the conversation:

1. ``self_harm``       - a life may be at risk right now
2. ``harm_to_others``  - someone else's life or body may be at risk right now
3. ``sexual_violence`` - acute harm with its own specialised help
4. ``abuse``           - violence and coercive control by a partner
5. ``minor``           - the coach is for adults (abuse and sexual violence come first so a
                         young person in danger gets the danger answered; the minor resource is
                         still listed)
6. ``surveillance``    - a request to monitor or control a partner: refused, nobody in danger

The reply is the chosen category's; the resources are the chosen category's followed by those of
every other matched or carried category, without duplicates, so nothing relevant is hidden.

Stickiness: ``self_harm``, ``harm_to_others``, ``sexual_violence``, ``abuse`` and ``minor`` stick
for the whole conversation (resources stay visible and coaching stays off; "jk" or "you
misunderstood" does not clear them; only a new conversation does). ``surveillance`` does not
stick: the turn is refused, and the reply offers help with the worry underneath, which later
turns may take up - each of them is screened again.
"""

from __future__ import annotations

from collections.abc import Iterable

from coach.safety.classifier import shipped
from coach.safety.counters import count_hit
from coach.safety.replies import reply_for, resources_for
from coach.safety.rules import ruleset
from coach.schemas import Resource, Risk, Safety

PRIORITY: tuple[Risk, ...] = (
    "self_harm",
    "harm_to_others",
    "sexual_violence",
    "abuse",
    "minor",
    "surveillance",
)
STICKY: frozenset[Risk] = frozenset(
    {"self_harm", "harm_to_others", "sexual_violence", "abuse", "minor"}
)


def sticky(risk: Risk) -> bool:
    """Whether a flag of this risk persists for the rest of the conversation."""
    return risk in STICKY


def is_coaching_allowed(flag: Risk) -> bool:
    """Coaching only goes ahead when the current flag is ``"none"``."""
    return flag == "none"


def detect(text: str | None) -> set[Risk]:
    """The categories whose rules match ``text`` (no priority, no counting)."""
    if not text:
        return set()
    found: set[str] = set(ruleset().detect(text))
    if not found:  # the classifier only adds hits; the rules' category wins when both fire
        category = shipped().category(text)
        found = {category} if category else set()
    return {risk for risk in PRIORITY if risk in found}


def _decide(risks: set[Risk], locale: str) -> Safety:
    ordered = [risk for risk in PRIORITY if risk in risks]
    if not ordered:
        return Safety()
    resources: list[Resource] = []
    for risk in ordered:
        resources += [r for r in resources_for(risk, locale) if r not in resources]
    return Safety(risk=ordered[0], message=reply_for(ordered[0]), resources=resources)


def screen(text: str, *, locale: str = "US") -> Safety:
    """Screen one piece of user text. ``risk == "none"`` means coaching may go ahead."""
    safety = _decide(detect(text), locale)
    count_hit(safety.risk)
    return safety


def screen_all(texts: Iterable[str | None], *, locale: str = "US", prior: Risk = "none") -> Safety:
    """Screen every text of one turn together with the conversation's flag so far.

    A sticky ``prior`` flag is carried even if the new texts are clean; a new hit is counted once
    per turn (the category it resolves to), a carried flag is not counted again.
    """
    fresh: set[Risk] = set()
    for text in texts:
        fresh |= detect(text)
    if fresh:
        count_hit(_decide(fresh, locale).risk)
    carried = {prior} if sticky(prior) else set()
    return _decide(fresh | carried, locale)


def screen_output(text: str, *, flag: Risk = "none") -> bool:
    """True if the model's text is safe to show under the conversation's ``flag``.

    Blocks method content (pill counts, heights, "how to" harm) and surveillance how-to always;
    while a flag is set, also what that flag rules out (couples counselling, confronting or
    "just leave" under abuse and sexual violence); and anything the input screen would flag.
    """
    if not text:
        return True
    rules = ruleset()
    return not rules.output_hits(text, flag) and not rules.detect(text)
