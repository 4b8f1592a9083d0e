"""Before a request body is read: authenticate, bound its size per route, bound its time.

* A request carrying a body to a route that needs a token is authenticated first: without a
  valid token it gets its 401 before one byte of the body is read (FastAPI reads and parses
  a JSON body before it resolves the dependency that checks the token).
* Each route has a body limit that fits it (`body_limit`): a terminal update is a few hundred
  bytes, a policy document at most `MAX_DOCUMENT_CHARS`, only decisions and telemetry take
  ``max_body_bytes``. A declared ``Content-Length`` over it is refused at once (413); a
  chunked body is counted as it arrives and refused as soon as it passes the limit.
* Each read of the body must arrive within `READ_TIMEOUT_S`, else 408: a client that sends
  half a body cannot hold a connection (and its memory) open.
"""

from __future__ import annotations

import asyncio

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leonet.control.policy.document import MAX_DOCUMENT_CHARS
from leonet.server.deps import authorize
from leonet.server.permissions import Permission
from leonet.server.problems import Problem, problem_response, response_for
from leonet.server.state import ServiceState

# A client on a slow link still sends 64 KB (one read) well within this; a stalled one is cut.
READ_TIMEOUT_S = 10.0
# Everything that is not a batch or a document: one record's fields, a reason, a comment.
SMALL_BODY_BYTES = 64 * 1024
# A policy document is JSON-escaped inside the upload, up to 6 bytes per character (\uXXXX).
POLICY_BODY_BYTES = 6 * MAX_DOCUMENT_CHARS + SMALL_BODY_BYTES
_PUBLIC = ("/healthz", "/docs", "/openapi.json")


def body_limit(method: str, path: str, max_body_bytes: int) -> int:
    """The most bytes a ``method`` request to ``path`` may carry."""
    if method == "POST" and path in ("/v1/decisions", "/v1/telemetry"):
        return max_body_bytes
    if method == "POST" and path == "/v1/policies":
        return min(POLICY_BODY_BYTES, max_body_bytes)
    return min(SMALL_BODY_BYTES, max_body_bytes)


class BodyLimitMiddleware:
    """Pure ASGI middleware (no per-request task, unlike ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp, state: ServiceState, max_body_bytes: int) -> None:
        self.app = app
        self.state = state
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["method"], scope["path"], self.max_body_bytes)
        declared = None
        authorization = None
        has_body = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = int(value) if value.isdigit() and len(value) < 19 else -1
                has_body = has_body or declared != 0
            elif name == b"transfer-encoding":
                has_body = True
            elif name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
        if has_body and scope["path"] not in _PUBLIC:
            try:
                authorize(self.state, authorization, Permission.WHOAMI)
            except Problem as exc:
                await response_for(exc, scope["path"])(scope, receive, send)
                return
        if declared is not None and declared < 0:
            await problem_response(400, "Content-Length is not a number")(scope, receive, send)
            return
        if declared is not None and declared > limit:
            response = problem_response(
                413, f"the body has {declared} bytes; the limit is {limit} bytes for "
                f"{scope['method']} {scope['path']}"
                + (" (split the batch, or send Arrow which is smaller)"
                   if limit == self.max_body_bytes else ""))
            await response(scope, receive, send)
            return
        seen = 0
        complete = False

        async def counted() -> Message:
            nonlocal seen, complete
            if complete:  # after the body: waits for a disconnect, untimed
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), READ_TIMEOUT_S)
            except TimeoutError:
                # HTTPException: FastAPI turns any other error while reading a body into 400.
                raise HTTPException(408, f"no part of the body arrived for {READ_TIMEOUT_S:g} s",
                                    headers={"Connection": "close"}) from None
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"the body is over the limit of {limit} bytes "
                                             f"for {scope['method']} {scope['path']}")
            return message

        await self.app(scope, counted, send)
