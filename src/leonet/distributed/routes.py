"""Routes of many pairs over long windows on a Dask cluster, split by time
(`leonet.distributed.windows`): the serving-satellite schedule is made once, by the caller, for
the whole grid (it carries the serving satellite from slot to slot, so it is never cut; it is
one instant per 15 s slot against one per step for the routes); each window routes its own
instants from the same elements; the windows are joined in time order (`RouteSeries.concat`),
so a path change at a window's first instant is found once, against the previous window.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import leonet.distributed.elements  # noqa: F401  (Satrec records travel to the workers)
from leonet.distributed.windows import in_time_order
from leonet.physics.ground import GroundPoints
from leonet.physics.network import Network
from leonet.physics.route_series import RouteMode, RouteSeries
from leonet.physics.scheduling import SLOT_OFFSET_S, SLOT_S
from leonet.physics.timegrid import TimeGrid

# Instants per task: each window's first instant builds its shortest-path trees from scratch
# (later instants repair the previous ones), and 300 instants of 20-100 pairs over 4,400
# satellites are seconds of work against Dask's ~1 ms per task (benchmarks/bench_dask_routes.py).
ROUTE_TASK_INSTANTS = 300


def routes(network: Network, src: GroundPoints, dst: GroundPoints, grid: TimeGrid, *,
           client=None, mode: str | RouteMode = "operator",
           strategy: str = "highest_elevation", pop: np.ndarray | None = None,
           slot_s: float = SLOT_S, slot_offset_s: float = SLOT_OFFSET_S,
           task_instants: int = ROUTE_TASK_INSTANTS,
           progress: Callable[[int], None] | None = None) -> RouteSeries:
    """`Network.routes`, on the cluster behind ``client`` (a `distributed.Client`) when one
    is given, one task per window of ``task_instants`` instants; the same series either way.

    If a worker dies, Dask runs its windows again elsewhere; the answer does not change.
    """
    if client is None:
        return network.routes(src, dst, grid, mode=mode, strategy=strategy, pop=pop,
                              slot_s=slot_s, slot_offset_s=slot_offset_s, progress=progress)
    mode = RouteMode.parse(mode)
    pop_idx = network.check_pairs(src, dst, grid, pop)
    sched = network.route_schedule(src, grid, mode, strategy, pop_idx, slot_s, slot_offset_s)
    parts = [part for _, _, part in in_time_order(
        client, Network.routes_window,
        {"network": network, "src": src, "dst": dst, "grid": grid, "pop": pop_idx,
         "schedule": sched}, len(grid), task_instants=task_instants, progress=progress,
        mode=mode)]
    return RouteSeries.concat(parts)
