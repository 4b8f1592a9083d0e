"""Errors as RFC 9457 problem documents (``application/problem+json``).

Every error the API returns has ``type``, ``title``, ``status`` and ``detail``; validation
errors add ``errors``: one ``{"path": "/rows/3/lat_deg", "message": ...}`` per problem, with
a JSON Pointer into the request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from leonet.control.registry.errors import (
    AlreadyBootstrappedError,
    AlreadyExistsError,
    NotFoundError,
    RuleViolationError,
    VersionConflictError,
)
from leonet.errors import InputError

MEDIA_TYPE = "application/problem+json"
_log = logging.getLogger("leonet.server")

TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 406: "Not acceptable", 408: "Request timeout", 409: "Conflict",
    412: "Precondition failed", 413: "Content too large", 415: "Unsupported media type",
    422: "Unprocessable content", 428: "Precondition required", 500: "Internal server error",
}


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def invalid(path: str, message: str) -> Problem:
    """A 422 naming what is wrong where: ``path`` is a JSON Pointer into the request."""
    return Problem(422, f"{path}: {message}", errors=[{"path": path, "message": message}])


def check_columns(names: Iterable[str], columns: Sequence[str], required: Sequence[str],
                  path: str = "") -> None:
    """Refuse (422) a batch of columns ``names`` holding one twice, one that is not in
    ``columns`` or lacking one of ``required``; ``path`` points at the object holding them."""
    names = list(names)
    present = set(names)
    if len(present) < len(names):  # Arrow and Parquet schemas may repeat a name
        twice = next(n for n in names if names.count(n) > 1)
        raise invalid(f"{path}/{twice}", "the column appears more than once")
    unknown = sorted(present - set(columns))
    if unknown:
        raise invalid(f"{path}/{unknown[0]}", f"unknown column; expected {', '.join(columns)}")
    missing = [c for c in required if c not in present]
    if missing:
        raise invalid(f"{path}/{missing[0]}", "is required")


def problem_response(status: int, detail: str, *, headers: dict[str, str] | None = None,
                     instance: str | None = None, **extra: Any) -> Response:
    body = {
        "type": f"https://leonet.dev/problems/{status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **({"instance": instance} if instance else {}),
        **extra,
    }
    return Response(orjson.dumps(body), status_code=status, media_type=MEDIA_TYPE,
                    headers=headers)


def pointer(loc: tuple | list) -> str:
    """JSON Pointer for a pydantic error location, without the leading ``body``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        where = parts.pop(0)
        if where != "body":
            return f"{where}:" + "/".join(str(p) for p in parts)
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _validation(request: Request, exc: RequestValidationError) -> Response:
    errors = [{"path": pointer(e.get("loc", ())), "message": e.get("msg", "invalid")}
              for e in exc.errors()]
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return problem_response(400, "the body is not valid JSON: "
                                + "; ".join(e["message"] for e in errors),
                                instance=request.url.path, errors=errors)
    first = errors[0] if errors else {"path": "/", "message": "invalid"}
    detail = f"{first['path']}: {first['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return problem_response(422, detail, instance=request.url.path, errors=errors)


_STATUSES = ((NotFoundError, 404), (AlreadyExistsError, 409), (RuleViolationError, 409),
             (VersionConflictError, 412), (AlreadyBootstrappedError, 409))


def response_for(exc: Exception, path: str) -> Response | None:
    """The problem document answering ``exc`` raised on ``path``, for the errors the API
    explains in words (`Problem`, bad input, the registry's state errors); None for others,
    which are crashes."""
    if isinstance(exc, Problem):
        return problem_response(exc.status, exc.detail, headers=exc.headers, instance=path,
                                **exc.extra)
    if isinstance(exc, InputError):
        extra = {"errors": [{"path": exc.where, "message": exc.what}]} if exc.where else {}
        return problem_response(422, str(exc), instance=path, **extra)
    for error_type, status in _STATUSES:
        if isinstance(exc, error_type):
            return problem_response(status, str(exc), instance=path)
    return None


async def _answer(request: Request, exc: Exception) -> Response:
    return response_for(exc, request.url.path)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    for error_type in (Problem, InputError, *(t for t, _ in _STATUSES)):
        app.add_exception_handler(error_type, _answer)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _validation(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        return problem_response(exc.status_code, detail, headers=exc.headers,
                                instance=request.url.path)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "the server failed on this request; it was logged",
                                instance=request.url.path)
