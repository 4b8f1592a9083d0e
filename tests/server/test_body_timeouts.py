"""Issue 17 E: a body that stops arriving, or trickles in a few bytes at a time, gets a 408
and the connection closes, on the fast decision path (small JSON bodies) as on every routed
request; a client that leaves mid-body is answered nothing and logged nothing. No test
waits: a stalled body meets a timeout of 0, a trickled one a clock that moves 1 s a read."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from leonet.server import limits

from .conftest import auth


def _scope(path: str, declared_bytes: int, token: str) -> dict:
    """An ASGI scope: a JSON POST to ``path`` declaring ``declared_bytes``, with ``token``."""
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"test"), (b"content-type", b"application/json"),
                    (b"content-length", str(declared_bytes).encode()),
                    *[(k.lower().encode(), v.encode()) for k, v in auth(token).items()]],
    }


def _call(app, token: str, path: str, declared_bytes: int,
          trickle: bool = False) -> tuple[int, dict, dict]:
    """Send the head of a POST declaring ``declared_bytes``, then nothing (or, ``trickle``,
    the body 16 bytes per read): the status, headers and problem document of the answer."""
    scope = _scope(path, declared_bytes, token)
    sent: list[dict] = []

    async def run() -> None:
        never = asyncio.get_running_loop().create_future()
        left = [declared_bytes]

        async def receive() -> dict:
            if not trickle:
                return await never  # the rest of the body never comes
            left[0] -= 16
            return {"type": "http.request", "body": b" " * 16, "more_body": left[0] > 0}

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
    assert "did not arrive in time" in problem["detail"]


class _Clock:
    """Moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1.0
        return self.now


@pytest.mark.parametrize(("path", "declared"), [
    ("/v1/decisions", 32_000),
    ("/v1/decisions", 160_000),
    ("/v1/terminals", 4_000),
])
def test_a_trickled_body_gets_408(app, world, monkeypatch, path, declared):
    # 16 bytes a second earn 0.03 s each: the 10 s the body starts with run out first.
    monkeypatch.setattr(limits, "time", _Clock())
    status, headers, problem = _call(app, world["support"], path, declared, trickle=True)
    assert status == 408
    assert headers.get("connection") == "close"
    assert "500 bytes/s" in problem["detail"]


def test_a_client_gone_mid_body_is_not_an_error(app, world, caplog):
    messages = iter([{"type": "http.request", "body": b"{", "more_body": True},
                     {"type": "http.disconnect"}])
    sent: list[dict] = []

    async def run() -> None:
        async def receive() -> dict:
            return next(messages)

        async def send(message: dict) -> None:
            sent.append(message)

        # Past the fast path's 64 KiB: the FastAPI route reads this one.
        await app(_scope("/v1/decisions", 1_000_000, world["support"]), receive, send)

    asyncio.run(run())
    assert sent == []
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
