"""A real Dask cluster for the tests: ``dask scheduler`` and ``dask worker`` as separate
processes on the loopback address, found through a scheduler file (no fixed ports, no sleeps:
the client waits for the file and for the workers)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DASK = str(Path(sys.executable).parent / "dask")
START_TIMEOUT_S = 120


@dataclass(frozen=True)
class LoopbackCluster:
    scheduler_file: Path
    workers: tuple[subprocess.Popen, ...]
    client: object  # distributed.Client

    @property
    def address(self) -> str:
        return self.client.scheduler.address


@contextmanager
def loopback_cluster(folder: Path, n_workers: int = 2) -> Iterator[LoopbackCluster]:
    """Scheduler and ``n_workers`` single-threaded workers without nannies (killing one's
    process kills the worker), with a connected client; all stopped on exit."""
    from distributed import Client

    sched_file = folder / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    procs = [subprocess.Popen([DASK, "scheduler", "--port", "0", "--scheduler-file",
                               str(sched_file), *common], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    try:
        workers = tuple(subprocess.Popen([DASK, "worker", "--scheduler-file", str(sched_file),
                                          "--nthreads", "1", "--no-nanny", *common],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        for _ in range(n_workers))
        procs += workers
        with Client(scheduler_file=str(sched_file), timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(n_workers, timeout=START_TIMEOUT_S)
            yield LoopbackCluster(sched_file, workers, client)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
