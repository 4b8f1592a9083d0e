"""The waters baked into the policy index (issue 16 §1, speed) decide exactly as the unbaked
path (the kernel asking the waters wherever they may answer), and as the reference evaluator
(shapely and the nearest-coast search, one point at a time), near coasts, in harbours, on
median lines between neighbours and in lakes on borders."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from leonet.control.gridindex import REFINED
from leonet.control.labels import waters_grid
from leonet.control.policy import Policy
from leonet.control.policy.engine import run
from leonet.control.policy.reference import reference_decide
from leonet.control.waterbake import WATER, bake_waters
from leonet.control.waters import TERRITORIAL_SEA_KM, coast_grid

# Regions that take waters (countries, a disputed area inside one: Crimea's waters are both
# ``crimea``'s and ``UA``'s), a drawn area straddling the coast of Sevastopol Bay (it takes
# no waters) and a rule for everything outside the named regions.
POLICY = """
version = "1"
default = "allow"
[areas.bay]
geojson = {type = "Polygon", coordinates = [[[33.40, 44.55], [33.65, 44.55], [33.65, 44.70],
            [33.40, 44.70], [33.40, 44.55]]]}
[[rules]]
id = "bay"
effect = "deny"
regions = ["area:bay"]
speed_kmh_above = 50
[[rules]]
id = "crimea"
effect = "deny"
regions = ["crimea"]
[[rules]]
id = "ua"
effect = "allow"
regions = ["UA"]
[[rules]]
id = "north-sea"
effect = "deny"
regions = ["GB", "NO", "DK", "SE", "DE", "NL", "BE"]
[[rules]]
id = "lakes"
effect = "deny"
regions = ["CH", "PE"]
[[rules]]
id = "elsewhere"
effect = "deny"
except_regions = ["UA", "RU", "FR", "GB", "CH", "FR", "PE", "BO", "SE", "DK"]
"""

# (lat, lon) with the issue's cases: Sevastopol's harbour (44.6167N 33.5254E, in ``crimea``'s
# waters), the Dover Strait's median line (51.0N 1.5E is 15.5 km from France, 18 from England),
# the Øresund between Denmark and Sweden (55.7N 12.75E), Lake Geneva (46.45N 6.6E: its
# boundary runs through the water) and Lake Titicaca (-16.0, -69.3).
PLACES = [(44.6167, 33.5254), (51.0, 1.5), (55.7, 12.75), (46.45, 6.6), (-16.0, -69.3)]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_text(POLICY)


def _points(rng: np.random.Generator, n_near: int) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered over every 0.25° cell where the waters may answer, around the
    places above (within 30 km), and uniform over the sphere."""
    g = coast_grid()
    near = np.flatnonzero(np.unpackbits(waters_grid(TERRITORIAL_SEA_KM).near)[:g.ncols * g.nrows])
    cells = rng.choice(near, n_near)
    lat = [-90.0 + (cells // g.ncols + rng.random(n_near)) * g.res_deg]
    lon = [-180.0 + (cells % g.ncols + rng.random(n_near)) * g.res_deg]
    for la, lo in PLACES:
        lat.append(la + rng.uniform(-0.27, 0.27, 5_000))
        lon.append(lo + rng.uniform(-0.27, 0.27, 5_000) / np.cos(np.deg2rad(la)))
    lat.append(np.rad2deg(np.arcsin(rng.uniform(-1, 1, 100_000))))
    lon.append(rng.uniform(-180, 180, 100_000))
    return np.concatenate(lat), np.concatenate(lon)


def test_the_baked_index_decides_as_the_unbaked_path(policy):
    rng = np.random.default_rng(16)
    lat, lon = _points(rng, 300_000)
    speed = rng.choice([0.0, 80.0], lat.size)
    d = policy.decide(lat_deg=lat, lon_deg=lon, speed_kmh=speed, time="2026-01-01T00:00Z")
    eng = policy.engine
    unbaked = replace(eng, baked=bake_waters(eng.index, eng.water, eng.u_start, eng.u_regions,
                                             eng.r_land[:eng.n_poly], answers=False))
    t = d.terminals
    want = run(unbaked, t.lat_deg, t.lon_deg, t.alt_m, t.speed_kmh, t.time_ns, t.whitelisted,
               t.plan, t.home, t.roaming_days, t.funded, np.zeros((1, 0), dtype=np.bool_))
    assert np.array_equal(d.rule_index, want)
    # The test can fail: every rule decides somewhere, and the points at sea are many.
    assert set(d.rule.tolist()) >= {"bay", "crimea", "ua", "north-sea", "lakes", "elsewhere",
                                    "default"}


def test_the_baked_index_agrees_with_the_reference_in_harbours_and_straits(policy):
    rng = np.random.default_rng(17)
    lat = np.concatenate([[p[0] for p in PLACES],
                          *(la + rng.uniform(-0.2, 0.2, 60) for la, _ in PLACES)])
    lon = np.concatenate([[p[1] for p in PLACES],
                          *(lo + rng.uniform(-0.25, 0.25, 60) for _, lo in PLACES)])
    d = policy.decide(lat_deg=lat, lon_deg=lon, speed_kmh=80.0, time="2026-01-01T00:00Z")
    for i in range(lat.size):
        assert d.rule_index[i] == reference_decide(policy, d.terminals.row(i)), (lat[i], lon[i])
    # Sevastopol's harbour is in the drawn bay area and in crimea's waters; the Dover Strait
    # point in France's (no rule names FR: "elsewhere" excepts it, so the default).
    assert d.rule[:2].tolist() == ["bay", "default"]


def test_most_cells_near_coasts_are_answered_by_the_index(policy):
    # The point of the bake: only cells crossed by a coast, a belt's outer limit or a median
    # line still ask the waters. Counted over the sub-cells of the cells near a coast.
    ix = policy.engine.baked
    near = np.flatnonzero(np.unpackbits(policy.engine.water.near)[:ix.ncols * ix.nrows])
    code = ix.cell_code[near]
    fine = ix.fine_code[((code[code >= REFINED] - REFINED)[:, None] * ix.fine ** 2
                         + np.arange(ix.fine ** 2)).ravel()]
    coarse = code[code < REFINED]
    asks = int(((fine >= 0) & (fine & WATER != 0)).sum()
               + ((coarse >= 0) & (coarse & WATER != 0)).sum() * ix.fine ** 2)
    assert asks < 0.5 * near.size * ix.fine ** 2
