"""A real Dask cluster for the tests: ``dask scheduler`` and ``dask worker`` as separate
processes on the loopback address, found through a scheduler file (no fixed ports, no sleeps:
the client waits for the file and for the workers).

Every process runs in its own session and is killed with its children on exit; its log goes to
a file in the cluster's folder, printed when the block fails. If the test process itself dies,
the scheduler stops after `IDLE_TIMEOUT_S` without work and the workers `ORPHAN_TIMEOUT_S`
after it, so nothing is left behind on a shared machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DASK = str(Path(sys.executable).parent / "dask")
# Bound on starting the processes (imports under a loaded 2-core machine take seconds).
START_TIMEOUT_S = 120
# An orphaned scheduler stops after this long without a task transition (dask --idle-timeout):
# far above any pause of the suite between two computations on one cluster.
IDLE_TIMEOUT_S = 300
# A worker stops after this long without its scheduler (dask --death-timeout).
ORPHAN_TIMEOUT_S = 60
# Bound on a process's clean exit after SIGTERM, before SIGKILL.
STOP_TIMEOUT_S = 10


@dataclass(frozen=True)
class LoopbackCluster:
    folder: Path
    workers: tuple[subprocess.Popen, ...]
    client: object  # distributed.Client

    @property
    def address(self) -> str:
        return self.client.scheduler.address

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-4000:]}"
                         for p in sorted(self.folder.glob("*.log")))


def _start(args: list[str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        # Own session: the whole process group is stopped on exit, whatever it spawned.
        return subprocess.Popen([DASK, *args], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@contextmanager
def loopback_cluster(folder: Path, n_workers: int = 2) -> Iterator[LoopbackCluster]:
    """Scheduler and ``n_workers`` single-threaded workers without nannies (killing one's
    process kills the worker, and Dask does not restart it), with a connected client."""
    from distributed import Client  # optional extra, needed only by the cluster suite

    folder.mkdir(parents=True, exist_ok=True)
    sched_file = folder / "scheduler.json"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    procs = [_start(["scheduler", "--port", "0", "--scheduler-file", str(sched_file),
                     "--idle-timeout", f"{IDLE_TIMEOUT_S}s", *common],
                    folder / "scheduler.log")]
    cluster = None
    try:
        workers = tuple(_start(["worker", "--scheduler-file", str(sched_file), "--nthreads", "1",
                                "--no-nanny", "--death-timeout", f"{ORPHAN_TIMEOUT_S}s",
                                "--local-directory", str(folder / f"worker-{i}"), *common],
                               folder / f"worker-{i}.log")
                        for i in range(n_workers))
        procs += workers
        with Client(scheduler_file=str(sched_file), timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(n_workers, timeout=START_TIMEOUT_S)
            cluster = LoopbackCluster(folder, workers, client)
            yield cluster
    except BaseException:
        if cluster is not None:
            print(cluster.logs(), file=sys.stderr)
        raise
    finally:
        # Workers before the scheduler: a worker that loses its scheduler while closing can
        # hang in its own shutdown (it then costs `STOP_TIMEOUT_S` and a SIGKILL).
        _stop(procs[1:])
        _stop(procs[:1])
