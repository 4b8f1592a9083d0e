"""Routes split by time on Dask: the same job as a plain single-process run, on local clusters
of one and of two single-threaded worker processes, with identical results checked.

Issue 13's target: real-constellation routing, 24 h x 100 pairs, 2 workers >= 1.8x one
worker. Arguments shrink the job on a shared machine:
``bench_dask_routes.py [DURATION] [PAIRS] [STEP] [TASK_INSTANTS]`` (default: 24h 100 15s 300).
Each city of the 100 largest routes to one 50 places down the list, in operator mode (the
schedule is made once on the client, then windows route on the workers). Also measured: a
no-op task's round trip against the time of a task.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import machine, real_or_preset
from _dask import local_client, round_trip_s, say_run, say_speed_up, timed

from leonet.distributed.routes import routes
from leonet.physics.ground import world_cities
from leonet.physics.network import Network
from leonet.physics.timegrid import TimeGrid

START = "2026-08-23T00:00:00Z"


def main() -> None:
    duration, pairs, step, task_instants = (sys.argv[1:] + ["24h", "100", "15s", "300"][
        len(sys.argv) - 1:])[:4]
    sats, label = real_or_preset()
    net = Network.build(sats)
    cities = world_cities()
    top = cities.largest(100)[:int(pairs)]
    src, dst = cities.points(top), cities.points(np.roll(cities.largest(100), 50)[:int(pairs)])
    grid = TimeGrid.range(START, duration, step)
    n_tasks = -(-len(grid) // int(task_instants))
    print(f"{label}: {len(sats):,} satellites; {len(src)} pairs; {len(grid):,} instants at "
          f"{step}; windows of {task_instants} ({n_tasks} tasks); {machine()}")
    net.routes(src[:2], dst[:2], grid[:3])  # compile the kernels
    c0, t0 = time.process_time(), time.perf_counter()
    ref = net.routes(src, dst, grid)
    plain_wall, plain_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"plain single process: {plain_wall:.1f} s wall, {plain_cpu:.1f} s CPU")
    runs = {}
    for n in (1, 2):
        with local_client(n) as client:
            routes(net, src[:2], dst[:2], grid[:3], client=client)  # warm the workers
            got, wall, cpu = timed(client, lambda client=client: routes(
                net, src, dst, grid, client=client, task_instants=int(task_instants)))
            per_task = round_trip_s(client)
        same = all(np.array_equal(getattr(got, k), getattr(ref, k), equal_nan=True)
                   for k in ("one_way_ms", "reason", "path_indptr", "path_nodes", "serving"))
        say_run(n, wall, cpu, same, per_task, n_tasks)
        runs[n] = (wall, cpu)
    say_speed_up(runs, plain_wall)


if __name__ == "__main__":
    main()
