"""Principle cards (the knowledge base) and BM25 retrieval over them.

The cards are data (``coach/data/principles.yaml``), distilled in our own words from the five
articles listed in ``SOURCE_TITLES``. Each card names the article(s) it comes from so that every
suggestion can say where its advice comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import bm25s
import Stemmer
import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

from coach.schemas import PrincipleRef, Style, Task

SOURCE_TITLES: tuple[str, ...] = (
    "The Surprising Truth About Why Men Crave Intimacy Too",
    "The Power of Intimacy: Cultivating Emotional Connection in Relationships",
    "Deepening Emotional Connection with Him",
    "8 Ways to Build Emotional Intimacy in a Relationship",
    "Why Intimacy Feels Out of Reach — and How to Reconnect",
)
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class Phase(BaseModel):
    """A stretch of the 30-day plan and the step to take on each of its days."""

    name: str
    first_day: int = Field(ge=1, le=30)
    last_day: int = Field(ge=1, le=30)
    step: str = Field(description="Today's concrete step: what, when and for how long.")

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.first_day > self.last_day:
            raise ValueError(f"phase {self.name!r} ends before it starts")
        return self


class Card(BaseModel):
    id: str
    title: str
    sources: list[str] = Field(min_length=1)
    summary: str
    do: list[str] = Field(min_length=1)
    avoid: list[str] = Field(min_length=1)
    examples: list[str] = Field(min_length=1)
    tasks: list[Task] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    style: Style | None = Field(None, description="The emotional style this card responds to.")
    anchors: list[Task] = Field(
        default_factory=list,
        description="Jobs that always draw on this card: it defines what a good answer does.",
    )
    phase: Phase | None = Field(None, description="Set on the cards of the 30-day plan.")

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not _KEBAB.match(value):
            raise ValueError(f"card id {value!r} is not kebab-case")
        return value

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, value: list[str]) -> list[str]:
        unknown = [title for title in value if title not in SOURCE_TITLES]
        if unknown:
            raise ValueError(
                f"unknown source title(s) {unknown!r}; use a title from seeds/INDEX.md"
            )
        return value

    def ref(self) -> PrincipleRef:
        return PrincipleRef(id=self.id, title=self.title, sources=self.sources)

    def search_text(self) -> str:
        """What BM25 indexes: everything a person's words might match."""
        parts = [self.title, self.summary, *self.do, *self.examples, *self.tags]
        return " ".join(parts)

    @cached_property
    def words(self) -> frozenset[str]:
        """The words of :meth:`search_text`, lower case (which card a suggestion echoes)."""
        return word_set(self.search_text())


@dataclass(frozen=True)
class Hit:
    card: Card
    score: float


class KnowledgeBase:
    """The cards with a BM25 index; build once, query many times."""

    def __init__(self, cards: list[Card]) -> None:
        ids = [card.id for card in cards]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate card ids: {duplicates!r}")
        self.cards = cards
        self.by_id = {card.id: card for card in cards}

    @cached_property
    def _index(self) -> bm25s.BM25:
        index = bm25s.BM25()
        corpus = _tokenize([c.search_text() for c in self.cards])
        index.index(corpus, show_progress=False)
        return index

    def retrieve(self, query: str, task: Task, k: int = 4) -> list[Hit]:
        """The ``k`` best cards for ``query`` among those serving ``task``, best first.

        Cards with no word in common score 0 and are left out; if nothing matches at all the
        job's most general cards (first in the file) stand in, so a job is never ungrounded.
        A job's anchor cards (the principle that defines the job, such as validating for
        replies) are always among the ``k``, after the best matches.
        """
        allowed = {i for i, card in enumerate(self.cards) if task in card.tasks}
        scores = self._scores(query)
        ranked = sorted(allowed, key=lambda i: (-scores[i], i))
        hits = [Hit(self.cards[i], float(scores[i])) for i in ranked if scores[i] > 0][:k]
        if not hits:
            hits = [Hit(self.cards[i], 0.0) for i in sorted(allowed)[:k]]
        anchors = [Hit(c, 0.0) for c in self.cards if task in c.anchors]
        missing = [a for a in anchors if a.card.id not in {h.card.id for h in hits}]
        if missing:
            hits = hits[: max(k - len(missing), 0)] + missing
        return hits

    def _scores(self, query: str) -> list[float]:
        tokens = _tokenize([query], return_ids=False)
        words = tokens[0] if tokens else []
        if not words:
            return [0.0] * len(self.cards)
        return [float(s) for s in self._index.get_scores(words)]

    def for_task(self, task: Task) -> list[Card]:
        return [card for card in self.cards if task in card.tasks]

    def phase_for_day(self, day: int) -> Card:
        for card in self.cards:
            if card.phase and card.phase.first_day <= day <= card.phase.last_day:
                return card
        raise LookupError(f"no plan phase covers day {day}")

    def style_card(self, style: Style) -> Card:
        for card in self.cards:
            if card.style == style:
                return card
        raise LookupError(f"no card for the {style!r} emotional style")


# bm25s's own English list is 33 words; everyday talk about a partner needs more left out, or
# "we", "still" and "when" outweigh the words that carry the situation.
_STOPWORDS = sorted(
    set(
        """a about after again all also am an and any are as at be because been before being but
        by can could did do does doing don't down during each even ever few for from get gets got
        had has have having he her here hers him his how i i'm if in into is it it's its just let
        like me more most much my myself no nor not now of off on once only or other our ours out
        over own really same she should so some still such than that the their them then there
        these they this those through to too under until up us very was we were what when where
        which while who whom why will with would you your yours""".split()  # noqa: SIM905
    )
)
_STEMMER = Stemmer.Stemmer("english")


def _tokenize(texts: list[str], return_ids: bool = True) -> Any:
    """Lower-case, drop stopwords and stem ("cheated" and "cheating" both match "cheat")."""
    return bm25s.tokenize(
        texts,
        stopwords=_STOPWORDS,
        stemmer=_STEMMER,
        show_progress=False,
        return_ids=return_ids,
    )


def word_set(text: str) -> frozenset[str]:
    """The distinct lower-case words of ``text`` (apostrophes kept: "don't")."""
    return frozenset(re.findall(r"[a-z']+", text.lower()))


def content_stems(text: str) -> set[str]:
    """The stemmed content words of ``text`` (stopwords dropped), for topic overlap."""
    tokens = _tokenize([text], return_ids=False)
    return set(tokens[0]) if tokens else set()


def parse_cards(text: str) -> list[Card]:
    raw = yaml.safe_load(text)
    if not isinstance(raw, list):
        raise ValueError("the principle file must be a YAML list of cards")
    return [Card.model_validate(item) for item in raw]


@lru_cache
def load_knowledge() -> KnowledgeBase:
    """The packaged principle cards, parsed and indexed once per process."""
    text = resources.files("coach.data").joinpath("principles.yaml").read_text(encoding="utf-8")
    return KnowledgeBase(parse_cards(text))
