# ruff: noqa: E501  (the building blocks are data: one phrase a line reads best)
"""Write the LoRA training examples from hand-written building blocks.

Every example is a job (``reply``, ``questions``, ``ritual``, ``chat``), the template variables its
prompt takes, the target text and the principle ids it applies. The blocks below (situations,
people, feelings, reply patterns, moments of the day, activities) were written for this project;
nothing comes from ESConv, AnnoMI or the source articles. Combinations are drawn with a fixed seed,
every target is run through :func:`coach.checks.passes` (failures are dropped and counted), exact
duplicates are removed, and the examples are split into ``train`` and ``heldout``.

Run ``python -m coach.training.generate`` to rewrite ``coach/data/training/`` (the files, and
``VERSION`` with their hash, are committed).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach import checks

SEED = 8
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "training"
TARGETS = {"reply": 620, "questions": 480, "ritual": 380, "chat": 360}
HELDOUT_SHARE = 0.15


@dataclass
class Example:
    task: str
    inputs: dict[str, Any]
    target: str
    principles: list[str]
    tags: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "inputs": self.inputs,
            "target": self.target,
            "principles": self.principles,
            "tags": self.tags,
        }


# -- reply: what a partner says, and replies that validate it ---------------------------------

# (what happened, the feeling word it carries, a short reason the feeling makes sense, tone)
HARD_EVENTS: list[tuple[str, str, str, str]] = [
    (
        "My boss took credit for my idea in the meeting",
        "frustrating",
        "after all the work you put in",
        "work",
    ),
    (
        "My manager moved my deadline up by a week again",
        "stressful",
        "with everything already on your plate",
        "work",
    ),
    (
        "I got passed over for the promotion",
        "disappointing",
        "when you hoped for it so much",
        "work",
    ),
    (
        "My coworker keeps talking over me in meetings",
        "frustrating",
        "when you have something to say",
        "work",
    ),
    (
        "I made a stupid mistake at work and everyone saw it",
        "embarrassing",
        "in front of everyone like that",
        "work",
    ),
    (
        "The layoffs were announced today and I might be next",
        "scary",
        "not knowing what comes next",
        "work",
    ),
    (
        "I have three reports due and no time to finish them",
        "overwhelming",
        "with so much due at once",
        "work",
    ),
    (
        "My shift got changed again and I barely slept",
        "exhausting",
        "with your sleep thrown off like that",
        "work",
    ),
    (
        "My mom called and criticized everything again",
        "hurtful",
        "coming from someone you love",
        "family",
    ),
    (
        "My sister didn't even remember my birthday",
        "hurtful",
        "from someone so close to you",
        "family",
    ),
    ("My dad is back in the hospital", "frightening", "not knowing how he will be", "family"),
    ("My brother asked to borrow money again", "draining", "when it keeps happening", "family"),
    (
        "My parents are fighting again and calling me about it",
        "exhausting",
        "to be stuck in the middle",
        "family",
    ),
    (
        "Grandma doesn't recognize me anymore",
        "heartbreaking",
        "after everything you shared with her",
        "family",
    ),
    (
        "My best friend cancelled on me for the third time",
        "disappointing",
        "when you were looking forward to it",
        "friends",
    ),
    (
        "I found out my friends went out without me",
        "lonely",
        "to feel left out like that",
        "friends",
    ),
    (
        "My friend said something mean about my job",
        "hurtful",
        "from someone you trusted",
        "friends",
    ),
    ("I haven't made any real friends since we moved", "lonely", "in a new place", "friends"),
    ("The baby was up all night again", "exhausting", "night after night", "home"),
    (
        "I feel like I do all the housework and nobody notices",
        "lonely",
        "to carry so much and feel unseen",
        "home",
    ),
    ("The landlord is raising the rent again", "stressful", "with money already tight", "home"),
    (
        "The car broke down on the way to work",
        "frustrating",
        "on a day that was already hard",
        "home",
    ),
    (
        "The kids fought all afternoon and I lost my temper",
        "draining",
        "after a long afternoon",
        "home",
    ),
    ("The dog is sick and the vet doesn't know why", "worrying", "when you can't help her", "home"),
    (
        "My back pain is worse and the doctor had no answers",
        "discouraging",
        "when you want to feel better",
        "health",
    ),
    ("I didn't sleep at all last night", "exhausting", "running on no rest", "health"),
    (
        "The test results still haven't come back",
        "nerve-racking",
        "to wait without knowing",
        "health",
    ),
    (
        "I gained weight again and I hate how I look",
        "painful",
        "to feel that way about yourself",
        "health",
    ),
    ("I failed the exam I studied for all month", "crushing", "after a month of studying", "study"),
    (
        "My thesis advisor tore my draft apart",
        "discouraging",
        "after all the hours you gave it",
        "study",
    ),
    ("I didn't get into the program", "disappointing", "when you wanted it so much", "study"),
    (
        "I feel like I'm falling behind everyone my age",
        "heavy",
        "to measure yourself like that",
        "self",
    ),
    (
        "I keep thinking about what I said at the party",
        "uncomfortable",
        "to keep replaying it",
        "self",
    ),
    ("I miss my old life back home", "lonely", "so far from the people you know", "self"),
    (
        "Nothing I do lately feels good enough",
        "discouraging",
        "when you are trying so hard",
        "self",
    ),
    (
        "I'm so tired of being the one who plans everything",
        "exhausting",
        "to always be the one who plans",
        "us",
    ),
    (
        "It feels like we only talk about bills lately",
        "lonely",
        "when you miss talking about us",
        "us",
    ),
    ("You were on your phone all through dinner", "lonely", "when you wanted time together", "us"),
    ("I felt invisible at your work party", "lonely", "in a room full of people", "us"),
    (
        "I'm nervous about meeting your parents this weekend",
        "nerve-racking",
        "to want it to go well",
        "us",
    ),
    (
        "My therapist appointment got cancelled again",
        "frustrating",
        "when you were counting on it",
        "health",
    ),
    (
        "The flight got cancelled and I'm stuck here another night",
        "frustrating",
        "when you just want to come home",
        "travel",
    ),
    (
        "My team lost the final and I played terribly",
        "disappointing",
        "after a whole season of effort",
        "sport",
    ),
    ("My phone got stolen on the train", "upsetting", "to lose it like that", "home"),
    ("The project I led for a year got cancelled", "crushing", "after a year of your work", "work"),
]
GOOD_EVENTS: list[tuple[str, str, str, str]] = [
    ("I got the job!", "exciting", "you worked so hard for this", "work"),
    (
        "My boss said my presentation was the best one",
        "wonderful",
        "you prepared so much for it",
        "work",
    ),
    ("I finally finished the marathon", "amazing", "all those early runs paid off", "sport"),
    ("I passed the exam!", "exciting", "after all that studying", "study"),
    ("My sister and I finally talked things out", "relieving", "after so long apart", "family"),
    ("The doctor said the scan was clear", "relieving", "after all that waiting", "health"),
    ("I got accepted into the program", "thrilling", "you wanted this so much", "study"),
    ("My painting sold at the fair today", "exciting", "your work is out in the world", "self"),
    ("We finally paid off the car", "relieving", "after all those payments", "home"),
    ("My dad said he's proud of me", "moving", "you waited a long time to hear that", "family"),
    ("I asked for the raise and I got it", "exciting", "you spoke up for yourself", "work"),
    ("The kids made me breakfast this morning", "sweet", "they thought of you", "home"),
]
OPENERS = ["", "Ugh. ", "Honestly, ", "So, ", "I don't know. ", "Guess what, ", "Today was a lot. "]
HARD_TAILS = [
    "",
    " I just feel like giving up.",
    " I can't stop thinking about it.",
    " I don't even want to talk about it.",
    " I'm so tired.",
    " I don't know what to do.",
    " It's been a long day.",
]
HARD_REPLIES = [
    "That sounds {feeling}, {reason}. What was that like for you?",
    "Oh, that sounds really {feeling}, {reason}. I'm here, and I want to hear more.",
    "It sounds {feeling}, {reason}. Of course you feel this way.",
    "That must feel so {feeling}, {reason}. I'm right here with you.",
    "That sounds {feeling}. It makes sense that it's weighing on you, {reason}.",
    "I can hear how {feeling} that is, {reason}. Tell me more if you want to.",
    "It makes sense that you feel upset, {reason}. That sounds really {feeling}.",
    "That sounds {feeling}, {reason}. How are you feeling about it now?",
    "That sounds so {feeling}. I'm sorry it happened, {reason}.",
    "It sounds like today was really {feeling}, {reason}. I'm listening.",
    "Oh, love, that sounds {feeling}, {reason}. What part of it is sitting with you most?",
    "That sounds {feeling}, {reason}. You don't have to have it all figured out right now.",
]
GOOD_REPLIES = [
    "That is so {feeling}! I'm proud of you, {reason}. How does it feel?",
    "Wow, that sounds {feeling}, {reason}. I'm so happy for you!",
    "That's {feeling} news, {reason}. Tell me everything!",
    "I can hear how happy you are, and it's {feeling}, {reason}. What was the best moment?",
    "That sounds {feeling}! You must be so proud, {reason}.",
]
CONTEXTS = [
    None,
    None,
    None,
    "we've been together five years",
    "we just moved in together",
    "we have two small kids",
    "long distance",
    "she works nights",
    "he is quiet most days",
    "we're newly married",
    "we both work from home",
    "they just started a new job",
]


def _reply_examples(rng: random.Random, count: int) -> list[Example]:
    out: list[Example] = []
    for _ in range(count * 3):
        good = rng.random() < 0.2
        event, feeling, reason, tone = rng.choice(GOOD_EVENTS if good else HARD_EVENTS)
        if good:
            message = event
            text = rng.choice(GOOD_REPLIES).format(feeling=feeling, reason=reason)
            principles = ["be-supportive-celebrate-successes", "validate-and-reflect"]
        else:
            opener = rng.choice(OPENERS[:6])
            message = f"{opener}{event}.{rng.choice(HARD_TAILS)}".strip()
            text = rng.choice(HARD_REPLIES).format(feeling=feeling, reason=reason)
            principles = ["validate-and-reflect", "deep-listening-without-fixing"]
            if "I'm listening" in text or "Tell me more" in text or "hear more" in text:
                principles.append("active-listening")
        text = text[0].upper() + text[1:]
        context = rng.choice(CONTEXTS)
        out.append(
            Example(
                "reply",
                {"message": message, "context": context},
                text,
                principles,
                [tone, "good-news" if good else "hard"],
            )
        )
    return out


# -- questions: open questions for situations and emotional styles -----------------------------

SITUATIONS: list[tuple[str, str, list[str]]] = [
    # (the situation as a person describes it, the topic phrase a question can use, principles)
    ("we both work late and barely see each other", "your week", ["make-time-for-each-other"]),
    ("she seems quiet since her father got sick", "everything with your dad", ["talk-about-fears"]),
    (
        "we have been together ten years and life feels routine",
        "us right now",
        ["keep-learning-about-each-other"],
    ),
    ("he just lost his job", "losing the job", ["talk-about-fears"]),
    ("we just had our first baby", "being a parent", ["keep-learning-about-each-other"]),
    ("they are starting a new job next week", "the new job", ["talk-about-fears"]),
    ("we barely talk since the move", "the move", ["make-time-for-each-other"]),
    ("we had a big fight last weekend", "last weekend", ["rebuilding-after-distance-or-betrayal"]),
    ("she is training for a marathon", "the training", ["be-supportive-celebrate-successes"]),
    ("he is stressed about money", "money lately", ["talk-about-fears"]),
    ("we are planning a wedding", "the wedding", ["explore-shared-values"]),
    ("the kids just left for college", "the quiet house", ["keep-learning-about-each-other"]),
    ("we are thinking about having kids", "having kids", ["explore-shared-values"]),
    ("his mother is moving in with us", "your mom moving in", ["talk-about-fears"]),
    ("we live in different cities", "being apart", ["make-time-for-each-other"]),
    ("she got a promotion", "the promotion", ["be-supportive-celebrate-successes"]),
    ("he never talks about his childhood", "growing up", ["keep-learning-about-each-other"]),
    ("we are retiring next year", "retirement", ["explore-shared-values"]),
    (
        "they are going back to school",
        "going back to school",
        ["be-supportive-celebrate-successes"],
    ),
    ("we only talk about chores lately", "us lately", ["cultivate-friendship"]),
    ("her best friend moved away", "missing your friend", ["talk-about-fears"]),
    ("he is worried about his health", "your health", ["talk-about-fears"]),
    ("we just bought a house", "the new house", ["explore-shared-values"]),
    ("she has been working every weekend", "your weekends", ["make-time-for-each-other"]),
    ("we both feel stuck lately", "feeling stuck", ["keep-learning-about-each-other"]),
    ("he started a new hobby", "the new hobby", ["cultivate-friendship"]),
    ("our anniversary is next month", "our years together", ["celebrate-the-positive"]),
    ("they are grieving their grandmother", "your grandmother", ["talk-about-fears"]),
    ("we want to feel closer again", "us", ["keep-learning-about-each-other"]),
    ("she is nervous about a big exam", "the exam", ["talk-about-fears"]),
]
QUESTION_PATTERNS: list[tuple[str, list[str]]] = [
    ("How are you feeling about {topic}?", []),
    ("What has been the hardest part of {topic} for you?", ["talk-about-fears"]),
    ("What has surprised you most about {topic}?", ["keep-learning-about-each-other"]),
    ("How has {topic} been sitting with you lately?", []),
    ("What would help you most with {topic} right now?", []),
    ("What part of {topic} do you find yourself thinking about most?", []),
    ("What do you wish I understood about {topic}?", ["keep-learning-about-each-other"]),
    ("How do you want us to face {topic} together?", ["explore-shared-values"]),
    ("What has {topic} been like for you this week?", []),
    ("What feels good about {topic}, and what feels hard?", ["accept-highs-and-lows"]),
    ("What are you hoping for when you think about {topic}?", ["explore-shared-values"]),
    ("What worries you most when you think about {topic}?", ["talk-about-fears"]),
]
GENERAL_QUESTIONS: list[tuple[str, list[str]]] = [
    ("What was the best part of your day, even a small part?", ["keep-learning-about-each-other"]),
    ("What is something you'd love for us to try together this year?", ["cultivate-friendship"]),
    ("What made you laugh this week?", ["cultivate-friendship"]),
    ("What is a memory of us that always makes you smile?", ["celebrate-the-positive"]),
    ("What does a perfect lazy Sunday look like to you?", ["keep-learning-about-each-other"]),
    (
        "What is something you're proud of that I might not know about?",
        ["be-supportive-celebrate-successes"],
    ),
    (
        "How do you most like to be cared for when you're worn out?",
        ["different-emotional-and-physical-needs"],
    ),
    ("What is a dream you haven't told me about yet?", ["keep-learning-about-each-other"]),
    ("What matters most to you about how we spend our time?", ["explore-shared-values"]),
    ("How have you changed since we first met?", ["keep-learning-about-each-other"]),
]
STYLE_QUESTIONS: dict[str, tuple[str, str, list[str]]] = {
    "action": (
        "doing practical things and solving problems",
        "style-action-oriented",
        [
            "What is one thing on your plate that I could take off it this week?",
            "How could I make {topic} a little easier for you?",
            "What is the next step with {topic} that feels most doable to you?",
            "What would a good plan for {topic} look like to you?",
            "Which part of {topic} would you like a hand with?",
        ],
    ),
    "activity": (
        "doing things together, like cooking or walking",
        "style-shared-activity",
        [
            "What would you like to do together this weekend, just the two of us?",
            "What is a walk or a meal we could share while we talk about {topic}?",
            "What could we cook together this week while you tell me about {topic}?",
            "Which place would you like to explore with me this month?",
            "What game or project could we take on together?",
        ],
    ),
    "quiet": (
        "quiet presence, being there rather than talking",
        "style-quiet-support",
        [
            "How can I be with you while you think about {topic}, without pushing?",
            "What kind of quiet time together feels good to you right now?",
            "How would you like me to be there for you with {topic}?",
            "When you need space with {topic}, how can I stay close without crowding you?",
            "What helps you feel calm when {topic} gets heavy?",
        ],
    ),
}


def _question_examples(rng: random.Random, count: int) -> list[Example]:
    out: list[Example] = []
    for _ in range(count * 3):
        roll = rng.random()
        situation, topic, base = rng.choice(SITUATIONS)
        style: str | None = None
        if roll < 0.12:
            context: str | None = rng.choice([None, situation])
            text, principles = rng.choice(GENERAL_QUESTIONS)
            if context is None:
                text, principles = rng.choice(GENERAL_QUESTIONS)
        elif roll < 0.42:
            style = rng.choice(sorted(STYLE_QUESTIONS))
            _, card, patterns = STYLE_QUESTIONS[style]
            context = situation
            text = rng.choice(patterns).format(topic=topic)
            principles = [card, *base]
        else:
            context = situation
            pattern, extra = rng.choice(QUESTION_PATTERNS)
            text = pattern.format(topic=topic)
            principles = list(dict.fromkeys([*base, *extra]))
        hint = STYLE_QUESTIONS[style][0] if style else None
        out.append(
            Example(
                "questions",
                {"context": context, "style_hint": hint},
                text,
                principles or ["keep-learning-about-each-other"],
                [style or "no-style"],
            )
        )
    return out


# -- ritual: a concrete step for a day of the plan and a context -------------------------------

PHASES = [
    (range(1, 8), "Days 1-7: one open conversation a day", "plan-days-1-7-open-conversation"),
    (range(8, 15), "Days 8-14: share one feeling a day", "plan-days-8-14-share-a-feeling"),
    (
        range(15, 22),
        "Days 15-21: notice and appreciate one thing a day",
        "plan-days-15-21-appreciate",
    ),
    (
        range(22, 29),
        "Days 22-28: a shared activity with room to talk",
        "plan-days-22-28-side-by-side",
    ),
    (range(29, 31), "Days 29-30: look back together", "plan-days-29-30-reflect-together"),
]
MOMENTS = [
    "Tonight after dinner",
    "This evening",
    "Tomorrow morning",
    "Before bed tonight",
    "At breakfast",
    "During your lunch break",
    "This weekend",
    "On your evening walk",
    "After the kids are asleep",
    "When you both get home",
]
MINUTES = ["5", "10", "15", "20", "10", "15"]
PHASE_ACTIONS: dict[str, list[str]] = {
    "plan-days-1-7-open-conversation": [
        "sit together with phones in another room and ask what part of the day gave them energy",
        "ask one open question about their day and just listen",
        "share a cup of tea and ask what has been on their mind this week",
        "sit side by side and ask what they are looking forward to",
        "talk about one good and one hard moment from the day",
    ],
    "plan-days-8-14-share-a-feeling": [
        "share one feeling from your day, starting with 'I felt'",
        "each name one feeling from today and listen without fixing",
        "tell them one thing that worried you today and how it felt",
        "share one moment that made you feel close to them",
        "take turns naming one feeling and where you felt it",
    ],
    "plan-days-15-21-appreciate": [
        "thank them for one specific thing they did today and how it helped you",
        "write a short note about one thing you appreciate and leave it for them",
        "tell them one quality you admire in them and when you noticed it",
        "name three small things they did this week that you are grateful for",
        "say out loud one way they made your day easier",
    ],
    "plan-days-22-28-side-by-side": [
        "cook a simple meal together and talk while you chop",
        "walk around the block together and let the talk wander",
        "do a puzzle together with music on",
        "wash the dishes side by side and ask about their week",
        "plant or water something together and chat as you work",
    ],
    "plan-days-29-30-reflect-together": [
        "look back on the month together and share one moment that felt close",
        "talk about which ritual you want to keep and why",
        "share one thing you learned about each other this month",
        "write down together the habits you want to keep going",
        "remember one good evening from this month and what made it good",
    ],
}
RITUAL_CONTEXTS = [
    None,
    None,
    "long distance",
    "we have a newborn",
    "we both work late",
    "he cooks most evenings",
    "she travels for work",
    "we have three kids",
    "we both work from home",
    "we just moved",
    "we're retired",
    "they work nights",
    "we have long commutes",
    "we're newly married",
]
LONG_DISTANCE_ACTIONS = [
    "call each other with video on and ask about the best part of the day",
    "send a voice message sharing one feeling from your day",
    "watch the same show at the same time and text about it",
]


def _phase(day: int) -> tuple[str, str]:
    for days, name, card in PHASES:
        if day in days:
            return name, card
    raise ValueError(day)


def _ritual_examples(rng: random.Random, count: int) -> list[Example]:
    out: list[Example] = []
    for _ in range(count * 3):
        day = rng.randint(1, 30)
        name, card = _phase(day)
        context = rng.choice(RITUAL_CONTEXTS)
        moment = rng.choice(MOMENTS)
        minutes = rng.choice(MINUTES)
        if context == "long distance":
            action = rng.choice(LONG_DISTANCE_ACTIONS)
        else:
            action = rng.choice(PHASE_ACTIONS[card])
        shape = rng.randrange(3)
        if shape == 0:
            text = f"{moment}, spend {minutes} minutes together: {action}."
        elif shape == 1:
            text = f"{moment}, take {minutes} minutes to {action}."
        else:
            text = f"{moment}, for {minutes} minutes, {action}."
        principles = [card, "rituals-of-connection"]
        if card == "plan-days-15-21-appreciate":
            principles.append("compliments-and-affirmations")
        out.append(
            Example(
                "ritual",
                {"day": day, "phase_name": name, "context": context},
                text,
                principles,
                [context or "no-context"],
            )
        )
    return out


# -- chat: short, grounded answers --------------------------------------------------------------

CHAT_TOPICS: list[tuple[str, str, str, list[str]]] = [
    # (the person's message, reflection, one small idea, principles)
    (
        "My {who} never opens up about work. {pronoun} just says it's fine.",
        "That can feel lonely when you want to be let in.",
        "You could share something small about your own day first, then ask what part of theirs took the most out of them.",
        ["encourage-vulnerability-by-going-first", "respect-pace-side-by-side"],
    ),
    (
        "My {who} and I only talk about chores lately.",
        "That happens to a lot of busy couples, and it can leave you missing each other.",
        "A small ritual can help: ten minutes each evening with no phones, just to hear about each other's day.",
        ["rituals-of-connection", "make-time-for-each-other"],
    ),
    (
        "How do I get my {who} to talk about feelings?",
        "Wanting to be closer is a good place to start.",
        "Pushing rarely helps; talking side by side on a walk or while cooking often feels easier than face to face.",
        ["respect-pace-side-by-side", "style-shared-activity"],
    ),
    (
        "My {who} shuts down when I bring up anything serious.",
        "That can be painful, especially when you are trying to reach them.",
        "Many people were taught to keep worries to themselves. A softer start and a calm moment may help them stay.",
        ["respect-pace-side-by-side", "everyone-needs-intimacy"],
    ),
    (
        "We feel more like roommates than partners.",
        "That distance can creep in quietly, and noticing it matters.",
        "Try one small moment of connection a day, like a proper hug when you each come home.",
        ["physical-affection-non-sexual-touch", "rituals-of-connection"],
    ),
    (
        "My {who} got great news today and I want to celebrate well.",
        "That is lovely to hear.",
        "Ask them to tell you the whole story and let them enjoy it; your interest is the celebration.",
        ["be-supportive-celebrate-successes", "celebrate-the-positive"],
    ),
    (
        "My {who} is stressed and I keep trying to fix it but it makes things worse.",
        "Wanting to help shows how much you care.",
        "Sometimes listening first helps more than solutions. You could ask whether they want ideas or just an ear.",
        ["deep-listening-without-fixing", "active-listening"],
    ),
    (
        "I never know what to say when my {who} is upset.",
        "That's common, and you don't need perfect words.",
        "Naming what you see, like 'that sounds really hard', and staying close often says enough.",
        ["validate-and-reflect", "active-listening"],
    ),
    (
        "We used to laugh all the time and now we barely do.",
        "It makes sense to miss that lightness.",
        "Friendship grows with play: pick something silly or new to do together this week.",
        ["cultivate-friendship", "keep-learning-about-each-other"],
    ),
    (
        "My {who} shows love by doing things, not by talking.",
        "That is a real way of caring, even when it is quiet.",
        "You could thank them for the things they do and join them in a task you both enjoy.",
        ["style-action-oriented", "different-emotional-and-physical-needs"],
    ),
    (
        "I feel like I'm always the one reaching out first.",
        "That can feel tiring and a bit lonely.",
        "It may help to tell your partner how it feels, using 'I' words, and ask how they see it.",
        ["share-your-feelings", "active-listening"],
    ),
    (
        "We had a fight and now it feels awkward between us.",
        "That awkward space after a fight is hard to sit in.",
        "Owning your part in a sentence or two can open the door, and then you can listen to theirs.",
        ["reliability-and-owning-mistakes", "rebuilding-after-distance-or-betrayal"],
    ),
    (
        "How can we feel closer when we both work so much?",
        "Busy seasons can make closeness feel out of reach.",
        "Small and regular beats big and rare: a short check-in each night can keep you close.",
        ["make-time-for-each-other", "rituals-of-connection"],
    ),
    (
        "My {who} seems distant since the baby arrived.",
        "A new baby changes so much, and distance is common.",
        "You could ask how they are really doing with it all, and share how you are doing too.",
        ["talk-about-fears", "share-your-feelings"],
    ),
    (
        "I want to tell my {who} I'm scared about money but I don't want to worry them.",
        "It takes courage to want to share a fear.",
        "Telling them how you feel, not only the numbers, can bring you closer and let you face it together.",
        ["talk-about-fears", "share-your-feelings"],
    ),
    (
        "We don't know what we want for the future anymore.",
        "That uncertainty can feel unsettling.",
        "Talking about what matters most to each of you, without deciding anything yet, is a good start.",
        ["explore-shared-values", "keep-learning-about-each-other"],
    ),
    (
        "My {who} always compliments me and I never know how to respond.",
        "It sounds like their words matter to you.",
        "A simple thank you and telling them one thing you appreciate back can make the moment warm.",
        ["compliments-and-affirmations", "celebrate-the-positive"],
    ),
    (
        "I think we're getting closer lately and I want to keep it going.",
        "That's good to notice and worth celebrating.",
        "Keep the small habits that helped, and tell your partner what you have enjoyed.",
        ["signs-connection-is-growing", "celebrate-the-positive"],
    ),
]
WHO = [
    ("husband", "He"),
    ("wife", "She"),
    ("partner", "They"),
    ("boyfriend", "He"),
    ("girlfriend", "She"),
]
CHAT_CLOSERS = [
    "",
    " What feels like a good first step for you?",
    " How does that sound to you?",
    " What do you think might work for you two?",
]


def _chat_examples(rng: random.Random, count: int) -> list[Example]:
    out: list[Example] = []
    for _ in range(count * 3):
        message, reflection, idea, principles = rng.choice(CHAT_TOPICS)
        who, pronoun = rng.choice(WHO)
        message = message.format(who=who, pronoun=pronoun)
        closer = rng.choice(CHAT_CLOSERS)
        text = f"{reflection} {idea}{closer}"
        out.append(Example("chat", {"message": message}, text, principles, [who]))
    return out


BUILDERS = {
    "reply": _reply_examples,
    "questions": _question_examples,
    "ritual": _ritual_examples,
    "chat": _chat_examples,
}


def _key(example: Example) -> str:
    return json.dumps([example.task, example.inputs, example.target], sort_keys=True)


def build(seed: int = SEED) -> tuple[list[Example], Counter[str]]:
    """All examples, checked and de-duplicated; and how many drafts each job dropped."""
    rng = random.Random(seed)
    dropped: Counter[str] = Counter()
    examples: list[Example] = []
    for task, builder in BUILDERS.items():
        seen: set[str] = set()
        kept: list[Example] = []
        for example in builder(rng, TARGETS[task]):
            if not checks.passes(task, example.target):
                dropped[task] += 1
                continue
            key = _key(example)
            if key in seen:
                continue
            seen.add(key)
            kept.append(example)
            if len(kept) >= TARGETS[task]:
                break
        examples += kept
    return examples, dropped


def split(examples: list[Example], seed: int = SEED) -> tuple[list[Example], list[Example]]:
    """Held-out examples are chosen per job; none shares its exact input with a train example."""
    rng = random.Random(seed + 1)
    train: list[Example] = []
    heldout: list[Example] = []
    for task in BUILDERS:
        rows = [e for e in examples if e.task == task]
        inputs = sorted({json.dumps(e.inputs, sort_keys=True) for e in rows})
        rng.shuffle(inputs)
        held = set(inputs[: max(1, round(len(inputs) * HELDOUT_SHARE))])
        for e in rows:
            (heldout if json.dumps(e.inputs, sort_keys=True) in held else train).append(e)
    rng.shuffle(train)
    return train, heldout


def data_version(directory: Path = DATA_DIR) -> str:
    """sha256 over the train and heldout files: which data an adapter was trained on."""
    digest = hashlib.sha256()
    for name in ("train.jsonl", "heldout.jsonl"):
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()[:16]


def write(directory: Path = DATA_DIR) -> dict[str, Any]:
    examples, dropped = build()
    for e in examples:  # assert, not only filter: nothing that fails a check is written
        assert checks.passes(e.task, e.target), (e.task, e.target)
    train, heldout = split(examples)
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.jsonl", train), ("heldout.jsonl", heldout)):
        with (directory / name).open("w", encoding="utf-8") as out:
            for e in rows:
                out.write(json.dumps(e.row(), ensure_ascii=False, sort_keys=True) + "\n")
    summary = {
        "version": data_version(directory),
        "seed": SEED,
        "train": dict(Counter(e.task for e in train)),
        "heldout": dict(Counter(e.task for e in heldout)),
        "dropped_by_checks": dict(dropped),
    }
    (directory / "VERSION").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


def load(split_name: str, directory: Path = DATA_DIR) -> list[dict[str, Any]]:
    path = directory / f"{split_name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


if __name__ == "__main__":
    print(json.dumps(write(), indent=2))
