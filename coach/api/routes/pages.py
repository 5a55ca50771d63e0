"""The web page, the health check and the API docs (served from local files: no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from coach import __version__, safety
from coach.api.deps import OwnerDep, SettingsDep
from coach.api.web import templates
from coach.config import Settings
from coach.store import PLAN_DAYS

router = APIRouter()
DOCS_STATIC = Path(fastapi_offline.__file__).parent / "static"
_templates = templates()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, owner: OwnerDep) -> HTMLResponse:
    """The one page. Using the owner here gives the browser its session cookie up front, so
    the page's parallel first requests all share one session."""
    context = {
        "disclaimer": safety.DISCLAIMER,
        "days": PLAN_DAYS,
        "version": __version__,
        "where": about_for(request.app.state.settings).statement,
    }
    return _templates.TemplateResponse(request, "index.html", context)


@router.get("/healthz", tags=["service"])
async def healthz(settings: SettingsDep) -> dict[str, str]:
    """Liveness: the app is up (the model loads on first use, not here)."""
    return {"status": "ok", "backend": settings.backend}


class About(BaseModel):
    """Where a person's words go, in data and in one sentence for the page."""

    backend: str = Field(description="The backend that writes answers.")
    processing: Literal["local", "remote"] = Field(
        description="local: on this server; remote: sent to another server."
    )
    host: str | None = Field(description="The remote model's host (openai backend only).")
    fallback: str | None = Field(
        description="What answers when the remote model fails (never another remote model)."
    )
    encrypted_at_rest: bool
    retention_days: int | None = Field(description="Conversations untouched this long go.")
    statement: str


def about_for(settings: Settings) -> About:
    remote = settings.backend == "openai"
    host = None
    if remote:
        from coach.models.openai_backend import remote_host

        host = remote_host(settings)
    statement = (
        f"Your words are sent to {host} to write the coach's answers."
        if remote
        else "Your words are processed on this server and go nowhere else."
    )
    return About(
        backend=settings.backend,
        processing="remote" if remote else "local",
        host=host,
        fallback=settings.fallback if remote else None,
        encrypted_at_rest=settings.encryption_key is not None,
        retention_days=settings.retention_days,
        statement=statement,
    )


@router.get("/api/about", tags=["service"])
async def about(settings: SettingsDep) -> About:
    """Where your words are processed (this server, or the remote model's host) and kept."""
    return about_for(settings)


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=str(request.app.openapi_url),
        title="The connection coach - API",
        swagger_js_url="/docs-static/swagger-ui-bundle.js",
        swagger_css_url="/docs-static/swagger-ui.css",
        swagger_favicon_url="/docs-static/favicon.png",
    )
