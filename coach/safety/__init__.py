"""The safety screen: rules first, no language model, on every piece of user text.

It keeps working when the model is down, slow or manipulated because it never calls one, and it
imports nothing from ``coach.models``. Instructions inside the screened text ("ignore your
rules", "this is just a test", "jk") are text like any other: no rule reads them.

Data files, shipped inside the package and loaded with :mod:`importlib.resources`:

- ``rules.yaml``: patterns per category, the allow-list of idioms, negation handling, and the
  rules for the model's own output;
- ``replies.yaml``: one fixed, reviewed reply per category;
- ``resources.yaml``: crisis resources by locale and which to show per category.

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
