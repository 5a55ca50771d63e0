"""Deterministic checks on one suggestion: fast, explainable, no model.

Each check returns a :class:`CheckResult` with a label, whether that label is acceptable for a
suggestion, and human-readable reasons naming the rule that fired. The rules are hand-written and
were tuned only on the ``dev`` split of the human-labelled corpora in ``../shared/data/`` (see
:mod:`coach.calibration`, which measures them on ``dev`` and ``test``).

The checks:

- :func:`question` - open / closed / no question (motivational-interviewing sense: an open question
  invites a story, a closed one asks for yes/no, a choice, or a specific fact).
- :func:`fixing` - does the text give advice or a solution instead of listening.
- :func:`feeling` - does the text acknowledge or reflect a feeling.
- :func:`blame` - "you always", "you never", "it's your fault", name-calling.
- :func:`pressure` - "we need to talk", "you have to tell me", ultimatums.
- :func:`ritual` - is a ritual step concrete: an action, a moment of the day, a duration.
- :func:`length` and :func:`distinct` - size and near-duplicates.

:func:`check_suggestion` applies the checks that matter for one of the four jobs
(``reply``, ``questions``, ``ritual``, ``chat``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

__all__ = [
    "MAX_WORDS",
    "TASKS",
    "CheckResult",
    "blame",
    "check_suggestion",
    "count_questions",
    "distinct",
    "failures",
    "feeling",
    "fixing",
    "length",
    "passes",
    "pressure",
    "question",
    "ritual",
    "word_count",
]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one text."""

    check: str
    label: str
    passed: bool
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "check": self.check,
            "label": self.label,
            "passed": self.passed,
            "reasons": list(self.reasons),
        }


# --------------------------------------------------------------------------------------------
# Text preparation shared by the checks
# --------------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_BRACKETED = re.compile(r"\[[^\]]*\]")
# "I-I", "what-what", "So-so": a word stuttered with a hyphen becomes the word once.
_STUTTER = re.compile(r"\b(\w{1,4})-(?=\1)", re.IGNORECASE)
_FALSE_START = re.compile(r"\b(\w+(?:'\w+)?(?: \w+(?:'\w+)?){0,3})(?:-+|\u2014|\u2013)\s*\1\b")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")


def _prepare(text: str) -> str:
    """Lower-case, straight apostrophes, no transcript artefacts, dashes as clause breaks."""
    text = text.translate(_APOSTROPHES).lower()
    text = _BRACKETED.sub(" ", text)
    text = _STUTTER.sub("", text)
    # False starts: "can you- can you tell me" -> "can you tell me".
    text = _FALSE_START.sub(r"\1", text)
    text = re.sub(r"\s*(?:--+|\u2014|\u2013| - )\s*|(?<=\w)- ", ", ", text)
    return re.sub(r"\s+", " ", text).strip()


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    """Number of words: runs of letters/digits (with inner apostrophes or hyphens) in ``text``."""
    return len(re.findall(r"\w+(?:['\u2019-]\w+)*", text))


def _sentences(prepared: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(prepared)]
    return [p for p in parts if p]


def _is_question_sentence(sentence: str) -> bool:
    return sentence.rstrip("\"') ]").endswith("?")


def count_questions(text: str) -> int:
    """Number of sentences ending with a question mark."""
    return sum(1 for s in _sentences(_prepare(text)) if _is_question_sentence(s))


def _quote(words: Iterable[str]) -> str:
    return "'" + " ".join(words) + "'"


_QUOTED = re.compile(r'"[^"\n]{1,300}"')


def _unquoted(prepared: str) -> str:
    """Without double-quoted speech: 'He said "you never listen"' reports, it does not blame."""
    return _QUOTED.sub(" ", prepared)


# --------------------------------------------------------------------------------------------
# question: open / closed / none
# --------------------------------------------------------------------------------------------

# Question words (contractions are cut at the apostrophe: "what'd" -> "what").
_WH = frozenset(
    {"what", "how", "why", "when", "where", "who", "whom", "whose", "which", "whatever"}
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


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
    r"|(?:let me|can i|may i|could i) ask(?: you)?(?: (?:a|another|one|this) question| this)?"
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
    r"|what if you)"
)
# ... unless what they propose is to talk: "Why don't you tell me about it?".
_TALK_TO_ME = re.compile(
    r"\b(?:tell|telling) (?:me|us)\b|\b(?:share|sharing|talk|talking) (?:with|to) (?:me|us)\b"
    r"|\b(?:describe|describing)\b"
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
        rest = " ".join(words)
        head = _base(words[0])
        later = [h for h in heads[index + 1 :] if h and (_base(h[0]) in _WH or h[0] in _AUX)]
        if head in _WH:
            # "What about your dad, is he any help?": the topic comes first, the question after.
            if words[1:2] == ["about"] and later:
                continue
            # "When you're out, do you drink?": a time clause, the question comes after.
            if head in ("when", "where") and words[1:] and words[1] not in _AUX and later:
                continue
            if _PROPOSAL_WH.search(rest) and not _TALK_TO_ME.search(rest):
                return _Question(sentence, "closed", f"proposal {_quote(words[:3])} -> closed")
            last = heads[-1]
            if index < len(heads) - 1 and 0 < len(last) <= 5 and "or" in last[1:]:
                return _Question(sentence, "closed", "either-or choice -> closed")
            return _Question(sentence, "open", f"starts with {_quote(words[:1])} -> open")
        if _OPEN_AUX.search(rest) or _OPEN_REQUEST.search(rest):
            return _Question(sentence, "open", f"invitation {_quote(words[:4])} -> open")
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
    r"|would|will|should|have|has|might|made|makes|kind|sort|else|about|you|things?)\b"
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
        elif _WH_SENTENCE.search(" ".join(head)):
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


# --------------------------------------------------------------------------------------------
# fixing: advice / solutions instead of listening
# --------------------------------------------------------------------------------------------

# Verbs of doing something about a problem ("you could *call*", "have you *tried*").
_ACT = (
    r"(?:try|tried|trying|consider|considered|look|looked|start|started|talk|talked|reach|reached|"
    r"ask|asked|go|went|gone|find|use|call|called|get|make|take|join|joined|write|check|checked|"
    r"see|seen|focus|set|plan|put|speak|spoken|apply|applied|contact|contacted|keep|search|"
    r"searched|tell|told|visit|visited|sign|signed|give|move|quit|stop|leave|exercise|meditate|"
    r"journal|volunteer|schedule|book|research|google|explore|sit|sat|learn|read|pray|work on|"
    r"let|buy|hire|change|switch|reduce|limit|avoid|cut|rest|sleep|walk|travel|invest|save|"
    r"budget|confront|approach|discuss|mention|send|text|email|write|block|delete|forgive|date|"
    r"practice|practise|pick|do|spend|invite|distract|treat|reward|celebrate|remind|allow|"
    r"open up|seek|seek out|attend|enroll|register|download|install|watch|listen)"
)
# Gerund subjects of advice ("*finding* a hobby would be good").
_ING = r"(?:\w+ing)"

# (reason, weight, pattern). Patterns run on prepared (lower-case) text.
_FIX_RULES: tuple[tuple[str, int, str], ...] = (
    (
        "'you should' -> advice",
        3,
        r"(?<!think )(?<!think that )(?<!know )(?<!know if )(?<!know whether )"
        r"\byou (?:really |just |definitely |probably |maybe |also |all |both )?"
        r"(?:should|ought to|must(?! (?:be|have been|feel|have felt)\b))(?! have\b)",
    ),
    (
        "'you need to / have to' -> advice",
        2,
        r"(?<!sorry )(?<!sorry that )\byou (?:really |just |definitely |also |all |both )?"
        r"(?:need|have|got) to\b",
    ),
    (
        "suggests or recommends",
        3,
        r"\b(?:suggest|suggestion|recommend|recommendation|advise|advice|tips?)\b",
    ),
    (
        "'have you tried' -> advice",
        3,
        rf"\b(?:have|had) you (?:ever |already |thought of |considered |looked into )?"
        rf"(?:thought (?:about|of)|{_ACT})\b",
    ),
    (
        "'why don't you / how about' -> advice",
        3,
        r"\b(?:why don't you|why not (?!\?)\w+|how about|what about (?:\w+ing|a|an|some|trying)"
        r"|what if you|would you consider|would it help|would you be (?:able|willing|open)"
        r"|are you able to|is there (?:any )?(?:way|chance|possibility|option)"
        r"|(?:can|could) you (?:possibly |maybe |not )?"
        rf"(?!tell me|give me|talk (?:to|with) me|share with me|explain|describe){_ACT}"
        r"|do you (?:want|wish|plan|intend) to (?:try|give|get|go(?! into| over| through)|start"
        r"|look|find|make|take|call|see|join|reach|ask|apply|contact))\b",
    ),
    (
        "'maybe you could' -> advice",
        3,
        r"\b(?:maybe|perhaps|possibly|hopefully) (?:(?:you|they|he|she|we) "
        r"(?:can|could|should|might|may|will|would)|you|it (?:would|might|could|will)|try"
        rf"|consider|{_ACT}|{_ING})\b",
    ),
    (
        "'you could try' -> advice",
        3,
        r"\byou (?:can|could|might|may) (?:also |always |maybe |just |even |still |then |now |"
        r"definitely |probably |each |both |all )?(?:want to |wish to |need to )?"
        rf"(?!do (?:it|this|that|anything)\b|see (?:why|how|that|it)\b|tell (?:me|that)\b|"
        rf"make it\b|get through\b|go (?:on|through)\b|talk to me\b){_ACT}\b",
    ),
    (
        "'you could' -> advice",
        1,
        r"\byou (?:could|might|may) (?!not\b|be\b|feel\b|have\b|think\b|find yourself\b|know\b)"
        r"\w+",
    ),
    (
        "'it might help' -> advice",
        3,
        r"\b(?:it|this|that|which|they|these|those|doing|that) (?:might|may|could|would|will|can|"
        r"should) (?:really |also |definitely |probably |certainly |honestly )?(?:help|be (?:a )?"
        r"(?:good|helpful|a good idea|worth|beneficial|wise|nice|best|great|useful|smart|healthy|"
        r"better|fun|a (?:good|great)))",
    ),
    (
        "'a good idea' -> advice",
        2,
        r"\b(?:(?:it's|it is|it'd be|it would be|would be|could be|might be|may be|can be) "
        r"(?:a |an )?(?:really |very |also )?(?:good|great|smart|nice|wise|healthy|helpful|useful) "
        r"(?:idea|option|start|place to start|way|thing|step|habit|outlet|resource|distraction)"
        r"|(?:a|an) (?:really |very )?(?:good|great|smart|wise|healthy|helpful|useful) (?:idea|way|"
        r"place|thing|step|start|habit|outlet) (?:to|would|might|could|is to))\b",
    ),
    (
        "'it's important to' -> advice",
        2,
        r"\b(?:it's|it is|it'd be|it would be|it can be|it may be|it might be|it will be|is) "
        r"(?:always |also |really |very |definitely |so |probably )?(?:important|best|better|good|"
        r"helpful|wise|worth|beneficial|essential|key|crucial|vital|useful|healthy|smart|okay) "
        r"(?:to|if you|for you to)\b",
    ),
    (
        "'worth trying' -> advice",
        2,
        r"\b(?:worth (?:a |it to )?(?:\w+ing|try|shot|look|considering)|the (?:key|trick|best "
        r"(?:thing|way|option)|only thing (?:that )?you can do|first step) is\b)",
    ),
    (
        "gerund as advice",
        2,
        rf"(?:^|[.!?,] |\bthink |\bi think |\bmaybe |\bperhaps |\bthat )(?!being\b|feeling\b|"
        rf"having\b|going through\b|saying\b|hearing\b|doing that\b|nothing\b|something\b|"
        rf"everything\b|thing\b|anything\b|morning\b|evening\b|during\b){_ING} (?:\w+ ){{0,6}}"
        rf"(?:would|will|could|can|might|may|is|helps|help) (?:really |also |definitely )?"
        rf"(?:help|be (?:a )?(?:good|great|helpful|beneficial|useful|nice|fun|smart)|"
        rf"(?:a |an )?(?:good|great|smart|healthy) (?:idea|way|option|start|habit))",
    ),
    (
        "'try' -> advice",
        3,
        r"(?:^|[.!?,] |\band |\bjust |\bcan |\bshould |\bcould |\bi'd |\bwould |\bplease )"
        r"try(?:ing)? (?:to|and|out|it|this|that|some|a|an|not|doing|your|new|\w+ing)\b",
    ),
    (
        "imperative advice",
        2,
        r"(?:^|[.!?:] |\band |\bjust |\bplease |\balso |\bthen |\bso |\bdefinitely |, (?:and )?"
        r"(?:just |then |maybe )?)"
        r"(?:take|consider|go (?:to|for|out|and|ahead|back|see)|talk to|make sure|make time|"
        r"keep (?:busy|your|yourself|in mind|trying|going|on|doing|an eye|working|it)|find|"
        r"don't (?:worry|give up|let|be|stress|think|forget|feel|blame|overthink|dwell|lose|"
        r"rush|hesitate|push|compare|beat|isolate|stop|allow)|stop|get (?:out|some|a|an|in|"
        r"yourself|help|rest|back|together|involved|away|enough)|call|look (?:for|into|up|at|"
        r"online)|write|focus|remember|think (?:about|of) (?:what|how|the|your|all|ways|doing)|"
        r"give (?:yourself|it|him|her|them|some)|reach out|ask (?:him|her|them|your|for|if|"
        r"about|a|someone)|start|avoid|set (?:a|some|up|aside|goals|boundaries|yourself)|plan|"
        r"exercise|meditate|breathe|join|check (?:out|in|with|if|online)|search|contact|spend|"
        r"be sure|let (?:go|yourself|him|her|them)|believe in|stay (?:positive|strong|safe|calm|"
        r"focused|busy|away|in|connected|active|home|hopeful)|never give up|always (?:remember|"
        r"try|keep|be|have|look)|do not|relax|treat yourself|allow yourself|put (?:yourself|your|"
        r"some)|speak (?:to|with)|apply|listen to|tell (?:him|her|them|your)|celebrate|reward "
        r"yourself|create|head (?:to|out)|enjoy|hang in there|be (?:patient|kind|gentle|honest|"
        r"open|strong|positive|proud|brave|careful)|practice|pray|read|research|visit|download|"
        r"sign up|see (?:a|if|what|how|your)|seek|distract yourself|cut|limit|reduce|write down|"
        r"make (?:a|some|sure|time|him|her|them|it|yourself)|use|consult|hire|buy|volunteer|"
        r"take (?:a|some|time|care(?! *[!.]|$)|it|one|small|the)|learn|explore|schedule|google|"
        r"arrange|"
        r"be busy|do (?:something|some|it|what|a|an|things|more|less)|note|bring|share|"
        r"hang out|eat|drink|cook|dance|play|watch|walk|run|wait|express|open up|trust|"
        r"organi[sz]e|prepare|prioriti[sz]e|forget|accept|ignore|move on|show|teach|email|"
        r"text|send|invite|lean on|surround yourself|think positive|look after|work on|"
        r"go easy|cut back|switch|change|clear|unplug|turn off|block|delete|confront|"
        r"communicate|sit down|sleep|rest|breathe|talk (?:with|about|it)|ask)\b",
    ),
    (
        "points to help elsewhere",
        1,
        r"\b(?:reach(?:ing)? out to|check(?:ing)? out|look(?:ing)? into|sign(?:ing)? up|"
        r"therap(?:y|ist|ists)|counsel(?:ing|ling|or|lor|ors|lors)|support groups?|hotlines?|"
        r"websites?|apps?|online (?:classes|courses|groups|resources|dating)|professional help|"
        r"a doctor|your doctor|psychologist|psychiatrist|linkedin|indeed|google|youtube|"
        r"meditation|yoga|journal(?:ing)?|exercise|volunteer(?:ing)?|hobby|hobbies|\.com|\.org|"
        r"https?://)\b",
    ),
    (
        "shares what worked",
        1,
        r"\b(?:what (?:helped|helps|worked for|works for) me|what i (?:do|did|like to do)|"
        r"one thing (?:that )?i|something (?:that )?i (?:do|did|found|tried)|i (?:usually|always|"
        r"personally|also) (?:\w+ )?(?:do|try|go|find|take|make|listen|use|write|watch|drink|"
        r"spend|have)|i (?:found|find) (?:that )?(?:it |that )?(?:\w+ing )?(?:\w+ )?(?:help|useful|"
        r"is helpful|helpful)|personally,? i|for example|for instance|such as|like maybe|"
        r"(?:it|this|that) (?:helped|helps|worked for) me)",
    ),
    (
        "'can help' -> advice",
        1,
        r"\b(?:can|could|will|should|would|might|may) (?:really |also |definitely |probably )?"
        r"help (?:you|with|a lot|too|to|ease|relieve|reduce|calm|clear|lift|improve|distract|"
        r"boost|get|take|keep|make|\w+ your)\b(?<!help you\b)|\bhelps? (?:a lot|too|to)\b",
    ),
    (
        "points to resources",
        1,
        r"\bthere (?:are|is|'s) (?:lots of |many |a lot of |some |plenty of |also |always |"
        r"a few |several |free |a |an )?(?:\w+ )?(?:resources|groups?|programs?|options|ways|"
        r"places|sites|services|organizations|clinics|jobs|openings|apps|websites|classes|"
        r"courses|opportunities|things you can)\b",
    ),
    (
        "'if you' + action -> advice",
        1,
        rf"\bif you (?:can |could |were to |want to |ever |just |do )?(?:{_ACT})\b"
        r"(?! (?:to|through)\b)",
    ),
    (
        "'I would' -> advice",
        3,
        r"\b(?:i would|i'd|i will|i'll|if i were you|in your (?:shoes|position|place)) "
        r"(?:definitely |probably |also |just |not |never )?(?:say|go|try|look|start|talk|get|"
        r"make|take|find|recommend|suggest|advise|encourage|consider|think about|call|speak|"
        r"reach|ask|check|focus|keep|see)\b",
    ),
    ("encourages", 1, r"\b(?:i (?:would )?encourage you|you deserve to|you owe it to yourself)\b"),
    (
        "'have you done' -> advice",
        2,
        r"\bhave you (?:ever |already |yet |had (?:the|a) chance to |had someone )?"
        r"(?!been\b|felt\b|heard\b|noticed\b|experienced\b|always\b|never\b|ever\b|lost\b|"
        r"suffered\b|missed\b|dealt\b|struggled\b|worried\b|seen\b|told me\b|said\b|"
        r"mentioned\b|shared\b|got\b|gotten\b)\w+(?:ed|en|ne|ught|ook|ent|ade)\b",
    ),
    (
        "'did you try' -> advice",
        1,
        r"\bdid you (?:ever |already )?(?:try|consider|think about|ask|talk|speak|reach|look|"
        r"check|have a (?:\w+ )?(?:chat|talk|conversation|sit down))\b",
    ),
    (
        "'do you have someone to' -> advice",
        1,
        r"\bdo you have (?:any |a |an |some )?(?:\w+ )?(?:someone|anyone|friends?|family|people|"
        r"person|support|relatives?|counsel\w*|therapist|doctor|accounts?|plan|budget|savings?|"
        r"hobbies|hobby|options?|place|time|room|way)\b(?: \w+)? (?:to|that|who|which|you can|"
        r"could|can|nearby|account)",
    ),
    (
        "'is it possible to' -> advice",
        2,
        r"\b(?:is it possible|would it be possible|is it an option|could you|can you|"
        r"are you able|would you be able|might you be able) (?:for you |for them )?to\b",
    ),
    ("'let's' -> advice", 2, r"\blet's (?!see\b|talk\b|chat\b)\w+"),
    ("'X is the key' -> advice", 2, r"\bis (?:the |a )?key\b|\bis the (?:best|answer)\b"),
    (
        "'you can' + action -> advice",
        1,
        r"\byou can (?!do (?:it|this)\b|make it\b|get through\b|handle\b|be\b|feel\b|"
        r"talk to me\b|tell me\b|count on\b|always\b|not\b|never\b|only\b|see\b|"
        r"imagine\b|understand\b|say\b|cry\b)\w+",
    ),
    (
        "'X can help' -> advice",
        1,
        r"\b(?:can|could|might|may|will|would|should) (?:really |also |definitely |probably |"
        r"be able to )?help(?: (?:people|you|a lot|some|too|out))?(?:[.!,]|$)",
    ),
    (
        "'it would be easier if' -> advice",
        1,
        r"\b(?:be|is) (?:much |a lot |so much )?(?:easier|better|good|best) (?:if|once|when) you\b",
    ),
    ("'I hope you can' -> advice", 1, r"\bi hope (?:that )?you (?:can|will|could) (?!feel\b)\w+"),
    (
        "'try' -> advice",
        3,
        r"(?<!\bi )(?<!\byou )(?<!\bwe )(?<!\bthey )(?<!\bhe )(?<!\bshe )(?<!\bare )"
        r"(?<!\bam )(?<!\bis )(?<!\bwas )(?<!\bwere )(?<!\bbeen )(?<!'ve )(?<!'re )(?<!'m )"
        r"(?<!\bto )\btry(?:ing)? (?:to|and|out|it|this|that|some|a|an|not|doing|your|new|"
        r"\w+ing)\b",
    ),
    (
        "asks about openness to a step",
        2,
        r"\b(?:are|would) you (?:be )?(?:open|willing|ready) to\b|\bcan you think of "
        r"(?:ways?|anything|something|any|someone|anyone)\b",
    ),
    (
        "asks about a helper",
        1,
        r"\bis there (?:a|an|any|anyone|someone|somebody|anybody) (?:\w+ ){0,3}(?:that|who|you) "
        r"(?:can|could|might|would)\b|\bdo you think you (?:could|can|might) \w+",
    ),
    (
        "'X will make you feel better' -> advice",
        2,
        r"\b(?:make|help|get|keep) you (?:feel |be )?(?:better|good|great|calmer|relaxed|"
        r"happier|optimistic|ready|healthier)\b|\bgo a long way\b|\byou (?:would|will|'ll|'d) "
        r"(?:feel|be) (?:better|good|great|relaxed)\b",
    ),
    (
        "'great option' -> advice",
        2,
        r"\b(?:good|great|nice|perfect|amazing|excellent|wonderful|safe and effective) (?:option|"
        r"stress reliever|outlet|combination|remedy|distraction|resource|solution|strategy|"
        r"alternative|way to (?:\w+ )?(?:relax|unwind|cope|start|deal|meet|get|make|stay))\b",
    ),
    (
        "'some people find' -> advice",
        1,
        r"\b(?:some|many|most|other) people (?:find|use|try|like to|share|choose|get|go|do)\b|"
        r"\bstudies (?:have )?show",
    ),
    (
        "imperative advice",
        2,
        r"(?:^|[.!?:] |\band |\bor |\bbut |\byea |\byeah |\bjust |\bplease |\balso )"
        r"(?:always|never|definitely|just) (?:try|talk|keep|ask|make|take|be|look|get|go|"
        r"remember|think|give|find|check|trust|stay|reach|speak|tell|put)\b|"
        r"(?:^|[.!?:] |\bor |\bbut |\bso |\bthen )(?:just |please |definitely |also )?"
        r"(?:keep \w+ing|don't (?!know\b|think i\b|understand\b|have\b|need\b|want\b|like\b|"
        r"mean\b|see\b|get me\b|blame yourself\b)\w+)\b",
    ),
)
# Listening moves and negated advice pull the other way.
_LISTEN_RULES: tuple[tuple[str, int, str], ...] = (
    (
        "reflects ('sounds like')",
        2,
        r"\b(?:it |that |this )?sounds? (?:like|as if|as though|really|so|very|pretty|quite|awful|"
        r"hard|tough|difficult|scary|painful|frustrating|exhausting|stressful|overwhelming)\b",
    ),
    (
        "reflects ('it seems')",
        2,
        r"\b(?:it |that )?(?:seems|seem) (?:like|as if|as though|that|to me|you)\b",
    ),
    (
        "reflects ('you feel')",
        2,
        r"\byou(?:'re| are)? (?:feel|feeling|felt)\b|\byou(?:'re| are) (?:\w+ )?(?:upset|sad|"
        r"angry|worried|anxious|stressed|frustrated|hurt|scared|afraid|lonely|overwhelmed|"
        r"depressed|concerned|nervous|disappointed|confused|tired|exhausted|heartbroken|devastated|"
        r"annoyed|unhappy|down|struggling|dealing|going through|having (?:a|trouble))\b",
    ),
    (
        "reflects ('must be')",
        2,
        r"\b(?:must|would|can) (?:be|feel|have been|have felt) (?:so |really |very |quite |pretty |"
        r"a bit |a little )?(?:hard|difficult|tough|painful|frustrat|lonely|scary|stressful|"
        r"upsetting|overwhelming|exhausting|awful|terrible|rough|heartbreaking|confusing|"
        r"devastating|hurtful|challenging|a lot)|\byou must (?:be|feel|have)\b",
    ),
    (
        "acknowledges ('I can tell')",
        1,
        r"\bi (?:can )?(?:tell|see|imagine|sense|hear|understand|get) (?:that |how |why |you|it|"
        r"this|what|the)|\bi can only imagine|\bi understand\b|\bi hear you\b",
    ),
    (
        "checks understanding",
        2,
        r"\b(?:is that (?:right|correct|accurate|true|what)|am i right|correct me|if i understand|"
        r"do i have that right|you mean|you're saying|you are saying|what i'm hearing|"
        r"in other words|if i'm hearing)\b",
    ),
    (
        "restates ('so you')",
        2,
        r"(?:^|[.!?,] )(?:ok |okay |oh |i see |yeah |right )?so (?:you|your|it's|basically|it "
        r"sounds|it seems|what)\b",
    ),
    (
        "'understandable' / 'makes sense'",
        1,
        r"\b(?:understandable|makes (?:total |complete )?sense|no wonder|of course you|"
        r"it's (?:normal|natural|okay|ok) to (?:feel|be))\b",
    ),
    (
        "negated advice",
        3,
        r"\b(?:i'm not|i am not|not) (?:saying|telling|suggesting) (?:you|that you)|"
        r"\bno need to\b",
    ),
)

_FIX_COMPILED = tuple((r, w, re.compile(p)) for r, w, p in _FIX_RULES)
_LISTEN_COMPILED = tuple((r, w, re.compile(p)) for r, w, p in _LISTEN_RULES)
# Negation just before an advice phrase ("I'm not saying you should") cancels that phrase.
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bno) (?:\w+ ){0,3}$")
# "I also take ...", "we just go ...": a subject makes it a report, not an imperative.
_SUBJECT_BEFORE = re.compile(
    r"\b(?:i|we|they|he|she|you|people|it|that|who) "
    r"(?:also |just |then |and |so |definitely |always |never |please )+\w*$"
)
_NEGATED_ADVICE = re.compile(
    r"\b(?:i'm not|i am not|not|i'm never|never) (?:saying|telling|suggesting|asking)"
    r"|\b(?:you )?don't (?:have|need) to\b|\bno need to\b"
)


def _scored(
    prepared: str, rules: Sequence[tuple[str, int, re.Pattern[str]]], *, negatable: bool
) -> tuple[int, list[str]]:
    score = 0
    reasons: list[str] = []
    for reason, weight, pattern in rules:
        for match in pattern.finditer(prepared):
            before = prepared[max(0, match.start() - 40) : match.start()]
            if negatable and (_NEGATED_BEFORE.search(before) or _NEGATED_ADVICE.search(before)):
                continue
            if reason.startswith("imperative") and _SUBJECT_BEFORE.search(
                before + match.group(0)[:12]
            ):
                continue
            score += weight
            reasons.append(f"{reason}: {_quote([match.group(0).strip(' ,.!?')])}")
            break
    return score, reasons


# Listening outweighs advice only up to this much: direct advice (weight 3) is always fixing.
LISTEN_CAP = 3


def fixing(text: str) -> CheckResult:
    """Does ``text`` give advice or a solution ("you should", "have you tried", "maybe try").

    Advice phrases add to a score: 3 for direct advice ("you should", "have you tried", "try",
    "I suggest"), 2 or 1 for hints ("you can call", "it's a good idea", "a therapist"). Listening
    moves ("it sounds like", "is that right?") add to another. Fixing if there is any advice and
    its score is at least the listening score, capped at 3: a reflection can outweigh a hint, never
    direct advice.
    """
    prepared = _unquoted(_prepare(text))
    fix, fix_reasons = _scored(prepared, _FIX_COMPILED, negatable=True)
    listen, listen_reasons = _scored(prepared, _LISTEN_COMPILED, negatable=False)
    is_fixing = fix >= 1 and fix >= min(listen, LISTEN_CAP)
    label = "fixing" if is_fixing else "not_fixing"
    reasons = tuple(fix_reasons + listen_reasons) or ("no advice found",)
    if fix and not is_fixing:
        reasons += ("listening outweighs the hint of advice",)
    return CheckResult("fixing", label, not is_fixing, reasons)


# --------------------------------------------------------------------------------------------
# feeling: does the text acknowledge / reflect a feeling
# --------------------------------------------------------------------------------------------

_FEELING_WORDS = (
    "sad|sadness|upset|angry|anger|mad|furious|hurt|hurting|hurts|hurtful|lonely|alone|"
    "scared|afraid|fear|frightened|terrified|anxious|anxiety|worried|worry|worries|nervous|"
    "stressed|stress|stressful|overwhelmed|overwhelming|exhausted|exhausting|tired|drained|"
    "frustrated|frustrating|frustration|disappointed|disappointing|disappointment|ashamed|shame|"
    "embarrassed|guilty|guilt|jealous|insecure|rejected|ignored|unseen|unheard|invisible|"
    "heartbroken|devastated|crushed|helpless|hopeless|lost|confused|annoyed|irritated|resentful|"
    "betrayed|abandoned|neglected|unappreciated|unloved|unwanted|misunderstood|grief|grieving|"
    "pain|painful|heavy|hard|tough|difficult|rough|awful|terrible|draining|scary|upsetting|"
    "happy|glad|relieved|excited|proud|grateful|hopeful|joy|loved|safe|calm|content|"
    "down|low|on edge|a lot|too much|unfair|lonely|discouraged|defeated|torn|stuck|numb|"
    "burned out|burnt out|worn out|fed up|left out|let down|taken for granted"
)
_ADVERBS = (
    r"(?:so |really |very |pretty |quite |incredibly |such a |a bit |a little |kind of |"
    r"sort of |still |also |a |totally |completely |deeply |understandably |just )*"
)
_FEELING_RULES: tuple[tuple[str, str], ...] = (
    (
        "names their feeling",
        r"\byou(?:'re| are|'ve been| have been| were| feel| felt| seem| seemed| sound| sounded|"
        r" must be| must feel| might feel| may feel| probably feel| must have been|'re feeling|"
        rf" are feeling| were feeling| get| got) {_ADVERBS}(?:{_FEELING_WORDS})\b",
    ),
    ("'how X you are'", rf"\bhow {_ADVERBS}(?:{_FEELING_WORDS}) (?:you|that|this|it)\b"),
    (
        "'sounds' + feeling",
        r"\b(?:sounds?|seems?|looks?) (?:like )?(?:it (?:was|is|'s) )?"
        rf"{_ADVERBS}(?:{_FEELING_WORDS})\b",
    ),
    (
        "'must be' + feeling",
        r"\b(?:must|would|can|could|might) (?:be|feel|have been|have felt|get|have) "
        rf"{_ADVERBS}(?:{_FEELING_WORDS})\b",
    ),
    (
        "'that's' + feeling",
        r"\b(?:that|it|this|what a)(?:'s| is| was| sounds| seems| feels| must feel| must be)? "
        rf"{_ADVERBS}(?:{_FEELING_WORDS})\b",
    ),
    ("reflects ('sounds like')", r"\b(?:it |that |this )?sounds? like (?:you|it|that|this)\b"),
    (
        "acknowledges",
        r"\b(?:i (?:can |totally |really |just |completely |do )?(?:hear|see|tell|imagine|"
        r"understand|get) (?:you|that|how|why|it|what|the)|i can only imagine|(?:that|it) makes "
        r"(?:so much |total |complete |a lot of )?sense|no wonder|of course you|"
        r"it's (?:okay|ok|normal|natural|understandable|human) to|understandable|"
        r"i'm (?:so |really |very )?sorry|i hear you|(?:anyone|i) would (?:feel|be)|"
        r"your feelings|how you feel|you feel)\b",
    ),
)
_FEELING_COMPILED = tuple((r, re.compile(p)) for r, p in _FEELING_RULES)


def feeling(text: str) -> CheckResult:
    """Does ``text`` acknowledge or reflect a feeling ("That sounds exhausting", "I hear you")."""
    prepared = _prepare(text)
    reasons = []
    for reason, pattern in _FEELING_COMPILED:
        match = pattern.search(prepared)
        if match:
            reasons.append(f"{reason}: {_quote([match.group(0)])}")
    if reasons:
        return CheckResult("feeling", "reflects", True, tuple(reasons))
    return CheckResult(
        "feeling", "no_reflection", False, ("names no feeling and acknowledges nothing",)
    )


# --------------------------------------------------------------------------------------------
# blame and pressure
# --------------------------------------------------------------------------------------------


_INSULT_ADJ = (
    "stupid|dumb|pathetic|selfish|lazy|useless|worthless|crazy|insane|psycho|ridiculous|"
    "childish|immature|dramatic|overdramatic|hysterical|needy|clingy|heartless|impossible|"
    "unbearable|hopeless|an idiot|idiotic|a liar|a loser|a jerk|a moron|a coward|a narcissist|"
    "toxic|a mess|a joke|a child|a baby|so sensitive|too sensitive|overreacting|paranoid|"
    "disgusting|a failure|a disappointment|irresponsible|manipulative|cruel|mean|ungrateful|"
    "naive|gullible|clueless|delusional|hopeless"
)
_INSULT_NOUN = (
    "idiot|liar|loser|jerk|moron|coward|narcissist|baby|child|drama queen|mess|joke|failure|"
    "disappointment|psycho|hypocrite|brat"
)
# "You always make me laugh" is praise; only the generalisation of a complaint is blame.
_KIND_AFTER = (
    r"(?! (?:have|need) to\b| know\b| fail to (?:make|amaze)\b| make me (?:laugh|smile|feel "
    r"(?:safe|loved|better|good|special|seen|heard))| (?:look|looked) (?:great|good|beautiful)"
    r"| help\b| support\b| show up\b| listen\b| are there\b| (?:have|had) my back\b"
    r"| welcome\b| (?:have )?been\b| deserve\b| can\b| will\b| find a way\b| know how\b"
    r"| have (?:the|a|my)\b)"
)
# "You keep ..." blames only with a complaint ("you keep interrupting"), not "you keep trying".
_KEEP_COMPLAINT = (
    r"(?:ignoring|interrupting|forgetting|lying|canceling|cancelling|doing (?:this|that|it)|"
    r"saying (?:that|this)|blaming|leaving|bringing (?:it|that|this) up|making excuses|breaking|"
    r"picking|critici[sz]ing|nagging|yelling|complaining|pushing me|shutting me out|changing the "
    r"subject|missing|avoiding|dodging|walking away|checking your phone|getting angry)"
)
_BLAME_RULES: tuple[tuple[str, str], ...] = (
    (
        "'you always / you never' -> generalising blame",
        r"(?<!have )(?<!had )(?<!did )(?<!do )(?<!were )(?<!are )"
        rf"\byou(?:'re| are)? (?:always|constantly)\b{_KIND_AFTER}"
        rf"|\byou keep {_KEEP_COMPLAINT}\b"
        r"|(?<!that )\byou(?:'re| are)? never\b(?! (?:have|need) to\b| know\b| fail\b| cease\b"
        r"| alone\b| forget\b)",
    ),
    (
        "'your fault' -> blame",
        r"\b(?:it's|it is|it was|this is|that's|that is|all|this was) (?:all |totally |entirely )?"
        r"your (?:fault|doing)\b|\byou(?:'re| are) to blame\b|\bbecause of you\b(?! being)"
        r"|\bi blame you\b"
        r"|\byou ruin(?:ed)?\b",
    ),
    (
        "'you made me' -> blame",
        r"\byou (?:made|make) me (?:so |feel |do |this |\w+ )?(?:angry|mad|sad|upset|cry|"
        r"miserable|furious|feel (?:bad|awful|terrible|stupid|small|worthless)|do (?:this|it)|"
        r"this way|lose|yell|react)\b",
    ),
    (
        "name-calling",
        r"\byou(?:'re| are| were| sound| look| act| seem|'re being| are being| acting| have been"
        rf"|'ve been) {_ADVERBS}(?:{_INSULT_ADJ})\b",
    ),
    ("insult", rf"\b(?:what an?|such an?|you|you're an?|you are an?) (?:{_INSULT_NOUN})\b"),
    (
        "contempt",
        r"\bwhat(?:'s| is) wrong with you\b|\byou don't (?:even )?care\b|\btypical (?:of )?you\b"
        r"|\byou can't (?:even|ever) \w+|\bwho do you think you are\b"
        r"|(?:^|[.!?,] )(?:just |oh |so )?(?:get over it|grow up|deal with it)\b"
        r"|(?:^|[.!?] )whatever[.!]*$",
    ),
    (
        "accusing 'why' -> blame",
        r"\bwhy (?:do|did|would|can't|won't|don't|didn't|are|were) you (?:always|never|even|ever"
        r"|keep|have to)\b",
    ),
)
_BLAME_COMPILED = tuple((r, re.compile(p)) for r, p in _BLAME_RULES)
# A negation just before a match ("I don't think you're lazy", "it's not your fault").
_NEGATION_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bnor) (?:\w+ ){0,3}$|\b(?:not|n't)$")
_REPORTED_BEFORE = re.compile(
    r"\b(?:feel|feeling|felt|think|thinking|believe|worry|worried|afraid|scared|fear|said|says)"
    r" (?:like |that )?$"
)
_NEGATION_INSIDE = re.compile(r"\bnot\b|n't\b")

_PRESSURE_RULES: tuple[tuple[str, str], ...] = (
    (
        "'we need to talk' -> pressure",
        r"\bwe (?:really )?(?:need|have|must|got|gotta|should) (?:to )?(?:talk(?=[.!?]|$| about "
        r"(?:us|this|it|what|your|last night|the other|something))|have a (?:serious )?talk"
        r"|discuss (?:this|us|it)|sort this out)",
    ),
    (
        "demands talking",
        r"(?<!if )(?<!whenever )(?<!when )(?<!anytime )"
        r"\byou (?:really |just )?(?:have|need|must|got|gotta|will have|are going to have) (?:to )?"
        r"(?:(?:tell|talk to|explain to|answer|listen to|respond to|speak to|promise) (?:me|us)\b"
        r"|(?:tell|talk|explain|answer|listen|respond|speak|say something)(?=[.!?]|$)"
        r"|open up\b|be honest with me|let me in|tell me\b)|\byou(?:'d| had) better\b",
    ),
    (
        "demand",
        r"\b(?:tell me (?:now|right now|the truth|everything)|answer me|look at me when|talk to me"
        r"(?:,)? (?:now|right now)|i need you to (?:tell|talk|open|explain|answer|say|share|be|"
        r"promise|stop|change)|i demand|i insist|you owe me|i deserve (?:an answer|to know|the "
        r"truth)|promise me|don't walk away from me)\b",
    ),
    (
        "urgency",
        r"(?:(?:^|[.!?] )(?:tell me|talk to me|answer me|explain|call me|come home|reply|decide"
        r"|say it|open up)(?: \w+){0,3} (?:right now|now|immediately|this instant|this minute"
        r"|tonight|today)(?:[.!]|$)"
        r"|right this minute|before it's too late|last chance|i won't ask again|i'm not asking "
        r"again|i'm waiting|i need an answer)",
    ),
    (
        "ultimatum",
        r"\b(?:or else(?=[.!?]|$| i\b)|or (?:i|we)(?:'ll| will| am|'m)? (?:leave|leaving|go|walk"
        r"|end|be done|break|move out)"
        r"|if you (?:don't|do not|won't|can't|refuse to|keep) (?:[\w',]+ ){0,8}"
        r"(?:then )?(?:i|we)(?:'ll| will| am|'m| are|'re)? (?:leave|leaving|done|over|through|"
        r"go|end|break|walk|move out|finished|out)|(?:it's|this is) your (?:last|final) chance|"
        r"i'm done(?=[.!]|$| with (?:you|this|us))|we're done|otherwise i"
        r"|(?:or|and) we're (?:over|through|finished))\b",
    ),
    (
        "'why won't you' -> pressure",
        r"\bwhy (?:won't|don't|can't) you (?:just )?(?:talk|open up|tell|say|answer|share|listen"
        r"|let me in)\b",
    ),
)
_PRESSURE_COMPILED = tuple((r, re.compile(p)) for r, p in _PRESSURE_RULES)
_PRESSURE_SOFTENERS = re.compile(
    r"\b(?:no (?:pressure|rush|hurry)|in your own time|whenever you(?:'re| are)? ready"
    r"|only if you want|if you(?:'d)? (?:like|want)|you don't have to)\b"
)
# Softeners cancel soft demands, never these.
_HARD_PRESSURE = ("ultimatum", "'we need to talk'", "urgency", "demand:")


def _match_rules(
    prepared: str, rules: Sequence[tuple[str, re.Pattern[str]]], *, negation_inside: bool
) -> list[str]:
    reasons = []
    for reason, pattern in rules:
        for match in pattern.finditer(prepared):
            before = prepared[max(0, match.start() - 30) : match.start()]
            if _NEGATION_BEFORE.search(before):
                continue
            # "You feel like you're worthless" reports their view of themselves.
            if _REPORTED_BEFORE.search(before):
                continue
            # "you're not lazy": a negation inside the match cancels name-calling.
            if negation_inside and _NEGATION_INSIDE.search(match.group(0)):
                continue
            reasons.append(f"{reason}: {_quote([match.group(0).strip(' ,.!?')])}")
            break
    return reasons


def blame(text: str) -> CheckResult:
    """Does ``text`` blame or insult ("you always", "it's your fault", "you're so selfish").

    Quoted speech is left out ('He said "you never listen"' reports words, it does not blame),
    and so is anything negated ("It's not your fault", "You're not lazy").
    """
    prepared = _unquoted(_prepare(text))
    reasons = _match_rules(prepared, _BLAME_COMPILED, negation_inside=True)
    if reasons:
        return CheckResult("blame", "blame", False, tuple(reasons))
    return CheckResult("blame", "no_blame", True, ("no blaming or name-calling",))


_DISMISSIVE_RULES: tuple[tuple[str, str], ...] = (
    (
        "turns away from the partner",
        r"\bi (?:really |just )?(?:don't|do not|didn't) want to (?:hear|see|know|talk about"
        r"|deal with|be bothered|listen)\b|\bi can't stand\b|\bi don't care\b|\bnot my problem\b"
        r"|\b(?:it's|that's) your problem\b|(?:^|[.!?] )just (?:do it|deal with it)\b",
    ),
    (
        "minimises the feeling",
        r"\b(?:calm down|stop (?:complaining|whining|crying|worrying)"
        r"|(?:it's|that's|it is|that is) not (?:a |that )?(?:big|huge) (?:a )?deal"
        r"|could (?:be|have been) worse|you'll get over it"
        r"|look on the bright side|cheer up|it's not that bad|don't be so)\b",
    ),
    (
        "doubts or belittles the partner",
        r"\byou (?:just |really |clearly )?don't know what you(?:'re| are) (?:doing|saying|missing"
        r"|talking about)\b|\bi'm not sure you(?:'re| are) right\b|\bwhat (?:are|were) you "
        r"(?:even )?doing\?|\byou(?:'re| are) not (?:even )?(?:good|trying|working|doing) "
        r"(?:at|enough|anything|a good job)\b|\byou (?:don't|didn't) do a good job\b"
        r"|\bsounds (?:a bit |kind of )?like a lie\b",
    ),
    (
        "reproaches with hindsight",
        r"\byou (?:should|shouldn't|should not|ought to) have (?:been |known|done|said|told|"
        r"seen|thought|listened|asked|watched|gone|stayed|\w+ed\b)",
    ),
)
_DISMISSIVE_COMPILED = tuple((r, re.compile(p)) for r, p in _DISMISSIVE_RULES)


def dismissive(text: str) -> CheckResult:
    """Does ``text`` dismiss the partner: turn away, minimise, belittle or reproach.

    Not calibrated against human labels (the corpora have no such label); it guards the
    product's suggestions against hurtful lines that the other checks let through.
    """
    prepared = _unquoted(_prepare(text))
    reasons = _match_rules(prepared, _DISMISSIVE_COMPILED, negation_inside=False)
    if reasons:
        return CheckResult("dismissive", "dismissive", False, tuple(reasons))
    return CheckResult("dismissive", "not_dismissive", True, ("does not dismiss the partner",))


def pressure(text: str) -> CheckResult:
    """Does ``text`` push ("we need to talk", "you have to tell me", ultimatums).

    A softener ("no pressure", "whenever you're ready") cancels a soft demand but not an
    ultimatum, urgency or "we need to talk".
    """
    prepared = _unquoted(_prepare(text))
    reasons = _match_rules(prepared, _PRESSURE_COMPILED, negation_inside=False)
    softened = _PRESSURE_SOFTENERS.search(prepared)
    if softened and not any(r.startswith(_HARD_PRESSURE) for r in reasons):
        reasons = []
    if reasons:
        return CheckResult("pressure", "pressure", False, tuple(reasons))
    return CheckResult("pressure", "no_pressure", True, ("no demand or ultimatum",))


# --------------------------------------------------------------------------------------------
# ritual: concrete = action + moment + duration
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# length and distinct
# --------------------------------------------------------------------------------------------


def length(text: str, max_words: int) -> CheckResult:
    """At most ``max_words`` words."""
    n = word_count(text)
    if n > max_words:
        return CheckResult("length", "too_long", False, (f"{n} words > {max_words}",))
    return CheckResult("length", "ok", True, (f"{n} words <= {max_words}",))


def _normalised(text: str) -> str:
    return " ".join(_words(_prepare(text)))


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


DUPLICATE_JACCARD = 0.7


def distinct(texts: list[str]) -> CheckResult:
    """No two texts alike: same after normalising, or token-set Jaccard >= 0.7."""
    reasons = []
    normal = [_normalised(t) for t in texts]
    tokens = [set(n.split()) for n in normal]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if normal[i] == normal[j]:
                reasons.append(f"#{i + 1} and #{j + 1} are the same after normalising")
            else:
                score = _jaccard(tokens[i], tokens[j])
                if score >= DUPLICATE_JACCARD:
                    reasons.append(f"#{i + 1} and #{j + 1} are near-alike (Jaccard {score:.2f})")
    if reasons:
        return CheckResult("distinct", "duplicates", False, tuple(reasons))
    return CheckResult("distinct", "distinct", True, (f"{len(texts)} texts, no two alike",))


# --------------------------------------------------------------------------------------------
# Job rules
# --------------------------------------------------------------------------------------------

MAX_WORDS = {"reply": 50, "questions": 40, "ritual": 80, "chat": 180}
TASKS = tuple(MAX_WORDS)

# "Why did you...", "why do you always", "why can't you": asks for a defence, not a story.
_ACCUSING_WHY = re.compile(
    r"\bwhy (?:on earth |the hell )?(?:did|didn't|do|don't|would|wouldn't|can't|won't|couldn't|"
    r"are|aren't|were|weren't|have|haven't|is|isn't|must|should|shouldn't) "
    r"(?:you|he|she|they|we)\b(?! (?:think|feel|say|suppose|imagine|believe|reckon|find|"
    r"want|wish|like|love|enjoy|care|value))"
)


def _accusing_why(text: str) -> str | None:
    match = _ACCUSING_WHY.search(_prepare(text))
    if match:
        return f"accusing 'why' asks for a defence: {_quote([match.group(0)])}"
    return None


def check_suggestion(task: str, text: str) -> list[CheckResult]:
    """The checks that apply to one suggestion of a job.

    - ``reply``: not fixing, reflects a feeling, no closed question and at most one question,
      no blame, no pressure, at most 50 words.
    - ``questions``: an open question (no question at all fails too), no accusing "why did you",
      no blame, no pressure, at most 40 words.
    - ``ritual``: concrete (action, when, how long), no blame, no pressure, at most 80 words.
    - ``chat``: no blame, no pressure, at most 180 words.

    Every job also runs :func:`dismissive`: no turning away, minimising or belittling.
    """
    if task not in MAX_WORDS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    results: list[CheckResult] = []
    if task == "reply":
        q = question(text)
        n = count_questions(text)
        if n > 1:
            q = replace(q, passed=False, reasons=(*q.reasons, f"more than one question ({n})"))
        results += [fixing(text), feeling(text), q]
    elif task == "questions":
        q = question(text)
        q = replace(q, passed=q.label == "open")
        if q.label == "none":
            q = replace(q, reasons=(*q.reasons, "a question to ask must be an open question"))
        why = _accusing_why(text)
        if why:
            q = replace(q, passed=False, reasons=(*q.reasons, why))
        results.append(q)
    elif task == "ritual":
        results.append(ritual(text))
    results += [blame(text), dismissive(text), pressure(text), length(text, MAX_WORDS[task])]
    return results


def failures(task: str, text: str) -> list[CheckResult]:
    """The results of :func:`check_suggestion` that did not pass."""
    return [r for r in check_suggestion(task, text) if not r.passed]


def passes(task: str, text: str) -> bool:
    """Whether every check for ``task`` passes on ``text``."""
    return all(r.passed for r in check_suggestion(task, text))
