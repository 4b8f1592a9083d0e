"""The dashboard's coverage, terminal, event and incident routes against authorities: the
in-view counts against skyfield's elevations at a hand-picked cell, the percent covered and
availability against `leonet.api`'s regional coverage and capacity, the cell mesh against
H3's own boundaries, the terminals and served figures against the tables `leonet scenario
run` writes, a terminal's explanation against `leonet policy explain`; bad input as problems.
"""

from __future__ import annotations

import csv
import io
import shlex
from contextlib import redirect_stdout

import h3
import numpy as np
import pytest
from skyfield.api import EarthSatellite, load, wgs84

from leonet.api import Constellation, TimeGrid, region_cells, region_coverage
from leonet.cli import main
from leonet.physics.capacity import CLASSES
from leonet.regional.capacity import region_capacity
from leonet.reporting.scenario_data import write_tables

T = "2023-10-01T06:03:00Z"  # inside the 10-minute window from 06:00
WINDOW = "2023-10-01T06:00:00Z"
KYIV_RES5 = "851e6387fffffff"
# float32 positions (~0.5 m) and the two elevation codes can disagree on a satellite within
# this much of the mask; such satellites may count either way.
MASK_SLACK_DEG = 0.01


def _array(r, dtype) -> np.ndarray:
    assert r.status_code == 200, r.text
    shape = tuple(int(s) for s in r.headers["X-Shape"].split(","))
    return np.frombuffer(r.content, dtype=dtype).reshape(shape)


def _mesh(api, region: str, res: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = {"region": region, "res": res}
    return (_array(api.get("/api/coverage/mesh", params={**q, "part": "vertices"}), "<f4"),
            _array(api.get("/api/coverage/mesh", params={**q, "part": "triangles"}), "<u4"),
            _array(api.get("/api/coverage/mesh", params={**q, "part": "cells"}), "<u4"))


def test_mesh_is_h3s_boundaries_fanned(api) -> None:
    lonlat, tri, cell = _mesh(api, f"h3:{KYIV_RES5}", 5)
    boundary = np.array(h3.cell_to_boundary(KYIV_RES5))[:, ::-1]
    assert np.abs(lonlat - boundary).max() < 1e-5  # float32 degrees
    assert tri.tolist() == [[0, 1, 2], [0, 2, 3], [0, 3, 4], [0, 4, 5]]
    assert cell.tolist() == [0] * 6


def test_ukraine_mesh_covers_every_cell(api) -> None:
    lonlat, tri, cell = _mesh(api, "UA", 5)
    ua = region_cells("UA", 5)
    n_cells = len(ua)
    assert 2_000 < n_cells < 3_000  # the "≈ 2,500 cells"
    assert cell.max() == n_cells - 1 and np.all(np.diff(cell.astype(np.int64)) >= 0)
    assert tri.max() < len(lonlat)
    # Each triangle's corners belong to one cell, a fan of n - 2 triangles over its n boundary
    # vertices (6 for a hexagon; more where an icosahedron edge crosses a class III cell).
    assert np.all(cell[tri[:, 0]] == cell[tri[:, 2]])
    sizes = [len(h3.cell_to_boundary(c)) for c in ua.ids]
    assert len(lonlat) == sum(sizes) and len(tri) == sum(sizes) - 2 * n_cells
    # Inside Ukraine's bounding box.
    assert lonlat[:, 0].min() > 21.5 and lonlat[:, 0].max() < 41.0
    assert lonlat[:, 1].min() > 43.5 and lonlat[:, 1].max() < 53.0


def test_in_view_matches_skyfield_elevations(api, view) -> None:
    counts = _array(api.get("/api/coverage", params={
        "region": f"h3:{KYIV_RES5}", "res": 5, "figure": "in_view", "time": T}), "u1")
    assert counts.shape == (41, 1)
    lat, lon = h3.cell_to_latlng(KYIV_RES5)
    ts = load.timescale(builtin=True)
    samples = [0, 20, 40]
    t = ts.utc(2023, 10, 1, 6, 0, np.array(samples) * 15.0)
    site = wgs84.latlon(lat, lon)
    elev = np.array([(EarthSatellite.from_satrec(s, ts) - site).at(t).altaz()[0].degrees
                     for s in view.sats.satrecs])  # (n_sats, n_samples)
    mask = view.scenario.min_elevation_deg
    for j, k in enumerate(samples):
        surely = int(np.sum(elev[:, j] >= mask + MASK_SLACK_DEG))
        maybe = int(np.sum(elev[:, j] >= mask - MASK_SLACK_DEG))
        assert surely <= counts[k, 0] <= maybe
        assert surely > 5  # a 4,408-satellite constellation over Kyiv


def test_percent_covered_agrees_with_region_coverage(api, view) -> None:
    pct = _array(api.get("/api/coverage", params={
        "region": "UA", "res": 4, "figure": "percent_covered", "time": T}), "u1")
    cells = region_cells("UA", 4)
    grid = TimeGrid.range(WINDOW, "600s", "15s")
    ref = region_coverage(cells, Constellation.load(view.scenario.constellation), grid,
                          min_elevation_deg=view.scenario.min_elevation_deg)
    assert pct.shape == (1, len(cells))
    assert np.array_equal(pct[0], np.rint(ref.coverage.percent_covered).astype(np.uint8))


def test_availability_agrees_with_region_capacity(api, view) -> None:
    r = api.get("/api/coverage", params={"region": "UA", "res": 4, "figure": "availability",
                                         "time": T})
    got = _array(r, "u1")
    assert r.headers["X-Start"] == WINDOW
    in_force = view.scenario.policies[view.policy_at(int(np.datetime64(WINDOW[:-1], "ns")
                                                         .astype(np.int64)))]
    cap = region_capacity(region_cells("UA", 4), view.sats, TimeGrid.range(WINDOW, "600s", "60s"),
                          policy_file=in_force.path,
                          min_elevation_deg=view.scenario.min_elevation_deg)
    names = np.array(CLASSES, dtype=object)[got[0]]
    assert np.array_equal(names, cap.capacity.availability.astype(object))


@pytest.mark.parametrize(("params", "status", "where"), [
    ({"region": "UA", "res": 7, "figure": "in_view", "time": T}, 422, "res"),
    ({"region": "UA", "res": 5, "figure": "snow", "time": T}, 422, "figure"),
    ({"region": "Narnia", "res": 5, "figure": "in_view", "time": T}, 422, "region"),
    ({"region": "cells:/etc/passwd", "res": 5, "figure": "in_view", "time": T}, 422, "files"),
    ({"region": "land", "res": 5, "figure": "in_view", "time": T}, 422, "100,000"),
    ({"region": "UA", "res": 5, "figure": "in_view", "time": "1999-01-01T00:00:00Z"}, 422,
     "outside the scenario's span"),
    ({"region": "UA", "res": 5, "figure": "in_view", "time": "yesterday"}, 422, "time"),
])
def test_bad_coverage_requests_are_problems(api, params, status, where) -> None:
    r = api.get("/api/coverage", params=params)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    assert where in r.json()["detail"]


@pytest.fixture(scope="module")
def tables(view, tmp_path_factory) -> dict[str, list[dict]]:
    """The tables `leonet scenario run` writes, from the dashboard's replay."""
    out = tmp_path_factory.mktemp("run")
    write_tables(view.replay.result, out)
    return {name: list(csv.DictReader(open(out / f"{name}.csv", encoding="utf-8")))
            for name in ("served", "events", "terminals", "incidents")}


def test_terminals_agree_with_the_served_table(api, view, tables) -> None:
    meta = api.get("/api/meta").json()
    allowed = np.array([r["allowed"] is True for r in meta["rules"]])
    for time in ("2022-03-15T12:00:00Z", "2024-03-01T12:00:00Z"):
        r = api.get("/api/terminals", params={"time": time})
        rows = _array(r, "<f4")
        instant = r.headers["X-Instant"]
        want_on = sum(int(x["terminals_on"]) for x in tables["served"] if x["time"] == instant)
        want_ok = sum(int(x["allowed"]) for x in tables["served"] if x["time"] == instant)
        assert instant <= time and len(rows) == want_on
        assert int(allowed[rows[:, 4].astype(int)].sum()) == want_ok


def test_served_agrees_with_the_served_table(api, tables) -> None:
    s = api.get("/api/served").json()
    for j, region in enumerate(s["regions"]):
        for k in (0, len(s["times"]) // 2, len(s["times"]) - 1):
            rows = [x for x in tables["served"]
                    if x["time"] == s["times"][k] and x["region"] == region]
            assert s["on"][j][k] == sum(int(x["terminals_on"]) for x in rows)
            assert s["allowed"][j][k] == sum(int(x["allowed"]) for x in rows)


def test_events_and_incidents_agree_with_the_tables(api, tables) -> None:
    events = api.get("/api/events").json()
    assert [(e["time"], e["kind"], e["name"]) for e in events] == [
        (x["time"], x["kind"], x["event"]) for x in tables["events"]]
    inc = api.get("/api/incidents").json()
    assert inc["total"] == len(tables["incidents"])
    first = tables["incidents"][0]
    assert (inc["incidents"][0]["terminal_id"], inc["incidents"][0]["evidence"]) == (
        first["terminal_id"], first["evidence"])
    ids = api.get("/api/terminals/ids").json()
    assert ids["ids"] == [x["terminal_id"] for x in tables["terminals"]]
    assert [x or "" for x in ids["suspended_from"]] == [
        x["suspended_from"] for x in tables["terminals"]]


def _cli_text(command: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(shlex.split(command)[1:]) in (0, None)
    return out.getvalue().rstrip("\n")


@pytest.mark.parametrize("time", ["2023-10-01T06:00:00Z", "2026-03-01T00:00:00Z"])
def test_terminal_explanation_is_policy_explain(api, tables, time) -> None:
    # A resident (still or driving) and, late in the scenario, a suspended terminal.
    suspended = [x["terminal_id"] for x in tables["terminals"]
                 if x["suspended_from"] and x["suspended_from"] < "2026-02-01"]
    tid = "residents-00000" if time < "2024" else suspended[0]
    e = api.get(f"/api/terminals/{tid}/explain", params={"time": time}).json()
    assert e["terminal_id"] == tid and e["command"].startswith("leonet policy explain")
    text = e["text"]
    if time > "2024":
        assert e["rule"] == "suspended" and not e["allowed"]
        head, text = text.split("\n", 1)
        assert head.startswith(f"Suspended since {e['suspended_from']}")
    assert text == _cli_text(e["command"])


def test_unknown_terminal_and_bad_time_are_problems(api) -> None:
    r = api.get("/api/terminals/nobody-00001/explain", params={"time": T})
    assert r.status_code == 404 and "nobody-00001" in r.json()["detail"]
    assert r.headers["content-type"].startswith("application/problem+json")
    r = api.get("/api/terminals", params={"time": "2090-01-01T00:00:00Z"})
    assert r.status_code == 422 and "outside the scenario's span" in r.json()["detail"]
    assert api.get("/api/terminals/" + "x" * 101 + "/explain",
                   params={"time": T}).status_code == 422
