"""Telemetry ingestion, detection, incidents and suspension over the real API and registry."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from leonet.control.registry import audit
from leonet.control.registry.telemetry import verify_store
from leonet.server.routes.detection import store_of

from .conftest import auth

T = ["2026-02-03T10:00:00Z", "2026-02-03T10:10:00Z", "2026-02-03T10:20:00Z"]
CRIMEA = (44.9521, 34.1024)
KYIV = (50.4501, 30.5234)


def _columns(ids, times, lat, lon, **extra):
    cols = {"terminal_id": ids, "time": times, "lat_deg": lat, "lon_deg": lon,
            "alt_m": [0] * len(ids), "speed_kmh": [0] * len(ids)}
    cols.update(extra)
    return {"columns": cols}


def _post(client, token, body=None, **kw):
    return client.post("/v1/telemetry", json=body, headers=auth(token), **kw)


def test_bad_rows_are_reported_the_rest_stored_and_nothing_lost(app, client, world):
    body = _columns(["UT-A", "UT-A", "UT-B", "GHOST", "UT-C", "UT-C"],
                    [T[0], T[1], "yesterday", T[0], T[0], T[0]],
                    [CRIMEA[0], CRIMEA[0], 50.0, 50.0, 95.0, KYIV[0]],
                    [CRIMEA[1], "east", 30.0, 30.0, 30.0, KYIV[1]])
    r = _post(client, world["support"], body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["rows_received"] == 6 and out["rows_stored"] == 2
    got = {(e["row"], e["field"]): e for e in out["issues"]}
    assert got[(1, "lon_deg")]["reason"] == "expected a number, got 'east'"
    assert got[(1, "lon_deg")]["pointer"] == "/columns/lon_deg/1"
    assert "cannot read 'yesterday' as a time" in got[(2, "time")]["reason"]
    assert got[(3, "terminal_id")]["reason"] == "unknown terminal: not in the registry"
    assert "latitude 95 is off the globe" in got[(4, "lat_deg")]["reason"]
    assert all(e["dropped"] for e in out["issues"])
    batch = out["batch"]
    assert batch["rows"] == 2 and batch["rows_dropped"] == 4 and batch["received_by"] == \
        "support-1"
    # The same rows again: nothing new is stored, and the answer says why.
    again = _post(client, world["support"], _columns(["UT-A"], [T[0]], [CRIMEA[0]],
                                                     [CRIMEA[1]]))
    assert again.status_code == 200 and again.json()["rows_stored"] == 0
    assert again.json()["issues"][0]["reason"].startswith("already stored")
    # A later report, then an older one for the same terminal: kept, noted as out of order.
    _post(client, world["support"], _columns(["UT-A"], [T[2]], [CRIMEA[0]], [CRIMEA[1]]))
    late = _post(client, world["support"], _columns(["UT-A"], ["2026-02-03T09:00:00Z"],
                                                    [CRIMEA[0]], [CRIMEA[1]]))
    assert late.status_code == 201
    assert "out of order" in late.json()["issues"][0]["reason"]
    assert not late.json()["issues"][0]["dropped"]
    # Nothing storable: 422 with every reason, and the store unchanged.
    bad = _post(client, world["support"], _columns(["UT-A"], [T[0]], [91.0], [0.0]))
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert "latitude 91 is off the globe" in bad.json()["errors"][0]["message"]
    read = client.get("/v1/telemetry", params={"terminal_id": "UT-A"},
                      headers=auth(world["auditor"]))
    assert read.status_code == 200
    cols = read.json()["columns"]
    assert cols["time"] == ["2026-02-03T09:00:00.000000000Z", "2026-02-03T10:00:00.000000000Z",
                            "2026-02-03T10:20:00.000000000Z"]
    batches = client.get("/v1/telemetry/batches", headers=auth(world["auditor"])).json()
    assert [b["rows"] for b in batches] == [2, 1, 1]
    db = app.state.leonet.db
    assert verify_store(db, store_of(app.state.leonet)) == []
    with db.read() as session:
        entries = [e for e in audit.entries_after(session, 0) if e.action == "telemetry.ingest"]
        assert len(entries) == 3 and batches[0]["sha256"] in entries[0].detail
        assert audit.verify(session).ok


def test_arrow_and_parquet_bodies_and_a_corrupt_block(app, client, world):
    n = 3000
    t = pa.array(np.datetime64("2026-02-03T00:00:00", "ns") + np.arange(n)
                 * np.timedelta64(1, "s"), type=pa.timestamp("ns", tz="UTC"))
    table = pa.table({"terminal_id": ["UT-C"] * n, "time": t, "lat_deg": np.full(n, KYIV[0]),
                      "lon_deg": np.full(n, KYIV[1]), "alt_m": np.zeros(n),
                      "speed_kmh": np.zeros(n)})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table.slice(0, 1000))
    r = client.post("/v1/telemetry", content=sink.getvalue().to_pybytes(), headers={
        **auth(world["support"]), "Content-Type": "application/vnd.apache.arrow.stream"})
    assert r.status_code == 201 and r.json()["rows_stored"] == 1000
    buf = io.BytesIO()
    pq.write_table(table.slice(1000), buf, row_group_size=1000, write_page_checksum=True,
                   compression="zstd")
    meta = pq.ParquetFile(io.BytesIO(buf.getvalue())).metadata
    data = bytearray(buf.getvalue())
    start = meta.row_group(1).column(2).data_page_offset
    data[start + 20:start + 40] = bytes(b ^ 0xFF for b in data[start + 20:start + 40])
    r = client.post("/v1/telemetry", content=bytes(data), headers={
        **auth(world["support"]), "Content-Type": "application/vnd.apache.parquet"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["rows_received"] == 2000 and out["rows_stored"] == 1000
    (issue,) = out["issues"]
    assert issue["row"] == 1000 and issue["n_rows"] == 1000 and issue["dropped"]
    assert "unreadable block (row group 1 of 2)" in issue["reason"]
    junk = client.post("/v1/telemetry", content=b"PAR1 not parquet", headers={
        **auth(world["support"]), "Content-Type": "application/vnd.apache.parquet"})
    assert junk.status_code == 422
    bad_type = client.post("/v1/telemetry", content=b"x", headers={
        **auth(world["support"]), "Content-Type": "text/csv"})
    assert bad_type.status_code == 415
    rows = client.get("/v1/telemetry", params={"terminal_id": "UT-C", "limit": 5000},
                      headers=auth(world["support"])).json()
    assert rows["n_rows"] == 2000


POLICY = """version = "v-detect"
default = "deny"
[[rules]]
id = "ua-activated"
effect = "allow"
regions = ["UA"]
[[rules]]
id = "crimea-not-activated"
effect = "deny"
regions = ["crimea"]
"""


def _activate(client, world):
    up = client.post("/v1/policies", json={"document": POLICY}, headers=auth(
        world["policy_author"]))
    assert up.status_code == 201, up.text
    act = client.post(f"/v1/policies/{up.json()['id']}/activate", json={"reason": "test"},
                      headers=auth(world["policy_approver"]))
    assert act.status_code == 200, act.text


def test_detection_then_suspension_under_the_two_person_rule(app, client, world):
    _activate(client, world)
    r = _post(client, world["support"], _columns(
        ["UT-A", "UT-A", "UT-C"], [T[0], T[1], T[0]], [CRIMEA[0], CRIMEA[0], KYIV[0]],
        [CRIMEA[1], CRIMEA[1], KYIV[1]]))
    assert r.status_code == 201
    run = client.post("/v1/detections", json={"kinds": ["denied_region"]},
                      headers=auth(world["support"]))
    assert run.status_code == 201, run.text
    out = run.json()
    assert out["incidents_new"] == 1 and out["by_kind"] == {"denied_region": 1}
    (inc,) = out["incidents"]
    assert inc["terminal_id"] == "UT-A" and inc["rule"] == "crimea-not-activated"
    assert inc["n_reports"] == 2 and inc["status"] == "open"
    # Running again finds the same incident and stores nothing new.
    assert client.post("/v1/detections", json={"kinds": ["denied_region"]},
                       headers=auth(world["support"])).json()["incidents_new"] == 0
    req = client.post(f"/v1/incidents/{inc['id']}/suspension-requests",
                      json={"reason": "used in Crimea"}, headers=auth(world["support"]))
    assert req.status_code == 201, req.text
    rid = req.json()["id"]
    same = client.post(f"/v1/suspension-requests/{rid}/approve", json={"reason": "ok"},
                       headers={**auth(world["support"]), "If-Match": '"1"'})
    assert same.status_code == 409 and "two-person rule" in same.json()["detail"]
    stale = client.post(f"/v1/suspension-requests/{rid}/approve", json={"reason": "ok"},
                        headers={**auth(world["admin"]), "If-Match": '"7"'})
    assert stale.status_code == 412
    ok = client.post(f"/v1/suspension-requests/{rid}/approve", json={"reason": "confirmed"},
                     headers={**auth(world["admin"]), "If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "approved" and ok.json()["decided_by"] == "root"
    terminal = client.get("/v1/terminals/UT-A", headers=auth(world["support"])).json()
    assert terminal["status"] == "suspended"
    inc_now = client.get(f"/v1/incidents/{inc['id']}", headers=auth(world["auditor"]))
    assert inc_now.json()["status"] == "suspended" and inc_now.headers["etag"] == '"3"'
    with app.state.leonet.db.read() as session:
        actions = [e.action for e in audit.entries_after(session, 0)]
        assert audit.verify(session).ok
    assert actions[-3:] == ["suspension.request", "terminal.update", "suspension.approve"]
    assert "detection.run" in actions


def test_reject_and_dismiss(app, client, world):
    _activate(client, world)
    _post(client, world["support"], _columns(["UT-B", "UT-C"], [T[0], T[0]],
                                             [CRIMEA[0], CRIMEA[0]], [CRIMEA[1], CRIMEA[1]]))
    out = client.post("/v1/detections", json={}, headers=auth(world["admin"])).json()
    first, second = out["incidents"]
    rid = client.post(f"/v1/incidents/{first['id']}/suspension-requests",
                      json={"reason": "x"}, headers=auth(world["admin"])).json()["id"]
    no = client.post(f"/v1/suspension-requests/{rid}/reject", json={"reason": "not enough"},
                     headers={**auth(world["support"]), "If-Match": '"1"'})
    assert no.status_code == 200 and no.json()["status"] == "rejected"
    assert client.get(f"/v1/incidents/{first['id']}",
                      headers=auth(world["auditor"])).json()["status"] == "open"
    gone = client.post(f"/v1/incidents/{second['id']}/dismiss", json={"reason": "test kit"},
                       headers={**auth(world["support"]), "If-Match": '"1"'})
    assert gone.status_code == 200 and gone.json()["status"] == "dismissed"
    listed = client.get("/v1/incidents", params={"status": "dismissed"},
                        headers=auth(world["auditor"])).json()
    assert [i["id"] for i in listed] == [second["id"]]
    assert client.get("/v1/suspension-requests", params={"status": "rejected"},
                      headers=auth(world["auditor"])).json()[0]["id"] == rid


def test_tampered_batch_file_is_found(app, client, world):
    _post(client, world["support"], _columns(["UT-C"], [T[0]], [KYIV[0]], [KYIV[1]]))
    store = store_of(app.state.leonet)
    (path,) = list(store.dir.glob("*.parquet"))
    data = bytearray(path.read_bytes())
    data[10] ^= 1
    path.write_bytes(bytes(data))
    (store.dir / "0000000099.parquet").write_bytes(b"x")
    problems = verify_store(app.state.leonet.db, store)
    assert problems == [f"{path.name}: changed since it was stored (SHA-256 differs)",
                        "0000000099.parquet: not in the registry (an orphan of a batch that "
                        "never committed, or added by hand)"]


def test_detection_config_and_window_are_checked(client, world):
    bad = client.post("/v1/detections", json={"config": {"max_travel_speed": 900}},
                      headers=auth(world["support"]))
    assert bad.status_code == 422
    assert "/config: unknown setting 'max_travel_speed'; did you mean" in bad.json()["detail"]
    window = client.post("/v1/detections", json={"start": "2026-02-04T00:00:00Z",
                                                 "end": "2026-02-03T00:00:00Z"},
                         headers=auth(world["support"]))
    assert window.status_code == 422 and "start must be before end" in window.json()["detail"]
    ok = client.post("/v1/detections", json={"config": {"max_travel_speed_kmh": 900},
                                             "kinds": ["impossible_travel"]},
                     headers=auth(world["support"]))
    assert ok.status_code == 201 and ok.json()["rows"] == 0
    everything = client.get("/v1/telemetry", headers=auth(world["support"]))
    assert everything.status_code == 422 and "name terminals" in everything.json()["detail"]
    naive = client.get("/v1/telemetry", params={"start": "2026-02-03T00:00:00"},
                       headers=auth(world["support"]))
    assert naive.status_code == 422 and "give a time zone" in naive.json()["detail"]


def test_cli_verifies_the_store(app, client, world, settings, capsys):
    from leonet.cli import main

    _post(client, world["support"], _columns(["UT-C"], [T[0]], [KYIV[0]], [KYIV[1]]))
    args = ["telemetry", "verify", "--db", settings.database_url, "--store",
            settings.telemetry_dir]
    assert main(args) == 0
    assert "every batch present and unchanged" in capsys.readouterr().out
    (path,) = list(store_of(app.state.leonet).dir.glob("*.parquet"))
    path.unlink()
    assert main(args) == 1
    assert f"{path.name}: missing (the registry records it)" in capsys.readouterr().out


OCCUPIED_POLICY = """version = "v-occupied"
default = "deny"
[[rules]]
id = "ua-activated"
effect = "allow"
regions = ["UA"]
[[rules]]
id = "occupied-denied"
effect = "deny"
regions = ["ua-occupied"]
unless_whitelisted = true
"""


def test_registry_whitelist_verifications_reach_the_detectors(client, world):
    up = client.post("/v1/policies", json={"document": OCCUPIED_POLICY},
                     headers=auth(world["policy_author"]))
    client.post(f"/v1/policies/{up.json()['id']}/activate", json={"reason": "t"},
                headers=auth(world["policy_approver"]))
    # UT-B is verified for the occupied area (since before the reports), UT-C only for
    # Poland: both report from Melitopol; only UT-C is in a region denied to it.
    for terminal, region in (("UT-B", "ua-occupied"), ("UT-C", "PL")):
        r = client.post("/v1/whitelist-verifications", json={
            "terminal_id": terminal, "region": region, "evidence_ref": "unit roster",
            "verified_at": "2026-01-01T00:00:00Z"}, headers=auth(world["support"]))
        assert r.status_code == 201, r.text
    melitopol = (46.8489, 35.3676)
    _post(client, world["support"], _columns(["UT-B", "UT-C"], [T[0], T[0]],
                                             [melitopol[0]] * 2, [melitopol[1]] * 2))
    out = client.post("/v1/detections", json={"kinds": ["denied_region"]},
                      headers=auth(world["support"])).json()
    assert [i["terminal_id"] for i in out["incidents"]] == ["UT-C"]
    assert out["incidents"][0]["rule"] == "occupied-denied"


def test_gnss_altitudes_and_heights_above_ground_through_the_api(client, world):
    # UT-B flies at 1,000 m above sea level and 150 km/h over Kyiv (ground: 128 m on the
    # P.1511 grid): drone-like. UT-C stands in Kyiv at the city's 179 m, reporting its
    # height above ground (1.5 m): nothing. No policy limits altitude: no altitude_limit.
    times = [*T, "2026-02-03T10:30:00Z"]
    body = _columns(["UT-B"] * 4 + ["UT-C"] * 4, times * 2, [KYIV[0] + 0.01 * k
                    for k in range(4)] + [KYIV[0]] * 4, [KYIV[1]] * 8,
                    alt_m=[1000.0] * 4 + [179.0] * 4, speed_kmh=[150.0] * 4 + [0.0] * 4,
                    height_agl_m=[None] * 4 + [1.5] * 4)
    r = _post(client, world["support"], body)
    assert r.status_code == 201, r.text
    read = client.get("/v1/telemetry", params={"terminal_id": ["UT-B", "UT-C"]},
                      headers=auth(world["auditor"])).json()["columns"]
    assert read["height_agl_m"] == [None] * 4 + [1.5] * 4
    run = client.post("/v1/detections", json={"kinds": ["altitude_limit", "drone_like"]},
                      headers=auth(world["support"]))
    assert run.status_code == 201, run.text
    out = run.json()
    assert out["by_kind"] == {"drone_like": 1}
    assert out["incidents"][0]["terminal_id"] == "UT-B"
    assert "GNSS altitude 1,000 m above sea level over ground at" in out["incidents"][0][
        "evidence"]
