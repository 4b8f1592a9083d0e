"""Local Dask clusters for the scale-out benchmarks: single-threaded worker processes (numba
and BLAS threads would otherwise share the cores the workers share), the workers' own CPU
time, and a no-op task's round trip (the per-task overhead)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from distributed import Client, LocalCluster

import leonet.distributed.elements  # noqa: F401  (Satrec records travel to the workers)


@contextmanager
def local_client(n_workers: int) -> Iterator[Client]:
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def worker_cpu_s(client: Client) -> float:
    """CPU seconds spent so far by every worker process, read in the workers themselves."""
    return sum(client.run(time.process_time).values())


def timed(client: Client, run):
    """``run()``'s result, wall seconds and the workers' CPU seconds."""
    cpu0 = worker_cpu_s(client)
    t0 = time.perf_counter()
    out = run()
    return out, time.perf_counter() - t0, worker_cpu_s(client) - cpu0


def _noop() -> None:
    return None


def round_trip_s(client: Client, n: int = 200) -> float:
    """A no-op task's cost on the cluster (submit, schedule, run, gather), per worker."""
    t0 = time.perf_counter()
    client.gather([client.submit(_noop, pure=False) for _ in range(n)])
    return (time.perf_counter() - t0) / n * len(client.scheduler_info()["workers"])


def say_run(n_workers: int, wall_s: float, cpu_s: float, same: bool, per_task_s: float,
            n_tasks: int, extra: str = "") -> None:
    """One cluster run's line: wall and worker CPU, identity, per-task overhead."""
    task_s = cpu_s / n_tasks
    print(f"{n_workers} worker(s): {wall_s:.1f} s wall, {cpu_s:.1f} s worker CPU; identical: "
          f"{same}{extra}; no-op task round trip {per_task_s * 1e3:.2f} ms = "
          f"{100 * per_task_s / task_s:.2f} % of a task's {task_s:.2f} s")


def say_speed_up(runs: dict[int, tuple[float, float]], plain_wall_s: float) -> None:
    """2 workers against 1 (wall, issue 13's target 1.8x; worker CPU) and against plain."""
    print(f"speed-up 2 workers vs 1: {runs[1][0] / runs[2][0]:.2f}x wall (target >= 1.8x); "
          f"worker CPU ratio {runs[2][1] / runs[1][1]:.2f}; 2 workers vs plain: "
          f"{plain_wall_s / runs[2][0]:.2f}x wall")
