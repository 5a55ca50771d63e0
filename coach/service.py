"""The four coaching jobs, one pipeline each, flowing one way:

normalise -> safety screen -> retrieve cards -> render prompt -> generate candidates -> check them
-> keep the best, replace failures with grounded suggestions -> answer with citations.

The screen runs before any model is touched, so a crisis answer never waits on (or depends on) a
model. :class:`Outcome` keeps every raw candidate with its verdict, which the evals and the
measurements in the README read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import structlog
from langchain_core.prompt_values import PromptValue

from coach import checks, grounding, guard, prompts, safety
from coach.config import Settings
from coach.knowledge import Card, Hit, KnowledgeBase, content_stems, load_knowledge, word_set
from coach.models import Backend, GenerationParams, ModelError
from coach.models.resilience import current_scope
from coach.schemas import Answer, Risk, Safety, Style, Suggestion, Task
from coach.text import clean_input, clean_optional

log = structlog.get_logger(__name__)

STYLE_HINTS: dict[Style, str] = {
    "action": "doing practical things and solving problems",
    "activity": "doing things together, like cooking or walking",
    "quiet": "quiet presence, being there rather than talking",
}
# A base model follows the shape of its prompt more than any instruction, so completion prompts
# start each answer for it: a reflection for replies, a question word for questions, a moment of
# the day for rituals. Candidates cycle through the leads, which also makes them differ.
COMPLETION_LEADS: dict[str, tuple[str, ...]] = {
    "reply": (
        "That sounds",
        "It sounds like",
        "I can hear how",
        "It makes sense that you",
        "Oh, that",
    ),
    "questions": ("What", "How", "Which", "What", "How do you feel about", "When"),
    "ritual": (
        "Tonight after dinner,",
        "This evening,",
        "Tomorrow morning,",
        "Before bed tonight,",
    ),
}
# Where generation stops, by (is chat, is a completion prompt). A base model keeps going after
# the line we asked for; its stops end a candidate at the line's end or the next example.
_STOPS: dict[tuple[bool, bool], tuple[str, ...]] = {
    (False, True): ("\n", '"', "Partner said", "Situation:"),
    (False, False): ("\n\n",),
    (True, True): ("\nPerson:", "Person:", "\n\n"),
    (True, False): (),
}


@dataclass(frozen=True)
class Candidate:
    """One raw model candidate and what the checks said of it."""

    text: str
    passed: bool
    failures: tuple[str, ...]


@dataclass
class Outcome:
    answer: Answer
    candidates: list[Candidate] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    model_error: str | None = None

    @property
    def grounded_count(self) -> int:
        return sum(1 for s in self.answer.suggestions if s.source == "grounded")


@dataclass(frozen=True)
class Token:
    """A piece of a streamed chat answer."""

    text: str


@dataclass(frozen=True)
class Done:
    """The end of a streamed chat answer, with the whole outcome."""

    outcome: Outcome


ChatEvent = Token | Done
CHAT_WORD_CAP = 150
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SENTENCE_FINAL = re.compile(r"[.!?][\"”')]*$")


@dataclass(frozen=True)
class Turn:
    role: str  # "user" or "coach"
    text: str


class Coach:
    """The coaching pipeline over one backend. Cheap to build; the backend loads lazily."""

    def __init__(
        self, settings: Settings, backend: Backend, knowledge: KnowledgeBase | None = None
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.knowledge = knowledge or load_knowledge()

    # -- the four jobs -------------------------------------------------------------------------

    def reply(self, message: str, context: str | None = None, n: int = 3) -> Outcome:
        message = clean_input(message, limit=self.settings.max_input_chars)
        context = clean_optional(context, limit=self.settings.max_input_chars)
        blocked = self._screen("reply", [message, context])
        if blocked:
            return blocked
        hits = self.knowledge.retrieve(f"{message} {context or ''}", "reply", self.settings.top_k)
        cards = [h.card for h in hits]
        variables = {"message": message, "context": context, "principles": _principles(cards)}
        candidates, error = self._candidates(
            "reply", variables, max(n, self.settings.candidates), enough=n
        )
        chosen = _choose(candidates, n, cards, anchors=grounding.anchors_for("reply", cards))
        taken = [s.text for s in chosen]
        chosen += grounding.reply_suggestions(message, cards, n - len(chosen), taken)
        return self._outcome("reply", chosen, hits, candidates, error)

    def questions(
        self, context: str | None = None, style: Style | None = None, n: int = 5
    ) -> Outcome:
        context = clean_optional(context, limit=self.settings.max_input_chars)
        blocked = self._screen("questions", [context])
        if blocked:
            return blocked
        query = f"{context or 'everyday connection'} {STYLE_HINTS[style] if style else ''}"
        hits = self.knowledge.retrieve(query, "questions", self.settings.top_k)
        cards = [h.card for h in hits]
        if style:
            style_card = self.knowledge.style_card(style)
            cards = [style_card, *[c for c in cards if c.id != style_card.id]]
            hits = [Hit(style_card, 0.0), *[h for h in hits if h.card.id != style_card.id]]
        variables = {
            "context": context,
            "style_hint": STYLE_HINTS[style] if style else None,
            "principles": _principles(cards),
        }
        candidates, error = self._candidates(
            "questions", variables, max(n, self.settings.candidates), enough=n
        )
        chosen = _choose(candidates, n, cards)
        taken = [s.text for s in chosen]
        chosen += grounding.question_suggestions(context, cards, n - len(chosen), taken)
        return self._outcome("questions", chosen, hits, candidates, error)

    def ritual(self, day: int | None = None, context: str | None = None) -> Outcome:
        day = day or 1
        if not 1 <= day <= 30:
            raise ValueError(f"day must be between 1 and 30, not {day}")
        context = clean_optional(context, limit=self.settings.max_input_chars)
        blocked = self._screen("ritual", [context])
        if blocked:
            blocked.answer.day = day
            return blocked
        phase_card = self.knowledge.phase_for_day(day)
        assert phase_card.phase is not None
        hits = [Hit(phase_card, 0.0)]
        hits += [
            h
            for h in self.knowledge.retrieve(
                f"{phase_card.title} {context or ''}", "ritual", self.settings.top_k
            )
            if h.card.id != phase_card.id
        ]
        cards = [h.card for h in hits]
        variables = {
            "day": day,
            "phase_name": phase_card.phase.name,
            "step": phase_card.phase.step,
            "context": context,
            "principles": _principles(cards),
        }
        # Today's step always comes from the plan itself; a model may add a second idea.
        chosen = grounding.ritual_suggestions(day, phase_card, context, cards[1:], [])[:1]
        taken = [s.text for s in chosen]
        candidates, error = self._candidates(
            "ritual", variables, self.settings.candidates, enough=1, taken=taken
        )
        chosen += _choose(candidates, 1, cards, taken=taken)
        if len(chosen) < 2:
            taken = [s.text for s in chosen]
            chosen += grounding.ritual_suggestions(day, phase_card, context, cards[1:], taken)[
                : 2 - len(chosen)
            ]
        outcome = self._outcome("ritual", chosen, hits, candidates, error)
        outcome.answer.day = day
        outcome.answer.phase = phase_card.phase.name
        return outcome

    def chat(self, message: str, history: Iterable[Turn] = (), prior: Risk = "none") -> Outcome:
        """Chat in one piece: the streamed answer, collected."""
        events = list(self.chat_stream(message, history, prior))
        final = events[-1]
        assert isinstance(final, Done)
        return final.outcome

    def chat_stream(
        self, message: str, history: Iterable[Turn] = (), prior: Risk = "none"
    ) -> Iterator[ChatEvent]:
        """Chat, streamed sentence by sentence.

        Each sentence is checked and screened before it is sent, so nothing that fails is ever
        shown; the first failing sentence ends the answer. If no model sentence passes, the
        grounded answer is streamed instead.
        """
        message = clean_input(message, limit=self.settings.max_input_chars)
        blocked = self._screen("chat", [message], prior)
        if blocked:
            blocked.answer.reply = blocked.answer.safety.message
            yield Token(blocked.answer.reply)
            yield Done(blocked)
            return
        hits = self.knowledge.retrieve(message, "chat", self.settings.top_k)
        cards = [h.card for h in hits]
        sentences: list[str] = []
        raw: list[str] = []
        error: str | None = None
        if self.backend.profile != "none":
            turns = [(t.role, t.text) for t in history][-2 * self.settings.history_turns :]
            prompt = prompts.render(
                "chat",
                self.backend.profile,
                {"message": message, "principles": _principles(cards)},
                history=turns,
            )
            try:
                topic = content_stems(" ".join([message, *(c.search_text() for c in cards)]))
                for sentence in self._passing_sentences(prompt, topic, raw):
                    sentences.append(sentence)
                    yield Token(sentence if len(sentences) == 1 else f" {sentence}")
            except ModelError as failure:
                error = str(failure)
                log.warning(
                    "model_failed",
                    task="chat",
                    backend=self.backend.name,
                    error=type(failure).__name__,
                )
        if sentences:
            text = " ".join(sentences)
            card = _closest_card(text, cards)
            chosen = [
                Suggestion(text=text, principles=[card.id], why=grounding.why(card), source="model")
            ]
        else:
            chosen = [grounding.chat_reply(message, cards)]
            for index, word in enumerate(chosen[0].text.split(" ")):
                yield Token(word if index == 0 else f" {word}")
        attempt = [_chat_candidate("".join(raw), sentences)] if raw else []
        outcome = self._outcome("chat", chosen, hits, attempt, error)
        outcome.answer.reply = chosen[0].text
        yield Done(outcome)

    def _passing_sentences(
        self, prompt: PromptValue, topic: set[str], raw: list[str]
    ) -> Iterator[str]:
        """Model sentences that pass the chat checks, until the first that fails. The first
        must also share a word with the person's message or the retrieved cards: a base model
        often answers something else entirely. ``raw`` collects everything the model said."""
        words = 0
        buffer = ""
        stream = self.backend.stream(prompt, self._params("chat"))
        try:
            for piece in stream:
                raw.append(piece)
                buffer += piece
                *complete, buffer = _SENTENCE_END.split(buffer)
                for sentence in (s.strip() for s in complete):
                    if not sentence:
                        continue
                    off_topic = words == 0 and not content_stems(sentence) & topic
                    words += len(sentence.split())
                    if off_topic or words > CHAT_WORD_CAP or not _verdict("chat", sentence).passed:
                        return
                    yield sentence
            tail = buffer.strip()
            if (
                tail
                and _SENTENCE_FINAL.search(tail)
                and words + len(tail.split()) <= CHAT_WORD_CAP
                and _verdict("chat", tail).passed
            ):
                yield tail
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()

    # -- steps shared by the jobs --------------------------------------------------------------

    def _screen(self, task: Task, texts: list[str | None], prior: Risk = "none") -> Outcome | None:
        verdict = safety.screen_all(texts, locale=self.settings.locale, prior=prior)
        if verdict.risk == "none":
            return None
        log.info("safety_screen_hit", task=task, risk=verdict.risk)
        return Outcome(Answer(task=task, backend=self.backend.name, safety=verdict))

    def _candidates(
        self,
        task: Task,
        variables: Mapping[str, object],
        count: int,
        history: list[tuple[str, str]] | None = None,
        enough: int | None = None,
        taken: list[str] | None = None,
    ) -> tuple[list[Candidate], str | None]:
        """Up to ``count`` checked candidates; with ``stop_early``, no more once ``enough`` of
        them passed and differ from each other and from ``taken`` (what :func:`_choose` would
        pick from the full list is then already there)."""
        if self.backend.profile == "none":
            return [], None
        params = self._params(task)
        candidates: list[Candidate] = []
        kept = list(taken or [])
        needed = len(kept) + enough if enough and self.settings.stop_early else None
        rendered: dict[str, PromptValue] = {}  # by lead: most profiles render one prompt
        for index in range(count):
            if needed is not None and len(kept) >= needed:
                break
            lead = _lead(task, index) if self.backend.profile == "completion" else ""
            if lead not in rendered:
                rendered[lead] = prompts.render(
                    task, self.backend.profile, {**variables, "lead": lead}, history=history
                )
            prompt = rendered[lead]
            seed = None if params.seed is None else params.seed + index
            try:
                raw = self.backend.generate(prompt, replace(params, seed=seed))
            except ModelError as error:
                log.warning(
                    "model_failed", task=task, backend=self.backend.name, error=type(error).__name__
                )
                return candidates, str(error)
            text = tidy(lead + raw, task)
            candidates.append(_judged(task, text, kept if needed is not None else None))
        return candidates, None

    def _params(self, task: Task) -> GenerationParams:
        chat = task == "chat"
        completion = self.backend.profile == "completion"
        return GenerationParams(
            max_tokens=self.settings.chat_max_tokens if chat else self.settings.max_tokens,
            temperature=self.settings.temperature,
            stop=_STOPS[(chat, completion)],
            seed=self.settings.seed,
        )

    def _outcome(
        self,
        task: Task,
        chosen: list[Suggestion],
        hits: list[Hit],
        candidates: list[Candidate],
        error: str | None,
    ) -> Outcome:
        cited = {pid for s in chosen for pid in s.principles}
        refs = [h.card.ref() for h in hits if h.card.id in cited]
        refs += [self.knowledge.by_id[p].ref() for p in sorted(cited - {r.id for r in refs})]
        scope = current_scope()  # did another backend stand in for a failed remote model?
        answer = Answer(
            task=task,
            suggestions=chosen,
            principles=refs,
            backend=(scope and scope.stood_in) or self.backend.name,
            safety=Safety(),
            notice=scope.notice if scope else None,
        )
        return Outcome(answer, candidates, hits, error)


def _lead(task: Task, index: int) -> str:
    leads = COMPLETION_LEADS.get(task, ("",))
    return leads[index % len(leads)]


# A base model rambles past a good first line; a suggestion keeps at most this many sentences.
_SENTENCES_KEPT: dict[str, int] = {"reply": 2, "questions": 1, "ritual": 2}


def tidy(raw: str, task: Task) -> str:
    """Strip a model's wrapping: quotes, labels, a trailing unfinished sentence, the ramble."""
    text = raw.strip().strip('"“”').strip()
    text = re.sub(r"^(validating reply|reply|question|step|coach)\s*:\s*", "", text, flags=re.I)
    if task == "chat":
        return text
    text = text.split("\n")[0].strip().strip('"“”').strip()
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    finished = [s for s in sentences if _SENTENCE_FINAL.search(s)]
    if finished:
        text = " ".join(finished[: _SENTENCES_KEPT[task]])
    return text


def _chat_candidate(raw: str, shown: list[str]) -> Candidate:
    if shown:
        return Candidate(" ".join(shown), True, ())
    return Candidate(raw.strip(), False, ("chat: no sentence was on topic and passed the checks",))


def _judged(task: Task, text: str, kept: list[str] | None) -> Candidate:
    """A candidate's verdict. With ``kept`` (the distinct passing texts so far) the service is
    sampling until it has enough: a repeat of a kept text is never shown, so it is not checked, a
    failed one is not screened, and a passing one joins ``kept``. Without it (the evals) every
    candidate gets every check."""
    if kept is None:
        return _verdict(task, text)
    if not checks.distinct([*kept, text]).passed:
        return Candidate(text, False, ("a repeat of an earlier candidate",))
    candidate = _verdict(task, text, thorough=False)
    if candidate.passed:
        kept.append(text)
    return candidate


def _verdict(task: Task, text: str, thorough: bool = True) -> Candidate:
    """Checks, guard and output screen. Not ``thorough``: a candidate that already failed is not
    screened too (it is never shown; only the evals need every reason)."""
    if not text:
        return Candidate(text, False, ("empty",))
    failed = [f"{r.check}: {r.label}" for r in checks.failures(task, text)]
    failed += guard.failures(text)  # instructions, keys, leaving the role: never shown
    if (thorough or not failed) and not safety.screen_output(text):
        failed.append("safety: unsafe model text")
    return Candidate(text, not failed, tuple(failed))


def _choose(
    candidates: list[Candidate],
    n: int,
    cards: list[Card],
    taken: list[str] | None = None,
    anchors: list[Card] | None = None,
) -> list[Suggestion]:
    """The first ``n`` distinct passing candidates, each citing the card it echoes most.

    A passing candidate has met the checks that define its job, so it also cites the job's
    anchor cards (a reply that passed the feeling check applies validate-and-reflect)."""
    anchors = anchors or []
    others = [card for card in cards if card not in anchors] or cards
    kept: list[str] = list(taken or [])
    chosen: list[Suggestion] = []
    for candidate in candidates:
        if len(chosen) >= n:
            break
        if candidate.passed and checks.distinct([*kept, candidate.text]).passed:
            kept.append(candidate.text)
            card = _closest_card(candidate.text, others)
            chosen.append(
                Suggestion(
                    text=candidate.text,
                    principles=grounding.cited(card, anchors),
                    why=grounding.why(card),
                    source="model",
                )
            )
    return chosen


def _closest_card(text: str, cards: list[Card]) -> Card:
    words = word_set(text)
    return max(cards, key=lambda c: len(words & c.words))


def _principles(cards: list[Card]) -> list[dict[str, object]]:
    return [
        {
            "id": c.id,
            "title": c.title,
            "summary": c.summary,
            "do": c.do,
            "examples": c.examples[:2],
            "sources": c.sources,
        }
        for c in cards
    ]
