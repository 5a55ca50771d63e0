"""The web page, the health check and the API docs (served from local files: no CDN)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from coach import __version__, safety
from coach.api.deps import OwnerDep, SettingsDep
from coach.api.web import templates
from coach.store import PLAN_DAYS

router = APIRouter()
DOCS_STATIC = Path(fastapi_offline.__file__).parent / "static"
_templates = templates()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, owner: OwnerDep) -> HTMLResponse:
    """The one page. Using the owner here gives the browser its session cookie up front, so
    the page's parallel first requests all share one session."""
    context = {"disclaimer": safety.DISCLAIMER, "days": PLAN_DAYS, "version": __version__}
    return _templates.TemplateResponse(request, "index.html", context)


@router.get("/healthz", tags=["service"])
async def healthz(settings: SettingsDep) -> dict[str, str]:
    """Liveness: the app is up (the model loads on first use, not here)."""
    return {"status": "ok", "backend": settings.backend}


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=str(request.app.openapi_url),
        title="The connection coach - API",
        swagger_js_url="/docs-static/swagger-ui-bundle.js",
        swagger_css_url="/docs-static/swagger-ui.css",
        swagger_favicon_url="/docs-static/favicon.png",
    )
