"""Errors a person can fix answer 422 with one clear sentence; a failed model answers 503.

Routes under ``/v1/`` answer in OpenAI's error shape (``{"error": {"message": ...}}``) so that
OpenAI clients show the message; everything else answers ``{"detail": ..., "request_id": ...}``.
:data:`ERRORS` documents those shapes in the OpenAPI schema. A full model queue answers 503 with
Retry-After (:mod:`coach.api.queue`); limits answer 413 and 429 (:mod:`coach.api.limits`).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from coach.api.queue import QueueFull
from coach.models import ModelError
from coach.text import EmptyInput, InputTooLong


class ErrorBody(BaseModel):
    """Every error of the coach's own routes: one sentence, and the id to quote to us."""

    detail: str
    request_id: str


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIErrorBody(BaseModel):
    error: OpenAIErrorDetail


def _documented(model: type[BaseModel]) -> dict[int | str, dict[str, object]]:
    described = {
        404: "Not found (for example, a conversation that is not yours).",
        413: "The request body is too large.",
        422: "The input is not valid; the message says what to change.",
        429: "Too many requests; see Retry-After.",
        500: "Something failed on our side; quote the request id.",
        503: "The model is busy or unavailable; see Retry-After.",
    }
    return {code: {"model": model, "description": text} for code, text in described.items()}


ERRORS = _documented(ErrorBody)
OPENAI_ERRORS = _documented(OpenAIErrorBody)


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


async def _busy(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, QueueFull)
    response = error_response(request, 503, str(error), "model_busy")
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(EmptyInput, _bad_input)
    app.add_exception_handler(InputTooLong, _bad_input)
    app.add_exception_handler(ModelError, _model_failed)
    app.add_exception_handler(QueueFull, _busy)
