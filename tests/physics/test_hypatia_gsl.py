"""Ground-satellite links at t=0 of the Hypatia Starlink-550 reference data
(../shared/data/hypatia-starlink550, README there), recomputed independently."""

import csv

import numpy as np
from sgp4.api import WGS72, Satrec
from sgp4.propagation import gstime

from leonet.physics.ground import wgs84
from leonet.physics.orbits import parse_tle
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.physics.visibility import visible
from tests.conftest import shared_file


def _inputs():
    tles = shared_file("hypatia-starlink550/tles.txt").read_text().splitlines()
    gs_rows = list(csv.reader(shared_file("hypatia-starlink550/ground_stations.txt")
                              .open(encoding="utf-8")))
    desc = dict(line.split("=") for line in shared_file("hypatia-starlink550/description.txt")
                .read_text().split())
    gs_xyz_km = np.array([[float(v) for v in row[5:8]] for row in gs_rows]) / 1000.0
    return tles[1:], gs_xyz_km, float(desc["max_gsl_length_m"]) / 1000.0


def _reference_pairs(tle_lines, gs_xyz_km, max_km):
    """The README's recipe: python-sgp4 (WGS72) at the epoch, TEME rotated by GMST 1982
    with UT1 = UTC, Euclidean distance <= max_gsl_length."""
    pairs = set()
    r_ecef = []
    for k in range(0, len(tle_lines), 3):
        sat = Satrec.twoline2rv(tle_lines[k + 1], tle_lines[k + 2], WGS72)
        _, r, _ = sat.sgp4(sat.jdsatepoch, sat.jdsatepochF)
        theta = gstime(sat.jdsatepoch + sat.jdsatepochF)
        c, s = np.cos(theta), np.sin(theta)
        r_ecef.append([c * r[0] + s * r[1], -s * r[0] + c * r[1], r[2]])
    r_ecef = np.array(r_ecef)
    d = np.linalg.norm(gs_xyz_km[:, None, :] - r_ecef[None, :, :], axis=-1)
    for g, s in zip(*np.nonzero(d <= max_km), strict=True):
        pairs.add((int(g), int(s)))
    return pairs


def test_gsls_at_t0_equal_the_reference():
    tle_lines, gs_xyz_km, max_km = _inputs()
    sats = Constellation.from_element_set(parse_tle("\n".join(tle_lines)))
    assert len(sats) == 1584
    grid = TimeGrid.at("2000-01-01T00:00:00Z")  # the TLE epoch 00001.0, as Hypatia reads it
    eph = sats.propagate(grid, ut1=False)
    stations = wgs84.from_ecef(gs_xyz_km)
    vis = visible(stations, eph.r_ecef_km[0], min_elevation_deg=0.0, max_range_km=max_km)
    ours = {(g, int(s)) for g in range(len(stations)) for s in vis.satellites_of(g)}
    reference = _reference_pairs(tle_lines, gs_xyz_km, max_km)
    assert ours == reference
    assert 300 < len(ours) < 3000

    # Every path of the reference output starts and ends on one of these links.
    with shared_file("hypatia-starlink550/paths_t0.csv").open() as f:
        for row in csv.DictReader(f):
            nodes = [int(n) for n in row["path"].split("-")]
            assert (nodes[0] - 1584, nodes[1]) in ours
            assert (nodes[-1] - 1584, nodes[-2]) in ours
