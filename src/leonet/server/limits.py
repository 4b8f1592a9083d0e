"""Refuse request bodies over a size limit with 413, before reading them into memory.

A declared ``Content-Length`` over the limit is refused at once; a chunked body is counted
as it arrives and refused as soon as it passes the limit.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leonet.server.problems import problem_response


class BodyLimitMiddleware:
    """Pure ASGI middleware (no per-request task, unlike ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0:
                    response = problem_response(400, "Content-Length is not a number")
                    await response(scope, receive, send)
                    return
                if declared > limit:
                    response = problem_response(
                        413, f"the body has {declared} bytes; the limit is {limit} bytes "
                        "(split the batch, or send Arrow which is smaller)")
                    await response(scope, receive, send)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"the body is over the limit of {limit} bytes")
            return message

        await self.app(scope, counted, send)
