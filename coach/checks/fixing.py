"""fixing: advice / solutions instead of listening."""

from __future__ import annotations

import re

from coach.prefilter import Prefiltered

from ._text import _prepare, _quote, _unquoted
from .result import CheckResult

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

_FIX_COMPILED = Prefiltered((r, w, re.compile(p)) for r, w, p in _FIX_RULES)
_LISTEN_COMPILED = Prefiltered((r, w, re.compile(p)) for r, w, p in _LISTEN_RULES)
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
    prepared: str, rules: Prefiltered[tuple[str, int, re.Pattern[str]]], *, negatable: bool
) -> tuple[int, list[str]]:
    score = 0
    reasons: list[str] = []
    for reason, weight, pattern in rules.candidates(prepared):
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
