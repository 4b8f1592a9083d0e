"""Coverage figures of merit on a Dask cluster, split by time (`leonet.distributed.windows`):
gaps, revisit and time to first coverage that straddle a window boundary come out as on one
machine, bit for bit on whole-second grids (`CoverageAccumulator.absorb`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import leonet.distributed.elements  # noqa: F401  (Satrec records travel to the workers)
from leonet.distributed.windows import DEFAULT_TASK_INSTANTS, fold_windows
from leonet.errors import InputError
from leonet.physics.coverage import DEFAULT_MAX_BYTES, CoverageFigures, window_accumulator
from leonet.physics.ground import GroundPoints
from leonet.physics.timegrid import TimeGrid


def coverage(points: GroundPoints, constellation, grid: TimeGrid, client, *,
             min_sats: int = 1, min_elevation_deg=None, max_range_km: float | None = None,
             max_bytes: int = DEFAULT_MAX_BYTES, dtype=np.float64,
             task_instants: int = DEFAULT_TASK_INSTANTS,
             progress: Callable[[int], None] | None = None) -> CoverageFigures:
    """`leonet.physics.coverage.coverage` on the cluster behind ``client`` (a
    `distributed.Client`), one task per window of ``task_instants`` instants.

    If a worker dies, Dask runs its windows again elsewhere; the answer does not change.
    """
    if len(points) == 0:
        raise InputError("no ground points to cover")
    state = fold_windows(client, window_accumulator,
                         {"points": points, "elements": constellation, "grid": grid}, len(grid),
                         task_instants=task_instants, progress=progress, min_sats=min_sats,
                         min_elevation_deg=min_elevation_deg, max_range_km=max_range_km,
                         max_bytes=max_bytes, dtype=dtype)
    return state.result()
