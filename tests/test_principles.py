"""The packaged principle cards: valid, cited, complete, and written in our own words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from coach.knowledge import SOURCE_TITLES, Card, load_knowledge, parse_cards
from coach.schemas import TASKS

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MIN_CARDS_PER_TASK = 8
COPY_RUN = 8  # this many consecutive words shared with an article counts as copying


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return load_knowledge().cards


# --- sources -----------------------------------------------------------------------------------


def test_every_card_names_only_known_sources(cards: list[Card]) -> None:
    for card in cards:
        assert card.sources, f"{card.id!r} names no source"
        unknown = [title for title in card.sources if title not in SOURCE_TITLES]
        assert not unknown, f"{card.id!r} names unknown source(s) {unknown!r}"


def test_every_article_is_cited(cards: list[Card]) -> None:
    cited = {title for card in cards for title in card.sources}
    assert cited == set(SOURCE_TITLES)


_CARD_YAML = """
- id: tiny-card
  title: Tiny
  sources: {sources}
  summary: A summary.
  do: [Listen.]
  avoid: [Fixing.]
  examples: ["That sounds hard."]
  tasks: [chat]
"""


def test_parse_cards_accepts_a_known_title() -> None:
    [card] = parse_cards(_CARD_YAML.format(sources=f'["{SOURCE_TITLES[0]}"]'))
    assert card.sources == [SOURCE_TITLES[0]]


def test_parse_cards_rejects_an_unknown_title() -> None:
    with pytest.raises(ValidationError, match="unknown source"):
        parse_cards(_CARD_YAML.format(sources='["A Blog Post Nobody Listed"]'))


def test_parse_cards_rejects_a_card_without_sources() -> None:
    with pytest.raises(ValidationError):
        parse_cards(_CARD_YAML.format(sources="[]"))


# --- structure ---------------------------------------------------------------------------------


def test_ids_are_unique_kebab_case(cards: list[Card]) -> None:
    ids = [card.id for card in cards]
    assert len(ids) == len(set(ids)), "duplicate card ids"
    assert all(KEBAB.match(i) for i in ids), [i for i in ids if not KEBAB.match(i)]


def test_phases_cover_each_day_exactly_once(cards: list[Card]) -> None:
    phases = [card.phase for card in cards if card.phase]
    assert len(phases) == 5
    days = [d for p in phases for d in range(p.first_day, p.last_day + 1)]
    assert sorted(days) == list(range(1, 31))
    kb = load_knowledge()
    for day in (1, 7, 8, 14, 15, 21, 22, 28, 29, 30):
        assert kb.phase_for_day(day).phase is not None


def test_phase_cards_serve_ritual_and_chat(cards: list[Card]) -> None:
    for card in cards:
        if card.phase:
            assert {"ritual", "chat"} <= set(card.tasks), card.id
            assert re.search(r"\d+ (to \d+ )?minutes", card.phase.step), card.id


def test_one_card_per_style(cards: list[Card]) -> None:
    styles = [card.style for card in cards if card.style]
    assert sorted(styles) == ["action", "activity", "quiet"]
    for card in cards:
        if card.style:
            assert {"questions", "chat"} <= set(card.tasks), card.id


@pytest.mark.parametrize("task", TASKS)
def test_every_task_has_enough_cards(cards: list[Card], task: str) -> None:
    serving = [card.id for card in cards if task in card.tasks]
    assert len(serving) >= MIN_CARDS_PER_TASK, f"{task!r}: only {serving!r}"


def test_validating_card_leads_the_reply_cards() -> None:
    first = load_knowledge().for_task("reply")[0]
    assert first.id == "validate-and-reflect"


def test_retrieval_finds_listening_cards_for_a_stressed_partner() -> None:
    hits = load_knowledge().retrieve("he's stressed about work and won't talk", "reply")
    ids = {hit.card.id for hit in hits}
    assert ids & {
        "validate-and-reflect",
        "deep-listening-without-fixing",
        "respect-pace-side-by-side",
    }


# --- own words ---------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['\u2018\u2019]", "", text)  # straight and curly apostrophes alike: "dont"
    return re.findall(r"[a-z0-9]+", text)


def _runs(words: list[str], n: int = COPY_RUN) -> Iterator[tuple[str, ...]]:
    return (tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _card_texts(card: Card) -> Iterator[tuple[str, str]]:
    yield "summary", card.summary
    for field in ("do", "avoid", "examples"):
        for text in getattr(card, field):
            yield field, text
    if card.phase:
        yield "phase.step", card.phase.step


def test_cards_do_not_copy_the_articles(cards: list[Card]) -> None:
    articles = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not articles:
        pytest.skip(f"source articles not found in {SEEDS}")
    article_runs = {run for path in articles for run in _runs(_words(path.read_text("utf-8")))}
    copied = [
        f"{card.id}.{field}: {' '.join(run)!r}"
        for card in cards
        for field, text in _card_texts(card)
        for run in _runs(_words(text))
        if run in article_runs
    ]
    assert not copied, "text shared with an article:\n" + "\n".join(copied)


def test_copy_check_would_catch_a_copied_sentence() -> None:
    """Guard the guard: a sentence lifted from an article is found by the same comparison."""
    article = SEEDS / "002_e546d4952927b172.txt"
    if not article.is_file():
        pytest.skip(f"{article} not found")
    sentence = "Daily habits shape long-term intimacy more than grand gestures."
    assert sentence in article.read_text("utf-8")
    article_runs = set(_runs(_words(article.read_text("utf-8"))))
    assert any(run in article_runs for run in _runs(_words(sentence.upper() + "!")))
