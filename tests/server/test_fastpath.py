"""The decision fast path (`leonet.server.fastpath`) answers exactly as the route does.

A query string sends a request to the FastAPI route instead (``?explain=false`` changes
nothing else), so each request below is sent both ways and the answers compared.
"""

from __future__ import annotations

import pytest

from leonet.server import fastpath

from .conftest import auth
from .test_decisions import KYIV, WARSAW, T, _activate

ROW = {"terminal_id": "UT-A", "time": T, "lat_deg": KYIV[0], "lon_deg": KYIV[1],
       "speed_kmh": 120}
BATCH = {"columns": {"terminal_id": ["UT-A", "UT-C", "UT-A"], "time": T,
                     "lat_deg": [KYIV[0], WARSAW[0], KYIV[0]],
                     "lon_deg": [KYIV[1], WARSAW[1], KYIV[1]]}}
CASES = {
    "one row": ("support", ROW),
    "a batch": ("support", BATCH),
    "no token": (None, ROW),
    "bad token": ("lnt_1_nope", ROW),
    "not a bearer token": ("basic", ROW),
    "role without the right": ("policy_author", ROW),
    "sponsor asks about another's terminal": ("sponsor", {**ROW, "terminal_id": "UT-C"}),
    "unknown terminal": ("support", {**ROW, "terminal_id": "UT-NOPE"}),
    "latitude off the globe": ("support", {**ROW, "lat_deg": 95}),
    "not JSON": ("support", b"{not json"),
    "a list": ("support", [ROW]),
}


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """Counts the requests the fast path answers itself."""
    calls: list[int] = []
    real = fastpath.answer

    async def answer(*args, **kwargs):
        calls.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(fastpath, "answer", answer)
    return calls


def _send(client, world, who, body, query: str = ""):
    if who is None:
        headers = {}
    elif who == "basic":
        headers = {"Authorization": "Basic YWRtaW46YWRtaW4="}
    else:
        headers = auth(world.get(who, who))
    headers["Content-Type"] = "application/json"
    if isinstance(body, bytes):
        return client.post(f"/v1/decisions{query}", content=body, headers=headers)
    return client.post(f"/v1/decisions{query}", json=body, headers=headers)


@pytest.mark.parametrize("case", CASES)
def test_fast_path_answers_as_the_route(client, world, counted, case):
    _activate(client, world)
    who, body = CASES[case]
    fast = _send(client, world, who, body)
    routed = _send(client, world, who, body, "?explain=false")
    assert (fast.status_code, fast.headers["content-type"]) == \
        (routed.status_code, routed.headers["content-type"])
    assert fast.json() == routed.json()
    for header in ("www-authenticate", "server-timing"):
        assert (header in fast.headers) == (header in routed.headers)
    if fast.headers.get("www-authenticate"):
        assert fast.headers["www-authenticate"] == routed.headers["www-authenticate"]
    # Authorized requests reach the answer through the fast path, not the route.
    assert len(counted) == (1 if fast.status_code not in (401, 403) else 0)


def test_no_active_policy_is_409_either_way(client, world):
    fast = _send(client, world, "support", ROW)
    routed = _send(client, world, "support", ROW, "?explain=false")
    assert fast.status_code == routed.status_code == 409
    assert fast.json() == routed.json()


def test_other_requests_go_to_the_route(client, world, counted):
    _activate(client, world)
    headers = auth(world["support"])
    explained = client.post("/v1/decisions?explain=true", json=ROW, headers=headers)
    assert explained.status_code == 200 and "explanation" in explained.json()
    wrong_type = client.post("/v1/decisions", content=b"x", headers={
        **headers, "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    big = {"columns": {**BATCH["columns"], "lat_deg": [KYIV[0]] * 20_000,
                       "lon_deg": [KYIV[1]] * 20_000, "terminal_id": "UT-A"}}
    assert client.post("/v1/decisions", json=big, headers=headers).json()["n_rows"] == 20_000
    assert client.get("/v1/decisions", headers=headers).status_code == 405
    assert counted == []
