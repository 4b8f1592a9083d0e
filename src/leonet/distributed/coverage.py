"""Coverage figures of merit on a Dask cluster: the grid is cut into time windows, each task
propagates its own window from the same elements (no ephemeris travels), and the windows'
running states are folded in time order with `CoverageAccumulator.absorb`, so gaps, revisit
and time to first coverage that straddle a boundary come out as on one machine.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import numpy as np

import leonet.distributed.elements  # noqa: F401  (Satrec records travel to the workers)
from leonet.errors import InputError
from leonet.physics.coverage import DEFAULT_MAX_BYTES, CoverageFigures, window_accumulator
from leonet.physics.ground import GroundPoints
from leonet.physics.timegrid import TimeGrid

# Instants per task: a window of 60 instants over the whole land at res 4 (~25,000 cells)
# and 4,400 satellites is seconds of work, against Dask's ~1 ms per-task overhead.
DEFAULT_TASK_INSTANTS = 60


def windows(n_times: int, task_instants: int) -> list[tuple[int, int]]:
    """``[start, stop)`` index ranges of at most ``task_instants`` covering ``n_times``.

    >>> windows(7, 3)
    [(0, 3), (3, 6), (6, 7)]
    """
    if int(task_instants) != task_instants or task_instants < 1:
        raise InputError(f"task_instants must be a whole number >= 1, got {task_instants}")
    return [(a, min(a + task_instants, n_times)) for a in range(0, n_times, task_instants)]


def coverage(points: GroundPoints, constellation, grid: TimeGrid, client, *,
             min_sats: int = 1, min_elevation_deg=None, max_range_km: float | None = None,
             max_bytes: int = DEFAULT_MAX_BYTES, dtype=np.float64,
             task_instants: int = DEFAULT_TASK_INSTANTS,
             progress: Callable[[int], None] | None = None) -> CoverageFigures:
    """`leonet.physics.coverage.coverage` on the cluster behind ``client`` (a
    `distributed.Client`), one task per window of ``task_instants`` instants.

    If a worker dies, Dask runs its windows again elsewhere; the answer does not change.
    """
    # Heavy optional dependency: imported only when a cluster is used.
    from distributed import as_completed

    if len(points) == 0:
        raise InputError("no ground points to cover")
    spans = windows(len(grid), task_instants)
    points_f, sats_f, grid_f = client.scatter([points, constellation, grid], broadcast=True)
    # Keys unique to this run: a later run must never meet an earlier run's forgotten keys.
    run = uuid.uuid4().hex
    futures = [client.submit(window_accumulator, points_f, sats_f, grid_f, a, b,
                             min_sats=min_sats, min_elevation_deg=min_elevation_deg,
                             max_range_km=max_range_km, max_bytes=max_bytes, dtype=dtype,
                             key=f"coverage-window-{a}-{b}-{run}", pure=False)
                 for a, b in spans]
    size = {f.key: b - a for f, (a, b) in zip(futures, spans, strict=True)}
    for done in as_completed(futures):
        done.result()  # raises the task's own error, naming its window
        if progress is not None:
            progress(size[done.key])
    states = client.gather(futures)
    total = states[0]
    for later in states[1:]:
        total.absorb(later)
    return total.result()
