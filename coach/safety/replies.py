"""The fixed, reviewed replies and the crisis resources by locale, both package data (YAML)."""

from __future__ import annotations

from functools import cache

from coach.safety.rules import RISKS, load_yaml
from coach.schemas import Resource, Risk

DEFAULT_LOCALE = "US"
_ALIASES = {"UK": "GB"}

# Shown at the start of every conversation. Kept in code (not YAML) so importing it cannot fail.
DISCLAIMER = (
    "I'm an AI coach, not a therapist: I offer education and coaching for feeling closer to your "
    "partner, not therapy or crisis support. If you're ever in danger or thinking about harming "
    "yourself, please reach out to emergency services or a crisis line right away."
)


@cache
def _replies() -> dict[str, str]:
    data = load_yaml("replies.yaml")
    replies = {str(k): " ".join(str(v).split()) for k, v in data["replies"].items()}
    missing = set(RISKS) - set(replies)
    if missing:
        raise ValueError(f"replies.yaml has no reply for {sorted(missing)!r}")
    return replies


@cache
def _resources() -> dict[str, dict[str, list[Resource]]]:
    data = load_yaml("resources.yaml")
    out: dict[str, dict[str, list[Resource]]] = {}
    for locale, spec in data["locales"].items():
        catalogue = {key: Resource(**value) for key, value in spec["resources"].items()}
        out[str(locale).upper()] = {
            risk: [catalogue[key] for key in spec["show"].get(risk, [])] for risk in RISKS
        }
    if DEFAULT_LOCALE not in out:
        raise ValueError(f"resources.yaml must define the default locale {DEFAULT_LOCALE!r}")
    return out


def reply_for(risk: Risk) -> str:
    """The fixed reply for a category; ``""`` for ``"none"``."""
    return "" if risk == "none" else _replies()[risk]


def canonical_locale(locale: str | None) -> str:
    """Map "en-GB", "en_gb", "gb" and "UK" to GB; anything unknown falls back to US."""
    code = (locale or "").strip().replace("_", "-").upper().split("-")[-1]
    code = _ALIASES.get(code, code)
    return code if code in _resources() else DEFAULT_LOCALE


def resources_for(risk: Risk, locale: str) -> list[Resource]:
    """The resources to show for a category in a locale (copies, safe to modify)."""
    if risk == "none":
        return []
    return [r.model_copy() for r in _resources()[canonical_locale(locale)][risk]]


def locales() -> list[str]:
    return sorted(_resources())
