"""Suggestions built from the principle cards alone, adapted to the person's words.

This is the ``grounded`` backend's whole output and everyone else's fallback: when a model's
candidate fails its checks, a grounded suggestion takes its place. Every line here is assembled
from a card's own examples, steps and advice plus a reflection of the feeling and topic found in the
input, and then goes through the same checks as model text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from coach import checks
from coach.knowledge import Card
from coach.schemas import Suggestion, Task

# Cue words -> the feeling a listener would name. Order matters: the first match wins.
_FEELINGS: tuple[tuple[str, str], ...] = (
    (r"\b(promot\w*|got the job|passed|won|engaged|proud|excited|great news)\b", "exciting"),
    (r"\b(tired|exhausted|drained|no sleep|up all night|worn out|long day)\b", "exhausting"),
    (
        r"\b(lonely|alone|no one|nobody|left out|isolated|no time for me|never have time"
        r"|distant)\b",
        "lonely",
    ),
    (r"\b(scared|afraid|worried|anxious|nervous|panic\w*|fear\w*)\b", "worrying"),
    (r"\b(angry|furious|mad|pissed|annoyed|fed up|unfair|sick of)\b", "frustrating"),
    (r"\b(sad|cry\w*|grief|griev\w*|miss\w*|lost|passed away|died|funeral)\b", "painful"),
    (r"\b(hurt|ignored|unseen|unappreciated|taken for granted|dismissed)\b", "hurtful"),
    (r"\b(stress\w*|overwhelm\w*|pressure|deadline|too much|swamped|busy)\b", "stressful"),
    (r"\b(embarrass\w*|ashamed|stupid|humiliat\w*)\b", "painful"),
)
_TOPICS: tuple[tuple[str, str], ...] = (
    (r"\b(work|job|boss|office|shift|manager|coworker|colleague|deadline|meeting)\w*", "work"),
    (r"\b(kids?|baby|children|son|daughter|toddler|school run)\b", "the kids"),
    (r"\b(mom|mum|dad|mother|father|parents?|sister|brother|family|in-laws?)\b", "family"),
    (r"\b(money|bills?|rent|debt|budget|paycheck|mortgage)\b", "money"),
    (r"\b(doctor|sick|ill|health|hospital|diagnos\w*|pain)\b", "your health"),
    (r"\b(friends?|party)\b", "your friends"),
)
_OPENERS = (
    "That sounds really {feeling}{topic}.",
    "I can hear how {feeling} this has been{topic}.",
    "It makes so much sense that this feels {feeling}{topic}.",
    "That's a lot to carry, and it sounds {feeling}{topic}.",
)
_PRESENCE = (
    "I'm here, and I want to hear more when you're ready.",
    "What has been the hardest part for you?",
    "How are you feeling about it right now?",
    "I'm glad you told me.",
)


@dataclass(frozen=True)
class Reading:
    """What the input says about feeling and topic, for the reflection."""

    feeling: str
    topic: str | None

    @property
    def topic_phrase(self) -> str:
        return f", with everything going on with {self.topic}" if self.topic else ""


def read_input(text: str) -> Reading:
    lowered = text.lower()
    feeling = next((f for pattern, f in _FEELINGS if re.search(pattern, lowered)), "hard")
    topic = next((t for pattern, t in _TOPICS if re.search(pattern, lowered)), None)
    return Reading(feeling, topic)


def why(card: Card) -> str:
    first_sentence = re.split(r"(?<=[.!?])\s", card.summary.strip(), maxsplit=1)[0]
    return f"{card.title} ({'; '.join(card.sources)}): {first_sentence}"


def cited(card: Card, anchors: Iterable[Card] = ()) -> list[str]:
    """The ids a suggestion cites: the job's anchor cards it applies, then its own card."""
    return [*(a.id for a in anchors if a.id != card.id), card.id]


def anchors_for(task: Task, cards: Iterable[Card]) -> list[Card]:
    return [card for card in cards if task in card.anchors]


def _suggestion(text: str, card: Card, anchors: Iterable[Card] = ()) -> Suggestion:
    return Suggestion(text=text, principles=cited(card, anchors), why=why(card), source="grounded")


def _last_sentence(text: str) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return parts[-1] if parts else text


def _distinct_passing(
    task: Task, pairs: Iterable[tuple[str, Card]], taken: list[str]
) -> Iterator[tuple[str, Card]]:
    for text, card in pairs:
        if checks.passes(task, text) and checks.distinct([*taken, text]).passed:
            taken.append(text)
            yield text, card


def reply_suggestions(
    message: str, cards: list[Card], n: int, taken: list[str]
) -> list[Suggestion]:
    """Validating replies: a reflection of the feeling and topic (the anchor card's move), then a
    follow-up from a retrieved card."""
    reading = read_input(message)
    anchors = anchors_for("reply", cards)
    others = [card for card in cards if card not in anchors] + anchors
    follows = [(_last_sentence(ex), card) for ex, card in _round_robin(others)]
    follows += [(line, cards[0]) for line in _PRESENCE]
    pairs = (
        (f"{opener.format(feeling=reading.feeling, topic=reading.topic_phrase)} {follow}", card)
        for index, (follow, card) in enumerate(follows)
        for opener in (_OPENERS[index % len(_OPENERS)],)
        if follow and not follow.lower().startswith(("that sounds", "it sounds", "i can hear"))
    )
    passing = _take(_distinct_passing("reply", pairs, taken), n)
    return [_suggestion(t, c, anchors) for t, c in passing]


def question_suggestions(
    context: str | None, cards: list[Card], n: int, taken: list[str]
) -> list[Suggestion]:
    """Open questions from the cards, led by one about the person's own topic when there is one."""
    reading = read_input(context or "")
    pairs: list[tuple[str, Card]] = []
    if reading.topic and cards:
        pairs.append((f"How has {reading.topic} been feeling for you lately?", cards[0]))
    pairs += list(_round_robin(cards))
    return [_suggestion(t, c) for t, c in _take(_distinct_passing("questions", pairs, taken), n)]


_WHEN_BY_CONTEXT: tuple[tuple[str, str], ...] = (
    (
        r"\b(long[- ]distance|far apart|different cit\w+|abroad)\b",
        "If you are apart, do it on a video call at a time you both keep free.",
    ),
    (
        r"\b(kids?|baby|children|toddler)\b",
        "With children at home, pick the quiet minutes after they are in bed.",
    ),
    (
        r"\b(night shift|shifts|work late|late nights?|travel\w* for work)\b",
        "With shifts or late work, use the first time you are both home, even breakfast.",
    ),
)


def ritual_suggestions(
    day: int, phase_card: Card, context: str | None, cards: list[Card], taken: list[str]
) -> list[Suggestion]:
    """Today's step from the phase card (adapted to the context) and one or two extra ideas."""
    assert phase_card.phase is not None
    lowered = (context or "").lower()
    adaptation = next(
        (line for pattern, line in _WHEN_BY_CONTEXT if re.search(pattern, lowered)), ""
    )
    step = f"Day {day}: {phase_card.phase.step} {adaptation}".strip()
    pairs = [(step, phase_card)]
    pairs += [(ex, card) for card in [phase_card, *cards] for ex in card.examples]
    return [_suggestion(t, c) for t, c in _take(_distinct_passing("ritual", pairs, taken), 3)]


def chat_reply(message: str, cards: list[Card]) -> Suggestion:
    """A short grounded answer: reflect, ask first when the situation is unclear, offer one idea."""
    card = cards[0]
    reading = read_input(message)
    words = len(message.split())
    if words < 8 and reading.topic is None:
        # Asking before advising is the chat job's anchor move (active listening).
        card = next(iter(anchors_for("chat", cards)), card)
        text = (
            "I'd like to understand before suggesting anything. What is happening between you and "
            "your partner, and what would you like to feel more of? "
            f"({card.title} starts with listening.)"
        )
        return _suggestion(text, card)
    idea = card.do[0].rstrip(".")
    example = next((ex for ex in card.examples if checks.passes("chat", ex)), "")
    text = (
        f'That sounds {reading.feeling}{reading.topic_phrase}. One idea from "{card.title}": '
        f"{idea[0].lower()}{idea[1:]}."
        + (f' For example: "{example}"' if example else "")
        + " What feels most doable for you this week?"
    )
    return _suggestion(text, card)


def _round_robin(cards: list[Card]) -> Iterator[tuple[str, Card]]:
    """Examples taken in turn from each card, so that suggestions draw on several principles."""
    for index in range(max((len(card.examples) for card in cards), default=0)):
        for card in cards:
            if index < len(card.examples):
                yield card.examples[index], card


def _take(items: Iterator[tuple[str, Card]], n: int) -> list[tuple[str, Card]]:
    return list(islice(items, n))
