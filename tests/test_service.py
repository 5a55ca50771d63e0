"""The pipeline over the fake and grounded backends: checks gate every suggestion, the fallback
fills the gaps, citations point at real cards, and the screen runs before any model."""

from __future__ import annotations

import pytest

from coach import checks
from coach.config import Settings
from coach.knowledge import load_knowledge
from coach.models import ModelError
from coach.models.langchain import FakeBackend
from coach.service import Coach, Done, Token, tidy
from coach.text import EmptyInput, InputTooLong

KB = load_knowledge()


def _all_cite_real_cards(answer_suggestions: list) -> None:  # type: ignore[type-arg]
    for suggestion in answer_suggestions:
        assert suggestion.principles, suggestion
        assert all(pid in KB.by_id for pid in suggestion.principles)
        assert suggestion.why


def test_reply_keeps_passing_model_lines_and_replaces_failures(settings: Settings) -> None:
    fake = FakeBackend(
        [
            "That sounds so draining. I'm here for you.",  # passes
            "You should just quit that job.",  # fixing -> rejected
            "You always complain about work.",  # blame -> rejected
            "Do you want to talk?",  # closed question, no feeling -> rejected
        ]
    )
    outcome = Coach(settings.model_copy(update={"candidates": 4}), fake).reply(
        "Work was awful today, my boss yelled at me"
    )
    answer = outcome.answer
    assert len(answer.suggestions) == 3
    assert [s.source for s in answer.suggestions] == ["model", "grounded", "grounded"]
    assert answer.suggestions[0].text == "That sounds so draining. I'm here for you."
    assert [c.passed for c in outcome.candidates] == [True, False, False, False]
    for suggestion in answer.suggestions:
        assert checks.passes("reply", suggestion.text), suggestion.text
    assert checks.distinct([s.text for s in answer.suggestions]).passed
    _all_cite_real_cards(answer.suggestions)
    assert {p.id for p in answer.principles} >= {
        pid for s in answer.suggestions for pid in s.principles
    }


_PASSING_REPLIES = [
    "That sounds so draining. I'm here for you.",
    "You should just quit that job.",  # fixing -> rejected
    "It sounds like today took everything out of you, and that makes sense.",
    "I can hear how hurt you are, and I want to listen.",
    "What felt hardest about today for you?",
    "That sounds lonely, and I'm glad you told me.",
]


@pytest.mark.parametrize(("stop_early", "sampled"), [(True, 4), (False, 6)])
def test_sampling_stops_once_enough_candidates_passed(
    settings: Settings, stop_early: bool, sampled: int
) -> None:
    """Three distinct passing replies after four samples: the service stops there; the evals
    (stop_early off) sample all six. The answer is the same either way."""
    coach = Coach(
        settings.model_copy(update={"candidates": 6, "stop_early": stop_early}),
        FakeBackend(_PASSING_REPLIES),
    )
    outcome = coach.reply("Work was awful today, my boss yelled at me")
    assert len(outcome.candidates) == sampled
    assert [s.text for s in outcome.answer.suggestions] == [
        _PASSING_REPLIES[0],
        _PASSING_REPLIES[2],
        _PASSING_REPLIES[3],
    ]
    assert [s.source for s in outcome.answer.suggestions] == ["model"] * 3


def test_grounded_reply_reflects_the_partners_words(grounded_coach: Coach) -> None:
    answer = grounded_coach.reply("I'm exhausted, the baby was up all night again", n=4).answer
    assert len(answer.suggestions) == 4
    assert all(s.source == "grounded" for s in answer.suggestions)
    assert any("exhausting" in s.text for s in answer.suggestions)
    for suggestion in answer.suggestions:
        assert checks.passes("reply", suggestion.text), suggestion.text
    assert answer.backend == "grounded"


@pytest.mark.parametrize("style", ["action", "activity", "quiet", None])
def test_questions_are_open_distinct_and_cite_the_style(
    grounded_coach: Coach, style: str | None
) -> None:
    answer = grounded_coach.questions("we've drifted since the kids were born", style, 5).answer  # type: ignore[arg-type]
    texts = [s.text for s in answer.suggestions]
    assert len(texts) == 5
    assert all(checks.question(t).label == "open" for t in texts), texts
    assert checks.distinct(texts).passed
    if style:
        assert KB.style_card(style).id in {p.id for p in answer.principles}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "first"),
    [(1, 1), (7, 1), (8, 8), (14, 8), (15, 15), (22, 22), (28, 22), (29, 29), (30, 29)],
)
def test_ritual_day_maps_to_its_phase(grounded_coach: Coach, day: int, first: int) -> None:
    answer = grounded_coach.ritual(day, "we both work late").answer
    card = KB.phase_for_day(day)
    assert card.phase is not None and card.phase.first_day == first
    assert answer.day == day and answer.phase == card.phase.name
    assert answer.suggestions[0].principles == [card.id]
    assert all(checks.ritual(s.text).label == "concrete" for s in answer.suggestions)


def test_ritual_adapts_to_the_context(grounded_coach: Coach) -> None:
    far = grounded_coach.ritual(3, "we are long distance").answer.suggestions[0].text
    near = grounded_coach.ritual(3, None).answer.suggestions[0].text
    assert "video call" in far and "video call" not in near


def test_ritual_day_out_of_range(grounded_coach: Coach) -> None:
    with pytest.raises(ValueError, match="between 1 and 30"):
        grounded_coach.ritual(31)


def test_chat_answers_and_cites(coach: Coach) -> None:
    answer = coach.chat(
        "My boyfriend shuts down whenever I bring up feelings. What can I do?"
    ).answer
    assert answer.reply and answer.suggestions[0].text == answer.reply
    _all_cite_real_cards(answer.suggestions)
    assert len(answer.reply.split()) <= 150


def test_chat_asks_before_advising_when_unclear(grounded_coach: Coach) -> None:
    reply = grounded_coach.chat("help").answer.reply or ""
    assert "?" in reply and "understand" in reply


def test_chat_stream_yields_tokens_then_done(settings: Settings) -> None:
    fake = FakeBackend(
        ["That sounds lonely. Many people were taught to hide feelings. What would help?"]
    )
    events = list(Coach(settings, fake).chat_stream("He never talks to me about anything real"))
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert isinstance(events[-1], Done) and len(tokens) == 3
    assert "".join(tokens) == events[-1].outcome.answer.reply


def test_chat_off_topic_model_answer_falls_back_to_grounded(settings: Settings) -> None:
    fake = FakeBackend(["Bananas are yellow. Elephants are large."])
    outcome = Coach(settings, fake).chat("My husband and I argue about chores every evening")
    assert outcome.answer.suggestions[0].source == "grounded"
    assert [c.passed for c in outcome.candidates] == [False]


def test_chat_stream_stops_before_a_failing_sentence(settings: Settings) -> None:
    fake = FakeBackend(["That sounds hard. You always make it worse. Try again."])
    reply = Coach(settings, fake).chat("My wife and I keep arguing about chores").answer.reply
    assert reply == "That sounds hard."


def test_model_failure_falls_back_to_grounded(settings: Settings) -> None:
    class Broken(FakeBackend):
        def generate(self, prompt, params):  # type: ignore[no-untyped-def]
            raise ModelError("server down")

        def stream(self, prompt, params):  # type: ignore[no-untyped-def]
            raise ModelError("server down")

    coach = Coach(settings, Broken())
    outcome = coach.reply("I had a terrible day")
    assert outcome.model_error == "server down"
    assert len(outcome.answer.suggestions) == 3 and outcome.grounded_count == 3
    chat = coach.chat("My partner seems distant since starting the new job")
    assert chat.model_error == "server down" and chat.answer.reply


@pytest.mark.parametrize("bad", ["", "   \u200b\u200b  "])
def test_empty_input_is_a_clear_error(coach: Coach, bad: str) -> None:
    with pytest.raises(EmptyInput, match="empty"):
        coach.reply(bad)


def test_too_long_input_is_a_clear_error(coach: Coach) -> None:
    with pytest.raises(InputTooLong, match="limit is 4000"):
        coach.reply("word " * 1200)


@pytest.mark.parametrize(
    ("raw", "task", "clean"),
    [
        ('"That sounds hard."\nPartner said: x', "reply", "That sounds hard."),
        ("Validating reply: I hear you. And then", "reply", "I hear you."),
        ("  What made you smile today?  ", "questions", "What made you smile today?"),
        (
            "That sounds hard. I'm here. Also the sky is green. And",
            "reply",
            "That sounds hard. I'm here.",
        ),
        ("What was best? And how was lunch?", "questions", "What was best?"),
    ],
)
def test_tidy(raw: str, task: str, clean: str) -> None:
    assert tidy(raw, task) == clean  # type: ignore[arg-type]
