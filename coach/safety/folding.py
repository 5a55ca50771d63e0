"""Folding user text into the views the rules are matched against.

The first step is always :func:`coach.text.normalise` (NFKC, invisible and control characters
removed), so full-width letters and zero-width joiners cannot hide a word. Then the text is
lower-cased and apostrophes are dropped ("don't" -> "dont", "I'm" -> "im"), because people type
both and the rules are written in the apostrophe-free form.

Writers also dodge filters on purpose or by habit, so besides the plain view the screen matches a
few alternative spellings of the same text and takes the union of the hits:

- Cyrillic and Greek look-alike letters read as Latin ("k\\u0456ll" with a Cyrillic i);
- letter-for-digit spellings inside words ("k1ll", "su1c1de", "$", "@", "!"), once with 1 -> i and
  once with 1 -> l; a word made only of digits, or digits with a short unit ("16", "16f", "4am",
  "2nd"), is never changed, so ages and times survive;
- runs of three or more of one letter squeezed ("killlll", "diiie");
- letters spelled out one by one ("k i l l", "s.u.i.c.i.d.e") joined into a word.

Extra views can only add hits, never remove one.
"""

from __future__ import annotations

import re

from coach.text import normalise

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_APOSTROPHE = re.compile(r"(?<=\w)'|'(?=\w)")
# A token that mixes letters with look-alike digits or symbols.
_LEET_TOKEN = re.compile(r"[a-z0-9@$!|]*[a-z][a-z0-9@$!|]*")
_LEET_COMMON = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
_LEET_COMMON |= {"@": "a", "$": "s", "|": "l"}
# Cyrillic and Greek letters that look like Latin ones (lower case, after NFKC).
_LOOKALIKES = str.maketrans(
    {
        **dict.fromkeys("\u0430\u03b1", "a"),  # Cyrillic a, Greek alpha
        **dict.fromkeys("\u0435\u03b5", "e"),
        **dict.fromkeys("\u043e\u03bf", "o"),
        **dict.fromkeys("\u0440\u03c1", "p"),
        "\u0441": "c",
        "\u0443": "y",
        **dict.fromkeys("\u0445\u03c7", "x"),
        **dict.fromkeys("\u0456\u03b9", "i"),
        "\u0458": "j",
        "\u0455": "s",
        "\u04cf": "l",
        **dict.fromkeys("\u043a\u03ba", "k"),
        "\u043c": "m",
        "\u03bd": "v",
        "\u03c5": "u",
    }
)
_NUMBER_UNIT = re.compile(r"[0-9]+[a-z]{0,3}")
_RUNS = re.compile(r"([a-z])\1{2,}")
_SPELLED_OUT = re.compile(r"\b(?:[a-z][ .\-_*]){2,}[a-z]\b")
_SPELLED_SEPARATORS = re.compile(r"[ .\-_*]")


def fold(text: str) -> str:
    """Normalise, lower-case and drop apostrophes: the plain view every rule sees."""
    text = normalise(text).lower().translate(_QUOTES)
    return _APOSTROPHE.sub("", text)


def _deleet_token(token: str, one: str) -> str:
    if token.isalpha() or _NUMBER_UNIT.fullmatch(token):
        return token  # a word, or a number with a unit ("4am", "16f", "2nd", "90s"), not a disguise
    core = token.rstrip("!")  # "kill!" is punctuation, "k!ll" is a disguise
    table = {**_LEET_COMMON, "1": one, "!": "i"}
    return "".join(table.get(ch, ch) for ch in core) + token[len(core) :]


def _deleet(text: str, one: str) -> str:
    return _LEET_TOKEN.sub(lambda m: _deleet_token(m.group(0), one), text)


def views(text: str) -> tuple[str, ...]:
    """The plain view first, then the distinct alternative spellings of the same text."""
    plain = fold(text)
    out = [plain]
    latin = plain.translate(_LOOKALIKES)
    for one in ("i", "l"):
        leet = _deleet(latin, one)
        out.append(leet)
        if _RUNS.search(leet):
            out.append(_RUNS.sub(r"\1\1", leet))
            out.append(_RUNS.sub(r"\1", leet))
    return tuple(dict.fromkeys(out))


def spelled_out_view(text: str) -> str | None:
    """The plain view with one-letter-at-a-time spellings joined, or None if there are none."""
    plain = fold(text)
    joined = _SPELLED_OUT.sub(lambda m: _SPELLED_SEPARATORS.sub("", m.group(0)), plain)
    return joined if joined != plain else None
