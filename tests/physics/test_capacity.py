"""The beam scheduler and busy-hour capacity: hand-checked cases, a slow reference written
from the documented algorithm, the max-flow bound (scipy), and time series over a synthetic
ephemeris whose geometry is known."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from leonet.errors import InputError
from leonet.physics.capacity import (
    AVAILABLE,
    LIMITED,
    NOT_ACTIVATED,
    NOT_COVERED,
    CapacityAssumptions,
    capacity,
    capacity_from_ephemerides,
    classify,
    schedule,
)
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import wgs84
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid

TOL = 1e-9


def reference_schedule(seen, demand, cap, beam, rounds=8):
    """The documented algorithm, one dictionary entry per (cell, satellite) pair."""
    x = {(c, s): 0.0 for c, sats in enumerate(seen) for s in sats}
    unmet = list(map(float, demand))
    rem = list(map(float, cap))
    for _ in range(rounds):
        ask = {}
        for c, sats in enumerate(seen):
            room = [s for s in sats if rem[s] > TOL and beam[s] - x[c, s] > TOL]
            if room and unmet[c] > TOL:
                for s in room:
                    ask[c, s] = min(unmet[c] / len(room), beam[s] - x[c, s])
        moved = 0.0
        for s in range(len(cap)):
            reqs = {k: v for k, v in ask.items() if k[1] == s}
            total = sum(reqs.values())
            if not reqs or total <= TOL or rem[s] <= TOL:
                continue
            level = float("inf")
            if total > rem[s]:  # water level: smallest requests first
                left, vals = rem[s], sorted(reqs.values())
                for i, v in enumerate(vals):
                    if v * (len(vals) - i) <= left:
                        left -= v
                    else:
                        level = left / (len(vals) - i)
                        break
            for (c, _), v in reqs.items():
                g = min(v, level, rem[s])
                x[c, s] += g
                unmet[c] = max(0.0, unmet[c] - g)
                rem[s] -= g
                moved += g
        if moved <= TOL:
            break
    served = [demand[c] - unmet[c] for c in range(len(seen))]
    offered = list(served)
    for s in range(len(cap)):
        room = [c for c, sats in enumerate(seen) if s in sats and beam[s] - x[c, s] > TOL]
        if room and rem[s] > TOL:
            for c in room:
                offered[c] += min(rem[s] / len(room), beam[s] - x[c, s])
    return np.array(served), np.array(offered), x


def _csr(seen):
    indptr = np.concatenate([[0], np.cumsum([len(s) for s in seen])])
    return indptr, np.array([s for row in seen for s in row], dtype=np.int64)


def _random_instance(rng, n_cells, n_sats):
    seen = [sorted(rng.choice(n_sats, size=rng.integers(0, 5), replace=False).tolist())
            for _ in range(n_cells)]
    demand = rng.choice([0.0, 0.1, 0.5, 1.0, 3.0], size=n_cells)
    cap = rng.uniform(0.5, 4.0, n_sats)
    beam = cap / rng.integers(1, 5, n_sats)
    return seen, demand, cap, beam


def test_one_satellite_water_fills_by_hand():
    # 10 Gbps in 2 beams of 5: requests 1, 3, 5 (capped from 8) and 5 exceed 10, so the
    # water level is 3: the two small ones in full (4), the big ones 3 each.
    indptr, sat = _csr([[0], [0], [0], [0]])
    a = schedule(indptr, sat, np.array([1.0, 3.0, 8.0, 8.0]), np.array([10.0]),
                 np.array([5.0]))
    np.testing.assert_allclose(a.served_gbps, [1, 3, 3, 3])
    np.testing.assert_allclose(a.offered_gbps, [1, 3, 3, 3])  # nothing left over


def test_spare_capacity_is_offered_by_hand():
    # Two satellites of 4 Gbps (beams of 2) see both cells; demands 1 and 0.
    indptr, sat = _csr([[0, 1], [0, 1]])
    a = schedule(indptr, sat, np.array([1.0, 0.0]), np.array([4.0, 4.0]), np.array([2.0, 2.0]))
    np.testing.assert_allclose(a.served_gbps, [1.0, 0.0])
    np.testing.assert_allclose(a.pair_gbps, [0.5, 0.5, 0.0, 0.0])
    # Each satellite has 3.5 left, split over two cells but capped by the beam room:
    # cell 0 gets min(1.75, 1.5) from each, cell 1 min(1.75, 2).
    np.testing.assert_allclose(a.offered_gbps, [1.0 + 2 * 1.5, 2 * 1.75])


def test_unmet_demand_moves_to_satellites_with_room():
    # Cell 0 sees only sat 0 (1 Gbps); cell 1 sees sats 0 and 1 (1 Gbps each).
    indptr, sat = _csr([[0], [0, 1]])
    a = schedule(indptr, sat, np.array([1.0, 1.5]), np.array([1.0, 1.0]), np.array([1.0, 1.0]))
    # Round 1: sat 0 gets 1 (cell 0) and 0.75 (cell 1): level 0.5 each; sat 1 grants 0.75.
    # Round 2: cell 1 asks its remaining 0.25 of sat 1 only (sat 0 is full).
    np.testing.assert_allclose(a.served_gbps, [0.5, 1.5])


@pytest.mark.parametrize("seed", range(6))
def test_equals_slow_reference_and_respects_every_limit(seed):
    rng = np.random.default_rng(seed)
    seen, demand, cap, beam = _random_instance(rng, 60, 12)
    indptr, sat = _csr(seen)
    a = schedule(indptr, sat, demand, cap, beam)
    served, offered, x = reference_schedule(seen, demand, cap, beam)
    np.testing.assert_allclose(a.served_gbps, served, atol=1e-9)
    np.testing.assert_allclose(a.offered_gbps, offered, atol=1e-9)
    np.testing.assert_allclose(a.pair_gbps, [x[c, s] for c, row in enumerate(seen) for s in row],
                               atol=1e-9)
    # Limits: per satellite, per beam, per cell.
    per_sat = np.bincount(sat, weights=a.pair_gbps, minlength=len(cap))
    assert np.all(per_sat <= cap + 1e-9)
    assert np.all(a.pair_gbps <= beam[sat] + 1e-9) and np.all(a.pair_gbps >= 0)
    assert np.all(a.served_gbps <= demand + 1e-9)
    np.testing.assert_allclose(np.add.reduceat(np.r_[a.pair_gbps, 0], indptr[:-1])
                               * (np.diff(indptr) > 0), a.served_gbps, atol=1e-9)
    assert np.all(a.offered_gbps >= a.served_gbps - 1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_serves_close_to_the_max_flow(seed):
    """No schedule can serve more than the maximum flow source -> satellites -> cells ->
    sink; the water-filling gets within a few percent of it on random instances."""
    rng = np.random.default_rng(100 + seed)
    seen, demand, cap, beam = _random_instance(rng, 200, 30)
    indptr, sat = _csr(seen)
    served = schedule(indptr, sat, demand, cap, beam).served_gbps.sum()
    n_c, n_s = len(seen), len(cap)
    src, sink = n_c + n_s, n_c + n_s + 1
    scale = 1e6  # kbps, integers for scipy
    rows = [src] * n_s
    cols = list(range(n_c, n_c + n_s))
    vals = list(np.round(cap * scale))
    for c, sats in enumerate(seen):
        for s in sats:
            rows.append(n_c + s)
            cols.append(c)
            vals.append(np.round(beam[s] * scale))
        rows.append(c)
        cols.append(sink)
        vals.append(np.round(demand[c] * scale))
    graph = sp.csr_array((np.array(vals, dtype=np.int64), (rows, cols)),
                         shape=(n_c + n_s + 2,) * 2)
    best = maximum_flow(graph, src, sink).flow_value / scale
    assert served <= best + 1e-3
    assert served >= 0.95 * best


def test_classify():
    a = CapacityAssumptions()
    got = classify([100, 100, 100, 50, 100], [0.5, 1.5, 0.5, 0.5, 9.0],
                   [True, True, False, True, False], a)
    assert got.tolist() == [AVAILABLE, LIMITED, NOT_ACTIVATED, NOT_COVERED, NOT_ACTIVATED]


def test_assumptions_are_checked():
    with pytest.raises(InputError, match="sat_capacity_gbps must be > 0"):
        CapacityAssumptions(sat_capacity_gbps=0)
    with pytest.raises(InputError, match="busy_hour_mbps must be a finite number >= 0"):
        CapacityAssumptions(busy_hour_mbps=-1)
    with pytest.raises(InputError, match="beams_per_sat must be whole"):
        CapacityAssumptions(beams_per_sat=2.5)
    with pytest.raises(InputError, match="covered_percent_min"):
        CapacityAssumptions(covered_percent_min=120)
    assert CapacityAssumptions().demand_gbps(1000).item() == pytest.approx(3.1)
    assert CapacityAssumptions(sat_capacity_gbps=96, beams_per_sat=16).beam_capacity_gbps == 6


def test_bad_schedule_input():
    indptr, sat = _csr([[0], [1]])
    with pytest.raises(InputError, match="satellite index"):
        schedule(indptr, sat, np.ones(2), np.ones(1), np.ones(1))
    with pytest.raises(InputError, match="3 demands for 2 cells"):
        schedule(indptr, sat, np.ones(3), np.ones(2), np.ones(2))


def _overhead_ephemeris(points, visible_at):
    """Satellite 0 straight above point 0 at the instants in ``visible_at``, elsewhere on the
    other side of the Earth; satellite 1 always above point 1."""
    grid = TimeGrid.range("2026-08-23T00:00:00Z", f"{(len(visible_at) - 1) * 60}s", "60s")
    up = points.r_ecef_km * (1 + 550 / 6371)
    r = np.empty((len(grid), 2, 3))
    r[:, 0] = np.where(np.array(visible_at)[:, None], up[0], -up[0])
    r[:, 1] = up[1]
    return grid, Ephemeris(grid, None, r, np.zeros_like(r), np.zeros((len(grid), 2), np.uint8))


def test_time_series_over_a_known_geometry():
    points = wgs84.point([10.0, -40.0], [20.0, 100.0])
    grid, eph = _overhead_ephemeris(points, [True, False, True, True])
    a = CapacityAssumptions(sat_capacity_gbps=8.0, beams_per_sat=4, covered_percent_min=90)
    cov, cap = capacity_from_ephemerides(points, [1.0, 5.0], [eph], grid, assumptions=a)
    np.testing.assert_allclose(cov.percent_covered, [75.0, 100.0])
    # Point 0: served 1 Gbps of 1 when its satellite is up (3 of 4 steps); offered = one beam
    # (2 Gbps: the satellite's other 7 Gbps cannot all reach one cell).
    np.testing.assert_allclose(cap.served_mean_gbps, [0.75, 2.0])
    np.testing.assert_allclose(cap.offered_mean_gbps, [1.5, 2.0])
    np.testing.assert_allclose(cap.offered_min_gbps, [0.0, 2.0])
    np.testing.assert_allclose(cap.percent_time_short, [25.0, 100.0])
    np.testing.assert_allclose(cap.oversubscription, [1 / 1.5, 2.5])
    assert cap.availability.tolist() == [NOT_COVERED, LIMITED]
    # Not activated: asks for nothing, is still offered what it would get.
    _, cap2 = capacity_from_ephemerides(points, [1.0, 5.0], [eph], grid, assumptions=a,
                                        activated=[True, False])
    assert cap2.availability.tolist() == [NOT_COVERED, NOT_ACTIVATED]
    np.testing.assert_allclose(cap2.served_mean_gbps, [0.75, 0.0])
    np.testing.assert_allclose(cap2.offered_mean_gbps, [1.5, 2.0])
    assert np.isnan(cap2.oversubscription[1])  # nobody is served there to oversubscribe


def test_capacity_of_a_real_constellation_holds_its_limits():
    points = wgs84.point([50.45, 48.0, 46.5], [30.52, 35.0, 30.7])
    grid = TimeGrid.range("2026-08-23T18:00:00Z", "10m", "5m")
    a = CapacityAssumptions()
    cov, cap = capacity(points, [0.1, 100.0, 0.0], Constellation.load("starlink-gen1"), grid,
                        assumptions=a)
    assert np.all(cov.min_in_view > 0)
    np.testing.assert_allclose(cap.served_mean_gbps[[0, 2]], [0.1, 0.0])
    # A single cell cannot get more than one beam from each satellite it sees.
    assert np.all(cap.offered_mean_gbps <= cov.max_in_view * a.beam_capacity_gbps + 1e-9)
    assert cap.availability.tolist() == [AVAILABLE, LIMITED, AVAILABLE]
