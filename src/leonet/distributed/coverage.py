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
from leonet.physics.coverage import (
    DEFAULT_MAX_BYTES,
    CoverageAccumulator,
    CoverageFigures,
    window_accumulator,
)
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
    if len(grid) == 0:
        raise InputError("no instants were added: the time grid is empty")
    spans = windows(len(grid), task_instants)
    # Keys unique to this run: a later run must never meet an earlier run's released keys.
    run = uuid.uuid4().hex
    # The inputs travel inside one task each, not by `Client.scatter`: a task's result is
    # recomputed when the worker holding it dies (scattered data would be lost with it), and
    # the workers fetch it once each, when their first window needs it.
    inputs = [client.submit(_same, value, key=f"coverage-{name}-{run}", pure=False)
              for name, value in (("points", points), ("elements", constellation),
                                  ("grid", grid))]
    futures = [client.submit(window_accumulator, *inputs, a, b,
                             min_sats=min_sats, min_elevation_deg=min_elevation_deg,
                             max_range_km=max_range_km, max_bytes=max_bytes, dtype=dtype,
                             key=f"coverage-window-{a}-{b}-{run}", pure=False)
                 for a, b in spans]
    span = {f.key: (a, b) for f, (a, b) in zip(futures, spans, strict=True)}
    finished: dict[int, CoverageAccumulator] = {}  # by first instant, not yet folded
    total: CoverageAccumulator | None = None
    try:
        for done in as_completed(futures):
            a, b = span[done.key]
            try:
                finished[a] = done.result()
            except InputError as exc:  # bad input: say which window, as one machine says where
                raise InputError(str(exc), f"instants {a}-{b - 1} of {len(grid)}") from None
            done.release()  # the worker may drop the window's state now
            # Fold every window that now follows on without a hole: only the windows that
            # finished early are held, never the whole sweep's states.
            while (nxt := 0 if total is None else total.n_times) in finished:
                state = finished.pop(nxt)
                if total is None:
                    total = state
                else:
                    total.absorb(state)
            if progress is not None:
                progress(b - a)
    finally:
        # On an error, nothing of this run keeps running or held on the cluster.
        client.cancel([*futures, *inputs])
    return total.result()


def _same(value):
    """The task that holds an input on the cluster."""
    return value
