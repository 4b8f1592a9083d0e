"""Coverage split by time on Dask: the same job as a plain single-process run, on local
clusters of one and of two single-threaded worker processes, with identical results checked.

Issue 13's target: coverage of all land at res 4 over 24 h at 60 s, 2 workers >= 1.8x one
worker and no slower than the plain run. Arguments shrink the job on a shared machine:
``bench_dask_coverage.py [REGION] [RES] [DURATION] [TASK_INSTANTS]`` (default: land 4 24h 60).
Also measured: the per-task overhead (a no-op task's round trip) against the task time.
Wall and CPU ratios are printed; worker CPU time is read in the workers themselves.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import machine, real_or_preset
from _dask import local_client, round_trip_s, say_run, say_speed_up, timed

from leonet.distributed.coverage import coverage as cluster_coverage
from leonet.physics.coverage import coverage
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import region_cells

MASK_DEG = 25.0


def _cluster_run(n_workers: int, points, sats, grid, task_instants: int):
    with local_client(n_workers) as client:
        cluster_coverage(points, sats, grid[:task_instants], client)  # warm kernels
        fig, wall, cpu = timed(client, lambda: cluster_coverage(points, sats, grid, client,
                                                                task_instants=task_instants))
        per_task = round_trip_s(client)
    return fig, wall, cpu, per_task


def main() -> None:
    region, res, duration, task_instants = (sys.argv[1:] + ["land", "4", "24h", "60"][
        len(sys.argv) - 1:])[:4]
    sats, label = real_or_preset()
    cells = region_cells(region, int(res))
    grid = TimeGrid.range("2026-08-23T00:00:00Z", duration, "60s")
    points = cells.points(MASK_DEG)
    print(f"{label}: {len(sats):,} satellites; {region}: {len(cells):,} res-{res} cells; "
          f"{len(grid):,} instants; windows of {task_instants}; {machine()} (shared, loaded)")
    coverage(points, sats, grid[:3])
    c0, t0 = time.process_time(), time.perf_counter()
    ref = coverage(points, sats, grid)
    plain_wall, plain_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"plain single process: {plain_wall:.1f} s wall, {plain_cpu:.1f} s CPU")
    runs = {}
    for n in (1, 2):
        fig, wall, cpu, per_task = _cluster_run(n, points, sats, grid, int(task_instants))
        same = all(np.array_equal(fig.columns()[k], v, equal_nan=True)
                   for k, v in ref.columns().items())
        n_tasks = -(-len(grid) // int(task_instants))
        say_run(n, wall, cpu, same, per_task, n_tasks)
        runs[n] = (wall, cpu)
    say_speed_up(runs, plain_wall)  # coverage's target there: >= 1.0x


if __name__ == "__main__":
    main()
