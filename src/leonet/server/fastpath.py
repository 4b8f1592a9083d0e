"""``POST /v1/decisions`` with a small JSON body, answered without FastAPI's per-request
machinery.

Single decisions are by far the busiest request, and for them FastAPI's routing, dependency
injection and per-route middleware cost about as much CPU as everything the request needs
(measured in-process: a route with our dependencies costs 0.12 ms before its first line, a
decision about 0.3 ms in all). This middleware answers exactly those requests itself, with
the functions the route uses: the token checked by `deps.authorize`, the answer built by
`routes.decisions.answer`, errors as the same problem documents. Anything else (a query
string, Arrow, a body without a length or over 64 KiB) goes on to the route.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from leonet.server import problems
from leonet.server.deps import authorize
from leonet.server.limits import BodyClock
from leonet.server.permissions import Permission
from leonet.server.routes.decisions import answer
from leonet.server.state import ServiceState

PATH = "/v1/decisions"
_SMALL_BODY = 64 * 1024


class FastDecisions:
    """Pure ASGI middleware in front of the application (see the module docstring)."""

    def __init__(self, app: ASGIApp, state: ServiceState, max_body_bytes: int) -> None:
        self.app = app
        self.state = state
        self.max_body = min(_SMALL_BODY, max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST"
                or scope["query_string"]):
            await self.app(scope, receive, send)
            return
        found: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            found.setdefault(name, value)  # the first of repeated headers, as Starlette reads
        length = found.get(b"content-length", b"")
        content_type = found.get(b"content-type", b"application/json").decode("latin-1")
        if (b"transfer-encoding" in found or not length.isdigit()
                or int(length) > self.max_body
                or content_type.split(";")[0].strip().lower() != "application/json"):
            await self.app(scope, receive, send)
            return
        authorization = found.get(b"authorization")
        try:
            caller = authorize(self.state,
                               None if authorization is None else authorization.decode("latin-1"),
                               Permission.DECISIONS)
            body = await _body(receive)
            response = await answer(caller, body, content_type, explain=False)
        except ClientDisconnect:
            return
        except HTTPException as exc:  # a body that stopped arriving (408)
            response = problems.problem_response(exc.status_code, exc.detail,
                                                 headers=exc.headers, instance=PATH)
        except Exception as exc:
            response = problems.response_for(exc, PATH)
            if response is None:
                raise  # a crash: the application's error handler logs it and answers 500
        await response(scope, receive, send)


async def _body(receive: Receive) -> bytes:
    chunks = []
    # Timed as on every other route: a client trickling a small body cannot hold a
    # connection (found by the hostile load in benchmarks/bench_service_load.py).
    clock = BodyClock(receive)
    while True:
        message = await clock.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
