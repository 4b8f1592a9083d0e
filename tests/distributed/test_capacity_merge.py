"""Capacity of a grid cut into windows and folded with `CapacityAccumulator.absorb` equals the
single-pass run (itself checked by hand in tests/physics/test_capacity.py): coverage figures,
worst offered capacity, classes and counts exactly; the time-weighted means, whose sums add
in another order, to 1e-12 relative (far below any physical meaning: 1 bit/s in 1 Tbit/s)."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.distributed.windows import windows
from leonet.errors import InputError
from leonet.physics.capacity import DEFAULT_ASSUMPTIONS, capacity, capacity_window
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import region_cells

EXACT = ("demand_gbps", "activated", "offered_min_gbps", "availability")
MEANS = ("served_mean_gbps", "offered_mean_gbps", "percent_time_short", "oversubscription")


def assert_same_capacity(got, ref) -> None:
    (gcov, gcap), (rcov, rcap) = got, ref
    for name, value in rcov.columns().items():
        np.testing.assert_array_equal(gcov.columns()[name], value, err_msg=name)
    for name in EXACT:
        np.testing.assert_array_equal(getattr(gcap, name), getattr(rcap, name), err_msg=name)
    for name in MEANS:
        np.testing.assert_allclose(getattr(gcap, name), getattr(rcap, name), rtol=1e-12,
                                   atol=0, err_msg=name)


@pytest.fixture(scope="module")
def taiwan():
    # Taiwan at res 4 with heavy demand on some cells and some not activated, at a 50° mask:
    # satellites run out (limited cells), gaps open and close, cells go uncovered.
    cells = region_cells("TW", 4)
    points = cells.points(50.0)
    rng = np.random.default_rng(7)
    demand = rng.choice([0.0, 0.5, 4.0, 30.0], size=len(cells))
    activated = rng.random(len(cells)) > 0.1
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "40min", "60s")
    sats = Constellation.load("starlink-gen1")
    ref = capacity(points, demand, sats, grid, activated=activated)
    return points, demand, activated, sats, grid, ref


@pytest.mark.parametrize("task_instants", [1, 2, 7])
def test_windows_folded_in_order_equal_the_single_pass(taiwan, task_instants):
    points, demand, activated, sats, grid, ref = taiwan
    cov, cap = ref
    assert {"limited", "not covered", "available"} <= set(cap.availability)
    assert (cov.n_gaps > 0).any()  # with windows of 1 instant, every gap straddles a boundary
    states = [capacity_window(points, demand, sats, grid, a, b, activated=activated)
              for a, b in windows(len(grid), task_instants)]
    total = states[0]
    for later in states[1:]:
        total.absorb(later)
    assert_same_capacity(total.result(grid), ref)


def test_a_window_outside_the_grid_is_refused(taiwan):
    points, demand, _, sats, grid, _ = taiwan
    with pytest.raises(InputError, match=r"window \[40, 42\) is not inside a grid of 41"):
        capacity_window(points, demand, sats, grid, 40, 41 + 1)
    with pytest.raises(InputError, match="demands must be finite"):
        capacity_window(points, -1.0, sats, grid, 0, 1, assumptions=DEFAULT_ASSUMPTIONS)
