"""Where the page templates and static files are, like :func:`coach.prompts.prompt_dir`: inside
the installed wheel (``coach/_web``), or ``web/`` at the top of a checkout."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates


def web_dir() -> Path:
    packaged = Path(__file__).resolve().parent.parent / "_web"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "web"


def templates() -> Jinja2Templates:
    """Autoescaping Jinja2 templates; model text never reaches them (the page fetches it)."""
    return Jinja2Templates(directory=web_dir() / "templates")
