"""POST /v1/decisions: the active policy and the registry's facts, one row or batches.

Expected answers are worked out by hand from the policy text below and places far from any
border (Kyiv, Lviv and Kharkiv are in Ukraine; Warsaw and Kraków are in Poland).
"""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from leonet.server.main import create_app
from leonet.server.settings import Settings

from .conftest import auth, make_world

POLICY = """
version = "decisions-1"
default = "deny"

[[rules]]
id = "ua-activated"
effect = "allow"
regions = ["UA"]
from = "2022-02-26T00:00:00Z"

[[rules]]
id = "ua-speed-cutoff"
effect = "deny"
regions = ["UA"]
speed_kmh_above = 90
unless_whitelisted = true
from = "2026-02-01T00:00:00Z"

[[rules]]
id = "unfunded-cutoff"
effect = "deny"
unfunded = true
"""
KYIV = (50.45, 30.52)
LVIV = (49.84, 24.03)
KHARKIV = (49.99, 36.23)
WARSAW = (52.23, 21.01)
KRAKOW = (50.06, 19.94)
T = "2026-02-10T12:00:00Z"


def _activate(client, world) -> None:
    r = client.post("/v1/policies", headers=auth(world["policy_author"]),
                    json={"document": POLICY})
    assert r.status_code == 201, r.text
    r = client.post(f"/v1/policies/{r.json()['id']}/activate",
                    headers=auth(world["policy_approver"]), json={"reason": "test"})
    assert r.status_code == 200, r.text


def _one(client, token, terminal="UT-C", where=KYIV, speed=0.0, time=T, explain=False):
    body = {"terminal_id": terminal, "time": time, "lat_deg": where[0], "lon_deg": where[1],
            "speed_kmh": speed}
    return client.post("/v1/decisions" + ("?explain=true" if explain else ""),
                       headers=auth(token), json=body)


@pytest.fixture
def active(client, world):
    _activate(client, world)
    return world


def test_no_active_policy_is_409(client, world):
    r = _one(client, world["support"])
    assert r.status_code == 409 and "no policy version is active" in r.json()["detail"]


def test_single_rows_by_hand(client, active):
    token = active["support"]
    cases = [
        (dict(), True, "ua-activated"),
        (dict(where=WARSAW), False, "default"),
        (dict(speed=120.0), False, "ua-speed-cutoff"),
        (dict(speed=90.0), True, "ua-activated"),  # "above 90": 90 itself is allowed
        (dict(time="2022-02-25T23:59:59Z"), False, "default"),  # before activation
        (dict(time="2022-02-26T00:00:00Z"), True, "ua-activated"),
        (dict(terminal="UT-A"), False, "unfunded-cutoff"),  # donated, nobody pays yet
    ]
    for kwargs, allowed, rule in cases:
        r = _one(client, token, **kwargs)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["allowed"], body["rule"]) == (allowed, rule), kwargs
        assert body["policy_version"] == "decisions-1"


def test_registry_facts_change_decisions_at_once(client, active):
    support, admin = auth(active["support"]), auth(active["admin"])
    # Whitelisting in Ukraine lifts the speed cut-off there.
    r = client.post("/v1/whitelist-verifications", headers=support,
                    json={"terminal_id": "UT-C", "region": "UA", "evidence_ref": "MoD-17",
                          "verified_at": "2026-01-01T00:00:00Z"})
    assert r.status_code == 201
    assert _one(client, active["support"], speed=120.0).json()["rule"] == "ua-activated"
    r = client.post(f"/v1/whitelist-verifications/{r.json()['id']}/revoke",
                    headers={**support, "If-Match": r.headers["etag"]}, json={"reason": "x"})
    assert r.status_code == 200
    # Revoked from now on: a decision for now is cut off, one for the past is not.
    now = "2030-01-01T00:00:00Z"
    assert _one(client, active["support"], speed=120.0, time=now).json()["rule"] == \
        "ua-speed-cutoff"
    assert _one(client, active["support"], speed=120.0).json()["rule"] == "ua-activated"
    # Funding: the sponsor pays for UT-A from 2026-02-01 until 2026-03-01.
    r = client.post("/v1/funding-agreements", headers=auth(active["sponsor"]),
                    json={"terminal_id": "UT-A", "valid_from": "2026-02-01T00:00:00Z",
                          "valid_until": "2026-03-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    assert _one(client, active["support"], "UT-A").json()["rule"] == "ua-activated"
    late = _one(client, active["support"], "UT-A", time="2026-03-01T00:00:00Z").json()
    assert late["rule"] == "unfunded-cutoff"
    # An unpaid balance makes a self-paying customer unfunded.
    r = client.patch("/v1/accounts/ACC-1", headers={**admin, "If-Match": '"1"'},
                     json={"balance_due_cents": 2500})
    assert r.status_code == 200
    assert _one(client, active["support"]).json()["rule"] == "unfunded-cutoff"
    # Only active terminals get service.
    r = client.patch("/v1/terminals/UT-A", headers={**support, "If-Match": '"1"'},
                     json={"status": "suspended", "reason": "emergency: stolen kit"})
    assert r.status_code == 200
    body = _one(client, active["support"], "UT-A", explain=True).json()
    assert (body["allowed"], body["rule"]) == (False, "status:suspended")
    assert "suspended" in body["explanation"]


def test_whitelisting_counts_only_in_its_region(client, active):
    support = auth(active["support"])
    r = client.post("/v1/whitelist-verifications", headers=support,
                    json={"terminal_id": "UT-C", "region": "PL", "evidence_ref": "PL-1",
                          "verified_at": "2026-01-01T00:00:00Z"})
    assert r.status_code == 201
    assert _one(client, active["support"], speed=120.0).json()["rule"] == "ua-speed-cutoff"
    r = client.post("/v1/whitelist-verifications", headers=support,
                    json={"terminal_id": "UT-C", "region": "Ukrane", "evidence_ref": "x"})
    assert r.status_code == 422 and "did you mean" in r.json()["detail"]


def test_explain_in_words(client, active):
    body = _one(client, active["support"], speed=120.0, explain=True).json()
    assert "ua-speed-cutoff" in body["explanation"]
    assert "DENIED" in body["explanation"].upper()


def _expected(lat, lon, speed, in_ua):
    allowed = in_ua & (speed <= 90)
    rule = np.where(~in_ua, "default", np.where(speed > 90, "ua-speed-cutoff", "ua-activated"))
    return allowed, rule


def _batch(n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    places = np.array([KYIV, LVIV, KHARKIV, WARSAW, KRAKOW])
    pick = rng.integers(0, len(places), n)
    # Jitter of at most 0.05° keeps every point tens of km inside its country.
    lat = places[pick, 0] + rng.uniform(-0.05, 0.05, n)
    lon = places[pick, 1] + rng.uniform(-0.05, 0.05, n)
    speed = rng.choice([0.0, 50.0, 90.0, 90.5, 300.0], n)
    return lat, lon, speed, pick < 3


def test_columnar_batch_of_10000_rows(client, active):
    lat, lon, speed, in_ua = _batch(10_000)
    body = {"columns": {"terminal_id": ["UT-C"] * 10_000, "time": T, "lat_deg": lat.tolist(),
                        "lon_deg": lon.tolist(), "speed_kmh": speed.tolist()}}
    r = client.post("/v1/decisions", headers=auth(active["auditor"]), json=body)
    assert r.status_code == 200, r.text
    answer = r.json()
    allowed, rule = _expected(lat, lon, speed, in_ua)
    assert answer["n_rows"] == 10_000
    assert answer["allowed"] == allowed.tolist()
    assert answer["rule"] == rule.tolist()


def test_arrow_batch_mixes_terminals(client, active):
    lat, lon, speed, in_ua = _batch(5000, seed=11)
    terminal = np.where(np.arange(5000) % 3 == 0, "UT-A", "UT-C")
    table = pa.table({
        "terminal_id": pa.array(terminal).dictionary_encode(),
        "time": pa.array(np.full(5000, np.datetime64(T[:-1], "ms")),
                         type=pa.timestamp("ms", tz="UTC")),
        "lat_deg": lat, "lon_deg": lon, "speed_kmh": speed,
    })
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    headers = {**auth(active["support"]), "Content-Type": "application/vnd.apache.arrow.stream"}
    r = client.post("/v1/decisions", headers=headers, content=sink.getvalue())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.apache.arrow.stream"
    out = pa.ipc.open_stream(r.content).read_all()
    allowed, rule = _expected(lat, lon, speed, in_ua)
    unfunded = terminal == "UT-A"  # donated by gov-a, no funding agreement
    rule = np.where(unfunded & (rule != "ua-speed-cutoff"), "unfunded-cutoff", rule)
    assert out.column("allowed").to_pylist() == (allowed & ~unfunded).tolist()
    assert out.column("rule").to_pylist() == rule.tolist()
    assert out.schema.metadata[b"policy_version"] == b"decisions-1"


def test_sponsor_decides_only_for_its_own_terminals(client, active):
    assert _one(client, active["sponsor"], "UT-A").status_code == 200
    r = _one(client, active["sponsor"], "UT-B")
    assert r.status_code == 422 and "unknown terminals: 'UT-B'" in r.json()["detail"]
    assert _one(client, active["sponsor_b"], "UT-B").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"terminal_id": "UT-404", "time": T, "lat_deg": 1, "lon_deg": 2}, 422,
         "unknown terminals: 'UT-404' (row 0)"),
        ({"columns": {"terminal_id": ["UT-C", "UT-X", "UT-C", "UT-Y"], "time": T,
                      "lat_deg": 1, "lon_deg": 2}}, 422,
         "'UT-X' (row 1), 'UT-Y' (row 3)"),
        ({"terminal_id": "UT-C", "time": "2026-02-10T12:00:00", "lat_deg": 1, "lon_deg": 2},
         422, "/time: cannot read '2026-02-10T12:00:00'"),
        ({"terminal_id": "UT-C", "time": T, "lat_deg": 91, "lon_deg": 2}, 422,
         "/lat_deg: 91.0 is outside [-90, 90]"),
        ({"columns": {"terminal_id": "UT-C", "time": T, "lat_deg": [1, 2, "x"],
                      "lon_deg": 2}}, 422, "/columns/lat_deg/2: expected a number"),
        ({"columns": {"terminal_id": "UT-C", "time": T, "lat_deg": [1, 2, 3],
                      "lon_deg": [1, 2]}}, 422, "has 2 rows but other columns have 3"),
        ({"columns": {"terminal_id": "UT-C", "time": T, "lat_deg": [1, 2], "lon_deg": [1, 2],
                      "speed_kmh": [0, float("nan")]}}, 400, "not valid JSON"),
        ({"terminal_id": "UT-C", "time": T, "lat_deg": 1}, 422, "/lon_deg: is required"),
        ({"terminal_id": "UT-C", "time": T, "lat_deg": 1, "lon_deg": 2, "sped": 3}, 422,
         "/sped: unknown column"),
        ({"columns": {"terminal_id": [], "time": T, "lat_deg": [], "lon_deg": []}}, 422,
         "the batch has no rows"),
        ([1, 2], 422, "expected a JSON object"),
    ],
)
def test_bad_decision_requests(client, active, body, status, words):
    import json

    content = json.dumps(body)  # writes NaN as the bare word NaN, which JSON does not allow
    r = client.post("/v1/decisions", headers={**auth(active["support"]),
                                              "Content-Type": "application/json"},
                    content=content)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert words in r.json()["detail"]


def test_wrong_media_type_and_broken_arrow(client, active):
    headers = auth(active["support"])
    r = client.post("/v1/decisions", headers={**headers, "Content-Type": "text/csv"},
                    content=b"a,b")
    assert r.status_code == 415
    r = client.post("/v1/decisions", headers={
        **headers, "Content-Type": "application/vnd.apache.arrow.stream"}, content=b"garbage")
    assert r.status_code == 400 and "Arrow" in r.json()["detail"]


def test_row_limit(database_url):
    app = create_app(Settings(database_url=database_url, max_batch_rows=100))
    with TestClient(app) as client:
        world = make_world(app.state.leonet.db)
        _activate(client, world)
        body = {"columns": {"terminal_id": "UT-C", "time": T, "lat_deg": [1.0] * 101,
                            "lon_deg": 2}}
        r = client.post("/v1/decisions", headers=auth(world["support"]), json=body)
        assert r.status_code == 413 and "limit is 100" in r.json()["detail"]
    app.state.leonet.db.dispose()


def test_concurrent_single_rows_batched_together_get_their_own_answers(app, client, active):
    import asyncio

    import httpx2

    rng = np.random.default_rng(5)
    lat, lon, speed, in_ua = _batch(300, seed=5)
    terminal = rng.choice(["UT-A", "UT-C"], 300)
    allowed, rule = _expected(lat, lon, speed, in_ua)
    rule = np.where((terminal == "UT-A") & (rule != "ua-speed-cutoff"), "unfunded-cutoff", rule)
    allowed &= terminal == "UT-C"

    async def run() -> list[dict]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as http:
            requests = [http.post("/v1/decisions", headers=auth(active["support"]), json={
                "terminal_id": str(terminal[i]), "time": T, "lat_deg": float(lat[i]),
                "lon_deg": float(lon[i]), "speed_kmh": float(speed[i])}) for i in range(300)]
            return [r.json() for r in await asyncio.gather(*requests)]

    answers = asyncio.run(run())
    assert [a["allowed"] for a in answers] == allowed.tolist()
    assert [a["rule"] for a in answers] == rule.tolist()
    assert [a["terminal_id"] for a in answers] == terminal.tolist()
