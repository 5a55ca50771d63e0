"""``coach serve``: the web page and API with uvicorn (registered at the end of ``coach.cli``).

Kept outside ``coach.api`` so that the CLI does not import the web stack until it serves.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from coach.config import BackendName, get_settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    backend: Annotated[
        BackendName | None,
        typer.Option("--backend", "-b", help="Model backend (default: COACH_BACKEND or embedded)."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (more than one needs a session secret).")
    ] = 1,
) -> None:
    """Serve the web page, the API and the OpenAI-compatible endpoint."""
    import uvicorn

    from coach.api import create_app

    settings = get_settings()
    if backend is not None:
        settings = settings.model_copy(update={"backend": backend})
    typer.echo(f"The connection coach on http://{host}:{port}/ (backend: {settings.backend})")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return
    if settings.session_secret is None:
        raise typer.BadParameter(
            "several workers need COACH_SESSION_SECRET: without it each worker signs cookies "
            "with its own random secret and people lose their session between requests",
            param_hint="--workers",
        )
    # Each worker process imports ``coach.api:app`` and reads the settings from the environment.
    os.environ["COACH_BACKEND"] = settings.backend
    uvicorn.run("coach.api:app", host=host, port=port, workers=workers, log_level="info")
