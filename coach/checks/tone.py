"""Tone: blame (generalising, fault, name-calling, contempt), dismissive (turning away,
minimising, belittling, reproaching) and pressure (demands, urgency, ultimatums)."""

from __future__ import annotations

import re

from coach.prefilter import Prefiltered

from ._text import _ADVERBS, _match_rules, _prepare, _unquoted
from .result import CheckResult

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
_BLAME_COMPILED = Prefiltered((r, re.compile(p)) for r, p in _BLAME_RULES)

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
_PRESSURE_COMPILED = Prefiltered((r, re.compile(p)) for r, p in _PRESSURE_RULES)
_PRESSURE_SOFTENERS = re.compile(
    r"\b(?:no (?:pressure|rush|hurry)|in your own time|whenever you(?:'re| are)? ready"
    r"|only if you want|if you(?:'d)? (?:like|want)|you don't have to)\b"
)
# Softeners cancel soft demands, never these.
_HARD_PRESSURE = ("ultimatum", "'we need to talk'", "urgency", "demand:")


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
_DISMISSIVE_COMPILED = Prefiltered((r, re.compile(p)) for r, p in _DISMISSIVE_RULES)


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
