"""Errors a person can fix answer 422 with one clear sentence; a failed model answers 503.

Routes under ``/v1/`` answer in OpenAI's error shape (``{"error": {"message": ...}}``) so that
OpenAI clients show the message; everything else answers ``{"detail": ..., "request_id": ...}``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from coach.models import ModelError
from coach.text import EmptyInput, InputTooLong


def error_response(request: Request, status: int, message: str, kind: str) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "")
    if request.url.path.startswith("/v1/"):
        body: dict[str, object] = {
            "error": {"message": message, "type": kind, "param": None, "code": None}
        }
    else:
        body = {"detail": message, "request_id": request_id}
    return JSONResponse(body, status_code=status)


def describe_validation(error: RequestValidationError) -> str:
    """One readable phrase per problem, e.g. ``n: Input should be less than or equal to 6``."""
    parts = []
    for problem in error.errors():
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {problem.get('msg', 'is not valid')}")
    return "; ".join(parts) or "The request is not valid."


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return error_response(request, 422, describe_validation(error), "invalid_request_error")


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    kind = "invalid_request_error" if error.status_code < 500 else "server_error"
    response = error_response(request, error.status_code, str(error.detail), kind)
    response.headers.update(error.headers or {})
    return response


async def _bad_input(request: Request, error: Exception) -> JSONResponse:
    return error_response(request, 422, str(error), "invalid_request_error")


async def _model_failed(request: Request, error: Exception) -> JSONResponse:
    return error_response(request, 503, str(error), "model_unavailable")


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(EmptyInput, _bad_input)
    app.add_exception_handler(InputTooLong, _bad_input)
    app.add_exception_handler(ModelError, _model_failed)
