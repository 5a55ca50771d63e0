"""The deterministic checks, table-driven: one row per text and the label each check should give."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from coach import checks
from coach.checks import CheckResult


@dataclass(frozen=True)
class Case:
    id: str
    check: Callable[[str], CheckResult]
    text: str
    label: str


CASES = [
    # --- question ---------------------------------------------------------------------------
    Case(
        "q-reflect-then-open",
        checks.question,
        "That sounds exhausting. What was the hardest part?",
        "open",
    ),
    Case("q-do-you", checks.question, "Do you want to talk about it?", "closed"),
    Case("q-have-you-tried", checks.question, "Have you tried sleeping earlier?", "closed"),
    Case("q-how", checks.question, "How did that feel for you?", "open"),
    Case("q-lead-in-so", checks.question, "So, what made today so hard?", "open"),
    Case(
        "q-lead-in-curious",
        checks.question,
        "I'm curious, how did the talk with your mum go?",
        "open",
    ),
    Case("q-lead-in-and", checks.question, "And how are you holding up?", "open"),
    Case(
        "q-filler-okay-um",
        checks.question,
        "Okay. Um, what would a good evening look like?",
        "open",
    ),
    Case("q-tell-me-no-mark", checks.question, "Tell me more about what happened.", "open"),
    Case("q-wondering", checks.question, "I'm wondering what that was like for you.", "open"),
    Case("q-can-you-tell-me", checks.question, "Can you tell me a bit more about that?", "open"),
    Case("q-anything-else", checks.question, "Is there anything else on your mind?", "open"),
    Case(
        "q-either-or",
        checks.question,
        "Did you feel hurt, or was it more that you were tired?",
        "closed",
    ),
    Case("q-tag", checks.question, "You were upset about the call, right?", "closed"),
    Case("q-declarative", checks.question, "So you drove home alone?", "closed"),
    Case("q-permission", checks.question, "Is it okay if I share an idea?", "closed"),
    Case(
        "q-statement-then-tag", checks.question, "I think it was Sunday, is that right?", "closed"
    ),
    Case("q-false-start", checks.question, "Can you- can you tell me about your week?", "open"),
    Case("q-last-decides", checks.question, "Did it go well? What surprised you most?", "open"),
    Case(
        "q-last-decides-closed", checks.question, "What happened next? Did you call her?", "closed"
    ),
    Case("q-check-in-ignored", checks.question, "What do you make of that? Okay?", "open"),
    Case("q-contraction", checks.question, "What'd you like about it?", "open"),
    Case("q-scale", checks.question, "On a scale of 1 to 10, how ready are you?", "closed"),
    Case("q-none", checks.question, "That sounds really hard.", "none"),
    Case("q-none-empty", checks.question, "", "none"),
    Case("q-proposal", checks.question, "How about we go for a walk?", "closed"),
    Case("q-how-about-topic", checks.question, "And how about your grades?", "open"),
    Case("q-proposal-to-talk", checks.question, "Why don't you tell me about your week?", "open"),
    Case("q-proposal-advice", checks.question, "Why don't you just call her?", "closed"),
    Case("q-topic-then-yes-no", checks.question, "What about your sister, did she call?", "closed"),
    Case(
        "q-time-clause-then-yes-no",
        checks.question,
        "When you're out with friends, do you drink?",
        "closed",
    ),
    Case("q-time-clause-then-wh", checks.question, "When you got home, what did you do?", "open"),
    Case("q-when-question", checks.question, "When did things start to change?", "open"),
    Case(
        "q-wh-statement-tag",
        checks.question,
        "What you're saying is that you're tired, right?",
        "closed",
    ),
    Case("q-check-in-comma", checks.question, "What do you think, okay?", "open"),
    Case("q-trails-off-or", checks.question, "Do you have friends in the band or-", "open"),
    Case("q-wonder-if", checks.question, "I wonder if you'd like to say more about that.", "open"),
    Case("q-really-curious", checks.question, "I'm really curious about how it went.", "open"),
    Case("q-where-fact", checks.question, "Where do you keep your inhaler?", "closed"),
    Case("q-when-fact", checks.question, "When do you usually take it?", "closed"),
    Case("q-where-view", checks.question, "Where would you like to start?", "open"),
    Case(
        "q-ask-lead-in", checks.question, "Can I ask you, Sam, how is this affecting you?", "open"
    ),
    Case("q-can-you-tell-me-then-wh", checks.question, "Can you tell me, what changed?", "open"),
    Case("q-preposition-wh", checks.question, "To what extent does it worry you?", "open"),
    Case(
        "q-statement-then-wondering",
        checks.question,
        "There are chances here, and I'm wondering what makes them hard to see?",
        "open",
    ),
    Case("q-wh-no-mark", checks.question, "So how much time have you spent on this", "open"),
    Case("q-wh-clause-no-mark", checks.question, "What you said matters to me.", "none"),
    Case(
        "q-opinion-of-proposal",
        checks.question,
        "What do you think about coming back in two weeks?",
        "closed",
    ),
    Case("q-opinion-of-topic", checks.question, "What do you think about that?", "open"),
    # --- fixing -----------------------------------------------------------------------------
    Case("f-you-should", checks.fixing, "You should talk to your boss.", "fixing"),
    Case("f-maybe-try", checks.fixing, "Maybe try going for a run?", "fixing"),
    Case("f-have-you-tried", checks.fixing, "Have you tried sleeping earlier?", "fixing"),
    Case("f-why-dont-you", checks.fixing, "Why don't you just ask him?", "fixing"),
    Case("f-i-suggest", checks.fixing, "I'd suggest writing it down before bed.", "fixing"),
    Case("f-imperative", checks.fixing, "Just take a deep breath and call her.", "fixing"),
    Case(
        "f-reflect-plus-advice",
        checks.fixing,
        "It sounds like you're stressed. You should rest.",
        "fixing",
    ),
    Case(
        "f-validating",
        checks.fixing,
        "That sounds exhausting. What was the hardest part?",
        "not_fixing",
    ),
    Case(
        "f-reflection", checks.fixing, "You must be so tired after a week like that.", "not_fixing"
    ),
    Case(
        "f-negated",
        checks.fixing,
        "I'm not saying you should quit. I hear how tired you are.",
        "not_fixing",
    ),
    Case(
        "f-quoted",
        checks.fixing,
        'He said "you should just get over it" and that hurt.',
        "not_fixing",
    ),
    Case("f-do-you-want-to-talk", checks.fixing, "Do you want to talk about it?", "not_fixing"),
    Case("f-encouragement", checks.fixing, "You can do this!", "not_fixing"),
    Case(
        "f-restatement",
        checks.fixing,
        "So you felt left out at the party, is that right?",
        "not_fixing",
    ),
    # --- feeling ----------------------------------------------------------------------------
    Case("e-sounds", checks.feeling, "That sounds exhausting.", "reflects"),
    Case("e-must-have-hurt", checks.feeling, "That must have hurt.", "reflects"),
    Case("e-hear-how", checks.feeling, "I just hear how tired you are.", "reflects"),
    Case("e-you-feel", checks.feeling, "You feel like nobody noticed.", "reflects"),
    Case("e-makes-sense", checks.feeling, "That makes so much sense.", "reflects"),
    Case("e-advice-only", checks.feeling, "You should talk to your boss.", "no_reflection"),
    Case("e-logistics", checks.feeling, "What time is dinner?", "no_reflection"),
    # --- blame ------------------------------------------------------------------------------
    Case("b-always", checks.blame, "You always do this", "blame"),
    Case("b-never", checks.blame, "You never listen to me.", "blame"),
    Case("b-fault", checks.blame, "It's your fault we were late.", "blame"),
    Case("b-name-calling", checks.blame, "You're so selfish.", "blame"),
    Case("b-made-me", checks.blame, "You made me so angry.", "blame"),
    Case("b-not-fault", checks.blame, "It's not your fault.", "no_blame"),
    Case("b-not-lazy", checks.blame, "I don't think you're lazy.", "no_blame"),
    Case("b-youre-not", checks.blame, "You're not lazy, you're worn out.", "no_blame"),
    Case("b-praise", checks.blame, "You always make me laugh.", "no_blame"),
    Case("b-quoted", checks.blame, 'She said "you never listen" and I froze.', "no_blame"),
    Case("b-kind", checks.blame, "I love how you listen.", "no_blame"),
    # --- pressure ---------------------------------------------------------------------------
    Case("p-need-to-talk", checks.pressure, "We need to talk.", "pressure"),
    Case("p-have-to-tell", checks.pressure, "You have to tell me what's going on.", "pressure"),
    Case("p-ultimatum", checks.pressure, "If you don't talk to me, I'm leaving.", "pressure"),
    Case("p-or-else", checks.pressure, "Open up to me or else.", "pressure"),
    Case("p-now", checks.pressure, "Tell me now!", "pressure"),
    Case("p-dont-have-to", checks.pressure, "You don't have to tell me anything.", "no_pressure"),
    Case(
        "p-whenever-ready",
        checks.pressure,
        "Whenever you're ready, I'd love to hear it.",
        "no_pressure",
    ),
    Case(
        "p-softened",
        checks.pressure,
        "No pressure, but you need to tell me someday.",
        "no_pressure",
    ),
    Case("p-feeling-now", checks.pressure, "I feel overwhelmed right now.", "no_pressure"),
    Case("p-must-be-tired", checks.pressure, "You must be tired.", "no_pressure"),
    # --- ritual -----------------------------------------------------------------------------
    Case(
        "r-concrete",
        checks.ritual,
        "Tonight after dinner, walk together for 15 minutes.",
        "concrete",
    ),
    Case(
        "r-concrete-weekly",
        checks.ritual,
        "Every Sunday morning, share three highs for ten minutes.",
        "concrete",
    ),
    Case(
        "r-concrete-clock",
        checks.ritual,
        "At 9pm, put your phones away and talk for 20 min.",
        "concrete",
    ),
    Case("r-vague", checks.ritual, "Spend more time together.", "vague"),
    Case("r-no-duration", checks.ritual, "Every evening, ask each other about your day.", "vague"),
    Case("r-no-when", checks.ritual, "Hug for 20 seconds.", "vague"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_label(case: Case) -> None:
    result = case.check(case.text)
    assert result.label == case.label, result.reasons
    assert result.reasons, "every result says why"


def test_result_shape() -> None:
    result = checks.question("Do you want to talk about it?")
    assert result.check == "question"
    assert result.passed is False
    assert result.as_dict() == {
        "check": "question",
        "label": "closed",
        "passed": False,
        "reasons": list(result.reasons),
    }
    assert "closed" in result.reasons[0]


def test_question_none_passes_on_its_own() -> None:
    assert checks.question("That sounds hard.").passed is True


def test_ritual_names_what_is_missing() -> None:
    result = checks.ritual("Spend more time together.")
    text = " ".join(result.reasons)
    assert "missing a when" in text
    assert "missing a how long" in text
    assert "has an action" in text


@pytest.mark.parametrize(
    ("text", "max_words", "label"),
    [("one two three", 3, "ok"), ("one two three four", 3, "too_long"), ("", 3, "ok")],
    ids=["at-limit", "over-limit", "empty"],
)
def test_length(text: str, max_words: int, label: str) -> None:
    assert checks.length(text, max_words).label == label


def test_word_count_keeps_contractions_whole() -> None:
    assert checks.word_count("I'm here, don't worry - well-being first.") == 6


@pytest.mark.parametrize(
    ("texts", "label"),
    [
        (["What was the best part?", "What felt heaviest today?"], "distinct"),
        (["What was the best part?", "what was the best part"], "duplicates"),
        (["What was the best part of today?", "What was the best part of the day?"], "duplicates"),
        ([], "distinct"),
        (["Only one."], "distinct"),
    ],
    ids=["different", "same-after-normalising", "near-alike", "empty", "single"],
)
def test_distinct(texts: list[str], label: str) -> None:
    assert checks.distinct(texts).label == label


# --------------------------------------------------------------------------------------------
# Job rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobCase:
    id: str
    task: str
    text: str
    passes: bool
    failing: tuple[str, ...] = ()


JOB_CASES = [
    JobCase("reply-good", "reply", "That sounds exhausting. What was the hardest part?", True),
    JobCase("reply-no-question", "reply", "That must have hurt. I'm here with you.", True),
    JobCase(
        "reply-advice",
        "reply",
        "That sounds hard. You should talk to your boss.",
        False,
        ("fixing",),
    ),
    JobCase("reply-no-feeling", "reply", "What time did you get home?", False, ("feeling",)),
    JobCase(
        "reply-closed",
        "reply",
        "That sounds hard. Do you want to talk about it?",
        False,
        ("question",),
    ),
    JobCase(
        "reply-two-questions",
        "reply",
        "That sounds hard. What happened? How are you now?",
        False,
        ("question",),
    ),
    JobCase("reply-blame", "reply", "I hear you, but you always overreact.", False, ("blame",)),
    JobCase(
        "reply-pressure", "reply", "I hear you're upset. We need to talk.", False, ("pressure",)
    ),
    JobCase("reply-long", "reply", "That sounds hard. " + "really " * 50, False, ("length",)),
    JobCase("questions-open", "questions", "What was the best moment of your week?", True),
    JobCase("questions-gentle-why", "questions", "Why does that matter so much to you?", True),
    JobCase("questions-closed", "questions", "Did you have a good day?", False, ("question",)),
    JobCase("questions-not-a-question", "questions", "I love you.", False, ("question",)),
    JobCase(
        "questions-accusing-why", "questions", "Why did you forget again?", False, ("question",)
    ),
    JobCase(
        "questions-why-always",
        "questions",
        "Why do you always leave early?",
        False,
        ("question", "blame"),
    ),
    JobCase(
        "questions-long", "questions", "What " + "really " * 40 + "matters?", False, ("length",)
    ),
    JobCase("ritual-good", "ritual", "Tonight after dinner, walk together for 15 minutes.", True),
    JobCase("ritual-vague", "ritual", "Spend more time together.", False, ("ritual",)),
    JobCase(
        "ritual-pressure",
        "ritual",
        "Every night at 9pm you have to tell me about your day for 10 minutes.",
        False,
        ("pressure",),
    ),
    JobCase(
        "chat-fine",
        "chat",
        "It makes sense that you want more closeness. You could try asking.",
        True,
    ),
    JobCase(
        "chat-blame",
        "chat",
        "Honestly, he sounds selfish and it's his fault. You're so naive.",
        False,
        ("blame",),
    ),
    JobCase("chat-long", "chat", "word " * 181, False, ("length",)),
]


@pytest.mark.parametrize("case", JOB_CASES, ids=[c.id for c in JOB_CASES])
def test_job_rules(case: JobCase) -> None:
    results = checks.check_suggestion(case.task, case.text)
    assert checks.passes(case.task, case.text) is case.passes, [r.as_dict() for r in results]
    failing = {r.check for r in checks.failures(case.task, case.text)}
    assert failing == set(case.failing)


def test_jobs_apply_their_checks() -> None:
    def names(task: str) -> set[str]:
        return {r.check for r in checks.check_suggestion(task, "Hello there.")}

    assert names("reply") == {
        "fixing",
        "feeling",
        "question",
        "blame",
        "dismissive",
        "pressure",
        "length",
    }
    assert names("questions") == {"question", "blame", "dismissive", "pressure", "length"}
    assert names("ritual") == {"ritual", "blame", "dismissive", "pressure", "length"}
    assert names("chat") == {"blame", "dismissive", "pressure", "length"}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I really don't want to hear it.", "dismissive"),
        ("Calm down, it's not a big deal.", "dismissive"),
        ("That sounds hard. You should have been watching the baby.", "dismissive"),
        ("You just don't know what you're doing.", "dismissive"),
        ("I can't stand hearing this every day.", "dismissive"),
        ("It's your problem.", "dismissive"),
        ("It's OK. Just do it.", "dismissive"),
        ("If you just do it your way, that's fine by me.", "not_dismissive"),
        ("That sounds so hard. I don't want you to feel alone.", "not_dismissive"),
        ("You deserved that promotion.", "not_dismissive"),
        ("You could have done nothing differently; it wasn't on you.", "not_dismissive"),
        ('He told me "calm down" and it stung.', "not_dismissive"),
    ],
)
def test_dismissive(text: str, label: str) -> None:
    assert checks.dismissive(text).label == label


def test_reply_two_questions_reason() -> None:
    [q] = [
        r
        for r in checks.failures("reply", "Sounds hard. What happened? Why?")
        if r.check == "question"
    ]
    assert any("more than one question" in reason for reason in q.reasons)


def test_questions_job_names_the_accusing_why() -> None:
    [q] = checks.failures("questions", "Why did you do that?")
    assert any("accusing 'why'" in reason for reason in q.reasons)


def test_unknown_task() -> None:
    with pytest.raises(ValueError):
        checks.check_suggestion("poem", "Roses are red.")
