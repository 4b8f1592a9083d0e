"""Detection in terminal shards on Dask: the same job as a plain single-process run, on local
clusters of one and of two single-threaded worker processes, with identical incidents checked.

Issue 13's target: detection over 100 M reports, 2 workers >= 1.8x one worker, peak memory per
worker <= 2 GiB. The telemetry is bench_detect.py's labelled set (every kind of misuse planted)
with background terminals up to the row count. Arguments shrink the job on a shared machine:
``bench_dask_detect.py [ROWS] [SHARDS]`` (default: 100000000 8; the same shards for 1 and 2
workers). The client holds the telemetry and sends each shard to its task. Also measured: a
no-op task's round trip, and each worker's peak resident memory.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
from _common import machine
from _dask import local_client, round_trip_s, say_run, say_speed_up, timed

from leonet.control.detect import detect
from leonet.control.detect.labelled import labelled_traces

ROWS_PER_BACKGROUND_TERMINAL = 288  # bench_detect.py: ~every 10 min for two days


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    rows, shards = (int(a) for a in (sys.argv[1:] + ["100000000", "8"][len(sys.argv) - 1:])[:2])
    traces = labelled_traces(seed=0, n_background=max(0, -(-rows // ROWS_PER_BACKGROUND_TERMINAL)))
    tel = traces.telemetry
    args = (tel, traces.policy)
    kw = {"terminals": traces.facts, "config": traces.config}
    print(f"{len(tel):,} reports of {tel.n_terminals:,} terminals; {shards} shards; "
          f"{machine()}")
    detect(tel.take(np.arange(min(len(tel), 50_000))), *args[1:], **kw)  # compile, index
    c0, t0 = time.process_time(), time.perf_counter()
    ref = detect(*args, **kw)
    plain_wall, plain_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"plain single process: {plain_wall:.1f} s wall, {plain_cpu:.1f} s CPU; "
          f"{len(ref):,} incidents")
    runs = {}
    for n in (1, 2):
        with local_client(n) as client:
            small = tel.take(np.arange(min(len(tel), 50_000)))
            detect(small, *args[1:], **kw, client=client, n_shards=n)  # warm the workers
            got, wall, cpu = timed(client, lambda client=client: detect(
                *args, **kw, client=client, n_shards=shards))
            per_task = round_trip_s(client)
            peak = max(client.run(_peak_rss_mib).values())
        same = all(np.array_equal(getattr(got, k), getattr(ref, k)) for k in
                   ("terminal_id", "kind", "start", "end", "evidence")) and got.notes == ref.notes
        # The shards and the cluster search: shards + 1 tasks.
        say_run(n, wall, cpu, same, per_task, shards + 1,
                f"; peak worker memory {peak:,.0f} MiB (target <= 2,048)")
        runs[n] = (wall, cpu)
    say_speed_up(runs, plain_wall)


if __name__ == "__main__":
    main()
