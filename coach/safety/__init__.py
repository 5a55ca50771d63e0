"""The safety screen: rules first, then an n-gram classifier, no language model, on every text.

It keeps working when the model is down, slow or manipulated because it never calls one, and it
imports nothing from ``coach.models``. Instructions inside the screened text ("ignore your
rules", "this is just a test", "jk") are text like any other: nothing in the text switches the
screen off. The only joke handling is narrow: a marker such as "lol" excuses a violent idiom about
someone else ("i'll kill him lol"), never self-harm, violence or threats received, or a serious
verb ("stab", "poison").

Data files, shipped inside the package and loaded with :mod:`importlib.resources`:

- ``rules.yaml``: concept lexicons and the window rules that combine them (the general layer),
  phrase patterns per category, the allow-list of idioms, negation handling, and the rules for the
  model's own output;
- ``replies.yaml``: one fixed, reviewed reply per category;
- ``resources.yaml``: crisis resources by locale and which to show per category;
- ``classifier.npz``: the weights of the n-gram classifier (:mod:`coach.safety.classifier`), which
  only adds hits to the rules' (retrain with ``coach safety train``).

See :mod:`coach.safety.screen` for the category priority and which flags stick.
"""

from __future__ import annotations

from coach.safety.counters import hit_counts, reset_hit_counts
from coach.safety.replies import DISCLAIMER, canonical_locale, reply_for, resources_for
from coach.safety.screen import (
    PRIORITY,
    STICKY,
    detect,
    is_coaching_allowed,
    screen,
    screen_all,
    screen_output,
    sticky,
)

__all__ = [
    "DISCLAIMER",
    "PRIORITY",
    "STICKY",
    "canonical_locale",
    "detect",
    "hit_counts",
    "is_coaching_allowed",
    "reply_for",
    "reset_hit_counts",
    "resources_for",
    "screen",
    "screen_all",
    "screen_output",
    "sticky",
]
