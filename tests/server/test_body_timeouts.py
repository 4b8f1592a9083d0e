"""Issue 17 E: a body that stops arriving gets a 408 and the connection closes, on the fast
decision path (small JSON bodies) as on every routed request. The timeout is set to 0 so
that the test waits for nothing: the first read that is not already there times out."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from leonet.server import limits

from .conftest import auth


def _call(app, token: str, path: str, declared_bytes: int) -> tuple[int, dict, dict]:
    """Send the head of a POST declaring ``declared_bytes``, then nothing: the status, the
    headers and the problem document of the answer."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"test"), (b"content-type", b"application/json"),
                    (b"content-length", str(declared_bytes).encode()),
                    *[(k.lower().encode(), v.encode()) for k, v in auth(token).items()]],
    }
    sent: list[dict] = []

    async def run() -> None:
        never = asyncio.get_running_loop().create_future()

        async def receive() -> dict:
            return await never  # the rest of the body never comes

        async def send(message: dict) -> None:
            sent.append(message)

        # Bounded, so that a path without the timeout fails instead of hanging.
        await asyncio.wait_for(app(scope, receive, send), 30)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, orjson.loads(body)


@pytest.mark.parametrize(("path", "declared"), [
    ("/v1/decisions", 2_000),  # small JSON: the fast path reads it
    ("/v1/decisions", 1_000_000),  # past the fast path's 64 KiB: the route reads it
    ("/v1/terminals", 500),  # any other route
])
def test_a_stalled_body_gets_408_and_the_connection_closes(app, world, monkeypatch, path,
                                                           declared):
    monkeypatch.setattr(limits, "READ_TIMEOUT_S", 0)
    status, headers, problem = _call(app, world["support"], path, declared)
    assert status == 408
    assert headers.get("connection") == "close"
    assert "no part of the body arrived" in problem["detail"]
