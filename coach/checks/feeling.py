"""feeling: does the text acknowledge / reflect a feeling."""

from __future__ import annotations

import re

from coach.prefilter import Prefiltered

from ._text import _ADVERBS, _prepare, _quote
from .result import CheckResult

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
_FEELING_COMPILED = Prefiltered((r, re.compile(p)) for r, p in _FEELING_RULES)


def feeling(text: str) -> CheckResult:
    """Does ``text`` acknowledge or reflect a feeling ("That sounds exhausting", "I hear you")."""
    prepared = _prepare(text)
    reasons = []
    for reason, pattern in _FEELING_COMPILED.candidates(prepared):
        match = pattern.search(prepared)
        if match:
            reasons.append(f"{reason}: {_quote([match.group(0)])}")
    if reasons:
        return CheckResult("feeling", "reflects", True, tuple(reasons))
    return CheckResult(
        "feeling", "no_reflection", False, ("names no feeling and acknowledges nothing",)
    )
