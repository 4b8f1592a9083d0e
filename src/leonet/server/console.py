"""The operator's console at ``/dashboard/``: the built front-end's ``console.html`` (from
``web/``, see `leonet.server.dashboard.assets`) over the REST API's own routes, with the token
login done in the page. The page and its assets need no token (they hold no data); every
request for data carries the bearer token the user typed, and the routes check it.

Every file under ``/dashboard/`` is sent with a strict Content-Security-Policy: scripts,
styles and connections from this origin only, no inline script, no framing.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from leonet.server.dashboard.assets import STATIC_DIR
from leonet.server.problems import Problem

PREFIX = "/dashboard"
PAGE = "console.html"
# 'self' only: the built page loads its module script and stylesheet from /dashboard/assets/
# and talks to /v1/ on the same origin; `data:` images for the empty favicon only.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


class _ConsoleFiles(StaticFiles):
    """Static files with the console's security headers on every answer."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result,
                      scope: Scope, status_code: int = 200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(HEADERS)
        return response


def install(app: FastAPI, static: Path = STATIC_DIR) -> None:
    """Serve the console under `PREFIX` when the front-end is built; otherwise its page
    answers 503 saying how to build it (the API works either way)."""

    @app.get(PREFIX, include_in_schema=False)
    def to_console() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=308)

    @app.get(f"{PREFIX}/", include_in_schema=False)
    def console() -> FileResponse:
        page = static / PAGE
        if not page.is_file():
            raise Problem(503, f"the console's front-end is not built ({static} has no {PAGE}): "
                               "run `make web`, then restart `leonet serve`")
        return FileResponse(page, headers={**HEADERS, "Cache-Control": "no-cache"})

    if (static / PAGE).is_file():
        app.mount(PREFIX, _ConsoleFiles(directory=str(static)), name="console")
