"""The screen's second layer: a linear classifier over character and word n-grams, no model.

The rules (``rules.py``) catch what they were written for and about 70% of crises they have
never seen. People say the same things in endless other ways, so a second, broader layer reads
the text the way a bag of spelling fragments does: each n-gram ("stran", "pills", "my ex ")
carries a weight learnt from the labelled safety sets in ``tests/fixtures`` (crises, near misses)
and from ordinary coaching inputs (see :mod:`coach.safety.training`). It is plain arithmetic over a
shipped table, so it needs no language model, keeps answering when the model is down and cannot
be instructed by the text it reads.

It can only add hits: a text the rules flag stays flagged whatever this layer says. It scores
every pair of neighbouring sentences as well as the whole text and keeps the highest score, so a
crisis told in the middle of a long, ordinary story is not diluted by the rest of it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from math import exp, sqrt

import numpy as np

from coach.safety.folding import fold

CHAR_SIZES = (3, 4, 5)
_WORD = re.compile(r"[a-z0-9]+")
# A clause ends at punctuation or before a word that turns it ("never hit me but he ...").
_CLAUSES = re.compile(r"[.!?;:,\n]|(?=\b(?:but|until|til|till|except|yet)\b)")
_DENIALS = frozenset(
    {"not", "never", "no", "nothing", "nobody", "neither", "nor", "dont", "doesnt", "didnt"}
    | {"isnt", "wasnt", "wont", "wouldnt", "cant", "couldnt", "havent", "hasnt", "hadnt"}
    | {"arent", "aint", "shouldnt"}
)
_SENTENCES = re.compile(r"(?<=[.!?\n])\s+")
WINDOW = 2  # sentences per scored window
# Shorter windows are left to the rules (see long_enough). In session 3 (about 1,000 crises to
# learn from) 10 of the classifier's 17 held-out false alarms had 9-15 words and the bar was 16.
# In session 4, with the short messages of safety_train_s4_short.yaml among 2,300 crises, five
# folds (see training.THRESHOLD) caught 0.800 of the crises at 8 words against 0.774 at 12, and
# flagged 0.067 against 0.065 of the near misses and 2.7% against 2.5% of the ordinary turns.
MIN_WORDS = 8
TABLE = "classifier.npz"


def char_ngrams(words: list[str]) -> Iterator[str]:
    """Character n-grams of each word padded with a space on both sides ("kill" -> " ki", ...)."""
    for word in words:
        padded = f" {word} "
        for size in CHAR_SIZES:
            for start in range(len(padded) - size + 1):
                yield padded[start : start + size]


def word_ngrams(words: list[str]) -> Iterator[str]:
    """Words and pairs of neighbouring words, marked so they never collide with char n-grams."""
    for word in words:
        yield f"w:{word}"
    for first, second in pairwise(words):
        yield f"w:{first} {second}"


def negation_scopes(text: str) -> list[str]:
    """Words of a folded text, those after a denial marked "~" up to the end of its clause.

    "he has never hit me, but" -> ["he", "has", "never", "~hit", "~me", "but"]: a bag of
    n-grams cannot see that "hit me" was denied, but it can learn what "~hit" means.
    """
    words: list[str] = []
    for clause in _CLAUSES.split(text):
        denied = False
        for word in _WORD.findall(clause):
            words.append(f"~{word}" if denied else word)
            denied = denied or word in _DENIALS
    return words


def features(text: str) -> tuple[Counter[str], Counter[str]]:
    """The two blocks of n-gram counts of an already folded text."""
    words = negation_scopes(text)
    plain = [w for w in words if not w.startswith("~")]  # a denied word adds no spelling clues
    return Counter(char_ngrams(plain)), Counter(word_ngrams(words))


def weighted(text: str) -> Iterator[tuple[str, float]]:
    """Each n-gram of a folded text with its count over its block's length (L2): what a weight
    multiplies, in training (:mod:`coach.safety.training`) and in scoring alike."""
    for block in features(text):
        norm = sqrt(sum(count * count for count in block.values()))
        for gram, count in block.items():
            yield gram, count / norm


def long_enough(window: str) -> bool:
    """Whether a window has enough words for its n-grams to mean something.

    A few words are all spelling and no context ("he would never hurt me" shares most of its
    n-grams with threats, "bridesmaid" starts like "bridge"), and short crises are what the rules
    are best at, so the classifier leaves them to the rules.
    """
    return len(_WORD.findall(window)) >= MIN_WORDS


def windows(text: str) -> list[str]:
    """Every run of ``WINDOW`` neighbouring sentences, then the whole text (always last)."""
    sentences = [s for s in _SENTENCES.split(text) if s.strip()]
    runs = [" ".join(sentences[i : i + WINDOW]) for i in range(len(sentences) - WINDOW + 1)]
    return [*dict.fromkeys(r for r in runs if r != " ".join(sentences)), text]


@dataclass(frozen=True)
class Classifier:
    """A crisis-or-not score and, for a crisis, the most likely category."""

    crisis: dict[str, float]  # n-gram -> weight for "crisis"
    kinds: dict[str, np.ndarray]  # n-gram -> one weight per category
    intercepts: np.ndarray  # crisis, then one per category
    categories: tuple[str, ...]
    threshold: float  # a crisis probability at or above this flags the text

    def crisis_score(self, folded: str) -> float:
        """The crisis log-odds of one folded window: plain floats, the hot path."""
        weights = self.crisis
        return float(self.intercepts[0]) + sum(
            weights.get(gram, 0.0) * value for gram, value in weighted(folded)
        )

    def kind_scores(self, folded: str) -> np.ndarray:
        """One score per category for a window already judged a crisis."""
        total = self.intercepts[1:].copy()
        for gram, value in weighted(folded):
            weight = self.kinds.get(gram)
            if weight is not None:
                total += weight * value
        return total

    def _probabilities(self, text: str) -> Iterator[tuple[float, str]]:
        """The crisis probability of each window long enough to judge, with the window."""
        for window in windows(fold(text)):
            if long_enough(window):
                yield _sigmoid(self.crisis_score(window)), window

    def crisis_probability(self, text: str) -> float:
        """The highest crisis probability over the windows long enough to judge."""
        return max((p for p, _ in self._probabilities(text)), default=0.0)

    def category(self, text: str) -> str | None:
        """The category the windows at or above the bar agree on most, or None when none is.

        Each such window votes with its category probabilities. One window alone can read a
        threat to someone else as danger to oneself ("dad's old shotgun is in the loft"); the
        neighbouring windows around it say who is in danger. On four held-out files the vote
        named 268 of 354 flagged crises right, the single most alarming window 263.
        """
        hot = [w for p, w in self._probabilities(text) if p >= self.threshold]
        if not hot:
            return None
        votes = sum(_softmax(self.kind_scores(window)) for window in hot)
        return self.categories[int(np.argmax(votes))]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + exp(-x))


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def pack(
    grams: Iterable[str],
    matrix: np.ndarray,
    intercepts: np.ndarray,
    categories: Iterable[str],
    threshold: float,
) -> dict[str, np.ndarray]:
    """The arrays stored in ``classifier.npz`` (no pickles: strings and floats only)."""
    return {
        "grams": np.array(list(grams), dtype=str),
        "weights": matrix.astype(np.float32),
        "intercepts": intercepts.astype(np.float32),
        "categories": np.array(list(categories), dtype=str),
        "threshold": np.array([threshold], dtype=np.float32),
    }


def unpack(arrays: dict[str, np.ndarray]) -> Classifier:
    weights = arrays["weights"].astype(np.float64)
    grams = [str(g) for g in arrays["grams"]]
    return Classifier(
        crisis=dict(zip(grams, weights[:, 0].tolist(), strict=True)),
        kinds={gram: weights[i, 1:] for i, gram in enumerate(grams)},
        intercepts=arrays["intercepts"].astype(np.float64),
        categories=tuple(str(c) for c in arrays["categories"]),
        threshold=float(arrays["threshold"][0]),
    )


@cache
def shipped() -> Classifier:
    """The classifier shipped with the package (trained by ``coach safety train``)."""
    table = resources.files("coach.safety").joinpath(TABLE)
    with table.open("rb") as handle, np.load(handle, allow_pickle=False) as arrays:
        return unpack(dict(arrays))
