"""question: open / closed / none, and :func:`count_questions`.

Open and closed in the motivational-interviewing sense: an open question invites a story,
a closed one asks for yes/no, a choice, or a specific fact."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._text import _prepare, _quote, _sentences, _words
from .result import CheckResult


def _is_question_sentence(sentence: str) -> bool:
    return sentence.rstrip("\"') ]").endswith("?")


def count_questions(text: str) -> int:
    """Number of sentences ending with a question mark."""
    return sum(1 for s in _sentences(_prepare(text)) if _is_question_sentence(s))


# Question words (contractions are cut at the apostrophe: "what'd" -> "what").
_WH = frozenset(
    {"what", "how", "why", "when", "where", "who", "whom", "whose", "which", "whatever"}
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_PREPOSITIONS = _wordset("to in for with from at by on")
_AUX = _wordset(
    """
    do does did is are was were can could will would should have has had may might shall am must
    isn't aren't wasn't weren't don't doesn't didn't can't cannot couldn't won't wouldn't shouldn't
    haven't hasn't hadn't ain't
    """
)
# Words that may precede the real start of a question ("So, okay, um, what ...").
_FILLERS = _wordset(
    """
    so and but or okay ok well um uh uhm er erm hmm mm mhm huh right now then alright all just oh
    ah great good sure also anyway anyways like hey hi hello fine cool wow actually plus cause
    'cause yeah yes yep yup no nope see
    """
)
_FILLER_PHRASES = frozenset(
    {"you know", "i mean", "i see", "let's see", "got it", "i guess", "mm hmm"}
)
# Lead-in clauses before an embedded question ("I'm curious, what...", "Let me ask you, how ...").
_LEAD_IN = re.compile(
    r"^(?:(?:i'm|i am|i was|i'd be|just) (?:curious|wondering|interested)(?: to know)?"
    r"|(?:let me|can i|may i|could i) (?:also )?ask(?: you)?"
    r"(?: (?:a|another|one|this) question| this)?"
    r"|(?:can|could|would) you tell me"
    r"|(?:out of|just out of) curiosity|tell me|my question is|i wonder|the question is"
    r"|(?:thinking|looking) (?:about|back)\b.*|if\b.*|when\b.*|given\b.*|on a scale\b.*"
    r"|in your (?:opinion|view|experience)|for you|honestly|in general|overall|then)$"
)
# Open requests: invite a story, with or without a question mark.
_OPEN_REQUEST = re.compile(
    r"(?:^|, )(?:so |and |now |okay |well )*"
    r"(?:tell me(?:,|$| (?:more|about|a (?:bit|little)|what|how|why|when|where|who|again"
    r"|something|anything|everything|all))"
    r"|(?:describe|explain) (?:for me |to me )?(?:what|how|the|a|your|that|it|this)"
    r"|walk me through|help me understand|say (?:a (?:bit|little) )?more"
    r"|(?:let's )?talk (?:to me )?(?:a (?:little )?bit |a little )?(?:more )?about)"
    r"|\b(?:(?:i'm|i am|i'd be|just|i was)(?: really| just| also| kind of| so)?"
    r" (?:curious|wondering|interested)(?: to (?:know|hear))?"
    r" (?:about|what|how|why|where|who|in what)"
    r"|i (?:wonder|would love to know|'d love to know|'d like to know|would like to know) "
    r"(?:what|how|why|about|more|who)"
    r"|i(?:'m| am| was)? (?:just )?wonder(?:ed|ing)? (?:if|whether)"
    r"|(?:i'd|i would) (?:like|love) to hear (?:more|about|what|how|why)"
    r"|(?:^|, )wondering (?:what|how|why|about|who)"
    r"|in what (?:way|ways|sense))\b"
)
# Aux- or word-started questions that invite talk ("Is there anything else...", "Can you tell me
# about...", "Any thoughts on...").
_OPEN_AUX = re.compile(
    r"^(?:(?:is|are) there (?:anything|any other|something else|other|more)"
    r"|(?:can|could|would|will) you (?:tell|say|share|describe|explain|walk|talk|give)"
    r"(?: to me| with me| me| us)?(?: a (?:little )?bit| a little)?(?: more)?"
    r" (?:about|what|how|why|an? example|some)"
    r"|(?:can|could) you think (?:of|about) (?:anything|any|something|other|what|how|ways)"
    r"|(?:anything|any) (?:else|other|more|thoughts?|ideas?|questions?|concerns?)"
    r"|any not|other (?:thoughts|ideas|things))"
)
_SCALE = re.compile(r"\bscale (?:of|from) (?:\d+|zero|one)\b|\bon a scale\b")
_EITHER_OR = re.compile(r"\w, or \w|\bor (?:is it|are you|do you|did you|was it|would you)\b")
# Wh-questions that are really proposals ("Why don't you...", "How about we ..."). "How about your
# grades?" asks about a topic, like "What about ...?".
_PROPOSAL_WH = re.compile(
    r"^(?:why (?:don't|not)|how about (?:trying|if|we|you|i|us|\w+ing)\b|what about (?:trying|if)"
    r"|what (?:do|would) you think (?:about|of) (?:a|an|trying|coming|doing|going)\b"
    r"|what if you)"
)
# ... unless what they propose is to talk: "Why don't you tell me about it?".
_TALK_TO_ME = re.compile(
    r"\b(?:tell|telling) (?:me|us)\b|\b(?:share|sharing|talk|talking) (?:with|to) (?:me|us)\b"
    r"|\b(?:describe|describing)\b"
)
# Verbs that ask for the listener's view, wish or feelings rather than a fact.
_VIEW = re.compile(
    r"\b(?:think|thinking|thought|reckon|feel|feeling|felt|see|imagine|hope|like|want|wanna"
    r"|wanted|start|begin|notice|noticed|plan|planning|leave|leaves|left)\b"
    # "Where are you with all this?", "Where is your thinking now?": where they stand.
    r"|^where (?:are|is) (?:you|your \w+)(?: at)? (?:with|now|on)\b"
)
# A tag after a statement asks for a yes: "..., right?", "..., isn't it?", "..., is that right?".
_TAG = re.compile(
    r"^(?:right|yeah|yes|correct|true|no|is that (?:right|correct|true|so)"
    r"|(?:is|isn't|are|aren't|do|don't|does|doesn't|did|didn't|was|wasn't|were|weren't|have"
    r"|haven't|has|hasn't|will|won't|would|wouldn't|can|can't|could|couldn't)"
    r" (?:it|you|they|he|she|we|that|there|i))$"
)


@dataclass(frozen=True)
class _Question:
    text: str
    kind: str  # "open" | "closed"
    reason: str


def _head_words(clause: str) -> list[str]:
    """Words of a clause without the fillers in front ("so, um, you know, what" -> "what")."""
    words = _words(clause)
    while words:
        if words[0] in _FILLERS:
            words = words[1:]
            continue
        two = " ".join(words[:2])
        if two in _FILLER_PHRASES:
            words = words[2:]
            continue
        break
    return words


def _base(word: str) -> str:
    return word if word in _AUX else word.split("'")[0]


def _classify_question(sentence: str) -> _Question:
    """Open or closed, for one sentence ending with '?' (or a wh-sentence without one)."""
    body = sentence.rstrip("\"') ]").rstrip("?.,-").strip()
    if re.search(r"(?:^|[ ,])or$", body):
        return _Question(sentence, "open", "trails off with 'or?' -> open")
    if _SCALE.search(body):
        return _Question(sentence, "closed", "asks for a number on a scale -> closed")
    tail_word = _words(body)[-1:] or [""]
    if _base(tail_word[0]) in _WH and len(_words(body)) > 1:
        return _Question(sentence, "open", f"ends with {_quote(tail_word)} -> open")
    clauses = [c for c in (x.strip() for x in re.split(r"[,;:]|\.\.\.", body)) if c]
    if len(clauses) > 1 and _TAG.search(" ".join(_words(clauses[-1]))):
        return _Question(sentence, "closed", "tag question -> closed")
    heads = [_head_words(c) for c in clauses]
    for index, words in enumerate(heads):
        if not words:
            continue
        # "To what extent ...", "For what reason ...": a question word after a preposition.
        if len(words) > 1 and words[0] in _PREPOSITIONS and _base(words[1]) in _WH:
            words = words[1:]
        rest = " ".join(words)
        head = _base(words[0])
        later = [
            h
            for h in heads[index + 1 :]
            if h
            and (
                _base(h[0]) in _WH
                or h[0] in _AUX
                or _OPEN_REQUEST.search(" ".join(h))
                or _OPEN_AUX.search(" ".join(h))
            )
        ]
        if head in _WH:
            # "What about your dad, is he any help?": the topic comes first, the question after.
            if words[1:2] == ["about"] and later:
                continue
            # "When you're out, do you drink?": a time clause, the question comes after.
            if head in ("when", "where") and words[1:] and words[1] not in _AUX and later:
                continue
            # "When do you take it?", "Where do you keep it?": a time or a place, a specific fact.
            # "Where would you like to start?", "When did you start feeling ...": a view or a story.
            if head in ("when", "where") and not _VIEW.search(rest):
                return _Question(sentence, "closed", f"asks {_quote(words[:1])}: a fact -> closed")
            if _PROPOSAL_WH.search(rest) and not _TALK_TO_ME.search(rest):
                return _Question(sentence, "closed", f"proposal {_quote(words[:3])} -> closed")
            last = heads[-1]
            if index < len(heads) - 1 and 0 < len(last) <= 5 and "or" in last[1:]:
                return _Question(sentence, "closed", "either-or choice -> closed")
            return _Question(sentence, "open", f"starts with {_quote(words[:1])} -> open")
        if _OPEN_AUX.search(rest) or _OPEN_REQUEST.search(rest):
            return _Question(sentence, "open", f"invitation {_quote(words[:4])} -> open")
        # "Can I ask you, how ...": a lead-in, the question comes after.
        if later and _LEAD_IN.search(rest):
            continue
        if head in _AUX:
            tail = " ".join(" ".join(h) for h in heads[index:])
            if _EITHER_OR.search(tail):
                return _Question(sentence, "closed", "either-or question -> closed")
            return _Question(sentence, "closed", f"starts with {_quote(words[:2])} -> closed")
        if _LEAD_IN.search(rest) or len(words) <= 1:
            continue
        # A declarative clause: the question may still come later ("You said X, what ...?").
        if later:
            continue
        return _Question(sentence, "closed", "statement with a question mark -> closed")
    return _Question(sentence, "closed", "no question word -> closed")


_WH_SENTENCE = re.compile(
    r"^(?:what|how|why|where|who|which|when)(?:'\w+)? (?:do|does|did|is|are|was|were|can|could"
    r"|would|will|should|have|has|might|made|makes|kind|sort|else|about|things?)\b"
)

# A question word, then auxiliary before subject: question syntax even without its "?" ("So how
# much time have you been ...", "..., what have you been thinking about"). A subject before the
# auxiliary is a statement: "What I notice is that you care."
_WH_INVERTED = re.compile(
    r"^(?:what|how|why|where|who|which|when)(?: (?!(?:i|you|we|they|he|she|it)\b)[\w']+){0,3}"
    r" (?:do|does|did|is|are|was|were|can"
    r"|could|would|will|should|have|has|had) (?:you|i|we|they|he|she|it|your|this|that)\b"
)

# Check-ins that follow a real question ("What do you think? Okay?") do not decide its type.
_CHECK_IN = re.compile(
    r"^(?:(?:okay|ok|yeah|yes|right|no|huh|eh|you know|you know what|hmm|mm|see|alright|"
    r"is that okay|does that make sense|is that all right|all right|sound good|make sense)"
    r"[?,. ]*)+$"
)


def _questions(prepared: str) -> list[_Question]:
    found: list[_Question] = []
    for sentence in _sentences(prepared):
        if _is_question_sentence(sentence):
            if found and _CHECK_IN.search(sentence):
                continue
            found.append(_classify_question(sentence))
            continue
        head = _head_words(sentence)
        if _OPEN_REQUEST.search(sentence):
            found.append(_Question(sentence, "open", "open request -> open"))
        elif _WH_SENTENCE.search(" ".join(head)) or any(
            _WH_INVERTED.search(" ".join(_head_words(c))) for c in re.split(r"[,;:]", sentence)
        ):
            found.append(_classify_question(sentence))
        elif head and head[0] in _AUX and head[-1] == "or":
            # A question cut off after "or", without its "?" ("Do you ... or-").
            found.append(_classify_question(sentence))
    return found


def question(text: str) -> CheckResult:
    """Is ``text`` an open question, a closed question, or no question at all.

    Every sentence ending with "?" is classified (after lead-ins such as "So," or "I'm curious,");
    an open request without a question mark ("Tell me more about...") counts as an open question.
    When there are several, the last one decides: it is the one the listener answers.
    """
    found = _questions(_prepare(text))
    if not found:
        return CheckResult("question", "none", True, ("no question",))
    decisive = found[-1]
    reasons = tuple(q.reason for q in found)
    if len(found) > 1:
        reasons += (f"last question decides -> {decisive.kind}",)
    return CheckResult("question", decisive.kind, decisive.kind != "closed", reasons)
