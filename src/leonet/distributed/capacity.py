"""Busy-hour capacity on a Dask cluster, split by time (`leonet.distributed.windows`): each
window schedules its own instants; the coverage figures and the worst offered capacity merge
exactly, the time-weighted means to a few ulps (their sums add in another order).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import leonet.distributed.elements  # noqa: F401  (Satrec records travel to the workers)
from leonet.distributed.windows import DEFAULT_TASK_INSTANTS, fold_windows
from leonet.errors import InputError
from leonet.physics.capacity import (
    DEFAULT_ASSUMPTIONS,
    CapacityAssumptions,
    CapacityFigures,
    capacity_window,
)
from leonet.physics.coverage import DEFAULT_MAX_BYTES, CoverageFigures
from leonet.physics.ground import GroundPoints
from leonet.physics.timegrid import TimeGrid


def capacity(points: GroundPoints, demand_gbps, constellation, grid: TimeGrid, client, *,
             assumptions: CapacityAssumptions = DEFAULT_ASSUMPTIONS, activated=None,
             min_sats: int = 1, min_elevation_deg=None, max_bytes: int = DEFAULT_MAX_BYTES,
             task_instants: int = DEFAULT_TASK_INSTANTS,
             progress: Callable[[int], None] | None = None,
             ) -> tuple[CoverageFigures, CapacityFigures]:
    """`leonet.physics.capacity.capacity` on the cluster behind ``client``, one task per
    window of ``task_instants`` instants."""
    if len(points) == 0:
        raise InputError("no ground points")
    demand = np.asarray(demand_gbps, dtype=np.float64)
    state = fold_windows(client, capacity_window,
                         {"points": points, "demand": demand, "elements": constellation,
                          "grid": grid}, len(grid), task_instants=task_instants,
                         progress=progress, assumptions=assumptions, activated=activated,
                         min_sats=min_sats, min_elevation_deg=min_elevation_deg,
                         max_bytes=max_bytes)
    return state.result(grid)
