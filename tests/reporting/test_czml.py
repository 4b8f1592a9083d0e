"""`leonet export czml`: positions against skyfield, links referencing their satellites and
shown only while up, ground sites, and the document loaded back by czml3."""

from __future__ import annotations

import json

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load
from skyfield.framelib import itrs

from leonet.cli import main
from leonet.physics.links import IslTopology
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid, iso_utc

czml3 = pytest.importorskip("czml3", reason="the czml extra is not installed")

ONE_METRE_M = 1.0


def _export(tmp_path, *extra: str) -> list[dict]:
    out = tmp_path / "sky.czml"
    assert main(["export", "czml", "starlink-gen1", "--start", "2026-08-22T00:00Z",
                 "--duration", "4m", "--step", "60s", "--out", str(out), *extra]) == 0
    text = out.read_text(encoding="utf-8")
    czml3.Document.model_validate_json(text)  # structurally valid: czml3 loads it back
    return json.loads(text)


def test_positions_match_skyfield(tmp_path) -> None:
    doc = _export(tmp_path, "--isl", "--ground-sites")
    sats = Constellation.load("starlink-gen1")
    by_id = {p["id"]: p for p in doc}
    assert doc[0]["id"] == "document"
    ts = load.timescale(builtin=True)
    t = ts.utc(2026, 8, 22, 0, 0, np.arange(5) * 60.0)
    for k in (0, 1000, 4407):
        pos = by_id[f"sat-{k + 1}"]["position"]
        assert pos["referenceFrame"] == "FIXED" and pos["epoch"].startswith("2026-08-22T00:00")
        samples = np.array(pos["cartesian"]).reshape(-1, 4)
        assert np.allclose(samples[:, 0], np.arange(5) * 60.0)
        ref_m = EarthSatellite.from_satrec(sats.satrecs[k], ts).at(t).frame_xyz(itrs).m.T
        assert np.abs(samples[:, 1:] - ref_m).max() < ONE_METRE_M
    links = [p for p in doc if p["id"].startswith("isl-")]
    assert len(links) == 2 * len(sats)  # +Grid on Walker shells: four lasers a satellite
    for link in links[:50]:
        refs = link["polyline"]["positions"]["references"]
        assert all(r.removesuffix("#position") in by_id for r in refs)
    assert sum(p["id"].startswith("pop-") for p in doc) == 23


def test_links_show_only_while_up() -> None:
    from leonet.reporting.czml import czml_text

    sats = Constellation.load("starlink-gen1")[:2]
    grid = TimeGrid.range("2026-08-22T00:00Z", "10m", "60s")
    r = sats.propagate(grid).r_ecef_km
    gap_km = np.linalg.norm(r[:, 0] - r[:, 1], axis=1)
    # A laser range between the shortest and the longest distance: the link comes and goes.
    limit = float(np.median(gap_km))
    doc = json.loads(czml_text(sats, grid, isls=IslTopology([0], [1], 2, max_range_km=limit)))
    shows = doc[-1]["polyline"]["show"]
    expected = gap_km <= limit
    index = {str(t): k for k, t in enumerate(iso_utc(grid.utc, "ms"))}
    for interval in shows:
        start = interval["interval"].split("/")[0]
        assert interval["boolean"] == bool(expected[index[start]])
    assert {i["boolean"] for i in shows} == {True, False}


def test_bad_output_name_exits_2(tmp_path, capsys) -> None:
    assert main(["export", "czml", "starlink-gen1", "--start", "2026-08-22T00:00Z",
                 "--out", str(tmp_path / "sky.json")]) == 2
    assert ".czml" in capsys.readouterr().err
